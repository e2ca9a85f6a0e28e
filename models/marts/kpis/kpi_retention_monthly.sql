{#-
    Retention KPIs per month (first day of the month), one row per month from
    the first to the last month with a purchase or a paid subscription.
    - Repeat-purchase rate: of the customers who purchased in the month, the
      share who had purchased in an earlier month.
    - Customer churn rate: of the customers active at the start of the month
      (a purchase or paid subscription start in the var('churn_after_days')
      days before it), the share who churned in the month (the churned entries
      of customer_stage_history, whose rule is the same).
    - Subscription churn rate: of the paid subscriptions active at the start
      of the month, the share cancelled in the month.
    - Review rate: of the customers who purchased in the month, the share who
      posted a review in the same month.
-#}

with

touchpoints as (
    select * from {{ ref('touchpoints') }}
),

stage_history as (
    select * from {{ ref('customer_stage_history') }}
),

subscriptions as (
    select * from {{ ref('stg_shop__subscriptions') }}
),

purchase_months as (
    select distinct
        customer_id,
        cast({{ dbt.date_trunc('month', 'occurred_at') }} as date) as kpi_month
    from touchpoints
    where touchpoint_type = 'purchase'
),

first_months as (
    select customer_id, min(kpi_month) as first_month
    from purchase_months
    group by customer_id
),

review_months as (
    select distinct
        customer_id,
        cast({{ dbt.date_trunc('month', 'occurred_at') }} as date) as kpi_month
    from touchpoints
    where touchpoint_type = 'review'
),

purchasers as (
    select
        purchase_months.kpi_month,
        count(*) as n_purchasing_customers,
        sum(case when first_months.first_month < purchase_months.kpi_month then 1 else 0 end)
            as n_repeat_customers,
        sum(case when review_months.customer_id is not null then 1 else 0 end)
            as n_reviewing_customers
    from purchase_months
    inner join first_months on purchase_months.customer_id = first_months.customer_id
    left join review_months
        on purchase_months.customer_id = review_months.customer_id
        and purchase_months.kpi_month = review_months.kpi_month
    group by purchase_months.kpi_month
),

-- the purchases that keep a customer active (as in int_customer_stage_events)
activity as (
    select customer_id, occurred_at
    from touchpoints
    where touchpoint_type = 'purchase' or touchpoint_type = 'subscription_started'
),

activity_months as (
    select cast({{ dbt.date_trunc('month', 'occurred_at') }} as date) as kpi_month
    from activity
    union all
    select cast({{ dbt.date_trunc('month', 'paid_started_at') }} as date)
    from subscriptions
    where paid_started_at is not null
    union all
    select cast({{ dbt.date_trunc('month', 'valid_from') }} as date)
    from stage_history
    where stage = 'churned'
),

months as (
    select distinct cast({{ dbt.date_trunc('month', 'date_day') }} as date) as kpi_month
    from (
        {{ date_spine_days(
            "(select min(kpi_month) from activity_months)",
            "(select max(kpi_month) from activity_months)"
        ) }}
    ) as days
),

active_at_start as (
    select months.kpi_month, count(distinct activity.customer_id) as n_active_customers
    from months
    inner join activity
        on activity.occurred_at < months.kpi_month
        and activity.occurred_at >= {{ dbt.dateadd(
            'day', -1 * var('churn_after_days', 90), 'months.kpi_month') }}
    group by months.kpi_month
),

churned as (
    select
        cast({{ dbt.date_trunc('month', 'valid_from') }} as date) as kpi_month,
        count(distinct customer_id) as n_churned_customers
    from stage_history
    where stage = 'churned'
    group by cast({{ dbt.date_trunc('month', 'valid_from') }} as date)
),

subscription_churn as (
    select
        months.kpi_month,
        count(*) as n_active_subscriptions,
        sum(
            case
                when subscriptions.cancelled_at
                    < {{ dbt.dateadd('month', 1, 'months.kpi_month') }} then 1
                else 0
            end
        ) as n_cancelled_subscriptions
    from months
    inner join subscriptions
        on subscriptions.paid_started_at < months.kpi_month
        and (subscriptions.cancelled_at is null or subscriptions.cancelled_at >= months.kpi_month)
    group by months.kpi_month
),

final as (
    select
        months.kpi_month,
        cast(coalesce(purchasers.n_purchasing_customers, 0) as {{ dbt.type_bigint() }})
            as n_purchasing_customers,
        cast(coalesce(purchasers.n_repeat_customers, 0) as {{ dbt.type_bigint() }})
            as n_repeat_customers,
        cast(
            purchasers.n_repeat_customers * 1.0 / nullif(purchasers.n_purchasing_customers, 0)
            as {{ type_double() }}
        ) as repeat_purchase_rate,
        cast(coalesce(active_at_start.n_active_customers, 0) as {{ dbt.type_bigint() }})
            as n_active_customers,
        cast(coalesce(churned.n_churned_customers, 0) as {{ dbt.type_bigint() }})
            as n_churned_customers,
        cast(
            coalesce(churned.n_churned_customers, 0) * 1.0
            / nullif(active_at_start.n_active_customers, 0)
            as {{ type_double() }}
        ) as customer_churn_rate,
        cast(
            coalesce(subscription_churn.n_active_subscriptions, 0) as {{ dbt.type_bigint() }}
        ) as n_active_subscriptions,
        cast(
            coalesce(subscription_churn.n_cancelled_subscriptions, 0) as {{ dbt.type_bigint() }}
        ) as n_cancelled_subscriptions,
        cast(
            subscription_churn.n_cancelled_subscriptions * 1.0
            / nullif(subscription_churn.n_active_subscriptions, 0)
            as {{ type_double() }}
        ) as subscription_churn_rate,
        cast(coalesce(purchasers.n_reviewing_customers, 0) as {{ dbt.type_bigint() }})
            as n_reviewing_customers,
        cast(
            purchasers.n_reviewing_customers * 1.0 / nullif(purchasers.n_purchasing_customers, 0)
            as {{ type_double() }}
        ) as review_rate
    from months
    left join purchasers on months.kpi_month = purchasers.kpi_month
    left join active_at_start on months.kpi_month = active_at_start.kpi_month
    left join churned on months.kpi_month = churned.kpi_month
    left join subscription_churn on months.kpi_month = subscription_churn.kpi_month
)

select * from final

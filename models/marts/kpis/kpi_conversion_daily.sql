{#-
    Conversion KPIs per day, one row per day from the first to the last day
    any source reports.
    - Orders are purchases online and in store; revenue is net of refunds and
      returns, in EUR (a refund lowers the revenue of the order's day).
    - Average order value: net revenue of the day's purchases / purchases
      (returns excluded).
    - Cart abandonment by cart creation date: abandoned / created.
    - Lead-to-customer rate by lead creation date: of the leads created by
      people who had not purchased yet, the share whose first purchase came
      within var('lead_conversion_window_days') days. Trial-to-paid rate by
      trial start date. Both are cohort rates: recent days mature as the
      window passes.
    - Time to convert: days from a customer's first touchpoint to the first
      purchase, on the day of the first purchase.
-#}

with

touchpoints as (
    select * from {{ ref('touchpoints') }}
),

carts as (
    select * from {{ ref('stg_shop__carts') }}
),

subscriptions as (
    select * from {{ ref('stg_shop__subscriptions') }}
),

customers as (
    select * from {{ ref('customers') }}
),

sales as (
    select
        touchpoint_date as kpi_date,
        sum(case when touchpoint_type = 'purchase' then 1 else 0 end) as n_orders,
        sum(revenue_eur) as revenue_eur,
        sum(case when touchpoint_type = 'purchase' then revenue_eur else 0 end)
            as purchase_revenue_eur
    from touchpoints
    where touchpoint_type in ('purchase', 'return')
    group by touchpoint_date
),

first_purchases as (
    select
        cast(first_purchased_at as date) as kpi_date,
        count(*) as n_first_purchases,
        sum(
            {{ dbt.datediff('cast(first_seen_at as date)', 'cast(first_purchased_at as date)', 'day') }}
        ) as days_to_convert_total
    from customers
    where first_purchased_at is not null
    group by cast(first_purchased_at as date)
),

cart_daily as (
    select
        cast(created_at as date) as kpi_date,
        count(*) as carts_created,
        sum(case when status = 'abandoned' then 1 else 0 end) as carts_abandoned
    from carts
    group by cast(created_at as date)
),

leads as (
    select
        touchpoints.touchpoint_date as kpi_date,
        case
            when customers.first_purchased_at <= {{ dbt.dateadd(
                'day', var('lead_conversion_window_days', 30), 'touchpoints.occurred_at') }}
                then 1
            else 0
        end as is_converted
    from touchpoints
    inner join customers on touchpoints.customer_id = customers.customer_id
    where touchpoints.touchpoint_type = 'lead_created'
        -- a lead from an existing customer is not a lead to convert
        and (
            customers.first_purchased_at is null
            or customers.first_purchased_at >= touchpoints.occurred_at
        )
),

lead_daily as (
    select kpi_date, count(*) as leads_to_convert, sum(is_converted) as leads_converted
    from leads
    group by kpi_date
),

trial_daily as (
    select
        cast(trial_started_at as date) as kpi_date,
        count(*) as trials_started,
        sum(case when paid_started_at is not null then 1 else 0 end) as trials_converted
    from subscriptions
    where trial_started_at is not null
    group by cast(trial_started_at as date)
),

activity_days as (
    select kpi_date from sales
    union all
    select kpi_date from cart_daily
    union all
    select kpi_date from lead_daily
    union all
    select kpi_date from trial_daily
),

days as (
    {{ date_spine_days(
        "(select min(kpi_date) from activity_days)",
        "(select max(kpi_date) from activity_days)"
    ) }}
),

joined as (
    select
        days.date_day as kpi_date,
        cast(coalesce(sales.n_orders, 0) as {{ dbt.type_bigint() }}) as n_orders,
        cast(coalesce(first_purchases.n_first_purchases, 0) as {{ dbt.type_bigint() }})
            as n_first_purchases,
        cast(coalesce(sales.revenue_eur, 0) as {{ type_double() }}) as revenue_eur,
        cast(coalesce(sales.purchase_revenue_eur, 0) as {{ type_double() }})
            as purchase_revenue_eur,
        cast(
            sales.purchase_revenue_eur / nullif(sales.n_orders, 0) as {{ type_double() }}
        ) as average_order_value_eur,
        cast(coalesce(cart_daily.carts_created, 0) as {{ dbt.type_bigint() }}) as carts_created,
        cast(coalesce(cart_daily.carts_abandoned, 0) as {{ dbt.type_bigint() }})
            as carts_abandoned,
        cast(
            cart_daily.carts_abandoned * 1.0 / nullif(cart_daily.carts_created, 0)
            as {{ type_double() }}
        ) as cart_abandonment_rate,
        cast(coalesce(lead_daily.leads_to_convert, 0) as {{ dbt.type_bigint() }})
            as leads_to_convert,
        cast(coalesce(lead_daily.leads_converted, 0) as {{ dbt.type_bigint() }})
            as leads_converted,
        cast(
            lead_daily.leads_converted * 1.0 / nullif(lead_daily.leads_to_convert, 0)
            as {{ type_double() }}
        ) as lead_to_customer_rate,
        cast(coalesce(trial_daily.trials_started, 0) as {{ dbt.type_bigint() }})
            as trials_started,
        cast(coalesce(trial_daily.trials_converted, 0) as {{ dbt.type_bigint() }})
            as trials_converted,
        cast(
            trial_daily.trials_converted * 1.0 / nullif(trial_daily.trials_started, 0)
            as {{ type_double() }}
        ) as trial_to_paid_rate,
        cast(coalesce(first_purchases.days_to_convert_total, 0) as {{ dbt.type_bigint() }})
            as days_to_convert_total,
        cast(
            first_purchases.days_to_convert_total * 1.0
            / nullif(first_purchases.n_first_purchases, 0)
            as {{ type_double() }}
        ) as average_days_to_convert
    from days
    left join sales on days.date_day = sales.kpi_date
    left join first_purchases on days.date_day = first_purchases.kpi_date
    left join cart_daily on days.date_day = cart_daily.kpi_date
    left join lead_daily on days.date_day = lead_daily.kpi_date
    left join trial_daily on days.date_day = trial_daily.kpi_date
)

select * from joined

{#-
    The lifecycle funnel per monthly cohort and acquisition channel: customers
    first seen in cohort_month through acquisition_channel (their first
    touchpoint's channel), and how many of them reached each progress stage
    or a later one (stages move forward only but may be skipped: a first
    purchase in store reaches conversion without a lead). Counts are nested,
    so each step rate lies in [0, 1]. Cohort figures grow as the cohort ages.
-#}

with

customers as (
    select * from {{ ref('customers') }}
),

stage_history as (
    select * from {{ ref('customer_stage_history') }}
),

stages as (
    select * from {{ ref('lifecycle_stages') }}
),

stage_orders as (
    select
        max(case when stage = 'engagement' then stage_order end) as engagement_order,
        max(case when stage = 'evaluation' then stage_order end) as evaluation_order,
        max(case when stage = 'acquisition' then stage_order end) as acquisition_order,
        max(case when stage = 'conversion' then stage_order end) as conversion_order,
        max(case when stage = 'retention' then stage_order end) as retention_order
    from stages
),

furthest_stages as (
    select customer_id, max(stage_order) as furthest_stage_order
    from stage_history
    where stage_group = 'progress'
    group by customer_id
),

cohort_members as (
    select
        cast({{ dbt.date_trunc('month', 'customers.first_seen_at') }} as date) as cohort_month,
        customers.acquisition_channel,
        coalesce(furthest_stages.furthest_stage_order, 0) as furthest_stage_order,
        customers.first_seen_at,
        customers.first_purchased_at
    from customers
    left join furthest_stages on customers.customer_id = furthest_stages.customer_id
),

counted as (
    select
        cohort_members.cohort_month,
        cohort_members.acquisition_channel,
        count(*) as customers,
        sum(case when furthest_stage_order >= engagement_order then 1 else 0 end)
            as engaged_customers,
        sum(case when furthest_stage_order >= evaluation_order then 1 else 0 end)
            as evaluating_customers,
        sum(case when furthest_stage_order >= acquisition_order then 1 else 0 end)
            as acquired_customers,
        sum(case when furthest_stage_order >= conversion_order then 1 else 0 end)
            as converted_customers,
        sum(case when furthest_stage_order >= retention_order then 1 else 0 end)
            as retained_customers,
        sum(
            case
                when cohort_members.first_purchased_at is not null
                    then {{ dbt.datediff(
                        'cast(cohort_members.first_seen_at as date)',
                        'cast(cohort_members.first_purchased_at as date)', 'day') }}
                else 0
            end
        ) as days_to_convert_total,
        sum(case when cohort_members.first_purchased_at is not null then 1 else 0 end)
            as first_purchasers
    from cohort_members
    cross join stage_orders
    group by cohort_members.cohort_month, cohort_members.acquisition_channel
),

final as (
    select
        cohort_month,
        acquisition_channel,
        cast(customers as {{ dbt.type_bigint() }}) as customers,
        cast(engaged_customers as {{ dbt.type_bigint() }}) as engaged_customers,
        cast(evaluating_customers as {{ dbt.type_bigint() }}) as evaluating_customers,
        cast(acquired_customers as {{ dbt.type_bigint() }}) as acquired_customers,
        cast(converted_customers as {{ dbt.type_bigint() }}) as converted_customers,
        cast(retained_customers as {{ dbt.type_bigint() }}) as retained_customers,
        cast(engaged_customers * 1.0 / customers as {{ type_double() }}) as engagement_step_rate,
        cast(
            evaluating_customers * 1.0 / nullif(engaged_customers, 0) as {{ type_double() }}
        ) as evaluation_step_rate,
        cast(
            acquired_customers * 1.0 / nullif(evaluating_customers, 0) as {{ type_double() }}
        ) as acquisition_step_rate,
        cast(
            converted_customers * 1.0 / nullif(acquired_customers, 0) as {{ type_double() }}
        ) as conversion_step_rate,
        cast(
            retained_customers * 1.0 / nullif(converted_customers, 0) as {{ type_double() }}
        ) as retention_step_rate,
        cast(converted_customers * 1.0 / customers as {{ type_double() }}) as conversion_rate,
        cast(
            days_to_convert_total * 1.0 / nullif(first_purchasers, 0) as {{ type_double() }}
        ) as average_days_to_convert
    from counted
)

select * from final

{#-
    Cohort retention matrix: customers grouped by the month of their first
    purchase (cohort_month); for each month since (0 = the first-purchase
    month, up to the latest month with a purchase), how many of them purchased
    in that month. Every cell is present, also when nobody came back (0).
-#}

with

touchpoints as (
    select * from {{ ref('touchpoints') }}
),

purchase_months as (
    select distinct
        customer_id,
        cast({{ dbt.date_trunc('month', 'occurred_at') }} as date) as purchase_month
    from touchpoints
    where touchpoint_type = 'purchase'
),

cohorts as (
    select customer_id, min(purchase_month) as cohort_month
    from purchase_months
    group by customer_id
),

cohort_sizes as (
    select cohort_month, count(*) as cohort_customers
    from cohorts
    group by cohort_month
),

months as (
    select distinct cast({{ dbt.date_trunc('month', 'date_day') }} as date) as calendar_month
    from (
        {{ date_spine_days(
            "(select min(purchase_month) from purchase_months)",
            "(select max(purchase_month) from purchase_months)"
        ) }}
    ) as days
),

grid as (
    select
        cohort_sizes.cohort_month,
        months.calendar_month,
        cohort_sizes.cohort_customers
    from cohort_sizes
    inner join months on months.calendar_month >= cohort_sizes.cohort_month
),

retained as (
    select
        cohorts.cohort_month,
        purchase_months.purchase_month as calendar_month,
        count(*) as retained_customers
    from purchase_months
    inner join cohorts on purchase_months.customer_id = cohorts.customer_id
    group by cohorts.cohort_month, purchase_months.purchase_month
),

final as (
    select
        grid.cohort_month,
        cast(
            {{ dbt.datediff('grid.cohort_month', 'grid.calendar_month', 'month') }}
            as {{ dbt.type_int() }}
        ) as months_since_first_purchase,
        cast(grid.cohort_customers as {{ dbt.type_bigint() }}) as cohort_customers,
        cast(coalesce(retained.retained_customers, 0) as {{ dbt.type_bigint() }})
            as retained_customers,
        cast(
            coalesce(retained.retained_customers, 0) * 1.0 / grid.cohort_customers
            as {{ type_double() }}
        ) as retention_rate
    from grid
    left join retained
        on grid.cohort_month = retained.cohort_month
        and grid.calendar_month = retained.calendar_month
)

select * from final

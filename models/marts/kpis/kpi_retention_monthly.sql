{#-
    Retention KPIs per month: of the customers who purchased in the month, the
    share who had purchased in an earlier month (repeat-purchase rate).
-#}

with

touchpoints as (
    select * from {{ ref('touchpoints') }}
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

monthly as (
    select
        purchase_months.kpi_month,
        count(*) as n_purchasing_customers,
        sum(case when first_months.first_month < purchase_months.kpi_month then 1 else 0 end)
            as n_repeat_customers
    from purchase_months
    inner join first_months on purchase_months.customer_id = first_months.customer_id
    group by purchase_months.kpi_month
),

final as (
    select
        kpi_month,
        cast(n_purchasing_customers as {{ dbt.type_bigint() }}) as n_purchasing_customers,
        cast(n_repeat_customers as {{ dbt.type_bigint() }}) as n_repeat_customers,
        cast(
            n_repeat_customers * 1.0 / nullif(n_purchasing_customers, 0) as {{ type_double() }}
        ) as repeat_purchase_rate
    from monthly
)

select * from final

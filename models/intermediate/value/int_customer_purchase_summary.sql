{#-
    One row per customer with at least one purchase: what they have spent (net
    of refunds and returns) and the RFM summary the CLV models are fitted on.
    Time is counted in whole days up to the end of observation (as_of_date):
    var('clv_as_of_date') when set, else the last day any touchpoint was seen.
    Several purchases on one day are one purchase day (the models' unit).
-#}

{#- A table, not a view (the folder's default): three models and three tests read
    it, and as a view each reading aggregated every purchase again. -#}
{{ config(materialized='table') }}

with

touchpoints as (
    select * from {{ ref('touchpoints') }}
),

observation_end as (
    {%- if var('clv_as_of_date', none) %}
    select cast('{{ var("clv_as_of_date") }}' as date) as as_of_date
    {%- else %}
    select max(touchpoints.touchpoint_date) as as_of_date
    from touchpoints
    {%- endif %}
),

transactions as (
    select
        touchpoints.customer_id,
        touchpoints.touchpoint_type,
        touchpoints.occurred_at,
        touchpoints.touchpoint_date,
        coalesce(touchpoints.revenue_eur, 0) as revenue_eur
    from touchpoints
    cross join observation_end
    where touchpoints.touchpoint_type in ('purchase', 'return')
        and touchpoints.touchpoint_date <= observation_end.as_of_date
),

purchase_days as (
    select
        transactions.customer_id,
        min(transactions.occurred_at) as first_purchase_at,
        max(transactions.occurred_at) as last_purchase_at,
        min(transactions.touchpoint_date) as first_purchase_date,
        max(transactions.touchpoint_date) as last_purchase_date,
        count(*) as purchases,
        count(distinct transactions.touchpoint_date) as purchase_days
    from transactions
    where transactions.touchpoint_type = 'purchase'
    group by transactions.customer_id
),

customer_revenue as (
    select
        transactions.customer_id,
        sum(transactions.revenue_eur) as historical_clv_eur,
        sum(
            case
                when transactions.touchpoint_date > purchase_days.first_purchase_date
                    then transactions.revenue_eur
                else 0
            end
        ) as repeat_revenue_eur
    from transactions
    inner join purchase_days
        on transactions.customer_id = purchase_days.customer_id
    group by transactions.customer_id
),

final as (
    select
        purchase_days.customer_id,
        purchase_days.first_purchase_at,
        purchase_days.last_purchase_at,
        cast(purchase_days.purchases as {{ dbt.type_bigint() }}) as purchases,
        cast(purchase_days.purchase_days as {{ dbt.type_bigint() }}) as purchase_days,
        cast(purchase_days.purchase_days - 1 as {{ dbt.type_bigint() }}) as repeat_purchase_days,
        cast(
            {{ dbt.datediff(
                'purchase_days.first_purchase_date', 'purchase_days.last_purchase_date', 'day'
            ) }} as {{ dbt.type_int() }}
        ) as recency_days,
        cast(
            {{ dbt.datediff(
                'purchase_days.first_purchase_date', 'observation_end.as_of_date', 'day'
            ) }} as {{ dbt.type_int() }}
        ) as age_days,
        cast(
            {{ dbt.datediff(
                'purchase_days.last_purchase_date', 'observation_end.as_of_date', 'day'
            ) }} as {{ dbt.type_int() }}
        ) as days_since_last_purchase,
        cast(customer_revenue.historical_clv_eur as {{ type_double() }}) as historical_clv_eur,
        cast(customer_revenue.repeat_revenue_eur as {{ type_double() }}) as repeat_revenue_eur,
        cast(
            customer_revenue.repeat_revenue_eur / nullif(purchase_days.purchase_days - 1, 0)
            as {{ type_double() }}
        ) as avg_repeat_purchase_value_eur,
        observation_end.as_of_date
    from purchase_days
    inner join customer_revenue
        on purchase_days.customer_id = customer_revenue.customer_id
    cross join observation_end
)

select * from final

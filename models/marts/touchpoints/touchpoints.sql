with

touchpoints as (
    select * from {{ ref('int_touchpoints_unioned') }}
),

record_customers as (
    select * from {{ ref('int_record_customers') }}
),

currency_rates as (
    select * from {{ ref('currency_rates') }}
),

joined as (
    select
        touchpoints.touchpoint_id,
        record_customers.customer_id,
        touchpoints.channel,
        touchpoints.touchpoint_type,
        touchpoints.occurred_at,
        cast(touchpoints.occurred_at as date) as touchpoint_date,
        touchpoints.device_type,
        touchpoints.source_detail,
        touchpoints.campaign,
        cast(touchpoints.revenue_amount as {{ dbt.type_numeric() }}) as revenue_amount,
        touchpoints.currency,
        cast(
            touchpoints.revenue_amount * currency_rates.rate_to_eur as {{ type_double() }}
        ) as revenue_eur,
        cast(touchpoints.score as {{ dbt.type_int() }}) as score
    from touchpoints
    inner join record_customers
        on touchpoints.record_id = record_customers.record_id
    left join currency_rates
        on touchpoints.currency = currency_rates.currency
)

select * from joined

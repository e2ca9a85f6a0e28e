{#-
    One row per RFM segment present in customer_value: how many customers,
    how many of them at risk, and their average historical and predicted value.
-#}

with

customer_value as (
    select * from {{ ref('customer_value') }}
),

segments as (
    select
        customer_value.rfm_segment,
        count(*) as customers,
        sum(case when customer_value.is_at_risk then 1 else 0 end) as at_risk_customers,
        sum(customer_value.historical_clv_eur) as total_historical_clv_eur,
        avg(customer_value.historical_clv_eur) as avg_historical_clv_eur,
        avg(customer_value.predicted_clv_365d_eur) as avg_predicted_clv_365d_eur
    from customer_value
    group by customer_value.rfm_segment
),

final as (
    select
        segments.rfm_segment,
        cast(
            case segments.rfm_segment
                when 'Champions' then 1
                when 'Loyal' then 2
                when 'Potential loyalists' then 3
                when 'New customers' then 4
                when 'At risk' then 5
                when 'Hibernating' then 6
                when 'Lost' then 7
            end as {{ dbt.type_int() }}
        ) as segment_order,
        cast(segments.customers as {{ dbt.type_bigint() }}) as customers,
        cast(segments.at_risk_customers as {{ dbt.type_bigint() }}) as at_risk_customers,
        cast(segments.total_historical_clv_eur as {{ type_double() }}) as total_historical_clv_eur,
        cast(segments.avg_historical_clv_eur as {{ type_double() }}) as avg_historical_clv_eur,
        cast(segments.avg_predicted_clv_365d_eur as {{ type_double() }})
            as avg_predicted_clv_365d_eur
    from segments
)

select * from final

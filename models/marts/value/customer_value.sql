{#-
    Customer value, one row per customer who has bought: historical CLV (net
    revenue to date), the BG/NBD + Gamma-Gamma prediction for the next 365
    days, RFM quintile scores and segment, and the at-risk flag.
-#}

with

purchase_summary as (
    select * from {{ ref('int_customer_purchase_summary') }}
),

clv_predictions as (
    select * from {{ ref('int_customer_clv_predicted') }}
),

-- Percentile rank in [0, 1] of each dimension; ties share a rank, so equal
-- customers get equal scores. Recency: longest ago ranks lowest.
rfm_ranks as (
    select
        purchase_summary.customer_id,
        percent_rank() over (
            order by purchase_summary.days_since_last_purchase desc
        ) as recency_rank,
        percent_rank() over (order by purchase_summary.purchases) as frequency_rank,
        percent_rank() over (order by purchase_summary.historical_clv_eur) as monetary_rank
    from purchase_summary
),

rfm_scores as (
    select
        rfm_ranks.customer_id,
        cast(least(5, 1 + floor(5 * rfm_ranks.recency_rank)) as {{ dbt.type_int() }})
            as recency_score,
        cast(least(5, 1 + floor(5 * rfm_ranks.frequency_rank)) as {{ dbt.type_int() }})
            as frequency_score,
        cast(least(5, 1 + floor(5 * rfm_ranks.monetary_rank)) as {{ dbt.type_int() }})
            as monetary_score
    from rfm_ranks
),

-- Segments on the recency x frequency grid, first match wins (see the YAML).
rfm_segments as (
    select
        rfm_scores.customer_id,
        rfm_scores.recency_score,
        rfm_scores.frequency_score,
        rfm_scores.monetary_score,
        case
            when rfm_scores.recency_score >= 4 and rfm_scores.frequency_score >= 4
                then 'Champions'
            when rfm_scores.recency_score >= 3 and rfm_scores.frequency_score >= 3
                then 'Loyal'
            when rfm_scores.recency_score >= 4 and rfm_scores.frequency_score = 1
                then 'New customers'
            when rfm_scores.recency_score >= 3
                then 'Potential loyalists'
            when rfm_scores.frequency_score >= 3
                then 'At risk'
            when rfm_scores.recency_score = 2
                then 'Hibernating'
            else 'Lost'
        end as rfm_segment
    from rfm_scores
),

joined as (
    select
        purchase_summary.customer_id,
        purchase_summary.first_purchase_at,
        purchase_summary.last_purchase_at,
        purchase_summary.purchases,
        purchase_summary.purchase_days,
        purchase_summary.days_since_last_purchase,
        purchase_summary.historical_clv_eur,
        cast(clv_predictions.predicted_purchases as {{ type_double() }})
            as predicted_purchases_365d,
        cast(clv_predictions.predicted_avg_order_value_eur as {{ type_double() }})
            as predicted_avg_order_value_eur,
        cast(clv_predictions.predicted_clv_eur as {{ type_double() }})
            as predicted_clv_365d_eur,
        cast(clv_predictions.probability_alive as {{ type_double() }}) as probability_alive,
        rfm_segments.rfm_segment,
        rfm_segments.recency_score,
        rfm_segments.frequency_score,
        rfm_segments.monetary_score,
        (
            rfm_segments.rfm_segment = 'At risk'
            or coalesce(
                purchase_summary.purchase_days >= 2
                and clv_predictions.probability_alive
                < {{ var('clv_at_risk_probability_alive', 0.5) }},
                false
            )
        ) as is_at_risk,
        purchase_summary.as_of_date
    from purchase_summary
    inner join rfm_segments
        on purchase_summary.customer_id = rfm_segments.customer_id
    left join clv_predictions
        on purchase_summary.customer_id = clv_predictions.customer_id
)

select * from joined

{#-
    Lead score after each scored moment of a customer. A touchpoint whose
    signal_type has a weight in the seed lifecycle_lead_score_weights adds
    its weight; the score halves every var('lead_score_half_life_days') days:
    score(t) = sum of weight_i * 2^(-(t - t_i) / half_life). Computed with a
    running sum of weight_i * 2^(t_i / half_life), t_i in days since the
    customer's first scored touchpoint (no per-pair work).
-#}

{#- A table, not a view (the folder's default): lead_scores and
    lead_grade_history both read it, so the running sums are computed once. -#}
{{ config(materialized='table') }}

{%- set half_life = var('lead_score_half_life_days', 7) | float -%}

with

signals as (
    select * from {{ ref('int_lifecycle_signals') }}
),

weights as (
    select * from {{ ref('lifecycle_lead_score_weights') }}
),

scored_moments as (
    select
        signals.customer_id,
        signals.occurred_at as scored_at,
        sum(weights.weight) as points,
        count(*) as scored_touchpoints
    from signals
    inner join weights on signals.signal_type = weights.signal_type
    group by signals.customer_id, signals.occurred_at
),

relative as (
    select
        scored_moments.*,
        {{ dbt.datediff(
            'min(scored_at) over (partition by customer_id)', 'scored_at', 'second'
        ) }} / 86400.0 as days_since_first
    from scored_moments
),

accumulated as (
    select
        relative.*,
        sum(points * power(2, days_since_first / {{ half_life }})) over (
            partition by customer_id
            order by scored_at
            rows between unbounded preceding and current row
        ) as discounted_sum,
        lead(scored_at) over (partition by customer_id order by scored_at) as next_scored_at
    from relative
),

final as (
    select
        customer_id,
        scored_at,
        next_scored_at,
        cast(points as {{ type_double() }}) as points,
        cast(
            discounted_sum * power(2, -days_since_first / {{ half_life }}) as {{ type_double() }}
        ) as lead_score
    from accumulated
)

select * from final

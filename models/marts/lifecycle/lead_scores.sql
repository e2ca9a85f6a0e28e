{#-
    Current lead score and grade of every customer, as of the end of the
    last day with touchpoints (scored_at): the score after the customer's
    latest scored touchpoint, decayed to then. Customers without a scored
    touchpoint score 0 (Cold).
-#}

{%- set half_life = var('lead_score_half_life_days', 7) | float -%}
{%- set hot = var('lead_grade_hot_threshold', 20) | float -%}
{%- set warm = var('lead_grade_warm_threshold', 5) | float -%}

with

customers as (
    select * from {{ ref('customers') }}
),

score_events as (
    select * from {{ ref('int_lead_score_events') }}
),

signals as (
    select * from {{ ref('int_lifecycle_signals') }}
),

as_of as (
    {{ lifecycle_as_of('signals') }}
),

latest as (
    select
        score_events.customer_id,
        score_events.scored_at as last_scored_at,
        score_events.lead_score
            * power(
                2,
                -{{ dbt.datediff('score_events.scored_at', 'as_of.as_of_at', 'second') }}
                / 86400.0 / {{ half_life }}
            ) as lead_score
    from score_events
    cross join as_of
    where score_events.next_scored_at is null
),

final as (
    select
        customers.customer_id,
        cast(coalesce(latest.lead_score, 0) as {{ type_double() }}) as lead_score,
        case
            when latest.lead_score >= {{ hot }} then 'Hot'
            when latest.lead_score >= {{ warm }} then 'Warm'
            else 'Cold'
        end as lead_grade,
        as_of.as_of_at as scored_at,
        latest.last_scored_at as last_scored_touchpoint_at
    from customers
    cross join as_of
    left join latest
        on customers.customer_id = latest.customer_id
)

select * from final

{#-
    Lead grade spells: one row per customer per spell of one grade. The grade
    is Hot at or above var('lead_grade_hot_threshold'), Warm at or above
    var('lead_grade_warm_threshold'), Cold below. A scored touchpoint can move
    the grade up; between touchpoints the score decays, crossing a threshold
    at t + half_life * log2(score / threshold) (to the nearest second), which
    moves it down. History
    as spells, never one row per customer per day.

    Incremental (delete+insert by customer): a run recomputes the customers
    whose score events were written since its last run
    (int_lead_score_events.updated_at) and those whose grade cools by time
    alone before the new as-of moment (next_change_at: the latest score
    crossing a threshold); customers without score events any more are
    deleted. A full refresh gives the same rows.
-#}

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='customer_id',
    on_schema_change='fail',
    post_hook=[
        "{{ delete_rows_where(this, 'deleted.customer_id not in"
        " (select distinct customer_id from ' ~ ref('int_lead_score_events') ~ ')') }}"
    ],
) }}
{{ require_incremental_column('next_change_at', 'int_lead_score_events+') }}

{%- set half_life = var('lead_score_half_life_days', 7) | float -%}
{%- set hot = var('lead_grade_hot_threshold', 20) | float -%}
{%- set warm = var('lead_grade_warm_threshold', 5) | float -%}

with

all_score_events as (
    select * from {{ ref('int_lead_score_events') }}
),

signals as (
    select * from {{ ref('int_lifecycle_signals') }}
),

as_of as (
    {{ lifecycle_as_of('signals') }}
),

{% if is_incremental() %}
changed_customers as (
    select all_score_events.customer_id
    from all_score_events
    where all_score_events.updated_at > (select max(updated_at) from {{ this }})

    union

    select previous.customer_id
    from {{ this }} as previous
    cross join as_of
    where previous.next_change_at < as_of.as_of_at
),

score_events as (
    select all_score_events.*
    from all_score_events
    where all_score_events.customer_id in (select customer_id from changed_customers)
),
{% else %}
score_events as (
    select * from all_score_events
),
{% endif %}

horizons as (
    select
        score_events.*,
        coalesce(score_events.next_scored_at, as_of.as_of_at) as horizon_at
    from score_events
    cross join as_of
),

crossings as (
    select
        horizons.*,
        case when lead_score >= {{ hot }} then
            {{ dbt.dateadd('second', "cast(floor(" ~ half_life * 86400 ~ " * ln(lead_score / " ~ hot ~ ") / ln(2) + 0.5) as " ~ dbt.type_bigint() ~ ")", 'scored_at') }}
        end as cooled_to_warm_at,
        case when lead_score >= {{ warm }} then
            {{ dbt.dateadd('second', "cast(floor(" ~ half_life * 86400 ~ " * ln(lead_score / " ~ warm ~ ") / ln(2) + 0.5) as " ~ dbt.type_bigint() ~ ")", 'scored_at') }}
        end as cooled_to_cold_at
    from horizons
),

-- A score just above a threshold crosses it within the same second (the
-- crossing rounds to the touchpoint's own time): of the events at one instant,
-- the last (the grade the score has decayed to) holds. Such events are all of
-- one scored moment (its crossings lie in [scored_at, horizon_at), and the
-- moments of a customer are distinct), so each event is dropped here when a
-- later one of its own row falls in the same second: no window over the events.
grade_events as (
    select
        customer_id,
        scored_at as changed_at,
        0 as event_order,
        case
            when lead_score >= {{ hot }} then 'Hot'
            when lead_score >= {{ warm }} then 'Warm'
            else 'Cold'
        end as lead_grade,
        lead_score
    from crossings
    where not coalesce(
            cooled_to_warm_at = scored_at and cooled_to_warm_at < horizon_at, false
        )
        and not coalesce(
            cooled_to_cold_at = scored_at and cooled_to_cold_at < horizon_at, false
        )

    union all

    select customer_id, cooled_to_warm_at, 1, 'Warm', cast({{ hot }} as {{ type_double() }})
    from crossings
    where cooled_to_warm_at < horizon_at
        and not coalesce(
            cooled_to_cold_at = cooled_to_warm_at and cooled_to_cold_at < horizon_at, false
        )

    union all

    select customer_id, cooled_to_cold_at, 2, 'Cold', cast({{ warm }} as {{ type_double() }})
    from crossings
    where cooled_to_cold_at < horizon_at
),

-- The earliest moment after as_of at which the grade cools with no new scored
-- touchpoint: the latest score crossing a threshold (an incremental run
-- recomputes the customer once as_of passes it).
next_change_candidates as (
    select customer_id, cooled_to_warm_at as change_at
    from crossings
    where next_scored_at is null and cooled_to_warm_at >= horizon_at

    union all

    select customer_id, cooled_to_cold_at
    from crossings
    where next_scored_at is null and cooled_to_cold_at >= horizon_at
),

next_changes as (
    select customer_id, min(change_at) as next_change_at
    from next_change_candidates
    group by customer_id
),

sequenced as (
    select
        grade_events.*,
        lag(lead_grade) over (
            partition by customer_id order by changed_at, event_order
        ) as previous_grade
    from grade_events
),

changes as (
    select *
    from sequenced
    where previous_grade is null or previous_grade <> lead_grade
),

final as (
    select
        customer_id,
        lead_grade,
        changed_at as valid_from,
        lead(changed_at) over (
            partition by customer_id order by changed_at, event_order
        ) as valid_to,
        cast(lead_score as {{ type_double() }}) as lead_score_at_valid_from
    from changes
)

select
    final.customer_id,
    final.lead_grade,
    final.valid_from,
    final.valid_to,
    final.valid_to is null as is_current,
    final.lead_score_at_valid_from,
    next_changes.next_change_at,
    {{ run_started_at_timestamp() }} as updated_at
from final
left join next_changes on final.customer_id = next_changes.customer_id

{#-
    Lead score after each scored moment of a customer. A touchpoint whose
    signal_type has a weight in the seed lifecycle_lead_score_weights adds
    its weight; the score halves every var('lead_score_half_life_days') days:
    score(t) = sum of weight_i * 2^(-(t - t_i) / half_life). Computed with a
    running sum of weight_i * 2^(t_i / half_life), t_i in days since the
    customer's first scored touchpoint (no per-pair work).
-#}

{#- Incremental (delete+insert by customer), not a view (the folder's default):
    lead_scores and lead_grade_history both read it, and a daily run recomputes
    only the customers whose scored touchpoints were written since its last run
    or changed in number or latest time (touchpoints gone from the sources,
    customers split); customers left without a scored touchpoint (merged away)
    are deleted. The scores depend on nothing else that moves with time. After
    changing the weights seed or var('lead_score_half_life_days'), rebuild it
    with --full-refresh. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='customer_id',
    on_schema_change='fail',
    post_hook=[
        "{{ delete_rows_where(this, 'deleted.customer_id not in (select distinct signals.customer_id"
        " from ' ~ ref('int_lifecycle_signals') ~ ' as signals inner join '
        ~ ref('lifecycle_lead_score_weights') ~ ' as weights"
        " on signals.signal_type = weights.signal_type)') }}"
    ],
) }}

{{ require_incremental_column('updated_at', 'int_lead_score_events+') }}
{%- set half_life = var('lead_score_half_life_days', 7) | float -%}

{#- The scored signals are a subquery written where they are read, not a CTE:
    an incremental run reads them three times, and DuckDB materialises a CTE
    read more than once (at 1M persons 40M rows). -#}
{%- set scored_signals -%}
    (
        select
            signals.customer_id,
            signals.occurred_at,
            signals.updated_at,
            weights.weight
        from {{ ref('int_lifecycle_signals') }} as signals
        inner join {{ ref('lifecycle_lead_score_weights') }} as weights
            on signals.signal_type = weights.signal_type
    )
{%- endset %}

with

{% if is_incremental() %}
customer_activity as (
    select
        customer_id,
        count(*) as scored_touchpoints,
        max(occurred_at) as last_scored_at
    from {{ scored_signals }} as scored_signals
    group by customer_id
),

previous as (
    select
        customer_id,
        sum(scored_touchpoints) as scored_touchpoints,
        max(scored_at) as last_scored_at
    from {{ this }}
    group by customer_id
),

previous_build as (
    select max(updated_at) as updated_at from {{ this }}
),

changed_customers as (
    select customer_activity.customer_id
    from customer_activity
    left join previous
        on customer_activity.customer_id = previous.customer_id
    where previous.customer_id is null
        or previous.scored_touchpoints <> customer_activity.scored_touchpoints
        or previous.last_scored_at <> customer_activity.last_scored_at

    union

    select scored_signals.customer_id
    from {{ scored_signals }} as scored_signals
    cross join previous_build
    where scored_signals.updated_at > previous_build.updated_at
),

scored_input as (
    select scored_signals.*
    from {{ scored_signals }} as scored_signals
    where scored_signals.customer_id in (select customer_id from changed_customers)
),
{% else %}
scored_input as (
    select * from {{ scored_signals }} as scored_signals
),
{% endif %}

scored_moments as (
    select
        customer_id,
        occurred_at as scored_at,
        sum(weight) as points,
        count(*) as scored_touchpoints
    from scored_input
    group by customer_id, occurred_at
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
        ) as lead_score,
        cast(scored_touchpoints as {{ dbt.type_bigint() }}) as scored_touchpoints,
        {{ run_started_at_timestamp() }} as updated_at
    from accumulated
)

select * from final

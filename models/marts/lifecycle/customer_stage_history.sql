{#-
    One row per customer per stage spell: the stage from valid_from until
    valid_to. Incremental (delete+insert by customer): a run recomputes the
    whole history of the customers whose signals changed since the history was
    last written (touchpoints updated after it, so late-arriving events
    anywhere in the past count, or a different count or latest time:
    touchpoints gone from the sources, customers split), whose stage changes
    with time alone before the new as-of moment (next_change_at: turning at
    risk or churned), or who have a paid subscription (renewals); customers
    who no longer exist (merged by the identity graph) are deleted (against
    the distinct customers of the signals: a NOT IN over every signal hashed
    each one, 49M at 1M persons). A full refresh gives the same rows.
-#}

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='customer_id',
    on_schema_change='fail',
    post_hook=[
        "{{ delete_rows_where(this, 'deleted.customer_id not in"
        " (select distinct customer_id from ' ~ ref('int_lifecycle_signals') ~ ')') }}"
    ],
) }}

{{ require_incremental_column('next_change_at', 'customer_stage_history+') }}

{#- The signals relation is read where it is needed, not through a CTE: DuckDB
    materialises a CTE read more than once (at 1M persons 49M signals, spilled),
    while each read of the relation takes only its columns and rows. -#}
{%- set all_signals = ref('int_lifecycle_signals') %}

with

as_of as (
    {{ lifecycle_as_of(all_signals) }}
),

customer_activity as (
    select
        customer_id,
        count(*) as customer_touchpoints,
        max(occurred_at) as last_touchpoint_at
    from {{ all_signals }}
    group by customer_id
),

{% if is_incremental() %}
previous as (
    select
        customer_id,
        max(customer_touchpoints) as customer_touchpoints,
        max(last_touchpoint_at) as last_touchpoint_at,
        max(next_change_at) as next_change_at
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
    cross join as_of
    where previous.customer_id is null
        or previous.customer_touchpoints <> customer_activity.customer_touchpoints
        or previous.last_touchpoint_at <> customer_activity.last_touchpoint_at
        or previous.next_change_at < as_of.as_of_at

    union

    select all_signals.customer_id
    from {{ all_signals }} as all_signals
    cross join previous_build
    where all_signals.updated_at > previous_build.updated_at
        or all_signals.signal_type = 'subscription_started'
),
{% endif %}

{#- The engine's input: every signal, or those of the changed customers. -#}
{%- set signals = all_signals %}
{%- if is_incremental() %}
{%- set signals -%}
    (
        select all_signals.*
        from {{ all_signals }} as all_signals
        where all_signals.customer_id in (select customer_id from changed_customers)
    )
{%- endset %}
{%- endif %}

stage_events as (
    {{ lifecycle_stage_events(signals, 'as_of', with_next_change=true) }}
),

ordered as (
    select
        customer_id,
        stage,
        stage_order,
        stage_group,
        entered_at as valid_from,
        lead(entered_at) over (
            partition by customer_id order by entered_at, stage_order
        ) as valid_to,
        moved_by_touchpoint_id,
        reason,
        next_change_at,
        row_number() over (
            partition by customer_id order by entered_at, stage_order
        ) as spell_number
    from stage_events
),

final as (
    select
        {{ dbt.hash(dbt.concat(["ordered.customer_id", "'|'", dbt.cast("ordered.spell_number", api.Column.translate_type("string"))])) }}
            as stage_spell_id,
        ordered.customer_id,
        cast(ordered.spell_number as {{ dbt.type_int() }}) as spell_number,
        ordered.stage,
        cast(ordered.stage_order as {{ dbt.type_int() }}) as stage_order,
        ordered.stage_group,
        ordered.valid_from,
        ordered.valid_to,
        ordered.valid_to is null as is_current,
        ordered.moved_by_touchpoint_id,
        ordered.reason as moved_by_reason,
        cast(customer_activity.customer_touchpoints as {{ dbt.type_bigint() }})
            as customer_touchpoints,
        customer_activity.last_touchpoint_at,
        ordered.next_change_at,
        {{ run_started_at_timestamp() }} as updated_at
    from ordered
    inner join customer_activity
        on ordered.customer_id = customer_activity.customer_id
)

select * from final

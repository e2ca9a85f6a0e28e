{#- One row per customer per stage spell: the stage from valid_from until valid_to. -#}

with

stage_events as (
    select * from {{ ref('int_customer_stage_events') }}
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
        row_number() over (
            partition by customer_id order by entered_at, stage_order
        ) as spell_number
    from stage_events
),

final as (
    select
        {{ dbt.hash(dbt.concat(["customer_id", "'|'", dbt.cast("spell_number", api.Column.translate_type("string"))])) }}
            as stage_spell_id,
        customer_id,
        cast(spell_number as {{ dbt.type_int() }}) as spell_number,
        stage,
        cast(stage_order as {{ dbt.type_int() }}) as stage_order,
        stage_group,
        valid_from,
        valid_to,
        valid_to is null as is_current,
        moved_by_touchpoint_id
    from ordered
)

select * from final

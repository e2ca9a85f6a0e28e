{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['merged_customer_id', 'surviving_customer_id'],
    on_schema_change='append_new_columns',
) }}
{#-
    Customer keys retired by a merge: when two customers turn out to be one
    person, the younger key is retired in favour of the oldest one (see
    int_customer_key_history). One row per retired key and the key it merged
    into, recorded in the run that found the merge; kept for good.
-#}

with

key_history as (
    select * from {{ ref('int_customer_key_history') }}
),

components as (
    select * from {{ ref('int_identity_components') }}
),

-- The nodes in the graph now (the key history keeps gone nodes' last rows).
current_keys as (
    select key_history.*
    from key_history
    inner join components on key_history.node_key = components.node_key
),

retired as (
    select
        current_keys.previous_customer_id as merged_customer_id,
        current_keys.customer_id as surviving_customer_id,
        min(current_keys.changed_at) as merged_at,
        count(*) as n_identifiers_moved
    from current_keys
    where current_keys.previous_customer_id <> current_keys.customer_id
        and current_keys.previous_customer_id not in (select customer_id from current_keys)
    group by current_keys.previous_customer_id, current_keys.customer_id
),

final as (
    select
        retired.merged_customer_id,
        retired.surviving_customer_id,
        retired.merged_at,
        cast(retired.n_identifiers_moved as {{ dbt.type_int() }}) as n_identifiers_moved
    from retired
    {% if is_incremental() -%}
    left join {{ this }} as recorded
        on retired.merged_customer_id = recorded.merged_customer_id
        and retired.surviving_customer_id = recorded.surviving_customer_id
    where recorded.merged_customer_id is null
    {%- endif %}
)

select * from final

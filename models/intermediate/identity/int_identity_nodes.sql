{#-
    Every identifier node of the identity graph, one row per node key: its
    type and value, when and how often it was seen, and whether a blocklist
    keeps it out. Built once from int_identifier_observations (one row per
    record and identifier), so the stitching models that need one row per
    node (components, key history, customer identifiers, shared identifiers)
    read this table instead of grouping the observations again.

    Grouped by the integer node key (macro identity_key) with the type and the
    value, of which the key is a function: a hash collision between two node
    ids gives two rows with one key, which the key's unique test catches.
-#}

with

observations as (
    select * from {{ ref('int_identifier_observations') }}
),

final as (
    select
        node_key,
        {{ dbt.concat(["identifier_type", "':'", "identifier_value"]) }} as node_id,
        identifier_type,
        identifier_value,
        min(first_observed_at) as first_observed_at,
        max(last_observed_at) as last_observed_at,
        cast(sum(n_observations) as {{ dbt.type_bigint() }}) as n_observations,
        {{ dbt.bool_or('is_blocked') }} as is_blocked,
        min(blocked_reason) as blocked_reason
    from observations
    group by node_key, identifier_type, identifier_value
)

select * from final

{#-
    Every identifier with the customer it resolves to. The customer key comes
    from int_customer_key_history: it stays the same from one run to the next
    unless the component merges (the oldest key survives) or splits.
    is_linkable is false for identifiers in int_shared_identifiers.
-#}

with

observations as (
    select * from {{ ref('int_identifier_observations') }}
),

key_history as (
    select * from {{ ref('int_customer_key_history') }}
),

shared_identifiers as (
    select * from {{ ref('int_shared_identifiers') }}
),

-- Grouped on the integer node key (macro identity_key); a key is one node,
-- so grouping by its type and value as well changes nothing (and costs less
-- than a min() of each string).
identifiers as (
    select
        node_key,
        identifier_type,
        identifier_value,
        min(first_observed_at) as first_observed_at,
        max(last_observed_at) as last_observed_at,
        cast(sum(n_observations) as {{ dbt.type_bigint() }}) as n_observations
    from observations
    group by node_key, identifier_type, identifier_value
),

final as (
    select
        key_history.node_id,
        identifiers.node_key,
        identifiers.identifier_type,
        identifiers.identifier_value,
        key_history.customer_id,
        identifiers.identifier_type in (
            'email', 'phone', 'user_id', 'loyalty_card_id', 'lead_id', 'shop_customer_id'
        ) as is_known_identifier,
        shared_identifiers.node_id is null as is_linkable,
        identifiers.first_observed_at,
        identifiers.last_observed_at,
        identifiers.n_observations
    from identifiers
    inner join key_history on identifiers.node_key = key_history.node_key
    left join shared_identifiers on identifiers.node_key = shared_identifiers.node_key
)

select * from final

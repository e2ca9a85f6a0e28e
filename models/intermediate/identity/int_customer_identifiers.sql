{#-
    Every identifier with the customer it resolves to. The customer key comes
    from int_customer_key_history: it stays the same from one run to the next
    unless the component merges (the oldest key survives) or splits.
    is_linkable is false for identifiers in int_shared_identifiers.
-#}

with

identity_nodes as (
    select * from {{ ref('int_identity_nodes') }}
),

key_history as (
    select * from {{ ref('int_customer_key_history') }}
),

shared_identifiers as (
    select * from {{ ref('int_shared_identifiers') }}
),

final as (
    select
        identity_nodes.node_id,
        identity_nodes.node_key,
        identity_nodes.identifier_type,
        identity_nodes.identifier_value,
        key_history.customer_id,
        identity_nodes.identifier_type in (
            'email', 'phone', 'user_id', 'loyalty_card_id', 'lead_id', 'shop_customer_id'
        ) as is_known_identifier,
        shared_identifiers.node_id is null as is_linkable,
        identity_nodes.first_observed_at,
        identity_nodes.last_observed_at,
        identity_nodes.n_observations
    from identity_nodes
    inner join key_history on identity_nodes.node_key = key_history.node_key
    left join shared_identifiers on identity_nodes.node_key = shared_identifiers.node_key
)

select * from final

{#-
    Every identifier with the customer it resolves to. The customer key is a
    hash of the component id (its smallest identifier), so it stays the same
    from one run to the next unless the component merges or splits.
-#}

with

observations as (
    select * from {{ ref('int_identifier_observations') }}
),

components as (
    select * from {{ ref('int_identity_components') }}
),

identifiers as (
    select
        node_id,
        identifier_type,
        identifier_value,
        min(observed_at) as first_observed_at,
        max(observed_at) as last_observed_at,
        count(*) as n_observations
    from observations
    group by node_id, identifier_type, identifier_value
),

final as (
    select
        identifiers.node_id,
        identifiers.identifier_type,
        identifiers.identifier_value,
        {{ dbt.hash('components.component_id') }} as customer_id,
        identifiers.identifier_type in (
            'email', 'phone', 'user_id', 'loyalty_card_id', 'lead_id', 'shop_customer_id'
        ) as is_known_identifier,
        identifiers.first_observed_at,
        identifiers.last_observed_at,
        identifiers.n_observations
    from identifiers
    inner join components on identifiers.node_id = components.node_id
)

select * from final

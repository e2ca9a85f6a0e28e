{{ config(
    severity='warn',
    meta={"dagster": {"ref": {"name": "int_identity_components"}}},
) }}
-- Alarm (warning): an identity component larger than
-- var('identity_max_component_size') identifiers is probably several persons
-- joined by a shared identifier no guard caught; look at its nodes and add a
-- rule to seeds/identity_link_rules.csv or the blocklist.
with

components as (
    select * from {{ ref('int_identity_components') }}
),

identity_nodes as (
    select * from {{ ref('int_identity_nodes') }}
),

sizes as (
    select component_key, count(*) as n_nodes
    from components
    group by component_key
)

-- The component's smallest key names one of its nodes, to look it up by.
select sizes.component_key, identity_nodes.node_id as a_node_id, sizes.n_nodes
from sizes
inner join identity_nodes on sizes.component_key = identity_nodes.node_key
where sizes.n_nodes > {{ var('identity_max_component_size', 50) }}

{{ config(meta={"dagster": {"ref": {"name": "int_identity_components"}}}) }}
-- Connected components are complete: no identity edge joins two different components.
with

edges as (
    select * from {{ ref('int_identity_edges') }}
),

components as (
    select * from {{ ref('int_identity_components') }}
)

select
    edges.node_key_a,
    edges.node_key_b,
    a.component_key as component_a,
    b.component_key as component_b
from edges
inner join components as a on edges.node_key_a = a.node_key
inner join components as b on edges.node_key_b = b.node_key
where a.component_key <> b.component_key

{{ config(meta={"dagster": {"ref": {"name": "int_identity_components"}}}) }}
-- Connected components are complete: no identity edge joins two different components.
with

edges as (
    select * from {{ ref('int_identity_edges') }}
),

components as (
    select * from {{ ref('int_identity_components') }}
)

select edges.node_a, edges.node_b, a.component_id as component_a, b.component_id as component_b
from edges
inner join components as a on edges.node_a = a.node_id
inner join components as b on edges.node_b = b.node_id
where a.component_id <> b.component_id

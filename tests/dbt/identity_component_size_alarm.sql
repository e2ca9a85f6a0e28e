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

sizes as (
    select component_id, count(*) as n_nodes
    from components
    group by component_id
)

select component_id, n_nodes
from sizes
where n_nodes > {{ var('identity_max_component_size', 50) }}

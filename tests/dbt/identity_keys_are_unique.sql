{{ config(meta={"dagster": {"ref": {"name": "int_identifier_observations"}}}) }}
-- The integer keys of the identity graph (macro identity_key, a 64-bit hash)
-- name one node and one record each. Two ids with one key would be joined as
-- one: a false link. About 3 chances in a million per build at 10M ids.
-- Nodes: int_identity_nodes groups by key, type and value, so its unique test
-- on node_key catches two node ids with one key. Records: here.
with

observations as (
    select * from {{ ref('int_identifier_observations') }}
),

record_keys as (
    select record_key, count(distinct record_id) as n_ids
    from observations
    group by record_key
    having count(distinct record_id) > 1
)

select 'record' as key_of, record_key as key_value, n_ids from record_keys

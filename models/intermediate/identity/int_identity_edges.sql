{#-
    Edges of the identity graph: within one record, every identifier is linked
    to the record's anchor (its smallest node id); a star per record connects
    the same identifiers as all pairs would, with fewer edges. A record with
    one identifier gives a self-edge, so every identifier is a node.
    Identifiers on the blocklist seed (shared or placeholder values) never link:
    each stays a component of its own.
-#}

with

observations as (
    select * from {{ ref('int_identifier_observations') }}
),

linkable as (
    select * from observations where not is_blocked
),

anchors as (
    select
        record_id,
        min(node_id) as anchor_node_id,
        min(observed_at) as observed_at
    from linkable
    group by record_id
),

record_edges as (
    select
        linkable.node_id as node_a,
        anchors.anchor_node_id as node_b
    from linkable
    inner join anchors on linkable.record_id = anchors.record_id
),

-- A blocked identifier stays a node of its own: it links nobody.
blocked_nodes as (
    select
        node_id as node_a,
        node_id as node_b
    from observations
    where is_blocked
),

edges as (
    select node_a, node_b from record_edges
    union
    select node_a, node_b from blocked_nodes
)

select * from edges

{#-
    Edges of the identity graph: within one record, every identifier is linked
    to the record's anchor (its smallest node id); a star per record connects
    the same identifiers as all pairs would, with fewer edges. A record with
    one identifier gives a self-edge, so every identifier is a node.
    Identifiers in int_shared_identifiers (blocklisted, placeholder patterns,
    shared by rule) never link: each stays a component of its own.
    With var('identity_probabilistic_matching') on, the Splink matches of
    int_identity_probabilistic_edges are added with edge_source =
    'probabilistic' and their match probability; exact edges have
    edge_source = 'deterministic' and no probability.
-#}

with

observations as (
    select * from {{ ref('int_identifier_observations') }}
),

shared_identifiers as (
    select * from {{ ref('int_shared_identifiers') }}
),

probabilistic_edges as (
    select * from {{ ref('int_identity_probabilistic_edges') }}
),

linkable as (
    select observations.*
    from observations
    left join shared_identifiers
        on observations.node_id = shared_identifiers.node_id
    where shared_identifiers.node_id is null
),

anchors as (
    select
        record_id,
        min(node_id) as anchor_node_id
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

-- A shared identifier stays a node of its own: it links nobody.
shared_nodes as (
    select
        node_id as node_a,
        node_id as node_b
    from shared_identifiers
),

deterministic_edges as (
    select node_a, node_b from record_edges
    union
    select node_a, node_b from shared_nodes
),

edges as (
    select
        node_a,
        node_b,
        'deterministic' as edge_source,
        cast(null as {{ type_double() }}) as match_probability
    from deterministic_edges
    union all
    select
        node_a,
        node_b,
        'probabilistic' as edge_source,
        cast(match_probability as {{ type_double() }}) as match_probability
    from probabilistic_edges
)

select * from edges

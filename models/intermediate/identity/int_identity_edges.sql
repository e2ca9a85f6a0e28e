{#-
    Edges of the identity graph, between integer node keys (macro
    identity_key; int_identity_nodes has each key's node id): within
    one record, every identifier is linked to the record's anchor (its
    smallest node key); a star per record connects the same identifiers as all
    pairs would, with fewer edges. A record with
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
    select record_key, node_key, n_record_identifiers
    from {{ ref('int_identifier_observations') }}
),

shared_identifiers as (
    select * from {{ ref('int_shared_identifiers') }}
),

probabilistic_edges as (
    select * from {{ ref('int_identity_probabilistic_edges') }}
),

linkable as (
    select
        observations.record_key,
        observations.node_key,
        observations.n_record_identifiers
    from observations
    left join shared_identifiers
        on observations.node_key = shared_identifiers.node_key
    where shared_identifiers.node_key is null
),

-- Only records with two identifiers or more need an anchor (about half the
-- observations at scale are records of one identifier: a self-edge each).
anchors as (
    select
        record_key,
        min(node_key) as anchor_node_key
    from linkable
    where n_record_identifiers > 1
    group by record_key
),

record_edges as (
    select
        linkable.node_key as node_key_a,
        anchors.anchor_node_key as node_key_b
    from linkable
    inner join anchors on linkable.record_key = anchors.record_key
    where linkable.n_record_identifiers > 1
    union all
    select
        node_key as node_key_a,
        node_key as node_key_b
    from linkable
    where n_record_identifiers = 1
),

-- A shared identifier stays a node of its own: it links nobody.
shared_nodes as (
    select
        node_key as node_key_a,
        node_key as node_key_b
    from shared_identifiers
),

deterministic_edges as (
    select node_key_a, node_key_b from record_edges
    union
    select node_key_a, node_key_b from shared_nodes
),

edges as (
    select
        node_key_a,
        node_key_b,
        'deterministic' as edge_source,
        cast(null as {{ type_double() }}) as match_probability
    from deterministic_edges
    union all
    select
        {{ identity_key('node_a') }} as node_key_a,
        {{ identity_key('node_b') }} as node_key_b,
        'probabilistic' as edge_source,
        cast(match_probability as {{ type_double() }}) as match_probability
    from probabilistic_edges
)

select * from edges

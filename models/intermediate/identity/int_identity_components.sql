{{ config(materialized='table') }}
{#-
    Connected components of the identity graph: every identifier node with its
    component (the smallest node id in it). One component is one person. The
    rounds run on the integer node keys of int_identity_edges.
-#}

{{ connected_components(
    "select node_key_a as node_a, node_key_b as node_b from " ~ ref('int_identity_edges'),
    "select distinct node_key, node_id from " ~ ref('int_identifier_observations')
) }}

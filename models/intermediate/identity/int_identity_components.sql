{{ config(materialized='table') }}
{#-
    Connected components of the identity graph: every identifier node with its
    component (the smallest node id in it). One component is one person.
-#}

{{ connected_components(
    "select node_a, node_b from " ~ ref('int_identity_edges')
) }}

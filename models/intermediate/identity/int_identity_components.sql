{{ config(materialized='table') }}
{#-
    Connected components of the identity graph: every identifier node key with
    its component key (the smallest node key in it). One component is one
    person. Keys only (macro connected_components): int_identity_nodes has
    each key's node id, int_customer_key_history each node's customer.
-#}

{{ connected_components(
    "select node_key_a as node_a, node_key_b as node_b from " ~ ref('int_identity_edges')
) }}

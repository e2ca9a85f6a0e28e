{#-
    Connected components of an undirected graph, in plain SQL, by iterative
    min-label propagation with pointer jumping (each round a node takes the
    smallest label among itself and its neighbours, then the label of that
    label), until no label changes. Pointer jumping makes long chains converge
    in O(log length) rounds instead of O(length).

    The rounds run on integer node keys, not on the node ids: each node is
    numbered in the order of its id (so the smallest key of a component is its
    smallest id), the edges are rewritten once with the keys, and the ids come
    back at the end. Node ids are strings ('email:...', 'cookie_id:...'): every
    round joins and groups all nodes twice, and on strings those joins cost
    several times what they cost on integers.

    edges_sql: a select returning node_a, node_b (one row per edge, either
    direction; add (x, x) for an isolated node). Returns a select of
    node_id, component_id, where component_id is the smallest node_id of the
    component. Runs its rounds at execution time (run_query on the model's own
    connection), so it is used by table models only.
-#}
{% macro connected_components(edges_sql, max_rounds=40) -%}
    {%- if not execute -%}
        select cast(null as {{ dbt.type_string() }}) as node_id,
            cast(null as {{ dbt.type_string() }}) as component_id
    {%- else -%}
        {%- do run_query(create_temp_relation_as('cc_id_edges', edges_sql)) -%}
        {%- do run_query(create_temp_relation_as('cc_nodes',
            "select node_id, row_number() over (order by node_id) as node_key
             from (
                 select node_a as node_id from cc_id_edges
                 union
                 select node_b from cc_id_edges
             ) as ids")) -%}
        {%- do run_query(create_temp_relation_as('cc_key_edges',
            "select a.node_key as node_a, b.node_key as node_b
             from cc_id_edges as e
             inner join cc_nodes as a on a.node_id = e.node_a
             inner join cc_nodes as b on b.node_id = e.node_b")) -%}
        {%- do run_query(create_temp_relation_as('cc_edges',
            "select node_a, node_b from cc_key_edges
             union
             select node_b, node_a from cc_key_edges")) -%}
        {%- do run_query(create_temp_relation_as('cc_labels',
            "select node_a as node_id, min(node_b) as component_id
             from cc_edges group by node_a")) -%}
        {%- set ns = namespace(converged=false, rounds=0) -%}
        {%- for round in range(max_rounds) if not ns.converged -%}
            {%- do run_query(create_temp_relation_as('cc_propagated',
                "select labels.node_id,
                     least(labels.component_id, min(neighbour.component_id)) as component_id
                 from cc_labels as labels
                 inner join cc_edges as edges on edges.node_a = labels.node_id
                 inner join cc_labels as neighbour on neighbour.node_id = edges.node_b
                 group by labels.node_id, labels.component_id")) -%}
            {%- do run_query(create_temp_relation_as('cc_jumped',
                "select propagated.node_id,
                     least(propagated.component_id, parent.component_id) as component_id
                 from cc_propagated as propagated
                 inner join cc_propagated as parent
                     on parent.node_id = propagated.component_id")) -%}
            {%- set changed = run_query(
                "select count(*) from cc_jumped as jumped
                 inner join cc_labels as labels on labels.node_id = jumped.node_id
                 where jumped.component_id <> labels.component_id").columns[0].values()[0] -%}
            {%- do run_query(create_temp_relation_as('cc_labels', "select * from cc_jumped")) -%}
            {%- set ns.rounds = round + 1 -%}
            {%- if changed == 0 -%}{%- set ns.converged = true -%}{%- endif -%}
        {%- endfor -%}
        {%- if not ns.converged -%}
            {{ exceptions.raise_compiler_error(
                "connected_components did not converge in " ~ max_rounds ~ " rounds") }}
        {%- endif -%}
        {{ log("connected_components converged in " ~ ns.rounds ~ " rounds", info=false) }}
        select nodes.node_id, components.node_id as component_id
        from cc_labels as labels
        inner join cc_nodes as nodes on nodes.node_key = labels.node_id
        inner join cc_nodes as components on components.node_key = labels.component_id
    {%- endif -%}
{%- endmacro %}

{#-
    Connected components of an undirected graph, in plain SQL, by iterative
    min-label propagation with pointer jumping (each round a node takes the
    smallest label among itself and its neighbours, then the label of that
    label), until no label changes. Pointer jumping makes long chains converge
    in O(log length) rounds instead of O(length).

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
        {%- do run_query(create_temp_relation_as('cc_edges',
            "select node_a, node_b from (" ~ edges_sql ~ ") as e
             union
             select node_b, node_a from (" ~ edges_sql ~ ") as e")) -%}
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
        select node_id, component_id from cc_labels
    {%- endif -%}
{%- endmacro %}

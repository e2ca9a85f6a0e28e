{#-
    Connected components of an undirected graph, in plain SQL, by iterative
    min-label propagation on a frontier, with pointer jumping. Every node
    starts with the smallest of itself and its neighbours. Each round, only
    the nodes whose label changed in the last round (the frontier) propose
    their new label, to their neighbours and to the nodes whose label is that
    node; a node takes a smaller proposal, then the label of that label
    (pointer jumping: long chains converge in O(log length) rounds instead of
    O(length)). It stops when no label changes.

    Why the frontier is enough: a label only ever decreases, and a node whose
    label did not change has already offered it to all its neighbours. So
    when the frontier is empty, the two ends of every edge have the same
    label, and a component's label is its smallest node key. On the identity
    graph the first round changes about a fifth of the nodes and the later
    rounds a few thousand: at 1M persons (5.4M nodes) the components took 10 s
    against 20 s when every round recomputed every node.

    The rounds run on integer node keys, not on the node ids (strings such
    as 'email:...' or 'cookie_id:...', on which every join costs several
    times as much), and the result holds keys only: the readers get the ids
    from the node table, and writing strings for every node would cost more
    than the rounds save.

    edges_sql: a select returning node_a, node_b, integer node keys (one row
    per edge, either direction; add (x, x) for an isolated node: such nodes
    skip the rounds).
    Returns a select of node_key and component_key (the smallest node key of
    the component), one row per node of the edges. Runs its rounds at
    execution time (run_query on the model's own connection), so it is used
    by table models only.
-#}
{% macro connected_components(edges_sql, max_rounds=40) -%}
    {%- if not execute -%}
        select cast(null as {{ dbt.type_bigint() }}) as node_key,
            cast(null as {{ dbt.type_bigint() }}) as component_key
    {%- else -%}
        {%- do run_query(create_temp_relation_as('cc_key_edges', edges_sql)) -%}
        {#- Both directions, without the self-edges: a node proposes nothing to
            itself, and most of the identity graph's edges are self-edges (9.5M
            of 15.8M at 10M identifiers: records of one identifier, and each
            record's anchor). The nodes with self-edges only join the result at
            the end, each its own component. A repeated edge is harmless, so
            no distinct. -#}
        {%- do run_query(create_temp_relation_as('cc_edges',
            "select node_a, node_b from cc_key_edges where node_b <> node_a
             union all
             select node_b, node_a from cc_key_edges where node_b <> node_a")) -%}
        {%- do run_query(create_temp_relation_as('cc_labels',
            "select node_a as node_id, least(node_a, min(node_b)) as component_id
             from cc_edges group by node_a")) -%}
        {%- set ns = namespace(converged=false, rounds=0) -%}
        {%- for round in range(max_rounds) if not ns.converged -%}
            {#- What the nodes changed last round propose: their label to their
                neighbours, and to the nodes whose label is that node. In the
                first round every node is new: its label goes to its neighbours
                only (proposing to the nodes labelled with it as well would join
                every node with every node, for a jump the next rounds make). -#}
            {%- if round == 0 -%}
            {%- do run_query(create_temp_relation_as('cc_candidates',
                "select edges.node_a as node_id, min(labels.component_id) as component_id
                 from cc_labels as labels
                 inner join cc_edges as edges on edges.node_b = labels.node_id
                 group by edges.node_a")) -%}
            {%- else -%}
            {%- do run_query(create_temp_relation_as('cc_candidates',
                "select node_id, min(component_id) as component_id
                 from (
                     select edges.node_a as node_id, active.component_id
                     from cc_active as active
                     inner join cc_edges as edges on edges.node_b = active.node_id
                     union all
                     select labels.node_id, active.component_id
                     from cc_labels as labels
                     inner join cc_active as active on labels.component_id = active.node_id
                 ) as proposals
                 group by node_id")) -%}
            {%- endif -%}
            {#- A node takes a smaller proposal, then jumps to that label's label. -#}
            {%- do run_query(create_temp_relation_as('cc_changed',
                "select candidates.node_id,
                     least(candidates.component_id, parent.component_id) as component_id
                 from cc_candidates as candidates
                 inner join cc_labels as labels on labels.node_id = candidates.node_id
                 inner join cc_labels as parent on parent.node_id = candidates.component_id
                 where candidates.component_id < labels.component_id")) -%}
            {%- set changed = run_query("select count(*) from cc_changed").columns[0].values()[0] -%}
            {%- set ns.rounds = round + 1 -%}
            {%- if changed == 0 -%}
                {%- set ns.converged = true -%}
            {%- else -%}
                {%- do run_query(create_temp_relation_as('cc_next',
                    "select labels.node_id,
                         coalesce(changed.component_id, labels.component_id) as component_id
                     from cc_labels as labels
                     left join cc_changed as changed on changed.node_id = labels.node_id")) -%}
                {%- do run_query(create_temp_relation_as('cc_labels', "select * from cc_next")) -%}
                {%- do run_query(create_temp_relation_as('cc_active', "select * from cc_changed")) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if not ns.converged -%}
            {{ exceptions.raise_compiler_error(
                "connected_components did not converge in " ~ max_rounds ~ " rounds") }}
        {%- endif -%}
        {{ log("connected_components converged in " ~ ns.rounds ~ " rounds", info=false) }}
        select
            node_id as node_key,
            component_id as component_key
        from cc_labels
        union all
        select distinct
            node_a as node_key,
            node_a as component_key
        from cc_key_edges
        where node_a = node_b
            and node_a not in (select node_id from cc_labels)
    {%- endif -%}
{%- endmacro %}

{#-
    The KPI columns of the rollup model being built, with their rollup rule,
    from the meta of the model's own columns in its yml (the rollups reuse
    the daily mart's column docs through YAML anchors, so each rule is
    written once, on the daily column).

    dbt unit tests see neither the graph nor the model's columns: there the
    test states the columns (name, data_type, meta) in the var
    kpi_rollup_unit_test_columns.

    Fails the compilation when a column has no valid rule and, outside unit
    tests, when the rollup's columns are not the daily mart's (but kpi_date)
    in the same order, so that a new daily column is never silently left out
    of its rollups.
-#}
{% macro kpi_rollup_columns(daily_model, period_column) -%}
    {%- set model_columns = model.columns -%}
    {%- if model.resource_type == 'unit_test' -%}
        {#- dbt gives a unit test neither the graph nor the model's columns: the
            test states the columns with their meta in var kpi_rollup_unit_test_columns -#}
        {%- set model_columns = {} -%}
        {%- for column in var('kpi_rollup_unit_test_columns', []) -%}
            {%- do model_columns.update({column.name: column}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for name, column in model_columns.items()
        if name not in (period_column, 'days_covered') -%}
        {%- set meta = {} -%}
        {%- do meta.update(column.get('meta') or {}) -%}
        {%- do meta.update((column.get('config') or {}).get('meta') or {}) -%}
        {%- set rollup = meta.get('rollup') -%}
        {%- if rollup not in ('sum', 'ratio', 'recount', 'dimension') -%}
            {{ exceptions.raise_compiler_error(
                "kpi_rollup: column " ~ model.name ~ "." ~ name ~ " needs meta.rollup"
                ~ " (sum, ratio, recount or dimension), got " ~ rollup) }}
        {%- endif -%}
        {%- if rollup == 'ratio' and not (meta.get('numerator') and meta.get('denominator')) -%}
            {{ exceptions.raise_compiler_error(
                "kpi_rollup: ratio column " ~ model.name ~ "." ~ name
                ~ " needs meta.numerator and meta.denominator") }}
        {%- endif -%}
        {%- do columns.append({
            'name': name,
            'data_type': column.get('data_type'),
            'rollup': rollup,
            'numerator': meta.get('numerator'),
            'denominator': meta.get('denominator'),
            'scale': meta.get('scale', 1),
            'model': meta.get('model'),
            'date': meta.get('date'),
            'key': meta.get('key'),
            'where': meta.get('where'),
        }) -%}
    {%- endfor -%}
    {%- set node_id = 'model.' ~ project_name ~ '.' ~ daily_model -%}
    {%- if graph.get('nodes') and node_id in graph.nodes -%}
        {%- set daily_columns = graph.nodes[node_id].columns.keys()
            | reject('equalto', 'kpi_date') | list -%}
        {%- set rollup_columns = columns | map(attribute='name') | list -%}
        {%- if daily_columns != rollup_columns -%}
            {{ exceptions.raise_compiler_error(
                "kpi_rollup: the columns of " ~ model.name ~ " (" ~ rollup_columns | join(', ')
                ~ ") must be those of " ~ daily_model ~ " (" ~ daily_columns | join(', ')
                ~ "), in order: add the missing *anchors to its yml") }}
        {%- endif -%}
    {%- endif -%}
    {{ return(columns) }}
{%- endmacro %}

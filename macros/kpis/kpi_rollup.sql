{#-
    Weekly / monthly rollup of a daily KPI mart, driven by the column docs so
    that a KPI is defined once. Each column of the daily mart (and of its
    rollups, which reuse the daily column docs through YAML anchors) says in
    `meta.rollup` how it rolls up:

        rollup: sum                      additive count or amount: summed
        rollup: ratio                    a rate: sum(numerator) / sum(denominator)
          numerator: <expr>              SQL over daily columns (summed)
          denominator: <expr>            SQL over daily columns (summed)
          scale: 100                     optional multiplier (NPS)
        rollup: recount                  a distinct count, not additive: counted
          model: <model>                 again over the period from <model>
          date: <expr>                   (the rollup model declares the model
          key: <expr>                    with `-- depends_on: {{ ref(...) }}`)
        rollup: dimension                a grouping column (channel, campaign)
        rollup: none                     not rolled up (kpi_date itself)

    The rollup model's yml lists <period column>, days_covered and then the
    daily mart's columns (but kpi_date) as anchors, in the daily order.

    Rates are therefore never averaged: a week's rate is recomputed from the
    week's numerator and denominator. The rollup has <period column> (first
    day of the ISO week / month, a date), days_covered (days of the period
    present in the daily mart: fewer than 7 or the month's days marks a
    partial first or last period), then the daily mart's columns in order.

        {{ kpi_rollup('kpi_engagement_daily', 'week') }}
-#}
{% macro kpi_rollup(daily_model, period) -%}
    {%- if period not in ('week', 'month') -%}
        {{ exceptions.raise_compiler_error(
            "kpi_rollup: period must be 'week' or 'month', not '" ~ period ~ "'") }}
    {%- endif -%}
    {%- set daily = ref(daily_model) -%}
    {%- set period_column = 'kpi_' ~ period -%}
    {%- set period_expr = "cast(" ~ dbt.date_trunc(period, 'daily.kpi_date') ~ " as date)" -%}
    {%- set columns = kpi_rollup_columns(daily_model, period_column) if execute else [] -%}
    {%- set dimensions = columns | selectattr('rollup', 'equalto', 'dimension')
        | map(attribute='name') | list -%}
    {%- set recounts = columns | selectattr('rollup', 'equalto', 'recount') | list -%}
    {%- if recounts and dimensions -%}
        {{ exceptions.raise_compiler_error(
            "kpi_rollup: " ~ daily_model ~ " has both dimensions and recount columns,"
            ~ " which kpi_rollup does not combine") }}
    {%- endif -%}

with

daily as (
    select * from {{ daily }}
),

{%- for column in recounts %}

{{ column.name }}_recount as (
    select
        cast({{ dbt.date_trunc(period, column.date) }} as date) as period_start,
        count(distinct {{ column.key }}) as {{ column.name }}
    from {{ ref(column.model) }}
    group by cast({{ dbt.date_trunc(period, column.date) }} as date)
),
{%- endfor %}

summed as (
    select
        {{ period_expr }} as period_start,
        {%- for name in dimensions %}
        daily.{{ name }},
        {%- endfor %}
        count(*) as days_covered
        {%- for column in columns if column.rollup in ('sum', 'ratio') %}
        {%- if column.rollup == 'sum' %},
        sum(daily.{{ column.name }}) as {{ column.name }}
        {%- else %},
        sum({{ column.numerator }}) as {{ column.name }}__numerator,
        sum({{ column.denominator }}) as {{ column.name }}__denominator
        {%- endif %}
        {%- endfor %}
    from daily
    group by {{ period_expr }}
        {%- for name in dimensions %}, daily.{{ name }}{% endfor %}
),

final as (
    select
        summed.period_start as {{ period_column }},
        cast(summed.days_covered as {{ dbt.type_bigint() }}) as days_covered
        {%- for column in columns %},
        {%- if column.rollup == 'dimension' %}
        summed.{{ column.name }}
        {%- elif column.rollup == 'sum' %}
        cast(summed.{{ column.name }} as {{ column.data_type }}) as {{ column.name }}
        {%- elif column.rollup == 'ratio' %}
        cast(
            {{ column.scale }} * summed.{{ column.name }}__numerator
            / nullif(summed.{{ column.name }}__denominator, 0)
            as {{ type_double() }}
        ) as {{ column.name }}
        {%- elif column.rollup == 'recount' %}
        cast(coalesce({{ column.name }}_recount.{{ column.name }}, 0) as {{ dbt.type_bigint() }})
            as {{ column.name }}
        {%- endif %}
        {%- endfor %}
    from summed
    {%- for column in recounts %}
    left join {{ column.name }}_recount
        on summed.period_start = {{ column.name }}_recount.period_start
    {%- endfor %}
)

select * from final
{%- endmacro %}


{#-
    The KPI columns of a rollup model with their rollup rule, from the meta of
    the rollup's own columns in its yml (the rollups reuse the daily mart's
    column docs through YAML anchors, so the rules are written once; reading
    the model's own columns). dbt unit tests see neither the graph nor the
    model's columns: there the test gives the columns (name, data_type, meta)
    in var kpi_rollup_unit_test_columns. Fails the compilation when a column has no rule, and, outside
    unit tests, when the rollup's columns differ from the daily mart's, so a
    new daily column is never silently left out of the rollups.
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

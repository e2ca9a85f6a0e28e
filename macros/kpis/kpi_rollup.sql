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
          where: <condition>             optional filter on <model>'s rows
        rollup: dimension                a grouping column (channel, campaign)
        rollup: none                     not rolled up (kpi_date itself)

    The rollup model's yml lists <period column>, days_covered and then the
    daily mart's columns (but kpi_date) as anchors, in the daily order;
    kpi_rollup_columns reads them and checks them against the daily mart.

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
    {%- if column.where %}
    where {{ column.where }}
    {%- endif %}
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


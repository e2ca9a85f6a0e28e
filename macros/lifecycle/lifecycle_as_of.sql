{#-
    The instant the lifecycle is computed as of: the end of the last day with
    touchpoints (data is complete up to then), or var('lifecycle_as_of') when
    set (a date, 'YYYY-MM-DD': as of the end of that day). Renders a select
    with one row and one column, as_of_at.
-#}
{% macro lifecycle_as_of(touchpoints) -%}
    {%- set as_of = var('lifecycle_as_of', none) -%}
    {%- if as_of -%}
    select
        {{ dbt.dateadd('day', 1, "cast('" ~ as_of ~ "' as timestamp)") }} as as_of_at
    {%- else -%}
    select
        {{ dbt.dateadd('day', 1, dbt.cast(dbt.cast('max(occurred_at)', 'date'), api.Column.translate_type('timestamp'))) }}
            as as_of_at
    from {{ touchpoints }}
    {%- endif %}
{%- endmacro %}

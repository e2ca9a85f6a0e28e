{#-
    Trims whitespace from both ends of `expression`: spaces and also tabs,
    line breaks and non-breaking spaces, which plain trim() keeps on DuckDB.
    Whitespace inside the value becomes a single space per character.
-#}
{% macro trim_whitespace(expression) -%}
    {{ return(adapter.dispatch('trim_whitespace')(expression)) }}
{%- endmacro %}

{% macro default__trim_whitespace(expression) -%}
    trim(
        translate(
            {{ expression }},
            {{ dbt.concat(['chr(9)', 'chr(10)', 'chr(13)', 'chr(160)']) }},
            '    '
        )
    )
{%- endmacro %}

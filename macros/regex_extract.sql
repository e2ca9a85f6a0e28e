{#-
    The part of `expression` that matches the regular expression `pattern`
    (a SQL string literal), or '' when nothing matches; null stays null.
    Same rule as regex_matches: no backslashes in patterns.
-#}
{% macro regex_extract(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_extract')(expression, pattern)) }}
{%- endmacro %}

{# DuckDB and Spark: group 0 is the whole match. #}
{% macro default__regex_extract(expression, pattern) -%}
    regexp_extract({{ expression }}, {{ pattern }}, 0)
{%- endmacro %}

{#-
    Replaces every match of the regular expression `pattern` in `expression`
    by `replacement` (both SQL string literals). Same rule as regex_matches:
    no backslashes in patterns.
-#}
{% macro regex_replace(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('regex_replace')(expression, pattern, replacement)) }}
{%- endmacro %}

{# Spark, Snowflake and BigQuery replace every match by default. #}
{% macro default__regex_replace(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ pattern }}, {{ replacement }})
{%- endmacro %}

{# DuckDB (like Postgres) replaces only the first match without the 'g' flag. #}
{% macro duckdb__regex_replace(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}

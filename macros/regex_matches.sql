{#-
    True when `expression` matches the regular expression `pattern` (a SQL
    string literal, e.g. "'^[0-9]+$'"). Anchor the pattern with ^ and $ for a
    full match.

    Keep patterns free of backslashes (write [.] and [0-9], not \. and \d):
    string literals unescape backslashes differently on Spark and DuckDB.
-#}
{% macro regex_matches(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_matches')(expression, pattern)) }}
{%- endmacro %}

{# Spark, Snowflake, Postgres 15+ #}
{% macro default__regex_matches(expression, pattern) -%}
    regexp_like({{ expression }}, {{ pattern }})
{%- endmacro %}

{% macro duckdb__regex_matches(expression, pattern) -%}
    regexp_matches({{ expression }}, {{ pattern }})
{%- endmacro %}

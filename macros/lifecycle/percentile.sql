{#- The p-th continuous percentile (0 <= p <= 1) of an expression, as an aggregate. -#}
{% macro percentile(expression, p) -%}
    {{ return(adapter.dispatch('percentile')(expression, p)) }}
{%- endmacro %}

{% macro default__percentile(expression, p) -%}
    percentile_cont({{ p }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro spark__percentile(expression, p) -%}
    percentile({{ expression }}, {{ p }})
{%- endmacro %}

{#- Create (or replace) a session-scoped temporary relation from a select. -#}
{% macro create_temp_relation_as(name, sql) -%}
    {{ return(adapter.dispatch('create_temp_relation_as')(name, sql)) }}
{%- endmacro %}

{% macro default__create_temp_relation_as(name, sql) -%}
    create or replace temporary table {{ name }} as {{ sql }}
{%- endmacro %}

{% macro spark__create_temp_relation_as(name, sql) -%}
    create or replace temporary view {{ name }} as {{ sql }}
{%- endmacro %}

{#- Create (or replace) a session-scoped temporary relation from a select. -#}
{% macro create_temp_relation_as(name, sql) -%}
    {{ return(adapter.dispatch('create_temp_relation_as')(name, sql)) }}
{%- endmacro %}

{% macro default__create_temp_relation_as(name, sql) -%}
    create or replace temporary table {{ name }} as {{ sql }}
{%- endmacro %}

{#- Spark: a temporary view over a scratch Parquet table in the target schema.
    A bare temporary view would keep the whole query plan, so an iterative
    algorithm (connected_components) would grow its plan with every round. -#}
{% macro spark__create_temp_relation_as(name, sql) -%}
    {%- set scratch = target.schema ~ '.' ~ name ~ '__scratch' -%}
    {%- do run_query('create schema if not exists ' ~ target.schema) -%}
    {%- do run_query('drop table if exists ' ~ scratch) -%}
    {%- do run_query('create table ' ~ scratch ~ ' using parquet as ' ~ sql) -%}
    create or replace temporary view {{ name }} as select * from {{ scratch }}
{%- endmacro %}

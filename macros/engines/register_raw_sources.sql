{#-
    Makes the raw layer readable as the dbt sources declare it (schema raw).

    On DuckDB (default) ingestion writes the raw tables into the warehouse
    itself: nothing to do. On Spark the raw layer is the Parquet lake that
    ingestion exports (orchestration/ingest/lake.py): each source becomes an
    external table `raw.<table>` over `<lake>/raw/<table>`, re-created on every
    invocation so the file listing is current. Called from on-run-start.
-#}
{% macro register_raw_sources() -%}
    {{ return(adapter.dispatch('register_raw_sources')()) }}
{%- endmacro %}

{% macro default__register_raw_sources() -%}
{%- endmacro %}

{% macro spark__register_raw_sources() -%}
    {%- if execute -%}
        {%- set lake = env_var('LIFECYCLE_LAKE', 'warehouse/lake') -%}
        {%- set tables = [] -%}
        {%- for source in graph.sources.values() if source.schema == 'raw' -%}
            {%- do tables.append(source.identifier) -%}
        {%- endfor -%}
        {%- do run_query('create schema if not exists raw') -%}
        {%- for table in tables | unique | sort -%}
            {%- do run_query('drop table if exists raw.' ~ table) -%}
            {%- do run_query(
                "create table raw." ~ table ~ " using parquet location '"
                ~ lake ~ "/raw/" ~ table ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

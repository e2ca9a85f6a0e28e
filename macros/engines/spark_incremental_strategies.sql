{#-
    delete+insert for dbt-spark on plain Parquet tables.

    The incremental models use delete+insert by their unique key (DuckDB's
    default), which dbt-spark offers only through MERGE on Delta, Iceberg or
    Hudi. Plain Parquet (the local session target, and any Spark without those
    formats) cannot delete rows, so here the table is rewritten: the rows whose
    key the new batch does not hold, plus the batch, go into a scratch table,
    which then overwrites the target (Spark refuses to overwrite a table that the
    same statement reads). Same rows as delete+insert; the cost is a rewrite of
    the table, fine for the facts' size here; on Delta use `merge`.

    These two macros override dbt-spark's own (the root project's macros take
    precedence over the adapter's); every other strategy is passed through.
-#}
{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) %}
    {%- if raw_strategy == 'delete+insert' -%}
        {%- do return(raw_strategy) -%}
    {%- endif -%}
    {%- do return(spark.dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format)) -%}
{% endmacro %}


{% macro dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) %}
    {%- if strategy == 'delete+insert' -%}
        {{ spark_delete_insert_by_rewrite(source, target, unique_key) }}
    {%- else -%}
        {{ spark.dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) }}
    {%- endif -%}
{% endmacro %}


{% macro spark_delete_insert_by_rewrite(source, target, unique_key) %}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set columns = adapter.get_columns_in_relation(target) | map(attribute='quoted') | join(', ') -%}
    {%- set matches = [] -%}
    {%- for key in keys -%}
        {%- do matches.append('batch.' ~ key ~ ' = kept.' ~ key) -%}
    {%- endfor -%}
    {%- set rewritten -%}
        select {{ columns }}
        from {{ target }} as kept
        where not exists (
            select 1 from {{ source }} as batch where {{ matches | join(' and ') }}
        )
        union all
        select {{ columns }} from {{ source }}
    {%- endset -%}
    {{ spark_overwrite_by_rewrite(target, rewritten) }}
{% endmacro %}


{#- Overwrite `relation` with the rows of `select_sql` (which may read the
    relation itself) through a scratch table; returns a no-op statement. -#}
{% macro spark_overwrite_by_rewrite(relation, select_sql) %}
    {%- set scratch = relation.incorporate(path={"identifier": relation.identifier ~ '__dbt_rewrite'}) -%}
    {%- do run_query('drop table if exists ' ~ scratch) -%}
    {%- do run_query('create table ' ~ scratch ~ ' using parquet as ' ~ select_sql) -%}
    {%- do run_query('insert overwrite table ' ~ relation ~ ' select * from ' ~ scratch) -%}
    {%- do run_query('drop table if exists ' ~ scratch) -%}
    select 1 as rewritten
{% endmacro %}

{#-
    Deletes the rows of `relation` for which `condition` is true, as a
    statement for a post-hook. In `condition`, refer to the relation's columns
    by the alias `deleted` (`deleted.customer_id not in (...)`).

    On Spark's plain Parquet tables there is no DELETE: the rows to keep are
    rewritten instead (spark_overwrite_by_rewrite). Rows where the condition is
    null are kept, as DELETE keeps them.
-#}
{% macro delete_rows_where(relation, condition) -%}
    {{ return(adapter.dispatch('delete_rows_where')(relation, condition)) }}
{%- endmacro %}

{% macro default__delete_rows_where(relation, condition) -%}
    delete from {{ relation }} as deleted where {{ condition }}
{%- endmacro %}

{% macro spark__delete_rows_where(relation, condition) -%}
    {%- if execute -%}
        {{ spark_overwrite_by_rewrite(
            relation,
            'select * from ' ~ relation ~ ' as deleted where not coalesce(' ~ condition ~ ', false)'
        ) }}
    {%- else -%}
        select 1 as rewritten
    {%- endif -%}
{%- endmacro %}

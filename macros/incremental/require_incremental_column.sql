{#-
    In an incremental run, stops with a clear message when the model's table
    lacks `column`: it was built by an older version of the model, without a
    column the incremental run reads. rebuild_selection: the dbt selection the
    message tells the user to rebuild once with --full-refresh.

        {{ require_incremental_column('next_change_at', 'customer_stage_history+') }}
-#}
{% macro require_incremental_column(column, rebuild_selection) -%}
    {%- if is_incremental() -%}
        {%- set existing_columns = adapter.get_columns_in_relation(this)
            | map(attribute='name') | map('lower') | list -%}
        {%- if column not in existing_columns -%}
            {{ exceptions.raise_compiler_error(
                this ~ " was built by an older version without the columns the incremental"
                " run needs: rebuild it once with"
                " `dbt build --full-refresh -s " ~ rebuild_selection ~ "`") }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

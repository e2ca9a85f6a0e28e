{#-
    row_number() over the raw rows of one record, numbered so that the row
    staging keeps is 1; select it with `where row_number = 1` in the next CTE
    (not QUALIFY, which Spark lacks).

    - key_columns: the contract key (column names or expressions).
    - is_snapshot: snapshot channels keep the latest version (latest
      updated_at; ties: latest _loaded_at, then highest _source_file,
      _source_row); other channels keep the first-loaded row (earliest
      _loaded_at, _source_file, _source_row).

    Reads the raw lineage columns, so use it before they are renamed.

        {{ deduplication_row_number(['order_id'], is_snapshot=true) }} as row_number
-#}
{% macro deduplication_row_number(key_columns, is_snapshot=false) -%}
    {%- if key_columns is string -%}
        {%- set key_columns = [key_columns] -%}
    {%- endif -%}
    {%- if is_snapshot -%}
        {%- set order_by = [
            'updated_at desc',
            '_loaded_at desc',
            '_source_file desc',
            '_source_row desc',
        ] -%}
    {%- else -%}
        {%- set order_by = ['_loaded_at', '_source_file', '_source_row'] -%}
    {%- endif -%}
    row_number() over (
            partition by {{ key_columns | join(', ') }}
            order by {{ order_by | join(', ') }}
        )
{%- endmacro %}

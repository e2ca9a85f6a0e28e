{#-
    Incremental staging. A staging model de-duplicates its raw table: per
    contract key it keeps one row (deduplication_row_number). A daily run adds
    a few raw files to a year of them, so an incremental run recomputes only
    the keys a change can touch, from all their raw rows:

      - keys of raw rows loaded after the latest row the model holds (new
        files, and re-delivered files: ingestion replaces a re-delivered
        file's rows, with a new _loaded_at). Strictly after: ingestion gives
        every file of one load the same _loaded_at (a full load of a year is
        one instant), so "at or after" would recompute every key of the
        previous load;
      - keys of the model's rows whose raw row is gone: the model's
        (source_file, loaded_at) pair is no longer in raw (the file was
        re-delivered, or removed from landing, or failed on a re-delivery).

    Each such key is recomputed from every raw row it has, so it gets the row a
    full refresh would keep; any other key's raw rows are unchanged (a raw row
    is only ever added by a later load than every row before it, or deleted
    with its whole file).
    delete+insert on the model's unique_key (the staged key columns) writes the
    recomputed rows; a key left with no raw row at all is deleted by the
    post-hook delete_staged_rows_gone_from_source.

    Usage, in a staging model with unique_key = the staged key columns:

        {{ config(unique_key='event_id') }}
        ...
        source as (
            select * from {{ staging_source_rows(source('web', 'web_events'), ['event_id']) }}
        ),

    key_columns are raw key columns, in the order of unique_key (the same
    columns after staging's renames): the contract key, or a part of it when a
    key column may be null (a null key would match nothing in the join below
    or in the incremental delete; stg_media__listens). They are the unit a
    run recomputes; deduplication_row_number keeps its full key. On a full
    refresh (or the first run) this is the raw table itself.
-#}

{% macro staging_source_rows(source_relation, key_columns) -%}
    {%- if is_incremental() -%}
        {%- set staged_key_columns = config.get('unique_key') -%}
        {%- if staged_key_columns is string -%}
            {%- set staged_key_columns = [staged_key_columns] -%}
        {%- endif -%}
        {%- if staged_key_columns | length != key_columns | length -%}
            {{ exceptions.raise_compiler_error(
                "staging_source_rows: unique_key " ~ staged_key_columns
                ~ " and key_columns " ~ key_columns ~ " differ in length"
            ) }}
        {%- endif -%}
        (
            select source_rows.*
            from {{ source_relation }} as source_rows
            inner join (
                select distinct
                    {%- for column in key_columns %}
                    changed_key_{{ loop.index }}{{ ',' if not loop.last }}
                    {%- endfor %}
                from (
                    select
                        {%- for column in key_columns %}
                        {{ column }} as changed_key_{{ loop.index }}{{ ',' if not loop.last }}
                        {%- endfor %}
                    from {{ source_relation }}
                    where _loaded_at > (
                        select coalesce(
                            max(loaded_at), cast('1900-01-01' as {{ dbt.type_timestamp() }})
                        )
                        from {{ this }}
                    )

                    union all

                    select
                        {%- for column in staged_key_columns %}
                        staged.{{ column }}{{ ',' if not loop.last }}
                        {%- endfor %}
                    from {{ this }} as staged
                    where {{ staged_row_gone_from_source('staged', source_relation) }}
                ) as changed_keys_with_repeats
            ) as changed_keys
                on
                {%- for column in key_columns %}
                {{ 'and ' if not loop.first }}{{ column }} = changed_keys.changed_key_{{ loop.index }}
                {%- endfor %}
        )
    {%- else -%}
        {{ source_relation }}
    {%- endif -%}
{%- endmacro %}


{#- True for a staged row (alias `alias`) whose raw row is gone: no raw row of
    its file has its load time. A file's rows are loaded (and replaced, or
    forgotten) together, so the pair (source file, load time) names one
    delivery of one file. -#}
{% macro staged_row_gone_from_source(alias, source_relation) -%}
    not exists (
        select 1
        from (
            select distinct _source_file, _loaded_at
            from {{ source_relation }}
        ) as loaded_files
        where loaded_files._source_file = {{ alias }}.source_file
            and loaded_files._loaded_at = {{ alias }}.loaded_at
    )
{%- endmacro %}


{#-
    Post-hook of the incremental staging models: delete the rows whose raw row
    is gone and whose key kept no raw row (staging_source_rows recomputed every
    other key). On a full refresh there is nothing to delete. The model's raw
    table is its one source (model.sources).
-#}
{% macro delete_staged_rows_gone_from_source() -%}
    {%- if is_incremental() -%}
        {%- set source_relation = source(model.sources[0][0], model.sources[0][1]) -%}
        {{ delete_rows_where(this, staged_row_gone_from_source('deleted', source_relation)) }}
    {%- else -%}
        select 1 as nothing_to_delete
    {%- endif -%}
{%- endmacro %}

{#-
    Incremental daily models recompute whole days. On an incremental run the
    days to recompute are:
      - every day within var('incremental_lookback_days') of the latest day
        already built (late-arriving rows usually land there), and
      - every day holding a source row written after this model's last build
        (the source's updated_at is later than this model's), however old,
        so a file re-delivered weeks later is still folded in.
    On a full refresh (or the first run) every day is computed.

    Usage, in a model materialized incremental with unique_key = the date column
    and incremental_strategy = 'delete+insert':

        where {{ incremental_days_filter('touchpoint_date', ref('touchpoints')) }}
-#}

{% macro incremental_days_filter(date_column, source_relation, this_date_column=none) -%}
    {%- if is_incremental() -%}
        {%- set this_date_column = this_date_column or date_column -%}
        (
            {{ date_column }} >= (
                select {{ dbt.dateadd('day', -1 * var('incremental_lookback_days'), 'max(' ~ this_date_column ~ ')') }}
                from {{ this }}
            )
            or {{ date_column }} in (
                select changed.{{ date_column }}
                from {{ source_relation }} as changed
                where changed.updated_at > (select max(updated_at) from {{ this }})
            )
        )
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}


{#- The time of the current dbt invocation, as a timestamp literal: the
    updated_at of every row an incremental model writes in this run. -#}
{% macro run_started_at_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

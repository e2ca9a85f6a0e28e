{#-
    Post-hook of the incremental touchpoints mart: delete touchpoints whose
    source record is gone (a corrected file re-delivered without some rows), so
    an incremental run keeps the same rows as a full refresh. On a full
    refresh there is nothing to delete. (delete_rows_where: a rewrite on Spark.)
-#}

{% macro delete_touchpoints_gone_from_sources() -%}
    {%- if is_incremental() -%}
        {%- set gone -%}
        not exists (
            select 1
            from {{ ref('int_touchpoints_unioned') }} as current_touchpoints
            inner join {{ ref('int_record_customers') }} as record_customers
                on current_touchpoints.identity_record_key = record_customers.record_key
            where current_touchpoints.touchpoint_id = deleted.touchpoint_id
        )
        {%- endset -%}
        {{ delete_rows_where(this, gone) }}
    {%- else -%}
        select 1 as nothing_to_delete
    {%- endif -%}
{%- endmacro %}

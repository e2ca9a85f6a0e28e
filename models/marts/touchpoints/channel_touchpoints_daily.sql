{{
    config(
        materialized='incremental',
        unique_key='touchpoint_date',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}
{#- Touchpoints, customers reached and revenue per channel, touchpoint type and day. -#}

with

touchpoints as (
    select * from {{ ref('touchpoints') }}
    where {{ incremental_days_filter('touchpoint_date', ref('touchpoints')) }}
),

aggregated as (
    select
        touchpoint_date,
        channel,
        touchpoint_type,
        cast(count(*) as {{ dbt.type_bigint() }}) as n_touchpoints,
        cast(count(distinct customer_id) as {{ dbt.type_bigint() }}) as n_customers,
        cast(coalesce(sum(revenue_eur), 0) as {{ type_double() }}) as revenue_eur,
        {{ run_started_at_timestamp() }} as updated_at
    from touchpoints
    group by touchpoint_date, channel, touchpoint_type
)

select * from aggregated

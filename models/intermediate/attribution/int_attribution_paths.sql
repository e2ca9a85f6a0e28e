{{ config(materialized='table') }}
{#- A table, not a view: its tests and the models downstream read it several
    times, and as a view each read recomputed it (README, Performance). -#}
{#-
    Conversion paths, after Snowplow's attribution package (paths_to_conversion):
    one row per conversion and marketing touch of the same customer at most
    var('attribution_lookback_days') days (default 30) before it, the
    conversion's own time included. Touches are numbered in time order
    (touch_index 1 is the first); ties are broken by touchpoint_id. Earlier
    conversions do not cut a path: a touch can be in the paths of several
    conversions (as in Snowplow's package).

    A conversion with no touch in the window gets one row with the channel
    'direct / none' and campaign '(none)', so every conversion is credited in
    full by every model.
-#}

{%- set settings = attribution_settings() %}

with

conversions as (
    select * from {{ ref('int_attribution_conversions') }}
),

touches as (
    select * from {{ ref('int_attribution_touches') }}
),

touches_in_window as (
    select
        conversions.conversion_id,
        touches.touchpoint_id,
        touches.occurred_at as touched_at,
        touches.channel,
        touches.campaign,
        touches.is_paid,
        cast({{ dbt.datediff('touches.occurred_at', 'conversions.converted_at', 'second') }}
            as {{ type_double() }}) / 86400 as days_before_conversion
    from conversions
    inner join touches
        on conversions.customer_id = touches.customer_id
        and touches.occurred_at <= conversions.converted_at
        and touches.occurred_at >= {{ dbt.dateadd(
            'day', -settings.lookback_days, 'conversions.converted_at') }}
),

numbered as (
    select
        conversion_id,
        touchpoint_id,
        touched_at,
        channel,
        campaign,
        is_paid,
        days_before_conversion,
        row_number() over (
            partition by conversion_id
            order by touched_at, touchpoint_id
        ) as touch_index,
        count(*) over (partition by conversion_id) as n_touches
    from touches_in_window
),

final as (
    select
        conversions.conversion_id,
        conversions.customer_id,
        conversions.conversion_type,
        conversions.converted_at,
        conversions.revenue_eur,
        conversions.is_first_conversion,
        numbered.touchpoint_id,
        numbered.touched_at,
        coalesce(numbered.channel, 'direct / none') as channel,
        coalesce(numbered.campaign, '(none)') as campaign,
        coalesce(numbered.is_paid, false) as is_paid,
        cast(coalesce(numbered.touch_index, 1) as {{ dbt.type_bigint() }}) as touch_index,
        cast(coalesce(numbered.n_touches, 0) as {{ dbt.type_bigint() }}) as n_touches,
        cast(coalesce(numbered.n_touches, 1) as {{ dbt.type_bigint() }}) as path_length,
        cast(coalesce(numbered.days_before_conversion, 0) as {{ type_double() }})
            as days_before_conversion
    from conversions
    left join numbered
        on conversions.conversion_id = numbered.conversion_id
)

select * from final

{#-
    channel_performance_daily rolled up to months: sums of spend, delivery,
    new customers and revenue, with CAC, ROAS and ROI recomputed from the
    monthly sums (never averaged over days). Null ratios when the month has
    no spend (or, for CAC, no new customer).
-#}

with

daily as (
    select * from {{ ref('channel_performance_daily') }}
),

aggregated as (
    select
        cast({{ dbt.date_trunc('month', 'daily.date_day') }} as date) as month,
        daily.channel,
        daily.campaign,
        sum(daily.spend_eur) as spend_eur,
        sum(daily.impressions) as impressions,
        sum(daily.clicks) as clicks,
        sum(daily.new_customers) as new_customers,
        sum(daily.attributed_conversions) as attributed_conversions,
        sum(daily.revenue_eur) as revenue_eur,
        min(daily.revenue_attribution_model) as revenue_attribution_model
    from daily
    group by
        cast({{ dbt.date_trunc('month', 'daily.date_day') }} as date),
        daily.channel,
        daily.campaign
),

final as (
    select
        month,
        channel,
        campaign,
        cast(spend_eur as {{ type_double() }}) as spend_eur,
        cast(impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(clicks as {{ dbt.type_bigint() }}) as clicks,
        cast(new_customers as {{ dbt.type_bigint() }}) as new_customers,
        cast(attributed_conversions as {{ type_double() }}) as attributed_conversions,
        cast(revenue_eur as {{ type_double() }}) as revenue_eur,
        case
            when spend_eur > 0 then {{ divide_if_positive('spend_eur', 'new_customers') }}
        end as cac_eur,
        {{ divide_if_positive('revenue_eur', 'spend_eur') }} as roas,
        {{ divide_if_positive('revenue_eur - spend_eur', 'spend_eur') }} as roi,
        revenue_attribution_model
    from aggregated
)

select * from final

{#-
    Channel return per day, channel and campaign: paid media spend and delivery
    (ad spend exports, in EUR), new customers, attributed revenue, and the
    ratios CAC, ROAS and ROI.
      new_customers  customers whose first conversion (purchase or paid
                     subscription start) was that day, credited to the channel
                     and campaign of its first touch in the lookback window
                     (first_touch model of attribution_credits; 'direct / none'
                     without a touch)
      revenue_eur    conversion revenue credited to the channel and campaign by
                     var('channel_performance_attribution_model') (last_touch)
      cac_eur        spend_eur / new_customers (null without spend: organic
                     channels have no acquisition cost we know)
      roas           revenue_eur / spend_eur
      roi            (revenue_eur - spend_eur) / spend_eur
    Ratios are null when their denominator is 0 (no spend, or for CAC no new
    customer): undefined, never infinity. Spend is dated by spend_date,
    customers and revenue by the conversion.
-#}

{%- set settings = attribution_settings() %}

with

spend as (
    select * from {{ ref('stg_ads__spend') }}
),

currency_rates as (
    select * from {{ ref('currency_rates') }}
),

credits as (
    select * from {{ ref('attribution_credits') }}
),

spend_daily as (
    select
        spend.spend_date as date_day,
        spend.ad_channel as channel,
        spend.campaign,
        sum(spend.spend * currency_rates.rate_to_eur) as spend_eur,
        sum(spend.impressions) as impressions,
        sum(spend.clicks) as clicks
    from spend
    left join currency_rates
        on spend.currency = currency_rates.currency
    group by spend.spend_date, spend.ad_channel, spend.campaign
),

new_customers_daily as (
    select
        credits.conversion_date as date_day,
        credits.channel,
        credits.campaign,
        count(*) as new_customers
    from credits
    where credits.attribution_model = 'first_touch'
        and credits.is_first_conversion
    group by credits.conversion_date, credits.channel, credits.campaign
),

revenue_daily as (
    select
        credits.conversion_date as date_day,
        credits.channel,
        credits.campaign,
        sum(credits.credit) as attributed_conversions,
        sum(credits.attributed_revenue_eur) as revenue_eur
    from credits
    where credits.attribution_model = '{{ settings.performance_model }}'
    group by credits.conversion_date, credits.channel, credits.campaign
),

keys as (
    select date_day, channel, campaign from spend_daily
    union
    select date_day, channel, campaign from new_customers_daily
    union
    select date_day, channel, campaign from revenue_daily
),

joined as (
    select
        keys.date_day,
        keys.channel,
        keys.campaign,
        coalesce(spend_daily.spend_eur, 0) as spend_eur,
        coalesce(spend_daily.impressions, 0) as impressions,
        coalesce(spend_daily.clicks, 0) as clicks,
        coalesce(new_customers_daily.new_customers, 0) as new_customers,
        coalesce(revenue_daily.attributed_conversions, 0) as attributed_conversions,
        coalesce(revenue_daily.revenue_eur, 0) as revenue_eur
    from keys
    left join spend_daily
        on keys.date_day = spend_daily.date_day
        and keys.channel = spend_daily.channel
        and keys.campaign = spend_daily.campaign
    left join new_customers_daily
        on keys.date_day = new_customers_daily.date_day
        and keys.channel = new_customers_daily.channel
        and keys.campaign = new_customers_daily.campaign
    left join revenue_daily
        on keys.date_day = revenue_daily.date_day
        and keys.channel = revenue_daily.channel
        and keys.campaign = revenue_daily.campaign
),

final as (
    select
        date_day,
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
        '{{ settings.performance_model }}' as revenue_attribution_model
    from joined
)

select * from final

{#-
    The paid campaigns of the ad spend exports, one row per campaign: the
    campaign name is what landing URLs carry as utm_campaign, so a landing
    page view with a matching utm_campaign is a touch of that ad channel.
-#}

with

spend as (
    select * from {{ ref('stg_ads__spend') }}
),

campaigns as (
    select
        lower(campaign) as campaign_key,
        min(campaign) as campaign,
        min(ad_channel) as ad_channel,
        cast(count(distinct ad_channel) as {{ dbt.type_bigint() }}) as n_ad_channels,
        min(spend_date) as first_spend_date,
        max(spend_date) as last_spend_date
    from spend
    group by lower(campaign)
)

select * from campaigns

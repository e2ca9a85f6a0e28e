{{ config(meta={"dagster": {"ref": {"name": "channel_performance_monthly"}}}) }}
-- Paid spend, impressions and clicks of channel_performance_monthly add up, per
-- month and ad channel, to the ad spend exports (staging) converted to EUR.
with

spend as (
    select * from {{ ref('stg_ads__spend') }}
),

currency_rates as (
    select * from {{ ref('currency_rates') }}
),

performance as (
    select * from {{ ref('channel_performance_monthly') }}
),

expected as (
    select
        cast({{ dbt.date_trunc('month', 'spend.spend_date') }} as date) as month,
        spend.ad_channel as channel,
        sum(spend.spend * currency_rates.rate_to_eur) as spend_eur,
        sum(spend.impressions) as impressions,
        sum(spend.clicks) as clicks
    from spend
    left join currency_rates on spend.currency = currency_rates.currency
    group by cast({{ dbt.date_trunc('month', 'spend.spend_date') }} as date), spend.ad_channel
),

actual as (
    select month, channel, sum(spend_eur) as spend_eur,
        sum(impressions) as impressions, sum(clicks) as clicks
    from performance
    where spend_eur > 0 or impressions > 0 or clicks > 0
    group by month, channel
)

select expected.*, actual.spend_eur as actual_spend_eur,
    actual.impressions as actual_impressions, actual.clicks as actual_clicks
from expected
left join actual
    on expected.month = actual.month
    and expected.channel = actual.channel
where abs(coalesce(actual.spend_eur, 0) - expected.spend_eur) > 0.01
    or coalesce(actual.impressions, 0) <> expected.impressions
    or coalesce(actual.clicks, 0) <> expected.clicks

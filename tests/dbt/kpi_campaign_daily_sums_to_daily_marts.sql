{{ config(meta={"dagster": {"ref": {"name": "kpi_campaign_daily"}}}) }}
-- The per-campaign rows of a day add up to the day's figures in
-- kpi_discovery_daily and kpi_engagement_daily (one definition per KPI).
with

campaign_daily as (
    select * from {{ ref('kpi_campaign_daily') }}
),

discovery as (
    select * from {{ ref('kpi_discovery_daily') }}
),

engagement as (
    select * from {{ ref('kpi_engagement_daily') }}
),

summed as (
    select
        kpi_date,
        sum(social_impressions) as social_impressions,
        sum(social_likes) as social_likes,
        sum(social_comments) as social_comments,
        sum(social_shares) as social_shares,
        sum(web_sessions) as web_sessions,
        sum(emails_sent) as emails_sent,
        sum(emails_opened) as emails_opened,
        sum(emails_clicked) as emails_clicked
    from campaign_daily
    group by kpi_date
),

daily as (
    select
        discovery.kpi_date,
        discovery.social_impressions,
        engagement.social_likes,
        engagement.social_comments,
        engagement.social_shares,
        discovery.web_sessions,
        engagement.emails_sent,
        engagement.emails_opened,
        engagement.emails_clicked
    from discovery
    full outer join engagement on discovery.kpi_date = engagement.kpi_date
)

select
    coalesce(daily.kpi_date, summed.kpi_date) as kpi_date,
    summed.social_impressions as campaign_social_impressions,
    daily.social_impressions,
    summed.web_sessions as campaign_web_sessions,
    daily.web_sessions,
    summed.emails_sent as campaign_emails_sent,
    daily.emails_sent
from daily
full outer join summed on daily.kpi_date = summed.kpi_date
where coalesce(summed.social_impressions, 0) <> coalesce(daily.social_impressions, 0)
    or coalesce(summed.social_likes, 0) <> coalesce(daily.social_likes, 0)
    or coalesce(summed.social_comments, 0) <> coalesce(daily.social_comments, 0)
    or coalesce(summed.social_shares, 0) <> coalesce(daily.social_shares, 0)
    or coalesce(summed.web_sessions, 0) <> coalesce(daily.web_sessions, 0)
    or coalesce(summed.emails_sent, 0) <> coalesce(daily.emails_sent, 0)
    or coalesce(summed.emails_opened, 0) <> coalesce(daily.emails_opened, 0)
    or coalesce(summed.emails_clicked, 0) <> coalesce(daily.emails_clicked, 0)

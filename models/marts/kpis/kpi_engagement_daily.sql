{#-
    Engagement KPIs per day, one row per day from the first to the last day
    any source reports.
    - Email rates are by send date: of the emails sent that day, the share
      later opened (clicked), so they stay within [0, 1].
    - Net new followers: per platform, the account's follower count at the end
      of the day minus its count at the end of the previous day it was
      reported (the first reported day has no baseline and counts 0).
    - NPS: 100 x (promoters (9-10) - detractors (0-6)) / responses.
-#}

with

post_metrics as (
    select * from {{ ref('stg_social__post_metrics') }}
),

email_events as (
    select * from {{ ref('stg_email__events') }}
),

listens as (
    select * from {{ ref('stg_media__listens') }}
),

survey_responses as (
    select * from {{ ref('stg_support__survey_responses') }}
),

sends as (
    select email, campaign, min(event_at) as sent_at
    from email_events
    where event_type = 'send'
    group by email, campaign
),

responses as (
    select
        email,
        campaign,
        max(case when event_type = 'open' then 1 else 0 end) as was_opened,
        max(case when event_type = 'click' then 1 else 0 end) as was_clicked
    from email_events
    where event_type in ('open', 'click')
    group by email, campaign
),

email_daily as (
    select
        cast(sends.sent_at as date) as kpi_date,
        count(*) as emails_sent,
        sum(coalesce(responses.was_opened, 0)) as emails_opened,
        sum(coalesce(responses.was_clicked, 0)) as emails_clicked
    from sends
    left join responses
        on sends.email = responses.email and sends.campaign = responses.campaign
    group by cast(sends.sent_at as date)
),

social_daily as (
    select
        metric_date as kpi_date,
        sum(likes) as social_likes,
        sum(comments) as social_comments,
        sum(shares) as social_shares
    from post_metrics
    group by metric_date
),

-- follower_count is the account's, repeated on every post of the day
platform_followers as (
    select platform, metric_date, max(follower_count) as follower_count
    from post_metrics
    group by platform, metric_date
),

follower_changes as (
    select
        metric_date as kpi_date,
        follower_count - lag(follower_count) over (
            partition by platform order by metric_date
        ) as net_new_followers
    from platform_followers
),

follower_daily as (
    select kpi_date, sum(coalesce(net_new_followers, 0)) as net_new_followers
    from follower_changes
    group by kpi_date
),

podcast_daily as (
    select media_date as kpi_date, sum(downloads) as podcast_downloads
    from listens
    where media_type = 'podcast'
    group by media_date
),

nps_daily as (
    select
        cast(responded_at as date) as kpi_date,
        count(*) as nps_responses,
        sum(case when score >= 9 then 1 else 0 end) as nps_promoters,
        sum(case when score <= 6 then 1 else 0 end) as nps_detractors
    from survey_responses
    where survey_type = 'nps'
    group by cast(responded_at as date)
),

activity_days as (
    select kpi_date from email_daily
    union all
    select kpi_date from social_daily
    union all
    select kpi_date from podcast_daily
    union all
    select kpi_date from nps_daily
),

days as (
    {{ date_spine_days(
        "(select min(kpi_date) from activity_days)",
        "(select max(kpi_date) from activity_days)"
    ) }}
),

joined as (
    select
        days.date_day as kpi_date,
        cast(coalesce(follower_daily.net_new_followers, 0) as {{ dbt.type_bigint() }})
            as net_new_followers,
        cast(coalesce(social_daily.social_likes, 0) as {{ dbt.type_bigint() }}) as social_likes,
        cast(coalesce(social_daily.social_comments, 0) as {{ dbt.type_bigint() }})
            as social_comments,
        cast(coalesce(social_daily.social_shares, 0) as {{ dbt.type_bigint() }})
            as social_shares,
        cast(coalesce(email_daily.emails_sent, 0) as {{ dbt.type_bigint() }}) as emails_sent,
        cast(coalesce(email_daily.emails_opened, 0) as {{ dbt.type_bigint() }}) as emails_opened,
        cast(coalesce(email_daily.emails_clicked, 0) as {{ dbt.type_bigint() }})
            as emails_clicked,
        cast(
            email_daily.emails_opened * 1.0 / nullif(email_daily.emails_sent, 0)
            as {{ type_double() }}
        ) as email_open_rate,
        cast(
            email_daily.emails_clicked * 1.0 / nullif(email_daily.emails_sent, 0)
            as {{ type_double() }}
        ) as email_click_rate,
        cast(coalesce(podcast_daily.podcast_downloads, 0) as {{ dbt.type_bigint() }})
            as podcast_downloads,
        cast(coalesce(nps_daily.nps_responses, 0) as {{ dbt.type_bigint() }}) as nps_responses,
        cast(coalesce(nps_daily.nps_promoters, 0) as {{ dbt.type_bigint() }}) as nps_promoters,
        cast(coalesce(nps_daily.nps_detractors, 0) as {{ dbt.type_bigint() }})
            as nps_detractors,
        cast(
            100.0 * (nps_daily.nps_promoters - nps_daily.nps_detractors)
            / nullif(nps_daily.nps_responses, 0)
            as {{ type_double() }}
        ) as nps
    from days
    left join follower_daily on days.date_day = follower_daily.kpi_date
    left join social_daily on days.date_day = social_daily.kpi_date
    left join email_daily on days.date_day = email_daily.kpi_date
    left join podcast_daily on days.date_day = podcast_daily.kpi_date
    left join nps_daily on days.date_day = nps_daily.kpi_date
)

select * from joined

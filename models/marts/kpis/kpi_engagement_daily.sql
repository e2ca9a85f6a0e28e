{#-
    Engagement KPIs per day. Email rates are by send date: of the emails sent
    that day, the share later opened (clicked), so they stay within [0, 1].
-#}

with

post_metrics as (
    select * from {{ ref('stg_social__post_metrics') }}
),

email_events as (
    select * from {{ ref('stg_email__events') }}
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

days as (
    select kpi_date from email_daily
    union
    select kpi_date from social_daily
),

joined as (
    select
        days.kpi_date,
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
        ) as email_click_rate
    from days
    left join email_daily on days.kpi_date = email_daily.kpi_date
    left join social_daily on days.kpi_date = social_daily.kpi_date
)

select * from joined

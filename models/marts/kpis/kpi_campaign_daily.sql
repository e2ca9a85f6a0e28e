{#-
    Discovery and engagement KPIs per day, channel, source and campaign, for
    the channels where a campaign applies:
    - social: source = platform, campaign = the post's campaign;
    - email: source = 'email', campaign = the email campaign;
    - web: source = UTM source and campaign = UTM campaign of the session's
      first page view ('(direct)' / '(none)' when absent).
    Definitions as in kpi_discovery_daily and kpi_engagement_daily, so the
    rows of a day sum to those marts' figures. Sparse: a combination appears
    on the days it has activity.
-#}

with

post_metrics as (
    select * from {{ ref('stg_social__post_metrics') }}
),

email_events as (
    select * from {{ ref('stg_email__events') }}
),

page_views as (
    select * from {{ ref('stg_web__page_views') }}
),

social as (
    select
        metric_date as kpi_date,
        'social' as channel,
        platform as source,
        coalesce(campaign, '(none)') as campaign,
        sum(impressions) as social_impressions,
        sum(likes) as social_likes,
        sum(comments) as social_comments,
        sum(shares) as social_shares
    from post_metrics
    group by metric_date, platform, coalesce(campaign, '(none)')
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

email as (
    select
        cast(sends.sent_at as date) as kpi_date,
        'email' as channel,
        'email' as source,
        sends.campaign,
        count(*) as emails_sent,
        sum(coalesce(responses.was_opened, 0)) as emails_opened,
        sum(coalesce(responses.was_clicked, 0)) as emails_clicked
    from sends
    left join responses
        on sends.email = responses.email and sends.campaign = responses.campaign
    group by cast(sends.sent_at as date), sends.campaign
),

page_view_gaps as (
    select
        event_at,
        utm_source,
        utm_campaign,
        lag(event_at) over (partition by cookie_id order by event_at, event_id)
            as previous_event_at
    from page_views
),

web as (
    select
        cast(event_at as date) as kpi_date,
        'web' as channel,
        coalesce(utm_source, '(direct)') as source,
        coalesce(utm_campaign, '(none)') as campaign,
        count(*) as web_sessions
    from page_view_gaps
    where previous_event_at is null
        or {{ dbt.datediff('previous_event_at', 'event_at', 'minute') }}
            >= {{ var('web_session_timeout_minutes', 30) }}
    group by
        cast(event_at as date),
        coalesce(utm_source, '(direct)'),
        coalesce(utm_campaign, '(none)')
),

keys as (
    select kpi_date, channel, source, campaign from social
    union
    select kpi_date, channel, source, campaign from email
    union
    select kpi_date, channel, source, campaign from web
),

joined as (
    select
        keys.kpi_date,
        keys.channel,
        keys.source,
        keys.campaign,
        cast(coalesce(social.social_impressions, 0) as {{ dbt.type_bigint() }})
            as social_impressions,
        cast(coalesce(social.social_likes, 0) as {{ dbt.type_bigint() }}) as social_likes,
        cast(coalesce(social.social_comments, 0) as {{ dbt.type_bigint() }}) as social_comments,
        cast(coalesce(social.social_shares, 0) as {{ dbt.type_bigint() }}) as social_shares,
        cast(coalesce(web.web_sessions, 0) as {{ dbt.type_bigint() }}) as web_sessions,
        cast(coalesce(email.emails_sent, 0) as {{ dbt.type_bigint() }}) as emails_sent,
        cast(coalesce(email.emails_opened, 0) as {{ dbt.type_bigint() }}) as emails_opened,
        cast(coalesce(email.emails_clicked, 0) as {{ dbt.type_bigint() }}) as emails_clicked,
        cast(
            email.emails_opened * 1.0 / nullif(email.emails_sent, 0) as {{ type_double() }}
        ) as email_open_rate,
        cast(
            email.emails_clicked * 1.0 / nullif(email.emails_sent, 0) as {{ type_double() }}
        ) as email_click_rate
    from keys
    left join social
        on keys.kpi_date = social.kpi_date
        and keys.channel = social.channel
        and keys.source = social.source
        and keys.campaign = social.campaign
    left join email
        on keys.kpi_date = email.kpi_date
        and keys.channel = email.channel
        and keys.source = email.source
        and keys.campaign = email.campaign
    left join web
        on keys.kpi_date = web.kpi_date
        and keys.channel = web.channel
        and keys.source = web.source
        and keys.campaign = web.campaign
)

select * from joined

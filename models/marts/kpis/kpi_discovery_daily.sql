{#-
    Awareness / discovery KPIs per day: reach before anyone is known. One row
    per day from the first to the last day any source reports (days without
    activity are zeros, not missing). Web sessions: a cookie's page views with
    gaps shorter than var('web_session_timeout_minutes') are one session,
    counted on the day it starts (so a day's figure needs only the last page
    view before the day as lookback). Media plays come from anonymous daily
    totals plus one row per known subscriber: distinct listeners are only
    countable for the known ones (known_podcast_listeners, known_video_viewers).
-#}

{#- The page views are read where they are needed, not through a CTE: DuckDB
    materialises a CTE read more than once (at 1M persons 28M page views). -#}
{%- set page_views = ref('stg_web__page_views') %}

with

post_metrics as (
    select * from {{ ref('stg_social__post_metrics') }}
),

ad_spend as (
    select * from {{ ref('stg_ads__spend') }}
),

listens as (
    select * from {{ ref('stg_media__listens') }}
),

social as (
    select metric_date as kpi_date, sum(impressions) as social_impressions
    from post_metrics
    group by metric_date
),

ads as (
    select spend_date as kpi_date, sum(impressions) as ad_impressions
    from ad_spend
    group by spend_date
),

page_view_gaps as (
    select
        cookie_id,
        event_at,
        lag(event_at) over (partition by cookie_id order by event_at, event_id)
            as previous_event_at
    from {{ page_views }}
),

session_starts as (
    select cookie_id, event_at as session_started_at
    from page_view_gaps
    where previous_event_at is null
        or {{ dbt.datediff('previous_event_at', 'event_at', 'minute') }}
            >= {{ var('web_session_timeout_minutes', 30) }}
),

sessions as (
    select cast(session_started_at as date) as kpi_date, count(*) as web_sessions
    from session_starts
    group by cast(session_started_at as date)
),

web as (
    select
        cast(event_at as date) as kpi_date,
        count(*) as web_page_views,
        count(distinct cookie_id) as web_unique_visitors
    from {{ page_views }}
    group by cast(event_at as date)
),

media as (
    select
        media_date as kpi_date,
        sum(listens) as media_listens,
        sum(case when media_type = 'podcast' then listens else 0 end) as podcast_listens,
        sum(case when media_type = 'video' then listens else 0 end) as video_views,
        sum(downloads) as media_downloads,
        count(distinct case when media_type = 'podcast' then email end)
            as known_podcast_listeners,
        count(distinct case when media_type = 'video' then email end) as known_video_viewers
    from listens
    group by media_date
),

activity_days as (
    select kpi_date from social
    union all
    select kpi_date from ads
    union all
    select kpi_date from web
    union all
    select kpi_date from media
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
        cast(coalesce(social.social_impressions, 0) as {{ dbt.type_bigint() }})
            as social_impressions,
        cast(coalesce(ads.ad_impressions, 0) as {{ dbt.type_bigint() }}) as ad_impressions,
        cast(coalesce(sessions.web_sessions, 0) as {{ dbt.type_bigint() }}) as web_sessions,
        cast(coalesce(web.web_page_views, 0) as {{ dbt.type_bigint() }}) as web_page_views,
        cast(coalesce(web.web_unique_visitors, 0) as {{ dbt.type_bigint() }})
            as web_unique_visitors,
        cast(coalesce(media.media_listens, 0) as {{ dbt.type_bigint() }}) as media_listens,
        cast(coalesce(media.podcast_listens, 0) as {{ dbt.type_bigint() }}) as podcast_listens,
        cast(coalesce(media.video_views, 0) as {{ dbt.type_bigint() }}) as video_views,
        cast(coalesce(media.media_downloads, 0) as {{ dbt.type_bigint() }}) as media_downloads,
        cast(coalesce(media.known_podcast_listeners, 0) as {{ dbt.type_bigint() }})
            as known_podcast_listeners,
        cast(coalesce(media.known_video_viewers, 0) as {{ dbt.type_bigint() }})
            as known_video_viewers
    from days
    left join social on days.date_day = social.kpi_date
    left join ads on days.date_day = ads.kpi_date
    left join sessions on days.date_day = sessions.kpi_date
    left join web on days.date_day = web.kpi_date
    left join media on days.date_day = media.kpi_date
)

select * from joined

{#- Awareness / discovery KPIs per day: reach before anyone is known. -#}

with

post_metrics as (
    select * from {{ ref('stg_social__post_metrics') }}
),

ad_spend as (
    select * from {{ ref('stg_ads__spend') }}
),

page_views as (
    select * from {{ ref('stg_web__page_views') }}
),

listens as (
    select * from {{ ref('stg_media__listens') }}
),

days as (
    select metric_date as kpi_date from post_metrics
    union
    select spend_date from ad_spend
    union
    select cast(event_at as date) from page_views
    union
    select media_date from listens
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

web as (
    select
        cast(event_at as date) as kpi_date,
        count(*) as web_page_views,
        count(distinct cookie_id) as web_unique_visitors
    from page_views
    group by cast(event_at as date)
),

media as (
    select
        media_date as kpi_date,
        sum(listens) as media_listens,
        sum(downloads) as media_downloads
    from listens
    group by media_date
),

joined as (
    select
        days.kpi_date,
        cast(coalesce(social.social_impressions, 0) as {{ dbt.type_bigint() }})
            as social_impressions,
        cast(coalesce(ads.ad_impressions, 0) as {{ dbt.type_bigint() }}) as ad_impressions,
        cast(coalesce(web.web_page_views, 0) as {{ dbt.type_bigint() }}) as web_page_views,
        cast(coalesce(web.web_unique_visitors, 0) as {{ dbt.type_bigint() }})
            as web_unique_visitors,
        cast(coalesce(media.media_listens, 0) as {{ dbt.type_bigint() }}) as media_listens,
        cast(coalesce(media.media_downloads, 0) as {{ dbt.type_bigint() }}) as media_downloads
    from days
    left join social on days.kpi_date = social.kpi_date
    left join ads on days.kpi_date = ads.kpi_date
    left join web on days.kpi_date = web.kpi_date
    left join media on days.kpi_date = media.kpi_date
)

select * from joined

{#-
    Loyalty / satisfaction KPIs per day: average CSAT (1-5, from surveys and
    resolved tickets) and NPS. NPS is defined once, in kpi_engagement_daily,
    and repeated here so the loyalty page reads one mart. One row per day from
    the first to the last day either source reports.
-#}

with

survey_responses as (
    select * from {{ ref('stg_support__survey_responses') }}
),

tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

engagement as (
    select * from {{ ref('kpi_engagement_daily') }}
),

csat_scores as (
    select cast(responded_at as date) as kpi_date, score
    from survey_responses
    where survey_type = 'csat'

    union all

    select cast(coalesce(resolved_at, updated_at) as date), csat_score
    from tickets
    where csat_score is not null
),

csat_daily as (
    select kpi_date, count(*) as csat_responses, sum(score) as csat_score_total
    from csat_scores
    group by kpi_date
),

activity_days as (
    select kpi_date from csat_daily
    union all
    select kpi_date from engagement
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
        cast(coalesce(csat_daily.csat_responses, 0) as {{ dbt.type_bigint() }}) as csat_responses,
        cast(coalesce(csat_daily.csat_score_total, 0) as {{ dbt.type_bigint() }})
            as csat_score_total,
        cast(
            csat_daily.csat_score_total * 1.0 / nullif(csat_daily.csat_responses, 0)
            as {{ type_double() }}
        ) as average_csat,
        cast(coalesce(engagement.nps_responses, 0) as {{ dbt.type_bigint() }}) as nps_responses,
        cast(coalesce(engagement.nps_promoters, 0) as {{ dbt.type_bigint() }}) as nps_promoters,
        cast(coalesce(engagement.nps_detractors, 0) as {{ dbt.type_bigint() }})
            as nps_detractors,
        engagement.nps
    from days
    left join csat_daily on days.date_day = csat_daily.kpi_date
    left join engagement on days.date_day = engagement.kpi_date
)

select * from joined

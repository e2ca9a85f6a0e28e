{#-
    Loyalty / satisfaction KPIs per day: CSAT (1-5, from surveys and resolved
    tickets) and NPS (share of promoters 9-10 minus share of detractors 0-6,
    times 100).
-#}

with

survey_responses as (
    select * from {{ ref('stg_support__survey_responses') }}
),

tickets as (
    select * from {{ ref('stg_support__tickets') }}
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
    select kpi_date, count(*) as csat_responses, avg(score * 1.0) as average_csat
    from csat_scores
    group by kpi_date
),

nps_daily as (
    select
        cast(responded_at as date) as kpi_date,
        count(*) as nps_responses,
        sum(case when score >= 9 then 1 else 0 end) as promoters,
        sum(case when score <= 6 then 1 else 0 end) as detractors
    from survey_responses
    where survey_type = 'nps'
    group by cast(responded_at as date)
),

days as (
    select kpi_date from csat_daily
    union
    select kpi_date from nps_daily
),

joined as (
    select
        days.kpi_date,
        cast(coalesce(csat_daily.csat_responses, 0) as {{ dbt.type_bigint() }}) as csat_responses,
        cast(csat_daily.average_csat as {{ type_double() }}) as average_csat,
        cast(coalesce(nps_daily.nps_responses, 0) as {{ dbt.type_bigint() }}) as nps_responses,
        cast(
            100.0 * (nps_daily.promoters - nps_daily.detractors) / nullif(nps_daily.nps_responses, 0)
            as {{ type_double() }}
        ) as nps
    from days
    left join csat_daily on days.kpi_date = csat_daily.kpi_date
    left join nps_daily on days.kpi_date = nps_daily.kpi_date
)

select * from joined

{#-
    Acquisition KPIs per day: people who became leads or signed up. One row
    per day from the first to the last day either source reports.
-#}

with

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

app_events as (
    select * from {{ ref('stg_app__events') }}
),

lead_daily as (
    select cast(created_at as date) as kpi_date, count(*) as new_leads
    from leads
    group by cast(created_at as date)
),

sign_up_daily as (
    select cast(event_at as date) as kpi_date, count(*) as new_sign_ups
    from app_events
    where event_name = 'sign_up'
    group by cast(event_at as date)
),

activity_days as (
    select kpi_date from lead_daily
    union all
    select kpi_date from sign_up_daily
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
        cast(coalesce(lead_daily.new_leads, 0) as {{ dbt.type_bigint() }}) as new_leads,
        cast(coalesce(sign_up_daily.new_sign_ups, 0) as {{ dbt.type_bigint() }}) as new_sign_ups
    from days
    left join lead_daily on days.date_day = lead_daily.kpi_date
    left join sign_up_daily on days.date_day = sign_up_daily.kpi_date
)

select * from joined

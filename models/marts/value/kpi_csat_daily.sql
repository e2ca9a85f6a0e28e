{#-
    CSAT per day from the CSAT surveys (scores 1-5): satisfied responses (4 or
    5) / responses. Only days with at least one valid response have a row.
-#}

with

survey_responses as (
    select * from {{ ref('stg_support__survey_responses') }}
),

csat_responses as (
    select
        cast(survey_responses.responded_at as date) as date_day,
        survey_responses.score
    from survey_responses
    where survey_responses.survey_type = 'csat'
        and survey_responses.score between 1 and 5
),

daily as (
    select
        csat_responses.date_day,
        count(*) as responses,
        sum(case when csat_responses.score >= 4 then 1 else 0 end) as satisfied_responses
    from csat_responses
    group by csat_responses.date_day
),

final as (
    select
        daily.date_day,
        cast(daily.responses as {{ dbt.type_bigint() }}) as responses,
        cast(daily.satisfied_responses as {{ dbt.type_bigint() }}) as satisfied_responses,
        cast(1.0 * daily.satisfied_responses / daily.responses as {{ type_double() }}) as csat
    from daily
)

select * from final

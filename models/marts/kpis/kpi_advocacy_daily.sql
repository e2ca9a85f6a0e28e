{#- Advocacy KPIs per day: referrals, reviews and positive mentions. -#}

with

referrals as (
    select * from {{ ref('stg_referrals__referrals') }}
),

reviews as (
    select * from {{ ref('stg_reviews__reviews') }}
),

mentions as (
    select * from {{ ref('stg_social__mentions') }}
),

referral_daily as (
    select cast(referred_at as date) as kpi_date, count(*) as referrals_sent
    from referrals
    group by cast(referred_at as date)
),

review_daily as (
    select cast(reviewed_at as date) as kpi_date, count(*) as reviews, avg(rating * 1.0) as average_rating
    from reviews
    group by cast(reviewed_at as date)
),

mention_daily as (
    select cast(mentioned_at as date) as kpi_date, count(*) as positive_mentions
    from mentions
    where sentiment = 'positive'
    group by cast(mentioned_at as date)
),

days as (
    select kpi_date from referral_daily
    union
    select kpi_date from review_daily
    union
    select kpi_date from mention_daily
),

joined as (
    select
        days.kpi_date,
        cast(coalesce(referral_daily.referrals_sent, 0) as {{ dbt.type_bigint() }})
            as referrals_sent,
        cast(coalesce(review_daily.reviews, 0) as {{ dbt.type_bigint() }}) as reviews,
        cast(review_daily.average_rating as {{ type_double() }}) as average_rating,
        cast(coalesce(mention_daily.positive_mentions, 0) as {{ dbt.type_bigint() }})
            as positive_mentions
    from days
    left join referral_daily on days.kpi_date = referral_daily.kpi_date
    left join review_daily on days.kpi_date = review_daily.kpi_date
    left join mention_daily on days.kpi_date = mention_daily.kpi_date
)

select * from joined

{#-
    Advocacy KPIs per day, one row per day from the first to the last day any
    source reports.
    - Referred customers: customers who received a referral invitation before
      (or when) they first purchased, counted on their first-purchase day;
      referral rate = referred new customers / new customers that day.
    - Revenue of referred customers: net revenue (EUR) of all their purchases
      and returns, on the purchase day.
    - Affiliate revenue: net revenue (EUR, after refunds, as the shop records
      it) of the orders credited to an affiliate, and the commission owed, on
      the conversion day.
-#}

with

touchpoints as (
    select * from {{ ref('touchpoints') }}
),

customers as (
    select * from {{ ref('customers') }}
),

referrals as (
    select * from {{ ref('stg_referrals__referrals') }}
),

affiliate_conversions as (
    select * from {{ ref('stg_affiliates__conversions') }}
),

currency_rates as (
    select * from {{ ref('currency_rates') }}
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

referred_customers as (
    select customers.customer_id
    from customers
    inner join touchpoints on customers.customer_id = touchpoints.customer_id
    where touchpoints.touchpoint_type = 'referral_received'
        and touchpoints.occurred_at <= customers.first_purchased_at
    group by customers.customer_id
),

new_customer_daily as (
    select
        cast(customers.first_purchased_at as date) as kpi_date,
        count(*) as new_customers,
        sum(case when referred_customers.customer_id is not null then 1 else 0 end)
            as referred_new_customers
    from customers
    left join referred_customers on customers.customer_id = referred_customers.customer_id
    where customers.first_purchased_at is not null
    group by cast(customers.first_purchased_at as date)
),

referred_revenue_daily as (
    select
        touchpoints.touchpoint_date as kpi_date,
        sum(touchpoints.revenue_eur) as referred_customer_revenue_eur
    from touchpoints
    inner join referred_customers on touchpoints.customer_id = referred_customers.customer_id
    where touchpoints.touchpoint_type in ('purchase', 'return')
    group by touchpoints.touchpoint_date
),

order_revenue as (
    select touchpoint_id, revenue_eur
    from touchpoints
    where touchpoint_type = 'purchase' and channel = 'shop'
),

affiliate_daily as (
    select
        cast(affiliate_conversions.converted_at as date) as kpi_date,
        count(*) as affiliate_conversions,
        sum(coalesce(order_revenue.revenue_eur, 0)) as affiliate_revenue_eur,
        sum(affiliate_conversions.commission_amount * currency_rates.rate_to_eur)
            as affiliate_commission_eur
    from affiliate_conversions
    left join order_revenue
        on order_revenue.touchpoint_id
            = {{ dbt.concat(["'order:'", "affiliate_conversions.order_id", "':purchase'"]) }}
    left join currency_rates on affiliate_conversions.currency = currency_rates.currency
    group by cast(affiliate_conversions.converted_at as date)
),

review_daily as (
    select cast(reviewed_at as date) as kpi_date, count(*) as reviews, sum(rating) as rating_total
    from reviews
    group by cast(reviewed_at as date)
),

mention_daily as (
    select cast(mentioned_at as date) as kpi_date, count(*) as positive_mentions
    from mentions
    where sentiment = 'positive'
    group by cast(mentioned_at as date)
),

activity_days as (
    select kpi_date from referral_daily
    union all
    select kpi_date from new_customer_daily
    union all
    select kpi_date from referred_revenue_daily
    union all
    select kpi_date from affiliate_daily
    union all
    select kpi_date from review_daily
    union all
    select kpi_date from mention_daily
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
        cast(coalesce(referral_daily.referrals_sent, 0) as {{ dbt.type_bigint() }})
            as referrals_sent,
        cast(coalesce(new_customer_daily.new_customers, 0) as {{ dbt.type_bigint() }})
            as new_customers,
        cast(coalesce(new_customer_daily.referred_new_customers, 0) as {{ dbt.type_bigint() }})
            as referred_new_customers,
        cast(
            new_customer_daily.referred_new_customers * 1.0
            / nullif(new_customer_daily.new_customers, 0)
            as {{ type_double() }}
        ) as referral_rate,
        cast(
            coalesce(referred_revenue_daily.referred_customer_revenue_eur, 0)
            as {{ type_double() }}
        ) as referred_customer_revenue_eur,
        cast(coalesce(affiliate_daily.affiliate_conversions, 0) as {{ dbt.type_bigint() }})
            as affiliate_conversions,
        cast(coalesce(affiliate_daily.affiliate_revenue_eur, 0) as {{ type_double() }})
            as affiliate_revenue_eur,
        cast(coalesce(affiliate_daily.affiliate_commission_eur, 0) as {{ type_double() }})
            as affiliate_commission_eur,
        cast(coalesce(review_daily.reviews, 0) as {{ dbt.type_bigint() }}) as reviews,
        cast(coalesce(review_daily.rating_total, 0) as {{ dbt.type_bigint() }}) as rating_total,
        cast(
            review_daily.rating_total * 1.0 / nullif(review_daily.reviews, 0)
            as {{ type_double() }}
        ) as average_rating,
        cast(coalesce(mention_daily.positive_mentions, 0) as {{ dbt.type_bigint() }})
            as positive_mentions
    from days
    left join referral_daily on days.date_day = referral_daily.kpi_date
    left join new_customer_daily on days.date_day = new_customer_daily.kpi_date
    left join referred_revenue_daily on days.date_day = referred_revenue_daily.kpi_date
    left join affiliate_daily on days.date_day = affiliate_daily.kpi_date
    left join review_daily on days.date_day = review_daily.kpi_date
    left join mention_daily on days.date_day = mention_daily.kpi_date
)

select * from joined

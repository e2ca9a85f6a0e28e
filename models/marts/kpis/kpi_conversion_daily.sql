{#-
    Conversion KPIs per day. Orders are purchases online and in store; revenue
    is net of refunds and returns, in EUR. Cart abandonment is by cart
    creation date: abandoned carts / carts created.
-#}

with

touchpoints as (
    select * from {{ ref('touchpoints') }}
),

carts as (
    select * from {{ ref('stg_shop__carts') }}
),

customers as (
    select * from {{ ref('customers') }}
),

sales as (
    select
        touchpoint_date as kpi_date,
        sum(case when touchpoint_type = 'purchase' then 1 else 0 end) as n_orders,
        sum(revenue_eur) as revenue_eur,
        sum(case when touchpoint_type = 'purchase' then revenue_eur else 0 end)
            as purchase_revenue_eur
    from touchpoints
    where touchpoint_type in ('purchase', 'return')
    group by touchpoint_date
),

first_purchases as (
    select cast(first_purchased_at as date) as kpi_date, count(*) as n_first_purchases
    from customers
    where first_purchased_at is not null
    group by cast(first_purchased_at as date)
),

cart_daily as (
    select
        cast(created_at as date) as kpi_date,
        count(*) as carts_created,
        sum(case when status = 'abandoned' then 1 else 0 end) as carts_abandoned
    from carts
    group by cast(created_at as date)
),

days as (
    select kpi_date from sales
    union
    select kpi_date from cart_daily
),

joined as (
    select
        days.kpi_date,
        cast(coalesce(sales.n_orders, 0) as {{ dbt.type_bigint() }}) as n_orders,
        cast(coalesce(first_purchases.n_first_purchases, 0) as {{ dbt.type_bigint() }})
            as n_first_purchases,
        cast(coalesce(sales.revenue_eur, 0) as {{ type_double() }}) as revenue_eur,
        cast(
            sales.purchase_revenue_eur / nullif(sales.n_orders, 0) as {{ type_double() }}
        ) as average_order_value_eur,
        cast(coalesce(cart_daily.carts_created, 0) as {{ dbt.type_bigint() }}) as carts_created,
        cast(coalesce(cart_daily.carts_abandoned, 0) as {{ dbt.type_bigint() }})
            as carts_abandoned,
        cast(
            cart_daily.carts_abandoned * 1.0 / nullif(cart_daily.carts_created, 0)
            as {{ type_double() }}
        ) as cart_abandonment_rate
    from days
    left join sales on days.kpi_date = sales.kpi_date
    left join first_purchases on days.kpi_date = first_purchases.kpi_date
    left join cart_daily on days.kpi_date = cart_daily.kpi_date
)

select * from joined

{{ config(meta={"dagster": {"ref": {"name": "customer_value"}}}) }}
-- Historical CLV reconciles with the touchpoint facts: for every customer with
-- a purchase up to as_of_date, historical_clv_eur is the net revenue of their
-- purchase and return touchpoints up to that day, and nobody is missing.
with

customer_value as (
    select * from {{ ref('customer_value') }}
),

touchpoints as (
    select * from {{ ref('touchpoints') }}
),

observation_end as (
    select max(customer_value.as_of_date) as as_of_date
    from customer_value
),

expected as (
    select
        touchpoints.customer_id,
        sum(coalesce(touchpoints.revenue_eur, 0)) as revenue_eur
    from touchpoints
    cross join observation_end
    where touchpoints.touchpoint_type in ('purchase', 'return')
        and touchpoints.touchpoint_date <= observation_end.as_of_date
    group by touchpoints.customer_id
    having sum(case when touchpoints.touchpoint_type = 'purchase' then 1 else 0 end) > 0
)

select
    coalesce(expected.customer_id, customer_value.customer_id) as customer_id,
    expected.revenue_eur as expected_revenue_eur,
    customer_value.historical_clv_eur
from expected
full outer join customer_value
    on expected.customer_id = customer_value.customer_id
where expected.customer_id is null
    or customer_value.customer_id is null
    or abs(expected.revenue_eur - customer_value.historical_clv_eur) > 0.005

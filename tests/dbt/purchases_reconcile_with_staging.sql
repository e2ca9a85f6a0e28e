{{ config(meta={"dagster": {"ref": {"name": "touchpoints"}}}) }}
-- Every purchase in staging appears exactly once in the touchpoint facts, with
-- its net amount (orders: total - refunded; till receipts: amount).
with

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

pos_transactions as (
    select * from {{ ref('stg_pos__transactions') }}
),

touchpoints as (
    select * from {{ ref('touchpoints') }}
),

expected as (
    select
        {{ dbt.concat(["'order:'", "order_id", "':purchase'"]) }} as touchpoint_id,
        total_amount - coalesce(refunded_amount, 0) as amount
    from orders
    union all
    select
        {{ dbt.concat(["'pos:'", "transaction_id", "':'",
            "case when transaction_type = 'return' then 'return' else 'purchase' end"]) }},
        amount
    from pos_transactions
),

actual as (
    select touchpoint_id, count(*) as n_rows, sum(revenue_amount) as amount
    from touchpoints
    where touchpoint_type in ('purchase', 'return')
    group by touchpoint_id
)

select expected.touchpoint_id, expected.amount, actual.n_rows, actual.amount as fact_amount
from expected
left join actual on expected.touchpoint_id = actual.touchpoint_id
where actual.touchpoint_id is null
    or actual.n_rows <> 1
    or abs(actual.amount - expected.amount) > 0.005

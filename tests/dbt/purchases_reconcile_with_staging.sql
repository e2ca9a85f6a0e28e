{{ config(meta={"dagster": {"ref": {"name": "touchpoints"}}}) }}
-- Revenue reconciles across layers.
-- 1. Every purchase in staging appears exactly once in the touchpoint facts,
--    with its net amount (orders: total - refunded; till receipts: amount,
--    negative for returns).
-- 2. Total revenue net of refunds, in EUR, is the same in staging, in the
--    touchpoint facts, in kpi_conversion_daily and in its weekly and monthly
--    rollups (so no KPI mart drops, doubles or re-rates a purchase).
with

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

pos_transactions as (
    select * from {{ ref('stg_pos__transactions') }}
),

currency_rates as (
    select * from {{ ref('currency_rates') }}
),

touchpoints as (
    select * from {{ ref('touchpoints') }}
),

conversion_daily as (
    select * from {{ ref('kpi_conversion_daily') }}
),

conversion_weekly as (
    select * from {{ ref('kpi_conversion_weekly') }}
),

conversion_monthly as (
    select * from {{ ref('kpi_conversion_monthly') }}
),

expected as (
    select
        {{ dbt.concat(["'order:'", "order_id", "':purchase'"]) }} as touchpoint_id,
        total_amount - coalesce(refunded_amount, 0) as amount,
        currency
    from orders
    union all
    select
        {{ dbt.concat(["'pos:'", "transaction_id", "':'",
            "case when transaction_type = 'return' then 'return' else 'purchase' end"]) }},
        amount,
        currency
    from pos_transactions
),

actual as (
    select touchpoint_id, count(*) as n_rows, sum(revenue_amount) as amount
    from touchpoints
    where touchpoint_type in ('purchase', 'return')
    group by touchpoint_id
),

unmatched_purchases as (
    select
        expected.touchpoint_id as item,
        cast(expected.amount as {{ type_double() }}) as expected_amount,
        cast(actual.amount as {{ type_double() }}) as actual_amount
    from expected
    left join actual on expected.touchpoint_id = actual.touchpoint_id
    where actual.touchpoint_id is null
        or actual.n_rows <> 1
        or abs(actual.amount - expected.amount) > 0.005
),

layer_totals as (
    select 'touchpoints' as layer, sum(revenue_eur) as revenue_eur
    from touchpoints
    where touchpoint_type in ('purchase', 'return')
    union all
    select 'kpi_conversion_daily', sum(revenue_eur) from conversion_daily
    union all
    select 'kpi_conversion_weekly', sum(revenue_eur) from conversion_weekly
    union all
    select 'kpi_conversion_monthly', sum(revenue_eur) from conversion_monthly
),

staged_total as (
    select sum(expected.amount * currency_rates.rate_to_eur) as revenue_eur
    from expected
    left join currency_rates on expected.currency = currency_rates.currency
),

unreconciled_layers as (
    select
        {{ dbt.concat(["'total revenue_eur in '", "layer_totals.layer"]) }} as item,
        cast(staged_total.revenue_eur as {{ type_double() }}) as expected_amount,
        cast(layer_totals.revenue_eur as {{ type_double() }}) as actual_amount
    from layer_totals
    cross join staged_total
    -- a cent, plus float rounding on large totals
    where abs(coalesce(layer_totals.revenue_eur, 0) - coalesce(staged_total.revenue_eur, 0))
        > 0.01 + 0.000001 * abs(coalesce(staged_total.revenue_eur, 0))
)

select * from unmatched_purchases
union all
select * from unreconciled_layers

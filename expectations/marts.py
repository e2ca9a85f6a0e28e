"""Suites for the marts layer, checked before the reports are built.

GX covers what dbt tests express poorly (the style guide): row counts, value bounds,
and cross-table rules as `UnexpectedRowsExpectation`s whose query returns the
violating rows (GX substitutes `{batch}` with the validated mart). Keys, not-null
columns, accepted values and relationships are dbt tests on the same marts
(models/marts/*/_*__models.yml) and are not repeated here:

- customers: at least one row;
- touchpoints: at least one row; purchase revenue that reconciles per currency with
  staging (orders net of refunds + till receipts); a touchpoint above 100k EUR is a
  warning;
- customer_stage_history: no two spells of one customer overlap;
- KPI marts: every rate (and share: CSAT, probability alive, attribution credit)
  within [0, 1].
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from expectations.suite import RunParameters, Suite

if TYPE_CHECKING:
    import great_expectations.expectations as gxe

# Unexpected-rows rules (the violating rows), named by their GX description.
# Total purchase revenue per currency in the facts (purchases and POS returns, net
# of refunds) against the staged orders (total - refunded) and till receipts.
REVENUE_NOT_RECONCILING = """
with batch as (select * from {batch}),
facts as (
    select currency, sum(revenue_amount) as amount
    from batch
    where touchpoint_type in ('purchase', 'return')
    group by currency
),
staged_rows as (
    select currency, total_amount - coalesce(refunded_amount, 0) as amount
    from staging.stg_shop__orders
    union all
    select currency, amount from staging.stg_pos__transactions
),
staged as (
    select currency, sum(amount) as amount from staged_rows group by currency
)
select
    coalesce(facts.currency, staged.currency) as currency,
    facts.amount as touchpoint_revenue,
    staged.amount as staged_revenue
from facts
full outer join staged on facts.currency = staged.currency
where abs(coalesce(facts.amount, 0) - coalesce(staged.amount, 0)) > 0.005
"""

OVERLAPPING_SPELLS = """
with batch as (select * from {batch})
select earlier.customer_id, earlier.stage_spell_id, later.stage_spell_id as later_spell_id
from batch as earlier
inner join batch as later
    on earlier.customer_id = later.customer_id
    and earlier.spell_number < later.spell_number
where earlier.valid_to is null or earlier.valid_to > later.valid_from
"""

EMAIL_RATES = ("email_open_rate", "email_click_rate")
CONVERSION_RATES = ("cart_abandonment_rate", "lead_to_customer_rate", "trial_to_paid_rate")
RATES = {
    "kpi_engagement_daily": EMAIL_RATES,
    "kpi_engagement_weekly": EMAIL_RATES,
    "kpi_engagement_monthly": EMAIL_RATES,
    "kpi_campaign_daily": EMAIL_RATES,
    "kpi_campaign_weekly": EMAIL_RATES,
    "kpi_campaign_monthly": EMAIL_RATES,
    "kpi_conversion_daily": CONVERSION_RATES,
    "kpi_conversion_weekly": CONVERSION_RATES,
    "kpi_conversion_monthly": CONVERSION_RATES,
    "kpi_advocacy_daily": ("referral_rate",),
    "kpi_advocacy_weekly": ("referral_rate",),
    "kpi_advocacy_monthly": ("referral_rate",),
    "kpi_retention_monthly": (
        "repeat_purchase_rate",
        "customer_churn_rate",
        "subscription_churn_rate",
        "review_rate",
    ),
    "retention_cohorts": ("retention_rate",),
    "conversion_funnel_monthly": (
        "engagement_step_rate",
        "evaluation_step_rate",
        "acquisition_step_rate",
        "conversion_step_rate",
        "retention_step_rate",
        "conversion_rate",
    ),
    "kpi_csat_daily": ("csat",),
    "customer_value": ("probability_alive",),
    "attribution_credits": ("credit",),
}


def customers_expectations() -> list[gxe.Expectation]:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
    ]


def touchpoints_expectations() -> list[gxe.Expectation]:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        gxe.UnexpectedRowsExpectation(
            description="revenue_not_reconciling_with_staging",
            unexpected_rows_query=REVENUE_NOT_RECONCILING,
        ),
        # Purchases carry revenue; a single touchpoint above 100k EUR is most likely a
        # unit error, but possible: a warning.
        gxe.ExpectColumnValuesToBeBetween(
            column="revenue_eur", min_value=-100_000, max_value=100_000, severity="warning"
        ),
    ]


def customer_stage_history_expectations() -> list[gxe.Expectation]:
    import great_expectations.expectations as gxe

    return [
        gxe.UnexpectedRowsExpectation(
            description="overlapping_stage_spells", unexpected_rows_query=OVERLAPPING_SPELLS
        )
    ]


def rates_expectations(table: str) -> list[gxe.Expectation]:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=1)
        for column in RATES[table]
    ]


SUITES = {
    "customers": customers_expectations,
    "touchpoints": touchpoints_expectations,
    "customer_stage_history": customer_stage_history_expectations,
    **{table: (lambda table=table: rates_expectations(table)) for table in RATES},
}
TABLES = tuple(SUITES)


def suites(run: RunParameters, tables: tuple[str, ...] = TABLES) -> list[Suite]:
    return [
        Suite(layer="marts", schema="marts", table=table, expectations=SUITES[table])
        for table in tables
    ]

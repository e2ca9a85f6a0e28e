"""Suite for the marts layer: what dbt tests express poorly (row-count bounds,
value sets and ranges over whole tables), checked before the reports are built."""

from __future__ import annotations

import great_expectations.expectations as gxe

TOUCHPOINT_CHANNELS = [
    "web", "app", "email", "social", "ads", "crm", "shop", "pos",
    "call_centre", "support", "reviews", "referrals", "affiliates", "media",
]  # fmt: skip


def touchpoints_expectations() -> list[gxe.Expectation]:
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        gxe.ExpectColumnValuesToNotBeNull(column="touchpoint_id"),
        gxe.ExpectColumnValuesToBeUnique(column="touchpoint_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="customer_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="occurred_at"),
        gxe.ExpectColumnValuesToBeInSet(column="channel", value_set=TOUCHPOINT_CHANNELS),
        # Purchases carry revenue; a single touchpoint above 100k EUR is a unit error.
        gxe.ExpectColumnValuesToBeBetween(
            column="revenue_eur", min_value=-100_000, max_value=100_000, mostly=1.0
        ),
    ]


def customers_expectations() -> list[gxe.Expectation]:
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        gxe.ExpectColumnValuesToBeUnique(column="customer_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="current_stage"),
        gxe.ExpectColumnValuesToBeBetween(column="n_identifiers", min_value=1),
    ]


# (schema, table) -> expectations
SUITES = {
    ("marts", "touchpoints"): touchpoints_expectations,
    ("marts", "customers"): customers_expectations,
}

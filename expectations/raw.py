"""Suites for the raw layer: the channel export contract
(`orchestration/contract/channels.yml`) as expectations on the raw tables.

Ingestion already enforces the contract row by row (a violating row goes to
quarantine), so a critical failure here means ingestion let something through.
Generated from `load_contract()`, one suite per channel:

- every contract column and lineage column is present (critical);
- required columns are not null (critical);
- accepted values (critical);
- the contract's `min` / `max` (critical): amounts are non-negative except where the
  contract sets no minimum (POS receipts, negative for returns);
- dates and timestamps between 2000-01-01 and the run time + 1 day (warning).

A run validates the rows of the delivery days it loaded (`_delivery_date`); without
a partition range (a check run on its own) every row.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from expectations.suite import EARLIEST_PLAUSIBLE, RunParameters, Suite
from orchestration.contract import LINEAGE_COLUMNS, Channel, load_contract

if TYPE_CHECKING:
    import great_expectations.expectations as gxe

TABLES = tuple(channel.name for channel in load_contract())


def channel_expectations(channel: Channel, run: RunParameters) -> list[gxe.Expectation]:
    import great_expectations.expectations as gxe

    expectations: list[gxe.Expectation] = [
        gxe.ExpectTableColumnsToMatchSet(
            column_set=[*channel.column_names, *LINEAGE_COLUMNS], exact_match=False
        ),
    ]
    for column in channel.columns:
        if column.required:
            expectations.append(gxe.ExpectColumnValuesToNotBeNull(column=column.name))
        if column.accepted_values:
            expectations.append(
                gxe.ExpectColumnValuesToBeInSet(
                    column=column.name, value_set=list(column.accepted_values)
                )
            )
        if column.min is not None or column.max is not None:
            expectations.append(
                gxe.ExpectColumnValuesToBeBetween(
                    column=column.name, min_value=column.min, max_value=column.max
                )
            )
        if column.type in ("date", "timestamp"):
            earliest, latest = EARLIEST_PLAUSIBLE, run.latest_plausible
            if column.type == "date":
                earliest, latest = earliest.date(), latest.date()
            expectations.append(
                gxe.ExpectColumnValuesToBeBetween(
                    column=column.name,
                    min_value=earliest.isoformat(),
                    max_value=latest.isoformat(),
                    severity="warning",
                )
            )
    return expectations


def _delivered_between(dates: tuple[date, date] | None) -> str | None:
    if dates is None:
        return None
    first, last = dates
    return f"_delivery_date between date '{first.isoformat()}' and date '{last.isoformat()}'"


def suites(run: RunParameters, tables: tuple[str, ...] = TABLES) -> list[Suite]:
    contract = load_contract()
    return [
        Suite(
            layer="raw",
            schema="raw",
            table=name,
            expectations=lambda channel=contract[name]: channel_expectations(channel, run),
            where=_delivered_between(run.delivery_dates),
        )
        for name in tables
    ]

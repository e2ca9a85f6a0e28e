"""The GX suites of every layer on small hand-made warehouses: each passes on good data
and names the specific failure on bad data; outcomes land in quality.check_results.

Two warehouses (good, bad), each validated once for all three layers (a GX
validation costs about a second, most of it Data Docs)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from expectations import marts, raw, staging
from expectations.results import RESULTS_TABLE, write_check_results
from expectations.runner import SuiteOutcome, validate_suites
from expectations.suite import RunParameters
from orchestration.contract import load_contract

CHECKED_AT = datetime(2026, 1, 10, 6, 0)
# The run loads delivery days 1-3; rows delivered on the 5th are not validated.
RUN = RunParameters(checked_at=CHECKED_AT, delivery_dates=(date(2026, 1, 1), date(2026, 1, 3)))


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    for row in rows:
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        con.execute(f"insert into {table} ({columns}) values ({marks})", list(row.values()))


def order(order_id: str, delivered: str, **overrides) -> dict:
    row = {
        "order_id": order_id,
        "ordered_at": datetime(2026, 1, 2, 10, 0),
        "updated_at": datetime(2026, 1, 2, 10, 0),
        "currency": "EUR",
        "subtotal_amount": 80,
        "tax_amount": 10,
        "shipping_amount": 10,
        "total_amount": 100,
        "status": "paid",
        "_delivery_date": date.fromisoformat(delivered),
    }
    return {**row, **overrides}


def make_raw(con: duckdb.DuckDBPyConnection, *, bad: bool) -> None:
    contract = load_contract()
    con.execute("create schema raw")
    for channel in ("orders", "pos_transactions"):
        con.execute(contract[channel].raw_table_ddl())
    orders = [
        order("o1", "2026-01-02"),
        # Outside the run's delivery days: never validated by this run.
        order("o9", "2026-01-05", status="lost", total_amount=-1),
    ]
    if bad:
        orders.append(
            order(
                "o2",
                "2026-01-03",
                status="lost",
                total_amount=-1,
                currency=None,
                ordered_at=datetime(1999, 12, 31),
            )
        )
    insert(con, "raw.orders", orders)
    # A return has a negative amount: the contract sets no minimum for POS amounts.
    insert(
        con,
        "raw.pos_transactions",
        [
            {
                "transaction_id": "t2",
                "transacted_at": datetime(2026, 1, 3, 9, 0),
                "store_id": "s1",
                "transaction_type": "return",
                "amount": -5,
                "currency": "EUR",
                "_delivery_date": date(2026, 1, 3),
            }
        ],
    )


def make_staging(con: duckdb.DuckDBPyConnection, *, bad: bool) -> None:
    con.execute("create schema staging")
    con.execute(
        "create table staging.stg_shop__orders (order_id varchar, email varchar,"
        " phone varchar, currency varchar, total_amount decimal(18, 4),"
        " refunded_amount decimal(18, 4))"
    )
    orders = [
        ("o1", "ann@example.com", "+447700900123", "EUR", 100, 10),
        ("o2", None, None, "GBP", 50, 0),
    ]
    if bad:
        orders += [
            # A duplicate key: dbt's unique test finds it; GX does not repeat it.
            ("o1", "ann@example.com", None, "EUR", 0, 0),
            ("o3", "Ann@Example", "07700 900123", "EUR", 0, 0),  # malformed identifiers
        ]
    con.executemany("insert into staging.stg_shop__orders values (?, ?, ?, ?, ?, ?)", orders)
    con.execute(
        "create table staging.stg_pos__transactions as select * from (values"
        " ('t1', 'EUR', 20.00), ('t2', 'EUR', -5.00)) as t(transaction_id, currency, amount)"
    )


def make_marts(con: duckdb.DuckDBPyConnection, *, bad: bool) -> None:
    con.execute("create schema marts")
    # Bad: no customers at all (a duplicate key would be dbt's to find).
    customers = [] if bad else [("c1", "customer", 3), ("c2", "lead", 1)]
    con.execute(
        "create table marts.customers (customer_id varchar, current_stage varchar,"
        " n_identifiers integer)"
    )
    if customers:
        con.executemany("insert into marts.customers values (?, ?, ?)", customers)
    at = datetime(2026, 1, 2, 10, 0)
    touchpoints = [
        # EUR: 90 + 20 - 5 = 105 = (100 - 10) + 20 - 5 in staging; GBP: 50 = 50.
        ("order:o1:purchase", "c1", "shop", "purchase", 95 if bad else 90, "EUR", 90.0),
        ("order:o2:purchase", "c2", "shop", "purchase", 50, "GBP", 150_000.0 if bad else 58.0),
        ("pos:t1:purchase", "c1", "pos", "purchase", 20, "EUR", 20.0),
        ("pos:t2:return", "c1", "pos", "return", -5, "EUR", -5.0),
        ("web:e1:page_view", "c2", "web", "page_view", None, None, None),
    ]
    if bad:
        # A customer missing from marts.customers: dbt's relationships test, not GX.
        touchpoints.append(("web:e2:page_view", "c9", "web", "page_view", None, None, None))
    con.execute(
        "create table marts.touchpoints (touchpoint_id varchar, customer_id varchar,"
        " channel varchar, touchpoint_type varchar, revenue_amount decimal(28, 6),"
        " currency varchar, revenue_eur double, occurred_at timestamp)"
    )
    con.executemany(
        "insert into marts.touchpoints values (?, ?, ?, ?, ?, ?, ?, ?)",
        [(*row, at) for row in touchpoints],
    )
    spells = [
        ("s1", "c1", 1, "2026-01-01", "2026-01-02"),
        ("s2", "c1", 2, "2026-01-02", None),
        ("s3", "c2", 1, "2026-01-01", "2026-01-04" if bad else None),
    ]
    if bad:
        spells.append(("s4", "c2", 2, "2026-01-03", None))  # starts before s3 ends
    con.execute(
        "create table marts.customer_stage_history (stage_spell_id varchar,"
        " customer_id varchar, spell_number integer, valid_from timestamp, valid_to timestamp)"
    )
    con.executemany("insert into marts.customer_stage_history values (?, ?, ?, ?, ?)", spells)
    con.execute(
        "create table marts.kpi_engagement_daily as select * from (values"
        f" (0.5, 0.1), ({1.5 if bad else 0.9}, 0.2), (null, null))"
        " as t(email_open_rate, email_click_rate)"
    )


SUITES = [
    *raw.suites(RUN, ("orders", "pos_transactions")),
    *staging.suites(RUN, ("stg_shop__orders",)),
    *marts.suites(RUN, ("customers", "touchpoints", "customer_stage_history")),
    *marts.suites(RUN, ("kpi_engagement_daily",)),
]


def build(tmp_path_factory: pytest.TempPathFactory, *, bad: bool) -> tuple[Path, list]:
    folder = tmp_path_factory.mktemp("bad" if bad else "good")
    warehouse = folder / "w.duckdb"
    con = duckdb.connect(str(warehouse))
    make_raw(con, bad=bad)
    make_staging(con, bad=bad)
    make_marts(con, bad=bad)
    con.close()
    return warehouse, validate_suites(warehouse, SUITES, gx_root=folder, checkpoint="test")


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[SuiteOutcome]]:
    return build(tmp_path_factory, bad=False)


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[SuiteOutcome]]:
    return build(tmp_path_factory, bad=True)


def failures(outcomes: list[SuiteOutcome], suite: str) -> dict[tuple[str, str | None], tuple]:
    [outcome] = [o for o in outcomes if o.suite == suite]
    return {(f.expectation, f.column): (f.severity, f.observed) for f in outcome.failures}


def test_every_layer_passes_on_good_data(good) -> None:
    warehouse, outcomes = good
    assert [o.suite for o in outcomes] == [s.name for s in SUITES]
    for outcome in outcomes:
        assert outcome.success, (outcome.suite, outcome.failures)
        assert outcome.outcomes
    assert {o.layer for o in outcomes} == {"raw", "staging", "marts"}
    assert outcomes[0].data_docs is not None and outcomes[0].data_docs.exists()
    duckdb.connect(str(warehouse)).close()  # GX left no connection on the file


def test_raw_contract_failures(bad) -> None:
    _, outcomes = bad
    failed = failures(outcomes, "raw.orders")
    # Only o2 (delivered on the 3rd) is validated, not o9 (the 5th).
    assert failed == {
        ("expect_column_values_to_not_be_null", "currency"): (
            "error",
            "unexpected_count=1 [None]",
        ),
        ("expect_column_values_to_be_in_set", "status"): ("error", "unexpected_count=1 ['lost']"),
        ("expect_column_values_to_be_between", "total_amount"): (
            "error",
            "unexpected_count=1 [-1.0]",
        ),
        ("expect_column_values_to_be_between", "ordered_at"): (
            "warning",
            "unexpected_count=1 ['1999-12-31T00:00:00']",
        ),
    }
    # A negative POS amount (a return) is within the contract.
    assert failures(outcomes, "raw.pos_transactions") == {}


def test_staging_duplicate_key_and_malformed_identifiers(bad) -> None:
    _, outcomes = bad
    failed = failures(outcomes, "staging.stg_shop__orders")
    # The duplicate order o1 is dbt's unique test's to find: no GX failure for it.
    assert set(failed) == {
        ("unexpected_rows_expectation/email_matches_email_pattern", "email"),
        ("unexpected_rows_expectation/phone_matches_e164", "phone"),
    }
    email = failed[("unexpected_rows_expectation/email_matches_email_pattern", "email")]
    phone = failed[("unexpected_rows_expectation/phone_matches_e164", "phone")]
    assert "'Ann@Example'" in email[1] and "'07700 900123'" in phone[1]


def test_marts_failures(bad) -> None:
    _, outcomes = bad
    assert failures(outcomes, "marts.customers") == {
        ("expect_table_row_count_to_be_between", None): ("error", "observed_value=0")
    }
    touchpoints = failures(outcomes, "marts.touchpoints")
    # The touchpoint of the unknown customer c9 is dbt's relationships test's to find.
    assert set(touchpoints) == {
        ("unexpected_rows_expectation/revenue_not_reconciling_with_staging", None),
        ("expect_column_values_to_be_between", "revenue_eur"),
    }
    severity, observed = touchpoints[
        ("unexpected_rows_expectation/revenue_not_reconciling_with_staging", None)
    ]
    # EUR: 95 + 20 - 5 = 110 in the facts against 105 in staging; GBP reconciles.
    assert severity == "error" and observed.startswith("unexpected_rows=1")
    assert "'EUR'" in observed and "110" in observed and "105" in observed
    assert touchpoints[("expect_column_values_to_be_between", "revenue_eur")][0] == "warning"
    [outcome] = [o for o in outcomes if o.suite == "marts.touchpoints"]
    assert len(outcome.errors) == 1 and len(outcome.warnings) == 1

    spells = failures(outcomes, "marts.customer_stage_history")
    [(key, (severity, observed))] = spells.items()
    assert key == ("unexpected_rows_expectation/overlapping_stage_spells", None)
    assert "'s3'" in observed and "'s4'" in observed
    rates = failures(outcomes, "marts.kpi_engagement_daily")
    assert rates == {
        ("expect_column_values_to_be_between", "email_open_rate"): (
            "error",
            "unexpected_count=1 [1.5]",
        )
    }


def test_results_are_appended_to_the_warehouse(bad) -> None:
    warehouse, outcomes = bad
    n_expectations = sum(len(o.outcomes) for o in outcomes)
    con = duckdb.connect(str(warehouse))
    for run_id in ("run-1", "run-2"):
        written = write_check_results(con, run_id=run_id, checked_at=CHECKED_AT, outcomes=outcomes)
        assert written == n_expectations
    rows = con.execute(
        f'select layer, suite, asset, "column", severity, observed_value, passed'
        f" from {RESULTS_TABLE}"
        " where run_id = 'run-2' and expectation like '%email_matches%'"
    ).fetchall()
    assert con.execute(f"select count(*) from {RESULTS_TABLE}").fetchone()[0] == 2 * n_expectations
    con.close()
    [(layer, suite, asset, column, severity, observed, passed)] = rows
    assert (layer, suite, asset, column, severity, passed) == (
        "staging",
        "staging.stg_shop__orders",
        "staging/stg_shop__orders",
        "email",
        "error",
        False,
    )
    assert "Ann@Example" in observed


def test_suites_are_generated_from_the_contract() -> None:
    """Every contract channel has a raw suite and a staging model; rules follow the contract."""
    contract = load_contract()
    assert set(raw.TABLES) == {c.name for c in contract}
    assert set(staging.MODELS.values()) == {c.name for c in contract}
    pos = raw.channel_expectations(contract["pos_transactions"], RUN)
    bounded = {
        e.column: e for e in pos if e.expectation_type == "expect_column_values_to_be_between"
    }
    assert "amount" not in bounded  # returns are negative
    timestamp_rule = bounded["transacted_at"]  # plausible timestamps
    assert timestamp_rule.severity == "warning"
    assert timestamp_rule.max_value == datetime(2026, 1, 11, 6, 0)  # the run time + 1 day


def test_layer_checks_are_defined_without_importing_gx() -> None:
    """One check step per layer, one asset check per table, and the Dagster
    definitions do not pay the GX import (it happens in the first check step)."""
    import ast
    import subprocess
    import sys

    code = (
        "import sys; from orchestration.defs.quality import gx_checks;"
        " print('great_expectations' in sys.modules);"
        " print(sorted((k.asset_key.to_user_string(), k.name)"
        " for c in gx_checks for k in c.check_keys))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[0] == "False"
    keys = ast.literal_eval(out[1])
    assert ("raw/orders", "gx_orders_suite") in keys
    assert ("staging/stg_media__listens", "gx_stg_media__listens_suite") in keys
    assert ("marts/customer_stage_history", "gx_customer_stage_history_suite") in keys
    assert len(keys) == len(raw.TABLES) + len(staging.TABLES) + len(marts.TABLES)

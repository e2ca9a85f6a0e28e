"""Great Expectations on DuckDB through the SQL datasource: the patch that makes it
work is real (a failing expectation is reported as failing), and no connection is
left open on the warehouse afterwards (dbt, another process, must open it next)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import great_expectations.expectations as gxe
import pytest

from expectations.marts import SUITES
from expectations.results import data_docs_index
from expectations.runner import validate_table


def make_warehouse(path: Path, *, duplicate: bool) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    second_id = "c1" if duplicate else "c2"
    con.execute(
        "create table marts.customers as select * from (values"
        f" ('c1', 'awareness', 1), ('{second_id}', 'conversion', 3)"
        ") as t(customer_id, current_stage, n_identifiers)"
    )
    con.close()


def test_suite_passes_on_good_data(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    make_warehouse(warehouse, duplicate=False)
    outcome = validate_table(warehouse, "marts", "customers", SUITES["customers"], gx_root=tmp_path)
    assert outcome.success, outcome.failures
    row_count = next(o for o in outcome.outcomes if o.expectation.startswith("expect_table_row"))
    assert row_count.observed == "observed_value=2"
    assert outcome.data_docs == data_docs_index(tmp_path) and outcome.data_docs.exists()
    # The warehouse is free again: a read-write connection opens.
    duckdb.connect(str(warehouse)).close()


def test_suite_reports_failures(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    make_warehouse(warehouse, duplicate=True)

    def expectations() -> list[gxe.Expectation]:
        return [
            gxe.ExpectColumnValuesToBeUnique(column="customer_id"),
            gxe.ExpectColumnValuesToBeBetween(column="n_identifiers", min_value=2),
        ]

    outcome = validate_table(warehouse, "marts", "customers", expectations, gx_root=tmp_path)
    assert not outcome.success
    failed = {(f.expectation, f.observed) for f in outcome.failures}
    assert failed == {
        ("expect_column_values_to_be_unique", "unexpected_count=2 ['c1', 'c1']"),
        ("expect_column_values_to_be_between", "unexpected_count=1 [1]"),
    }


def test_gx_connection_has_the_warehouse_memory_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GX's DuckDB connection gets dbt's memory limit (LIFECYCLE_DUCKDB_MEMORY), not
    DuckDB's default of 80% of the machine's memory."""
    warehouse = tmp_path / "w.duckdb"
    make_warehouse(warehouse, duplicate=False)
    monkeypatch.setenv("LIFECYCLE_DUCKDB_MEMORY", "300MB")
    expected = duckdb.connect(config={"memory_limit": "300MB"})
    try:
        limit = expected.execute("select current_setting('memory_limit')").fetchone()[0]
    finally:
        expected.close()

    def expectations() -> list[gxe.Expectation]:
        return [
            gxe.UnexpectedRowsExpectation(
                description="memory_limit",
                unexpected_rows_query=(
                    f"select * from {{batch}} where current_setting('memory_limit') <> '{limit}'"
                ),
            )
        ]

    outcome = validate_table(warehouse, "marts", "customers", expectations, gx_root=tmp_path)
    assert outcome.success, outcome.failures
    monkeypatch.setenv("LIFECYCLE_DUCKDB_MEMORY", "400MB")
    outcome = validate_table(warehouse, "marts", "customers", expectations, gx_root=tmp_path)
    assert not outcome.success

"""Great Expectations checks as Dagster asset checks: a failed critical expectation
blocks what depends on the checked asset (the report is not rebuilt on bad data), a
failed warning is recorded and blocks nothing, and every outcome is appended to
quality.check_results. Real Dagster runs, real GX checks, real report export; only
the warehouse assets are small stand-ins writing hand-made rows."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import great_expectations.expectations as gxe
import pytest

from expectations import marts
from expectations.suite import RunParameters, Suite
from orchestration.contract import load_contract
from orchestration.defs.quality import build_layer_check
from orchestration.defs.reports import report_database
from orchestration.defs.resources import WarehouseResource


def execute(
    tmp_path: Path, monkeypatch, assets: list, checks: list, **kwargs
) -> dg.ExecuteInProcessResult:
    warehouse = tmp_path / "lifecycle.duckdb"
    monkeypatch.setenv("LIFECYCLE_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("LIFECYCLE_REPORT_DB", str(tmp_path / "reports.duckdb"))
    defs = dg.Definitions(
        assets=assets,
        asset_checks=checks,
        resources={"warehouse": WarehouseResource(path=str(warehouse))},
    )
    job = dg.define_asset_job("t", executor_def=dg.in_process_executor)
    defs = dg.Definitions.merge(defs, dg.Definitions(jobs=[job]))
    return defs.resolve_job_def("t").execute_in_process(raise_on_error=False, **kwargs)


def sql_asset(key: list[str], *statements: str, **kwargs) -> dg.AssetsDefinition:
    @dg.asset(key=key, **kwargs)
    def _asset(warehouse: WarehouseResource) -> None:
        with warehouse.connect() as con:
            con.execute(f"create schema if not exists {key[0]}")
            for statement in statements:
                con.execute(statement)

    return _asset


def customers_asset(*, empty: bool) -> dg.AssetsDefinition:
    """marts.customers with two rows, or none (which the GX suite's row count fails)."""
    return sql_asset(
        ["marts", "customers"],
        "create or replace table marts.customers as select * from (values"
        " ('c1', 'awareness', 1), ('c2', 'conversion', 2))"
        " as t(customer_id, current_stage, n_identifiers)" + (" where false" if empty else ""),
    )


@dg.asset(key=["marts", "touchpoints"])
def touchpoints() -> None:
    """Only a dependency of the report export in these tests."""


def evaluations(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {
        e.asset_check_evaluation_data.asset_key.to_user_string(): e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def started(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}


def materialized(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def check_results(tmp_path: Path) -> list[tuple]:
    with duckdb.connect(str(tmp_path / "lifecycle.duckdb"), read_only=True) as con:
        return con.execute(
            "select run_id, layer, asset, expectation, severity, passed"
            " from quality.check_results order by expectation"
        ).fetchall()


@pytest.mark.parametrize("empty", [True, False])
def test_failing_gx_check_blocks_the_report(tmp_path: Path, monkeypatch, empty: bool) -> None:
    # The report export needs every report mart; with only customers present it would
    # fail, so "blocked" is told apart from "failed" by the step never starting.
    result = execute(
        tmp_path,
        monkeypatch,
        [customers_asset(empty=empty), touchpoints, report_database],
        [build_layer_check("marts", ["customers"])],
    )
    evaluation = evaluations(result)["marts/customers"]
    assert evaluation.check_name == "gx_customers_suite"
    assert evaluation.passed is not empty
    assert "marts__customers" in started(result)
    assert ("reports__report_database" in started(result)) is not empty
    assert "reports/report_database" not in materialized(result)
    rows = check_results(tmp_path)
    assert {row[0] for row in rows} == {result.run_id}
    assert len(rows) == len(marts.customers_expectations())
    failed = [(row[3], row[4]) for row in rows if not row[5]]
    assert failed == ([("expect_table_row_count_to_be_between", "error")] if empty else [])


def test_failing_warning_does_not_block(tmp_path: Path, monkeypatch) -> None:
    def customers_with_a_warning(run: RunParameters, tables: tuple[str, ...]) -> list[Suite]:
        def expectations() -> list[gxe.Expectation]:
            return [
                gxe.ExpectColumnValuesToBeUnique(column="customer_id"),
                gxe.ExpectColumnValuesToBeBetween(
                    column="n_identifiers", max_value=1, severity="warning"
                ),
            ]

        return [Suite("marts", "marts", "customers", expectations)]

    result = execute(
        tmp_path,
        monkeypatch,
        [customers_asset(empty=False), touchpoints, report_database],
        [build_layer_check("marts", ["customers"], suites=customers_with_a_warning)],
    )
    evaluation = evaluations(result)["marts/customers"]
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    assert evaluation.metadata["failed_warnings"].value == 1
    # Not blocked: the report export starts (and fails only for want of report marts).
    assert "reports__report_database" in started(result)
    assert [(row[3], row[4], row[5]) for row in check_results(tmp_path)] == [
        ("expect_column_values_to_be_between", "warning", False),
        ("expect_column_values_to_be_unique", "error", True),
    ]


def test_staging_error_blocks_the_marts_check_and_the_report(tmp_path: Path, monkeypatch) -> None:
    """dbt builds staging and marts in one step, so a staging check cannot stop the marts
    being built; the marts check waits for it and the report waits for the marts check."""
    staged_orders = sql_asset(
        ["staging", "stg_shop__orders"],
        "create table staging.stg_shop__orders as select * from (values"
        " ('o1', 'ann@example.com', null), ('o2', 'Ann@Example', null))"
        " as t(order_id, email, phone)",
    )
    result = execute(
        tmp_path,
        monkeypatch,
        [staged_orders, customers_asset(empty=False), touchpoints, report_database],
        [
            build_layer_check("staging", ["stg_shop__orders"]),
            build_layer_check(
                "marts",
                ["customers"],
                additional_deps=[dg.AssetKey(["staging", "stg_shop__orders"])],
            ),
        ],
    )
    assert not evaluations(result)["staging/stg_shop__orders"].passed
    assert "gx_marts_suites" not in started(result)
    assert "reports__report_database" not in started(result)


@pytest.mark.filterwarnings("ignore:.*backfill_policy.*")
@pytest.mark.parametrize("bad", [False, True])
def test_raw_check_on_a_partitioned_asset_in_a_single_run_backfill(
    tmp_path: Path, monkeypatch, bad: bool
) -> None:
    """The raw check runs once after a run that loads a range of daily partitions, on
    the rows delivered in that range only (a bad row outside it is not seen)."""
    ddl = load_contract()["calls"].raw_table_ddl()
    columns = "call_id, started_at, phone_number, direction, reason, duration_seconds"
    rows = [
        "('k1', timestamp '2026-01-02 10:00', '+44 7700 900123', 'inbound', 'other', 60,"
        " date '2026-01-02')",
        # Delivered after the run's range: never validated by it.
        "('k9', timestamp '2026-01-09 10:00', '0', 'sideways', 'other', -1, date '2026-01-09')",
    ]
    if bad:
        rows.append(
            "('k2', timestamp '2026-01-03 10:00', '0', 'sideways', 'other', 5, date '2026-01-03')"
        )
    partitions = dg.DailyPartitionsDefinition(start_date="2026-01-01")
    calls = sql_asset(
        ["raw", "calls"],
        ddl,
        f"insert into raw.calls ({columns}, _delivery_date) values {', '.join(rows)}",
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
    )

    @dg.asset(key=["staging", "stg_call_centre__calls"], deps=[calls])
    def staged_calls() -> None:
        """Stands in for dbt, downstream of the raw asset."""

    result = execute(
        tmp_path,
        monkeypatch,
        [calls, staged_calls],
        [build_layer_check("raw", ["calls"])],
        tags={
            "dagster/asset_partition_range_start": "2026-01-01",
            "dagster/asset_partition_range_end": "2026-01-03",
        },
    )
    evaluation = evaluations(result)["raw/calls"]
    assert evaluation.passed is not bad
    assert ("staging/stg_call_centre__calls" in materialized(result)) is not bad
    assert result.success is not bad
    if bad:
        failures = evaluation.metadata["failures"].value
        assert "'sideways'" in failures and "-1" not in failures

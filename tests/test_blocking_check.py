"""A failing Great Expectations check blocks what depends on the checked mart:
the report is not rebuilt on bad data. Real Dagster run, real GX check, real
report export; only the mart is a small stand-in asset writing bad rows."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.quality import build_gx_check
from orchestration.defs.reports import report_database
from orchestration.defs.resources import WarehouseResource


def run_with_customers(
    tmp_path: Path, monkeypatch, *, duplicate: bool
) -> dg.ExecuteInProcessResult:
    warehouse = tmp_path / "lifecycle.duckdb"
    monkeypatch.setenv("LIFECYCLE_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("LIFECYCLE_REPORT_DB", str(tmp_path / "reports.duckdb"))

    @dg.asset(key=["marts", "customers"])
    def customers() -> None:
        con = duckdb.connect(str(warehouse))
        con.execute("create schema if not exists marts")
        second = "c1" if duplicate else "c2"
        con.execute(
            "create or replace table marts.customers as select * from (values"
            f" ('c1', 'awareness', 1), ('{second}', 'conversion', 2))"
            " as t(customer_id, current_stage, n_identifiers)"
        )
        con.close()

    @dg.asset(key=["marts", "touchpoints"])
    def touchpoints() -> None:
        """Only a dependency of the report export in this test."""

    defs = dg.Definitions(
        assets=[customers, touchpoints, report_database],
        asset_checks=[build_gx_check("marts", "customers")],
        resources={"warehouse": WarehouseResource(path=str(warehouse))},
    )
    job = dg.define_asset_job("t", executor_def=dg.in_process_executor)
    defs = dg.Definitions.merge(defs, dg.Definitions(jobs=[job]))
    return defs.resolve_job_def("t").execute_in_process(raise_on_error=False)


def materialized(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


@pytest.mark.parametrize("duplicate", [True, False])
def test_failing_gx_check_blocks_the_report(tmp_path: Path, monkeypatch, duplicate: bool) -> None:
    # The report export needs every report mart; with only customers present it would
    # fail, so "blocked" is told apart from "failed" by the step never starting.
    result = run_with_customers(tmp_path, monkeypatch, duplicate=duplicate)
    [evaluation] = [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    assert evaluation.passed is not duplicate
    started = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
    assert "marts__customers" in started
    assert ("reports__report_database" in started) is not duplicate
    assert "reports/report_database" not in materialized(result)

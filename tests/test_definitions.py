"""The Dagster definitions load, with every job, schedule, asset and check in place."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from orchestration.cli import prepare_dbt
from orchestration.contract import load_contract


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    prepare_dbt()  # the manifest the dbt assets are built from
    from orchestration.definitions import defs

    return defs


def test_definitions_load(defs: dg.Definitions) -> None:
    repository = defs.get_repository_def()
    keys = {key.to_user_string() for key in repository.asset_graph.get_all_asset_keys()}
    for channel in load_contract():
        assert f"raw/{channel.name}" in keys
    for mart in ("customers", "touchpoints", "customer_stage_history", "kpi_conversion_daily"):
        assert f"marts/{mart}" in keys
    assert {"reports/report_database", "reports/site"} <= keys


def test_job_schedule_and_checks(defs: dg.Definitions) -> None:
    job = defs.resolve_job_def("daily_materialization")
    assert job.executor_def.name == "in_process"
    schedule = defs.resolve_schedule_def("daily_materialization_schedule")
    assert schedule.cron_schedule == "0 6 * * *"
    checks = {
        (key.asset_key.to_user_string(), key.name)
        for key in defs.get_repository_def().asset_graph.asset_check_keys
    }
    assert ("marts/touchpoints", "gx_touchpoints_suite") in checks
    assert ("marts/customers", "gx_customers_suite") in checks
    # dbt tests arrive as asset checks through dagster-dbt.
    assert ("marts/customers", "unique_customers_customer_id") in checks


def test_ingestion_is_partitioned_daily_and_sources_link_to_it(defs: dg.Definitions) -> None:
    graph = defs.get_repository_def().asset_graph
    raw_orders = graph.get(dg.AssetKey(["raw", "orders"]))
    assert isinstance(raw_orders.partitions_def, dg.DailyPartitionsDefinition)
    staging_orders = graph.get(dg.AssetKey(["staging", "stg_shop__orders"]))
    assert dg.AssetKey(["raw", "orders"]) in staging_orders.parent_keys
    site = graph.get(dg.AssetKey(["reports", "site"]))
    assert dg.AssetKey(["reports", "report_database"]) in site.parent_keys


def test_sensors(defs: dg.Definitions) -> None:
    assert defs.resolve_sensor_def("landing_sensor").job_name == "daily_materialization"
    assert defs.resolve_sensor_def("alert_on_run_failure") is not None


def test_the_jobs_dbt_build_reuses_the_parse(tmp_path: Path) -> None:
    """dbt keeps partial-parse state per target: the manifest prepared for Dagster must
    be parsed for the target its dbt resource names, or every build parses again."""
    import shutil
    import subprocess
    import sys

    from orchestration.cli import _parse_dbt
    from orchestration.settings import PROJECT_DIR, get_settings

    parsed, run = tmp_path / "parsed", tmp_path / "run"
    _parse_dbt(parsed)
    run.mkdir()
    shutil.copy(parsed / "partial_parse.msgpack", run)  # as dagster-dbt does for a run
    completed = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "ls",
            "--target",
            get_settings().dbt_target,
            "--target-path",
            str(run),
            "--select",
            "customers",
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Unable to do partial parsing" not in completed.stdout, completed.stdout

"""The single Dagster entry point: `dagster dev -m orchestration.definitions`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration import dagster_fixes
from orchestration.dagster_storage import EVENT_BATCH_SIZE
from orchestration.dbt_project import dbt_project
from orchestration.defs.dbt import lifecycle_dbt_assets
from orchestration.defs.ingestion import ingestion_assets
from orchestration.defs.quality import gx_checks
from orchestration.defs.reports import report_assets
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.sensors import alert_on_run_failure, build_landing_sensor
from orchestration.settings import get_settings

settings = get_settings()
settings.export_env()
# Runs over a range of days plan the unpartitioned dbt checks once, not once a day,
# and hand a step's per-day materializations to the event log as one batch.
dagster_fixes.install()
os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", str(EVENT_BATCH_SIZE))

# Every step touches the one DuckDB file, and DuckDB allows one process on it:
# run the steps of a run one after the other in the run's own process.
daily_materialization = dg.define_asset_job(
    name="daily_materialization",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Ingest the day's channel exports, dbt build, quality checks, report.",
)

daily_schedule = dg.build_schedule_from_partitioned_job(
    daily_materialization,
    hour_of_day=6,
    description="Every day at 06:00 UTC, materialize the previous day's partition.",
)

defs = dg.Definitions(
    assets=[*ingestion_assets, lifecycle_dbt_assets, *report_assets],
    asset_checks=gx_checks,
    jobs=[daily_materialization],
    schedules=[daily_schedule],
    sensors=[build_landing_sensor(daily_materialization), alert_on_run_failure],
    resources={
        "warehouse": WarehouseResource(path=str(settings.warehouse)),
        # LIFECYCLE_DBT_TARGET picks the profiles.yml output (duckdb | spark); the
        # job is the same on both. `lifecycle-dbt` is dbt with Python models on
        # Spark sessions (orchestration.dbt_spark_session).
        "dbt": DbtCliResource(
            project_dir=dbt_project,
            target=settings.dbt_target,
            dbt_executable=str(
                Path(sys.executable).parent
                / ("dbt" if settings.dbt_target == "duckdb" else "lifecycle-dbt")
            ),
        ),
    },
)

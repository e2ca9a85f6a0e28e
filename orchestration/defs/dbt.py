"""dbt models, seeds and tests as Dagster assets and asset checks."""

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from orchestration.dbt_project import dbt_project
from orchestration.defs.ingestion import WAREHOUSE_POOL
from orchestration.defs.resources import WarehouseResource
from orchestration.settings import get_settings


class LifecycleTranslator(DagsterDbtTranslator):
    """Sources map to the ingestion assets through `meta.dagster.asset_key` in the
    sources YAML (dagster-dbt's default); models get `<schema>/<name>` keys."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props.get("schema")


class DbtBuildConfig(dg.Config):
    """`full_refresh` rebuilds the incremental models from scratch (`lifecycle run
    --full-refresh`, or this op's config in the launchpad)."""

    full_refresh: bool = False


translator = LifecycleTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    pool=WAREHOUSE_POOL,
)
def lifecycle_dbt_assets(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,  # held for the run lock it takes (see WarehouseResource)
    config: DbtBuildConfig,
):
    """`dbt build`: seeds, staging, intermediate and marts, each model followed by its
    tests. Each materialization carries dbt's execution time for the model.

    dbt's unit tests check model logic on fixed inputs, which no daily delivery
    changes: they belong to development and CI (`make test` runs them all,
    tests/test_dbt_unit_tests.py), not to every scheduled build.

    On the spark target the step ends by publishing Spark's tables as views in the
    DuckDB warehouse, which the GX checks and the report read (orchestration.spark_tables)."""
    args = ["build", "--exclude", "test_type:unit"]
    if config.full_refresh:
        args.append("--full-refresh")
    yield from dbt.cli(args, context=context).stream()
    settings = get_settings()
    if settings.dbt_target != "duckdb":
        _publish_spark_tables(context, warehouse, settings.spark_warehouse)
    _check_source_freshness(context, dbt, warehouse)


def _publish_spark_tables(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, spark_warehouse: Path
) -> None:
    """The spark target built the tables on Spark: views over them in the DuckDB
    warehouse, which the GX suites, the report and the CLI read
    (orchestration.spark_tables)."""
    from orchestration.spark_tables import publish_spark_tables

    with warehouse.connect() as con:
        published = publish_spark_tables(con, spark_warehouse)
    context.log.info(
        f"spark tables: {len(published.views)} views in the DuckDB warehouse over"
        f" {spark_warehouse}"
        + (
            f"; replaced DuckDB tables {', '.join(published.replaced_tables)}"
            if published.replaced_tables
            else ""
        )
    )
    if published.without_files:
        context.log.warning(
            "spark tables without Parquet files (no view): " + ", ".join(published.without_files)
        )


def _check_source_freshness(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> None:
    """`dbt source freshness`, recorded in quality.check_results; never blocking."""
    from orchestration.freshness import freshness_rows, write_freshness

    invocation = dbt.cli(
        ["source", "freshness"], manifest=dbt_project.manifest_path, raise_on_error=False
    ).wait()
    try:
        sources = invocation.get_artifact("sources.json")
    except FileNotFoundError:
        context.log.warning("dbt source freshness wrote no sources.json: freshness not checked")
        return
    rows = freshness_rows(
        sources, run_id=context.run.run_id, checked_at=datetime.now(UTC).replace(tzinfo=None)
    )
    with warehouse.connect() as con:
        write_freshness(con, rows)
    stale = [f"{row[4]} ({row[8]})" for row in rows if not row[9]]
    if stale:
        context.log.warning(f"source freshness: {len(stale)} stale: " + "; ".join(stale))
    else:
        context.log.info(f"source freshness: all {len(rows)} sources fresh")

"""Ingestion assets: one per channel of the export contract, partitioned by delivery day."""

import warnings

import dagster as dg

from orchestration.contract import Channel, load_contract
from orchestration.defs.partitions import daily_partitions, partition_dates
from orchestration.defs.resources import WarehouseResource
from orchestration.ingest.lake import export_raw_table
from orchestration.ingest.loader import FileResult, load_partitions
from orchestration.settings import get_settings

WAREHOUSE_POOL = "duckdb_warehouse"
# A single-run backfill policy is what lets one run load a range of days.
warnings.filterwarnings("ignore", category=dg.BetaWarning, message=".*backfill_policy.*")


# Up to this many new files per step, each one gets its log line.
PER_FILE_LOG_LIMIT = 50


def _noteworthy(result: FileResult) -> bool:
    """A file outcome worth its own log line whatever the number of files."""
    return bool(
        result.status != "loaded"
        or result.rows_quarantined
        or result.unknown_columns
        or result.message
    )


def _summarise(results: list[FileResult]) -> dict[str, dg.MetadataValue | int]:
    by_status: dict[str, int] = {}
    for result in results:
        by_status[result.status] = by_status.get(result.status, 0) + 1
    drift = sorted({c for r in results for c in r.unknown_columns})
    return {
        "files_seen": len(results),
        "files_loaded": by_status.get("loaded", 0),
        "files_unchanged": by_status.get("unchanged", 0),
        "files_duplicate": by_status.get("duplicate", 0),
        "files_failed": by_status.get("failed", 0),
        "rows_loaded": sum(r.rows_loaded for r in results),
        "rows_quarantined": sum(r.rows_quarantined for r in results),
        "unknown_columns": dg.MetadataValue.text(", ".join(drift) or "none"),
    }


def build_ingestion_asset(channel: Channel) -> dg.AssetsDefinition:
    @dg.asset(
        name=channel.name,
        key_prefix=["raw"],
        group_name="raw",
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=WAREHOUSE_POOL,
        kinds={"duckdb", "python"},
        description=f"{channel.description} Raw rows of the `{channel.name}` channel export"
        f" (silo: {channel.silo}), typed by the contract, with lineage columns.",
    )
    def _ingest(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        settings = get_settings()
        with warehouse.connect() as con:
            results = load_partitions(con, settings.landing, channel.name, partition_dates(context))
            if settings.writes_lake:
                # dbt builds on another engine (the spark target): it reads the raw
                # layer from the Parquet lake.
                exported = export_raw_table(con, settings.lake, channel.name)
                context.log.info(f"{channel.name}: {exported} raw rows exported to the lake")
        # Every log line is an event in Dagster's storage (a few ms each): over a long
        # range, clean loads are summed up below and only what needs a look is listed.
        changed = [r for r in results if r.status != "unchanged"]
        for result in changed:
            if len(changed) > PER_FILE_LOG_LIMIT and not _noteworthy(result):
                continue
            log = context.log.warning if result.status == "failed" else context.log.info
            log(result.describe())
        summary = _summarise(results)
        listed = "" if len(changed) <= PER_FILE_LOG_LIMIT else " (per file: ingestion.files)"
        context.log.info(
            f"{channel.name}: {summary['rows_loaded']} rows loaded,"
            f" {summary['rows_quarantined']} quarantined, from {summary['files_loaded']} new files"
            f"{listed}"
        )
        return dg.MaterializeResult(metadata=summary)

    return _ingest


ingestion_assets = [build_ingestion_asset(channel) for channel in load_contract()]

"""The raw layer as a Parquet lake, for engines other than DuckDB.

Ingestion always loads into the DuckDB raw tables (one transaction per file,
quarantine, ledger). When dbt runs on another engine (the `spark` target),
every raw table is also written to ``<lake>/raw/<table>/part-0.parquet``, a
layout that DuckDB, Spark and most engines read as a table; on Spark the dbt
sources point at these folders (macro ``register_raw_sources``).

A table is written into a new folder and then swapped in, so a reader never
sees a half-written table.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from orchestration.contract import load_contract


def raw_table_dir(lake: Path, table: str) -> Path:
    return lake / "raw" / table


def export_raw_table(con: duckdb.DuckDBPyConnection, lake: Path, table: str) -> int:
    """Write ``raw.<table>`` to the lake; returns the number of rows written."""
    target = raw_table_dir(lake, table)
    staging = target.with_name(f".{table}.writing")
    retired = target.with_name(f".{table}.old")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(retired, ignore_errors=True)
    staging.mkdir(parents=True)
    # Sorted by lineage, so the file's bytes depend only on the rows.
    con.execute(
        f"copy (select * from raw.{table} order by _source_file, _source_row)"
        f" to '{staging / 'part-0.parquet'}' (format parquet, compression zstd)"
    )
    if target.exists():
        target.rename(retired)
    staging.rename(target)
    shutil.rmtree(retired, ignore_errors=True)
    (count,) = con.execute(f"select count(*) from raw.{table}").fetchone()
    return int(count)


def export_raw_lake(con: duckdb.DuckDBPyConnection, lake: Path) -> dict[str, int]:
    """Write every raw table of the contract to the lake; rows per table."""
    return {channel.name: export_raw_table(con, lake, channel.name) for channel in load_contract()}


def main(argv: list[str] | None = None) -> int:
    """`python -m orchestration.ingest.lake [--ingest]`: export the raw lake of
    LIFECYCLE_WAREHOUSE to LIFECYCLE_LAKE; with --ingest, first load every
    delivery day under LIFECYCLE_LANDING (ingestion without Dagster, for tests
    and benchmarks of the spark target)."""
    import argparse

    from orchestration.ingest.loader import landed_dates, load_partitions
    from orchestration.ingest.warehouse import connect
    from orchestration.settings import get_settings

    parser = argparse.ArgumentParser(prog="python -m orchestration.ingest.lake")
    parser.add_argument("--ingest", action="store_true", help="load landing/ first")
    args = parser.parse_args(argv)
    settings = get_settings()
    with connect(settings.warehouse) as con:
        if args.ingest:
            days = landed_dates(settings.landing)
            for channel in load_contract():
                load_partitions(con, settings.landing, channel.name, days)
        rows = export_raw_lake(con, settings.lake)
    print(f"raw lake: {sum(rows.values())} rows in {len(rows)} tables -> {settings.lake}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

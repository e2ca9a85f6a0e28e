"""Test helper: the real ingestion and the real dbt project on a warehouse file,
without Dagster (for tests of the dbt models' incremental paths)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb

from orchestration.contract import load_contract
from orchestration.ingest.loader import landed_dates, load_partitions

PROJECT_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def dbt(env: dict[str, str], *args: str) -> str:
    completed = subprocess.run(
        [str(BIN / "dbt"), *args],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{completed.stdout[-6000:]}")
    return completed.stdout


def load(warehouse: Path, landing: Path, days: Callable[[date], bool]) -> None:
    """The real ingestion of the landed files of the days selected."""
    contract = load_contract()
    con = duckdb.connect(str(warehouse))
    try:
        for channel in contract:
            dates = [d for d in landed_dates(landing, [channel.name]) if days(d)]
            load_partitions(con, landing, channel.name, dates, contract=contract)
    finally:
        con.close()


def env_for(warehouse: Path, landing: Path) -> dict[str, str]:
    return {**os.environ, "LIFECYCLE_WAREHOUSE": str(warehouse), "LIFECYCLE_LANDING": str(landing)}


def rows_differing_from_refresh(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, exclude: tuple[str, ...] = ()
) -> int:
    """Rows of `schema.table` and of the attached `refreshed` copy's table that the other
    lacks (`except all` both ways), over every column but `exclude`."""
    columns = ", ".join(
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns"
            " where table_schema = ? and table_name = ?"
            " and table_catalog = current_database() order by ordinal_position",
            [schema, table],
        ).fetchall()
        if name not in exclude
    )
    ours, theirs = f"{schema}.{table}", f"refreshed.{schema}.{table}"
    return con.execute(
        f"select count(*) from ((select {columns} from {ours}"
        f" except all select {columns} from {theirs})"
        f" union all (select {columns} from {theirs}"
        f" except all select {columns} from {ours}))"
    ).fetchone()[0]

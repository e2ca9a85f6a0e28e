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

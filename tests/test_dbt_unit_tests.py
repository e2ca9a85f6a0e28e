"""Every dbt unit test passes. The daily job leaves them out (they check model logic
on fixed inputs, which no delivery changes), so the suite runs them here: on an
empty warehouse whose raw tables come from the contract and whose models are built
with ``--empty``, as dbt needs the relations a unit test reads to exist."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from orchestration.ingest.warehouse import ensure_schema

PROJECT_DIR = Path(__file__).resolve().parent.parent
DBT = str(Path(sys.executable).parent / "dbt")


def dbt(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    completed = subprocess.run(
        [DBT, *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stdout[-6000:]
    return completed


def test_every_unit_test_passes(tmp_path: Path) -> None:
    warehouse = tmp_path / "lifecycle.duckdb"
    con = duckdb.connect(str(warehouse))
    try:
        ensure_schema(con)
    finally:
        con.close()
    target = tmp_path / "target"
    env = {**os.environ, "LIFECYCLE_WAREHOUSE": str(warehouse), "DBT_TARGET_PATH": str(target)}
    dbt(env, "seed")
    dbt(env, "run", "--empty")
    dbt(env, "test", "--select", "test_type:unit")
    results = json.loads((target / "run_results.json").read_text())["results"]
    unit_tests = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert len(unit_tests) >= 40, len(unit_tests)
    assert {r["status"] for r in unit_tests} == {"pass"}

"""The KPI guard rails fail when they should, on a copy of the dbt project.

- tests/dbt/kpi_glossary_covers_kpi_columns.sql passes on the project as it is,
  and names exactly the problems planted in a copy: a KPI column without a
  glossary row (a row deleted from the seed), a glossary row naming a column
  that does not exist, and a new KPI column documented in a mart's yml
  without a glossary row.
- The kpi_rollup macro refuses to compile a weekly rollup whose yml has lost
  one of the daily mart's columns (the rollup would silently drop a KPI).

Runs dbt three times on a fresh DuckDB file (20-60 s), hence e2e.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.e2e

PROJECT_DIR = Path(__file__).resolve().parent.parent
DBT = str(Path(sys.executable).parent / "dbt")
GLOSSARY_TEST = "kpi_glossary_covers_kpi_columns"


def copy_project(destination: Path) -> Path:
    project = destination / "project"
    project.mkdir()
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(PROJECT_DIR / name, project / name)
    for folder in ("models", "macros", "seeds", "tests/dbt"):
        shutil.copytree(PROJECT_DIR / folder, project / folder)
    return project


def dbt(project: Path, warehouse: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "LIFECYCLE_WAREHOUSE": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "0",
    }
    return subprocess.run(
        [DBT, *args, "--project-dir", str(project), "--profiles-dir", str(project)],
        env=env,
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


def glossary_failures(project: Path, warehouse: Path) -> tuple[int, set[tuple[str, str, str]]]:
    completed = dbt(
        project, warehouse, "build", "--select", "kpi_glossary", GLOSSARY_TEST, "--store-failures"
    )
    if "Compilation Error" in completed.stdout or "Runtime Error" in completed.stdout:
        raise AssertionError(completed.stdout[-6000:])
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        schema = con.execute(
            "select table_schema from information_schema.tables where table_name = ?",
            [GLOSSARY_TEST],
        ).fetchone()
        rows = (
            con.execute(f'select * from "{schema[0]}".{GLOSSARY_TEST}').fetchall() if schema else []
        )
    finally:
        con.close()
    return completed.returncode, {tuple(row) for row in rows}


def test_glossary_and_rollup_guards_catch_planted_problems(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    warehouse = tmp_path / "kpis.duckdb"

    returncode, failures = glossary_failures(project, warehouse)
    assert (returncode, failures) == (0, set())

    # 1. a KPI column loses its glossary row; 2. a row names a missing column
    seed = project / "seeds" / "kpi_glossary.csv"
    with seed.open(newline="") as f:
        rows = list(csv.DictReader(f))
    fieldnames = list(rows[0])
    rows = [
        row
        for row in rows
        if (row["mart"], row["column_name"]) != ("kpi_engagement_daily", "email_click_rate")
    ]
    rows.append({
        **rows[0],
        "kpi": "Email bounce rate",
        "mart": "kpi_engagement_daily",
        "column_name": "email_bounce_rate",
    })  # fmt: skip
    with seed.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    # 3. the weekly engagement rollup loses a daily column: kpi_rollup refuses it
    models_yml = project / "models" / "marts" / "kpis" / "_kpis__models.yml"
    text = models_yml.read_text()
    weekly = text.index("  - name: kpi_engagement_weekly\n")
    line = "      - *email_open_rate\n"
    dropped = text.index(line, weekly)
    models_yml.write_text(text[:dropped] + text[dropped + len(line) :])
    completed = dbt(project, warehouse, "compile", "--select", "kpi_engagement_weekly")
    assert completed.returncode != 0
    assert "must be those of kpi_engagement_daily" in completed.stdout, completed.stdout[-4000:]

    # 4. a new KPI column in a mart's docs, without a glossary row
    text = models_yml.read_text()
    anchor = "      - &social_likes\n"
    assert anchor in text
    models_yml.write_text(
        text.replace(
            anchor,
            "      - name: social_saves\n"
            "        description: Saves of own social posts.\n"
            "        data_type: bigint\n"
            "        meta: {rollup: sum}\n" + anchor,
            1,
        )
    )

    returncode, failures = glossary_failures(project, warehouse)
    assert returncode != 0
    assert failures == {
        # the daily column, its rollups and the campaign marts that repeat it
        # (meta kpi_same_as) all lack the row
        ("missing_glossary_row", "kpi_engagement_daily", "email_click_rate"),
        ("missing_glossary_row", "kpi_engagement_weekly", "email_click_rate"),
        ("missing_glossary_row", "kpi_engagement_monthly", "email_click_rate"),
        ("missing_glossary_row", "kpi_campaign_daily", "email_click_rate"),
        ("missing_glossary_row", "kpi_campaign_weekly", "email_click_rate"),
        ("missing_glossary_row", "kpi_campaign_monthly", "email_click_rate"),
        ("unknown_column", "kpi_engagement_daily", "email_bounce_rate"),
        ("missing_glossary_row", "kpi_engagement_daily", "social_saves"),
    }

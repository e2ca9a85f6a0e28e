"""Incremental staging equals a full refresh, whatever the deliveries do.

A small generated dataset (150 persons, 12 days) is loaded with the real ingestion
and staged with the real dbt project: days 1-8, then, on top, days 9-12 together with
two changes to files already staged:

- the web events file of day 3 is re-delivered corrected, without its first record
  (ingestion replaces the file's rows; the record is gone from every raw file);
- the ad spend file of day 3 is removed from landing, while a second file of day 5,
  loaded in the first batch, holds its rows with other amounts. Ad spend keeps the
  first-loaded row per key, so the day-3 rows were staged; once that file is gone
  the day-5 rows must take their place, although no new raw row has their keys.

Every staging model built incrementally must then hold exactly the rows a full
refresh computes from the same raw tables.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from expectations.staging import MODELS
from orchestration.generator import generate_demo_data
from tests.dbt_build import dbt, env_for, load, rows_differing_from_refresh

pytestmark = pytest.mark.e2e

PERSONS, DAYS, SEED = 150, 12, 11
START = date(2026, 1, 1)
FIRST_BATCH_UNTIL = date(2026, 1, 8)
STAGING = "path:models/staging"


def day_folder(landing: Path, channel: str, day: int) -> Path:
    return landing / channel / date(2026, 1, day).isoformat()


def only_file(folder: Path) -> Path:
    [path] = list(folder.iterdir())
    return path


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("staging_incremental")
    landing, warehouse = root / "landing", root / "lifecycle.duckdb"
    generate_demo_data(landing, root / "truth", persons=PERSONS, days=DAYS, seed=SEED,
                       start_date=START)  # fmt: skip
    env = env_for(warehouse, landing)

    # A second ad spend file on day 5 with day 3's keys and other amounts.
    spend_day_3 = only_file(day_folder(landing, "ad_spend", 3))
    rows = list(csv.DictReader(io.StringIO(spend_day_3.read_text(encoding="utf-8"))))
    assert rows, "the generator writes ad spend every day"
    for row in rows:
        row["spend"] = f"{float(row['spend']) + 1:.2f}"
    late_spend = io.StringIO()
    writer = csv.DictWriter(late_spend, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    (day_folder(landing, "ad_spend", 5) / "ad_spend_2026-01-05_late.csv").write_text(
        late_spend.getvalue(), encoding="utf-8"
    )

    load(warehouse, landing, lambda d: d <= FIRST_BATCH_UNTIL)
    dbt(env, "run", "-s", STAGING)

    # Day 3's web events re-delivered without the first record; day 3's ad spend removed.
    web_day_3 = only_file(day_folder(landing, "web_events", 3))
    first, *rest = web_day_3.read_text(encoding="utf-8").splitlines(keepends=True)
    dropped_event = json.loads(first)["event_id"]
    web_day_3.write_text("".join(rest), encoding="utf-8")
    spend_day_3.unlink()
    load(warehouse, landing, lambda d: True)
    dbt(env, "run", "-s", STAGING)

    # Nothing loaded since: the incremental select recomputes no key (a whole earlier
    # load shares one _loaded_at, so a watermark that included it would redo them all).
    shown = dbt(env, "show", "-s", "stg_web__page_views", "--output", "json", "--limit", "5")
    idle_rows = json.loads(shown[shown.index("{") : shown.rindex("}") + 1])["show"]

    refreshed = root / "refreshed.duckdb"
    shutil.copyfile(warehouse, refreshed)
    dbt(env_for(refreshed, landing), "run", "--full-refresh", "-s", STAGING)
    return {
        "warehouse": warehouse,
        "refreshed": refreshed,
        "dropped_event": dropped_event,
        "idle_rows": idle_rows,
        "late_spend": [(r["spend_date"], r["ad_channel"], r["campaign"], r["spend"]) for r in rows],
    }


def test_every_staging_model_equals_a_full_refresh(staged: dict) -> None:
    con = duckdb.connect(str(staged["warehouse"]), read_only=True)
    try:
        con.execute(f"attach '{staged['refreshed']}' as refreshed (read_only)")
        rows = {}
        for model in MODELS:
            rows[model] = con.execute(f"select count(*) from staging.{model}").fetchone()[0]
            differing = rows_differing_from_refresh(con, "staging", model)
            assert differing == 0, (model, rows[model], differing)
    finally:
        con.close()
    # A small dataset: a few channels (subscriptions) may have no rows yet.
    assert sum(1 for count in rows.values() if count) >= len(MODELS) - 3, rows


def test_the_changes_reached_staging(staged: dict) -> None:
    """The scenario did what it says: the dropped record left staging, and the ad spend
    of day 3 now comes from the day-5 file."""
    con = duckdb.connect(str(staged["warehouse"]), read_only=True)
    try:
        assert not con.execute(
            "select count(*) from staging.stg_web__page_views where event_id = ?",
            [staged["dropped_event"]],
        ).fetchone()[0]
        spend = con.execute(
            "select cast(spend_date as varchar), ad_channel, campaign,"
            " cast(cast(spend as decimal(18, 2)) as varchar), source_file"
            " from staging.stg_ads__spend where spend_date = date '2026-01-03'"
        ).fetchall()
    finally:
        con.close()
    assert sorted(row[:4] for row in spend) == sorted(staged["late_spend"])
    assert {row[4] for row in spend} == {"ad_spend/2026-01-05/ad_spend_2026-01-05_late.csv"}


def test_a_run_with_nothing_new_recomputes_nothing(staged: dict) -> None:
    assert staged["idle_rows"] == []

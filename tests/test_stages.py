"""Lifecycle stages on a small generated dataset: accuracy against the generator's
truth, incremental runs equal to a full refresh, and the five-stage preset.

One dataset (300 persons, 30 days, seed 42) is generated, loaded into raw with
the real ingestion and built with the real dbt project (no Dagster, no GX, no
report): days 1-25 first, then days 26-30 on top, so the stage history takes
its incremental path. The agreement figures come from comparing the
warehouse's stage history with the generator's true stage timeline
(`lifecycle stage-accuracy`), so they can fail.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.generator import generate_demo_data
from tests.dbt_build import dbt, env_for, load, rows_differing_from_refresh

pytestmark = pytest.mark.e2e

PROJECT_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PERSONS, DAYS, SEED = 300, 30, 42
INCREMENT_FROM = date(2026, 1, 26)  # days 1-25 first, then 26-30 incrementally
# The default dataset (2,000 persons, 90 days) measures 0.986 for the customers
# mapped one-to-one to a person and 0.981 over all mapped customers; this small one
# is harder (a 30-day window leaves more persons half-identified). A split fragment
# disagrees on the days before it was seen: that is an identity error (issue 3).
ONE_TO_ONE_TARGET = 0.95
LIFECYCLE_MARTS = (
    "customer_stage_history customers_per_stage_daily stage_transitions"
    " lead_grade_history lead_grades_daily lead_scores customers"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Days 1-25 built, then days 26-30 loaded and built on top (incremental)."""
    root = tmp_path_factory.mktemp("stages")
    landing, truth = root / "landing", root / "truth"
    warehouse = root / "lifecycle.duckdb"
    generate_demo_data(
        landing, truth, persons=PERSONS, days=DAYS, seed=SEED, start_date=date(2026, 1, 1)
    )
    env = env_for(warehouse, landing)
    load(warehouse, landing, lambda d: d < INCREMENT_FROM)
    dbt(env, "seed")
    dbt(env, "run", "--exclude", "kpi_*")
    load(warehouse, landing, lambda d: d >= INCREMENT_FROM)
    dbt(env, "run", "--exclude", "kpi_*")
    dbt(env, "test", "-s", LIFECYCLE_MARTS)
    return {"root": root, "env": env, "warehouse": warehouse, "landing": landing, "truth": truth}


def copy_of(built: dict, name: str) -> tuple[Path, dict[str, str]]:
    copy = built["root"] / f"{name}.duckdb"
    shutil.copyfile(built["warehouse"], copy)
    return copy, env_for(copy, built["landing"])


def test_stage_accuracy_meets_the_target(built: dict) -> None:
    completed = subprocess.run(
        [
            str(BIN / "lifecycle"),
            "stage-accuracy",
            "--warehouse",
            str(built["warehouse"]),
            "--truth",
            str(built["truth"]),
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    output = completed.stdout
    overall = float(re.search(r"agreement \(all mapped customers\): ([0-9.]+)", output)[1])
    one_to_one = float(re.search(r"agreement \(one-to-one customers\): ([0-9.]+)", output)[1])
    assert 0 < overall <= one_to_one <= 1
    assert one_to_one >= ONE_TO_ONE_TARGET, output
    assert "confusion matrix" in output
    # The matrix has a row per true stage seen: every funnel stage at least.
    for stage in ("awareness", "engagement", "evaluation", "acquisition", "conversion"):
        assert re.search(rf"^{stage}\s+\d", output, re.MULTILINE), output


def test_daily_counts_match_the_spells(built: dict) -> None:
    """customers_per_stage_daily (entries minus exits) against a direct count."""
    con = duckdb.connect(str(built["warehouse"]), read_only=True)
    try:
        mismatches = con.execute(
            """
            with direct as (
                select daily.date_day, daily.stage, daily.customers,
                    (select count(*) from marts.customer_stage_history as spells
                        where spells.stage = daily.stage
                            and spells.valid_from < daily.date_day + interval 1 day
                            and (spells.valid_to is null
                                or spells.valid_to >= daily.date_day + interval 1 day)
                    ) as counted
                from marts.customers_per_stage_daily as daily
            )
            select count(*) from direct where customers <> counted
            """
        ).fetchone()[0]
        rows = con.execute("select count(*) from marts.customers_per_stage_daily").fetchone()[0]
    finally:
        con.close()
    assert rows == DAYS * 11
    assert mismatches == 0


def test_incremental_run_equals_full_refresh(built: dict) -> None:
    """The history built incrementally (days 26-30 on top of 1-25, late rows included)
    has exactly the rows a full refresh computes (but for updated_at, the time a row
    was written)."""
    copy, env = copy_of(built, "full_refresh")
    dbt(env, "run", "--full-refresh", "-s", LIFECYCLE_MARTS)
    con = duckdb.connect(str(built["warehouse"]), read_only=True)
    try:
        con.execute(f"attach '{copy}' as refreshed (read_only)")
        for mart in (
            "customer_stage_history",
            "customers_per_stage_daily",
            "stage_transitions",
            "lead_grade_history",
            "lead_grades_daily",
        ):
            rows = con.execute(f"select count(*) from marts.{mart}").fetchone()[0]
            differing = rows_differing_from_refresh(con, "marts", mart, exclude=("updated_at",))
            assert rows > 0 and differing == 0, mart
    finally:
        con.close()


def test_incremental_run_catches_changes_by_time_alone(built: dict) -> None:
    """A customer with no new touchpoint still moves when time passes (at risk, then
    churned; a lead grade cooling): the incremental run recomputes the customers whose
    next_change_at the new as-of moment has passed. The histories are first built as
    of day 25 (every touchpoint is already there), then incrementally as of day 30:
    only time has moved. Short churn, at-risk and half-life settings make many
    customers move in those days."""
    copy, env = copy_of(built, "by_time")
    models = "customer_stage_history lead_grade_history"
    settings = (
        '"churn_after_days": 4, "at_risk_default_gap_days": 1, "lead_score_half_life_days": 1'
    )
    as_of_day_25 = "{" + settings + ', "lifecycle_as_of": "2026-01-25"}'
    dbt(env, "run", "--full-refresh", "-s", "int_lead_score_events", models, "--vars", as_of_day_25)
    con = duckdb.connect(str(copy))
    try:
        for mart in models.split():
            con.execute(f"create table marts.{mart}_day_25 as from marts.{mart}")
    finally:
        con.close()
    dbt(env, "run", "-s", models, "--vars", "{" + settings + "}")
    refreshed, refreshed_env = copy_of({**built, "warehouse": copy}, "by_time_refreshed")
    dbt(refreshed_env, "run", "--full-refresh", "-s", models, "--vars", "{" + settings + "}")
    columns = {
        "customer_stage_history": "customer_id, spell_number, stage, valid_from, valid_to,"
        " is_current, moved_by_touchpoint_id, moved_by_reason, customer_touchpoints,"
        " next_change_at",
        "lead_grade_history": "customer_id, lead_grade, valid_from, valid_to, is_current,"
        " lead_score_at_valid_from, next_change_at",
    }
    con = duckdb.connect(str(copy), read_only=True)
    try:
        con.execute(f"attach '{refreshed}' as refreshed (read_only)")
        for mart, listed in columns.items():
            moved_by_time = con.execute(
                f"select count(*) from (select {listed} from refreshed.marts.{mart}"
                f" except all select {listed} from marts.{mart}_day_25)"
            ).fetchone()[0]
            differing = con.execute(
                f"select count(*) from ((select {listed} from marts.{mart}"
                f" except all select {listed} from refreshed.marts.{mart})"
                f" union all (select {listed} from refreshed.marts.{mart}"
                f" except all select {listed} from marts.{mart}))"
            ).fetchone()[0]
            assert moved_by_time > 0, f"{mart}: nothing moved from day 25 to 30: a void test"
            assert differing == 0, mart
    finally:
        con.close()


def test_an_older_table_asks_for_a_full_refresh(built: dict) -> None:
    """A history table built by an older version (without next_change_at) stops the
    incremental run with the command that fixes it, not an SQL error."""
    copy, env = copy_of(built, "older_table")
    con = duckdb.connect(str(copy))
    try:
        con.execute("alter table marts.customer_stage_history drop column next_change_at")
    finally:
        con.close()
    with pytest.raises(AssertionError) as failed:
        dbt(env, "compile", "-s", "customer_stage_history")
    assert "built by an older version" in str(failed.value)
    assert "dbt build --full-refresh -s customer_stage_history+" in str(failed.value)


def test_five_stage_preset_builds(built: dict) -> None:
    copy, env = copy_of(built, "five_stage")
    dbt(
        env,
        "build",
        "--full-refresh",
        "-s",
        LIFECYCLE_MARTS,
        "--vars",
        '{"lifecycle_framework": "five_stage"}',
    )
    con = duckdb.connect(str(copy), read_only=True)
    try:
        stages = {
            row[0]
            for row in con.execute(
                "select distinct stage from marts.customers_per_stage_daily"
            ).fetchall()
        }
        orders = dict(
            con.execute(
                "select stage, min(stage_order) from marts.customer_stage_history group by stage"
            ).fetchall()
        )
    finally:
        con.close()
    five_stages = {"awareness", "acquisition", "conversion", "retention", "loyalty"}
    assert stages == five_stages | {"at_risk", "churned", "reactivated"}
    assert set(orders) <= stages
    assert {"awareness", "acquisition", "conversion", "retention"} <= set(orders)
    assert (orders["awareness"], orders["acquisition"], orders["conversion"]) == (1, 2, 3)

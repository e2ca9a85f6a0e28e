"""The same dbt project on DuckDB and on Spark gives the same marts.

One small generated dataset is ingested once into DuckDB's raw tables and
exported to the Parquet lake (orchestration.ingest.lake); dbt then builds it
twice, with the opt-in probabilistic matching on: `dbt build --target duckdb`
and `lifecycle-dbt build --target spark` (dbt-spark in session mode on local
PySpark; Splink's Spark backend scores there). Every mart is compared: row
count, the set of its key values (the columns of its `unique` /
`unique_combination_of_columns` tests), and per column an aggregate: the sum of
a numeric column (within floating-point tolerance), the number of distinct
values and of nulls of any other. Spark's tables are Parquet files under the
Spark warehouse folder, so both sides are read with DuckDB.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest

from orchestration.spark_tables import spark_tables_root

pytestmark = pytest.mark.e2e

PROJECT_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PERSONS, DAYS, SEED = 200, 30, 42
REL_TOLERANCE = 1e-9
ABS_TOLERANCE = 1e-6
# Written with the time of the dbt invocation, so they differ between two builds.
RUN_TIME_COLUMNS = {"updated_at", "merged_at", "keyed_at", "changed_at", "recorded_at"}
WITHOUT_TESTS = ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
# The opt-in Splink step too: Splink's DuckDB backend on one side, its Spark backend
# on the other.
VARS = ["--vars", '{"identity_probabilistic_matching": true}']
NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL")


def _run(command: list[str], env: dict[str, str]) -> float:
    started = time.monotonic()
    completed = subprocess.run(
        command, env=env, cwd=PROJECT_DIR, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise AssertionError(
            f"{' '.join(command)} failed ({completed.returncode}):\n"
            f"{completed.stdout[-8000:]}\n{completed.stderr[-3000:]}"
        )
    return time.monotonic() - started


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict:
    if shutil.which("java") is None:
        pytest.skip("no Java runtime: PySpark needs one (Debian: openjdk-17-jre-headless)")
    root = tmp_path_factory.mktemp("parity")
    env = {
        **os.environ,
        "LIFECYCLE_WAREHOUSE": str(root / "warehouse" / "lifecycle.duckdb"),
        "LIFECYCLE_LANDING": str(root / "landing"),
        "LIFECYCLE_GROUND_TRUTH": str(root / "truth"),
        "LIFECYCLE_LAKE": str(root / "lake"),
        "LIFECYCLE_SPARK_WAREHOUSE": str(root / "spark"),
        "LIFECYCLE_LOGS": str(root / "logs"),
    }
    generate = ["generate", "--persons", str(PERSONS), "--days", str(DAYS), "--seed", str(SEED)]
    _run([str(BIN / "lifecycle"), *generate], env)
    _run([sys.executable, "-m", "orchestration.ingest.lake", "--ingest"], env)
    # Seeds and models only: the data tests run in the DuckDB suites (and pass on
    # Spark too, README "Scale out"); here they would double the Spark time. The two
    # builds share nothing but the (read-only) lake, so they run side by side: Spark's
    # time is mostly its driver planning queries, which leaves room for DuckDB.
    commands = {
        target: [
            str(BIN / executable),
            "build",
            "--target",
            target,
            *("--target-path", str(root / f"target-{target}")),
            *("--log-path", str(root / f"logs-{target}")),
            *WITHOUT_TESTS,
            *VARS,
        ]
        for target, executable in (("duckdb", "dbt"), ("spark", "lifecycle-dbt"))
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        running = {target: pool.submit(_run, command, env) for target, command in commands.items()}
        timings = {target: future.result() for target, future in running.items()}
    print(f"dbt build: duckdb {timings['duckdb']:.0f}s, spark {timings['spark']:.0f}s")
    return {"root": root, "env": env, "timings": timings}


def _marts_and_keys(manifest_path: Path) -> tuple[dict[str, list[list[str]]], dict[str, str]]:
    """Every mart (models/marts/, and seeds in a marts schema) with the key columns its
    tests declare, and each mart's schema."""
    manifest = json.loads(manifest_path.read_text())
    schemas = {
        node["alias"]: node["schema"]
        for node in manifest["nodes"].values()
        if (
            (node["resource_type"] == "model" and node["path"].startswith("marts/"))
            or (node["resource_type"] == "seed" and node["schema"] == "marts")
        )
        and node["config"].get("enabled", True)
    }
    marts: dict[str, list[list[str]]] = {alias: [] for alias in schemas}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or not node.get("test_metadata"):
            continue
        name, kwargs = node["test_metadata"]["name"], node["test_metadata"]["kwargs"]
        parents = [manifest["nodes"][p] for p in node["depends_on"]["nodes"]]
        parents = [p for p in parents if p.get("alias") in marts]
        if len(parents) != 1:
            continue
        if name == "unique" and node.get("column_name"):
            marts[parents[0]["alias"]].append([node["column_name"]])
        elif name == "unique_combination_of_columns":
            marts[parents[0]["alias"]].append(list(kwargs["combination_of_columns"]))
    return marts, schemas


def _profile(con: duckdb.DuckDBPyConnection, relation: str, keys: list[list[str]]) -> dict:
    columns = con.execute(f"describe select * from {relation}").fetchall()
    profile: dict = {"rows": con.execute(f"select count(*) from {relation}").fetchone()[0]}
    for name, type_, *_ in columns:
        if name in RUN_TIME_COLUMNS:
            continue
        if type_.upper().startswith(NUMERIC):
            value = con.execute(f'select sum("{name}")::double from {relation}').fetchone()[0]
            profile[f"sum({name})"] = value
        else:
            profile[f"distinct({name})"] = con.execute(
                f'select count(distinct "{name}"::varchar) from {relation}'
            ).fetchone()[0]
        profile[f"nulls({name})"] = con.execute(
            f'select count(*) - count("{name}") from {relation}'
        ).fetchone()[0]
    for key in keys:
        rendered = ", ".join(f"coalesce(\"{column}\"::varchar, '<null>')" for column in key)
        profile[f"keys({', '.join(key)})"] = sorted(
            row[0]
            for row in con.execute(f"select concat_ws('|', {rendered}) from {relation}").fetchall()
        )
    return profile


def _same(left: object, right: object) -> bool:
    if isinstance(left, float) or isinstance(right, float):
        if left is None or right is None:
            return left is right
        return math.isclose(left, right, rel_tol=REL_TOLERANCE, abs_tol=ABS_TOLERANCE)
    return left == right


def test_marts_are_equal_on_duckdb_and_spark(builds: dict) -> None:
    root = builds["root"]
    marts, schemas = _marts_and_keys(root / "target-duckdb" / "manifest.json")
    assert len(marts) > 40, f"expected every mart, found {sorted(marts)}"
    duck = duckdb.connect(builds["env"]["LIFECYCLE_WAREHOUSE"], read_only=True)
    spark = duckdb.connect()
    differences = []
    try:
        for mart, keys in sorted(marts.items()):
            schema = schemas[mart]
            folder = spark_tables_root(root / "spark") / f"{schema}.db" / mart
            assert folder.is_dir(), f"Spark built no table {schema}.{mart} ({folder})"
            on_duckdb = _profile(duck, f"{schema}.{mart}", keys)
            if any(folder.glob("*.parquet")):
                on_spark = _profile(spark, f"read_parquet('{folder}/*.parquet')", keys)
            else:
                on_spark = {"rows": 0}
            assert on_duckdb["rows"] > 0 or mart in EMPTY_ON_SMALL_DATA, f"{mart} is empty"
            for measure in sorted(set(on_duckdb) | set(on_spark)):
                left, right = on_duckdb.get(measure), on_spark.get(measure)
                if not _same(left, right):
                    shown = (str(left)[:200], str(right)[:200])
                    differences.append(f"{mart}.{measure}: duckdb {shown[0]} / spark {shown[1]}")
    finally:
        duck.close()
        spark.close()
    assert not differences, f"{len(differences)} differences:\n" + "\n".join(differences[:60])


# Marts that the 30-day dataset may leave empty (no merges in one build).
EMPTY_ON_SMALL_DATA = {"customer_merges"}


def test_checks_and_report_read_the_spark_tables(builds: dict, tmp_path: Path) -> None:
    """What runs after dbt on the spark target: the Spark tables published as views in
    a DuckDB warehouse (here a copy of the DuckDB build's, so its DuckDB tables are
    replaced), the staging and marts GX suites pass on them, and the report export
    gives the same tables as from the DuckDB build."""
    from expectations import marts, staging
    from expectations.results import write_check_results
    from expectations.runner import validate_suites
    from expectations.suite import RunParameters
    from orchestration.reporting import export_report_database
    from orchestration.spark_tables import publish_spark_tables

    root = builds["root"]
    warehouses = {side: tmp_path / f"{side}.duckdb" for side in ("duckdb", "spark")}
    for path in warehouses.values():
        shutil.copy2(builds["env"]["LIFECYCLE_WAREHOUSE"], path)
    with duckdb.connect(str(warehouses["spark"])) as con:
        published = publish_spark_tables(con, root / "spark")
    assert "marts.customers" in published.replaced_tables
    assert published.views["marts.customers"] > 0
    assert not published.without_files, published.without_files

    run = RunParameters()
    suites = [*staging.suites(run, staging.TABLES), *marts.suites(run, marts.TABLES)]
    outcomes = validate_suites(
        warehouses["spark"], suites, gx_root=tmp_path / "gx", checkpoint="spark"
    )
    assert len(outcomes) == len(suites)
    errors = [f"{o.suite}: {f.expectation} {f.observed}" for o in outcomes for f in o.errors]
    assert not errors, "\n".join(errors)

    # The report's data-health page reads the check results: the same on both sides.
    for path in warehouses.values():
        with duckdb.connect(str(path)) as con:
            write_check_results(con, run_id="parity", checked_at=run.checked_at, outcomes=outcomes)
    reports = {
        side: export_report_database(path, tmp_path / f"report-{side}.duckdb")
        for side, path in warehouses.items()
    }
    assert reports["spark"] == reports["duckdb"]
    differences = []
    with duckdb.connect() as con:
        for side in reports:
            con.execute(f"attach '{tmp_path / f'report-{side}.duckdb'}' as {side} (read_only)")
        for table in sorted(reports["duckdb"]):
            left = _profile(con, f'duckdb.main."{table}"', [])
            right = _profile(con, f'spark.main."{table}"', [])
            differences += [
                f"{table}.{measure}: duckdb {left.get(measure)} / spark {right.get(measure)}"
                for measure in sorted(set(left) | set(right))
                if not _same(left.get(measure), right.get(measure))
            ]
    assert not differences, "\n".join(differences[:40])


def test_probabilistic_edges_are_equal_on_duckdb_and_spark(builds: dict) -> None:
    """Splink's Spark backend, inside the Spark build, scores the same pairs with the
    same probabilities as its DuckDB backend in the DuckDB build."""
    folder = spark_tables_root(builds["root"] / "spark") / "intermediate.db"
    query = "select node_a, node_b, match_probability from {} order by node_a, node_b"
    with duckdb.connect(builds["env"]["LIFECYCLE_WAREHOUSE"], read_only=True) as con:
        on_duckdb = con.execute(
            query.format("intermediate.int_identity_probabilistic_edges")
        ).fetchall()
    with duckdb.connect() as con:
        on_spark = con.execute(
            query.format(f"read_parquet('{folder / 'int_identity_probabilistic_edges'}/*.parquet')")
        ).fetchall()
    assert on_duckdb, "the small dataset gave Splink no pair at the threshold"
    assert [row[:2] for row in on_spark] == [row[:2] for row in on_duckdb]
    for spark_row, duckdb_row in zip(on_spark, on_duckdb, strict=True):
        assert spark_row[2] == pytest.approx(duckdb_row[2], rel=1e-9)

"""Identity stitching at a given number of identifiers, measured on its own.

    python -m orchestration.bench_stitching --from WAREHOUSE [--identifiers 10000000]
        [--workdir DIR]

The benchmark's target is "identity stitching of 10M identifiers". A benchmark size
of 1M persons holds about 5.4M identifiers, and generating 2M persons would take the
disk and time of a second full build. So this script takes the identifier
observations a real run built (intermediate.int_identifier_observations of
WAREHOUSE), copies them as many times as it takes to reach the number asked for
(copy k suffixes every identifier value and record with '#k', and hashes the new ids
into their integer keys as macro identity_key does: the copies are disjoint graphs of
the same shape as the generated one), and runs the stitching models on them
with real dbt, in a warehouse of their own:

    int_identity_nodes -> int_shared_identifiers -> int_identity_edges
    -> int_identity_components -> int_customer_key_history -> int_customer_identifiers
    -> int_record_customers

that is, from the identifier observations to the customer of every identifier and
of every identity record. Reading the identifiers out of the staging tables
(int_identifier_observations itself) is left out: it scans every source row and is
timed with the full build. The opt-in probabilistic matching
(var identity_probabilistic_matching) is off, as by default.

It times two runs: the first build (no customer keys yet) and a second run on the
same observations (the customer keys of the first run are read back and kept: what a
daily run does). Each prints the sum of the models' times from dbt's
run_results.json and the wall time of the dbt process (start-up and parsing
included). It prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.settings import PROJECT_DIR

STITCHING_MODELS = (
    "int_identity_nodes",
    "int_shared_identifiers",
    "int_identity_edges",
    "int_identity_components",
    "int_customer_key_history",
    "int_customer_identifiers",
    "int_record_customers",
)
# The seeds the stitching models read (the blocklists are applied upstream, in
# int_identifier_observations, whose is_blocked column the copies keep).
STITCHING_SEEDS = ("identity_link_rules",)
DBT = str(Path(sys.executable).parent / "dbt")
# macro identity_key on DuckDB, for the copies' new ids.
IDENTITY_KEY = "cast(md5_number({}) >> 64 as ubigint)"


@dataclass
class StitchingRun:
    wall_seconds: float
    model_seconds: dict[str, float]
    returncode: int

    @property
    def models_total(self) -> float:
        return sum(self.model_seconds.values())


@dataclass
class StitchingResult:
    identifiers: int
    observations: int
    copies: int
    prepare_seconds: float
    runs: list[StitchingRun]


def say(message: str) -> None:
    print(f"[stitching {time.strftime('%H:%M:%S')}] {message}", flush=True)


def prepare(source: Path, warehouse: Path, identifiers: int) -> tuple[int, int, int]:
    """The stitching warehouse: the source's observations copied to at least
    `identifiers` distinct identifiers. Returns (identifiers, observations, copies)."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    warehouse.unlink(missing_ok=True)
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(f"attach '{source}' as source (read_only)")
        source_nodes = con.execute(
            "select count(distinct node_id) from source.intermediate.int_identifier_observations"
        ).fetchone()[0]
        if not source_nodes:
            raise SystemExit(f"{source} has no identifier observations: build it first")
        copies = max(1, math.ceil(identifiers / source_nodes))
        con.execute("create schema intermediate")
        con.execute(
            f"""
            create table intermediate.int_identifier_observations as
            select
                observations.record_type,
                observations.record_id || '#' || copies.k as record_id,
                observations.identifier_type,
                observations.identifier_value || '#' || copies.k as identifier_value,
                observations.node_id || '#' || copies.k as node_id,
                {IDENTITY_KEY.format("observations.node_id || '#' || copies.k")} as node_key,
                {IDENTITY_KEY.format("observations.record_id || '#' || copies.k")}
                    as record_key,
                observations.first_observed_at,
                observations.last_observed_at,
                observations.n_observations,
                observations.n_record_identifiers,
                observations.is_blocked,
                observations.blocked_reason
            from source.intermediate.int_identifier_observations as observations
            cross join range({copies}) as copies(k)
            """
        )
        # int_identity_edges reads the probabilistic edges; the step is off, so the
        # table is empty (as in a default run), with the source's columns.
        con.execute(
            "create table intermediate.int_identity_probabilistic_edges as"
            " select * from source.intermediate.int_identity_probabilistic_edges limit 0"
        )
        nodes, observations = con.execute(
            "select count(distinct node_id), count(*) from intermediate.int_identifier_observations"
        ).fetchone()
    finally:
        con.close()
    return nodes, observations, copies


def _dbt(args: list[str], env: dict[str, str], target: Path, log: Path) -> tuple[float, int]:
    started = time.monotonic()
    with log.open("a", encoding="utf-8") as out:
        done = subprocess.run(
            [
                DBT,
                *args,
                *("--project-dir", str(PROJECT_DIR)),
                *("--profiles-dir", str(PROJECT_DIR)),
                *("--target-path", str(target)),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    return time.monotonic() - started, done.returncode


def run_models(env: dict[str, str], target: Path, log: Path) -> StitchingRun:
    wall, returncode = _dbt(["run", "--select", *STITCHING_MODELS], env, target, log)
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
    seconds = {
        result["unique_id"].rsplit(".", 1)[-1]: result["execution_time"]
        for result in results["results"]
        if result["unique_id"].startswith("model.")
    }
    return StitchingRun(wall_seconds=wall, model_seconds=seconds, returncode=returncode)


def bench_stitching(
    source: Path,
    work: Path,
    identifiers: int = 10_000_000,
    runs: int = 2,
    env: dict[str, str] | None = None,
) -> StitchingResult:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    warehouse = work / "stitching.duckdb"
    say(f"copying the identifier observations of {source} to {identifiers:,}+ identifiers")
    started = time.monotonic()
    nodes, observations, copies = prepare(source, warehouse, identifiers)
    prepared = time.monotonic() - started
    say(
        f"  {nodes:,} identifiers, {observations:,} observations ({copies} copies)"
        f" in {prepared:.0f}s"
    )
    env = {
        **(env if env is not None else os.environ),
        "LIFECYCLE_WAREHOUSE": str(warehouse),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    target = work / "target"
    log = work / "dbt.log"
    _, seeded = _dbt(["seed", "--select", *STITCHING_SEEDS], env, target, log)
    if seeded:
        raise SystemExit(f"dbt seed failed, see {log}")
    done = []
    for number in range(1, runs + 1):
        say(f"  run {number}: dbt run --select {' '.join(STITCHING_MODELS)}")
        run = run_models(env, target, log)
        status = "" if run.returncode == 0 else f" FAILED (exit {run.returncode}, see {log})"
        say(
            f"  run {number}: models {run.models_total:.1f}s,"
            f" dbt wall {run.wall_seconds:.1f}s{status}"
        )
        done.append(run)
    return StitchingResult(
        identifiers=nodes,
        observations=observations,
        copies=copies,
        prepare_seconds=prepared,
        runs=done,
    )


def report(result: StitchingResult) -> list[str]:
    lines = [
        f"Identity stitching of {result.identifiers:,} identifiers"
        f" ({result.observations:,} observations: {result.copies} copies of the"
        " largest size's; dbt run of the stitching models alone):"
    ]
    for number, run in enumerate(result.runs, start=1):
        label = "first build" if number == 1 else "re-run, keys kept"
        models = ", ".join(
            f"{name.removeprefix('int_')} {seconds:.1f}"
            for name, seconds in run.model_seconds.items()
        )
        status = "" if run.returncode == 0 else " (FAILED)"
        lines.append(
            f"- {label}{status}: models {run.models_total:.1f} s"
            f" (dbt wall {run.wall_seconds:.1f} s): {models}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.bench_stitching",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--from",
        dest="source",
        type=Path,
        required=True,
        help="a built warehouse (lifecycle.duckdb) whose identifier observations to copy",
    )
    parser.add_argument("--identifiers", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path("/tmp/lifecycle-bench/stitching"),
        help="where the stitching warehouse goes (removed and recreated)",
    )
    args = parser.parse_args(argv)
    # The benchmark's DuckDB memory limit (orchestration.bench), unless set.
    env = {"LIFECYCLE_DUCKDB_MEMORY": "6GB", **os.environ}
    result = bench_stitching(args.source, args.workdir, args.identifiers, args.runs, env=env)
    print("\n".join(report(result)), flush=True)
    return 0 if all(run.returncode == 0 for run in result.runs) else 1


if __name__ == "__main__":
    sys.exit(main())

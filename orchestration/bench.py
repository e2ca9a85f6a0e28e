"""`make bench`: the pipeline's speed and memory at scale, measured and printed.

    python -m orchestration.bench [--sizes 10000,100000,1000000] [--days 365] [--workdir DIR]

For each size (persons) it generates `days + 1` days of channel exports with the
DuckDB-native scale generator (orchestration.generator.scale), holds the last day
back, and then, each in its own warehouse under the work folder:

1. full build: `lifecycle run --no-report` over the `days` days (the real Dagster job:
   ingestion, dbt build with its tests, the GX checks), then the report export
   (`orchestration.reporting.export_report_database`, the report sources Evidence
   reads; the Evidence site build itself is left out: its input is a few thousand
   aggregate rows whatever the size);
2. daily incremental run: the held-back day lands and `lifecycle run --date <day>`
   loads and builds just that day on top of the year;
3. reference: `orchestration.bench_reference`, one hand-written DuckDB script computing
   the core outputs over the same Parquet files, timed in the same session.

After the sizes, `orchestration.bench_stitching` times the identity stitching models
alone on 10M+ identifiers (the largest size's identifier observations, copied;
`--stitching-identifiers`, 0 to skip): the target "identity stitching of 10M
identifiers" measured, not extrapolated.

Wall time and peak memory are measured from outside: peak RSS is the largest sum of
the resident memory of the child process and all its descendants (Dagster, dbt and
DuckDB), sampled from /proc every 0.2 s. Phases come from the run itself: ingestion
and the GX checks from Dagster's step events, the dbt models from dbt's
run_results.json grouped by folder, the dbt data tests as quality checks. Rows per
second divide a phase's main input rows by its time (see PHASE_INPUT).

It prints figures; it asserts nothing (house style: benchmarks are scripts).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from orchestration.bench_stitching import StitchingResult, bench_stitching
from orchestration.bench_stitching import report as stitching_report
from orchestration.settings import PROJECT_DIR, dbt_target_dir

PAGE = os.sysconf("SC_PAGE_SIZE")
TARGETS = {
    "full_build_seconds": 300,
    "full_build_rss_gib": 8,
    "incremental_seconds": 30,
    "stitching_seconds": 60,
    "reference_ratio": 3,
}
# dbt model folders -> benchmark phase
PHASE_OF_FOLDER = (
    ("models/staging/", "staging"),
    ("models/intermediate/identity/", "identity stitching"),
    ("models/marts/customers/", "identity stitching"),
    ("models/marts/pii/", "identity stitching"),
    ("models/intermediate/touchpoints/", "touchpoints"),
    ("models/marts/touchpoints/", "touchpoints"),
    ("models/intermediate/lifecycle/", "stages"),
    ("models/marts/lifecycle/", "stages"),
    ("models/", "KPIs"),  # kpis, channels, attribution, value
    ("seeds/", "seeds"),
)
PHASES = (
    "ingestion",
    "staging",
    "identity stitching",
    "touchpoints",
    "stages",
    "KPIs",
    "quality checks",
    "report sources",
)
# The dbt phases of seeds and models (what the Spark figure builds too).
DBT_MODEL_PHASES = ("seeds", "staging", "identity stitching", "touchpoints", "stages", "KPIs")
# phase -> the warehouse count its rows per second divide
PHASE_INPUT = {
    "ingestion": "raw_rows",
    "staging": "raw_rows",
    "identity stitching": "identifier_observations",
    "touchpoints": "touchpoints",
    "stages": "touchpoints",
    "KPIs": "touchpoints",
    "quality checks": "touchpoints",
    "report sources": "touchpoints",
}


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- measuring a child process tree ------------------------------------------------


def _tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read().decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm") as handle:
                total += int(handle.read().split()[1]) * PAGE
        except OSError:
            pass
        stack.extend(children.get(pid, []))
    return total


@dataclass
class Measured:
    seconds: float
    peak_rss: int
    samples: list[tuple[float, int]] = field(default_factory=list)  # (epoch seconds, bytes)
    stdout: str = ""
    returncode: int = 0


def measure(command: list[str], env: dict[str, str], log: Path) -> Measured:
    """Run `command`, sampling its tree's RSS; its output goes to `log`."""
    samples: list[tuple[float, int]] = []
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=out, text=True, cwd=PROJECT_DIR
        )
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                samples.append((time.time(), _tree_rss(process.pid)))
                done.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        stdout = process.stdout.read() if process.stdout else ""
        process.wait()
        done.set()
        sampler.join()
        out.write(stdout)
    return Measured(
        seconds=time.monotonic() - started,
        peak_rss=max((rss for _, rss in samples), default=0),
        samples=samples,
        stdout=stdout,
        returncode=process.returncode,
    )


def _peak_between(samples: list[tuple[float, int]], start: float, end: float) -> int:
    inside = [rss for at, rss in samples if start - 0.2 <= at <= end + 0.2]
    return max(inside, default=0)


def _union_seconds(intervals: list[tuple[float, float]]) -> float:
    total, current_start, current_end = 0.0, None, None
    for start, end in sorted(intervals):
        if current_end is None or start > current_end:
            if current_end is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += current_end - current_start
    return total


# --- phases from Dagster and dbt ---------------------------------------------------


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=UTC).timestamp()


def _dagster_steps(dagster_home: Path) -> tuple[str, dict[str, tuple[float, float]]]:
    """The latest run's id and each step's (start, end) epoch seconds."""
    code = (
        "import json, dagster as dg\n"
        "from dagster import DagsterEventType as T\n"
        "with dg.DagsterInstance.get() as i:\n"
        "    run = i.get_run_records(limit=1)[0].dagster_run\n"
        "    steps = {}\n"
        "    for e in i.all_logs(run.run_id, of_type={T.STEP_START, T.STEP_SUCCESS,"
        " T.STEP_FAILURE}):\n"
        "        s = steps.setdefault(e.step_key, [e.timestamp, e.timestamp])\n"
        "        s[0] = min(s[0], e.timestamp); s[1] = max(s[1], e.timestamp)\n"
        "    print(json.dumps({'run_id': run.run_id, 'steps': steps}))\n"
    )
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home)}
    completed = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    data = json.loads(completed.stdout.strip().splitlines()[-1])
    return data["run_id"], {k: tuple(v) for k, v in data["steps"].items()}


def _dbt_nodes(run_id: str) -> list[tuple[str, float, float, str]]:
    """(phase, start, end, status) of each dbt node of the run's `dbt build`."""
    candidates = sorted(
        dbt_target_dir().glob(f"lifecycle_dbt_assets-{run_id[:7]}-*/run_results.json"),
        key=lambda p: p.stat().st_mtime,
    )
    build = None
    for path in candidates:
        results = json.loads(path.read_text(encoding="utf-8"))
        if results.get("args", {}).get("which") == "build":
            build = path
    if build is None:
        return []
    results = json.loads(build.read_text(encoding="utf-8"))
    manifest_path = build.parent / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    nodes = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    rows = []
    for result in results["results"]:
        unique_id = result["unique_id"]
        timing = [t for t in result.get("timing", []) if t.get("started_at")]
        if not timing:
            continue
        start = min(_epoch(t["started_at"]) for t in timing)
        end = max(_epoch(t["completed_at"]) for t in timing)
        kind = unique_id.split(".", 1)[0]
        if kind == "test":
            phase = "quality checks"
        elif kind == "unit_test":
            phase = "dbt unit tests"
        else:
            path = nodes.get(unique_id, {}).get("original_file_path", "")
            phase = next((p for prefix, p in PHASE_OF_FOLDER if path.startswith(prefix)), "other")
        rows.append((phase, start, end, result.get("status", "")))
    return rows


def phase_breakdown(
    dagster_home: Path, samples: list[tuple[float, int]]
) -> dict[str, tuple[float, int]]:
    """phase -> (wall seconds, peak RSS in the phase)."""
    run_id, steps = _dagster_steps(dagster_home)
    intervals: dict[str, list[tuple[float, float]]] = {}
    dbt_step = None
    for step_key, (start, end) in steps.items():
        if step_key.startswith("raw"):
            intervals.setdefault("ingestion", []).append((start, end))
        elif "gx" in step_key:
            intervals.setdefault("quality checks", []).append((start, end))
        elif "dbt" in step_key:
            dbt_step = (start, end)
        elif "report" in step_key:
            intervals.setdefault("report sources", []).append((start, end))
    nodes = _dbt_nodes(run_id)
    for phase, start, end, _ in nodes:
        intervals.setdefault(phase, []).append((start, end))
    if dbt_step is not None:
        covered = _union_seconds([(s, e) for _, s, e, _ in nodes])
        intervals.setdefault("dbt start-up, freshness, Dagster", []).append(
            (0.0, max(0.0, (dbt_step[1] - dbt_step[0]) - covered))
        )
    breakdown = {}
    for phase, spans in intervals.items():
        peak = max((_peak_between(samples, s, e) for s, e in spans if s > 0), default=0)
        breakdown[phase] = (_union_seconds(spans), peak)
    return breakdown


# --- the warehouse's figures ------------------------------------------------------


def warehouse_figures(warehouse: Path) -> dict:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        raw_rows = sum(
            con.execute(f'select count(*) from raw."{name}"').fetchone()[0]
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'raw'"
            ).fetchall()
        )

        def one(sql: str) -> int:
            return int(con.execute(sql).fetchone()[0])

        schema = {
            name: schema
            for schema, name in con.execute(
                "select schema_name, table_name from duckdb_tables()"
                " union all select schema_name, view_name from duckdb_views()"
            ).fetchall()
        }
        identifiers = one(
            f"select count(*) from {schema['int_customer_identifiers']}.int_customer_identifiers"
        )
        observations = (
            one(
                f"select sum(n_observations) from {schema['int_identifier_observations']}"
                ".int_identifier_observations"
            )
            if "int_identifier_observations" in schema
            else identifiers
        )
        stage_day = con.execute("select max(date_day) from marts.customers_per_stage_daily")
        (last_day,) = stage_day.fetchone()
        return {
            "raw_rows": raw_rows,
            "identifiers": identifiers,
            "identifier_observations": observations,
            "touchpoints": one("select count(*) from marts.touchpoints"),
            "customers": one("select count(*) from marts.customers"),
            "touchpoints_per_channel": dict(
                con.execute(
                    "select channel, count(*) from marts.touchpoints group by 1 order by 1"
                ).fetchall()
            ),
            "revenue_eur_per_channel": {
                channel: round(float(value), 2)
                for channel, value in con.execute(
                    "select channel, sum(revenue_eur) from marts.touchpoints"
                    " where revenue_eur is not null group by 1 order by 1"
                ).fetchall()
            },
            "customers_per_stage": dict(
                con.execute(
                    "select stage, customers from marts.customers_per_stage_daily"
                    " where date_day = ? and customers > 0 order by stage_order",
                    [last_day],
                ).fetchall()
            ),
            "stage_day": str(last_day),
        }
    finally:
        con.close()


# --- one size ---------------------------------------------------------------------


@dataclass
class SizeResult:
    persons: int
    generated_rows: int
    generate_seconds: float
    generate_rss: int
    full: Measured
    report: Measured
    full_phases: dict[str, tuple[float, int]]
    incremental: Measured | None
    incremental_phases: dict[str, tuple[float, int]]
    reference: Measured
    reference_figures: dict
    figures: dict
    spark: dict[str, Measured] = field(default_factory=dict)
    """On the sizes of --spark-sizes: `lake export` and `dbt build` on the spark target."""


# DuckDB's memory limit in the benchmark's runs, unless LIFECYCLE_DUCKDB_MEMORY is set:
# the 8 GiB target is for the whole process tree (Dagster, dbt, DuckDB inside dbt),
# so DuckDB gets 6 GB of it and spills to disk beyond.
BENCH_DUCKDB_MEMORY = "6GB"


def _duckdb_memory() -> str:
    return os.environ.get("LIFECYCLE_DUCKDB_MEMORY", BENCH_DUCKDB_MEMORY)


def _env(work: Path, start: date) -> dict[str, str]:
    env = dict(os.environ)
    env["LIFECYCLE_DUCKDB_MEMORY"] = _duckdb_memory()
    env.update(
        {
            "LIFECYCLE_WAREHOUSE": str(work / "warehouse" / "lifecycle.duckdb"),
            "LIFECYCLE_LANDING": str(work / "landing"),
            "LIFECYCLE_REPORT_DB": str(work / "warehouse" / "reports.duckdb"),
            "LIFECYCLE_GROUND_TRUTH": str(work / "truth"),
            "LIFECYCLE_LOGS": str(work / "logs"),
            "LIFECYCLE_START_DATE": start.isoformat(),
            "DAGSTER_HOME": str(work / "dagster_home"),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
    )
    return env


def _lifecycle(*args: str) -> list[str]:
    return [sys.executable, "-m", "orchestration.cli", *args]


def bench_spark(work: Path, env: dict[str, str]) -> dict[str, Measured]:
    """The year's raw layer exported to the Parquet lake, then seeds and models built
    on the spark target (dbt-spark session mode, local PySpark): the same build as the
    DuckDB one without its tests, which on Spark take longer than the models."""
    from orchestration.spark_build import WITHOUT_TESTS

    env = {
        **env,
        "LIFECYCLE_LAKE": str(work / "lake"),
        "LIFECYCLE_SPARK_WAREHOUSE": str(work / "spark"),
    }
    say("  spark: raw layer -> Parquet lake")
    exported = measure(
        [sys.executable, "-m", "orchestration.ingest.lake"], env, work / "spark_lake.log"
    )
    say(f"  spark: lake {exported.seconds:.0f}s; lifecycle-dbt build --target spark (no tests)")
    built = measure(
        [
            str(Path(sys.executable).parent / "lifecycle-dbt"),
            "build",
            "--target",
            "spark",
            *("--target-path", str(work / "target-spark")),
            *WITHOUT_TESTS,
        ],
        env,
        work / "spark_build.log",
    )
    if exported.returncode or built.returncode:
        say(f"  the Spark build FAILED, see {work / 'spark_build.log'}")
    say(f"  spark: dbt build {built.seconds:.0f}s")
    return {"lake export": exported, "dbt build": built}


def bench_size(
    persons: int, days: int, root: Path, *, incremental: bool, spark: bool = False
) -> SizeResult:
    work = root / f"persons-{persons}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    # The last day generated is yesterday (ingestion refuses timestamps beyond tomorrow).
    last_day = date.today() - timedelta(days=1)
    start = last_day - timedelta(days=days)
    env = _env(work, start)
    say(f"{persons:,} persons: generating {days + 1} days from {start} into {work}/landing")
    generated = measure(
        [
            sys.executable,
            "-m",
            "orchestration.generator.scale",
            "--landing",
            str(work / "landing"),
            "--persons",
            str(persons),
            "--days",
            str(days + 1),
            "--start-date",
            start.isoformat(),
        ],
        env,
        work / "generate.log",
    )
    if generated.returncode:
        raise SystemExit(f"generation failed, see {work / 'generate.log'}")
    summary = json.loads((work / "scale_summary.json").read_text(encoding="utf-8"))
    generated_rows = sum(summary["rows"].values())
    say(f"  {generated_rows:,} rows in {generated.seconds:.0f}s")
    held = work / "held"
    for folder in sorted((work / "landing").glob(f"*/{last_day.isoformat()}")):
        destination = held / folder.parent.name
        destination.mkdir(parents=True, exist_ok=True)
        folder.rename(destination / folder.name)

    say("  reference: the hand-written DuckDB script")
    reference = measure(
        [sys.executable, "-m", "orchestration.bench_reference", str(work / "landing")],
        env,
        work / "reference.log",
    )
    reference_figures = json.loads(reference.stdout.strip().splitlines()[-1])
    say(f"  reference: {reference.seconds:.1f}s")

    say("  full build: lifecycle run --no-report")
    full = measure(_lifecycle("run", "--no-report"), env, work / "full_build.log")
    if full.returncode:
        # A failed check still leaves every phase timed: report the figures, say so.
        say(f"  the full build FAILED (exit {full.returncode}), see {work / 'full_build.log'}")
    full_phases = phase_breakdown(work / "dagster_home", full.samples)
    say(f"  full build: {full.seconds:.0f}s")
    report = measure(
        [
            sys.executable,
            "-c",
            "import os; from pathlib import Path;"
            " from orchestration.reporting import export_report_database as e;"
            " e(Path(os.environ['LIFECYCLE_WAREHOUSE']), Path(os.environ['LIFECYCLE_REPORT_DB']))",
        ],
        env,
        work / "report.log",
    )
    full_phases["report sources"] = (report.seconds, report.peak_rss)
    figures = warehouse_figures(work / "warehouse" / "lifecycle.duckdb")
    on_spark = bench_spark(work, env) if spark else {}

    inc: Measured | None = None
    inc_phases: dict[str, tuple[float, int]] = {}
    if incremental:
        for folder in sorted(held.glob("*/*")):
            folder.rename(work / "landing" / folder.parent.name / folder.name)
        say(f"  incremental: lifecycle run --date {last_day} --no-report")
        inc = measure(
            _lifecycle("run", "--date", last_day.isoformat(), "--no-report"),
            env,
            work / "incremental.log",
        )
        if inc.returncode:
            say(
                f"  the incremental run FAILED (exit {inc.returncode}),"
                f" see {work / 'incremental.log'}"
            )
        inc_phases = phase_breakdown(work / "dagster_home", inc.samples)
        say(f"  incremental: {inc.seconds:.0f}s")
    return SizeResult(
        persons=persons,
        generated_rows=generated_rows,
        generate_seconds=generated.seconds,
        generate_rss=generated.peak_rss,
        full=full,
        report=report,
        full_phases=full_phases,
        incremental=inc,
        incremental_phases=inc_phases,
        reference=reference,
        reference_figures=reference_figures,
        figures=figures,
        spark=on_spark,
    )


# --- printing ---------------------------------------------------------------------


def _gib(n: int) -> str:
    return f"{n / 2**30:.2f}"


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def machine() -> str:
    cores = os.cpu_count()
    with open("/proc/meminfo") as handle:
        total_kib = int(handle.readline().split()[1])
    return (
        f"{cores} cores, {total_kib / 2**20:.1f} GiB RAM, DuckDB {duckdb.__version__},"
        f" LIFECYCLE_DBT_THREADS={os.environ.get('LIFECYCLE_DBT_THREADS', '1')},"
        f" LIFECYCLE_DUCKDB_MEMORY={_duckdb_memory()}"
    )


def report(results: list[SizeResult], days: int, stitched: StitchingResult | None = None) -> str:
    lines = [f"machine: {machine()}", f"window: {days} days (+1 day for the incremental run)", ""]
    header = "| figure | " + " | ".join(f"{r.persons:,} persons" for r in results) + " |"
    lines += [header, "|---" * (len(results) + 1) + "|"]

    def row(name: str, values: list[str]) -> None:
        lines.append(f"| {name} | " + " | ".join(values) + " |")

    row(
        "run status (full / incremental)",
        [
            ("ok" if r.full.returncode == 0 else "FAILED")
            + " / "
            + ("-" if not r.incremental else "ok" if r.incremental.returncode == 0 else "FAILED")
            for r in results
        ],
    )
    row("rows generated (all channels)", [f"{r.generated_rows:,}" for r in results])
    row(
        "generation s / peak GiB",
        [f"{r.generate_seconds:.0f} / {_gib(r.generate_rss)}" for r in results],
    )
    row("raw rows loaded", [f"{r.figures['raw_rows']:,}" for r in results])
    row("touchpoints", [f"{r.figures['touchpoints']:,}" for r in results])
    row("distinct identifiers", [f"{r.figures['identifiers']:,}" for r in results])
    row("unified customers", [f"{r.figures['customers']:,}" for r in results])
    full_totals = [r.full.seconds + r.report.seconds for r in results]
    row(
        "**full build s** (run + report sources)",
        [f"**{t:.0f}**" for t in full_totals],
    )
    row(
        "**full build peak RSS GiB**",
        [f"**{_gib(max(r.full.peak_rss, r.report.peak_rss))}**" for r in results],
    )
    names = list(PHASES) + sorted({p for r in results for p in r.full_phases if p not in PHASES})
    for phase in names:
        values = []
        for r in results:
            if phase not in r.full_phases:
                values.append("-")
                continue
            seconds, peak = r.full_phases[phase]
            key = PHASE_INPUT.get(phase)
            rate = f", {r.figures[key] / seconds / 1e6:.2f} M rows/s" if key and seconds > 0 else ""
            values.append(f"{seconds:.1f} s, {_gib(peak)} GiB{rate}")
        row(f"full: {phase}", values)
    row(
        "**incremental run s** (one new day)",
        [f"**{r.incremental.seconds:.0f}**" if r.incremental else "-" for r in results],
    )
    row(
        "incremental peak RSS GiB",
        [_gib(r.incremental.peak_rss) if r.incremental else "-" for r in results],
    )
    for phase in names:
        if not any(phase in r.incremental_phases for r in results):
            continue
        row(
            f"incremental: {phase}",
            [
                f"{r.incremental_phases[phase][0]:.1f} s" if phase in r.incremental_phases else "-"
                for r in results
            ],
        )
    row("reference script s", [f"{r.reference.seconds:.1f}" for r in results])
    row(
        "reference: identity s",
        [f"{r.reference_figures['seconds'].get('identity', 0):.1f}" for r in results],
    )
    row(
        "**pipeline / reference**",
        [f"**{t / r.reference.seconds:.1f}x**" for t, r in zip(full_totals, results, strict=True)],
    )
    lines.append("")
    lines.append("Targets (largest size measured):")
    big = results[-1]
    total = full_totals[-1]
    peak = max(big.full.peak_rss, big.report.peak_rss)
    stitching = big.full_phases.get("identity stitching", (0.0, 0))[0]
    lines += [
        f"- full build <= {TARGETS['full_build_seconds']} s: {total:.0f} s,"
        f" {_met(total <= TARGETS['full_build_seconds'])} ({big.persons:,} persons,"
        f" {big.figures['touchpoints']:,} touchpoints)",
        f"- peak memory <= {TARGETS['full_build_rss_gib']} GiB: {_gib(peak)} GiB,"
        f" {_met(peak <= TARGETS['full_build_rss_gib'] * 2**30)}",
    ]
    if big.incremental:
        lines.append(
            f"- daily incremental <= {TARGETS['incremental_seconds']} s:"
            f" {big.incremental.seconds:.0f} s,"
            f" {_met(big.incremental.seconds <= TARGETS['incremental_seconds'])}"
        )
    if stitched is not None and stitched.runs:
        first = stitched.runs[0]
        lines.append(
            f"- identity stitching of 10M identifiers <= {TARGETS['stitching_seconds']} s:"
            f" {first.models_total:.0f} s for {stitched.identifiers:,} identifiers"
            " (the stitching models alone, first build; see below),"
            f" {_met(first.returncode == 0 and first.models_total <= TARGETS['stitching_seconds'])}"
        )
    else:
        per_10m = stitching * 10e6 / max(big.figures["identifiers"], 1)
        lines.append(
            f"- identity stitching of 10M identifiers <= {TARGETS['stitching_seconds']} s:"
            f" {stitching:.0f} s for {big.figures['identifiers']:,} identifiers in the full"
            f" build (linear estimate for 10M: {per_10m:.0f} s; not measured alone),"
            f" {_met(per_10m <= TARGETS['stitching_seconds'])}"
        )
    lines += [
        f"- within {TARGETS['reference_ratio']}x of the reference:"
        f" {total / big.reference.seconds:.1f}x,"
        f" {_met(total / big.reference.seconds <= TARGETS['reference_ratio'])}",
    ]
    if len(results) > 1:
        lines.append("")
        lines.append("Scaling (full build seconds per million touchpoints):")
        for r, t in zip(results, full_totals, strict=True):
            lines.append(
                f"- {r.persons:>9,} persons: {t:7.0f} s,"
                f" {t / max(r.figures['touchpoints'], 1) * 1e6:6.1f} s per M touchpoints"
            )
    for r in results:
        if not r.spark:
            continue
        models = sum(r.full_phases.get(phase, (0.0, 0))[0] for phase in DBT_MODEL_PHASES)
        lake, built = r.spark["lake export"], r.spark["dbt build"]
        status = "" if lake.returncode == 0 and built.returncode == 0 else " (FAILED)"
        lines += [
            "",
            f"Spark local beside DuckDB ({r.persons:,} persons; informative, no target):",
            f"- spark target{status}: lake export {lake.seconds:.0f} s, dbt build (seeds and"
            f" models, no tests) {built.seconds:.0f} s, peak {_gib(built.peak_rss)} GiB",
            f"- duckdb target, the same nodes in the full build: {models:.0f} s"
            f" (phases {', '.join(DBT_MODEL_PHASES)})",
        ]
    if stitched is not None:
        lines.append("")
        lines += stitching_report(stitched)
    lines.append("")
    lines.append("Core outputs, pipeline vs reference (largest size):")
    ref = big.reference_figures
    lines.append(f"- unified customers: {big.figures['customers']:,} vs {ref['customers']:,}")
    lines.append(
        f"- touchpoints per channel: {big.figures['touchpoints_per_channel']}"
        f" vs {ref['touchpoints_per_channel']}"
    )
    lines.append(
        f"- revenue EUR per channel: {big.figures['revenue_eur_per_channel']}"
        f" vs {ref['revenue_eur_per_channel']}"
    )
    lines.append(
        f"- customers per stage on {big.figures['stage_day']}:"
        f" {big.figures['customers_per_stage']} vs (simplified rule) {ref['customers_per_stage']}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.bench", description=__doc__)
    parser.add_argument(
        "--sizes",
        default=os.environ.get("BENCH_SIZES", "10000,100000,1000000"),
        help="persons per run, comma separated (default $BENCH_SIZES or 10000,100000,1000000)",
    )
    parser.add_argument("--days", type=int, default=int(os.environ.get("BENCH_DAYS", "365")))
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(os.environ.get("BENCH_WORKDIR", "/tmp/lifecycle-bench")),
        help="where the warehouses and landing folders go (default /tmp/lifecycle-bench)",
    )
    parser.add_argument("--no-incremental", action="store_true")
    parser.add_argument(
        "--spark-sizes",
        default=os.environ.get("BENCH_SPARK_SIZES", "100000"),
        help="sizes also built on the spark target after the DuckDB full build"
        " (default $BENCH_SPARK_SIZES or 100000; '' for none)",
    )
    parser.add_argument(
        "--stitching-identifiers",
        type=int,
        default=int(os.environ.get("BENCH_STITCHING_IDENTIFIERS", "10000000")),
        help="after the sizes, time the identity stitching models alone on this many"
        " identifiers, copied from the largest size's (orchestration.bench_stitching;"
        " default $BENCH_STITCHING_IDENTIFIERS or 10000000; 0 to skip)",
    )
    parser.add_argument("--keep", action="store_true", help="keep each size's work folder")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    spark_sizes = {int(s.replace("_", "")) for s in args.spark_sizes.split(",") if s.strip()}
    say(f"machine: {machine()}")
    # The dbt manifest once, before any timing (the runs would parse it otherwise).
    subprocess.run(
        _lifecycle("prepare"), check=True, cwd=PROJECT_DIR, env=_env(args.workdir, date.today())
    )
    results = []
    for persons in sizes:
        result = bench_size(
            persons,
            args.days,
            args.workdir,
            incremental=not args.no_incremental,
            spark=persons in spark_sizes,
        )
        results.append(result)
        (args.workdir / f"persons-{persons}" / "result.json").write_text(
            json.dumps(
                {
                    "persons": persons,
                    "full_seconds": result.full.seconds,
                    "report_seconds": result.report.seconds,
                    "full_peak_rss": result.full.peak_rss,
                    "phases": result.full_phases,
                    "incremental_seconds": result.incremental.seconds
                    if result.incremental
                    else None,
                    "incremental_phases": result.incremental_phases,
                    "reference": result.reference_figures,
                    "reference_seconds": result.reference.seconds,
                    "figures": result.figures,
                    "spark_seconds": {k: m.seconds for k, m in result.spark.items()},
                },
                indent=2,
                default=str,
            ),
            encoding="utf-8",
        )
        print(report(results, args.days), flush=True)
        if not args.keep:
            shutil.rmtree(args.workdir / f"persons-{persons}" / "landing", ignore_errors=True)
            shutil.rmtree(args.workdir / f"persons-{persons}" / "held", ignore_errors=True)
    if args.stitching_identifiers and results:
        largest = args.workdir / f"persons-{results[-1].persons}" / "warehouse" / "lifecycle.duckdb"
        stitched = bench_stitching(
            largest,
            args.workdir / "stitching",
            args.stitching_identifiers,
            env=_env(args.workdir, date.today()),
        )
        print(report(results, args.days, stitched), flush=True)
        if not args.keep:
            shutil.rmtree(args.workdir / "stitching", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

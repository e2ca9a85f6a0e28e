"""`lifecycle`: the command line for people and for schedulers.

    lifecycle run [--date D | --start S --end E] [--no-report] [--full-refresh]
    lifecycle backfill --start S --end E [--no-report]
    lifecycle generate [--persons N] [--days D] [--seed S] [--start-date D] [--ahead A]
    lifecycle next-day [--run [--no-report]]
    lifecycle quarantine [--channel C] [--all]
    lifecycle contract [--markdown]
    lifecycle prepare
    lifecycle status
    lifecycle identity-quality [--warehouse W] [--truth T]
    lifecycle stage-accuracy [--warehouse W] [--truth T]

`run` materializes the daily job (ingestion -> dbt build -> quality checks ->
report) in this process through Dagster, so cron or any external scheduler can
drive it without the Dagster daemon; the exit code is non-zero on failure.
`backfill` is `run` over a range of delivery days, in one run (the ingestion
assets have a single-run backfill policy), with the range required.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import logging
import os
import re
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from orchestration.settings import PROJECT_DIR, Settings, dbt_target_dir, get_settings

# The built-in demo simulates 30 days beyond the 90 it lands, so `lifecycle next-day`
# (`make next-day`) can release them one at a time.
DEFAULT_DEMO = {"persons": 2000, "days": 90, "seed": 42, "start_date": "2026-01-01", "ahead": 30}
DAGSTER_YAML = """\
# Written by `lifecycle run`; edit freely.
telemetry:
  enabled: false
concurrency:
  runs:
    # Every run writes the one DuckDB file: one run at a time.
    max_concurrent_runs: 1
  pools:
    default_limit: 1
"""


def say(message: str) -> None:
    print(f"[lifecycle {time.strftime('%H:%M:%S')}] {message}", flush=True)


# With LIFECYCLE_DAGSTER_PG_URL set when the Dagster home is first written, run
# history, event logs and schedules live in PostgreSQL (dagster-postgres): an
# instance a team shares (README "Scale out"). The URL is read from the variable
# at run time, so no password is written into dagster.yaml.
DAGSTER_POSTGRES_YAML = """\
storage:
  postgres:
    postgres_url:
      env: LIFECYCLE_DAGSTER_PG_URL
"""


# Otherwise Dagster's SQLite storage in DAGSTER_HOME, with an event log that writes a
# step's per-partition materializations in one transaction (orchestration.dagster_storage).
DAGSTER_SQLITE_YAML = """\
event_log_storage:
  module: orchestration.dagster_storage
  class: BatchedSqliteEventLogStorage
"""


def dagster_yaml(*, postgres: bool = False) -> str:
    """The dagster.yaml the CLI writes: SQLite storage in DAGSTER_HOME, or PostgreSQL."""
    return DAGSTER_YAML + (DAGSTER_POSTGRES_YAML if postgres else DAGSTER_SQLITE_YAML)


def _dagster_home() -> Path:
    home = Path(os.environ.get("DAGSTER_HOME") or PROJECT_DIR / ".dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        postgres = bool(os.environ.get("LIFECYCLE_DAGSTER_PG_URL"))
        config.write_text(dagster_yaml(postgres=postgres), encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def _landing_is_empty(landing: Path) -> bool:
    return not landing.is_dir() or not any(p.is_file() for p in landing.rglob("*"))


def generate(
    settings: Settings,
    *,
    persons: int,
    days: int,
    seed: int,
    start_date: str,
    ahead: int = 0,
    released_days: int | None = None,
) -> None:
    from orchestration.generator import generate_demo_data

    simulated = f" (simulated {ahead} days ahead)" if ahead else ""
    say(
        f"generating demo channel exports: {persons} persons, {days} days from {start_date}"
        f"{simulated}, seed {seed} -> {settings.landing}"
    )
    started = time.monotonic()
    summary = generate_demo_data(
        settings.landing,
        settings.ground_truth,
        persons=persons,
        days=days,
        start_date=date.fromisoformat(start_date),
        seed=seed,
        ahead=ahead,
        released_days=released_days,
        progress=lambda line: say(f"  {line}"),
    )
    say(
        f"demo data: {summary.total_files} files, {summary.total_rows} rows"
        f" in {time.monotonic() - started:.1f}s"
        f" (ground truth, never read by the warehouse: {settings.ground_truth})"
    )


def next_day(settings: Settings, *, then_run: bool = False, with_report: bool = True) -> int:
    """Release the next simulated day of the demo into landing (files of earlier days
    stay byte-identical, so a run loads just the new day)."""
    from orchestration.generator.generate import read_generation

    try:
        generation = read_generation(settings.ground_truth)
    except FileNotFoundError as error:
        say(str(error))
        return 1
    released = generation.get("released_days", generation["days"])
    simulated = generation["days"] + generation.get("ahead", 0)
    if released >= simulated:
        say(
            f"the demo simulation ends after day {simulated} and every day is released:"
            " generate a demo that runs ahead, e.g. `lifecycle generate --ahead 30`"
        )
        return 1
    day = date.fromisoformat(generation["start_date"]) + timedelta(days=released)
    say(f"releasing demo day {released + 1} of {simulated}: {day.isoformat()}")
    generate(
        settings,
        persons=generation["persons"],
        days=generation["days"],
        seed=generation["seed"],
        start_date=generation["start_date"],
        ahead=generation.get("ahead", 0),
        released_days=released + 1,
    )
    if then_run:
        return run(settings, first=day, last=day, with_report=with_report)
    say(f"next: lifecycle run --date {day.isoformat()}")
    return 0


PARSED_FOR = ".parsed_for"  # the target and profile settings the manifest was parsed with


def _parse_fingerprint() -> str:
    """The dbt target and the values of the environment variables profiles.yml and
    dbt_project.yml read. dbt keeps its partial-parse state only while these stay the
    same, and the spark target materializes differently, so a change means a parse."""
    names = set()
    for name in ("profiles.yml", "dbt_project.yml"):
        text = (PROJECT_DIR / name).read_text(encoding="utf-8")
        names |= set(re.findall(r"env_var\(\s*['\"]([A-Za-z0-9_]+)['\"]", text))
    values = {name: os.environ.get(name) for name in sorted(names)}
    return json.dumps({"target": get_settings().dbt_target, "env": values}, sort_keys=True)


def _manifest_is_stale() -> bool:
    manifest = dbt_target_dir() / "manifest.json"
    parsed_for = dbt_target_dir() / PARSED_FOR
    if not manifest.exists() or not parsed_for.exists():
        return True
    if parsed_for.read_text(encoding="utf-8") != _parse_fingerprint():
        return True
    built = manifest.stat().st_mtime
    watched = [PROJECT_DIR / "dbt_project.yml", PROJECT_DIR / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests/dbt"):
        watched += [p for p in (PROJECT_DIR / folder).rglob("*") if p.is_file()]
    return any(p.stat().st_mtime > built for p in watched)


def prepare_dbt() -> None:
    """Build dbt's manifest, which the Dagster definitions load (outside `dagster dev`).

    Under a lock in the target folder: a second command started meanwhile waits for
    the first parse instead of rewriting the manifest while the first reads it."""
    target = dbt_target_dir()
    target.mkdir(parents=True, exist_ok=True)
    with open(target / ".parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _manifest_is_stale():
            _parse_dbt(target)


def _parse_dbt(target: Path) -> None:
    say("parsing the dbt project (manifest for Dagster)")
    dbt = Path(sys.executable).parent / "dbt"
    completed = subprocess.run(
        [
            str(dbt),
            "parse",
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(target),
            # The target Dagster's dbt resource names: dbt keeps its partial-parse
            # state only for the same target, so a parse without it made every
            # `dbt build` of the job parse the whole project again (~10 s).
            "--target",
            get_settings().dbt_target,
            "--quiet",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"dbt parse failed:\n{completed.stdout[-3000:]}{completed.stderr[-3000:]}")
    (target / PARSED_FOR).write_text(_parse_fingerprint(), encoding="utf-8")


def _log_to_file(settings: Settings) -> Path:
    settings.logs.mkdir(parents=True, exist_ok=True)
    path = settings.logs / f"run-{time.strftime('%Y%m%dT%H%M%S')}.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    for name in ("dagster", "lifecycle"):
        logging.getLogger(name).addHandler(handler)
    return path


def run(
    settings: Settings,
    *,
    first: date | None,
    last: date | None,
    with_report: bool = True,
    full_refresh: bool = False,
) -> int:
    from orchestration.ingest.loader import landed_dates
    from orchestration.runlock import RunLockBusy, acquire_run_lock

    # One run at a time per warehouse: a second one waits (LIFECYCLE_LOCK_TIMEOUT) or exits 3.
    try:
        lock = acquire_run_lock(settings.warehouse, progress=say)
    except (RunLockBusy, ValueError) as error:
        say(str(error))
        return 3
    with lock:
        if _landing_is_empty(settings.landing):
            say(f"no channel exports under {settings.landing}: using the built-in demo data")
            generate(settings, **DEFAULT_DEMO)
        dates = landed_dates(settings.landing)
        if first is None:
            if not dates:
                say(f"nothing to load: no <channel>/<YYYY-MM-DD>/ folders under {settings.landing}")
                return 1
            first, last = dates[0], dates[-1]
        last = last or first
        if first < settings.start_date:
            say(
                f"{first} is before the first partition {settings.start_date}:"
                " set LIFECYCLE_START_DATE to an earlier date"
            )
            return 2
        _dagster_home()
        prepare_dbt()
        log_path = _log_to_file(settings)
        say(f"materializing delivery days {first} .. {last} (log: {log_path})")

        # One "materialization planned" event per asset for the run's range of days,
        # instead of one per asset and day: over a year's range Dagster otherwise
        # writes ~40,000 planned events before the first step starts (minutes of a
        # full build). The cost: a failed run does not mark its partitions as failed
        # in the UI (the exit code and the log still say so).
        os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "1")
        import dagster as dg

        from orchestration.definitions import defs

        job = defs.resolve_job_def("daily_materialization")
        selection = None
        if not with_report:
            selection = [
                key for key in job.asset_layer.executable_asset_keys if key.path[0] != "reports"
            ]
        started = time.monotonic()
        with dg.DagsterInstance.get() as instance:
            result = job.execute_in_process(
                instance=instance,
                tags={
                    "dagster/asset_partition_range_start": first.isoformat(),
                    "dagster/asset_partition_range_end": last.isoformat(),
                },
                asset_selection=selection,
                # Dagster's per-event DEBUG lines would drown the progress output.
                run_config={
                    "loggers": {"console": {"config": {"log_level": "INFO"}}},
                    "ops": {"lifecycle_dbt_assets": {"config": {"full_refresh": full_refresh}}},
                },
                raise_on_error=False,
            )
        elapsed = time.monotonic() - started
        failed_checks = [
            e.asset_check_evaluation_data
            for e in result.all_events
            if e.event_type_value == "ASSET_CHECK_EVALUATION"
            and not e.asset_check_evaluation_data.passed
        ]
        for check in failed_checks:
            say(f"check failed: {check.asset_key.to_user_string()} {check.check_name}")
        if not result.success:
            for event in result.all_events:
                if event.is_step_failure:
                    say(
                        f"step failed: {event.step_key}:"
                        f" {event.event_specific_data.error.message.strip()}"
                    )
            say(f"run FAILED after {elapsed:.0f}s; details in {log_path}")
            return 1
        say(f"run succeeded in {elapsed:.0f}s")
        say(f"warehouse:   {settings.warehouse}")
        if with_report:
            say(f"report site: {settings.report_site} (serve it: make serve-report)")
        say(f"logs:        {log_path}")
        return 0


def quarantine(settings: Settings, *, channel: str | None, show_all: bool) -> int:
    from orchestration.ingest.warehouse import connect

    if not settings.warehouse.exists():
        say(f"no warehouse at {settings.warehouse}: run `lifecycle run` first")
        return 1
    where = ["1 = 1"]
    params: list[str] = []
    if channel:
        where.append("channel = ?")
        params.append(channel)
    if not show_all:
        where.append("resolved_at is null")
    with connect(settings.warehouse, read_only=True) as con:
        rows = con.execute(
            "select channel, source_file, reason, count(*) as n_rows, min(source_row) as first_row,"
            " max(resolved_at) is not null as resolved"
            f" from ingestion.quarantine where {' and '.join(where)}"
            " group by channel, source_file, reason order by channel, source_file, reason",
            params,
        ).fetchall()
    if not rows:
        print("quarantine is empty" + ("" if show_all else " (no unresolved rows)"))
        return 0
    print(f"{'channel':<22} {'file':<58} {'rows':>5} {'first':>6}  reason")
    for channel_name, source_file, reason, n_rows, first_row, resolved in rows:
        flag = " (resolved)" if resolved else ""
        print(
            f"{channel_name:<22} {source_file:<58} {n_rows:>5} {first_row or '-':>6}"
            f"  {reason}{flag}"
        )
    return 0


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lifecycle", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    run_parser = commands.add_parser("run", help="materialize the daily job")
    run_parser.add_argument("--date", type=_parse_date, help="one delivery day (YYYY-MM-DD)")
    run_parser.add_argument("--start", type=_parse_date, help="first delivery day of a range")
    run_parser.add_argument("--end", type=_parse_date, help="last delivery day of a range")
    run_parser.add_argument("--no-report", action="store_true", help="skip the Evidence site")
    run_parser.add_argument(
        "--full-refresh", action="store_true", help="rebuild incremental dbt models from scratch"
    )

    backfill_parser = commands.add_parser(
        "backfill", help="materialize the daily job over a range of delivery days, in one run"
    )
    backfill_parser.add_argument("--start", type=_parse_date, required=True, help="first day")
    backfill_parser.add_argument("--end", type=_parse_date, required=True, help="last day")
    backfill_parser.add_argument("--no-report", action="store_true", help="skip the Evidence site")

    gen = commands.add_parser("generate", help="write demo channel exports into the landing folder")
    gen.add_argument("--persons", type=int, default=DEFAULT_DEMO["persons"])
    gen.add_argument("--days", type=int, default=DEFAULT_DEMO["days"])
    gen.add_argument("--seed", type=int, default=DEFAULT_DEMO["seed"])
    gen.add_argument("--start-date", default=DEFAULT_DEMO["start_date"])
    gen.add_argument(
        "--ahead",
        type=int,
        default=0,
        help="simulate this many days beyond --days, for `next-day` to release (default 0)",
    )
    next_parser = commands.add_parser(
        "next-day", help="release the next simulated day of the demo data into landing"
    )
    next_parser.add_argument("--run", action="store_true", help="then run the job for that day")
    next_parser.add_argument("--no-report", action="store_true", help="with --run: skip the site")

    quarantine_parser = commands.add_parser("quarantine", help="list quarantined rows by file")
    quarantine_parser.add_argument("--channel")
    quarantine_parser.add_argument("--all", action="store_true", help="include resolved rows")

    commands.add_parser("prepare", help="build dbt's manifest and the Dagster home (for `make ui`)")
    commands.add_parser("status", help="latest day, freshness and counts per channel; last runs")
    identity = commands.add_parser(
        "identity-quality",
        help="compare unified customers with the demo ground truth (precision, recall, F1)",
        add_help=False,
    )
    identity.add_argument("identity_args", nargs=argparse.REMAINDER)
    stages = commands.add_parser(
        "stage-accuracy",
        help="compare lifecycle stages with the demo ground truth (agreement, confusion matrix)",
        add_help=False,
    )
    stages.add_argument("stage_args", nargs=argparse.REMAINDER)

    contract_parser = commands.add_parser("contract", help="print the channel export contract")
    contract_parser.add_argument("--markdown", action="store_true")

    argv = sys.argv[1:] if argv is None else argv
    # Their own options (--warehouse, --truth) go to their own parsers: argparse's
    # REMAINDER does not take options that come first.
    if argv[:1] == ["stage-accuracy"]:
        from orchestration.stage_accuracy import main as stage_accuracy

        return stage_accuracy(argv[1:])
    if argv[:1] == ["identity-quality"]:
        from orchestration.identity_quality import main as identity_quality

        return identity_quality(argv[1:])
    args = parser.parse_args(argv)
    settings = get_settings()
    settings.export_env()

    if args.command == "run":
        first = args.date or args.start
        last = args.date or args.end
        if args.end and not args.start:
            parser.error("--end needs --start")
        if first and last and last < first:
            parser.error("--end is before --start")
        return run(
            settings,
            first=first,
            last=last,
            with_report=not args.no_report,
            full_refresh=args.full_refresh,
        )
    if args.command == "backfill":
        if args.end < args.start:
            parser.error("--end is before --start")
        return run(settings, first=args.start, last=args.end, with_report=not args.no_report)
    if args.command == "generate":
        generate(
            settings,
            persons=args.persons,
            days=args.days,
            seed=args.seed,
            start_date=args.start_date,
            ahead=args.ahead,
        )
        return 0
    if args.command == "next-day":
        return next_day(settings, then_run=args.run, with_report=not args.no_report)
    if args.command == "status":
        from orchestration.status import status

        _dagster_home()
        return status(settings)
    if args.command == "prepare":
        _dagster_home()
        prepare_dbt()
        return 0
    if args.command == "quarantine":
        return quarantine(settings, channel=args.channel, show_all=args.all)
    if args.command == "contract":
        from orchestration.contract import contract_markdown, load_contract

        if args.markdown:
            print(contract_markdown())
        else:
            contract = load_contract()
            print(f"channel export contract {contract.version}")
            for channel in contract:
                print(f"  {channel.name:<22} key {', '.join(channel.key)}")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())

"""The dbt build on the `spark` target, timed: a hook for benchmarks.

    python -m orchestration.spark_build [--no-tests] [--threads N]

Exports the raw layer of LIFECYCLE_WAREHOUSE (an ingested DuckDB warehouse) to
the Parquet lake LIFECYCLE_LAKE, then runs `lifecycle-dbt build --target spark`
(dbt-spark session mode, local PySpark, tables under LIFECYCLE_SPARK_WAREHOUSE)
and prints the wall time of each. `make bench` can call ``build_on_spark`` after
its DuckDB build of the same warehouse to print the two side by side.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from orchestration.settings import PROJECT_DIR, get_settings

WITHOUT_TESTS = ("--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")


def build_on_spark(
    env: dict[str, str] | None = None, *, tests: bool = True, log: Path | None = None
) -> dict[str, float]:
    """Export the lake and build on Spark; seconds per phase (`lake_export`, `dbt_build`).
    Raises CalledProcessError when either fails."""
    env = {**os.environ, **(env or {})}
    bin_dir = Path(sys.executable).parent
    timings: dict[str, float] = {}
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "orchestration.ingest.lake"], env=env, cwd=PROJECT_DIR, check=True
    )
    timings["lake_export"] = time.monotonic() - started
    command = [str(bin_dir / "lifecycle-dbt"), "build", "--target", "spark"]
    if not tests:
        command += WITHOUT_TESTS
    started = time.monotonic()
    with open(log or os.devnull, "w", encoding="utf-8") as output:
        subprocess.run(command, env=env, cwd=PROJECT_DIR, check=True, stdout=output, stderr=output)
    timings["dbt_build"] = time.monotonic() - started
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.spark_build")
    parser.add_argument("--no-tests", action="store_true", help="seeds and models only")
    parser.add_argument("--threads", type=int, help="dbt threads (LIFECYCLE_DBT_THREADS)")
    args = parser.parse_args(argv)
    settings = get_settings()
    settings.export_env()
    env = {"LIFECYCLE_DBT_THREADS": str(args.threads)} if args.threads else {}
    log = settings.logs / "spark-build.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    timings = build_on_spark(env, tests=not args.no_tests, log=log)
    print(
        f"spark: lake export {timings['lake_export']:.0f}s, dbt build"
        f" {timings['dbt_build']:.0f}s ({'without' if args.no_tests else 'with'} tests; log {log})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

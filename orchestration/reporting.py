"""The report hand-off: a report-only DuckDB file and the Evidence static site built from it.

The Evidence site never reads the warehouse. The pipeline copies the report-safe marts
(aggregates only, no personal data) into a separate DuckDB file, written in DuckDB's
1.4 storage format because Evidence's DuckDB connector runs node bindings 1.4.x, which
cannot open a file written in the 2.x format. ``build_report_site`` then runs Evidence
(``npm ci`` when needed, ``evidence sources``, ``evidence build``) under timeouts.

Paths come from the environment with documented defaults:

- ``LIFECYCLE_REPORT_DB``: the report-only file (default ``<repo>/warehouse/reports.duckdb``).
- ``LIFECYCLE_REPORTS_DIR``: the Evidence project (default ``<repo>/reports``).
"""

from __future__ import annotations

import collections
import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parent.parent

# The marts the reports read, in schema ``marts`` of the warehouse and schema ``main``
# of the report file. Only aggregates: adding a table here publishes it on the site.
REPORT_TABLES: tuple[str, ...] = (
    "customers_per_stage_daily",
    "channel_touchpoints_daily",
    "kpi_discovery_daily",
    "kpi_engagement_daily",
    "kpi_acquisition_daily",
    "kpi_conversion_daily",
    "kpi_retention_monthly",
    "kpi_loyalty_daily",
    "kpi_advocacy_daily",
)

# Storage format of the report file: readable by DuckDB 1.4 (Evidence's node bindings).
REPORT_STORAGE_VERSION = "v1.4.0"

# The Evidence source that reads the report file (reports/sources/<name>/).
EVIDENCE_SOURCE = "lifecycle"

_ATTACH_ALIAS = "lifecycle_report_export"
_WAREHOUSE_ALIAS = "lifecycle_warehouse"
_OUTPUT_TAIL_LINES = 60


class ReportBuildError(RuntimeError):
    """An Evidence step failed or timed out; the message ends with the tail of its output."""


def default_report_db() -> Path:
    """``LIFECYCLE_REPORT_DB``, or ``<repo>/warehouse/reports.duckdb``."""
    return Path(os.environ.get("LIFECYCLE_REPORT_DB", REPO_ROOT / "warehouse" / "reports.duckdb"))


def default_reports_dir() -> Path:
    """``LIFECYCLE_REPORTS_DIR``, or ``<repo>/reports``."""
    return Path(os.environ.get("LIFECYCLE_REPORTS_DIR", REPO_ROOT / "reports"))


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _remove_database_file(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + ".wal")):
        candidate.unlink(missing_ok=True)


def export_report_database(
    warehouse: Path,
    report_db: Path,
    *,
    con: duckdb.DuckDBPyConnection | None = None,
    tables: Sequence[str] = REPORT_TABLES,
) -> dict[str, int]:
    """Copy ``marts.<table>`` for each report table into ``report_db`` and return row counts.

    The file is written next to its destination under a temporary name and moved into
    place with ``os.replace``, so a reader (or a failed export) never sees a half-written
    file. Pass ``con`` when the caller already holds the warehouse's (single) writer
    connection; otherwise the warehouse is opened read-only for the copy.
    """
    report_db = Path(report_db).resolve()
    report_db.parent.mkdir(parents=True, exist_ok=True)
    tmp = report_db.with_name(f".{report_db.name}.{os.getpid()}.tmp")
    _remove_database_file(tmp)

    owns_connection = con is None
    if con is None:
        # An in-memory session with the warehouse attached read-only (a read-only
        # connection could not attach the report file for writing).
        con = duckdb.connect()
        con.execute(f"attach {_sql_string(str(warehouse))} as {_WAREHOUSE_ALIAS} (read_only)")
    attached = False
    try:
        catalog = con.execute("select current_database()").fetchone()[0]
        if owns_connection:
            catalog = _WAREHOUSE_ALIAS
        present = {
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = ? and table_schema = 'marts'",
                [catalog],
            ).fetchall()
        }
        missing = [table for table in tables if table not in present]
        if missing:
            raise LookupError(f"report tables missing from {catalog}.marts: {', '.join(missing)}")

        con.execute(
            f"attach {_sql_string(str(tmp))} as {_ATTACH_ALIAS} "
            f"(storage_version {_sql_string(REPORT_STORAGE_VERSION)})"
        )
        attached = True
        counts: dict[str, int] = {}
        for table in tables:
            con.execute(
                f'create table {_ATTACH_ALIAS}.main."{table}" as '
                f'select * from "{catalog}".marts."{table}"'
            )
            counts[table] = con.execute(
                f'select count(*) from {_ATTACH_ALIAS}.main."{table}"'
            ).fetchone()[0]
        con.execute(f"detach {_ATTACH_ALIAS}")
        attached = False
        os.replace(tmp, report_db)
        # A stale WAL beside the destination would be replayed onto the new file.
        report_db.with_name(report_db.name + ".wal").unlink(missing_ok=True)
        return counts
    finally:
        if attached:
            with contextlib.suppress(duckdb.Error):
                con.execute(f"detach {_ATTACH_ALIAS}")
        if owns_connection:
            con.close()
        _remove_database_file(tmp)


def _run_step(
    args: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str],
    timeout_s: float,
    log: Callable[[str], None],
    name: str,
) -> None:
    """Run one command, streaming its output to ``log``; kill its process group on timeout."""
    log(f"[reports] {name}: {' '.join(args)}")
    started = time.monotonic()
    tail: collections.deque[str] = collections.deque(maxlen=_OUTPUT_TAIL_LINES)
    process = subprocess.Popen(
        list(args),
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,  # its own process group, so a timeout kills node's children too
    )

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            line = line.rstrip()
            tail.append(line)
            log(f"[reports] {name}: {line}")

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        returncode = process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        reader.join(timeout=5)
        raise ReportBuildError(
            f"{name} did not finish within {timeout_s:.0f} s and was stopped "
            f"(a hang in `evidence sources` usually means DuckDB-Wasm is trying to download "
            f"an extension: check the offline patch, see reports/README.md). "
            f"Last output:\n" + "\n".join(tail)
        ) from None
    reader.join(timeout=5)
    elapsed = time.monotonic() - started
    if returncode != 0:
        raise ReportBuildError(
            f"{name} failed with exit code {returncode} after {elapsed:.0f} s. "
            f"Last output:\n" + "\n".join(tail)
        )
    log(f"[reports] {name}: done in {elapsed:.1f} s")


def _kill_group(process: subprocess.Popen[str]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue


def _needs_npm_ci(reports_dir: Path) -> bool:
    # npm writes node_modules/.package-lock.json after every install: older than the
    # committed lock means the lock changed since the last install.
    installed = reports_dir / "node_modules" / ".package-lock.json"
    if not installed.exists():
        return True
    return installed.stat().st_mtime < (reports_dir / "package-lock.json").stat().st_mtime


def evidence_env(
    reports_dir: Path, report_db: Path, base: dict[str, str] | None = None
) -> dict[str, str]:
    """The environment for Evidence: the source's file path, telemetry off, no prompts.

    The DuckDB connector joins ``filename`` onto the source folder (``path.join``, so an
    absolute path would be mangled): pass the report file relative to that folder.
    Telemetry is off through ``evidence.settings.json``; the variable below only counts
    where that file is not read.
    """
    env = dict(os.environ if base is None else base)
    source_dir = Path(reports_dir).resolve() / "sources" / EVIDENCE_SOURCE
    env[f"EVIDENCE_SOURCE__{EVIDENCE_SOURCE}__filename"] = os.path.relpath(
        Path(report_db).resolve(), source_dir
    )
    env["SEND_ANONYMOUS_USAGE_STATS"] = "no"
    env["DO_NOT_TRACK"] = "1"
    env["NO_UPDATE_NOTIFIER"] = "1"
    env["npm_config_update_notifier"] = "false"
    env["npm_config_fund"] = "false"
    env["npm_config_audit"] = "false"
    env["CI"] = env.get("CI", "true")
    return env


def build_report_site(
    reports_dir: Path,
    report_db: Path,
    *,
    log: Callable[[str], None] = print,
    timeout_s: int = 600,
    sources_timeout_s: int = 180,
    command_prefix: Sequence[str] = (),
) -> Path:
    """Build the Evidence site from ``report_db`` and return its static folder (``build/``).

    Installs the npm dependencies from ``package-lock.json`` when ``node_modules`` is
    missing or older than the lock (the postinstall step applies the offline patch), then
    runs ``evidence sources`` (at most ``sources_timeout_s``: it takes seconds, and a hang
    means something is trying to reach the network) and ``evidence build`` (at most
    ``timeout_s``). Raises ``ReportBuildError`` with the tail of the output on failure.
    ``command_prefix`` wraps the two Evidence steps (not ``npm ci``), e.g.
    ``("unshare", "--net", "--")`` to prove they need no network.
    """
    reports_dir = Path(reports_dir).resolve()
    report_db = Path(report_db).resolve()
    if not report_db.is_file():
        raise FileNotFoundError(f"report database not found: {report_db}")
    npm = shutil.which("npm")
    if npm is None:
        raise ReportBuildError("npm not found on PATH: install Node.js 18+ (with npm)")
    env = evidence_env(reports_dir, report_db)

    if _needs_npm_ci(reports_dir):
        _run_step(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=reports_dir,
            env=env,
            timeout_s=timeout_s,
            log=log,
            name="npm ci",
        )
    evidence = str(reports_dir / "node_modules" / ".bin" / "evidence")
    _run_step(
        [*command_prefix, evidence, "sources", "--strict"],
        cwd=reports_dir,
        env=env,
        timeout_s=min(sources_timeout_s, timeout_s),
        log=log,
        name="evidence sources",
    )
    build_dir = reports_dir / "build"
    _run_step(
        [*command_prefix, evidence, "build:strict"],
        cwd=reports_dir,
        env=env,
        timeout_s=timeout_s,
        log=log,
        name="evidence build:strict",
    )
    if not (build_dir / "index.html").is_file():
        raise ReportBuildError(f"evidence build finished but {build_dir}/index.html is missing")
    return build_dir

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
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import duckdb

from orchestration.ingest.warehouse import sql_string

REPO_ROOT = Path(__file__).resolve().parent.parent

# The marts the reports read, in schema ``marts`` of the warehouse and schema ``main``
# of the report file. Adding a table here publishes it on the site: aggregates only,
# or customer-grain marts through the column allow-list below.
REPORT_TABLES: tuple[str, ...] = (
    # lifecycle stages (stages helper)
    "customers_per_stage_daily",
    "stage_transitions",
    "lead_grades_daily",
    "lead_scores",
    # touchpoints and the stage KPIs
    "channel_touchpoints_daily",
    "kpi_discovery_daily",
    "kpi_engagement_daily",
    "kpi_acquisition_daily",
    "kpi_conversion_daily",
    "kpi_retention_monthly",
    "kpi_loyalty_daily",
    "kpi_advocacy_daily",
    "kpi_csat_daily",
    "retention_cohorts",
    # customer value (value helper)
    "customer_value",
    "rfm_segments",
    # channels (channels helper)
    "channel_performance_monthly",
    "attribution_by_channel_monthly",
)

# Customer-grain marts: only these columns are copied, never the customer key or any
# contact data. An allow-list, so a column an owner adds later is not published by
# accident. The report's source queries aggregate them further (bins, counts).
CUSTOMER_GRAIN_COLUMNS: dict[str, tuple[str, ...]] = {
    "customer_value": (
        "first_purchase_at",
        "purchases",
        "historical_clv_eur",
        "predicted_purchases_365d",
        "predicted_avg_order_value_eur",
        "predicted_clv_365d_eur",
        "probability_alive",
        "rfm_segment",
        "recency_score",
        "frequency_score",
        "monetary_score",
        "is_at_risk",
    ),
    "lead_scores": ("lead_score", "lead_grade", "scored_at"),
}

# Data health: report tables derived from the pipeline's own bookkeeping, which is
# written outside dbt (ingestion by the loader, check results after the dbt build), so
# they are summarised here. Only counts, dates, channel names and rule names leave the
# warehouse: never a quarantined row, never the value a reason quotes, never a check's
# observed sample. ``{db}`` is the warehouse catalog, ``{channels}`` the contract's
# channel names as a VALUES list.
HEALTH_SOURCES: tuple[str, ...] = (
    "quality.check_results",
    "ingestion.quarantine",
    "ingestion.files",
)
HEALTH_TABLES: dict[str, str] = {
    # The latest outcome of every expectation: the rows of each suite's latest check.
    "data_health_checks": """
        with latest as (
            select layer, suite, max(checked_at) as checked_at
            from {db}.quality.check_results
            group by layer, suite
        )
        select
            results.checked_at,
            results.layer,
            results.suite,
            results.asset,
            results.expectation,
            results."column" as column_name,
            results.severity,
            results.passed
        from {db}.quality.check_results as results
        inner join latest
            on results.layer = latest.layer
            and results.suite = latest.suite
            and results.checked_at = latest.checked_at
        order by results.layer, results.suite, results.expectation, column_name
    """,
    # Quarantined rows per channel and rule. A reason quotes the offending value
    # ("email: 'x@y' is not one of ..."), so it is reduced to the column and the rule;
    # a row failing two rules counts under both; whole unreadable files count once.
    "data_health_quarantine": """
        with quarantined as (
            select
                channel,
                source_file,
                source_row,
                reason,
                quarantined_at,
                case when resolved_at is null then 'open' else 'resolved' end as status
            from {db}.ingestion.quarantine
        ),
        reasons as (
            select
                quarantined.*,
                trim(unnest(
                    case when source_row is null then ['unreadable file']
                    else string_split(reason, '; ') end
                )) as rule_text
            from quarantined
        ),
        classified as (
            select
                *,
                regexp_extract(rule_text, '^([a-z][a-z0-9_]{{0,62}}): ', 1) as column_name
            from reasons
        ),
        ruled as (
            select
                *,
                case
                    when rule_text = 'unreadable file' then 'unreadable file'
                    when regexp_matches(rule_text, '^missing required [a-z][a-z0-9_]*')
                        then regexp_extract(rule_text, '^missing required [a-z][a-z0-9_]*')
                    when column_name = '' then 'unreadable row'
                    when regexp_matches(rule_text, ': cannot read .* as [a-z_]+$')
                        then column_name || ': not a valid '
                            || regexp_extract(rule_text, ' as ([a-z_]+)$', 1)
                    when rule_text like '%'' is not one of %'
                        then column_name || ': not an accepted value'
                    when rule_text like '% is below %' then column_name || ': below the minimum'
                    when rule_text like '% is above %' then column_name || ': above the maximum'
                    when rule_text like '% is in the future%'
                        then column_name || ': in the future'
                    when rule_text like '% is before %' then column_name || ': too early'
                    else 'unreadable row'
                end as rule
            from classified
        )
        select
            channel,
            rule as reason,
            status,
            count(distinct source_file || ':' || coalesce(cast(source_row as varchar), 'file'))
                as quarantined_rows,
            count(distinct source_file) as files,
            max(quarantined_at) as last_quarantined_at
        from ruled
        group by channel, rule, status
        order by channel, reason, status
    """,
    # Freshness per channel of the contract (and any other channel seen): the latest
    # delivery day loaded, how many days it lags the newest delivery of any channel,
    # and the file and row counts behind it.
    "data_health_freshness": """
        with contract_channels as (
            select channel from (values {channels}) as t(channel)
        ),
        files as (
            select
                channel,
                max(delivery_date) filter (where status = 'loaded') as latest_delivery_date,
                max(loaded_at) as last_loaded_at,
                count(*) filter (where status = 'loaded') as files_loaded,
                count(*) filter (where status = 'duplicate') as files_duplicate,
                count(*) filter (where status = 'failed') as files_failed,
                coalesce(sum(rows_loaded), 0) as rows_loaded,
                coalesce(sum(rows_quarantined), 0) as rows_quarantined
            from {db}.ingestion.files
            where status <> 'removed'
            group by channel
        ),
        channels as (
            select channel from contract_channels
            union
            select channel from files
        ),
        newest as (select max(latest_delivery_date) as delivery_date from files)
        select
            channels.channel,
            files.latest_delivery_date,
            files.last_loaded_at,
            cast(date_diff('day', files.latest_delivery_date, newest.delivery_date) as integer)
                as days_behind,
            coalesce(files.files_loaded, 0) as files_loaded,
            coalesce(files.files_duplicate, 0) as files_duplicate,
            coalesce(files.files_failed, 0) as files_failed,
            cast(coalesce(files.rows_loaded, 0) as bigint) as rows_loaded,
            cast(coalesce(files.rows_quarantined, 0) as bigint) as rows_quarantined
        from channels
        left join files on channels.channel = files.channel
        cross join newest
        order by channels.channel
    """,
}

# Column names that hold personal data: a report table with one fails the export.
PERSONAL_COLUMN = re.compile(
    r"(^|_)(e_?mail|email_address|phone|phone_number|mobile|first_name|last_name|full_name"
    r"|surname|street|address|postcode|zip_code|ip_address|birth_date|date_of_birth)$"
)
# An e-mail address in a text value (checked in every exported text column).
EMAIL_VALUE_PATTERN = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"

# Storage format of the report file: readable by DuckDB 1.4 (Evidence's node bindings).
REPORT_STORAGE_VERSION = "v1.4.0"

# The Evidence source that reads the report file (reports/sources/<name>/).
EVIDENCE_SOURCE = "lifecycle"

_ATTACH_ALIAS = "lifecycle_report_export"
_WAREHOUSE_ALIAS = "lifecycle_warehouse"
_OUTPUT_TAIL_LINES = 60


class ReportBuildError(RuntimeError):
    """An Evidence step failed or timed out; the message ends with the tail of its output."""


class PersonalDataError(ValueError):
    """A report table would publish personal data (a personal column or an e-mail value)."""


def default_report_db() -> Path:
    """``LIFECYCLE_REPORT_DB``, or ``<repo>/warehouse/reports.duckdb``."""
    return Path(os.environ.get("LIFECYCLE_REPORT_DB", REPO_ROOT / "warehouse" / "reports.duckdb"))


def default_reports_dir() -> Path:
    """``LIFECYCLE_REPORTS_DIR``, or ``<repo>/reports``."""
    return Path(os.environ.get("LIFECYCLE_REPORTS_DIR", REPO_ROOT / "reports"))


def _remove_database_file(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + ".wal")):
        candidate.unlink(missing_ok=True)


def _contract_channels() -> list[str]:
    from orchestration.contract import load_contract

    return [channel.name for channel in load_contract()]


def _existing_tables(con: duckdb.DuckDBPyConnection, catalog: str) -> set[str]:
    return {
        f"{schema}.{table}"
        for schema, table in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = ?",
            [catalog],
        ).fetchall()
    }


def _export_query(table: str, catalog: str, columns: Sequence[str] | None) -> str:
    selected = "*" if columns is None else ", ".join(f'"{column}"' for column in columns)
    return f'select {selected} from "{catalog}".marts."{table}"'


def _check_no_personal_data(con: duckdb.DuckDBPyConnection, qualified: str, table: str) -> None:
    """Fail on a personal column name or an e-mail address in any text value."""
    described = con.execute(f"describe {qualified}").fetchall()
    personal = [row[0] for row in described if PERSONAL_COLUMN.search(row[0].lower())]
    if personal:
        raise PersonalDataError(
            f"report table {table} has personal columns {personal}: drop them from the "
            "export (CUSTOMER_GRAIN_COLUMNS) or aggregate them in dbt"
        )
    for column, type_ in ((row[0], row[1]) for row in described):
        if type_ != "VARCHAR":
            continue
        (hits,) = con.execute(
            f'select count(*) from {qualified} where regexp_matches("{column}", ?)',
            [EMAIL_VALUE_PATTERN],
        ).fetchone()
        if hits:
            raise PersonalDataError(
                f"report table {table} column {column} holds {hits} e-mail address(es)"
            )


def export_report_database(
    warehouse: Path,
    report_db: Path,
    *,
    con: duckdb.DuckDBPyConnection | None = None,
    tables: Sequence[str] = REPORT_TABLES,
    health_tables: Mapping[str, str] = HEALTH_TABLES,
) -> dict[str, int]:
    """Write the report file ``report_db`` and return the row count of each of its tables.

    Copies ``marts.<table>`` for each report table (customer-grain marts: only the
    columns in ``CUSTOMER_GRAIN_COLUMNS``) and builds the data-health tables from the
    pipeline's bookkeeping (``HEALTH_TABLES``). Raises ``LookupError`` when a mart or a
    bookkeeping table is missing and ``PersonalDataError`` when a table would publish a
    personal column or an e-mail address. The file is written next to its destination
    under a temporary name and moved into place with ``os.replace``, so a reader (or a
    failed export) never sees a half-written file. Pass ``con`` when the caller already
    holds the warehouse's (single) writer connection; otherwise the warehouse is opened
    read-only for the copy.
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
        con.execute(f"attach {sql_string(str(warehouse))} as {_WAREHOUSE_ALIAS} (read_only)")
    attached = False
    try:
        catalog = con.execute("select current_database()").fetchone()[0]
        if owns_connection:
            catalog = _WAREHOUSE_ALIAS
        present = _existing_tables(con, catalog)
        missing = [table for table in tables if f"marts.{table}" not in present]
        if missing:
            raise LookupError(f"report tables missing from {catalog}.marts: {', '.join(missing)}")
        if health_tables:
            missing = [table for table in HEALTH_SOURCES if table not in present]
            if missing:
                raise LookupError(
                    f"data-health sources missing from {catalog}: {', '.join(missing)} "
                    "(written by ingestion and the quality checks)"
                )

        con.execute(
            f"attach {sql_string(str(tmp))} as {_ATTACH_ALIAS} "
            f"(storage_version {sql_string(REPORT_STORAGE_VERSION)})"
        )
        attached = True
        queries = {
            table: _export_query(table, catalog, CUSTOMER_GRAIN_COLUMNS.get(table))
            for table in tables
        }
        channels = ", ".join(f"({sql_string(name)})" for name in _contract_channels())
        for table, template in health_tables.items():
            queries[table] = template.format(db=f'"{catalog}"', channels=channels)
        counts: dict[str, int] = {}
        for table, query in queries.items():
            qualified = f'{_ATTACH_ALIAS}.main."{table}"'
            con.execute(f"create table {qualified} as {query}")
            _check_no_personal_data(con, qualified, table)
            counts[table] = con.execute(f"select count(*) from {qualified}").fetchone()[0]
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


# Where the Great Expectations Data Docs are published inside the site: Evidence
# copies reports/static/ into the build as is, so the data-health page links to
# /data-docs/index.html and the link works in the static site, offline.
DATA_DOCS_FOLDER = "data-docs"
_PHONE_TEXT = re.compile(r"(?<![\w.:/#-])\+?\(?\d[\d ()-]{7,}\d(?![\w.:/-])")
_NO_DATA_DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Data Docs not built yet</title></head>
<body><h1>Great Expectations Data Docs</h1>
<p>No Data Docs were built when this site was published: they appear once the quality
checks have run (<code>lifecycle run</code>). The latest check results are on the
data-health page.</p></body></html>
"""


def _redact_personal_text(text: str) -> str:
    """E-mail addresses and phone-like numbers in a Data Docs page, replaced.

    GX pages show samples of unexpected values, which on a contact column are personal
    data. A phone-like number has 9-15 digits with separators (or a leading +) and is
    not part of a date or a longer token.
    """
    text = re.sub(EMAIL_VALUE_PATTERN, "[e-mail removed]", text)

    def phone(match: re.Match[str]) -> str:
        found = match.group()
        digits = sum(ch.isdigit() for ch in found)
        separated = found.startswith("+") or re.search(r"\d[ ()-]+\d", found)
        if 9 <= digits <= 15 and separated and not re.search(r"\d{4}-\d{2}-\d{2}", found):
            return "[phone removed]"
        return found

    return _PHONE_TEXT.sub(phone, text)


# GX pages load Bootstrap, jQuery, Vega and a logo from public CDNs: the published copy
# drops those tags so the site never fetches anything from the internet (pages then
# show unstyled, with their content; the index gets a plain list of its pages, because
# its own table is drawn by a script from a CDN).
_EXTERNAL_TAG = re.compile(
    r"<script[^>]*\ssrc=[\"']https?://[^>]*>\s*</script>"
    r"|<link[^>]*\shref=[\"']https?://[^>]*>"
    r"|<img[^>]*\ssrc=[\"']https?://[^>]*>",
    re.IGNORECASE,
)


_EXTERNAL_CSS_URL = re.compile(r"url\(\s*[\"']?https?://[^)]*\)", re.IGNORECASE)


def _offline_page(text: str) -> str:
    return _EXTERNAL_CSS_URL.sub("none", _EXTERNAL_TAG.sub("", text))


def _validation_list(site: Path) -> str:
    pages = sorted(site.glob("validations/**/*.html"))
    items = "\n".join(
        f'<li><a href="{page.relative_to(site).as_posix()}">{page.stem}</a>'
        f" ({page.relative_to(site / 'validations').parts[0]})</li>"
        for page in pages
    )
    return (
        '<section id="lifecycle-validation-list" style="margin:2rem">'
        "<h2>Validation results (latest run of each suite)</h2>"
        f"<ul>\n{items}\n</ul></section>\n"
    )


def publish_data_docs(reports_dir: Path, data_docs_dir: Path | None) -> Path:
    """Copy the GX Data Docs site into ``reports/static/data-docs`` and return that folder.

    Replaces what a previous build left there. Text pages are copied with personal data
    redacted (samples of unexpected values) and without their CDN scripts, styles and
    images; the index gets a plain list of the validation pages. Without a built Data
    Docs site (no checks run yet) the folder holds a page saying so, so the report's
    link never breaks.
    """
    target = Path(reports_dir) / "static" / DATA_DOCS_FOLDER
    shutil.rmtree(target, ignore_errors=True)
    # Evidence copies static/ into its build template without deleting what is gone:
    # drop its previous copy too, or pages of an older run would be published.
    shutil.rmtree(
        Path(reports_dir) / ".evidence" / "template" / "static" / DATA_DOCS_FOLDER,
        ignore_errors=True,
    )
    target.mkdir(parents=True)
    if data_docs_dir is None or not (Path(data_docs_dir) / "index.html").is_file():
        (target / "index.html").write_text(_NO_DATA_DOCS_PAGE)
        return target
    source = Path(data_docs_dir)
    for path in sorted(source.rglob("*")):
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
        elif path.suffix in {".html", ".json", ".txt", ".md"}:
            destination.parent.mkdir(parents=True, exist_ok=True)
            text = _redact_personal_text(path.read_text(errors="replace"))
            if path.suffix == ".html":
                text = _offline_page(text)
            if path == source / "index.html":
                text = text.replace("</body>", _validation_list(source) + "</body>", 1)
            destination.write_text(text)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
    return target


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
    data_docs_dir: Path | None = None,
) -> Path:
    """Build the Evidence site from ``report_db`` and return its static folder (``build/``).

    Installs the npm dependencies from ``package-lock.json`` when ``node_modules`` is
    missing or older than the lock (the postinstall step applies the offline patch), then
    runs ``evidence sources`` (at most ``sources_timeout_s``: it takes seconds, and a hang
    means something is trying to reach the network) and ``evidence build`` (at most
    ``timeout_s``). Raises ``ReportBuildError`` with the tail of the output on failure.
    ``command_prefix`` wraps the two Evidence steps (not ``npm ci``), e.g.
    ``("unshare", "--net", "--")`` to prove they need no network. ``data_docs_dir``
    (the GX Data Docs site folder) is published at ``/data-docs/`` (``publish_data_docs``).
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
    publish_data_docs(reports_dir, data_docs_dir)
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
    # Evidence copies its output over ./build without deleting what is no longer built
    # (pages, data files, Data Docs of an older run): start from an empty folder.
    shutil.rmtree(build_dir, ignore_errors=True)
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

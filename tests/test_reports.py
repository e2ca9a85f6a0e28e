"""The report hand-off: report-only DuckDB export, the offline Evidence build, the site itself.

Fast tests cover the export and the personal-data scan. The ``e2e`` tests build the real
Evidence site from the fixture marts with no network at all (``unshare --net`` where the
kernel allows it), open every page in headless Chromium and compare what it shows with
figures computed here, independently, from the fixture.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.reporting import (
    REPORT_TABLES,
    PersonalDataError,
    ReportBuildError,
    _needs_npm_ci,
    _run_step,
    build_report_site,
    export_report_database,
    publish_data_docs,
)
from tests.fixtures.make_report_fixture import (
    ATTRIBUTION_MODELS,
    END_DATE,
    FILE_DAYS,
    PLANTED_EMAIL,
    PLANTED_PHONE,
    make_report_fixture,
)

REPO = Path(__file__).resolve().parent.parent
REPORTS_DIR = REPO / "reports"

# --- personal-data scan ---------------------------------------------------------------

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
# A phone number: optional +, 9-15 digits in groups separated by spaces, dots-free hyphens
# or brackets. Bare digit runs (counts, ids) and ISO dates/timestamps are not phones.
PHONE_CANDIDATE = re.compile(r"(?<![\w.:/-])\+?\(?\d[\d\s()-]{7,}\d(?![\w.:/-])")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
SCANNED_SUFFIXES = {".json", ".html", ".csv", ".txt", ".md"}


def _phone_like(candidate: str) -> bool:
    digits = sum(ch.isdigit() for ch in candidate)
    if not 9 <= digits <= 15 or ISO_DATE.search(candidate):
        return False
    return candidate.startswith("+") or bool(re.search(r"\d[\s()-]+\d", candidate))


def find_personal_data(folder: Path) -> list[tuple[str, str, str]]:
    """(file, kind, match) for every e-mail or phone-like string in the site's data files.

    Parquet files are decoded (their pages are compressed, so a byte grep would miss
    values) and every text column is scanned; JSON/HTML/CSV files are scanned as text.
    """
    hits: list[tuple[str, str, str]] = []

    def scan(name: str, text: str) -> None:
        hits.extend((name, "email", m.group()) for m in EMAIL.finditer(text))
        hits.extend(
            (name, "phone", m.group().strip())
            for m in PHONE_CANDIDATE.finditer(text)
            if _phone_like(m.group().strip())
        )

    con = duckdb.connect()
    for path in sorted(Path(folder).rglob("*")):
        if not path.is_file():
            continue
        name = str(path.relative_to(folder))
        if path.suffix == ".parquet":
            relation = con.read_parquet(str(path))
            text_columns = [
                f'"{column}"'
                for column, type_ in zip(relation.columns, relation.types, strict=True)
                if str(type_) in {"VARCHAR", "JSON"}
            ]
            if text_columns:
                rows = con.sql(
                    f"select concat_ws(chr(10), {', '.join(text_columns)}) "
                    f"from read_parquet('{path}')"
                ).fetchall()
                scan(name, "\n".join(row[0] or "" for row in rows))
        elif path.suffix in SCANNED_SUFFIXES:
            scan(name, path.read_text(errors="replace"))
    return hits


def test_personal_data_scan_catches_planted_email_and_phone(tmp_path: Path) -> None:
    data = tmp_path / "data" / "lifecycle" / "planted"
    data.mkdir(parents=True)
    con = duckdb.connect()
    con.execute(
        "copy (select * from (values "
        "('2026-11-20', 'web', 'ada.lovelace+news@example.co.uk'), "
        "('2026-11-21', 'call_centre', 'call me on +44 20 7946 0958')"
        ") as t(day, channel, note)) "
        f"to '{data / 'planted.parquet'}' (format parquet, compression zstd)"
    )
    (data / "planted.schema.json").write_text('{"owner": "grace@example.org"}')
    hits = find_personal_data(tmp_path)
    assert (
        "data/lifecycle/planted/planted.parquet",
        "email",
        "ada.lovelace+news@example.co.uk",
    ) in hits
    assert ("data/lifecycle/planted/planted.parquet", "phone", "+44 20 7946 0958") in hits
    assert ("data/lifecycle/planted/planted.schema.json", "email", "grace@example.org") in hits


def test_personal_data_scan_ignores_dates_counts_and_hashes(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(
        '{"day": "2026-11-20", "at": "2026-11-20T09:24:15.469Z", "n": 1234567890123, '
        '"hash": "32baaabfda4a5c1a380cf9781653623a", "range": "2026-10-01 2026-11-20", '
        '"v": "40.1.8", "revenue": 119977.25}'
    )
    assert find_personal_data(tmp_path) == []


# --- export ----------------------------------------------------------------------------

# Column names a report table must never carry (written here, independently of the
# export's own guard).
PERSONAL_COLUMN_NAMES = {
    "customer_id",
    "primary_email",
    "primary_phone",
    "email",
    "phone",
    "contact_email",
    "first_name",
    "last_name",
    "raw_content",
    "observed_value",
    "source_file",
}
HEALTH_TABLE_NAMES = {"data_health_checks", "data_health_quarantine", "data_health_freshness"}


@pytest.fixture(scope="module")
def fixture_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_report_fixture(tmp_path_factory.mktemp("warehouse") / "lifecycle.duckdb")


@pytest.fixture(scope="module")
def exported(fixture_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    report_db = tmp_path_factory.mktemp("exported") / "reports.duckdb"
    export_report_database(fixture_warehouse, report_db)
    return report_db


def _fixture_counts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            table: con.execute(f"select count(*) from marts.{table}").fetchone()[0]
            for table in REPORT_TABLES
        }


def test_export_copies_every_report_table(fixture_warehouse: Path, tmp_path: Path) -> None:
    report_db = tmp_path / "reports.duckdb"
    counts = export_report_database(fixture_warehouse, report_db)

    assert {t: n for t, n in counts.items() if t in REPORT_TABLES} == _fixture_counts(
        fixture_warehouse
    )
    assert set(counts) == set(REPORT_TABLES) | HEALTH_TABLE_NAMES
    assert counts["customers_per_stage_daily"] == 60 * 11
    # every mart of the agreed contract is published
    assert {
        "stage_transitions",
        "lead_scores",
        "lead_grades_daily",
        "retention_cohorts",
        "customer_value",
        "rfm_segments",
        "channel_performance_monthly",
        "attribution_by_channel_monthly",
    } <= set(REPORT_TABLES)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports.duckdb"]  # no temp files
    with duckdb.connect(str(report_db), read_only=True) as con:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() order by table_name"
        ).fetchall()
        assert tables == [("main", t) for t in sorted(counts)]
        columns = con.execute(
            "select column_name, data_type from duckdb_columns() "
            "where table_name = 'kpi_retention_monthly' order by column_index"
        ).fetchall()
    assert columns == [
        ("kpi_month", "DATE"),
        ("n_purchasing_customers", "BIGINT"),
        ("n_repeat_customers", "BIGINT"),
        ("repeat_purchase_rate", "DOUBLE"),
    ]


def test_export_publishes_no_personal_data(exported: Path) -> None:
    with duckdb.connect(str(exported), read_only=True) as con:
        columns = con.execute(
            "select table_name, column_name, data_type from duckdb_columns() where not internal"
        ).fetchall()
        tables = {table for table, _, _ in columns}
        assert "customers" not in tables
        leaked = [(t, c) for t, c, _ in columns if c.lower() in PERSONAL_COLUMN_NAMES]
        assert leaked == []
        # the customer-grain marts keep their figures, not their customers
        assert {c for t, c, _ in columns if t == "lead_scores"} == {
            "lead_score",
            "lead_grade",
            "scored_at",
        }
        values = []
        for table, column, type_ in columns:
            if type_ == "VARCHAR":
                values += [
                    f"{table}.{column}: {v}"
                    for (v,) in con.execute(f'select distinct "{column}" from "{table}"').fetchall()
                    if v is not None
                ]
    text = "\n".join(values)
    assert EMAIL.findall(text) == []
    phones = [m.group() for m in PHONE_CANDIDATE.finditer(text) if _phone_like(m.group().strip())]
    assert phones == []
    assert PLANTED_EMAIL not in text and PLANTED_PHONE not in text


def test_export_refuses_a_personal_column(fixture_warehouse: Path, tmp_path: Path) -> None:
    with pytest.raises(PersonalDataError, match=r"customers.*primary_email"):
        export_report_database(fixture_warehouse, tmp_path / "r.duckdb", tables=("customers",))
    assert list(tmp_path.iterdir()) == []


def test_export_refuses_an_email_in_a_value(fixture_warehouse: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "lifecycle.duckdb"
    shutil.copy(fixture_warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update marts.rfm_segments set rfm_segment = 'grace.hopper@example.org' "
            "where rfm_segment = 'Loyal'"
        )
    with pytest.raises(PersonalDataError, match=r"rfm_segments column rfm_segment holds 1"):
        export_report_database(warehouse, tmp_path / "reports.duckdb")
    assert not (tmp_path / "reports.duckdb").exists()


def test_data_health_keeps_the_latest_checks(exported: Path) -> None:
    with duckdb.connect(str(exported), read_only=True) as con:
        rows = con.execute(
            "select suite, expectation, passed, checked_at from data_health_checks"
        ).fetchall()
    # the fixture's latest run (2026-11-20 06:30) failed these two of its five rows
    assert len(rows) == 5
    assert {str(r[3]) for r in rows} == {"2026-11-20 06:30:00"}
    assert sorted((r[0], r[1]) for r in rows if not r[2]) == [
        ("raw_shop", "unexpected_rows: email pattern"),
        ("stg_shop__orders", "expect_table_row_count_to_be_between"),
    ]


def test_data_health_counts_quarantine_by_rule_without_values(exported: Path) -> None:
    with duckdb.connect(str(exported), read_only=True) as con:
        rows = con.execute(
            "select channel, reason, status, quarantined_rows from data_health_quarantine"
        ).fetchall()
    # hand-counted from the fixture's ten quarantined rows (one breaks two rules)
    assert sorted(rows) == [
        ("crm_leads", "email_status: not an accepted value", "open", 1),
        ("crm_leads", "missing required email", "open", 1),
        ("crm_leads", "unreadable file", "open", 1),
        ("orders", "amount: not a valid decimal", "open", 2),
        ("orders", "currency: not an accepted value", "open", 1),
        ("orders", "missing required order_id", "open", 1),
        ("web_events", "duration_s: below the minimum", "resolved", 1),
        ("web_events", "occurred_at: in the future", "open", 1),
        ("web_events", "occurred_at: too early", "open", 1),
        ("web_events", "unreadable row", "open", 1),
    ]


def test_data_health_freshness_per_contract_channel(
    exported: Path, fixture_warehouse: Path
) -> None:
    from orchestration.contract import load_contract

    with duckdb.connect(str(exported), read_only=True) as con:
        rows = {
            r[0]: r[1:]
            for r in con.execute(
                "select channel, latest_delivery_date, days_behind, files_loaded, files_failed,"
                " rows_loaded from data_health_freshness"
            ).fetchall()
        }
    with duckdb.connect(str(fixture_warehouse), read_only=True) as con:
        orders_rows = con.execute(
            "select sum(rows_loaded) from ingestion.files where channel = 'orders'"
        ).fetchone()[0]
    assert set(rows) == {channel.name for channel in load_contract()}
    behind = {channel: r[1] for channel, r in rows.items() if r[1]}
    assert behind == {"media_listens": 3, "reviews": 1}
    assert rows["media_listens"][0] == END_DATE - timedelta(days=3)
    assert rows["orders"][2] == FILE_DAYS and rows["orders"][4] == orders_rows
    assert rows["crm_leads"][3] == 1


def test_data_docs_are_published_offline_and_redacted(tmp_path: Path) -> None:
    site = tmp_path / "local_site"
    page = site / "validations" / "raw" / "raw_orders" / "20261120T063000Z" / "orders.html"
    page.parent.mkdir(parents=True)
    cdn = (
        '<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/b.css"/>'
        '<script src="https://code.jquery.com/jquery.min.js"></script>'
    )
    style = "<style>.navbar-brand a { background: url('https://example.com/logo.png'); }</style>"
    (site / "index.html").write_text(
        f"<html><head>{cdn}{style}</head><body><h1>Docs</h1></body></html>"
    )
    page.write_text(
        f"<html><head>{cdn}</head><body><td>unexpected: ada@example.com, "
        "+44 20 7946 0958</td><td>2026-11-20 06:30:00</td><td>1234567</td></body></html>"
    )
    (site / "static").mkdir()
    (site / "static" / "logo.png").write_bytes(b"\x89PNG")
    reports = tmp_path / "reports"
    stale = reports / ".evidence" / "template" / "static" / "data-docs" / "old-run.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("<html>an older run</html>")

    published = publish_data_docs(reports, site)

    assert published == reports / "static" / "data-docs"
    index = (published / "index.html").read_text()
    assert "validations/raw/raw_orders/20261120T063000Z/orders.html" in index
    copied = (published / page.relative_to(site)).read_text()
    assert "https://" not in index + copied
    assert "ada@example.com" not in copied and "7946" not in copied
    assert "2026-11-20 06:30:00" in copied and "1234567" in copied
    assert (published / "static" / "logo.png").read_bytes() == b"\x89PNG"
    assert not stale.exists()  # Evidence's copy of an older run is gone too
    assert find_personal_data(published) == []

    # no Data Docs yet: a page that says so replaces the previous copy
    publish_data_docs(reports, None)
    assert [p.name for p in published.iterdir()] == ["index.html"]
    assert "No Data Docs" in (published / "index.html").read_text()


def test_export_uses_the_callers_writer_connection(fixture_warehouse: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "lifecycle.duckdb"
    shutil.copy(fixture_warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:  # the pipeline's single writer
        con.execute("delete from marts.kpi_acquisition_daily where kpi_date < ?", [END_DATE])
        counts = export_report_database(warehouse, tmp_path / "reports.duckdb", con=con)
        # the caller's connection is still usable and nothing is left attached
        assert (
            con.execute("select count(*) from duckdb_databases() where not internal").fetchone()[0]
            == 1
        )
    assert counts["kpi_acquisition_daily"] == 1


def test_failed_export_leaves_the_previous_file_alone(
    fixture_warehouse: Path, tmp_path: Path
) -> None:
    report_db = tmp_path / "reports.duckdb"
    export_report_database(fixture_warehouse, report_db)
    before = report_db.read_bytes()
    with pytest.raises(LookupError, match="no_such_mart"):
        export_report_database(
            fixture_warehouse, report_db, tables=(*REPORT_TABLES, "no_such_mart")
        )
    assert report_db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports.duckdb"]


def test_export_needs_the_data_health_sources(fixture_warehouse: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "lifecycle.duckdb"
    shutil.copy(fixture_warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("drop table quality.check_results")
    with pytest.raises(LookupError, match=r"quality\.check_results"):
        export_report_database(warehouse, tmp_path / "reports.duckdb")


def test_a_hanging_step_fails_fast_with_its_output(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(ReportBuildError, match=r"(?s)within 2 s.*waiting for the network"):
        _run_step(
            ["bash", "-c", "echo waiting for the network; sleep 60"],
            cwd=tmp_path,
            env=dict(os.environ),
            timeout_s=2,
            log=lambda _: None,
            name="hang",
        )
    assert time.monotonic() - started < 20


def test_offline_patch_is_applied_and_idempotent() -> None:
    if not (REPORTS_DIR / "node_modules" / "@evidence-dev" / "universal-sql").is_dir():
        pytest.skip("reports/node_modules not installed (npm ci)")
    out = subprocess.run(
        ["node", "scripts/patch-offline-duckdb-wasm.cjs"],
        cwd=REPORTS_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.count("already patched") == 2
    client = REPORTS_DIR / "node_modules/@evidence-dev/universal-sql/src/client-duckdb"
    for name in ("node.js", "browser.js"):
        live = [
            line
            for line in (client / name).read_text().splitlines()
            if "SET ieee_floating_point_ops" in line or "SET old_implicit_casting" in line
        ]
        assert live and all(line.strip().startswith("/* lifecycle-reports") for line in live)


# --- end to end: offline build and what the browser shows ---------------------------------


def _no_network_prefix() -> tuple[str, ...]:
    """Run Evidence in a network namespace with no interfaces, where the kernel lets us."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "--net", "--", "true"]).returncode == 0:
        return (unshare, "--net", "--")
    return ()


SITE_PAGES = {
    "/",
    "/discovery",
    "/engagement",
    "/acquisition",
    "/conversion",
    "/retention",
    "/loyalty",
    "/advocacy",
    "/channels",
    "/cohorts",
    "/customer-value",
    "/leads",
    "/data-health",
}
DATA_DOCS_PAGE = "/data-docs/index.html"  # opened too: it must work offline as well


def _fake_data_docs(folder: Path) -> Path:
    """A two-page GX Data Docs site, with a planted e-mail and a CDN script."""
    page = folder / "validations" / "marts" / "customers" / "20261120T063000Z" / "customers.html"
    page.parent.mkdir(parents=True)
    script = '<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>'
    (folder / "index.html").write_text(f"<html><head>{script}</head><body>Docs</body></html>")
    page.write_text(
        f"<html><head>{script}</head><body><td>sample: {PLANTED_EMAIL}</td></body></html>"
    )
    return folder


def _reports_project_copy(target: Path) -> Path:
    """The Evidence project copied to ``target``, sharing the installed node_modules.

    The end-to-end tests build the site in reports/ itself; a copy lets this file
    build at the same time on another pytest worker. Files keep their times
    (copy2), so the committed lock stays older than the install and the build
    never runs ``npm ci``, which would replace the shared node_modules.
    """
    installed = REPORTS_DIR / "node_modules"
    if not (installed / ".package-lock.json").exists():
        pytest.skip("reports/node_modules not installed (npm ci)")
    shutil.copytree(
        REPORTS_DIR,
        target,
        copy_function=shutil.copy2,
        ignore=shutil.ignore_patterns("node_modules", ".evidence", "build"),
    )
    (target / "node_modules").symlink_to(installed, target_is_directory=True)
    assert not _needs_npm_ci(target), "the copy would reinstall the shared node_modules"
    return target


def screenshot_dir() -> Path:
    """``LIFECYCLE_SCREENSHOTS``, else tests/artifacts/screenshots (git-ignored)."""
    return Path(os.environ.get("LIFECYCLE_SCREENSHOTS") or REPO / "tests/artifacts/screenshots")


@pytest.fixture(scope="module")
def built_site(fixture_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    if shutil.which("npm") is None:
        pytest.skip("npm not installed")
    report_db = tmp_path_factory.mktemp("report") / "reports.duckdb"
    export_report_database(fixture_warehouse, report_db)
    data_docs = _fake_data_docs(tmp_path_factory.mktemp("gx") / "local_site")
    prefix = _no_network_prefix()
    project = _reports_project_copy(tmp_path_factory.mktemp("evidence") / "reports")
    started = time.monotonic()
    build_dir = build_report_site(
        project,
        report_db,
        log=lambda _: None,
        timeout_s=900,
        command_prefix=prefix,
        data_docs_dir=data_docs,
    )
    return {
        "build_dir": build_dir,
        "offline": bool(prefix),
        "build_seconds": time.monotonic() - started,
    }


@pytest.fixture(scope="module")
def seen(built_site: dict) -> dict:
    from tests.browser import check_site, find_chromium, site_pages

    if find_chromium() is None:
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    pytest.importorskip("playwright")
    shots = screenshot_dir()
    shutil.rmtree(shots, ignore_errors=True)
    pages = [*site_pages(built_site["build_dir"]), DATA_DOCS_PAGE]
    return check_site(built_site["build_dir"], pages=pages, screenshot_dir=shots)


def _fixture_value(warehouse: Path, sql: str) -> float:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


def _fixture_headline(warehouse: Path) -> dict[str, float]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (latest,) = con.execute(
            "select max(date_day) from marts.customers_per_stage_daily"
        ).fetchone()
        customers = sum(
            n
            for (n,) in con.execute(
                "select customers from marts.customers_per_stage_daily where date_day = ?",
                [latest],
            ).fetchall()
        )
        since = END_DATE - timedelta(days=30)
        touchpoints = con.execute(
            "select sum(n_touchpoints) from marts.channel_touchpoints_daily "
            "where touchpoint_date > ?",
            [since],
        ).fetchone()[0]
        revenue = con.execute(
            "select sum(revenue_eur) from marts.kpi_conversion_daily where kpi_date > ?",
            [since],
        ).fetchone()[0]
    return {"customers": customers, "touchpoints": touchpoints, "revenue": revenue}


@pytest.mark.e2e
def test_site_builds_offline(built_site: dict) -> None:
    assert (built_site["build_dir"] / "index.html").is_file()
    if not built_site["offline"]:
        pytest.skip("could not create a network namespace: built with the machine's network")


@pytest.mark.e2e
def test_overview_shows_the_fixture_figures(seen: dict, fixture_warehouse: Path) -> None:
    expected = _fixture_headline(fixture_warehouse)
    overview = seen["pages"]["/"]
    assert overview["ready"], overview["text"][:2000]
    big = overview["big_values"]
    assert big["Customers today"] == f"{expected['customers']:,}"
    assert big["Touchpoints, last 30 days"] == f"{expected['touchpoints']:,}"
    revenue_shown = big["Revenue, last 30 days"]
    assert revenue_shown.startswith("€")
    assert abs(float(revenue_shown[1:].replace(",", "")) - expected["revenue"]) <= 0.5
    assert "November 20, 2026" in overview["text"]


@pytest.mark.e2e
def test_overview_charts_drew_their_series(seen: dict) -> None:
    charts = {c["title"]: c for c in seen["pages"]["/"]["charts"]}
    funnel_title = "Lifecycle funnel (customers per progress stage, latest day)"
    assert set(charts) == {
        funnel_title,
        "Customers per stage (latest day)",
        "Customers per stage",
        "Stage transitions, latest month",
        "Conversion to the next stage, latest month",
        "Touchpoints per channel",
    }
    # 11 stages, of which 8 progress stages in the funnel
    assert [s["points"] for s in charts[funnel_title]["series"]] == [8]
    bars = charts["Customers per stage (latest day)"]
    assert [s["points"] for s in bars["series"]] == [11]
    over_time = charts["Customers per stage"]
    assert len(over_time["series"]) == 11 and all(s["points"] == 60 for s in over_time["series"])
    assert len(charts["Touchpoints per channel"]["series"]) == 14
    # the fixture has 11 stage-to-stage steps each month
    assert sum(s["points"] for s in charts["Stage transitions, latest month"]["series"]) == 11
    for chart in charts.values():
        assert chart["drawn"] and chart["coloured_pixels"] > 1000, chart


@pytest.mark.e2e
def test_every_page_renders_data_and_no_error(seen: dict) -> None:
    assert set(seen["pages"]) == SITE_PAGES | {DATA_DOCS_PAGE}
    for path in SITE_PAGES:
        page = seen["pages"][path]
        assert page["ready"], (path, page["text"][:1000])
        assert page["error_blocks"] == [], (path, page["error_blocks"])
        assert page["empty_states"] == [], (path, page["empty_states"])
        assert page["charts"], path
        assert page["chart_containers"] == len(page["charts"]), path
        for chart in page["charts"]:
            assert chart["rendered"] and chart["drawn"], (path, chart)
        assert all(rows > 0 for rows in page["table_rows"]), (path, page["table_rows"])
        assert page["big_values"] and all(
            value and value != "-" for value in page["big_values"].values()
        ), (path, page["big_values"])


@pytest.mark.e2e
def test_every_page_has_a_screenshot(seen: dict) -> None:
    shots = {p.stem: p.stat().st_size for p in screenshot_dir().glob("*.png")}
    expected = {
        path.strip("/").replace("/", "_") or "index" for path in SITE_PAGES | {DATA_DOCS_PAGE}
    }
    assert set(shots) == expected
    assert all(size > 10_000 for size in shots.values()), shots


@pytest.mark.e2e
def test_stage_pages_show_their_kpis(seen: dict) -> None:
    # The fixture sends no e-mail on Sundays; the rate chart skips those days (nulls).
    rates = next(c for c in seen["pages"]["/engagement"]["charts"] if "rates" in c["title"])
    assert all(0 < s["points"] < 60 for s in rates["series"])
    assert (
        seen["pages"]["/engagement"]["big_values"]["E-mail open rate (latest sending day)"]
        == "40.0%"
    )


def _euros(shown: str) -> float:
    assert shown.startswith("€"), shown
    return float(shown[1:].replace(",", ""))


@pytest.mark.e2e
def test_channels_page_shows_spend_cac_and_attribution(seen: dict, fixture_warehouse: Path) -> None:
    page = seen["pages"]["/channels"]
    spend = _fixture_value(
        fixture_warehouse, "select sum(spend_eur) from marts.channel_performance_monthly"
    )
    cac = _fixture_value(
        fixture_warehouse,
        "select sum(spend_eur) / sum(new_customers) from marts.channel_performance_monthly",
    )
    assert abs(_euros(page["big_values"]["Spend"]) - spend) <= 0.5
    assert abs(_euros(page["big_values"]["CAC"]) - cac) <= 0.005
    charts = {c["title"]: c for c in page["charts"]}
    models = charts["Attributed conversions per channel and model"]["series"]
    assert sorted(s["name"] for s in models) == sorted(ATTRIBUTION_MODELS)
    assert all(s["points"] == 6 for s in models)  # six channels each


@pytest.mark.e2e
def test_cohorts_page_draws_the_retention_heatmap(seen: dict, fixture_warehouse: Path) -> None:
    page = seen["pages"]["/cohorts"]
    cells = _fixture_value(fixture_warehouse, "select count(*) from marts.retention_cohorts")
    heatmap = next(c for c in page["charts"] if c["title"].startswith("Retention by first"))
    assert sum(s["points"] for s in heatmap["series"]) == cells == 21
    assert page["big_values"]["Cohorts"] == "6"


@pytest.mark.e2e
def test_customer_value_page_counts_customers_and_risk(seen: dict, fixture_warehouse: Path) -> None:
    page = seen["pages"]["/customer-value"]
    customers = _fixture_value(fixture_warehouse, "select count(*) from marts.customer_value")
    at_risk = _fixture_value(
        fixture_warehouse, "select count(*) from marts.customer_value where is_at_risk"
    )
    assert page["big_values"]["Customers"] == f"{customers:,}"
    assert page["big_values"]["Customers at risk"] == f"{at_risk:,}"
    titles = {c["title"] for c in page["charts"]}
    assert {
        "Customers per historical CLV band (EUR)",
        "Customers per predicted CLV band, next 365 days (EUR)",
        "Customers at risk per segment (counts)",
    } <= titles


@pytest.mark.e2e
def test_leads_page_shows_grades_today(seen: dict, fixture_warehouse: Path) -> None:
    page = seen["pages"]["/leads"]
    for grade in ("Hot", "Warm", "Cold"):
        expected = _fixture_value(
            fixture_warehouse,
            "select customers from marts.lead_grades_daily "
            f"where lead_grade = '{grade}' and date_day = '{END_DATE}'",
        )
        assert page["big_values"][f"{grade} leads (latest day)"] == f"{expected:,}"


@pytest.mark.e2e
def test_data_health_page_and_its_data_docs_link(seen: dict, built_site: dict) -> None:
    page = seen["pages"]["/data-health"]
    assert page["big_values"]["Expectations checked"] == "5"
    assert page["big_values"]["Failed (all severities)"] == "2"
    assert page["big_values"]["Channels behind (or never delivered)"] == "2"
    assert DATA_DOCS_PAGE in page["links"]
    assert "Validation results" in seen["pages"][DATA_DOCS_PAGE]["text"]
    docs = built_site["build_dir"] / "data-docs"
    validation = "validations/marts/customers/20261120T063000Z/customers.html"
    index = (docs / "index.html").read_text()
    assert validation in index
    assert "https://" not in index
    assert PLANTED_EMAIL not in (docs / validation).read_text()
    # exactly this run's pages: nothing left over from an earlier build
    assert sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*.html")) == [
        "index.html",
        validation,
    ]


@pytest.mark.e2e
def test_site_makes_no_external_requests_and_logs_no_errors(seen: dict) -> None:
    assert seen["external_requests"] == []
    assert seen["console_errors"] == []
    assert seen["failed_requests"] == []


@pytest.mark.e2e
def test_built_site_carries_no_personal_data(built_site: dict) -> None:
    build_dir = built_site["build_dir"]
    assert list(build_dir.glob("data/**/*.parquet")), "no data files in the build"
    assert find_personal_data(build_dir) == []

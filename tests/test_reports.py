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
    ReportBuildError,
    _run_step,
    build_report_site,
    export_report_database,
)
from tests.fixtures.make_report_fixture import END_DATE, make_report_fixture

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


@pytest.fixture(scope="module")
def fixture_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_report_fixture(tmp_path_factory.mktemp("warehouse") / "lifecycle.duckdb")


def _fixture_counts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            table: con.execute(f"select count(*) from marts.{table}").fetchone()[0]
            for table in REPORT_TABLES
        }


def test_export_copies_every_report_table(fixture_warehouse: Path, tmp_path: Path) -> None:
    report_db = tmp_path / "reports.duckdb"
    counts = export_report_database(fixture_warehouse, report_db)

    assert counts == _fixture_counts(fixture_warehouse)
    assert counts["customers_per_stage_daily"] == 60 * 11
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports.duckdb"]  # no temp files
    with duckdb.connect(str(report_db), read_only=True) as con:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() order by table_name"
        ).fetchall()
        assert tables == [("main", t) for t in sorted(REPORT_TABLES)]
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


@pytest.fixture(scope="module")
def built_site(fixture_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    if shutil.which("npm") is None:
        pytest.skip("npm not installed")
    report_db = tmp_path_factory.mktemp("report") / "reports.duckdb"
    export_report_database(fixture_warehouse, report_db)
    prefix = _no_network_prefix()
    started = time.monotonic()
    build_dir = build_report_site(
        REPORTS_DIR, report_db, log=lambda _: None, timeout_s=900, command_prefix=prefix
    )
    return {
        "build_dir": build_dir,
        "offline": bool(prefix),
        "build_seconds": time.monotonic() - started,
    }


@pytest.fixture(scope="module")
def seen(built_site: dict) -> dict:
    from tests.browser import check_site, find_chromium

    if find_chromium() is None:
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    pytest.importorskip("playwright")
    return check_site(built_site["build_dir"])


def _fixture_headline(warehouse: Path) -> dict[str, float]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (latest,) = con.execute(
            "select max(stage_date) from marts.customers_per_stage_daily"
        ).fetchone()
        customers = sum(
            n
            for (n,) in con.execute(
                "select n_customers from marts.customers_per_stage_daily where stage_date = ?",
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
    assert set(charts) == {
        "Customers per stage (latest day)",
        "Customers per stage",
        "Touchpoints per channel",
    }
    bars = charts["Customers per stage (latest day)"]
    assert [s["points"] for s in bars["series"]] == [11]
    over_time = charts["Customers per stage"]
    assert len(over_time["series"]) == 11 and all(s["points"] == 60 for s in over_time["series"])
    assert len(charts["Touchpoints per channel"]["series"]) == 14
    for chart in charts.values():
        assert chart["drawn"] and chart["coloured_pixels"] > 1000, chart


@pytest.mark.e2e
def test_every_stage_page_renders_its_kpis(seen: dict) -> None:
    stage_pages = {
        "/discovery",
        "/engagement",
        "/acquisition",
        "/conversion",
        "/retention",
        "/loyalty",
        "/advocacy",
    }
    assert stage_pages <= set(seen["pages"])
    for path in stage_pages:
        page = seen["pages"][path]
        assert page["ready"], path
        assert page["big_values"] and all(v and v != "-" for v in page["big_values"].values()), (
            path,
            page["big_values"],
        )
        assert page["charts"] and all(c["drawn"] for c in page["charts"]), (path, page["charts"])
    # The fixture sends no e-mail on Sundays; the rate chart skips those days (nulls).
    rates = next(c for c in seen["pages"]["/engagement"]["charts"] if "rates" in c["title"])
    assert all(0 < s["points"] < 60 for s in rates["series"])
    assert (
        seen["pages"]["/engagement"]["big_values"]["E-mail open rate (latest sending day)"]
        == "40.0%"
    )


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

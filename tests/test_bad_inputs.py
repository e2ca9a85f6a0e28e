"""The bad-input matrix: what ingestion does with each kind of broken export.

Every case asserts the same three things besides its own message: the good rows are
loaded, nothing is lost (each data row of the file is either in raw or in quarantine,
rows_loaded + rows_quarantined == rows in the file) and nothing is counted twice (each
source row appears once across raw and quarantine).
"""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.contract import load_contract
from orchestration.ingest.loader import FileResult, load_file, load_partition
from orchestration.ingest.warehouse import connect, ensure_schema
from tests.landing import DAY, land

PROJECT = Path(__file__).resolve().parent.parent
LOADED_AT = datetime(2026, 1, 3, 6, 0, 0)  # fixed load time for the plausibility rules

WEB_HEADER = ["event_id", "event_at", "cookie_id", "url", "device_type"]
ORDERS_HEADER = [
    "order_id", "ordered_at", "updated_at", "customer_email", "currency", "subtotal_amount",
    "tax_amount", "shipping_amount", "total_amount", "status",
]  # fmt: skip


def web_row(n: int, **changes: str) -> list[str]:
    row = {
        "event_id": f"e{n}",
        "event_at": "2026-01-02T10:00:00Z",
        "cookie_id": f"c{n}",
        "url": f"https://shop.example/p/{n}",
        "device_type": "mobile",
    }
    row.update(changes)
    return [row[name] for name in WEB_HEADER]


def order_row(n: int, **changes: str) -> list[str]:
    row = dict(
        zip(
            ORDERS_HEADER,
            [f"o{n}", "2026-01-02T10:00:00Z", "2026-01-02T10:00:00Z", "a@b.com", "EUR",
             "10", "2", "1", "13", "paid"],
            strict=True,
        )
    )  # fmt: skip
    row.update(changes)
    return [row[name] for name in ORDERS_HEADER]


def csv_text(header: list[str], rows: list[list[str]], delimiter: str = ",") -> str:
    return "\n".join(delimiter.join(fields) for fields in [header, *rows]) + "\n"


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    return tmp_path / "landing"


@pytest.fixture(scope="module")
def empty_warehouse(tmp_path_factory) -> Path:
    """A warehouse with the raw and ingestion tables, copied for each test (faster)."""
    path = tmp_path_factory.mktemp("template") / "warehouse.duckdb"
    with connect(path) as connection:
        ensure_schema(connection)
        connection.execute("checkpoint")
    return path


@pytest.fixture
def con(tmp_path: Path, empty_warehouse: Path):
    shutil.copy(empty_warehouse, tmp_path / "warehouse.duckdb")
    with connect(tmp_path / "warehouse.duckdb") as connection:
        yield connection


def load(con, landing: Path, path: Path, channel: str, day: date = DAY) -> FileResult:
    return load_file(
        con,
        path,
        landing_dir=landing,
        channel=load_contract()[channel],
        delivery_date=day,
        loaded_at=LOADED_AT,
    )


def quarantined(con, source_file: str) -> dict[int, str]:
    """source_row -> reason of the file's unresolved row-level quarantine entries."""
    rows = con.execute(
        "select source_row, reason from ingestion.quarantine"
        " where source_file = ? and resolved_at is null and source_row is not null",
        [source_file],
    ).fetchall()
    return dict(rows)


def assert_accounted(
    con: duckdb.DuckDBPyConnection, result: FileResult, channel: str, rows_in_file: int
) -> None:
    """Nothing lost, nothing counted twice, every quarantined row has a reason."""
    assert result.rows_read == rows_in_file
    assert result.rows_loaded + result.rows_quarantined == rows_in_file
    raw_rows = [
        r[0]
        for r in con.execute(
            f"select _source_row from raw.{channel} where _source_file = ?", [result.source_file]
        ).fetchall()
    ]
    bad = quarantined(con, result.source_file)
    assert len(raw_rows) == result.rows_loaded
    assert len(bad) == result.rows_quarantined
    assert len(set(raw_rows)) == len(raw_rows), "a source row loaded twice"
    assert not set(raw_rows) & set(bad), "a source row both loaded and quarantined"
    assert all(reason for reason in bad.values())
    recorded = con.execute(
        "select rows_read, rows_loaded, rows_quarantined from ingestion.files"
        " where source_file = ?",
        [result.source_file],
    ).fetchone()
    assert recorded == (result.rows_read, result.rows_loaded, result.rows_quarantined)


# -- missing and extra columns ------------------------------------------------------------


def test_missing_required_column_is_named_for_the_file_and_each_row(con, landing) -> None:
    header = [c for c in ORDERS_HEADER if c != "currency"]
    rows = [[v for c, v in zip(ORDERS_HEADER, order_row(n), strict=True) if c != "currency"]
            for n in (1, 2, 3)]  # fmt: skip
    path = land(landing, "orders", "orders.csv", csv_text(header, rows))
    result = load(con, landing, path, "orders")
    assert result.status == "loaded"
    assert result.message == "missing required column(s): currency (all 3 rows quarantined)"
    assert_accounted(con, result, "orders", 3)
    assert result.rows_loaded == 0
    assert quarantined(con, "orders/2026-01-02/orders.csv") == {
        n: "missing required currency (column absent from the file)" for n in (1, 2, 3)
    }
    message = con.execute("select message from ingestion.files").fetchone()[0]
    assert message.startswith("missing required column(s): currency")


def test_missing_optional_column_loads_every_row(con, landing) -> None:
    header = [c for c in ORDERS_HEADER if c != "customer_email"]
    rows = [[v for c, v in zip(ORDERS_HEADER, order_row(n), strict=True)
             if c != "customer_email"] for n in (1, 2)]  # fmt: skip
    path = land(landing, "orders", "orders.csv", csv_text(header, rows))
    result = load(con, landing, path, "orders")
    assert (result.rows_loaded, result.message) == (2, "")
    assert_accounted(con, result, "orders", 2)


def test_missing_required_key_in_some_json_lines_quarantines_those_lines(con, landing) -> None:
    lines = [dict(zip(WEB_HEADER, web_row(n), strict=True)) for n in (1, 2, 3)]
    del lines[1]["cookie_id"]
    path = land(landing, "web_events", "web.jsonl", "\n".join(map(json.dumps, lines)))
    result = load(con, landing, path, "web_events")
    assert result.message == ""  # the column is in the file, only one line lacks it
    assert_accounted(con, result, "web_events", 3)
    assert quarantined(con, result.source_file) == {2: "missing required cookie_id"}


@pytest.mark.parametrize("file_format", ["csv", "jsonl"])
def test_unknown_columns_are_accepted_and_reported(con, landing, file_format: str) -> None:
    # "_source_row" must not be mistaken for the loader's own lineage column.
    extra = {"coupon": "SAVE10", "_source_row": "not a number", "Event_ID": "x"}
    header = [*WEB_HEADER, *extra]
    rows = [[*web_row(n), *extra.values()] for n in (1, 2)]
    if file_format == "csv":
        content = csv_text(header, rows)
    else:
        content = "\n".join(json.dumps(dict(zip(header, r, strict=True))) for r in rows)
    path = land(landing, "web_events", f"web.{file_format}", content)
    result = load(con, landing, path, "web_events")
    assert result.status == "loaded"
    assert result.unknown_columns == ["coupon", "_source_row", "Event_ID"]
    assert "unknown columns not loaded: coupon, _source_row, Event_ID" in result.describe()
    assert_accounted(con, result, "web_events", 2)
    assert result.rows_loaded == 2
    assert con.execute("select unknown_columns from ingestion.files").fetchone()[0] == (
        "coupon, _source_row, Event_ID"
    )
    assert con.execute("select list(_source_row order by 1) from raw.web_events").fetchone()[0] == [
        1,
        2,
    ]


def test_csv_without_a_header_row_says_so(con, landing) -> None:
    path = land(landing, "web_events", "web.csv", csv_text(web_row(1), [web_row(2)]))
    result = load(con, landing, path, "web_events")
    assert "the header names none of the contract's columns (is the header row missing?" in (
        result.message
    )
    assert "missing required column(s): event_id, event_at" in result.message
    assert_accounted(con, result, "web_events", 1)


# -- values that break the contract -------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"subtotal_amount": "ten"}, "subtotal_amount: cannot read 'ten' as decimal"),
        ({"total_amount": "13,50"}, "total_amount: cannot read '13,50' as decimal"),
        ({"currency": "eur"}, "currency: 'eur' is not one of EUR, GBP, USD"),
        ({"order_id": "  "}, "missing required order_id"),
    ],
)
def test_wrong_type_is_quarantined(con, landing, change: dict, reason: str) -> None:
    rows = [order_row(1), order_row(2, **change), order_row(3)]
    path = land(landing, "orders", "orders.csv", csv_text(ORDERS_HEADER, rows, delimiter=";"))
    result = load(con, landing, path, "orders")
    assert_accounted(con, result, "orders", 3)
    assert quarantined(con, result.source_file) == {2: reason}
    assert result.rows_loaded == 2


def test_fraction_in_an_integer_column_is_not_rounded(con, landing) -> None:
    header = ["order_id", "line_number", "sku", "quantity", "unit_price_amount", "line_amount"]
    rows = [["o1", "1", "s1", "2", "5", "10"], ["o1", "2", "s2", "1.5", "5", "7.5"],
            ["o1", "3", "s3", "3.0", "5", "15"]]  # fmt: skip
    path = land(landing, "order_lines", "lines.csv", csv_text(header, rows))
    result = load(con, landing, path, "order_lines")
    assert_accounted(con, result, "order_lines", 3)
    assert quarantined(con, result.source_file) == {2: "quantity: cannot read '1.5' as integer"}
    assert con.execute(
        "select list(quantity order by line_number) from raw.order_lines"
    ).fetchone()[0] == [2, 3]


@pytest.mark.parametrize(
    ("channel", "column", "value", "reason"),
    [
        ("orders", "ordered_at", "yesterday", "ordered_at: cannot read 'yesterday' as timestamp"),
        ("orders", "updated_at", "2026-02-30T10:00:00Z", "updated_at: cannot read '2026-02-30"),
        ("orders", "ordered_at", "02/01/2026 10:00", "ordered_at: cannot read '02/01/2026"),
        ("ad_spend", "spend_date", "2026-13-01", "spend_date: cannot read '2026-13-01' as date"),
        ("ad_spend", "spend_date", "1/2/2026", "spend_date: cannot read '1/2/2026' as date"),
    ],
)
def test_unparseable_dates_are_quarantined(con, landing, channel, column, value, reason) -> None:
    if channel == "orders":
        header, rows = ORDERS_HEADER, [order_row(1), order_row(2, **{column: value})]
    else:
        header = ["spend_date", "ad_channel", "campaign", "spend", "currency", "impressions",
                  "clicks"]  # fmt: skip
        good = ["2026-01-02", "google_ads", "spring", "12.50", "EUR", "1000", "10"]
        rows = [good, [value, *good[1:]]]
    path = land(landing, channel, "export.csv", csv_text(header, rows))
    result = load(con, landing, path, channel)
    assert_accounted(con, result, channel, 2)
    assert result.rows_loaded == 1
    [(row, message)] = quarantined(con, result.source_file).items()
    assert row == 2
    assert message.startswith(reason)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (
            "2031-01-01T00:00:00Z",
            "event_at: 2031-01-01T00:00:00Z is in the future"
            " (later than the load time + 1 day, 2026-01-04 06:00:00 UTC)",
        ),
        ("2026-01-04T06:00:01Z", "event_at: 2026-01-04T06:00:01Z is in the future"),
        ("2026-01-04T08:00:00+03:00", None),  # 05:00 UTC: within load time + 1 day
        ("infinity", "event_at: infinity is in the future"),
        ("1999-12-31T23:59:59Z", "event_at: 1999-12-31T23:59:59Z is before 2000-01-01"),
        ("1970-01-01", "event_at: 1970-01-01 is before 2000-01-01"),
        ("2000-01-01T00:00:00Z", None),
    ],
)
def test_implausible_timestamps_are_quarantined(con, landing, value: str, reason) -> None:
    rows = [web_row(1), web_row(2, event_at=value)]
    path = land(landing, "web_events", "web.csv", csv_text(WEB_HEADER, rows))
    result = load(con, landing, path, "web_events")
    assert_accounted(con, result, "web_events", 2)
    bad = quarantined(con, result.source_file)
    if reason is None:
        assert (result.rows_loaded, bad) == (2, {})
    else:
        assert result.rows_loaded == 1
        assert bad[2].startswith(reason)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2026-01-05", "metric_date: 2026-01-05 is in the future"),
        ("2026-01-04", None),  # the load day + 1
        ("1999-12-31", "metric_date: 1999-12-31 is before 2000-01-01"),
    ],
)
def test_implausible_dates_are_quarantined(con, landing, value: str, reason) -> None:
    header = ["post_id", "metric_date", "platform", "impressions", "likes", "comments", "shares",
              "follower_count"]  # fmt: skip
    rows = [["p1", "2026-01-02", "x", "10", "1", "0", "0", "100"],
            ["p2", value, "x", "10", "1", "0", "0", "100"]]  # fmt: skip
    path = land(landing, "social_posts", "posts.csv", csv_text(header, rows))
    result = load(con, landing, path, "social_posts")
    assert_accounted(con, result, "social_posts", 2)
    bad = quarantined(con, result.source_file)
    if reason is None:
        assert (result.rows_loaded, bad) == (2, {})
    else:
        assert list(bad) == [2]
        assert bad[2].startswith(reason)


def test_future_timestamps_are_judged_against_the_real_load_time(con, landing) -> None:
    """load_partition uses the clock: 2031 is the future, today is not."""
    now = datetime.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = [web_row(1, event_at=now), web_row(2, event_at="2099-01-01T00:00:00Z")]
    land(landing, "web_events", "web.csv", csv_text(WEB_HEADER, rows))
    [result] = load_partition(con, landing, "web_events", DAY)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    assert (
        "event_at: 2099-01-01T00:00:00Z is in the future" in quarantined(con, result.source_file)[2]
    )


def test_negative_amount_is_quarantined_where_the_contract_says_min_0(con, landing) -> None:
    rows = [order_row(1), order_row(2, tax_amount="-0.01"), order_row(3, total_amount="-13")]
    path = land(landing, "orders", "orders.csv", csv_text(ORDERS_HEADER, rows))
    result = load(con, landing, path, "orders")
    assert_accounted(con, result, "orders", 3)
    assert quarantined(con, result.source_file) == {
        2: "tax_amount: -0.01 is below 0",
        3: "total_amount: -13 is below 0",
    }
    # A till return is a negative amount by contract (no min): it loads.
    header = ["transaction_id", "transacted_at", "store_id", "transaction_type", "amount",
              "currency"]  # fmt: skip
    pos = [["t1", "2026-01-02T10:00:00Z", "s1", "return", "-5.50", "EUR"]]
    path = land(landing, "pos_transactions", "pos.csv", csv_text(header, pos))
    result = load(con, landing, path, "pos_transactions")
    assert (result.rows_loaded, result.rows_quarantined) == (1, 0)


# -- duplicates ---------------------------------------------------------------------------


def test_duplicate_row_in_one_file_is_kept_in_raw_for_staging_to_remove(con, landing) -> None:
    rows = [web_row(1), web_row(2), web_row(1)]
    path = land(landing, "web_events", "web.csv", csv_text(WEB_HEADER, rows))
    result = load(con, landing, path, "web_events")
    assert_accounted(con, result, "web_events", 3)
    assert (result.rows_loaded, result.rows_quarantined) == (3, 0)
    # Both copies stay in raw, told apart by their row number (lineage) ...
    copies = con.execute(
        "select list(_source_row order by _source_row) from raw.web_events where event_id = 'e1'"
    ).fetchone()[0]
    assert copies == [1, 3]
    # ... and staging keeps one row per event_id, proven by this dbt unit test:
    models = (PROJECT / "models/staging/web/_web__models.yml").read_text(encoding="utf-8")
    assert "name: stg_web__page_views_removes_duplicate_rows" in models


@pytest.mark.parametrize("next_day", [False, True])
def test_duplicate_file_under_another_name_is_not_loaded_again(con, landing, next_day) -> None:
    content = csv_text(WEB_HEADER, [web_row(1), web_row(2, device_type="watch")])
    first = land(landing, "web_events", "web.csv", content)
    again = land(
        landing, "web_events", "web (1).csv", content, day=date(2026, 1, 3) if next_day else DAY
    )
    loaded = load(con, landing, first, "web_events")
    result = load(con, landing, again, "web_events", day=date(2026, 1, 3) if next_day else DAY)
    assert (result.status, result.duplicate_of) == ("duplicate", loaded.source_file)
    assert result.message == "identical to web_events/2026-01-02/web.csv, already loaded:" + (
        " not loaded again"
    )
    assert (result.rows_loaded, result.rows_quarantined) == (0, 0)
    assert con.execute("select count(*) from raw.web_events").fetchone()[0] == 1
    assert con.execute("select count(*) from ingestion.quarantine").fetchone()[0] == 1
    status = con.execute(
        "select status, duplicate_of from ingestion.files where source_file = ?",
        [result.source_file],
    ).fetchone()
    assert status == ("duplicate", "web_events/2026-01-02/web.csv")


# -- empty, undecodable and truncated files -----------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty file: no rows"),
        ("empty.jsonl", b"", "empty file: no rows"),
        ("blank.csv", b"\n\r\n  \n", "empty file: no rows"),
        ("blank.jsonl", b"\n\n", "empty file: no rows"),
        ("header.csv", b"event_id,event_at,cookie_id,url,device_type\n", "no data rows (header"),
        ("header_bom.csv", b"\xef\xbb\xbfevent_id,event_at,cookie_id,url,device_type",
         "no data rows (header"),
        ("empty.csv.gz", gzip.compress(b"", mtime=0), "empty file: no rows"),
    ],
)  # fmt: skip
def test_empty_file_loads_nothing_and_says_so(con, landing, name, content, message) -> None:
    path = land(landing, "web_events", name, content)
    result = load(con, landing, path, "web_events")
    assert result.status == "loaded"
    assert result.message.startswith(message)
    assert_accounted(con, result, "web_events", 0)
    assert con.execute("select status, rows_read from ingestion.files").fetchone() == (
        "loaded",
        0,
    )


def test_non_utf8_csv_quarantines_only_the_undecodable_rows(con, landing) -> None:
    good = csv_text(WEB_HEADER, [web_row(1)]).encode()
    latin1 = ",".join(web_row(2, url="https://shop.example/caf\xe9")).encode("latin-1") + b"\n"
    # A quoted field spanning lines, before and after the bad row, and holding a bad byte.
    multiline_ok = ",".join(web_row(3, url='"https://x/\nsecond line"')).encode() + b"\n"
    multiline_bad = (
        ",".join(web_row(4, url='"https://x/\nline with \x80 byte\nthird"')).encode("latin-1")
        + b"\n"
    )
    tail = ",".join(web_row(5)).encode() + b"\n"
    content = good + latin1 + multiline_ok + multiline_bad + tail
    path = land(landing, "web_events", "web.csv", content)
    result = load(con, landing, path, "web_events")
    assert result.status == "loaded"
    assert_accounted(con, result, "web_events", 5)
    assert result.rows_loaded == 3
    e9, x80 = content.index(b"caf") + 3, content.index(bytes([0x80]))
    assert quarantined(con, result.source_file) == {
        2: f"not valid UTF-8 (byte 0xe9 at offset {e9}); re-export as UTF-8",
        4: f"not valid UTF-8 (byte 0x80 at offset {x80}); re-export as UTF-8",
    }
    raw = con.execute("select raw_content from ingestion.quarantine where source_row = 2")
    assert raw.fetchone()[0] == "e2,2026-01-02T10:00:00Z,c2,https://shop.example/caf\\xe9,mobile"
    urls = con.execute("select list(url order by _source_row) from raw.web_events").fetchone()[0]
    assert urls == [
        "https://shop.example/p/1",
        "https://x/\nsecond line",
        "https://shop.example/p/5",
    ]


def test_non_utf8_byte_in_an_unknown_header_column_is_reported(con, landing) -> None:
    content = (
        "event_id,event_at,cookie_id,url,device_type,r\xe9gion\n".encode("latin-1")
        + ",".join([*web_row(1), "nord"]).encode()
        + b"\n"
    )
    path = land(landing, "web_events", "web.csv", content)
    result = load(con, landing, path, "web_events")
    assert result.unknown_columns == ["r\\xe9gion"]
    offset = content.index(bytes([0xE9]))
    assert result.message == f"the header row is not valid UTF-8 (byte 0xe9 at offset {offset})"
    assert_accounted(con, result, "web_events", 1)
    assert result.rows_loaded == 1


def test_non_utf8_jsonl_quarantines_only_the_undecodable_lines(con, landing) -> None:
    lines = [json.dumps(dict(zip(WEB_HEADER, web_row(n), strict=True))).encode() for n in (1, 2)]
    bad_line = lines[1].replace(b"/p/2", b"/caf\xe9")
    content = (
        b"\xef\xbb\xbf" + lines[0] + b"\r\n" + bad_line + b"\n" + lines[0].replace(b"e1", b"e3")
    )
    path = land(landing, "web_events", "web.jsonl", content)
    result = load(con, landing, path, "web_events")
    assert_accounted(con, result, "web_events", 3)
    assert result.rows_loaded == 2
    offset = content.index(b"\xe9")
    assert quarantined(con, result.source_file) == {
        2: f"not valid UTF-8 (byte 0xe9 at offset {offset}); re-export as UTF-8"
    }


def test_utf16_file_fails_whole_with_a_message(con, landing) -> None:
    content = csv_text(WEB_HEADER, [web_row(1)]).encode("utf-16")
    path = land(landing, "web_events", "web.csv", content)
    result = load(con, landing, path, "web_events")
    assert result.status == "failed"
    assert result.message == "web.csv is UTF-16 (byte order mark); re-export it as UTF-8"
    entry = con.execute("select source_file, source_row, reason from ingestion.quarantine")
    assert entry.fetchone() == ("web_events/2026-01-02/web.csv", None, result.message)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("web.parquet", b"PAR1 not parquet PAR1", "web.parquet is not a readable Parquet file ("),
        ("web.csv.gz", gzip.compress(b"event_id\ne1\n", mtime=0)[:-6],
         "web.csv.gz is not a readable gzip file ("),
        ("web.xlsx", b"PK\x03\x04", "unsupported file type 'web.xlsx'; use .csv, .jsonl or"),
    ],
)  # fmt: skip
def test_unreadable_file_fails_whole_with_a_message(con, landing, name, content, message) -> None:
    path = land(landing, "web_events", name, content)
    result = load(con, landing, path, "web_events")
    assert result.status == "failed"
    assert result.message.startswith(message)
    assert_accounted(con, result, "web_events", 0)
    entry = con.execute("select source_file, source_row, reason from ingestion.quarantine")
    assert entry.fetchall() == [(f"web_events/2026-01-02/{name}", None, result.message)]


def test_truncated_last_csv_line_is_quarantined(con, landing) -> None:
    content = csv_text(WEB_HEADER, [web_row(1), web_row(2)]) + "e3,2026-01-02T10:0"
    path = land(landing, "web_events", "web.csv", content)
    result = load(con, landing, path, "web_events")
    assert_accounted(con, result, "web_events", 3)
    assert result.rows_loaded == 2
    assert quarantined(con, result.source_file) == {3: "row has 2 fields, the header has 5"}
    raw = con.execute("select raw_content from ingestion.quarantine").fetchone()[0]
    assert raw == "e3,2026-01-02T10:0"


def test_truncated_last_json_line_is_quarantined(con, landing) -> None:
    lines = [json.dumps(dict(zip(WEB_HEADER, web_row(n), strict=True))) for n in (1, 2)]
    content = "\n".join([*lines, lines[0][:30]])
    path = land(landing, "web_events", "web.jsonl", content)
    result = load(con, landing, path, "web_events")
    assert_accounted(con, result, "web_events", 3)
    assert result.rows_loaded == 2
    [(row, reason)] = quarantined(con, result.source_file).items()
    assert row == 3
    assert reason == "invalid JSON (Expecting value at column 31)"


# -- big fields, delimiters, broken JSON lines --------------------------------------------

MEGABYTE = 1_000_000


@pytest.mark.parametrize("file_format", ["csv", "jsonl"])
def test_one_megabyte_field_loads(con, landing, file_format: str) -> None:
    giant = "https://shop.example/?q=" + "x" * MEGABYTE
    rows = [web_row(1, url=giant), web_row(2), web_row(3, event_at="9" * MEGABYTE)]
    if file_format == "csv":
        content = csv_text(WEB_HEADER, rows)
    else:
        content = "\n".join(json.dumps(dict(zip(WEB_HEADER, r, strict=True))) for r in rows)
    path = land(landing, "web_events", f"web.{file_format}", content)
    result = load(con, landing, path, "web_events")
    assert_accounted(con, result, "web_events", 3)
    assert result.rows_loaded == 2
    url_length = con.execute("select length(url) from raw.web_events where event_id = 'e1'")
    assert url_length.fetchone()[0] == len(giant)
    # A giant value that breaks the contract is quarantined, its reason kept short.
    reason = quarantined(con, result.source_file)[3]
    assert reason == f"event_at: cannot read '{'9' * 40}' as timestamp"


def test_one_megabyte_quoted_field_with_newlines_loads(con, landing) -> None:
    giant = ('line, with "quotes" and; delimiters\n' * 30_000)[:MEGABYTE]
    quoted = '"' + giant.replace('"', '""') + '"'
    content = csv_text(WEB_HEADER, [web_row(1, url=quoted), web_row(2)])
    path = land(landing, "web_events", "web.csv", content)
    result = load(con, landing, path, "web_events")
    assert_accounted(con, result, "web_events", 2)
    assert result.rows_loaded == 2
    url = con.execute("select url from raw.web_events where event_id = 'e1'").fetchone()[0]
    assert url == giant.strip()  # the loader trims surrounding whitespace


@pytest.mark.parametrize(
    ("delimiter", "name"),
    [(",", "web.csv"), (";", "web.csv"), ("\t", "web.csv"), ("\t", "web.tsv"), ("|", "web.csv")],
)
def test_csv_delimiters(con, landing, delimiter: str, name: str) -> None:
    # Values holding the other delimiters stay whole.
    url = "https://x/?a=1,2;3|4"
    quoted = f'"{url}"' if delimiter in url else url
    rows = [web_row(1, url=quoted), web_row(2), web_row(3, device_type="fridge")]
    path = land(landing, "web_events", name, csv_text(WEB_HEADER, rows, delimiter))
    result = load(con, landing, path, "web_events")
    assert_accounted(con, result, "web_events", 3)
    assert result.rows_loaded == 2
    assert quarantined(con, result.source_file) == {
        3: "device_type: 'fridge' is not one of desktop, mobile, tablet"
    }
    assert con.execute("select url from raw.web_events where event_id = 'e1'").fetchone()[0] == url


@pytest.mark.parametrize(
    ("broken", "reason"),
    [
        ('{"event_id": "e9", "event_at": ', "invalid JSON (Expecting value at column 32)"),
        ("{'event_id': 'e9'}", "invalid JSON (Expecting property name enclosed in double quotes"),
        ('["e9", "2026-01-02"]', "line is not a JSON object"),
        ('{"event_id": "e9"} trailing', "invalid JSON (Extra data at column 20)"),
        ('{"event_id": "' + "9" * 5000 + '", "x": ' + "9" * 5000 + "}", "invalid JSON (Exceeds"),
        ("[" * 100_000, "invalid JSON ("),
        ('{"event_id": "\\ud800"}', "event_id: holds an unpaired UTF-16 surrogate"),
    ],
)
def test_jsonl_with_one_broken_line(con, landing, broken: str, reason: str) -> None:
    lines = [json.dumps(dict(zip(WEB_HEADER, web_row(n), strict=True))) for n in (1, 2)]
    # U+2028 inside a JSON string is valid and must not split the line.
    lines[1] = lines[1].replace("/p/2", "/p/2\u2028\x85")
    content = "\n".join([lines[0], broken, "", lines[1]]) + "\n"
    path = land(landing, "web_events", "web.jsonl", content)
    result = load(con, landing, path, "web_events")
    assert_accounted(con, result, "web_events", 3)
    assert result.rows_loaded == 2
    bad = quarantined(con, result.source_file)
    assert list(bad) == [2]
    assert bad[2].startswith(reason)
    rows = con.execute("select list(_source_row order by 1) from raw.web_events").fetchone()[0]
    assert rows == [1, 4]  # blank line 3 is skipped but keeps its number


def test_reloading_a_fixed_file_resolves_its_quarantine(con, landing) -> None:
    broken = csv_text(WEB_HEADER, [web_row(1), web_row(2, event_at="2031-01-01")])
    path = land(landing, "web_events", "web.csv", broken)
    load(con, landing, path, "web_events")
    path.write_text(csv_text(WEB_HEADER, [web_row(1), web_row(2)]), encoding="utf-8")
    result = load(con, landing, path, "web_events")
    assert_accounted(con, result, "web_events", 2)
    assert (result.rows_loaded, result.rows_quarantined) == (2, 0)
    resolved = "select count(*) from ingestion.quarantine where resolved_at is not null"
    assert con.execute(resolved).fetchone()[0] == 1
    assert con.execute("select count(*) from raw.web_events").fetchone()[0] == 2

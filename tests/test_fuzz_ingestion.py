"""Property-based fuzzing of ingestion (Hypothesis).

1. Arbitrary bytes landed as a .csv or .jsonl file never crash the loader: the file is
   loaded (rows accounted for) or marked failed with a message.
2. Arbitrary rows (text with delimiters, quotes, newlines, unicode) written as CSV or
   JSON Lines are never lost: rows_loaded + rows_quarantined == rows written, every
   quarantined row has a reason, and the raw table holds exactly the loaded rows.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestration.contract import load_contract
from orchestration.ingest.loader import FileResult, load_file
from orchestration.ingest.warehouse import ensure_schema

CHANNEL = load_contract()["web_events"]
COLUMNS = list(CHANNEL.column_names)
LOADED_AT = datetime(2026, 1, 3, 6, 0, 0)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the repository
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_names = itertools.count()


@pytest.fixture(scope="module")
def con():
    """One in-memory warehouse for all examples; each example lands a file of its own."""
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'")
    ensure_schema(connection)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("landing")


def land_and_load(con, landing: Path, suffix: str, content: bytes) -> FileResult:
    # Start each example empty (identical bytes would otherwise be skipped as duplicates).
    for table in ("raw.web_events", "ingestion.files", "ingestion.quarantine"):
        con.execute(f"delete from {table}")
    folder = landing / "web_events" / "2026-01-02"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"file{next(_names)}{suffix}"
    path.write_bytes(content)
    return load_file(
        con,
        path,
        landing_dir=landing,
        channel=CHANNEL,
        delivery_date=datetime(2026, 1, 2).date(),
        loaded_at=LOADED_AT,
    )


def assert_accounted(con, result: FileResult) -> None:
    assert result.rows_loaded + result.rows_quarantined == result.rows_read
    in_raw = con.execute(
        "select count(*), count(distinct _source_row) from raw.web_events where _source_file = ?",
        [result.source_file],
    ).fetchone()
    assert in_raw == (result.rows_loaded, result.rows_loaded)
    reasons = con.execute(
        "select reason from ingestion.quarantine where source_file = ? and source_row is not null",
        [result.source_file],
    ).fetchall()
    assert len(reasons) == result.rows_quarantined
    assert all(reason for (reason,) in reasons)
    recorded = con.execute(
        "select status, rows_read, rows_loaded, rows_quarantined from ingestion.files"
        " where source_file = ?",
        [result.source_file],
    ).fetchone()
    assert recorded == (
        result.status,
        result.rows_read,
        result.rows_loaded,
        result.rows_quarantined,
    )


# -- 1. arbitrary bytes -------------------------------------------------------------------

# Pieces that steer random bytes towards the parsers' interesting paths.
FRAGMENTS = [
    b",".join(name.encode() for name in COLUMNS) + b"\n",
    b"e1,2026-01-02T10:00:00Z,c1,,,https://x/,,,,,mobile\n",
    b'{"event_id": "e1", "event_at": "2026-01-02T10:00:00Z", "cookie_id": "c",',
    b' "url": "u", "device_type": "mobile"}\n',
    b'"', b'""', b",", b";", b"\t", b"|", b"\n", b"\r\n", b"\r", b"{", b"}", b"[", b":",
    b"\xff", b"\xfe", b"\xef\xbb\xbf", b"\xc3", b"\x00", b"\\ud800", "\u2028".encode(),
    b"\x1f\x8b",
]  # fmt: skip
arbitrary_bytes = st.one_of(
    st.binary(max_size=3000),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.binary(max_size=20)), max_size=60).map(
        b"".join
    ),
)


@FUZZ
@given(content=arbitrary_bytes, suffix=st.sampled_from([".csv", ".jsonl", ".tsv", ".ndjson"]))
def test_arbitrary_bytes_never_crash_the_loader(con, landing, content: bytes, suffix) -> None:
    result = land_and_load(con, landing, suffix, content)
    assert result.status in ("loaded", "failed")
    if result.status == "failed":
        assert result.message
        whole = con.execute(
            "select reason from ingestion.quarantine where source_file = ? and source_row is null",
            [result.source_file],
        ).fetchone()
        assert whole == (result.message,)
    assert_accounted(con, result)


# -- 2. arbitrary rows --------------------------------------------------------------------

awkward_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(list(",;\t|\"'\n\r \\{}[]:\x00\u2028\x85\ufeffé漢🙂")),
        st.characters(codec="utf-8"),
    ),
    max_size=30,
)


def field_for(column: str) -> st.SearchStrategy[str]:
    """Mostly valid values (so rows load too) mixed with awkward text."""
    valid = {
        "event_at": st.sampled_from(
            ["2026-01-02T10:00:00Z", "2026-01-02 10:00:00+01:00", "2031-01-01", "1999-01-01"]
        ),
        "device_type": st.sampled_from(["desktop", "mobile", "tablet", " mobile ", "TV"]),
    }.get(column, st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True))
    return st.one_of(valid, valid, awkward_text)


web_rows = st.lists(st.fixed_dictionaries({c: field_for(c) for c in COLUMNS}), max_size=25)


def as_csv(rows: list[dict[str, str]], delimiter: str, line_end: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end)
    writer.writerow(COLUMNS)
    writer.writerows([row[c] for c in COLUMNS] for row in rows)
    return buffer.getvalue().encode("utf-8")


@FUZZ
@given(
    rows=web_rows,
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    line_end=st.sampled_from(["\n", "\r\n"]),
)
def test_csv_rows_are_never_lost(con, landing, rows, delimiter: str, line_end: str) -> None:
    result = land_and_load(con, landing, ".csv", as_csv(rows, delimiter, line_end))
    assert result.status == "loaded", result.message
    assert result.rows_read == len(rows)
    assert_accounted(con, result)


json_values = st.one_of(
    awkward_text,
    st.text(alphabet=st.characters(categories=["Cs", "Lu"]), max_size=3),  # lone surrogates
    st.none(),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@FUZZ
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {c: field_for(c) for c in COLUMNS if c != "user_id"},
            optional={"extra": json_values, "user_id": json_values, "_source_row": json_values},
        ),
        max_size=25,
    ),
    ensure_ascii=st.booleans(),
)
def test_jsonl_rows_are_never_lost(con, landing, rows, ensure_ascii: bool) -> None:
    lines = [json.dumps(row, ensure_ascii=ensure_ascii) for row in rows]
    content = "\n".join(lines).encode("utf-8", "surrogatepass")
    result = land_and_load(con, landing, ".jsonl", content)
    assert result.status == "loaded", result.message
    assert result.rows_read == len(rows)
    assert_accounted(con, result)

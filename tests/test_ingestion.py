"""Ingestion: the contract is enforced row by row, loads are idempotent and atomic,
bad rows are quarantined with a reason, a re-delivered file never double counts."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.contract import contract_markdown, detect_format, load_contract
from orchestration.ingest import loader
from orchestration.ingest.loader import load_partition, load_partitions
from orchestration.ingest.warehouse import connect
from tests.landing import DAY, land

ORDERS_HEADER = (
    "order_id,ordered_at,updated_at,customer_email,currency,subtotal_amount,tax_amount,"
    "shipping_amount,total_amount,status"
)
GOOD_ORDER = "o1,2026-01-02T10:00:00Z,2026-01-02T10:00:00Z,a@b.com,EUR,10,2,1,13,paid"


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    return tmp_path / "landing"


@pytest.fixture
def con(tmp_path: Path):
    with connect(tmp_path / "warehouse.duckdb") as connection:
        yield connection


def count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return con.execute(sql).fetchone()[0]


def test_contract_is_complete_and_documented() -> None:
    contract = load_contract()
    expected = {
        "web_events", "app_events", "email_events", "social_posts", "social_mentions",
        "ad_spend", "crm_leads", "orders", "order_lines", "carts", "subscriptions",
        "pos_transactions", "calls", "support_tickets", "surveys", "reviews", "referrals",
        "affiliate_conversions", "media_listens",
    }  # fmt: skip
    assert set(contract.channels) == expected
    for channel in contract:
        assert channel.key and set(channel.key) <= set(channel.column_names)
        assert all(c.description for c in channel.columns), channel.name
        # A comma in an unquoted flow-style description would have split it.
        assert all("," not in c.name for c in channel.columns)
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert contract_markdown(contract) in readme, "README's contract section is stale"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a.csv", "csv"), ("a.CSV.gz", "csv"), ("a.jsonl", "jsonl"), ("a.parquet", "parquet"),
     ("a.xlsx", None)],
)  # fmt: skip
def test_detect_format(name: str, expected: str | None) -> None:
    assert detect_format(Path(name)) == expected


def test_bad_rows_are_quarantined_with_reasons(con, landing: Path) -> None:
    land(
        landing,
        "orders",
        "orders.csv",
        "\n".join(
            [
                ORDERS_HEADER,
                GOOD_ORDER,
                "o2,notadate,2026-01-02T10:00:00Z,a@b.com,EUR,10,2,1,13,paid",
                "o3,2026-01-02T10:00:00Z,2026-01-02T10:00:00Z,a@b.com,XXX,-10,2,1,13,paid",
                "o4,2026-01-02T10:00:00Z,2026-01-02T10:00:00Z,a@b.com,EUR,10,2",
                ",2026-01-02T10:00:00Z,2026-01-02T10:00:00Z,a@b.com,EUR,10,2,1,13,paid",
            ]
        ),
    )
    [result] = load_partition(con, landing, "orders", DAY)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (5, 1, 4)
    reasons = dict(con.execute("select source_row, reason from ingestion.quarantine").fetchall())
    assert "ordered_at: cannot read 'notadate' as timestamp" in reasons[2]
    assert "currency: 'XXX' is not one of" in reasons[3]
    assert "subtotal_amount: -10 is below 0" in reasons[3]
    assert reasons[4] == "row has 7 fields, the header has 10"
    assert reasons[5] == "missing required order_id"
    raw = con.execute("select raw_content from ingestion.quarantine where source_row = 2")
    assert raw.fetchone()[0].startswith("o2,notadate,")
    row = con.execute(
        "select order_id, total_amount, _source_file, _source_row, _delivery_date from raw.orders"
    ).fetchone()
    assert row == ("o1", 13, "orders/2026-01-02/orders.csv", 1, DAY)


def test_rerun_is_idempotent_and_redelivery_is_not_double_counted(con, landing: Path) -> None:
    original = land(landing, "orders", "orders.csv", f"{ORDERS_HEADER}\n{GOOD_ORDER}\n")
    load_partition(con, landing, "orders", DAY)
    [again] = load_partition(con, landing, "orders", DAY)
    assert again.status == "unchanged"
    # The same bytes delivered again the next day under another name.
    later = date(2026, 1, 3)
    shutil.copy(original, land(landing, "orders", "orders_resend.csv", "", day=later))
    [resend] = load_partition(con, landing, "orders", later)
    assert resend.status == "duplicate"
    assert resend.duplicate_of == "orders/2026-01-02/orders.csv"
    assert count(con, "select count(*) from raw.orders") == 1


def test_changed_file_replaces_its_rows_and_resolves_quarantine(con, landing: Path) -> None:
    bad = "o2,2026-01-02T10:00:00Z,2026-01-02T10:00:00Z,a@b.com,EUR,ten,2,1,13,paid"
    land(landing, "orders", "orders.csv", f"{ORDERS_HEADER}\n{GOOD_ORDER}\n{bad}\n")
    load_partition(con, landing, "orders", DAY)
    assert count(con, "select count(*) from ingestion.quarantine where resolved_at is null") == 1
    fixed = bad.replace("ten", "10")
    land(landing, "orders", "orders.csv", f"{ORDERS_HEADER}\n{GOOD_ORDER}\n{fixed}\n")
    [result] = load_partition(con, landing, "orders", DAY)
    assert (result.status, result.rows_loaded, result.rows_quarantined) == ("loaded", 2, 0)
    assert count(con, "select count(*) from raw.orders") == 2
    assert count(con, "select count(*) from ingestion.quarantine where resolved_at is null") == 0
    assert count(con, "select count(*) from ingestion.quarantine") == 1  # kept, resolved


def test_removed_file_is_forgotten(con, landing: Path) -> None:
    path = land(landing, "orders", "orders.csv", f"{ORDERS_HEADER}\n{GOOD_ORDER}\n")
    load_partition(con, landing, "orders", DAY)
    path.unlink()
    [result] = load_partition(con, landing, "orders", DAY)
    assert result.status == "removed"
    assert count(con, "select count(*) from raw.orders") == 0


def test_crash_mid_file_leaves_nothing_half_loaded(con, landing: Path, monkeypatch) -> None:
    land(landing, "orders", "orders.csv", f"{ORDERS_HEADER}\n{GOOD_ORDER}\n")
    real_load_rows = loader._load_rows

    def crash_after_insert(*args, **kwargs):
        real_load_rows(*args, **kwargs)
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(loader, "_load_rows", crash_after_insert)
    with pytest.raises(RuntimeError, match="simulated crash"):
        load_partition(con, landing, "orders", DAY)
    assert count(con, "select count(*) from raw.orders") == 0
    assert count(con, "select count(*) from ingestion.files") == 0
    monkeypatch.undo()
    [result] = load_partition(con, landing, "orders", DAY)
    assert result.rows_loaded == 1


def test_formats_delimiters_and_schema_drift(con, landing: Path) -> None:
    # Semicolon-delimited, gzip-compressed CSV with an extra column.
    semicolon = f"{ORDERS_HEADER};coupon\n{GOOD_ORDER};SAVE10\n".replace(",", ";")
    land(landing, "orders", "orders.csv.gz", gzip.compress(semicolon.encode()))
    # JSON Lines with one broken line and numbers as JSON numbers.
    event = {"event_id": "e1", "event_at": "2026-01-02T00:00:01+01:00", "cookie_id": "c1",
             "url": "https://x/", "device_type": "mobile"}  # fmt: skip
    land(landing, "web_events", "web.jsonl", json.dumps(event) + "\n{broken\n")
    # Parquet with typed timestamps and decimals.
    folder = landing / "pos_transactions" / DAY.isoformat()
    folder.mkdir(parents=True)
    pq.write_table(
        pa.table(
            {
                "transaction_id": ["t1"],
                "transacted_at": pa.array([1767348000000000], pa.timestamp("us", tz="UTC")),
                "store_id": ["s1"],
                "transaction_type": ["return"],
                "amount": pa.array([Decimal("-5.50")], pa.decimal128(18, 2)),
                "currency": ["EUR"],
            }
        ),
        folder / "pos.parquet",
    )
    [orders] = load_partition(con, landing, "orders", DAY)
    assert (orders.rows_loaded, orders.unknown_columns) == (1, ["coupon"])
    [web] = load_partition(con, landing, "web_events", DAY)
    assert (web.rows_loaded, web.rows_quarantined) == (1, 1)
    # +01:00 is converted to UTC.
    assert str(con.execute("select event_at from raw.web_events").fetchone()[0]) == (
        "2026-01-01 23:00:01"
    )
    [pos] = load_partition(con, landing, "pos_transactions", DAY)
    assert (pos.rows_loaded, pos.rows_quarantined) == (1, 0)
    assert float(con.execute("select amount from raw.pos_transactions").fetchone()[0]) == -5.5


def test_parquet_bad_row_is_quarantined_with_its_content(con, landing: Path) -> None:
    """A Parquet file validated in place: the good row loads, the row without its
    required id goes to quarantine with the row as delivered."""
    folder = landing / "pos_transactions" / DAY.isoformat()
    folder.mkdir(parents=True)
    pq.write_table(
        pa.table(
            {
                "transaction_id": ["t1", None],
                "transacted_at": pa.array(
                    [1767348000000000, 1767348060000000], pa.timestamp("us", tz="UTC")
                ),
                "store_id": ["s1", "s1"],
                "transaction_type": ["sale", "sale"],
                "amount": pa.array([Decimal("12.50"), Decimal("7.25")], pa.decimal128(18, 2)),
                "currency": ["EUR", "EUR"],
            }
        ),
        folder / "pos.parquet",
    )
    [pos] = load_partition(con, landing, "pos_transactions", DAY)
    assert (pos.rows_loaded, pos.rows_quarantined) == (1, 1)
    assert con.execute("select transaction_id from raw.pos_transactions").fetchall() == [("t1",)]
    row, content, reason = con.execute(
        "select source_row, raw_content, reason from ingestion.quarantine"
    ).fetchone()
    assert row == 2
    assert json.loads(content)["amount"] in ("7.25", 7.25)
    assert json.loads(content)["transaction_id"] is None
    assert "transaction_id" in reason


def test_undecodable_row_is_quarantined_alone(con, landing: Path) -> None:
    content = f"{ORDERS_HEADER}\n{GOOD_ORDER}\n".encode() + b"o1,\xff\xfe\n"
    land(landing, "orders", "orders.csv", content)
    [result] = load_partition(con, landing, "orders", DAY)
    assert (result.status, result.rows_loaded, result.rows_quarantined) == ("loaded", 1, 1)
    offset = content.index(b"\xff")
    row, reason = con.execute("select source_row, reason from ingestion.quarantine").fetchone()
    assert row == 2
    assert reason.startswith(f"not valid UTF-8 (byte 0xff at offset {offset} and 1 more)")


def test_unreadable_file_is_quarantined_whole(con, landing: Path) -> None:
    land(landing, "orders", "orders.csv.gz", b"\x1f\x8b not really gzip")
    [result] = load_partition(con, landing, "orders", DAY)
    assert result.status == "failed"
    assert "orders.csv.gz is not a readable gzip file" in result.message
    reason = con.execute("select reason from ingestion.quarantine").fetchone()[0]
    assert reason == result.message


def test_empty_file_loads_nothing(con, landing: Path) -> None:
    land(landing, "orders", "orders.csv", "")
    [result] = load_partition(con, landing, "orders", DAY)
    assert (result.status, result.rows_loaded, result.message) == (
        "loaded",
        0,
        "empty file: no rows",
    )


def test_load_partitions_covers_a_range(con, landing: Path) -> None:
    for offset in range(3):
        day = date(2026, 1, 2 + offset)
        row = GOOD_ORDER.replace("o1", f"o{offset}")
        land(landing, "orders", "orders.csv", f"{ORDERS_HEADER}\n{row}\n", day=day)
    days = [date(2026, 1, 2), date(2026, 1, 3), date(2026, 1, 4), date(2026, 1, 5)]
    results = load_partitions(con, landing, "orders", days)
    assert [r.status for r in results] == ["loaded"] * 3
    assert count(con, "select count(distinct _delivery_date) from raw.orders") == 3


def _pos_parquet(path: Path, ids: list[str | None], *, extra: bool = False) -> None:
    n = len(ids)
    columns = {
        "transaction_id": ids,
        "transacted_at": pa.array(
            [1767348000000000 + i * 60_000_000 for i in range(n)], pa.timestamp("us", tz="UTC")
        ),
        "store_id": ["s1"] * n,
        "transaction_type": ["sale"] * n,
        "amount": pa.array([Decimal("12.50")] * n, pa.decimal128(18, 2)),
        "currency": ["EUR"] * n,
    }
    if extra:
        columns["till"] = ["t7"] * n  # schema drift: another layout, another batch
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path)


def _pos_days(landing: Path) -> list[date]:
    """Eight days of POS exports: clean files, one with a bad row, one of another layout,
    an empty one, a copy of an earlier day, and a CSV among them."""
    days = [date(2026, 1, 2 + n) for n in range(8)]
    folder = landing / "pos_transactions"
    for n, day in enumerate(days):
        _pos_parquet(folder / day.isoformat() / "pos.parquet", [f"t{n}a", f"t{n}b"])
    _pos_parquet(folder / days[2].isoformat() / "pos.parquet", ["t2a", None])
    _pos_parquet(folder / days[4].isoformat() / "pos.parquet", ["t4a"], extra=True)
    _pos_parquet(folder / days[5].isoformat() / "pos.parquet", [])
    shutil.copy(folder / days[1].isoformat() / "pos.parquet", folder / days[6].isoformat())
    (folder / days[7].isoformat() / "pos.parquet").unlink()
    land(
        landing,
        "pos_transactions",
        "pos.csv",
        "transaction_id,transacted_at,store_id,transaction_type,amount,currency\n"
        "t7c,2026-01-09T10:00:00Z,s1,sale,3.10,EUR\n",
        day=days[7],
    )
    return days


def _loaded_state(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    return {
        "raw": con.execute(
            "select * exclude (_loaded_at) from raw.pos_transactions order by all"
        ).fetchall(),
        "quarantine": con.execute(
            "select channel, source_file, file_sha256, source_row, raw_content, reason"
            " from ingestion.quarantine order by all"
        ).fetchall(),
        "files": con.execute(
            "select * exclude (loaded_at) from ingestion.files order by all"
        ).fetchall(),
    }


# Transactions of `_pos_days`: days 1-4 in one batch; day 5 (another layout) alone,
# flushed by day 6 (empty: no batch); day 7 (a copy of day 2: a duplicate) and day 8
# (CSV) each alone.
EXPECTED_WRITES = [4, 1, 1, 1, 1]


def test_batched_parquet_days_load_as_files_one_by_one(tmp_path: Path, monkeypatch) -> None:
    """A range of days loads new Parquet files in batches; raw rows, quarantine and the
    ledger are the same as loading each file in its own transaction."""
    landing = tmp_path / "landing"
    days = _pos_days(landing)
    writes: list[int] = []
    real_write = loader._write_files

    def spy(con, channel, plans):
        writes.append(len(plans))
        return real_write(con, channel, plans)

    monkeypatch.setattr(loader, "_write_files", spy)
    with connect(tmp_path / "batched.duckdb") as con:
        results = load_partitions(con, landing, "pos_transactions", days)
        batched = _loaded_state(con)
    assert writes == EXPECTED_WRITES, writes
    monkeypatch.setattr(loader, "BATCH_MAX_FILES", 1)
    with connect(tmp_path / "single.duckdb") as con:
        assert [r.describe() for r in load_partitions(con, landing, "pos_transactions", days)] == [
            r.describe() for r in results
        ]
        single = _loaded_state(con)
    assert batched == single
    statuses = [r.status for r in results]
    assert statuses == ["loaded"] * 6 + ["duplicate", "loaded"]
    assert [r.rows_quarantined for r in results] == [0, 0, 1, 0, 0, 0, 0, 0]
    assert len(batched["raw"]) == 2 + 2 + 1 + 2 + 1 + 0 + 0 + 1
    assert len(batched["quarantine"]) == 1 and "transaction_id" in batched["quarantine"][0][5]


def test_parquet_footers_read_together_match_one_by_one(tmp_path: Path, con) -> None:
    """inspect_parquet_files (one read of many footers, types described once per layout)
    gives each file what inspect_parquet gives it alone; a file it cannot read is left
    to inspect_parquet, which names the problem."""
    days = _pos_days(tmp_path / "landing")
    paths = sorted((tmp_path / "landing" / "pos_transactions").rglob("*.parquet"))
    broken = tmp_path / "landing" / "pos_transactions" / days[0].isoformat() / "broken.parquet"
    broken.write_bytes(b"PAR1 not a parquet file")
    channel = load_contract()["pos_transactions"]
    together = loader.inspect_parquet_files(con, paths)
    assert set(together) == set(paths)
    assert len({tuple(p.types.items()) for p in together.values()}) > 1  # several layouts
    for path in paths:
        assert together[path] == loader.inspect_parquet(con, path, channel), path
    with_broken = loader.inspect_parquet_files(con, [*paths, broken])
    assert broken not in with_broken
    with pytest.raises(loader.ContractError, match="not a readable Parquet file"):
        loader.inspect_parquet(con, broken, channel)


def test_crash_in_a_batch_loads_none_of_its_files(con, landing: Path, monkeypatch) -> None:
    days = _pos_days(landing)[:4]
    real_record = loader._record_file
    recorded: list[str] = []

    def crash_on_third(con, channel, plan):
        recorded.append(plan.result.source_file)
        if len(recorded) == 3:
            raise RuntimeError("simulated crash")
        return real_record(con, channel, plan)

    monkeypatch.setattr(loader, "_record_file", crash_on_third)
    with pytest.raises(RuntimeError, match="simulated crash"):
        load_partitions(con, landing, "pos_transactions", days)
    assert count(con, "select count(*) from raw.pos_transactions") == 0
    assert count(con, "select count(*) from ingestion.files") == 0
    assert count(con, "select count(*) from ingestion.quarantine") == 0
    monkeypatch.undo()
    results = load_partitions(con, landing, "pos_transactions", days)
    assert [r.rows_loaded for r in results] == [2, 2, 1, 2]

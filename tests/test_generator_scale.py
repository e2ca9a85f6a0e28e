"""The scale generator (orchestration.generator.scale) writes what the contract accepts.

Tiny sizes only; the benchmark (`make bench`) runs it at 10k-1M persons. Expected values
come from the contract and the landing layout, not from the generator's own helpers.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.contract import load_contract
from orchestration.generator.scale import generate_scale_data
from orchestration.ingest.loader import load_partitions
from orchestration.ingest.warehouse import ensure_schema

CONTRACT = load_contract()
START = date(2026, 3, 1)
DAYS = 30


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scale") / "landing"
    generate_scale_data(folder, persons=3000, days=DAYS, start_date=START, seed=7, threads=1)
    return folder


def test_layout_is_one_parquet_file_per_channel_and_day(landing: Path) -> None:
    days = {(START.toordinal() + n) for n in range(DAYS)}
    for channel in CONTRACT:
        for folder in (landing / channel.name).iterdir():
            assert date.fromisoformat(folder.name).toordinal() in days
            [file] = list(folder.iterdir())
            assert file.name == f"{channel.name}_{folder.name}.parquet"
    for busy in ("web_events", "email_events", "ad_spend"):
        assert len(list((landing / busy).iterdir())) == DAYS


def test_every_row_passes_the_contract(landing: Path) -> None:
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    ensure_schema(con, CONTRACT)
    dates = [date.fromordinal(START.toordinal() + n) for n in range(DAYS)]
    for channel in CONTRACT:
        results = load_partitions(con, landing, channel.name, dates, contract=CONTRACT)
        assert all(r.status == "loaded" for r in results), [r.describe() for r in results]
        assert all(not r.unknown_columns for r in results)
        assert list((landing / channel.name).glob("*/*.parquet")), channel.name
        landed = con.execute(
            f"select count(*) from read_parquet('{landing}/{channel.name}/*/*.parquet')"
        ).fetchone()[0]
        loaded = con.execute(f"select count(*) from raw.{channel.name}").fetchone()[0]
        assert loaded == landed, channel.name
    assert con.execute("select count(*) from ingestion.quarantine").fetchone()[0] == 0
    assert con.execute("select count(*) from raw.web_events").fetchone()[0] > 1000
    # Records carry several identifiers, so the identity graph has links to make.
    linked = con.execute(
        "select count(*) from raw.web_events where user_id is not null and email is not null"
    ).fetchone()[0]
    assert linked > 0
    orders = con.execute(
        "select count(*) from raw.orders"
        " where shop_customer_id is not null and customer_email is not null"
    ).fetchone()[0]
    assert orders > 0
    # Emails come in mixed case and with stray spaces; phones in several formats.
    emails = [e for (e,) in con.execute("select email from raw.email_events").fetchall()]
    assert any(e != e.strip().lower() for e in emails)
    phones = {
        p for (p,) in con.execute("select phone from raw.orders where phone is not null").fetchall()
    }
    assert any(p.startswith("+44") for p in phones) and any(p.startswith("07") for p in phones)
    assert all(re.fullmatch(r"(\+44 ?7\d{3} ?\d{6}|07\d{9}|\+447\d{9})", p) for p in phones)
    # Order totals add up.
    assert (
        con.execute(
            "select count(*) from raw.orders"
            " where total_amount <> subtotal_amount + tax_amount + shipping_amount"
        ).fetchone()[0]
        == 0
    )


def test_same_seed_same_rows(tmp_path: Path, landing: Path) -> None:
    again = tmp_path / "landing"
    generate_scale_data(again, persons=3000, days=DAYS, start_date=START, seed=7, threads=2)

    def digest(folder: Path, channel: str) -> tuple:
        files = f"{folder}/{channel}/*/*.parquet"
        sql = f"select count(*), sum(hash(t)) from read_parquet('{files}') as t"
        return duckdb.connect().execute(sql).fetchone()

    for channel in ("web_events", "orders", "pos_transactions", "media_listens"):
        assert digest(again, channel) == digest(landing, channel)

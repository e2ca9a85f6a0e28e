"""`lifecycle status` prints the latest day, freshness and counts per channel."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from orchestration.ingest.loader import load_partition
from orchestration.ingest.warehouse import connect
from orchestration.settings import get_settings
from orchestration.status import freshness, status


def test_freshness_follows_the_source_policy() -> None:
    today = date(2026, 3, 10)
    assert freshness(None, today) == "never loaded"
    assert freshness(date(2026, 3, 9), today) == "fresh"
    assert freshness(date(2026, 3, 8), today) == "late (2 days)"
    assert freshness(date(2026, 3, 6), today) == "STALE (4 days)"


def test_status_prints_each_channel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("LIFECYCLE_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dh"))
    (tmp_path / "dh").mkdir()
    landing = tmp_path / "landing"
    folder = landing / "orders" / "2026-03-09"
    folder.mkdir(parents=True)
    (folder / "o.csv").write_text(
        "order_id,ordered_at,updated_at,currency,subtotal_amount,tax_amount,shipping_amount,"
        "total_amount,status\no1,2026-03-09T10:00:00Z,2026-03-09T10:00:00Z,EUR,1,0,0,1,paid\n"
        "o2,bad,2026-03-09T10:00:00Z,EUR,1,0,0,1,paid\n",
        encoding="utf-8",
    )
    settings = get_settings()
    with connect(settings.warehouse) as con:
        load_partition(con, landing, "orders", date(2026, 3, 9))
    assert status(settings, today=date(2026, 3, 10)) == 0
    out = capsys.readouterr().out
    orders = next(line for line in out.splitlines() if line.startswith("orders "))
    assert orders.split() == ["orders", "2026-03-09", "fresh", "1", "0", "1", "1"]
    web = next(line for line in out.splitlines() if line.startswith("web_events "))
    assert "never loaded" in web
    assert "(none yet)" in out

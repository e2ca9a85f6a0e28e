"""The raw layer as a Parquet lake (orchestration/ingest/lake.py), which the spark
target reads as its sources: every raw row, typed as in DuckDB, replaced whole on
each export."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.ingest.lake import export_raw_lake, export_raw_table, raw_table_dir
from orchestration.ingest.loader import load_partitions
from orchestration.ingest.warehouse import connect, ensure_schema
from tests.landing import DAY, land

ORDERS = (
    "order_id,ordered_at,updated_at,shop_customer_id,customer_email,phone,currency,"
    "subtotal_amount,tax_amount,shipping_amount,total_amount,refunded_amount,status,utm_source\n"
    "o-1,2026-01-02 10:00:00,2026-01-02 10:00:00,c-1,ann@example.com,,EUR,10,2,1,13,0,paid,\n"
    "o-2,2026-01-02 11:00:00,2026-01-02 11:00:00,c-2,bo@example.com,,EUR,20,4,0,24,0,paid,\n"
)


def test_export_writes_every_raw_row_with_its_types(tmp_path: Path) -> None:
    landing, lake = tmp_path / "landing", tmp_path / "lake"
    land(landing, "orders", "orders.csv", ORDERS)
    with connect(tmp_path / "w.duckdb") as con:
        ensure_schema(con)
        load_partitions(con, landing, "orders", [DAY])
        rows = export_raw_lake(con, lake)
        assert rows["orders"] == 2
        assert rows["web_events"] == 0
        expected = con.execute("select * from raw.orders order by order_id").fetchall()
        types = con.execute("describe raw.orders").fetchall()
    files = sorted(p.name for p in raw_table_dir(lake, "orders").iterdir())
    assert files == ["part-0.parquet"]
    reader = duckdb.connect()
    relation = f"read_parquet('{raw_table_dir(lake, 'orders')}/*.parquet')"
    assert reader.execute(f"select * from {relation} order by order_id").fetchall() == expected
    assert [row[:2] for row in reader.execute(f"describe select * from {relation}").fetchall()] == [
        row[:2] for row in types
    ]


def test_a_new_export_replaces_the_table_whole(tmp_path: Path) -> None:
    landing, lake = tmp_path / "landing", tmp_path / "lake"
    land(landing, "orders", "orders.csv", ORDERS)
    with connect(tmp_path / "w.duckdb") as con:
        ensure_schema(con)
        load_partitions(con, landing, "orders", [DAY])
        export_raw_table(con, lake, "orders")
        con.execute("delete from raw.orders where order_id = 'o-2'")
        assert export_raw_table(con, lake, "orders") == 1
    relation = f"read_parquet('{raw_table_dir(lake, 'orders')}/*.parquet')"
    assert duckdb.connect().execute(f"select order_id from {relation}").fetchall() == [("o-1",)]
    assert sorted(p.name for p in (lake / "raw").iterdir()) == ["orders"]

"""The spark target's tables as views in the DuckDB warehouse (orchestration.spark_tables)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.spark_tables import publish_spark_tables


def _spark_table(spark: Path, schema: str, table: str, rows: int) -> Path:
    folder = spark / "tables" / f"{schema}.db" / table
    folder.mkdir(parents=True)
    duckdb.sql(
        f"copy (select range as id, 'row ' || range as label from range({rows}))"
        f" to '{folder / 'part-00000.parquet'}' (format parquet)"
    )
    return folder


def test_views_replace_duckdb_tables_and_read_the_files(tmp_path: Path) -> None:
    spark = tmp_path / "spark"
    _spark_table(spark, "marts", "customers", 3)
    _spark_table(spark, "staging", "stg_web__events", 5)
    (spark / "tables" / "marts.db" / "not_written_yet").mkdir()
    _spark_table(spark, "raw", "web_events", 7)  # not a dbt schema: left alone
    with duckdb.connect(str(tmp_path / "lifecycle.duckdb")) as con:
        con.execute("create schema marts; create table marts.customers as select 1 as id")
        con.execute("create schema raw; create table raw.web_events as select 1 as id")
        published = publish_spark_tables(con, spark)
        assert published.views == {"marts.customers": 3, "staging.stg_web__events": 5}
        assert published.replaced_tables == ["marts.customers"]
        assert published.without_files == ["marts.not_written_yet"]
        assert con.execute("select count(*) from raw.web_events").fetchone() == (1,)
        kinds = dict(
            con.execute(
                "select table_schema || '.' || table_name, table_type"
                " from information_schema.tables where table_schema in ('marts', 'staging')"
            ).fetchall()
        )
        assert kinds == {"marts.customers": "VIEW", "staging.stg_web__events": "VIEW"}
        # A view reads the files when queried: a rebuilt table shows at once.
        folder = spark / "tables" / "marts.db" / "customers"
        duckdb.sql(
            f"copy (select range as id, 'x' as label from range(10))"
            f" to '{folder / 'part-00000.parquet'}' (format parquet)"
        )
        assert con.execute("select count(*) from marts.customers").fetchone() == (10,)
        # Publishing again is idempotent.
        assert publish_spark_tables(con, spark).views["marts.customers"] == 10


def test_a_failure_leaves_the_catalog_as_it_was(tmp_path: Path) -> None:
    spark = tmp_path / "spark"
    _spark_table(spark, "marts", "customers", 3)
    broken = spark / "tables" / "marts.db" / "z_broken"
    broken.mkdir(parents=True)
    (broken / "part-00000.parquet").write_bytes(b"not parquet")
    with duckdb.connect(str(tmp_path / "lifecycle.duckdb")) as con:
        con.execute("create schema marts; create table marts.customers as select 1 as id")
        with pytest.raises(duckdb.Error):
            publish_spark_tables(con, spark)
        assert con.execute(
            "select table_type from information_schema.tables where table_name = 'customers'"
        ).fetchone() == ("BASE TABLE",)


def test_no_spark_tables_is_a_clear_error(tmp_path: Path) -> None:
    with duckdb.connect() as con, pytest.raises(FileNotFoundError, match="spark target first"):
        publish_spark_tables(con, tmp_path / "nothing")

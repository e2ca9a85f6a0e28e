"""The spark target's tables, readable where the DuckDB warehouse is read.

On the `spark` target dbt writes staging, intermediate and marts as Parquet tables
under ``<LIFECYCLE_SPARK_WAREHOUSE>/tables/<schema>.db/<table>/``. Everything
downstream of dbt (the Great Expectations staging and marts suites, the report
export, `lifecycle status`, the quality commands) reads the DuckDB warehouse.
``publish_spark_tables`` makes the two meet: after the Spark build it creates, in
the DuckDB warehouse, one view per Spark table, ``<schema>.<table>`` over the
table's Parquet files. The readers are unchanged, and a view reads the files at
query time, so it is never stale.

A table that the warehouse holds from an earlier DuckDB build (same name, type
BASE TABLE) is dropped for the view: it is dbt's output, rebuilt from raw by any
DuckDB build. The raw and quality schemas are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.ingest.warehouse import sql_string

# dbt's schemas; raw (ingestion) and quality (check results) stay DuckDB's own.
DBT_SCHEMAS = ("staging", "intermediate", "marts")


@dataclass
class Published:
    views: dict[str, int] = field(default_factory=dict)
    """schema.table -> rows, for each view created."""
    replaced_tables: list[str] = field(default_factory=list)
    """schema.table of DuckDB tables dropped for a view."""
    without_files: list[str] = field(default_factory=list)
    """schema.table folders that hold no Parquet file (no view: reading them fails)."""


def spark_tables_root(spark_warehouse: Path) -> Path:
    """Where Spark keeps its tables (profiles.yml: spark.sql.warehouse.dir)."""
    return spark_warehouse / "tables"


def publish_spark_tables(
    con: duckdb.DuckDBPyConnection,
    spark_warehouse: Path,
    schemas: tuple[str, ...] = DBT_SCHEMAS,
) -> Published:
    """Create or replace a DuckDB view for every Spark table of ``schemas``, in one
    transaction (a failure leaves the warehouse's catalog as it was)."""
    root = spark_tables_root(spark_warehouse)
    if not root.is_dir():
        raise FileNotFoundError(
            f"no Spark tables at {root}: run the dbt build on the spark target first"
            " (LIFECYCLE_SPARK_WAREHOUSE is where it writes)"
        )
    published = Published()
    existing = {
        (schema, name): kind
        for schema, name, kind in con.execute(
            "select table_schema, table_name, table_type from information_schema.tables"
        ).fetchall()
    }
    con.execute("begin transaction")
    try:
        for schema in schemas:
            folder = root / f"{schema}.db"
            if not folder.is_dir():
                continue
            con.execute(f"create schema if not exists {schema}")
            for table_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
                table = table_dir.name
                qualified = f"{schema}.{table}"
                if not any(table_dir.glob("*.parquet")):
                    published.without_files.append(qualified)
                    continue
                if existing.get((schema, table)) == "BASE TABLE":
                    con.execute(f"drop table {qualified}")
                    published.replaced_tables.append(qualified)
                files = sql_string(str(table_dir / "*.parquet"))
                con.execute(
                    f"create or replace view {qualified} as select * from read_parquet({files})"
                )
                (rows,) = con.execute(f"select count(*) from {qualified}").fetchone()
                published.views[qualified] = int(rows)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return published

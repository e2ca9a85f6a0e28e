"""The DuckDB warehouse file: connections and the tables ingestion owns."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from orchestration.contract import Contract, load_contract

BOOKKEEPING_DDL = (
    "create schema if not exists raw",
    "create schema if not exists ingestion",
    """
    create table if not exists ingestion.files (
        channel varchar not null,
        source_file varchar not null,      -- path relative to the landing folder
        delivery_date date not null,       -- the <YYYY-MM-DD> folder
        file_sha256 varchar not null,
        file_format varchar,
        status varchar not null,           -- loaded | duplicate | failed | removed
        duplicate_of varchar,              -- for status duplicate: the identical file loaded first
        rows_read bigint not null,
        rows_loaded bigint not null,
        rows_quarantined bigint not null,
        unknown_columns varchar,           -- schema drift: columns not in the contract, not loaded
        message varchar,
        loaded_at timestamp not null,
        primary key (channel, source_file)
    )
    """,
    """
    create table if not exists ingestion.quarantine (
        channel varchar not null,
        source_file varchar not null,
        file_sha256 varchar not null,
        source_row bigint,                 -- 1-based data row (CSV: no header); null: whole file
        raw_content varchar,               -- the row as delivered
        reason varchar not null,
        quarantined_at timestamp not null,
        resolved_at timestamp,             -- set when a corrected delivery replaced the file
        resolution varchar
    )
    """,
)


def sql_string(value: str) -> str:
    """`value` as a SQL string literal (for statements that take no parameters:
    ATTACH, read_parquet paths)."""
    return "'" + value.replace("'", "''") + "'"


def ensure_schema(con: duckdb.DuckDBPyConnection, contract: Contract | None = None) -> None:
    """Create the raw tables and ingestion bookkeeping; add columns new to the contract."""
    contract = contract or load_contract()
    for statement in BOOKKEEPING_DDL:
        con.execute(statement)
    for channel in contract:
        con.execute(channel.raw_table_ddl())
        existing = {
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns"
                " where table_schema = 'raw' and table_name = ?",
                [channel.name],
            ).fetchall()
        }
        for column in channel.columns:
            if column.name not in existing:
                con.execute(
                    f"alter table raw.{channel.name} add column {column.name} {column.duckdb_type}"
                )


@contextmanager
def connect(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse (the single writer while open) and always close it.

    DuckDB allows one writing process and, while it holds the file, no other
    process may open it; every step that touches the file opens it here and
    closes it before the next step (dbt) needs it.
    """
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise RuntimeError(
                f"the warehouse {path} is in use by another process (DuckDB allows one writer);"
                " wait for the other run to finish, or stop `dagster dev` if it holds the file"
            ) from error
        raise
    try:
        con.execute("set TimeZone = 'UTC'")
        yield con
    finally:
        con.close()

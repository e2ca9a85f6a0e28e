"""Resources shared by the assets: the warehouse file and the dbt CLI."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.ingest.warehouse import connect


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file. Opened per step and closed before the next one,
    because DuckDB allows one process on the file at a time."""

    path: str

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with connect(Path(self.path), read_only=read_only) as con:
            yield con

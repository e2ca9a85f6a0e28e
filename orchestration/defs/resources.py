"""Resources shared by the assets: the warehouse file and the dbt CLI."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from orchestration.ingest.warehouse import connect
from orchestration.runlock import RunLock, acquire_run_lock


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file. Opened per step and closed before the next one,
    because DuckDB allows one process on the file at a time.

    For the whole run it holds the warehouse's run lock (orchestration.runlock), so a
    run launched from the UI, the schedule or a sensor cannot overlap `lifecycle run`
    or another launched run: the second fails at once, naming the holder (or waits up
    to LIFECYCLE_LOCK_TIMEOUT seconds).
    """

    path: str
    _lock: RunLock | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._lock = acquire_run_lock(Path(self.path), progress=context.log.info)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with connect(Path(self.path), read_only=read_only) as con:
            yield con

"""Dagster's SQLite event log, with the batched writes its PostgreSQL storage has.

A run over a range of delivery days materializes each daily ingestion asset once per
day: a year is 19 x 365 = 6,935 materialization events. Dagster hands the events of
one step's partitions to the storage as one batch when `DAGSTER_EVENT_BATCH_SIZE` is
set, but its SQLite storage stores a batch one event at a time, and each event costs
two new SQLite engines and two commits (the run's database and the cross-run index):
about 17 ms, two minutes for a year. `BatchedSqliteEventLogStorage` writes a batch
of materializations (or observations) in one transaction per database, as
dagster-postgres does, and keeps the same tables and rows. It also writes the batch
of "planned" events Dagster hands over when a run is created (one per asset and per
check: about 600 for the daily job, 8 s one at a time) in one transaction per
database; dagster-postgres stores those one by one. Everything else is Dagster's own
SQLite storage.

The CLI writes it into a new `dagster.yaml` (orchestration.cli) and sets the batch
size; PostgreSQL instances keep dagster-postgres' own batched writes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dagster import DagsterEventType, Field, StringSource
from dagster._core.errors import DagsterInvariantViolationError
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus
from dagster._core.storage.event_log.schema import AssetCheckExecutionsTable
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sqlalchemy_compat import db_result
from dagster._serdes import ConfigurableClassData, serialize_value

# Events of one step with this many partitions or more go to the storage together.
EVENT_BATCH_SIZE = 1000
BATCHED_TYPES = (
    {DagsterEventType.ASSET_MATERIALIZATION},
    {DagsterEventType.ASSET_OBSERVATION},
)
# A run's plan: one "planned" event per asset and per check, handed over as one batch
# when the run is created (about 600 for the daily job: 8 s one at a time).
PLANNED_TYPES = {
    DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
    DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED,
}


def default_base_dir() -> str:
    """Where Dagster's own default SQLite storage keeps the event logs."""
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        raise DagsterInvariantViolationError(
            "BatchedSqliteEventLogStorage needs DAGSTER_HOME or a base_dir in dagster.yaml"
        )
    return str(Path(home) / "history" / "runs")


class BatchedSqliteEventLogStorage(SqliteEventLogStorage):
    """SQLite event log storage that writes a batch of asset events in one transaction."""

    def __init__(self, base_dir: str | None = None, inst_data: ConfigurableClassData | None = None):
        super().__init__(base_dir=base_dir or default_base_dir(), inst_data=inst_data)

    @classmethod
    def config_type(cls) -> dict[str, Any]:
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(  # ty: ignore[invalid-method-override]
        cls, inst_data: ConfigurableClassData | None, config_value: dict[str, Any]
    ) -> BatchedSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        types = {event.get_dagster_event().event_type for event in events}
        run_ids = {event.run_id for event in events}
        if len(run_ids) != 1 or not (types in BATCHED_TYPES or types <= PLANNED_TYPES):
            super().store_event_batch(events)
            return
        if types <= PLANNED_TYPES:
            self._store_planned_batch(events)
            return
        statements = self._insert_into_run(events)
        # The cross-run index: the events again, their indexed tags, and the asset's
        # latest materialization (the last event of the batch), as store_event does.
        with self.index_transaction() as conn:
            event_ids = _insert_into_index(conn, statements)
            asset_events = [
                (event, event_id)
                for event, event_id in zip(events, event_ids, strict=True)
                if event.get_dagster_event().asset_key
            ]
            if asset_events:
                self._store_asset_event_tags(
                    conn, [e for e, _ in asset_events], [i for _, i in asset_events]
                )
                for event, event_id in _latest_per_asset(asset_events):
                    self._store_asset_event(conn, event, event_id)

    def _insert_into_run(self, events: Sequence[EventLogEntry]) -> list[Any]:
        """The events into their run's database, in one transaction; their statements."""
        statements = [self.prepare_insert_event(event) for event in events]
        with self.run_connection(events[0].run_id) as conn:
            for statement in statements:
                conn.execute(statement)
        return statements

    def _store_planned_batch(self, events: Sequence[EventLogEntry]) -> None:
        """A run's planned materializations and check evaluations, written as
        `store_event` writes each (the event in the run's database and the index; an
        asset's last run; a check's PLANNED execution row per partition, or one without
        a partition) but in one transaction per database."""
        statements = self._insert_into_run(events)
        with self.index_transaction() as conn:
            event_ids = _insert_into_index(conn, statements)
            for event, event_id in zip(events, event_ids, strict=True):
                dagster_event = event.get_dagster_event()
                if dagster_event.event_type == DagsterEventType.ASSET_MATERIALIZATION_PLANNED:
                    self._store_asset_event_tags(conn, [event], [event_id])
                    self._store_asset_event(conn, event, event_id)
                    continue
                planned = dagster_event.event_specific_data
                subset = planned.partitions_subset
                partition_keys = subset.get_partition_keys() if subset else [None]
                conn.execute(
                    AssetCheckExecutionsTable.insert().values(
                        [
                            dict(
                                asset_key=planned.asset_key.to_string(),
                                check_name=planned.check_name,
                                partition=partition_key,
                                run_id=event.run_id,
                                execution_status=AssetCheckExecutionRecordStatus.PLANNED.value,
                                evaluation_event=serialize_value(event),
                                evaluation_event_timestamp=self._event_insert_timestamp(event),
                                evaluation_event_storage_id=event_id,
                            )
                            for partition_key in partition_keys
                        ]
                    )
                )


def _insert_into_index(conn: Any, statements: list[Any]) -> list[int]:
    """The events' statements run again on the cross-run index; their new ids."""
    event_ids = []
    for statement in statements:
        with db_result(conn, statement) as result:
            event_ids.append(result.inserted_primary_key[0])
    if any(event_id is None for event_id in event_ids):
        raise DagsterInvariantViolationError("Cannot store asset event tags for null event id.")
    return event_ids


def _latest_per_asset(
    asset_events: list[tuple[EventLogEntry, int]],
) -> list[tuple[EventLogEntry, int]]:
    latest: dict[str, tuple[EventLogEntry, int]] = {}
    for event, event_id in asset_events:
        latest[event.get_dagster_event().asset_key.to_string()] = (event, event_id)
    return list(latest.values())

"""A fix for Dagster 1.13's planned events of unpartitioned assets in partitioned runs.

A run over a range of delivery days (a single-run backfill of the daily ingestion
partitions) also plans the unpartitioned dbt models and their checks. Dagster
(`DagsterRun.get_resolved_partitions_subset_for_events`) hands every one of them the
run's own partition range, whatever the asset's partitions: each of the ~500 asset
checks is then planned once per day of the range. Over a year that is 182,000 rows of
`asset_check_executions` (446 MB of the SQLite index for one run), about 60 s before the
first step. Worse, they never finish: the check's evaluation has no partition, matches
none of them and is inserted as a new row, so the UI keeps 365 "planned" executions
of each check for ever.

`install()` makes an unpartitioned asset or check get no partition subset, which is
what Dagster does for it in an unpartitioned run. Partitioned assets are unchanged.
It patches a private method, so the Dagster version is pinned by uv.lock and
tests/test_dagster_fixes.py fails if the fix stops applying or stops being needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dagster._core.storage.dagster_run import DagsterRun

if TYPE_CHECKING:
    from dagster import PartitionsDefinition

_ORIGINAL = DagsterRun.get_resolved_partitions_subset_for_events


def _resolved_partitions_subset_for_events(
    self: DagsterRun, partitions_def: PartitionsDefinition | None
) -> Any:
    if partitions_def is None:
        return None
    return _ORIGINAL(self, partitions_def)


def install() -> None:
    """Apply the fix (idempotent)."""
    DagsterRun.get_resolved_partitions_subset_for_events = _resolved_partitions_subset_for_events


def installed() -> bool:
    return (
        DagsterRun.get_resolved_partitions_subset_for_events
        is _resolved_partitions_subset_for_events
    )

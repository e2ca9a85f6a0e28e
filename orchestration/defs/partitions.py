"""Daily partitions: one per delivery date of the landing folders."""

from __future__ import annotations

from datetime import date, timedelta

import dagster as dg

from orchestration.settings import get_settings

daily_partitions = dg.DailyPartitionsDefinition(
    start_date=get_settings().start_date.isoformat(),
    # Today's partition exists too: exports land during the day they are dated.
    end_offset=1,
)


def partition_dates(context: dg.AssetExecutionContext) -> list[date]:
    """The delivery dates of the partition (or partition range) being materialized."""
    window = context.partition_time_window
    first, last = window.start.date(), window.end.date()
    return [first + timedelta(days=n) for n in range((last - first).days)]

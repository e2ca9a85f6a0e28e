"""`lifecycle status`: what an operator asks first. The latest delivery day per
channel with its freshness, files and rows loaded, unresolved quarantine, and the
last runs of the daily job."""

from __future__ import annotations

from datetime import UTC, date, datetime

from orchestration.contract import load_contract
from orchestration.ingest.warehouse import connect
from orchestration.settings import Settings

# The source freshness policy of the dbt sources: warn after 1 day, error after 3.
WARN_AFTER_DAYS, ERROR_AFTER_DAYS = 1, 3


def freshness(latest: date | None, today: date) -> str:
    if latest is None:
        return "never loaded"
    age = (today - latest).days
    if age > ERROR_AFTER_DAYS:
        return f"STALE ({age} days)"
    if age > WARN_AFTER_DAYS:
        return f"late ({age} days)"
    return "fresh"


def _last_runs(limit: int = 3) -> list[str]:
    import dagster as dg

    try:
        with dg.DagsterInstance.get() as instance:
            records = instance.get_run_records(
                filters=dg.RunsFilter(job_name="daily_materialization"), limit=limit
            )
            lines = []
            for record in records:
                run = record.dagster_run
                started = record.start_time or record.create_timestamp.timestamp()
                ended = record.end_time
                when = datetime.fromtimestamp(started, UTC).strftime("%Y-%m-%d %H:%M UTC")
                took = f", {ended - started:.0f}s" if ended else ""
                span = (
                    run.tags.get("dagster/asset_partition_range_start", "")
                    + ".."
                    + run.tags.get("dagster/asset_partition_range_end", "")
                ).strip(".") or run.tags.get("dagster/partition", "")
                lines.append(f"{run.run_id[:8]}  {run.status.value:<9} {when}{took}  days {span}")
            return lines
    except Exception as error:  # an unreadable instance must not hide the warehouse status
        return [f"(Dagster run history unavailable: {error})"]


def status(settings: Settings, *, today: date | None = None) -> int:
    today = today or datetime.now(UTC).date()
    print(f"warehouse: {settings.warehouse}")
    if not settings.warehouse.exists():
        print("  not built yet: run `make run` (or `lifecycle run`)")
        return 1
    with connect(settings.warehouse, read_only=True) as con:
        per_channel = {
            row[0]: row[1:]
            for row in con.execute(
                "select channel, max(delivery_date), count(*) filter (where status = 'loaded'),"
                " count(*) filter (where status = 'duplicate'), sum(rows_loaded),"
                " max(loaded_at)"
                " from ingestion.files where status <> 'removed' group by channel"
            ).fetchall()
        }
        quarantined = dict(
            con.execute(
                "select channel, count(*) from ingestion.quarantine where resolved_at is null"
                " group by channel"
            ).fetchall()
        )
    print(
        f"\n{'channel':<22} {'latest day':<11} {'freshness':<16} {'files':>6} {'dupl.':>6}"
        f" {'rows':>9} {'quar.':>6}"
    )
    for channel in load_contract():
        latest, files, duplicates, rows, _ = per_channel.get(channel.name, (None, 0, 0, 0, None))
        state = freshness(latest, today)
        print(
            f"{channel.name:<22} {latest.isoformat() if latest else '-':<11} {state:<16}"
            f" {files:>6} {duplicates:>6} {rows or 0:>9} {quarantined.get(channel.name, 0):>6}"
        )
    print("\nlast runs of daily_materialization:")
    for line in _last_runs() or ["(none yet)"]:
        print(f"  {line}")
    return 0

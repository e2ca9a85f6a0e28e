"""Sensors: start the daily run when a day's exports have landed; alert on failures.

A delivery day is due when every expected channel has a file in its
`<channel>/<YYYY-MM-DD>/` folder, or, once the cutoff time (UTC) of the following
day has passed, when any channel has. The run key is a digest of the day's file
names, sizes and times, so a late file for a day that already ran starts a new run
of that day (the load is idempotent), and an unchanged day never runs twice.

Configuration (environment):
- LIFECYCLE_EXPECTED_CHANNELS: comma-separated channels that must all land
  (default: web_events,email_events,orders,ad_spend,social_posts);
- LIFECYCLE_SENSOR_CUTOFF: HH:MM UTC on the day after delivery after which an
  incomplete day runs anyway (default 10:00);
- LIFECYCLE_SENSOR_LOOKBACK_DAYS: how many recent delivery days to watch (default 7).
"""

import hashlib
import os
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import dagster as dg

from orchestration.alerts import send_alert
from orchestration.settings import get_settings

DEFAULT_EXPECTED = ("web_events", "email_events", "orders", "ad_spend", "social_posts")


def expected_channels() -> tuple[str, ...]:
    value = os.environ.get("LIFECYCLE_EXPECTED_CHANNELS")
    if not value:
        return DEFAULT_EXPECTED
    return tuple(name.strip() for name in value.split(",") if name.strip())


def cutoff_time() -> time:
    return time.fromisoformat(os.environ.get("LIFECYCLE_SENSOR_CUTOFF", "10:00"))


def _day_files(landing: Path, day: date) -> list[Path]:
    return sorted(
        path
        for folder in landing.glob(f"*/{day.isoformat()}")
        if folder.is_dir()
        for path in folder.iterdir()
        if path.is_file() and not path.name.startswith(".")
    )


def day_digest(landing: Path, day: date) -> str | None:
    """A digest of the day's landed files (None when nothing landed)."""
    files = _day_files(landing, day)
    if not files:
        return None
    digest = hashlib.sha256()
    for path in files:
        stat = path.stat()
        digest.update(f"{path.relative_to(landing)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def due_days(
    landing: Path,
    now: datetime,
    *,
    expected: tuple[str, ...],
    cutoff: time,
    lookback_days: int,
) -> list[tuple[date, str, str]]:
    """(day, run key, why) for each recent delivery day ready to run."""
    due = []
    today = now.date()
    for offset in range(lookback_days, -1, -1):
        day = today - timedelta(days=offset)
        digest = day_digest(landing, day)
        if digest is None:
            continue
        landed = {path.parent.parent.name for path in _day_files(landing, day)}
        missing = [name for name in expected if name not in landed]
        past_cutoff = now >= datetime.combine(day + timedelta(days=1), cutoff, tzinfo=UTC)
        if not missing:
            due.append((day, f"{day.isoformat()}:{digest}", "every expected channel landed"))
        elif past_cutoff:
            why = f"cutoff {cutoff.isoformat('minutes')} passed; missing {', '.join(missing)}"
            due.append((day, f"{day.isoformat()}:{digest}", why))
    return due


def build_landing_sensor(job: dg.JobDefinition | Any) -> dg.SensorDefinition:
    @dg.sensor(
        name="landing_sensor",
        job=job,
        minimum_interval_seconds=300,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Start the daily run for a delivery day once its exports have landed.",
    )
    def landing_sensor(context: dg.SensorEvaluationContext):
        settings = get_settings()
        now = datetime.now(UTC)
        lookback = int(os.environ.get("LIFECYCLE_SENSOR_LOOKBACK_DAYS", "7"))
        requests = []
        for day, run_key, why in due_days(
            settings.landing,
            now,
            expected=expected_channels(),
            cutoff=cutoff_time(),
            lookback_days=lookback,
        ):
            if day < settings.start_date:
                continue
            context.log.info(f"{day}: {why}")
            requests.append(
                dg.RunRequest(
                    run_key=run_key,
                    partition_key=day.isoformat(),
                    tags={"lifecycle/trigger": "landing_sensor", "lifecycle/why": why[:200]},
                )
            )
        if not requests:
            return dg.SkipReason(f"no complete delivery day under {settings.landing}")
        return requests

    return landing_sensor


@dg.run_failure_sensor(
    name="alert_on_run_failure",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="On a failed run, write an alert (logs/alerts.log; LIFECYCLE_ALERT_WEBHOOK).",
)
def alert_on_run_failure(context: dg.RunFailureSensorContext) -> None:
    run = context.dagster_run
    message = context.failure_event.message or ""
    send_alert(f"run {run.run_id[:8]} of {run.job_name} failed", message)

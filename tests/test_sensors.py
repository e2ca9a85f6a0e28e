"""The landing sensor starts a day's run when its exports have landed (or after the
cutoff), once per set of files; failure alerts are written to the alert log."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import dagster as dg
import pytest

from orchestration.alerts import send_alert
from orchestration.defs.sensors import build_landing_sensor, due_days

EXPECTED = ("web_events", "orders")
DAY = date(2026, 3, 1)


def land(landing: Path, channel: str, day: date = DAY, name: str = "export.csv") -> None:
    folder = landing / channel / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("a\n1\n", encoding="utf-8")


def due(landing: Path, now: datetime) -> list[tuple[date, str, str]]:
    return due_days(landing, now, expected=EXPECTED, cutoff=time(10), lookback_days=3)


def test_day_is_due_when_every_expected_channel_landed(tmp_path: Path) -> None:
    morning = datetime(2026, 3, 1, 23, 0, tzinfo=UTC)
    land(tmp_path, "web_events")
    assert due(tmp_path, morning) == []
    land(tmp_path, "orders")
    [(day, run_key, why)] = due(tmp_path, morning)
    assert day == DAY and run_key.startswith("2026-03-01:")
    assert why == "every expected channel landed"


def test_incomplete_day_runs_after_the_cutoff(tmp_path: Path) -> None:
    land(tmp_path, "web_events")
    assert due(tmp_path, datetime(2026, 3, 2, 9, 59, tzinfo=UTC)) == []
    [(day, _, why)] = due(tmp_path, datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    assert day == DAY and "missing orders" in why


def test_late_file_gives_a_new_run_key(tmp_path: Path) -> None:
    land(tmp_path, "web_events")
    land(tmp_path, "orders")
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    [(_, first_key, _)] = due(tmp_path, now)
    assert [key for _, key, _ in due(tmp_path, now)] == [first_key]  # unchanged: same key
    land(tmp_path, "orders", name="late.csv")
    [(_, second_key, _)] = due(tmp_path, now)
    assert second_key != first_key


def test_sensor_requests_the_partition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIFECYCLE_LANDING", str(tmp_path))
    monkeypatch.setenv("LIFECYCLE_EXPECTED_CHANNELS", "web_events,orders")
    today = datetime.now(UTC).date()
    land(tmp_path, "web_events", day=today)
    land(tmp_path, "orders", day=today)

    @dg.asset
    def placeholder() -> None: ...

    job = dg.define_asset_job("j", selection=[placeholder])
    sensor = build_landing_sensor(job)
    result = sensor(dg.build_sensor_context())
    [request] = result if isinstance(result, list) else [result]
    assert request.partition_key == today.isoformat()
    assert request.run_key.startswith(f"{today.isoformat()}:")


def test_alert_is_written_to_the_alert_log(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LIFECYCLE_LOGS", str(tmp_path))
    monkeypatch.delenv("LIFECYCLE_ALERT_WEBHOOK", raising=False)
    path = send_alert("run abc failed", "step x:\n boom")
    assert path == tmp_path / "alerts.log"
    assert path.read_text().strip().endswith("ALERT run abc failed | step x: boom")

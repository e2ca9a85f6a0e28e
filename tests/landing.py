"""Test helper: drop a file into a landing folder as a channel export would arrive."""

from __future__ import annotations

from datetime import date
from pathlib import Path

DAY = date(2026, 1, 2)


def land(landing: Path, channel: str, name: str, content: str | bytes, day: date = DAY) -> Path:
    """Write `content` to <landing>/<channel>/<day>/<name> and return the path."""
    folder = landing / channel / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path

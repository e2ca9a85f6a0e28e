"""The in-memory form of one landing row before it is written to a file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(slots=True)
class Record:
    channel: str
    row: dict[str, Any]  # contract column -> value (datetime, date, float, int, str or None)
    at: datetime  # event time (snapshot channels: updated_at); orders rows within a file
    person_id: str | None = None  # the true owner, None for aggregates and junk
    delivery: date | None = None  # the date folder; the event date unless late
    junk: str | None = None  # reason, for deliberately malformed rows

    @property
    def delivery_date(self) -> date:
        return self.delivery or self.at.date()

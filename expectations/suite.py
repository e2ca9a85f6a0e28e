"""What a suite is, without importing Great Expectations (importing it takes seconds,
and the Dagster definitions must load fast): the table it validates, the layer it
belongs to and a function that builds its expectations when it runs.

Severity policy (per expectation, with GX's own `severity` field):

- `critical` (the default) is a rule that defines correct data: the channel contract,
  unique keys, identifier formats, referential integrity, non-overlapping spells,
  rates within [0, 1], revenue that reconciles. A failure is an ERROR in Dagster and
  blocks everything downstream (the report is not rebuilt).
- `warning` is a plausibility rule that flags suspicious but possible data (raw dates
  and timestamps outside 2000-01-01 .. run time + 1 day, a touchpoint above 100k EUR).
  A failure is a WARN in Dagster: recorded in `quality.check_results`, shown in the UI
  and in Data Docs, never blocking.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import great_expectations.expectations as gxe

LAYERS = ("raw", "staging", "marts")

# Earliest plausible timestamp in any channel export.
EARLIEST_PLAUSIBLE = datetime(2000, 1, 1)


@dataclass(frozen=True)
class RunParameters:
    """What a suite may depend on besides the data: when it runs, and which
    delivery days the run loaded (None: validate every row)."""

    checked_at: datetime = field(
        default_factory=lambda: datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    )
    delivery_dates: tuple[date, date] | None = None

    @property
    def latest_plausible(self) -> datetime:
        return self.checked_at + timedelta(days=1)


@dataclass(frozen=True)
class Suite:
    layer: str
    schema: str
    table: str
    expectations: Callable[[], list[gxe.Expectation]]
    where: str | None = None
    """SQL filter of the validated rows (raw: the run's delivery days)."""

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def asset_path(self) -> list[str]:
        return [self.schema, self.table]

    @property
    def query(self) -> str:
        where = f" where {self.where}" if self.where else ""
        return f"select * from {self.schema}.{self.table}{where}"

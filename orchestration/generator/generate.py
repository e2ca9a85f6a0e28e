"""Run the simulation, mess it up, write the landing files and the ground truth."""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from orchestration.contract import load_contract
from orchestration.generator import aggregates, hard_cases, linking, mess, writers
from orchestration.generator.identity import make_person
from orchestration.generator.journeys import emit_referrals, simulate_person
from orchestration.generator.records import Record
from orchestration.generator.simulation import Simulation
from orchestration.generator.truth import write_truth


@dataclass(frozen=True)
class GenerationSummary:
    """What one run wrote. ``files``/``rows`` count what is on disk per channel,
    including duplicates, malformed rows and the re-delivered file."""

    persons: int
    days: int
    start_date: date
    end_date: date
    seed: int
    files: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    truth_rows: dict[str, int] = field(default_factory=dict)
    malformed_rows: int = 0
    duplicate_rows: int = 0
    late_rows: int = 0
    redelivered_file: str | None = None

    @property
    def total_files(self) -> int:
        return sum(self.files.values())

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def describe(self) -> str:
        lines = [
            f"{self.persons} persons, {self.days} days "
            f"({self.start_date.isoformat()} .. {self.end_date.isoformat()}), seed {self.seed}",
            f"{'channel':<24}{'files':>8}{'rows':>10}",
        ]
        for channel in sorted(self.rows):
            lines.append(f"{channel:<24}{self.files[channel]:>8}{self.rows[channel]:>10}")
        lines.append(f"{'total':<24}{self.total_files:>8}{self.total_rows:>10}")
        lines.append(
            f"mess: {self.malformed_rows} malformed, {self.duplicate_rows} duplicate, "
            f"{self.late_rows} late rows; re-delivered file: {self.redelivered_file}"
        )
        truth = ", ".join(f"{name} {n}" for name, n in self.truth_rows.items())
        lines.append(f"truth: {truth}")
        return "\n".join(lines)


GENERATION_FILE = "generation.json"


def write_generation(truth_dir: Path, parameters: dict) -> None:
    """The arguments of the last generation, so ``next-day`` can release one more day."""
    path = Path(truth_dir) / GENERATION_FILE
    path.write_text(json.dumps(parameters, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def read_generation(truth_dir: Path) -> dict:
    path = Path(truth_dir) / GENERATION_FILE
    if not path.exists():
        raise FileNotFoundError(
            f"{path} not found: the demo data was not generated here (run `lifecycle generate`)"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def _sort_key(record: Record, key_columns: tuple[str, ...]) -> tuple:
    return (record.at, tuple(writers.text_value(record.row.get(c)) for c in key_columns))


def generate_demo_data(
    landing_dir: Path,
    truth_dir: Path,
    *,
    persons: int = 2000,
    days: int = 90,
    start_date: date = date(2026, 1, 1),
    seed: int = 42,
    ahead: int = 0,
    released_days: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> GenerationSummary:
    """Simulate ``persons`` people over ``days`` days and write landing files and truth.

    The simulation runs ``ahead`` days beyond the window; of its days, the first
    ``released_days`` (default ``days``) are written to landing and the truth is
    written as of their end. Every simulated draw depends only on (persons, days,
    ahead, seed, start_date), so releasing one more day (``lifecycle next-day``)
    writes that day's files and leaves every file of the earlier days
    byte-identical. The same arguments always produce byte-identical files.
    """
    released_days = days if released_days is None else released_days
    if persons < 1 or days < 1 or ahead < 0:
        raise ValueError("persons and days must be at least 1, ahead at least 0")
    if not 1 <= released_days <= days + ahead:
        raise ValueError(
            f"the simulation covers {days + ahead} days: cannot release {released_days}"
        )
    say = progress or (lambda _line: None)
    landing_dir, truth_dir = Path(landing_dir), Path(truth_dir)
    contract = load_contract()
    # Mess (junk rows, the re-delivered file) is placed within the first ``days``
    # days, so it does not move as days are released.
    window_last_day = start_date + timedelta(days=days - 1)
    last_day = start_date + timedelta(days=days + ahead - 1)
    released_last_day = start_date + timedelta(days=released_days - 1)

    if landing_dir.exists() and any(landing_dir.iterdir()):
        say(f"note: {landing_dir} is not empty; files this run does not write are left as they are")
    say(f"generating persons: {persons} over {days} days")
    sim = Simulation(start_date=start_date, days=days + ahead, seed=seed, persons=persons)
    for serial in range(1, persons + 1):
        person_id = f"P{serial:06d}"
        rng = random.Random(f"{seed}:{person_id}")
        person = make_person(rng, person_id, serial)
        sim.persons.append(person)
        simulate_person(sim, person, rng)
    sim.ensure_a_refund(random.Random(f"{seed}:refund"))
    say("generating the hard cases of identity stitching")
    hard_cases.emit_hard_cases(sim, random.Random(f"{seed}:hard_cases"))
    say("generating referrals")
    emit_referrals(sim, random.Random(f"{seed}:referrals"))
    linking.identify_loose_ends(sim, random.Random(f"{seed}:linking"))
    say("generating ad spend, social posts and media plays")
    aggregates.emit_ad_spend(sim, random.Random(f"{seed}:ad_spend"))
    aggregates.emit_social_posts(sim, random.Random(f"{seed}:social_posts"))
    aggregates.emit_media_listens(sim, random.Random(f"{seed}:media_listens"))

    say("injecting mess")
    mess_rng = random.Random(f"{seed}:mess")
    late = mess.delay_some_rows(sim.records, mess_rng, last_day)
    records, duplicates = mess.duplicate_some_rows(sim.records, mess_rng, last_day)
    by_file: dict[tuple[str, date], list[Record]] = defaultdict(list)
    for record in records:
        by_file[(record.channel, record.delivery_date)].append(record)
    for (channel, _), rows in by_file.items():
        rows.sort(key=lambda r, k=contract[channel].key: _sort_key(r, k))

    # The re-delivered file: an early orders file, copied later under another name.
    order_days = sorted(d for c, d in by_file if c == "orders" and d < window_last_day)
    redelivery: tuple[date, date] | None = None
    if order_days:
        original = mess_rng.choice(order_days[: max(1, len(order_days) // 3)])
        later = min(window_last_day, original + timedelta(days=mess_rng.randint(3, 10)))
        redelivery = (original, later)

    malformed = []
    for channel, reason, row in mess.junk_rows(mess_rng, start_date):
        candidates = sorted(
            d
            for c, d in by_file
            if c == channel and d <= window_last_day and (redelivery is None or d != redelivery[0])
        )
        day = mess_rng.choice(candidates) if candidates else start_date
        for column, value in row.items():
            if isinstance(value, datetime):
                row[column] = datetime.combine(day, value.time())
        junk = Record(channel, row, datetime.combine(day, time(12)), None, day, junk=reason)
        rows = by_file[(channel, day)]
        rows.insert(mess_rng.randint(0, len(rows)), junk)

    files: Counter[str] = Counter()
    row_counts: Counter[str] = Counter()
    redelivered_content = b""
    redelivered: dict[str, str] | None = None
    for channel in contract.channels:
        keys = sorted(k for k in by_file if k[0] == channel and k[1] <= released_last_day)
        for key in keys:
            rows = by_file[key]
            relative = writers.relative_path(channel, key[1])
            content = writers.file_bytes(contract[channel], [r.row for r in rows])
            writers.write_file(landing_dir, relative, content)
            if redelivery is not None and key == ("orders", redelivery[0]):
                redelivered_content = content
            files[channel] += 1
            row_counts[channel] += len(rows)
            for number, record in enumerate(rows, start=1):
                if record.junk:
                    malformed.append(
                        {"channel": channel, "file": relative, "row": number, "reason": record.junk}
                    )
        if channel == "orders" and redelivery is not None and redelivery[1] <= released_last_day:
            original, later = redelivery
            original_path = writers.relative_path("orders", original)
            path = f"orders/{later.isoformat()}/orders_{original.isoformat()}_redelivery.csv"
            writers.write_file(landing_dir, path, redelivered_content)
            files["orders"] += 1
            row_counts["orders"] += len(by_file[("orders", original)])
            redelivered = {"path": path, "original_path": original_path}
        say(f"writing {channel}: {files[channel]} files")

    say("writing ground truth")
    mess_report = {
        "malformed_rows": sorted(malformed, key=lambda m: (m["channel"], m["file"], m["row"])),
        "duplicate_rows": dict(sorted(duplicates.items())),
        "late_rows": dict(sorted(late.items())),
        "redelivered_file": redelivered,
        "totals": {
            "malformed_rows": len(malformed),
            "duplicate_rows": sum(duplicates.values()),
            "late_rows": sum(late.values()),
        },
    }
    window_end = datetime.combine(last_day + timedelta(days=1), time())
    truth_rows = write_truth(
        truth_dir,
        sim.persons,
        sim.purchases,
        window_end,
        mess_report,
        sim.shared_identifiers,
        as_of=datetime.combine(released_last_day + timedelta(days=1), time()),
    )
    write_generation(
        truth_dir,
        {
            "persons": persons,
            "days": days,
            "ahead": ahead,
            "released_days": released_days,
            "seed": seed,
            "start_date": start_date.isoformat(),
        },
    )
    return GenerationSummary(
        persons=persons,
        days=released_days,
        start_date=start_date,
        end_date=released_last_day,
        seed=seed,
        files=dict(files),
        rows=dict(row_counts),
        truth_rows=truth_rows,
        malformed_rows=len(malformed),
        duplicate_rows=sum(duplicates.values()),
        late_rows=sum(late.values()),
        redelivered_file=redelivered["path"] if redelivered else None,
    )

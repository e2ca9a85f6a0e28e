"""The ground truth: who is who, what they bought and when they entered each stage.

Stage rules (what a perfect warehouse would conclude from the landing data):

- awareness: the person's first row anywhere (a cookie's first page view counts).
- engagement: a return visit, an email open or click, a social mention, an app
  session after install, a podcast play as a known subscriber.
- evaluation: a product, cart or checkout page view, a cart, an app add-to-cart.
- acquisition: a sign-up, a CRM lead, a subscription trial.
- conversion: the first purchase (order, till sale or paid subscription start).
  The funnel stages are cumulative: reaching a stage implies the earlier ones,
  at the latest at the same moment (a walk-in buyer enters all five at once).
- retention: the second purchase; loyalty: the third. Purchases are orders,
  till sales and each month of a paid subscription (renewals every 30 days).
- advocacy: after conversion, a referral sent, a review of 4+ stars or a
  positive social mention.
- Progress stages move forward only (as the warehouse's documented default,
  var lifecycle_movement = forward_only): a stage entry counts only when it is
  beyond every progress stage entered before (a second purchase after an
  advocacy review leaves the person in advocacy).
- at_risk: the time since the latest purchase exceeds AT_RISK_GAP_FACTOR times
  the person's own mean gap between purchases so far (AT_RISK_DEFAULT_GAP
  after a single purchase), before churning; a purchase while at risk returns
  the person to the progress stage reached by then. churned: 60 days without a
  purchase, or a paid subscription cancelled; reactivated: a purchase after
  churning.

``final_stage`` is the stage of the person's latest timeline entry.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from orchestration.generator.identity import KNOWN_TYPES, Person
from orchestration.generator.simulation import AT_RISK_AFTER, CHURNED_AFTER

FUNNEL = ("awareness", "engagement", "evaluation", "acquisition", "conversion")
PROGRESS = (*FUNNEL, "retention", "loyalty", "advocacy")
STAGES = (*PROGRESS, "at_risk", "churned", "reactivated")
STAGE_ORDER = {stage: i for i, stage in enumerate(STAGES)}
# The warehouse's vars at_risk_gap_factor and at_risk_default_gap_days: a
# single purchase is at risk after AT_RISK_AFTER (30 days).
AT_RISK_GAP_FACTOR = 2
AT_RISK_DEFAULT_GAP = AT_RISK_AFTER / AT_RISK_GAP_FACTOR


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def stage_timeline(person: Person, window_end: datetime) -> list[tuple[datetime, str]]:
    """(entered_at, stage) entries for one person, in time order."""
    first: dict[str, datetime] = {}
    for at, stage in person.signals:
        if stage not in first or at < first[stage]:
            first[stage] = at
    if person.first_seen_at is not None:
        first["awareness"] = min(first.get("awareness", person.first_seen_at), person.first_seen_at)
    purchases = sorted(set(person.purchase_times))
    first.pop("conversion", None)
    if purchases:
        first["conversion"] = purchases[0]
    entered: dict[str, datetime] = {}
    later: datetime | None = None
    for stage in reversed(FUNNEL):
        candidate = first.get(stage)
        if later is not None and (candidate is None or later < candidate):
            candidate = later
        if candidate is not None:
            entered[stage] = candidate
            later = candidate
    candidates = [(entered[stage], stage) for stage in FUNNEL if stage in entered]
    if purchases:
        if len(purchases) >= 2:
            candidates.append((purchases[1], "retention"))
        if len(purchases) >= 3:
            candidates.append((purchases[2], "loyalty"))
        advocacy = [
            at for at, stage in person.signals if stage == "advocacy" and at >= purchases[0]
        ]
        if advocacy:
            candidates.append((min(advocacy), "advocacy"))
    candidates.sort(key=lambda e: (e[0], STAGE_ORDER[e[1]]))
    entries: list[tuple[datetime, str]] = []
    for at, stage in candidates:  # forward only
        if not entries or STAGE_ORDER[stage] > STAGE_ORDER[entries[-1][1]]:
            entries.append((at, stage))
    progress = list(entries)
    if purchases:
        for at, stage in _health(purchases, sorted(person.cancel_times), window_end):
            if stage != "recovered":
                entries.append((at, stage))
                continue
            reached = [e for e in progress if e[0] <= at]
            if reached and reached[-1][0] < at:
                entries.append((at, reached[-1][1]))
    entries.sort(key=lambda e: (e[0], STAGE_ORDER[e[1]]))
    return entries


def _at_risk_after(purchases: list[datetime]) -> timedelta:
    """AT_RISK_GAP_FACTOR x the mean gap between the purchases so far."""
    if len(purchases) < 2:
        gap_seconds = AT_RISK_DEFAULT_GAP.total_seconds()
    else:
        gap_seconds = (purchases[-1] - purchases[0]).total_seconds() / (len(purchases) - 1)
    return timedelta(seconds=math.floor(AT_RISK_GAP_FACTOR * gap_seconds))


def _health(
    purchases: list[datetime], cancels: list[datetime], window_end: datetime
) -> list[tuple[datetime, str]]:
    """Dissolution entries; ("recovered", at) marks a purchase while at risk."""
    events = sorted([(t, "purchase") for t in purchases] + [(t, "cancel") for t in cancels])
    entries: list[tuple[datetime, str]] = []
    state: str | None = None
    last: datetime | None = None
    bought: list[datetime] = []

    def lapse(until: datetime) -> None:
        nonlocal state
        if last is None:
            return
        at_risk_after = _at_risk_after(bought)
        if state is None and at_risk_after < CHURNED_AFTER and last + at_risk_after < until:
            entries.append((last + at_risk_after, "at_risk"))
            state = "at_risk"
        if state in (None, "at_risk") and last + CHURNED_AFTER < until:
            entries.append((last + CHURNED_AFTER, "churned"))
            state = "churned"

    for at, kind in events:
        lapse(at)
        if kind == "purchase":
            if state == "churned":
                entries.append((at, "reactivated"))
            elif state == "at_risk":
                entries.append((at, "recovered"))
            state = None
            last = at
            bought.append(at)
        elif state != "churned":
            entries.append((at, "churned"))
            state = "churned"
    lapse(window_end)
    return entries


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8"))


def write_truth(
    truth_dir: Path,
    persons: list[Person],
    purchases: list[dict[str, Any]],
    window_end: datetime,
    mess: dict[str, Any],
    shared: dict[tuple[str, str], str] | None = None,
    as_of: datetime | None = None,
) -> dict[str, int]:
    """Write the truth files; returns row counts per file.

    ``as_of`` (exclusive; default ``window_end``) writes the truth of a simulation
    that runs ahead of the landed days: only persons, identifiers, purchases,
    refunds and stage entries seen before it. Rows delivered late after it are
    the one thing it cannot know: they are in the truth, not yet in landing.

    ``identifiers.csv`` holds the identifiers that belong to exactly one person.
    An identifier exposed by several persons, or declared shared or placeholder
    in ``shared`` (identifier -> why), belongs to nobody: it is listed in
    ``shared_identifiers.csv`` with the number of persons who used it.
    """
    truth_dir.mkdir(parents=True, exist_ok=True)
    as_of = as_of or window_end
    people = sorted(
        (p for p in persons if p.first_seen_at is not None and p.first_seen_at < as_of),
        key=lambda p: p.person_id,
    )

    def identifiers_of(person: Person) -> set[tuple[str, str]]:
        return {
            identifier
            for identifier in person.identifiers
            if person.identifier_first_seen.get(identifier, person.first_seen_at) < as_of
        }

    users: Counter[tuple[str, str]] = Counter()
    for person in people:
        users.update(identifiers_of(person))
    reasons = dict(shared or {})
    for identifier, n_persons in users.items():
        if n_persons > 1:
            reasons.setdefault(identifier, "used by several persons")
    person_rows, identifier_rows, stage_rows = [], [], []
    for person in people:
        timeline = [entry for entry in stage_timeline(person, window_end) if entry[0] < as_of]
        own = identifiers_of(person) - reasons.keys()
        is_known = any(kind in KNOWN_TYPES for kind, _ in own)
        final_stage = timeline[-1][1] if timeline else "awareness"
        person_rows.append(
            [person.person_id, _iso(person.first_seen_at), str(is_known).lower(), final_stage]
        )
        for kind, value in sorted(own):
            identifier_rows.append([person.person_id, kind, value])
        for at, stage in timeline:
            stage_rows.append([person.person_id, stage, _iso(at)])
    purchase_rows = []
    for purchase in sorted(purchases, key=lambda x: (x["purchased_at"], x["purchase_id"])):
        if purchase["purchased_at"] >= as_of:
            continue
        gross, refunded = purchase["gross_amount"], purchase["refunded_amount"]
        refunded_at = purchase.get("refunded_at")
        if refunded_at is not None and refunded_at >= as_of:
            refunded = 0.0
        purchase_rows.append(
            [
                purchase["channel"],
                purchase["purchase_id"],
                purchase["person_id"],
                _iso(purchase["purchased_at"]),
                purchase["currency"],
                f"{gross:.2f}",
                f"{refunded:.2f}",
                f"{gross - refunded:.2f}",
            ]
        )
    _write_csv(
        truth_dir / "persons.csv",
        ["person_id", "first_seen_at", "is_known", "final_stage"],
        person_rows,
    )
    _write_csv(
        truth_dir / "identifiers.csv",
        ["person_id", "identifier_type", "identifier_value"],
        identifier_rows,
    )
    _write_csv(
        truth_dir / "purchases.csv",
        [
            "channel",
            "purchase_id",
            "person_id",
            "purchased_at",
            "currency",
            "gross_amount",
            "refunded_amount",
            "net_amount",
        ],
        purchase_rows,
    )
    _write_csv(truth_dir / "stage_timeline.csv", ["person_id", "stage", "entered_at"], stage_rows)
    shared_rows = [
        [kind, value, users[(kind, value)], reason]
        for (kind, value), reason in sorted(reasons.items())
    ]
    _write_csv(
        truth_dir / "shared_identifiers.csv",
        ["identifier_type", "identifier_value", "n_persons", "reason"],
        shared_rows,
    )
    (truth_dir / "mess.json").write_text(
        json.dumps(mess, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return {
        "persons": len(person_rows),
        "identifiers": len(identifier_rows),
        "purchases": len(purchase_rows),
        "stage_timeline": len(stage_rows),
        "shared_identifiers": len(shared_rows),
    }

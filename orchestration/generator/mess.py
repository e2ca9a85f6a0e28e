"""Real-world mess: late rows, duplicate rows and a handful of malformed junk rows.

Identifier variants (email case and spaces, phone formats, handles with ``@``)
are produced while rows are emitted (see :mod:`identity`); the re-delivered file
is made by :mod:`writers` once files exist. Everything injected here is counted
for ``mess.json``.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any

from orchestration.generator.records import Record

LATE_CHANNELS = (
    "web_events",
    "app_events",
    "email_events",
    "calls",
    "pos_transactions",
    "social_mentions",
    "reviews",
    "surveys",
)
LATE_RATE = 0.02
DUPLICATE_CHANNELS = (
    "web_events",
    "app_events",
    "email_events",
    "calls",
    "pos_transactions",
    "social_mentions",
    "orders",
)
DUPLICATE_RATE = 0.005


def delay_some_rows(records: list[Record], rng: random.Random, last_day: date) -> Counter[str]:
    """Deliver a few event rows 1-3 days after the day they happened."""
    late: Counter[str] = Counter()
    for record in records:
        if record.channel in LATE_CHANNELS and rng.random() < LATE_RATE:
            delivered = record.at.date() + timedelta(days=rng.randint(1, 3))
            if delivered <= last_day:
                record.delivery = delivered
                late[record.channel] += 1
    return late


def duplicate_some_rows(
    records: list[Record], rng: random.Random, last_day: date
) -> tuple[list[Record], Counter[str]]:
    """Exact copies of some rows, in the same file or in the next day's file."""
    copies: list[Record] = []
    counts: Counter[str] = Counter()
    for record in records:
        if record.channel in DUPLICATE_CHANNELS and rng.random() < DUPLICATE_RATE:
            delivered = record.delivery_date
            if rng.random() < 0.4 and delivered < last_day:
                delivered += timedelta(days=1)
            copies.append(
                Record(record.channel, record.row, record.at, record.person_id, delivered)
            )
            counts[record.channel] += 1
    return records + copies, counts


def _junk(channel: str, reason: str, row: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    return channel, reason, row


def junk_rows(rng: random.Random, day: date) -> list[tuple[str, str, dict[str, Any]]]:
    """(channel, reason, row) for the malformed rows; none belongs to a simulated person."""
    ts = datetime.combine(day, time(11, 30))

    def hexid(n: int) -> str:
        return f"{rng.getrandbits(4 * n):0{n}x}"

    return [
        _junk(
            "web_events",
            "unparseable timestamp: event_at",
            {
                "event_id": f"junk-{hexid(12)}",
                "event_at": "31/02/2026 25:61",
                "cookie_id": f"ck_{hexid(16)}",
                "url": "https://shop.example.com/",
                "device_type": "desktop",
            },
        ),
        _junk(
            "app_events",
            "value outside accepted_values: event_name",
            {
                "event_id": f"junk-{hexid(12)}",
                "event_at": ts,
                "device_id": f"junk-device-{hexid(8)}",
                "event_name": "crash",
                "platform": "android",
                "app_version": "3.5.0",
            },
        ),
        _junk(
            "email_events",
            "missing required value: email",
            {
                "event_id": f"junk-{hexid(12)}",
                "event_at": ts,
                "email": None,
                "campaign": "newsletter",
                "event_type": "send",
            },
        ),
        _junk(
            "orders",
            "non-numeric amount: total_amount",
            {
                "order_id": f"ORD-JUNK{rng.randint(1000, 9999)}",
                "ordered_at": ts,
                "updated_at": ts,
                "currency": "EUR",
                "subtotal_amount": 10.0,
                "tax_amount": 2.1,
                "shipping_amount": 4.95,
                "total_amount": "N/A",
                "status": "paid",
            },
        ),
        _junk(
            "crm_leads",
            "missing required value: source",
            {
                "lead_id": f"LEAD-JUNK{rng.randint(1000, 9999)}",
                "created_at": ts,
                "updated_at": ts,
                "source": None,
                "status": "new",
            },
        ),
        _junk(
            "calls",
            "value outside accepted_values: direction",
            {
                "call_id": f"CALL-JUNK{hexid(6).upper()}",
                "started_at": ts,
                "phone_number": "unknown",
                "direction": "sideways",
                "reason": "other",
                "duration_seconds": 12,
            },
        ),
        _junk(
            "pos_transactions",
            "value outside accepted_values: transaction_type",
            {
                "transaction_id": f"TX-JUNK-{hexid(8).upper()}",
                "transacted_at": ts,
                "store_id": "ST-AMS-01",
                "transaction_type": "void",
                "amount": 0.0,
                "currency": "EUR",
            },
        ),
        _junk(
            "support_tickets",
            "unparseable timestamp: opened_at",
            {
                "ticket_id": f"TCK-JUNK{hexid(6).upper()}",
                "opened_at": "not a date",
                "updated_at": ts,
                "email": "nobody@invalid",
                "contact_channel": "email",
            },
        ),
        _junk(
            "surveys",
            "non-numeric value: score",
            {
                "response_id": f"RSP-junk-{hexid(8)}",
                "responded_at": ts,
                "survey_type": "nps",
                "score": "ten",
            },
        ),
    ]

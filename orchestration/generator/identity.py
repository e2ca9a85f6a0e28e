"""Simulated people, their identifiers, and the messy ways channels write them down.

A person's identifiers are stored in normalised form (the form the ground truth
uses); the ``*_as_written`` helpers produce the variants real exports contain:
email case and whitespace, five phone formats, handles with and without ``@``.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from orchestration.generator import catalogue

IDENTIFIER_TYPES: tuple[str, ...] = (
    "email",
    "phone",
    "cookie_id",
    "device_id",
    "user_id",
    "loyalty_card_id",
    "lead_id",
    "shop_customer_id",
    "social_handle",
)
# Identifier types that make a person "known" (a cookie or device alone does not).
KNOWN_TYPES: frozenset[str] = frozenset(
    {"email", "phone", "user_id", "loyalty_card_id", "lead_id", "shop_customer_id"}
)

# channel -> {column: identifier type}; the columns that carry a person's identifiers.
IDENTIFIER_COLUMNS: dict[str, dict[str, str]] = {
    "web_events": {"cookie_id": "cookie_id", "user_id": "user_id", "email": "email"},
    "app_events": {"device_id": "device_id", "user_id": "user_id"},
    "email_events": {"email": "email"},
    "social_mentions": {"handle": "social_handle"},
    "crm_leads": {"lead_id": "lead_id", "email": "email", "phone": "phone"},
    "orders": {"shop_customer_id": "shop_customer_id", "customer_email": "email", "phone": "phone"},
    "carts": {"cookie_id": "cookie_id", "shop_customer_id": "shop_customer_id", "email": "email"},
    "subscriptions": {"email": "email"},
    "pos_transactions": {"loyalty_card_id": "loyalty_card_id", "phone": "phone", "email": "email"},
    "calls": {"phone_number": "phone", "customer_email": "email"},
    "support_tickets": {"email": "email", "social_handle": "social_handle"},
    "surveys": {"email": "email"},
    "reviews": {"reviewer_email": "email", "reviewer_handle": "social_handle"},
    "referrals": {"referrer_email": "email", "referee_email": "email"},
    "media_listens": {"subscriber_email": "email"},
}


def normalise_email(value: str) -> str:
    return value.strip().lower()


def normalise_phone(value: str) -> str:
    """Any of the UK formats the generator writes -> E.164 (``+447700900123``)."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if value.strip().startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0"):
        return "+44" + digits[1:]
    return "+" + digits


def normalise_handle(value: str) -> str:
    return value.strip().lstrip("@").lower()


NORMALISERS = {
    "email": normalise_email,
    "phone": normalise_phone,
    "social_handle": normalise_handle,
}


def normalise(identifier_type: str, value: str) -> str:
    normaliser = NORMALISERS.get(identifier_type)
    return normaliser(value) if normaliser else value


@dataclass
class Cookie:
    cookie_id: str
    device_type: str
    login_at: datetime | None = None  # first login on this browser
    used: bool = False  # visited with at least once

    def logged_in(self, at: datetime) -> bool:
        return self.login_at is not None and self.login_at <= at


@dataclass
class Device:
    device_id: str
    platform: str
    login_at: datetime | None = None
    used: bool = False  # opened at least once

    def logged_in(self, at: datetime) -> bool:
        return self.login_at is not None and self.login_at <= at


@dataclass
class Person:
    person_id: str
    first_name: str
    last_name: str
    emails: list[str]  # normalised; [0] is the personal address used almost everywhere
    email_display: list[str]  # how the person types each address
    phone: str | None  # E.164
    handle: str | None  # as shown on the platform, without @
    currency: str
    home_store: str
    cookies: list[Cookie]
    devices: list[Device] = field(default_factory=list)
    user_id: str | None = None
    signup_at: datetime | None = None
    loyalty_card_id: str | None = None
    lead_id: str | None = None
    shop_customer_id: str | None = None
    newsletter_at: datetime | None = None
    unsubscribed_at: datetime | None = None
    esp_address: str | None = None  # the address as the email platform stored it
    handle_linked: bool = False  # handle written next to an email (a review, a DM ticket)
    # Filled while records are emitted; the ground truth is derived from these.
    first_seen_at: datetime | None = None
    identifiers: set[tuple[str, str]] = field(default_factory=set)
    # When each identifier was first written down (for the truth as of a day).
    identifier_first_seen: dict[tuple[str, str], datetime] = field(default_factory=dict)
    signals: list[tuple[datetime, str]] = field(default_factory=list)
    purchase_times: list[datetime] = field(default_factory=list)
    cancel_times: list[datetime] = field(default_factory=list)

    @property
    def email(self) -> str:
        return self.emails[0]


def random_hex(rng: random.Random, n: int) -> str:
    return f"{rng.getrandbits(4 * n):0{n}x}"


def random_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _ascii(name: str) -> str:
    return name.replace("ü", "ue").replace(" ", "")


def _slug(name: str) -> str:
    return "".join(ch for ch in _ascii(name).lower() if ch.isalnum())


def make_person(rng: random.Random, person_id: str, serial: int) -> Person:
    """A new person with identifiers; ``serial`` keeps emails and phones unique."""
    first = rng.choice(catalogue.FIRST_NAMES)
    last = rng.choice(catalogue.LAST_NAMES)
    plain = _ascii(last)
    local = rng.choice(
        [f"{first}.{plain}", f"{first}{plain}", f"{first[0]}.{plain}", f"{first}_{plain}"]
    )
    display = f"{local}{serial}@{rng.choice(catalogue.EMAIL_DOMAINS)}"
    email_display = [display]
    if rng.random() < 0.3:
        second = f"{_slug(first)}.{_slug(last)}{serial}@{rng.choice(catalogue.WORK_EMAIL_DOMAINS)}"
        email_display.append(second)
    # UK mobiles in the 07700 9xxxxx block; serial keeps them unique per person.
    phone = f"+4477009{serial:05d}" if rng.random() < 0.6 else None
    handle = None
    if rng.random() < 0.35:
        handle = rng.choice([f"{first}{plain}", f"{first}_{plain[0]}", f"the{first}"])
        handle += str(serial)
    currency = rng.choices(["EUR", "GBP", "USD"], weights=[80, 12, 8])[0]
    home_store = (
        "ST-LON-01" if currency == "GBP" else rng.choice(["ST-AMS-01", "ST-AMS-02", "ST-BER-01"])
    )
    cookies = []
    for _ in range(rng.choices([1, 2, 3], weights=[55, 30, 15])[0]):
        device_type = rng.choices(["desktop", "mobile", "tablet"], weights=[45, 45, 10])[0]
        cookies.append(Cookie(f"ck_{random_hex(rng, 16)}", device_type))
    return Person(
        person_id=person_id,
        first_name=first,
        last_name=last,
        emails=[normalise_email(e) for e in email_display],
        email_display=email_display,
        phone=phone,
        handle=handle,
        currency=currency,
        home_store=home_store,
        cookies=cookies,
    )


def email_as_written(rng: random.Random, person: Person, index: int = 0) -> str:
    """Mostly the address as typed; sometimes case-shifted or padded with spaces."""
    typed = person.email_display[index]
    r = rng.random()
    if r < 0.70:
        return person.emails[index]
    if r < 0.86:
        return typed
    if r < 0.92:
        return typed.upper()
    if r < 0.97:
        local, domain = typed.split("@")
        return f"  {local}@{domain.capitalize()} "
    return f"{typed} "


def phone_as_written(rng: random.Random, e164: str) -> str:
    """One of the five formats UK numbers turn up in."""
    national = "0" + e164[3:]  # 07700900123
    area, rest = national[:5], national[5:]
    fmt = rng.choices(range(5), weights=[40, 25, 15, 10, 10])[0]
    if fmt == 0:
        return e164
    if fmt == 1:
        return f"{area} {rest}"
    if fmt == 2:
        return f"+44 {area[1:]} {rest}"
    if fmt == 3:
        return f"0044 {area[1:]} {rest}"
    return f"({area}) {rest[:3]}-{rest[3:]}"


def handle_as_written(rng: random.Random, handle: str) -> str:
    r = rng.random()
    if r < 0.5:
        return "@" + handle
    if r < 0.8:
        return handle
    return "@" + handle.lower()

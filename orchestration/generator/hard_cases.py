"""The cases that make identity stitching hard, injected after the journeys.

- Family tablets: two persons of one household use one app install, each
  logged into their own account (and sometimes not logged in at all). Linking
  on the device would merge the two.
- A store's default loyalty card: the cashier scans the till's own card for
  customers without one, sometimes together with the customer's phone or email.
- Placeholder contact details typed into CRM forms: a zeros phone number, a
  ``test@`` address, next to the person's real email or phone.
- Two emails linked only through a phone: an old address that appears only on
  a CRM lead taken by phone, while the usual address appears with the same
  phone on another lead.
- Typos in names: event leads typed in later with the last name misspelt; one in
  three also has two letters of the email swapped, so that only probabilistic
  matching can join it to the person.

Every row goes through :meth:`Simulation.emit`, so the truth books each
identifier to whoever exposed it; identifiers that belong to no one person
are declared in ``sim.shared_identifiers`` and written to
``shared_identifiers.csv`` instead of ``identifiers.csv``.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from orchestration.generator import catalogue
from orchestration.generator.identity import (
    Person,
    email_as_written,
    phone_as_written,
    random_uuid,
)
from orchestration.generator.simulation import STORE_HOURS, Simulation

PLACEHOLDER_PHONES = ("07000 000000", "+44 7000 000000")
PLACEHOLDER_PHONE = "+447000000000"  # E.164 of both
PLACEHOLDER_EMAILS = ("test@mail.example", "TEST@mail.example ")
PLACEHOLDER_EMAIL = "test@mail.example"


def _moment(sim: Simulation, rng: random.Random, person: Person, hours=None) -> datetime | None:
    """A time after the person's first appearance, inside the window."""
    if person.first_seen_at is None:
        return None
    first_day = (person.first_seen_at - sim.start).days + 1
    if first_day >= sim.days:
        return None
    return sim.day_time(rng, rng.randint(first_day, sim.days - 1), hours)


def _eligible(sim: Simulation, condition) -> list[Person]:
    return [p for p in sim.persons if p.first_seen_at is not None and condition(p)]


def family_tablets(sim: Simulation, rng: random.Random, n_households: int) -> None:
    members = _eligible(sim, lambda p: p.user_id is not None)
    rng.shuffle(members)
    for i in range(min(n_households, len(members) // 2)):
        household = members[2 * i : 2 * i + 2]
        tablet_id = random_uuid(rng)
        platform = rng.choice(["ios", "android"])
        sim.shared_identifiers[("device_id", tablet_id)] = "a family tablet"
        for person in household:
            for _ in range(rng.randint(1, 3)):
                at = _moment(sim, rng, person)
                if at is None:
                    continue
                logged_in = rng.random() < 0.8
                for name in ("app_open", "screen_view", "screen_view"):
                    row = {
                        "event_id": random_uuid(rng),
                        "event_at": at,
                        "device_id": tablet_id,
                        "user_id": person.user_id if logged_in else None,
                        "event_name": name,
                        "platform": platform,
                        "app_version": rng.choice(catalogue.APP_VERSIONS),
                    }
                    # Only a logged-in session tells anyone who was holding the tablet.
                    signal = "engagement" if logged_in and name == "app_open" else None
                    sim.emit("app_events", row, at, person if logged_in else None, signal=signal)
                    at += timedelta(seconds=rng.randint(5, 120))


def store_default_cards(sim: Simulation, rng: random.Random, n_sales: int) -> None:
    buyers = _eligible(sim, lambda p: p.loyalty_card_id is None)
    if not buyers:
        return
    for _ in range(n_sales):
        person = rng.choice(buyers)
        at = _moment(sim, rng, person, STORE_HOURS)
        if at is not None:
            sim.pos_sale(rng, person, at, default_card=True)


def _lead_row(sim: Simulation, at: datetime, person: Person, email, phone, source: str) -> dict:
    return {
        "lead_id": sim.serial_id("LEAD-"),
        "created_at": at,
        "updated_at": at,
        "email": email,
        "phone": phone,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "source": source,
        "status": "new",
    }


def placeholder_contacts(sim: Simulation, rng: random.Random, n_leads: int) -> None:
    people = _eligible(sim, lambda p: True)
    with_phone = [p for p in people if p.phone]
    sim.shared_identifiers[("phone", PLACEHOLDER_PHONE)] = "a placeholder phone"
    sim.shared_identifiers[("email", PLACEHOLDER_EMAIL)] = "a test address"
    for i in range(n_leads):
        if i % 2 == 0:
            person = rng.choice(people)
            email, phone = email_as_written(rng, person), rng.choice(PLACEHOLDER_PHONES)
        elif with_phone:
            person = rng.choice(with_phone)
            email, phone = rng.choice(PLACEHOLDER_EMAILS), phone_as_written(rng, person.phone)
        else:
            continue
        at = _moment(sim, rng, person)
        if at is not None:
            row = _lead_row(sim, at, person, email, phone, "web_form")
            sim.emit("crm_leads", row, at, person, signal="acquisition")


def emails_linked_by_phone(sim: Simulation, rng: random.Random, n_persons: int) -> None:
    people = _eligible(sim, lambda p: p.phone is not None)
    for person in rng.sample(people, min(n_persons, len(people))):
        serial = int(person.person_id[1:])
        name = "".join(ch for ch in person.first_name.lower() if ch.isascii() and ch.isalnum())
        old_address = f"{name}.{serial}.old@example.net"
        first = _moment(sim, rng, person)
        second = _moment(sim, rng, person)
        if first is None or second is None:
            continue
        phone = phone_as_written(rng, person.phone)
        row = _lead_row(sim, first, person, old_address, phone, "call")
        sim.emit("crm_leads", row, first, person, signal="acquisition")
        phone = phone_as_written(rng, person.phone)
        row = _lead_row(sim, second, person, email_as_written(rng, person), phone, "event")
        sim.emit("crm_leads", row, second, person, signal="acquisition")


def _swap_two_letters(rng: random.Random, text: str) -> str | None:
    """``text`` with two neighbouring, different letters swapped (a typing slip)."""
    spots = [
        i
        for i in range(len(text) - 1)
        if text[i].isalpha() and text[i + 1].isalpha() and text[i] != text[i + 1]
    ]
    if not spots:
        return None
    i = rng.choice(spots)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def names_typed_with_typos(sim: Simulation, rng: random.Random, n_persons: int) -> None:
    """A lead typed in later from a paper form at an event, the last name misspelt.

    Of every three, two carry the person's own email, which exact stitching joins;
    the third has two letters of the email's local part swapped as well and no phone,
    so it shares no identifier with the person's other records: only probabilistic
    matching (same digits, similar letters, similar last name) can join it.
    """
    people = _eligible(sim, lambda p: p.lead_id is not None)
    for i, person in enumerate(rng.sample(people, min(n_persons, len(people)))):
        last_name = _swap_two_letters(rng, person.last_name)
        at = _moment(sim, rng, person)
        if last_name is None or at is None:
            continue
        email = email_as_written(rng, person)
        if i % 3 == 2:
            local, _, domain = person.email.partition("@")
            swapped = _swap_two_letters(rng, local)
            if swapped is None:
                continue
            email = f"{swapped}@{domain}"
        row = _lead_row(sim, at, person, email, None, "event")
        row["last_name"] = last_name
        sim.emit("crm_leads", row, at, person, signal="acquisition")


def emit_hard_cases(sim: Simulation, rng: random.Random) -> None:
    n = sim.n_persons
    family_tablets(sim, rng, max(1, n // 200))
    store_default_cards(sim, rng, max(4, n // 40))
    placeholder_contacts(sim, rng, max(2, n // 100))
    emails_linked_by_phone(sim, rng, max(2, n // 100))
    names_typed_with_typos(sim, rng, max(3, n // 130))

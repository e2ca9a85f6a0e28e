"""Person-level simulation: each person walks part of the customer lifecycle.

Awareness (an anonymous web visit from an ad, search, social or podcast; a shop
visit; an app install) -> engagement (return visits, newsletter opens and clicks,
social mentions, app opens) -> evaluation (product pages, carts) -> acquisition
(sign-up, CRM lead, subscription trial) -> conversion (first order, till receipt
or paid subscription) -> retention and loyalty (repeat purchases) -> advocacy
(referrals, good reviews, positive mentions). Customers follow one of four
habits: one-off, regular, drifter (purchases further and further apart, then
none) and win-back (a long gap, then a purchase after a win-back email).

Every row goes through :meth:`Simulation.emit`, which records the row's true
owner, the identifiers it exposes and the lifecycle evidence it carries; the
ground truth is derived from that bookkeeping only, so it cannot disagree with
the landing files.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any

from orchestration.generator import catalogue
from orchestration.generator.identity import (
    IDENTIFIER_COLUMNS,
    KNOWN_TYPES,
    Device,
    Person,
    email_as_written,
    handle_as_written,
    normalise,
    phone_as_written,
    random_hex,
    random_uuid,
)
from orchestration.generator.records import Record

HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 9, 8, 7, 7, 7, 8, 9, 10, 9, 7, 4, 2)
STORE_HOURS = tuple(range(8, 18))  # UTC

ENTRIES = ("paid", "organic", "social", "podcast", "direct", "store", "app")
ENTRY_WEIGHTS = (32, 22, 14, 7, 8, 10, 7)
# How far down the funnel a person intends to go: 0 awareness ... 4 conversion.
DEPTH_WEIGHTS = (40, 21, 12, 8, 19)
HABITS = ("one_off", "regular", "drifter", "winback")
HABIT_WEIGHTS = (38, 34, 16, 12)

AT_RISK_AFTER = timedelta(days=30)
CHURNED_AFTER = timedelta(days=60)
SUBSCRIPTION_PERIOD = timedelta(days=30)
TRIAL_LENGTH = timedelta(days=14)

# How a brand learns who is behind an identifier, as tag managers, CDPs and
# service tools do: a login; a form that asks for the email (newsletter,
# contact, chat, sign-up, login, checkout); a decorated link (an email
# campaign's subscriber id, a referral invite, an e-receipt's customer token);
# a till that registers a card with phone and email; a call-centre agent who
# finds the caller's record; a direct message that becomes a support ticket.
# Someone without an account keeps to one browser, and an app-first person
# stays in the app until they sign up (a person who never identifies shows up
# on one surface only). Each identification is lost with probability
# UNIDENTIFIED_SHARE (an ad blocker, a dismissed consent banner, a skipped
# login), and linking.identify_loose_ends gives a loose identifier one more
# chance, so a small share of identifiers can never be joined: the gap the
# quality report's attainable recall shows.
UNIDENTIFIED_SHARE = 0.02
FORM_PATHS = frozenset(
    {
        "/newsletter/subscribe",
        "/contact/thanks",
        "/contact/chat",
        "/account/signup",
        "/account/login",
        "/checkout",
    }
)
# Landing pages of links that carry a signed customer token (the e-receipt).
TOKEN_PATHS = frozenset({"/receipt"})

# Columns of the referral row that identify the referee, not the referrer.
REFEREE_COLUMNS = {"referee_email"}
# The card each till scans when a customer has none of their own (see hard_cases).
STORE_DEFAULT_CARDS = {
    store: f"LC{number:09d}" for number, store in enumerate(sorted(catalogue.STORES), start=1)
}


def _money(value: float) -> float:
    return round(value + 1e-9, 2)


class Simulation:
    """Holds the window, the id registries and every emitted row."""

    def __init__(self, *, start_date: date, days: int, seed: int, persons: int) -> None:
        self.start = datetime.combine(start_date, time())
        self.end = self.start + timedelta(days=days)  # exclusive
        self.days = days
        self.seed = seed
        self.n_persons = persons
        self.rng = random.Random(seed)
        self.records: list[Record] = []
        self.persons: list[Person] = []
        self.purchases: list[dict[str, Any]] = []
        self.paid_clicks: Counter[tuple[date, str]] = Counter()
        self.subscriber_listens: dict[tuple[date, str, str, str], list] = {}
        self.referral_intents: list[tuple[datetime, Person]] = []
        # Identifiers that belong to no one person (shared or placeholder), with why.
        self.shared_identifiers: dict[tuple[str, str], str] = {}
        self._used: set[str] = set()
        self._serial: Counter[str] = Counter()
        self.newsletter_sends = self._newsletter_schedule()
        self.episodes = self._episodes()

    # ------------------------------------------------------------------ helpers

    def _newsletter_schedule(self) -> list[tuple[datetime, str]]:
        sends = []
        day = self.start
        while day.weekday() != 1:  # Tuesdays
            day += timedelta(days=1)
        while day < self.end:
            iso = day.isocalendar()
            sends.append((day + timedelta(hours=9), f"newsletter_{iso[0]}_w{iso[1]:02d}"))
            day += timedelta(days=7)
        return sends

    def _episodes(self) -> list[tuple[str, str, date]]:
        """(episode_id, media_type, released_on): weekly podcasts, fortnightly videos."""
        episodes = []
        first = self.start.date() - timedelta(days=28)
        for i in range((self.days + 28) // 7 + 1):
            episodes.append((f"POD-{i + 1:03d}", "podcast", first + timedelta(days=7 * i)))
        for i in range((self.days + 28) // 14 + 1):
            episodes.append((f"VID-{i + 1:03d}", "video", first + timedelta(days=3 + 14 * i)))
        return [e for e in episodes if e[2] < self.end.date()]

    def unique_id(self, rng: random.Random, prefix: str, digits: int) -> str:
        while True:
            value = f"{prefix}{rng.randrange(10 ** (digits - 1), 10**digits)}"
            if value not in self._used:
                self._used.add(value)
                return value

    def serial_id(self, prefix: str, width: int = 6) -> str:
        self._serial[prefix] += 1
        return f"{prefix}{self._serial[prefix]:0{width}d}"

    def in_window(self, at: datetime) -> bool:
        return self.start <= at < self.end

    def day_time(
        self, rng: random.Random, day: int, hours: tuple[int, ...] | None = None
    ) -> datetime:
        hour = rng.choice(hours) if hours else rng.choices(range(24), HOUR_WEIGHTS)[0]
        return self.start + timedelta(
            days=day, hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60)
        )

    def after(
        self, rng: random.Random, at: datetime, mean_days: float, min_days: int = 0
    ) -> datetime:
        """A moment a random number of days after ``at``, at a plausible hour."""
        gap = min_days + round(rng.expovariate(1 / mean_days)) if mean_days > 0 else min_days
        day = (at - self.start).days + gap
        candidate = self.day_time(rng, day)
        if candidate <= at:
            candidate = at + timedelta(minutes=rng.randint(5, 240))
        return candidate

    @staticmethod
    def seconds(rng: random.Random, low: int, high: int) -> timedelta:
        return timedelta(seconds=rng.randint(low, high))

    def emit(
        self,
        channel: str,
        row: dict[str, Any],
        at: datetime,
        person: Person | None = None,
        *,
        signal: str | None = None,
        referee: Person | None = None,
    ) -> Record | None:
        """Keep a row if it falls inside the window, and book what it reveals."""
        if not self.in_window(at):
            return None
        record = Record(channel, dict(row), at, person.person_id if person else None)
        self.records.append(record)
        if person is not None:
            if person.first_seen_at is None or at < person.first_seen_at:
                person.first_seen_at = at
            for column, kind in IDENTIFIER_COLUMNS.get(channel, {}).items():
                value = row.get(column)
                if not value:
                    continue
                owner = referee if column in REFEREE_COLUMNS else person
                if owner is None:
                    continue
                identifier = (kind, normalise(kind, value))
                owner.identifiers.add(identifier)
                seen = owner.identifier_first_seen.get(identifier)
                if seen is None or at < seen:
                    owner.identifier_first_seen[identifier] = at
                if owner is referee and (
                    referee.first_seen_at is None or at < referee.first_seen_at
                ):
                    referee.first_seen_at = at
            if signal:
                person.signals.append((at, signal))
        return record

    # ------------------------------------------------------------------ web

    def _utm(self, rng: random.Random, source: str, at: datetime, campaign: str | None = None):
        """(utm_source, utm_medium, utm_campaign, referrer) for a session's landing page."""
        if source in ("paid", "podcast", "retargeting"):
            if source == "podcast":
                paid = catalogue.PAID_CAMPAIGNS[-1]
            elif source == "retargeting":
                paid = next(c for c in catalogue.PAID_CAMPAIGNS if c.campaign == "meta_retargeting")
            else:
                paid = rng.choices(
                    catalogue.PAID_CAMPAIGNS[:-1],
                    [c.weight for c in catalogue.PAID_CAMPAIGNS[:-1]],
                )[0]
            self.paid_clicks[(at.date(), paid.campaign)] += 1
            return paid.utm_source, paid.utm_medium, paid.campaign, paid.referrer or None
        if source == "organic":
            engine = rng.choices(
                ["https://www.google.com/", "https://www.bing.com/", "https://duckduckgo.com/"],
                [85, 10, 5],
            )[0]
            return None, None, None, engine
        if source == "social":
            platform = rng.choice(catalogue.SOCIAL_PLATFORMS)
            social_campaign = rng.choice([c for c in catalogue.SOCIAL_CAMPAIGNS if c])
            return platform, "social", social_campaign, catalogue.SOCIAL_REFERRERS[platform]
        if source == "email":
            return "newsletter", "email", campaign, None
        if source == "referral":
            return "referral", "referral", "refer_a_friend", None
        if source == "affiliate":
            affiliate = campaign or rng.choice(catalogue.AFFILIATES)
            return "affiliate", "affiliate", affiliate.lower(), "https://partners.example/"
        return None, None, None, None  # direct

    def pick_cookie(self, rng: random.Random, person: Person):
        """The browser of a visit: the first one until the person has an account."""
        if person.user_id is None:
            return person.cookies[0]
        weights = [6, 3, 2][: len(person.cookies)]
        return rng.choices(person.cookies, weights)[0]

    @staticmethod
    def is_known(person: Person) -> bool:
        """Whether the person has exposed an identifier that names them (not a cookie)."""
        return any(kind in KNOWN_TYPES for kind, _ in person.identifiers)

    @staticmethod
    def identified(rng: random.Random) -> bool:
        """Whether one identification reaches the export (see UNIDENTIFIED_SHARE)."""
        return rng.random() >= UNIDENTIFIED_SHARE

    def web_session(
        self,
        rng: random.Random,
        person: Person,
        at: datetime,
        source: str,
        paths: list[str],
        *,
        cookie=None,
        login: bool = False,
        signal: str | None = None,
        campaign: str | None = None,
    ) -> datetime:
        """Page views of one visit; returns the time of the last page."""
        cookie = cookie or self.pick_cookie(rng, person)
        first_use = not cookie.used
        cookie.used = True
        if first_use and person.user_id and self.identified(rng):
            login = True  # a new browser of an account holder: they sign in
        if login and person.user_id and not cookie.logged_in(at):
            cookie.login_at = at
        utm_source, utm_medium, utm_campaign, referrer = self._utm(rng, source, at, campaign)
        previous_url = None
        for i, path in enumerate(paths):
            url = catalogue.SITE + path
            if i == 0 and utm_source:
                query = f"utm_source={utm_source}&utm_medium={utm_medium}"
                if utm_campaign:
                    query += f"&utm_campaign={utm_campaign}"
                url += ("&" if "?" in url else "?") + query
            logged_in = person.user_id is not None and cookie.logged_in(at)
            # A form submit or an email's decorated link tells the site who it is.
            identify = (
                path in FORM_PATHS
                or path in TOKEN_PATHS
                or (i == 0 and source in ("email", "referral"))
            )
            row = {
                "event_id": random_uuid(rng),
                "event_at": at,
                "cookie_id": cookie.cookie_id,
                "user_id": person.user_id if logged_in else None,
                "email": email_as_written(rng, person)
                if (logged_in and rng.random() < 0.9) or (identify and self.identified(rng))
                else None,
                "url": url,
                "referrer": referrer if i == 0 else previous_url,
                "utm_source": utm_source if i == 0 else None,
                "utm_medium": utm_medium if i == 0 else None,
                "utm_campaign": utm_campaign if i == 0 else None,
                "device_type": cookie.device_type,
            }
            page_signal = signal if i == 0 else None
            if path.startswith(("/products/", "/cart", "/checkout")):
                page_signal = "evaluation"
            self.emit("web_events", row, at, person, signal=page_signal)
            previous_url = url
            at += self.seconds(rng, 15, 200)
        return at

    @staticmethod
    def browse_paths(rng: random.Random, n: int) -> list[str]:
        return [rng.choice(catalogue.BROWSE_PAGES) for _ in range(n)]

    @staticmethod
    def product_paths(rng: random.Random, n: int) -> list[str]:
        products = rng.sample(catalogue.PRODUCTS, min(n, len(catalogue.PRODUCTS)))
        return [f"/products/{p.sku.lower()}" for p in products]

    # ------------------------------------------------------------------ app

    def new_device(self, rng: random.Random, person: Person) -> Device:
        device = Device(random_uuid(rng), rng.choices(["ios", "android"], [55, 45])[0])
        person.devices.append(device)
        return device

    def ensure_account(self, person: Person, at: datetime) -> bool:
        """Give the person a web/app account; True if it was created now."""
        if person.user_id is not None:
            return False
        person.user_id = self.serial_id("U")
        person.signup_at = at
        return True

    def app_session(
        self,
        rng: random.Random,
        person: Person,
        device: Device,
        at: datetime,
        events: list[str],
        *,
        signal: str | None = None,
    ) -> datetime:
        version = rng.choice(catalogue.APP_VERSIONS)
        new_install = not device.used and person.user_id is not None and "login" not in events
        if new_install and self.identified(rng):
            events = [events[0], "login", *events[1:]]  # a new install: they sign in
        device.used = True
        for i, name in enumerate(events):
            event_signal = signal if i == 0 else None
            if name == "sign_up":
                if not self.ensure_account(person, at):
                    name = "login"
                else:
                    event_signal = "acquisition"
                device.login_at = at
            elif name == "login":
                if person.user_id is None:
                    continue
                device.login_at = device.login_at or at
            elif name == "add_to_cart":
                event_signal = "evaluation"
            logged_in = person.user_id is not None and device.logged_in(at)
            row = {
                "event_id": random_uuid(rng),
                "event_at": at,
                "device_id": device.device_id,
                "user_id": person.user_id if logged_in else None,
                "event_name": name,
                "platform": device.platform,
                "app_version": version,
            }
            self.emit("app_events", row, at, person, signal=event_signal)
            at += self.seconds(rng, 5, 120)
        return at

    # ------------------------------------------------------------------ commerce

    def _basket(
        self, rng: random.Random, currency: str
    ) -> list[tuple[catalogue.Product, int, float]]:
        n = rng.choices([1, 2, 3, 4], [45, 30, 17, 8])[0]
        lines = []
        for product in rng.sample(catalogue.PRODUCTS, n):
            quantity = rng.choices([1, 2, 3], [80, 15, 5])[0]
            unit = _money(product.price_eur * catalogue.FX_FROM_EUR[currency])
            lines.append((product, quantity, unit))
        return lines

    def create_cart(self, rng: random.Random, person: Person, at: datetime, cookie) -> dict | None:
        if not self.in_window(at):
            return None
        currency = person.currency
        amount = _money(sum(q * u for _, q, u in self._basket(rng, currency)))
        logged_in = person.user_id is not None and cookie.logged_in(at)
        row = {
            "cart_id": f"cart_{random_hex(rng, 12)}",
            "created_at": at,
            "updated_at": at,
            "cookie_id": cookie.cookie_id,
            "shop_customer_id": person.shop_customer_id if logged_in else None,
            "email": email_as_written(rng, person) if logged_in else None,
            "status": "created",
            "cart_amount": amount,
            "currency": currency,
            "order_id": None,
        }
        self.emit("carts", row, at, person, signal="evaluation")
        return row

    def update_cart(self, person: Person, cart: dict, at: datetime, **changes: Any) -> None:
        row = {**cart, **changes, "updated_at": at}
        cart.update(row)
        self.emit("carts", dict(row), at, person)

    def place_order(
        self,
        rng: random.Random,
        person: Person,
        at: datetime,
        *,
        utm_source: str | None,
        cart: dict | None = None,
        affiliate: str | None = None,
        refund_rate: float = 0.05,
    ) -> str | None:
        if not self.in_window(at):
            return None
        currency = person.currency
        lines = self._basket(rng, currency)
        subtotal = _money(sum(q * u for _, q, u in lines))
        tax = _money(subtotal * catalogue.TAX_RATE[currency])
        shipping = (
            catalogue.SHIPPING_FEE[currency] if subtotal < catalogue.FREE_SHIPPING_FROM else 0.0
        )
        total = _money(subtotal + tax + shipping)
        order_id = self.unique_id(rng, "ORD-", 8)
        has_account = person.shop_customer_id is not None or (
            rng.random() < (0.85 if person.user_id else 0.35)
        )
        if has_account and person.shop_customer_id is None:
            person.shop_customer_id = self.serial_id("C")
        # The second (work) address is used only with the phone next to it: the
        # phone is then the one link between the person's two emails.
        second = len(person.emails) > 1 and person.phone is not None
        email_index = 1 if second and rng.random() < 0.3 else 0
        # Shop exports carry the account's email on every order (guest orders too).
        with_email = True
        row = {
            "order_id": order_id,
            "ordered_at": at,
            "updated_at": at,
            "shop_customer_id": person.shop_customer_id if has_account else None,
            "customer_email": email_as_written(rng, person, email_index) if with_email else None,
            # Checkout asks for a delivery phone.
            "phone": phone_as_written(rng, person.phone)
            if person.phone and (email_index == 1 or self.identified(rng))
            else None,
            "currency": currency,
            "subtotal_amount": subtotal,
            "tax_amount": tax,
            "shipping_amount": shipping,
            "total_amount": total,
            "refunded_amount": 0.0,
            "status": "paid",
            "utm_source": utm_source,
        }
        self.emit("orders", row, at, person)
        for number, (product, quantity, unit) in enumerate(lines, start=1):
            line = {
                "order_id": order_id,
                "line_number": number,
                "sku": product.sku,
                "product_name": product.name,
                "quantity": quantity,
                "unit_price_amount": unit,
                "line_amount": _money(quantity * unit),
            }
            self.emit("order_lines", line, at, person)
        delivered_at = at + timedelta(days=rng.randint(2, 5), hours=rng.randint(0, 8))
        self.emit(
            "orders",
            {**row, "status": "delivered", "updated_at": delivered_at},
            delivered_at,
            person,
        )
        refunded, refunded_at = 0.0, None
        if rng.random() < refund_rate:
            refund_at = at + timedelta(days=rng.randint(4, 20), hours=rng.randint(0, 8))
            if self.in_window(refund_at):
                full = rng.random() < 0.6
                refunded = total if full else _money(total * rng.uniform(0.2, 0.6))
                status = "refunded" if full else "partially_refunded"
                refund_row = {
                    **row,
                    "status": status,
                    "refunded_amount": refunded,
                    "updated_at": refund_at,
                }
                self.emit("orders", refund_row, refund_at, person)
                refunded_at = refund_at
        if cart is not None:
            self.update_cart(
                person,
                cart,
                at,
                status="converted",
                order_id=order_id,
                cart_amount=subtotal,
                shop_customer_id=row["shop_customer_id"],
                email=row["customer_email"] or cart["email"],
            )
        if affiliate:
            converted_at = at + self.seconds(rng, 30, 3600)
            conversion = {
                "conversion_id": f"cv_{random_hex(rng, 10)}",
                "converted_at": converted_at,
                "affiliate_id": affiliate,
                "order_id": order_id,
                "order_amount": total,
                "commission_amount": _money(subtotal * rng.choice([0.05, 0.08, 0.10])),
                "currency": currency,
            }
            self.emit("affiliate_conversions", conversion, converted_at)
        self.purchases.append(
            {
                "channel": "orders",
                "purchase_id": order_id,
                "person_id": person.person_id,
                "purchased_at": at,
                "currency": currency,
                "gross_amount": total,
                "refunded_amount": refunded,
                "refunded_at": refunded_at,
            }
        )
        person.purchase_times.append(at)
        return order_id

    def pos_sale(
        self, rng: random.Random, person: Person, at: datetime, *, default_card: bool = False
    ) -> str | None:
        """A till sale; with ``default_card`` the cashier scans the store's own card."""
        if not self.in_window(at):
            return None
        store = person.home_store if rng.random() < 0.85 else rng.choice(list(catalogue.STORES))
        currency = catalogue.STORES[store]
        amount = _money(rng.uniform(6, 95) * catalogue.FX_FROM_EUR[currency])
        card_issued_now = False
        if not default_card and person.loyalty_card_id is None and rng.random() < 0.7:
            person.loyalty_card_id = self.unique_id(rng, "LC", 9)
            card_issued_now = True
        if default_card:
            card = STORE_DEFAULT_CARDS[store]
            self.shared_identifiers[("loyalty_card_id", card)] = "a store's default loyalty card"
        else:
            card = person.loyalty_card_id if card_issued_now or rng.random() < 0.9 else None
        transaction_id = f"TX-{store[3:6]}-{random_hex(rng, 10).upper()}"
        phone_written = person.phone is not None and (card_issued_now or rng.random() < 0.25)
        # Without a card, the till offers an e-receipt: most give their email.
        e_receipt = card is None and not phone_written and self.identified(rng)
        row = {
            "transaction_id": transaction_id,
            "transacted_at": at,
            "store_id": store,
            "loyalty_card_id": card,
            # A card is registered at the till with the holder's phone and email;
            # a phone typed without a card is for the e-receipt, sent by email.
            "phone": phone_as_written(rng, person.phone) if phone_written else None,
            "email": email_as_written(rng, person)
            if (card_issued_now and (not person.phone or self.identified(rng)))
            or (phone_written and card is None)
            or e_receipt
            or rng.random() < 0.25
            else None,
            "transaction_type": "sale",
            "amount": amount,
            "currency": currency,
        }
        self.emit("pos_transactions", row, at, person)
        self.purchases.append(
            {
                "channel": "pos_transactions",
                "purchase_id": transaction_id,
                "person_id": person.person_id,
                "purchased_at": at,
                "currency": currency,
                "gross_amount": amount,
                "refunded_amount": 0.0,
            }
        )
        person.purchase_times.append(at)
        if rng.random() < 0.04:
            return_at = self.after(rng, at, 4, min_days=1)
            return_at = return_at.replace(hour=rng.choice(STORE_HOURS))
            if self.in_window(return_at) and return_at > at:
                returned = (
                    -amount if rng.random() < 0.6 else -_money(amount * rng.uniform(0.2, 0.7))
                )
                return_id = f"TX-{store[3:6]}-{random_hex(rng, 10).upper()}"
                return_row = {
                    **row,
                    "transaction_id": return_id,
                    "transacted_at": return_at,
                    "transaction_type": "return",
                    "amount": returned,
                }
                self.emit("pos_transactions", return_row, return_at, person)
                self.purchases.append(
                    {
                        "channel": "pos_transactions",
                        "purchase_id": return_id,
                        "person_id": person.person_id,
                        "purchased_at": return_at,
                        "currency": currency,
                        "gross_amount": returned,
                        "refunded_amount": 0.0,
                    }
                )
        return transaction_id

    # ------------------------------------------------------------------ crm and service

    def create_lead(
        self, rng: random.Random, person: Person, at: datetime, source: str
    ) -> dict | None:
        if not self.in_window(at):
            return None
        person.lead_id = person.lead_id or self.serial_id("LEAD-")
        second = len(person.emails) > 1 and person.phone is not None
        email_index = 1 if second and rng.random() < 0.5 else 0
        # A sales agent taking a lead by phone asks for an email to send the quote to.
        with_email = source != "call" or self.identified(rng)
        with_phone = person.phone is not None and (
            source == "call" or email_index == 1 or rng.random() < 0.5
        )
        named = rng.random() < (0.6 if source == "call" else 0.9)
        row = {
            "lead_id": person.lead_id,
            "created_at": at,
            "updated_at": at,
            "email": email_as_written(rng, person, email_index) if with_email else None,
            "phone": phone_as_written(rng, person.phone) if with_phone else None,
            "first_name": person.first_name if named else None,
            "last_name": person.last_name if named else None,
            "source": source,
            "status": "new",
        }
        if not row["email"] and not row["phone"]:
            row["email"] = email_as_written(rng, person)
        self.emit("crm_leads", row, at, person, signal="acquisition")
        return row

    def update_lead(self, person: Person, lead: dict | None, at: datetime, status: str) -> None:
        if lead is None or lead["status"] in ("converted", "lost"):
            return
        if at <= lead["updated_at"]:
            at = lead["updated_at"] + timedelta(minutes=1)
        lead.update(status=status, updated_at=at)
        self.emit("crm_leads", dict(lead), at, person)

    def call(
        self,
        rng: random.Random,
        person: Person,
        at: datetime,
        direction: str,
        reason: str,
        *,
        signal: str | None = None,
    ) -> None:
        if person.phone is None:
            return
        row = {
            "call_id": f"CALL-{random_hex(rng, 10).upper()}",
            "started_at": at,
            "phone_number": phone_as_written(rng, person.phone),
            "direction": direction,
            "reason": reason,
            "duration_seconds": rng.randint(20, 900),
            # The agent finds the caller's customer record when the brand has their email.
            "customer_email": email_as_written(rng, person)
            if ("email", person.email) in person.identifiers and self.identified(rng)
            else None,
        }
        self.emit("calls", row, at, person, signal=signal)

    def support_ticket(
        self,
        rng: random.Random,
        person: Person,
        at: datetime,
        happy: bool,
        *,
        social_handle: str | None = None,
    ) -> None:
        """A ticket; with ``social_handle`` it was opened from a direct message."""
        if not self.in_window(at):
            return
        channel = rng.choices(["email", "chat", "phone"], [50, 35, 15])[0]
        if channel == "phone" and person.phone is None:
            channel = "email"
        if social_handle is not None:
            channel = "social"
        row = {
            "ticket_id": f"TCK-{random_hex(rng, 8).upper()}",
            "opened_at": at,
            "updated_at": at,
            "resolved_at": None,
            "email": email_as_written(rng, person),
            "contact_channel": channel,
            "social_handle": social_handle,
            "category": rng.choice(catalogue.SUPPORT_CATEGORIES),
            "csat_score": None,
        }
        self.emit("support_tickets", row, at, person)
        if channel == "phone":
            reason = rng.choice(
                ["support", "complaint"] if not happy else ["support", "order_status"]
            )
            self.call(rng, person, at - timedelta(minutes=2), "inbound", reason)
        resolved_at = at + timedelta(hours=rng.randint(1, 72))
        score = rng.choice([4, 5, 5]) if happy else rng.choice([1, 2, 3])
        csat = score if rng.random() < 0.6 else None
        resolved = {
            **row,
            "resolved_at": resolved_at,
            "updated_at": resolved_at,
            "csat_score": csat,
        }
        self.emit("support_tickets", resolved, resolved_at, person)
        if rng.random() < 0.3:
            self.survey(
                rng, person, resolved_at + timedelta(hours=rng.randint(1, 30)), "csat", happy
            )

    def survey(
        self, rng: random.Random, person: Person, at: datetime, kind: str, happy: bool
    ) -> None:
        if kind == "nps":
            score = rng.choice([9, 10, 10, 8]) if happy else rng.choice([2, 4, 5, 6, 7])
        else:
            score = rng.choice([4, 5]) if happy else rng.choice([1, 2, 3])
        anonymous = rng.random() < 0.15
        row = {
            "response_id": f"RSP-{random_hex(rng, 10)}",
            "responded_at": at,
            "email": None if anonymous else email_as_written(rng, person),
            "survey_type": kind,
            "score": score,
            "comment": rng.choice(catalogue.SURVEY_COMMENTS["good" if happy else "bad"]) or None,
        }
        self.emit("surveys", row, at, None if anonymous else person)

    def review(self, rng: random.Random, person: Person, at: datetime, happy: bool) -> None:
        rating = rng.choices([5, 4, 3], [60, 30, 10])[0] if happy else rng.choice([1, 2, 3, 4])
        platform = rng.choice(catalogue.REVIEW_PLATFORMS)
        if platform == "app_store" and not person.devices:
            platform = "google"
        email = handle = None
        if person.handle and rng.random() < 0.7:
            handle = handle_as_written(rng, person.handle)
            # A verified-buyer review names the buyer's email next to a handle
            # the brand has not linked yet.
            if rng.random() < 0.4 or (not person.handle_linked and self.identified(rng)):
                email = email_as_written(rng, person)
                person.handle_linked = True
        else:
            email = email_as_written(rng, person)
        row = {
            "review_id": f"RV-{random_hex(rng, 10)}",
            "reviewed_at": at,
            "platform": platform,
            "rating": rating,
            "reviewer_email": email,
            "reviewer_handle": handle,
            "sku": rng.choice(catalogue.PRODUCTS).sku if platform in ("shop", "google") else None,
        }
        self.emit("reviews", row, at, person, signal="advocacy" if rating >= 4 else None)

    def mention(
        self, rng: random.Random, person: Person, at: datetime, sentiment: str, signal: str | None
    ) -> None:
        # A person who never identified shows up on one surface only: their
        # social life is out of the brand's sight.
        if person.handle is None or not self.is_known(person):
            return
        row = {
            "mention_id": f"MN-{random_hex(rng, 12)}",
            "mentioned_at": at,
            "platform": rng.choice(catalogue.SOCIAL_PLATFORMS),
            "handle": handle_as_written(rng, person.handle),
            "sentiment": sentiment,
            "likes": rng.choices([0, 1, 2, 5, 20, 150], [30, 25, 20, 15, 8, 2])[0],
        }
        self.emit("social_mentions", row, at, person, signal=signal)
        if not person.handle_linked:
            # The social team answers the first mention; the person writes back
            # by direct message, which opens a ticket with handle and email.
            person.handle_linked = True
            if self.identified(rng):
                handle = handle_as_written(rng, person.handle)
                dm_at = at + timedelta(minutes=rng.randint(20, 600))
                self.support_ticket(rng, person, dm_at, True, social_handle=handle)

    def listen(self, rng: random.Random, person: Person, at: datetime) -> None:
        """A known subscriber plays an episode; aggregated per day in :mod:`aggregates`."""
        released = [e for e in self.episodes if e[2] <= at.date()]
        if not released or not self.in_window(at):
            return
        episode_id, media_type, _ = rng.choice(released[-4:])
        platforms = (
            ["spotify", "apple_podcasts", "website"] if media_type == "podcast" else ["youtube"]
        )
        key = (at.date(), episode_id, rng.choice(platforms), person.person_id)
        entry = self.subscriber_listens.setdefault(key, [person, media_type, at, 0])
        entry[3] += 1
        person.signals.append((at, "engagement"))

    # ------------------------------------------------------------------ email

    def email_event(
        self,
        rng: random.Random,
        person: Person,
        address: str,
        at: datetime,
        campaign: str,
        event_type: str,
    ) -> None:
        row = {
            "event_id": random_uuid(rng),
            "event_at": at,
            "email": address,
            "campaign": campaign,
            "event_type": event_type,
        }
        signal = "engagement" if event_type in ("open", "click") else None
        self.emit("email_events", row, at, person, signal=signal)

    def campaign_email(
        self,
        rng: random.Random,
        person: Person,
        at: datetime,
        campaign: str,
        open_rate: float,
        click_rate: float,
    ) -> datetime | None:
        """Send, maybe open, maybe click (which lands on the site). Returns the click time."""
        if person.esp_address is None:
            person.esp_address = email_as_written(rng, person)
        address = person.esp_address
        self.email_event(rng, person, address, at, campaign, "send")
        if rng.random() < 0.004:
            self.email_event(rng, person, address, at + timedelta(seconds=30), campaign, "bounce")
            return None
        if rng.random() >= open_rate:
            return None
        opened = at + timedelta(minutes=rng.randint(3, 2 * 24 * 60))
        self.email_event(rng, person, address, opened, campaign, "open")
        if rng.random() >= click_rate:
            return None
        clicked = opened + self.seconds(rng, 10, 300)
        self.email_event(rng, person, address, clicked, campaign, "click")
        return clicked

    def ensure_a_refund(self, rng: random.Random) -> None:
        """Small runs can end without any refund; refund one order so every run has one."""
        orders = [p for p in self.purchases if p["channel"] == "orders"]
        if not orders or any(p["refunded_amount"] for p in orders):
            return
        candidates = [p for p in orders if p["purchased_at"] + timedelta(days=4) < self.end]
        if not candidates:
            return
        purchase = rng.choice(candidates)
        refund_at = min(
            purchase["purchased_at"] + timedelta(days=rng.randint(4, 10)),
            self.end - timedelta(minutes=1),
        )
        latest = max(
            (
                r
                for r in self.records
                if r.channel == "orders" and r.row["order_id"] == purchase["purchase_id"]
            ),
            key=lambda r: r.at,
        )
        refunded = purchase["gross_amount"]
        row = {**latest.row, "status": "refunded", "refunded_amount": refunded}
        row["updated_at"] = max(refund_at, latest.at + timedelta(minutes=1))
        if not self.in_window(row["updated_at"]):
            return
        person = next(p for p in self.persons if p.person_id == purchase["person_id"])
        self.emit("orders", row, row["updated_at"], person)
        purchase["refunded_amount"] = refunded
        purchase["refunded_at"] = row["updated_at"]

"""One person's path through the lifecycle, written as a short story per stage."""

from __future__ import annotations

import bisect
import random
from datetime import datetime, timedelta

from orchestration.generator import catalogue
from orchestration.generator.identity import Person, email_as_written, random_hex
from orchestration.generator.simulation import (
    DEPTH_WEIGHTS,
    ENTRIES,
    ENTRY_WEIGHTS,
    HABIT_WEIGHTS,
    HABITS,
    STORE_HOURS,
    SUBSCRIPTION_PERIOD,
    TRIAL_LENGTH,
    Simulation,
)

OPEN_RATES = {"none": 0.2, "one_off": 0.3, "regular": 0.45, "drifter": 0.3, "winback": 0.25}


class Journey:
    def __init__(self, sim: Simulation, person: Person, rng: random.Random) -> None:
        self.sim = sim
        self.p = person
        self.rng = rng
        self.habit = "none"
        self.happy = rng.random() < 0.6
        self.device = None
        self.cart: dict | None = None
        self.cart_cookie = None
        self.lead: dict | None = None
        self.subscription: dict | None = None
        self.prefers_store = False
        self.app_first = False  # installed the app before using the site
        self.last_source = "direct"
        self.n_purchases = 0

    # ------------------------------------------------------------------ story

    def run(self) -> None:
        sim, rng, p = self.sim, self.rng, self.p
        day = min(sim.days - 1, int(sim.days * rng.random() ** 1.3))
        entry = rng.choices(ENTRIES, ENTRY_WEIGHTS)[0]
        depth = rng.choices(range(5), DEPTH_WEIGHTS)[0]
        if entry == "store":
            t = sim.day_time(rng, day, STORE_HOURS)
            self.prefers_store = True
            self.become_customer(t, store=True)
            if rng.random() < 0.4:
                visit = sim.after(rng, t, 5, min_days=1)
                # The till emailed a receipt; its link brings the person to the site.
                subscribes = rng.random() < 0.5
                paths = ["/receipt", *sim.browse_paths(rng, 2)]
                paths += ["/newsletter/subscribe"] if subscribes else []
                end = sim.web_session(rng, p, visit, rng.choice(["organic", "direct"]), paths)
                if subscribes:
                    self.subscribe_newsletter(end)
            self.finish()
            return
        t = sim.day_time(rng, day)
        if entry == "app":
            self.app_first = True
            self.device = sim.new_device(rng, p)
            t = sim.app_session(rng, p, self.device, t, ["app_open", "screen_view", "screen_view"])
        else:
            paths = sim.browse_paths(rng, rng.randint(1, 3))
            if entry == "paid" and rng.random() < 0.3:
                paths = sim.product_paths(rng, 1) + paths[:1]
            t = sim.web_session(rng, p, t, entry, paths)
            self.last_source = entry
            if entry == "podcast":
                depth = max(depth, 1)
        if depth >= 1:
            t = self.engage(t, entry)
        if depth >= 2:
            t = self.evaluate(t)
        if depth >= 3:
            t = self.acquire(t)
        if depth >= 4:
            t = sim.after(rng, t, 4)
            self.become_customer(t, store=rng.random() < 0.2)
        self.finish()

    def in_app(self) -> bool:
        """An app-first person without an account stays in the app (one surface)."""
        return self.app_first and self.device is not None and self.p.user_id is None

    def engage(self, t: datetime, entry: str) -> datetime:
        sim, rng, p = self.sim, self.rng, self.p
        start = t
        if self.in_app():
            for _ in range(rng.choice([1, 1, 2, 3])):
                t = sim.after(rng, t, 4, min_days=1)
                events = ["app_open", *["screen_view"] * rng.randint(1, 4)]
                t = sim.app_session(rng, p, self.device, t, events, signal="engagement")
            return t
        if rng.random() < 0.6 or entry == "podcast":
            t = sim.after(rng, t, 2)
            t = sim.web_session(
                rng, p, t, "direct", ["/", "/newsletter/subscribe"], signal="engagement"
            )
            self.subscribe_newsletter(t)
        for _ in range(rng.choice([1, 1, 2, 3])):
            t = sim.after(rng, t, 4, min_days=1)
            source = rng.choices(["direct", "organic", "social", "paid"], [40, 30, 20, 10])[0]
            t = sim.web_session(
                rng, p, t, source, sim.browse_paths(rng, rng.randint(1, 4)), signal="engagement"
            )
        if p.handle and rng.random() < 0.5:
            sentiment = rng.choices(["neutral", "positive"], [60, 40])[0]
            sim.mention(rng, p, sim.after(rng, start, 6), sentiment, "engagement")
        if self.device is None and p.user_id is not None and rng.random() < 0.25:
            self.device = sim.new_device(rng, p)
        if self.device is not None:
            sim.app_session(
                rng,
                p,
                self.device,
                sim.after(rng, start, 3, min_days=1),
                ["app_open", "screen_view", "screen_view"],
                signal="engagement",
            )
        if p.newsletter_at and (entry == "podcast" or rng.random() < 0.3):
            listen_at = t
            for _ in range(rng.randint(1, 5)):
                listen_at = sim.after(rng, listen_at, 6)
                sim.listen(rng, p, listen_at)
        return t

    def evaluate(self, t: datetime) -> datetime:
        sim, rng, p = self.sim, self.rng, self.p
        t = sim.after(rng, t, 3)
        if self.device is not None and (self.in_app() or rng.random() < 0.4):
            return sim.app_session(
                rng, p, self.device, t, ["app_open", "screen_view", "screen_view", "add_to_cart"]
            )
        cookie = sim.pick_cookie(rng, p)
        source = rng.choices(["direct", "organic", "retargeting", "paid"], [35, 30, 20, 15])[0]
        paths = sim.product_paths(rng, rng.randint(2, 4))
        t = sim.web_session(rng, p, t, source, paths, cookie=cookie)
        self.last_source = source
        if rng.random() < 0.6:
            t = sim.web_session(rng, p, t, "direct", ["/cart"], cookie=cookie)
            self.cart = sim.create_cart(rng, p, t, cookie)
            self.cart_cookie = cookie
        return t

    def acquire(self, t: datetime) -> datetime:
        sim, rng, p = self.sim, self.rng, self.p
        t = sim.after(rng, t, 3)
        wants_lead = rng.random() < 0.4
        wants_trial = rng.random() < 0.2
        if rng.random() < 0.65 or not (wants_lead or wants_trial):
            t = self.sign_up(t)
        if wants_lead:
            source = rng.choices(["web_form", "call", "chat", "event"], [55, 20, 15, 10])[0]
            if source == "call" and p.phone is None:
                source = "web_form"
            lead_at = sim.after(rng, t, 1)
            if source == "call":
                sim.call(rng, p, lead_at, "inbound", "sales_enquiry", signal="acquisition")
                lead_at += timedelta(minutes=rng.randint(3, 20))
            elif source == "chat":
                lead_at = sim.web_session(rng, p, lead_at, "direct", ["/contact", "/contact/chat"])
            elif source == "web_form":
                lead_at = sim.web_session(
                    rng, p, lead_at, "direct", ["/contact", "/contact/thanks"]
                )
            self.lead = sim.create_lead(rng, p, lead_at, source)
            if self.lead is not None:
                contacted = sim.after(rng, lead_at, 1, min_days=1)
                if p.phone and rng.random() < 0.7:
                    sim.call(rng, p, contacted, "outbound", "sales_enquiry")
                sim.update_lead(p, self.lead, contacted, "contacted")
                if rng.random() < 0.5:
                    sim.update_lead(p, self.lead, sim.after(rng, contacted, 3), "qualified")
        if wants_trial:
            self.start_trial(sim.after(rng, t, 2))
        return t

    def sign_up(self, t: datetime) -> datetime:
        sim, rng, p = self.sim, self.rng, self.p
        if p.user_id is not None:
            return t
        if self.device is not None and (self.in_app() or rng.random() < 0.6):
            t = sim.app_session(rng, p, self.device, t, ["app_open", "sign_up", "screen_view"])
        else:
            cookie = sim.pick_cookie(rng, p)
            t = sim.web_session(rng, p, t, "direct", ["/account/signup"], cookie=cookie)
            sim.ensure_account(p, t)
            cookie.login_at = t
            sim.web_session(
                rng,
                p,
                t,
                "direct",
                ["/account/welcome", *sim.browse_paths(rng, rng.randint(0, 2))],
                cookie=cookie,
                signal="acquisition",
            )
        if p.signup_at is not None:
            if self.device is not None and self.device.login_at is None and sim.identified(rng):
                sim.app_session(rng, p, self.device, sim.after(rng, t, 2), ["app_open", "login"])
            if self.device is not None and rng.random() < 0.25:
                second = sim.new_device(rng, p)  # a tablet or a new phone
                events = ["app_open", "login", "screen_view"]
                sim.app_session(rng, p, second, sim.after(rng, t, 10, min_days=1), events)
            if rng.random() < 0.6:
                self.subscribe_newsletter(
                    p.signup_at + timedelta(minutes=1), welcome="welcome_series"
                )
        return t

    def start_trial(self, t: datetime) -> None:
        sim, rng, p = self.sim, self.rng, self.p
        if not sim.in_window(t):
            return
        plan = rng.choices(list(catalogue.PLANS), [50, 35, 15])[0]
        self.subscription = {
            "subscription_id": f"SUB-{sim.serial_id('', 6)}",
            "updated_at": t,
            "email": p.esp_address or p.email,
            "plan": plan,
            "trial_started_at": t,
            "paid_started_at": None,
            "cancelled_at": None,
            "status": "trialing",
            "monthly_amount": round(catalogue.PLANS[plan] * catalogue.FX_FROM_EUR[p.currency], 2),
            "currency": p.currency,
        }
        sim.emit("subscriptions", dict(self.subscription), t, p, signal="acquisition")

    def update_subscription(self, t: datetime, **changes) -> None:
        if self.subscription is None or not self.sim.in_window(t):
            return
        self.subscription.update(changes, updated_at=t)
        self.sim.emit("subscriptions", dict(self.subscription), t, self.p)

    def subscribe_newsletter(self, t: datetime, welcome: str = "welcome_newsletter") -> None:
        p = self.p
        if p.newsletter_at is not None or not self.sim.in_window(t):
            return
        p.newsletter_at = t
        self.sim.campaign_email(self.rng, p, t + timedelta(minutes=1), welcome, 0.6, 0.2)

    # ------------------------------------------------------------------ buying

    def purchase(self, t: datetime, *, store: bool, source: str | None = None) -> datetime | None:
        """One purchase at ``t`` in a shop or online; returns when it happened."""
        sim, rng, p = self.sim, self.rng, self.p
        if not sim.in_window(t):
            return None
        if store:
            t = t.replace(hour=rng.choice(STORE_HOURS))
            if sim.pos_sale(rng, p, t) is None:
                return None
            self.n_purchases += 1
            return t
        source = (
            source
            or rng.choices(
                ["direct", "organic", "email", "retargeting", "affiliate", "social"],
                [30, 20, 20 if p.newsletter_at else 0, 12, 14, 8],
            )[0]
        )
        affiliate = rng.choice(catalogue.AFFILIATES) if source == "affiliate" else None
        if self.device is not None and p.user_id is not None and rng.random() < 0.35:
            t = sim.app_session(rng, p, self.device, t, ["app_open", "login", "add_to_cart"])
            order_id = sim.place_order(rng, p, t, utm_source="app")
            if order_id:
                sim.app_session(rng, p, self.device, t, ["purchase"])
        else:
            cookie = self.cart_cookie if self.cart is not None else sim.pick_cookie(rng, p)
            paths = [*sim.product_paths(rng, rng.randint(1, 2)), "/cart", "/checkout"]
            t = sim.web_session(
                rng,
                p,
                t,
                source,
                paths,
                cookie=cookie,
                login=rng.random() < 0.8,
                campaign=affiliate,
            )
            utm = _order_utm(source, rng)
            cart = self.cart if self.cart is not None and self.cart["status"] == "created" else None
            order_id = sim.place_order(
                rng,
                p,
                t,
                utm_source=utm,
                cart=cart,
                affiliate=affiliate,
                refund_rate=0.07 if self.happy else 0.16,
            )
            if order_id:
                sim.web_session(rng, p, t, "direct", ["/checkout/thank-you"], cookie=cookie)
        if order_id is None:
            return None
        self.n_purchases += 1
        return t

    def become_customer(self, t: datetime, *, store: bool) -> None:
        rng, p = self.rng, self.p
        self.habit = rng.choices(HABITS, HABIT_WEIGHTS)[0]
        self.happy = self.habit == "regular" or (self.habit != "drifter" and rng.random() < 0.6)
        first = None
        if self.subscription is not None and rng.random() < 0.55:
            paid_at = self.subscription["trial_started_at"] + TRIAL_LENGTH
            self.update_subscription(paid_at, status="active", paid_started_at=paid_at)
            if self.subscription["paid_started_at"] is not None:
                first = paid_at
            if rng.random() < 0.6:
                first = self.purchase(t, store=store) or first
        else:
            source = "affiliate" if rng.random() < 0.12 else self.last_source
            first = self.purchase(t, store=store, source=source)
        if first is None:
            return
        paid_at = self.subscription["paid_started_at"] if self.subscription else None
        first = min(x for x in (first, paid_at) if x is not None)
        if self.lead is not None:
            self.sim.update_lead(p, self.lead, first + timedelta(minutes=30), "converted")
        if rng.random() < 0.5:
            self.subscribe_newsletter(first + timedelta(hours=1))
        self.repeat_purchases(first)

    def repeat_purchases(self, first: datetime) -> None:
        sim, rng, p = self.sim, self.rng, self.p
        times: list[tuple[datetime, str | None]] = []
        t = first
        if self.habit == "regular":
            while True:
                t = t + timedelta(days=max(3.0, rng.gauss(13, 5)))
                if t >= sim.end:
                    break
                times.append((t, None))
        elif self.habit == "drifter":
            gap = rng.uniform(6, 12)
            for _ in range(rng.randint(1, 3)):
                t = t + timedelta(days=gap)
                gap *= rng.uniform(1.6, 2.3)
                times.append((t, None))
        elif self.habit == "winback":
            if rng.random() < 0.7:
                t = t + timedelta(days=rng.uniform(5, 15))
                times.append((t, None))
            t = t + timedelta(days=rng.uniform(61, 70))
            times.append((t, "winback"))
        purchase_times = [first]
        for when, kind in times:
            if when >= sim.end:
                break
            when = sim.day_time(rng, (when - sim.start).days)
            source = None
            if kind == "winback":
                if p.newsletter_at is None:
                    self.subscribe_newsletter(when - timedelta(days=20))
                if p.newsletter_at is not None:
                    clicked = sim.campaign_email(
                        rng, p, when - timedelta(days=1), "winback_we_miss_you", 0.9, 0.8
                    )
                    if clicked is not None:
                        when, source = clicked, "email"
            store = rng.random() < (0.8 if self.prefers_store else 0.1)
            done = self.purchase(when, store=store, source=source)
            if done is not None:
                purchase_times.append(done)
        for when in purchase_times:
            self.after_purchase(when)
        if self.happy and rng.random() < 0.1:
            sim.referral_intents.append((sim.after(rng, first, 4, min_days=1), p))
        if len(purchase_times) >= 2:
            second = purchase_times[1]
            if rng.random() < 0.35:
                survey_at = sim.after(rng, second, 3, min_days=1)
                sim.survey(rng, p, survey_at, "nps", self.happy)
            if self.habit == "regular" and rng.random() < 0.45:
                when = second
                for _ in range(rng.choice([1, 1, 2])):
                    when = sim.after(rng, when, 6)
                    if sim.in_window(when):
                        sim.referral_intents.append((when, p))
            if self.happy and rng.random() < 0.4:
                sim.mention(rng, p, sim.after(rng, second, 5), "positive", "advocacy")
        if self.habit == "drifter" and rng.random() < 0.3:
            sim.mention(rng, p, sim.after(rng, purchase_times[-1], 15), "negative", None)

    def after_purchase(self, t: datetime) -> None:
        sim, rng, p = self.sim, self.rng, self.p
        if rng.random() < 0.15:
            sim.review(rng, p, sim.after(rng, t, 5, min_days=2), self.happy)
        if rng.random() < (0.06 if self.happy else 0.2):
            sim.support_ticket(rng, p, sim.after(rng, t, 3, min_days=1), self.happy)
        if rng.random() < 0.03:
            sim.call(rng, p, sim.after(rng, t, 2, min_days=1), "inbound", "order_status")

    # ------------------------------------------------------------------ loose ends

    def finish(self) -> None:
        sim, rng, p = self.sim, self.rng, self.p
        if self.cart is not None and self.cart["status"] == "created":
            abandoned = self.cart["created_at"] + timedelta(hours=rng.randint(20, 30))
            if sim.in_window(abandoned):
                sim.update_cart(p, self.cart, abandoned, status="abandoned")
        lead_open = self.lead is not None and self.lead["status"] not in ("converted", "lost")
        if lead_open and rng.random() < 0.6:
            lost = sim.after(rng, self.lead["updated_at"], 10, min_days=14)
            if sim.in_window(lost):
                sim.update_lead(p, self.lead, lost, "lost")
        self.finish_subscription()
        self.newsletters()

    def finish_subscription(self) -> None:
        sim, rng, p, sub = self.sim, self.rng, self.p, self.subscription
        if sub is None:
            return
        trial_end = sub["trial_started_at"] + TRIAL_LENGTH
        if sub["status"] == "trialing":
            if rng.random() < 0.4:
                cancel_at = sub["trial_started_at"] + timedelta(days=rng.uniform(1, 13))
                self.update_subscription(cancel_at, status="cancelled", cancelled_at=cancel_at)
            else:
                self.update_subscription(trial_end, status="expired")
            return
        paid = sub["paid_started_at"]
        cancel_at = None
        if self.habit == "drifter" or (self.habit == "one_off" and rng.random() < 0.4):
            cancel_at = paid + timedelta(days=rng.uniform(35, 60))
            if sim.in_window(cancel_at):
                self.update_subscription(cancel_at, status="cancelled", cancelled_at=cancel_at)
                p.cancel_times.append(cancel_at)
            else:
                cancel_at = None
        renewal = paid
        while renewal < sim.end and (cancel_at is None or renewal < cancel_at):
            p.purchase_times.append(renewal)
            renewal += SUBSCRIPTION_PERIOD

    def newsletters(self) -> None:
        sim, rng, p = self.sim, self.rng, self.p
        if p.newsletter_at is None:
            return
        open_rate = OPEN_RATES[self.habit]
        for send_at, campaign in sim.newsletter_sends:
            if send_at <= p.newsletter_at:
                continue
            rate = open_rate
            if self.habit == "drifter":
                rate *= max(0.2, 1 - (send_at - p.newsletter_at).days / 60)
            clicked = sim.campaign_email(rng, p, send_at, campaign, rate, 0.25)
            if clicked is not None and sim.in_window(clicked):
                sim.web_session(
                    rng,
                    p,
                    clicked,
                    "email",
                    sim.browse_paths(rng, rng.randint(1, 3)),
                    campaign=campaign,
                    login=True,
                )
            if rng.random() < (0.04 if self.habit == "drifter" else 0.01):
                unsubscribed = send_at + timedelta(hours=rng.randint(1, 48))
                sim.email_event(
                    rng, p, p.esp_address or p.email, unsubscribed, campaign, "unsubscribe"
                )
                p.unsubscribed_at = unsubscribed
                break


def _order_utm(source: str, rng: random.Random) -> str | None:
    return {
        "email": "newsletter",
        "affiliate": "affiliate",
        "retargeting": "instagram",
        "social": rng.choice(catalogue.SOCIAL_PLATFORMS),
        "paid": "google",
        "podcast": "podcast",
        "organic": "google" if rng.random() < 0.5 else None,
    }.get(source)


def simulate_person(sim: Simulation, person: Person, rng: random.Random) -> None:
    Journey(sim, person, rng).run()


def emit_referrals(sim: Simulation, rng: random.Random) -> None:
    """Turn advocates' invitations into referral rows aimed at people who show up soon after.

    The referee is a simulated person first seen 1-10 days after the invitation, so
    the invitation becomes their first appearance; the row is re-exported when the
    referee signs up and when they first buy (which pays the reward).
    """
    people = sorted(
        (p for p in sim.persons if p.first_seen_at is not None),
        key=lambda p: (p.first_seen_at, p.person_id),
    )
    first_seen = [p.first_seen_at for p in people]
    taken: set[str] = set()
    for when, referrer in sorted(sim.referral_intents, key=lambda x: (x[0], x[1].person_id)):
        # People first seen 1-10 days after the invitation: a slice of the sorted list.
        lo = bisect.bisect_left(first_seen, when + timedelta(days=1))
        hi = bisect.bisect_right(first_seen, when + timedelta(days=10))
        pool = [p for p in people[lo:hi] if p.person_id not in taken and p is not referrer]
        if not pool:
            continue
        referee = rng.choice(pool)
        taken.add(referee.person_id)
        row = {
            "referral_id": f"REF-{random_hex(rng, 8).upper()}",
            "referred_at": when,
            "updated_at": when,
            "referrer_email": email_as_written(rng, referrer),
            "referee_email": email_as_written(rng, referee),
            "status": "sent",
            "reward_amount": None,
            "currency": None,
        }
        sim.emit("referrals", dict(row), when, referrer, signal="advocacy", referee=referee)
        visit = when + timedelta(hours=rng.randint(1, 20))
        if rng.random() < 0.7 and visit < referee.first_seen_at + timedelta(days=10):
            sim.web_session(rng, referee, visit, "referral", ["/refer/welcome", "/"])
        if referee.signup_at is not None and referee.signup_at > when:
            row.update(status="signed_up", updated_at=referee.signup_at)
            sim.emit("referrals", dict(row), referee.signup_at, referrer, referee=referee)
        bought = [t for t in referee.purchase_times if t > when]
        if bought:
            converted = min(bought) + timedelta(minutes=5)
            reward = round(10 * catalogue.FX_FROM_EUR[referrer.currency], 2)
            row.update(
                status="converted",
                updated_at=converted,
                reward_amount=reward,
                currency=referrer.currency,
            )
            sim.emit("referrals", dict(row), converted, referrer, referee=referee)

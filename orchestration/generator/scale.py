"""Channel exports at scale, generated inside DuckDB (no per-person Python loop).

    python -m orchestration.generator.scale --landing /tmp/landing --persons 1000000 --days 365

Writes one Parquet file per channel and delivery day in the landing layout
(``<channel>/<YYYY-MM-DD>/<channel>_<YYYY-MM-DD>.parquet``) with the contract's columns
and types, so the real ingestion, dbt build and checks run on it. Every value is a
function of (seed, person, event number) through DuckDB's ``hash()``, so the rows are
the same for the same seed, persons and days (the order of rows inside a file may
differ between runs: DuckDB writes partitions in parallel).

The persons carry the identifiers the warehouse stitches: 1-4 browser cookies, an app
device, an account (user id and shop customer id), an email address (written with
varying case and stray spaces), a phone number (E.164 or national format), a loyalty
card and a social handle; the records link them the way real exports do (a logged-in
page view carries cookie, user id and email; an order shop customer id, email and
phone; a till receipt card, phone or email). A few till receipts carry the blocklisted
default card ``STORE-DEFAULT``. About 50 rows per person over a year (1M persons:
~50M rows), most of them page views, app and email events.

This generator has no ground truth beyond ``scale_summary.json`` (row counts per
channel); the per-person simulator (``orchestration.generator.generate``) remains the
one to measure stitching and stage accuracy against.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from orchestration.contract import Channel, load_contract
from orchestration.generator.catalogue import PAID_CAMPAIGNS

# Mean rows per person over a whole window of `days` (the rest scales with it).
PER_PERSON_YEAR = {
    "web": 28.0,
    "app": 15.0,  # per app user (35% of persons)
    "email": 12.0,  # per email holder
    "orders": 1.2,
    "abandoned_carts": 0.8,
    "pos": 0.8,
    "calls": 0.3,
    "tickets": 0.15,
    "surveys": 0.12,
    "reviews": 0.06,
    "referrals": 0.05,
    "mentions": 1.0,  # per handle holder
    "listens": 1.2,  # per email holder
}

DOMAINS = ("example.com", "example.org", "mail.example", "inbox.example", "post.example")
BROWSE = (
    "/",
    "/collections/coffee",
    "/collections/equipment",
    "/collections/gifts",
    "/about",
    "/blog/how-to-brew-pour-over",
    "/blog/cold-brew-guide",
)
PRODUCTS = ("house-blend", "espresso-roast", "pour-over-kit", "burr-grinder", "gift-box")


@dataclass(frozen=True)
class ScaleSummary:
    persons: int
    days: int
    start_date: date
    seed: int
    rows: dict[str, int]
    files: int
    seconds: float

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _sql_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _macros(seed: int, start: date, days: int) -> list[str]:
    """Pseudo-random helpers: u() uniform in [0, 1), pick() an element, n() an
    exponentially distributed count, ts() a timestamp on a day."""
    return [
        "set TimeZone = 'UTC'",
        f"create or replace macro u(a, b, tag) as"
        f" (hash({seed}, a, b, tag) % 1000000007) / 1000000007.0",
        "create or replace macro pick(list, a, b, tag) as"
        " list[1 + cast(floor(u(a, b, tag) * len(list)) as bigint)]",
        # Geometric counts: mean `mean`, and a small mean still gives some ones.
        "create or replace macro n_of(mean, a, tag) as case when mean <= 0 then 0 else"
        " cast(floor(ln(1 - u(a, 0, tag)) / ln(mean / (1 + mean))) as bigint) end",
        f"create or replace macro day_of(d) as (date '{start.isoformat()}' + cast(d as integer))",
        f"create or replace macro ts(d, a, b, tag) as cast("
        f" timestamp '{start.isoformat()}' + to_days(cast(d as integer))"
        " + to_seconds(cast(floor(u(a, b, tag) * 86399) as bigint)) as timestamptz)",
        # A day between the person's first day and the end of the window.
        f"create or replace macro event_day(first_day, a, b, tag) as"
        f" first_day + cast(floor(u(a, b, tag) * ({days} - first_day)) as bigint)",
    ]


def _persons_sql(persons: int, days: int) -> str:
    domains = _sql_list(DOMAINS)
    return f"""
    create or replace table persons as
    with base as (
        select
            p,
            cast(floor(u(p, 0, 'first') * {days} * 0.9) as bigint) as first_day,
            u(p, 0, 'email') < 0.85 as has_email,
            u(p, 0, 'phone') < 0.5 as has_phone,
            u(p, 0, 'account') < 0.55 as has_account,
            u(p, 0, 'app') < 0.35 as has_app,
            u(p, 0, 'card') < 0.3 as has_card,
            u(p, 0, 'handle') < 0.2 as has_handle,
            1 + cast(floor(u(p, 0, 'cookies') * 4) as bigint) as n_cookies,
            'p' || p || '@' || pick({domains}, p, 0, 'domain') as email_norm,
            lpad(cast(p as varchar), 9, '0') as phone_digits
        from range({persons}) as t(p)
    )
    select
        *,
        -- Active from first_day on: rows in proportion, normalised so that the means of
        -- PER_PERSON_YEAR hold over all persons (first days are uniform on [0, 0.9 days)).
        (({days} - first_day) / {days}::double) / 0.55 as share,
        case
            when not has_email then null
            when u(p, 0, 'case') < 0.1 then upper(email_norm)
            when u(p, 0, 'case') < 0.15 then ' ' || email_norm || ' '
            else email_norm
        end as email,
        case
            when not has_phone then null
            when u(p, 0, 'phonefmt') < 0.5 then '+447' || phone_digits
            when u(p, 0, 'phonefmt') < 0.8 then '07' || phone_digits
            else '+44 7' || substr(phone_digits, 1, 3) || ' ' || substr(phone_digits, 4)
        end as phone,
        case when has_account then 'U' || p end as user_id,
        case when has_account then 'C' || p end as shop_customer_id,
        case when has_app then 'dv_' || p end as device_id,
        case when has_card then 'LC' || p end as loyalty_card_id,
        case when has_handle then '@h' || p end as handle
    from base
    """


def _channel_sql(days: int, persons: int) -> dict[str, str]:
    """One select per channel: the contract's columns plus `_day` (the delivery day)."""
    paid = [c for c in PAID_CAMPAIGNS if c.referrer]
    campaigns = _sql_list(tuple(c.campaign for c in paid))
    sources = _sql_list(tuple(c.utm_source for c in paid))
    mediums = _sql_list(tuple(c.utm_medium for c in paid))
    referrers = _sql_list(tuple(c.referrer for c in paid))
    browse = _sql_list(BROWSE)
    products = _sql_list(PRODUCTS)
    y = PER_PERSON_YEAR
    scale = days / 365.0

    def n(key: str, tag: str) -> str:
        return f"n_of({y[key] * scale} * share, p, '{tag}')"

    return {
        "web_events": f"""
            with expanded as (
                select p, first_day, n_cookies, has_account, user_id, email,
                    unnest(range({n("web", "n_web")})) as k
                from persons
            ), drawn as (
                select *, event_day(first_day, p, k, 'wday') as d, u(p, k, 'wpage') as r,
                    cast(floor(u(p, k, 'wpaid') * {len(paid)}) as integer) + 1 as c
                from expanded
            )
            select
                'we' || p || '.' || k as event_id,
                ts(d, p, k, 'wts') as event_at,
                'ck_' || p || '_' || cast(floor(u(p, k, 'wck') * n_cookies) as bigint)
                    as cookie_id,
                case when has_account and u(p, k, 'wlogin') < 0.3 then user_id end as user_id,
                case when has_account and u(p, k, 'wlogin') < 0.3 then email end as email,
                'https://shop.example.com' || case
                    when r < 0.50 then pick({browse}, p, k, 'wbrowse')
                    when r < 0.75 then '/products/' || pick({products}, p, k, 'wprod')
                    when r < 0.83 then '/cart'
                    when r < 0.87 then '/checkout'
                    when r < 0.88 then '/account/welcome'
                    else '/?utm_source=' || {sources}[c] || '&utm_medium=' || {mediums}[c]
                        || '&utm_campaign=' || {campaigns}[c]
                end as url,
                case when r >= 0.88 then {referrers}[c]
                    when r < 0.1 then 'https://www.google.com/' end as referrer,
                case when r >= 0.88 then {sources}[c] end as utm_source,
                case when r >= 0.88 then {mediums}[c] end as utm_medium,
                case when r >= 0.88 then {campaigns}[c] end as utm_campaign,
                pick(['desktop', 'mobile', 'mobile', 'tablet'], p, k, 'wdev') as device_type,
                d as _d
            from drawn
        """,
        "app_events": f"""
            with expanded as (
                select p, first_day, device_id, has_account, user_id,
                    unnest(range(n_of({y["app"] * scale} * share, p, 'n_app'))) as k
                from persons where has_app
            ), drawn as (
                select *, event_day(first_day, p, k, 'aday') as d, u(p, k, 'aname') as r
                from expanded
            )
            select
                'ae' || p || '.' || k as event_id,
                ts(d, p, k, 'ats') as event_at,
                device_id,
                case when has_account and u(p, k, 'alogin') < 0.5 then user_id end as user_id,
                case when k = 0 then 'sign_up' when r < 0.40 then 'app_open'
                    when r < 0.85 then 'screen_view' when r < 0.91 then 'login'
                    when r < 0.97 then 'add_to_cart' else 'purchase' end as event_name,
                case when u(p, 0, 'platform') < 0.55 then 'ios' else 'android' end as platform,
                pick(['3.4.0', '3.4.1', '3.5.0'], p, k, 'aver') as app_version,
                d as _d
            from drawn
        """,
        "email_events": f"""
            with expanded as (
                select p, first_day, email,
                    unnest(range(n_of({y["email"] * scale} * share, p, 'n_email'))) as k
                from persons where has_email
            ), drawn as (
                select *, event_day(first_day, p, k, 'eday') as d, u(p, k, 'etype') as r
                from expanded
            )
            select
                'ee' || p || '.' || k as event_id,
                ts(d, p, k, 'ets') as event_at,
                email,
                pick(['welcome_newsletter', 'weekly_digest', 'spring_sale', 'winback'],
                    p, k, 'ecamp') as campaign,
                case when r < 0.60 then 'send' when r < 0.85 then 'open'
                    when r < 0.95 then 'click' when r < 0.98 then 'unsubscribe'
                    else 'bounce' end as event_type,
                d as _d
            from drawn
        """,
        "order_lines": """
            select order_id, line_number, sku, product_name, quantity, unit_price_amount,
                quantity * unit_price_amount as line_amount, _d
            from scale_lines
        """,
        "carts": f"""
            with converted as (
                select
                    'cart_' || order_id as cart_id,
                    ordered_at - to_minutes(20) as created_at,
                    ordered_at as updated_at,
                    cookie_id, shop_customer_id, customer_email as email,
                    'converted' as status, cart_amount, currency, order_id, _d
                from scale_orders
            ), abandoned_expanded as (
                select p, first_day, n_cookies, shop_customer_id, email,
                    unnest(range({n("abandoned_carts", "n_cart")})) as k
                from persons
            ), abandoned as (
                select
                    'cart_a' || p || '.' || k as cart_id,
                    ts(event_day(first_day, p, k, 'cday'), p, k, 'cts') as created_at,
                    ts(event_day(first_day, p, k, 'cday'), p, k, 'cts') as updated_at,
                    'ck_' || p || '_' || cast(floor(u(p, k, 'cck') * n_cookies) as bigint)
                        as cookie_id,
                    case when u(p, k, 'clog') < 0.3 then shop_customer_id end
                        as shop_customer_id,
                    case when u(p, k, 'cmail') < 0.2 then email end as email,
                    'abandoned' as status,
                    cast(5 + floor(u(p, k, 'camt') * 12000) / 100 as decimal(18, 2))
                        as cart_amount,
                    'EUR' as currency, cast(null as varchar) as order_id,
                    event_day(first_day, p, k, 'cday') as _d
                from abandoned_expanded
            )
            select * from converted
            union all
            select * from abandoned
        """,
        "subscriptions": f"""
            with subscribers as (
                select p, first_day, email,
                    event_day(first_day, p, 0, 'sday') as d,
                    u(p, 0, 'sconv') as r
                from persons where has_email and u(p, 0, 'subscriber') < 0.05
            )
            select
                'SUB-' || p as subscription_id,
                case
                    when r < 0.2 and d + 44 < {days} then ts(d + 44, p, 0, 'scts')
                    when r < 0.6 and d + 14 < {days} then ts(d + 14, p, 0, 'spts')
                    else ts(d, p, 0, 'sts')
                end as updated_at,
                email,
                pick(['basic', 'plus', 'premium'], p, 0, 'splan') as plan,
                ts(d, p, 0, 'sts') as trial_started_at,
                case when r < 0.6 and d + 14 < {days} then ts(d + 14, p, 0, 'spts') end
                    as paid_started_at,
                case when r < 0.2 and d + 44 < {days} then ts(d + 44, p, 0, 'scts') end
                    as cancelled_at,
                case
                    when r < 0.2 and d + 44 < {days} then 'cancelled'
                    when r < 0.6 and d + 14 < {days} then 'active'
                    else 'trialing'
                end as status,
                cast(9 as decimal(18, 2)) as monthly_amount,
                'EUR' as currency,
                case
                    when r < 0.2 and d + 44 < {days} then d + 44
                    when r < 0.6 and d + 14 < {days} then d + 14
                    else d
                end as _d
            from subscribers
        """,
        "pos_transactions": f"""
            with expanded as (
                select p, first_day, loyalty_card_id, phone, email,
                    unnest(range({n("pos", "n_pos")})) as k
                from persons
            ), drawn as (
                select *, event_day(first_day, p, k, 'pday') as d, u(p, k, 'ptype') as r
                from expanded
            )
            select
                'TX-' || p || '.' || k as transaction_id,
                ts(d, p, k, 'pts') as transacted_at,
                pick(['ST-AMS-01', 'ST-AMS-02', 'ST-BER-01'], p, k, 'pstore') as store_id,
                case when loyalty_card_id is not null then loyalty_card_id
                    when u(p, k, 'pdefault') < 0.02 then 'STORE-DEFAULT' end
                    as loyalty_card_id,
                case when u(p, k, 'pphone') < 0.3 then phone end as phone,
                case when u(p, k, 'pmail') < 0.2 then email end as email,
                case when r < 0.03 then 'return' else 'sale' end as transaction_type,
                cast(case when r < 0.03 then -1 else 1 end
                    * (3 + floor(u(p, k, 'pamt') * 8000) / 100) as decimal(18, 2)) as amount,
                'EUR' as currency,
                d as _d
            from drawn
        """,
        "crm_leads": """
            with leads as (
                select p, first_day, email, phone,
                    event_day(first_day, p, 0, 'lday') as d
                from persons where u(p, 0, 'lead') < 0.08
            )
            select
                'LEAD-' || p as lead_id,
                ts(d, p, 0, 'lts') as created_at,
                ts(d, p, 0, 'lts') as updated_at,
                email, phone,
                pick(['Jane', 'John', 'Emma', 'Liam', 'Mila', 'Omar'], p, 0, 'lfn')
                    as first_name,
                pick(['Doe', 'Smith', 'Jansen', 'Khan', 'Weber'], p, 0, 'lln') as last_name,
                pick(['web_form', 'call', 'event', 'referral', 'chat'], p, 0, 'lsrc')
                    as source,
                'new' as status,
                d as _d
            from leads
        """,
        "calls": f"""
            with expanded as (
                select p, first_day, phone,
                    unnest(range({n("calls", "n_call")})) as k
                from persons where has_phone
            ), drawn as (
                select *, event_day(first_day, p, k, 'kday') as d from expanded
            )
            select
                'CALL-' || p || '.' || k as call_id,
                ts(d, p, k, 'kts') as started_at,
                phone as phone_number,
                case when u(p, k, 'kdir') < 0.7 then 'inbound' else 'outbound' end
                    as direction,
                pick(['sales_enquiry', 'order_status', 'complaint', 'support', 'other'],
                    p, k, 'kreason') as reason,
                cast(floor(30 + u(p, k, 'kdur') * 900) as bigint) as duration_seconds,
                cast(null as varchar) as customer_email,
                d as _d
            from drawn
        """,
        "support_tickets": f"""
            with expanded as (
                select p, first_day, email,
                    unnest(range({n("tickets", "n_ticket")})) as k
                from persons where has_email
            ), drawn as (
                select *, event_day(first_day, p, k, 'tday') as d from expanded
            )
            select
                'TCK-' || p || '.' || k as ticket_id,
                ts(d, p, k, 'tts') as opened_at,
                ts(d, p, k, 'tts') + to_hours(4) as updated_at,
                ts(d, p, k, 'tts') + to_hours(4) as resolved_at,
                email,
                pick(['chat', 'email', 'phone'], p, k, 'tch') as contact_channel,
                cast(null as varchar) as social_handle,
                pick(['delivery', 'billing', 'product', 'account'], p, k, 'tcat') as category,
                cast(1 + floor(u(p, k, 'tcsat') * 5) as bigint) as csat_score,
                d as _d
            from drawn
            where d + 1 < {days}
        """,
        "surveys": f"""
            with expanded as (
                select p, first_day, email,
                    unnest(range({n("surveys", "n_survey")})) as k
                from persons where has_email
            ), drawn as (
                select *, event_day(first_day, p, k, 'vday') as d,
                    u(p, k, 'vtype') < 0.5 as is_nps from expanded
            )
            select
                'RSP-' || p || '.' || k as response_id,
                ts(d, p, k, 'vts') as responded_at,
                case when u(p, k, 'vanon') < 0.9 then email end as email,
                case when is_nps then 'nps' else 'csat' end as survey_type,
                cast(case when is_nps then floor(u(p, k, 'vscore') * 11)
                    else 1 + floor(u(p, k, 'vscore') * 5) end as bigint) as score,
                cast(null as varchar) as comment,
                d as _d
            from drawn
        """,
        "reviews": f"""
            with expanded as (
                select p, first_day, email, handle,
                    unnest(range({n("reviews", "n_review")})) as k
                from persons
            ), drawn as (
                select *, event_day(first_day, p, k, 'rday') as d from expanded
            )
            select
                'REV-' || p || '.' || k as review_id,
                ts(d, p, k, 'rts') as reviewed_at,
                pick(['trustpilot', 'google', 'shop', 'app_store'], p, k, 'rplat') as platform,
                cast(1 + floor(u(p, k, 'rrating') * 5) as bigint) as rating,
                email as reviewer_email,
                handle as reviewer_handle,
                pick(['SKU-HB-250', 'SKU-ES-500', 'SKU-GR-01'], p, k, 'rsku') as sku,
                d as _d
            from drawn
        """,
        "referrals": f"""
            with expanded as (
                select p, first_day, email,
                    unnest(range({n("referrals", "n_referral")})) as k
                from persons where has_email
            ), drawn as (
                select e.*, event_day(e.first_day, e.p, e.k, 'fday') as d,
                    friend.email_norm as referee_email
                from expanded as e
                inner join persons as friend
                    on friend.p = (e.p * 7919 + e.k * 104729 + 1) % {persons}
            )
            select
                'REF-' || p || '.' || k as referral_id,
                ts(d, p, k, 'fts') as referred_at,
                ts(d, p, k, 'fts') as updated_at,
                email as referrer_email,
                referee_email,
                'sent' as status,
                cast(null as decimal(18, 2)) as reward_amount,
                cast(null as varchar) as currency,
                d as _d
            from drawn
        """,
        "affiliate_conversions": """
            select
                'AFC-' || order_id as conversion_id,
                ordered_at + to_minutes(5) as converted_at,
                pick(['AFF-COFFEEGEEK', 'AFF-DEALSDAILY', 'AFF-HOMEBARISTA'], p, k, 'affid')
                    as affiliate_id,
                order_id,
                cart_amount as order_amount,
                cast(round(cart_amount * 0.08, 2) as decimal(18, 2)) as commission_amount,
                currency,
                _d
            from scale_orders
            where u(p, k, 'affiliate') < 0.05
        """,
        "social_mentions": f"""
            with expanded as (
                select p, first_day, handle,
                    unnest(range(n_of({y["mentions"] * scale} * share, p, 'n_mention'))) as k
                from persons where has_handle
            ), drawn as (
                select *, event_day(first_day, p, k, 'mday') as d from expanded
            )
            select
                'MN-' || p || '.' || k as mention_id,
                ts(d, p, k, 'mts') as mentioned_at,
                pick(['instagram', 'facebook', 'x', 'linkedin', 'tiktok'], p, k, 'mplat')
                    as platform,
                handle,
                pick(['positive', 'neutral', 'negative'], p, k, 'msent') as sentiment,
                cast(floor(u(p, k, 'mlikes') * 20) as bigint) as likes,
                d as _d
            from drawn
        """,
        "media_listens": f"""
            with expanded as (
                select p, first_day, email,
                    unnest(range(n_of({y["listens"] * scale} * share, p, 'n_listen'))) as k
                from persons where has_email
            ), listens as (
                select
                    event_day(first_day, p, k, 'lsday') as d,
                    'POD-' || lpad(cast(1 + floor(u(p, k, 'lsep') * 12) as varchar), 3, '0')
                        as episode_id,
                    pick(['spotify', 'apple_podcasts', 'youtube', 'website'], p, k, 'lsplat')
                        as platform,
                    email
                from expanded
            ), by_subscriber as (
                select d, episode_id, platform, email as subscriber_email,
                    count(*) as listens
                from listens
                group by all
            ), anonymous as (
                select d.d, e.episode_id, pl.platform, null as subscriber_email,
                    cast(1 + floor(u(d.d, hash(e.episode_id, pl.platform), 'anon') * 40)
                        as bigint) as listens
                from range({days}) as d(d)
                cross join (select 'POD-' || lpad(cast(i as varchar), 3, '0') as episode_id
                    from range(1, 13) as t(i)) as e
                cross join (select unnest(['spotify', 'apple_podcasts', 'youtube',
                    'website']) as platform) as pl
            ), unioned as (
                select * from by_subscriber union all select * from anonymous
            )
            select
                day_of(d) as media_date,
                case when platform = 'youtube' then 'video' else 'podcast' end as media_type,
                episode_id, platform, listens,
                cast(case when platform = 'youtube' then 0 else listens // 2 end as bigint)
                    as downloads,
                subscriber_email,
                d as _d
            from unioned
        """,
        "social_posts": f"""
            with posts as (
                select pl.platform, i,
                    pl.platform || '_post_' || i as post_id,
                    cast(floor(u(i, hash(pl.platform), 'pday') * {days}) as bigint)
                        as first_day
                from (select unnest(['instagram', 'facebook', 'x', 'linkedin', 'tiktok'])
                    as platform) as pl
                cross join range(1 + {days} // 7) as t(i)
            ), days as (
                select p.*, d.d from posts as p
                cross join range({days}) as d(d)
                where d.d between p.first_day and p.first_day + 6
            )
            select
                post_id, day_of(d) as metric_date, platform,
                pick(['spring_blends', 'behind_the_roastery', 'customer_stories'], i, 0,
                    'pcamp') as campaign,
                cast(floor(u(i, d, 'pimp') * 5000) as bigint) as impressions,
                cast(floor(u(i, d, 'plike') * 300) as bigint) as likes,
                cast(floor(u(i, d, 'pcom') * 30) as bigint) as comments,
                cast(floor(u(i, d, 'pshare') * 20) as bigint) as shares,
                cast(10000 + d * 25 + hash(platform) % 1000 as bigint) as follower_count,
                d as _d
            from days
        """,
        "ad_spend": f"""
            with campaigns as (
                select unnest({_sql_list(tuple(c.ad_channel for c in PAID_CAMPAIGNS))})
                        as ad_channel,
                    unnest({_sql_list(tuple(c.campaign for c in PAID_CAMPAIGNS))}) as campaign,
                    unnest({_sql_list(tuple(c.currency for c in PAID_CAMPAIGNS))}) as currency
            )
            select
                day_of(d.d) as spend_date, c.ad_channel, c.campaign,
                cast(floor(u(d.d, hash(c.campaign), 'spend') * 50000) / 100
                    as decimal(18, 2)) as spend,
                c.currency,
                cast(floor(u(d.d, hash(c.campaign), 'adimp') * 200000) as bigint)
                    as impressions,
                cast(floor(u(d.d, hash(c.campaign), 'adclk') * 2000) as bigint) as clicks,
                d.d as _d
            from campaigns as c cross join range({days}) as d(d)
        """,
    }


def _orders_setup_sql(days: int) -> list[str]:
    """The orders and their lines, shared by orders, order_lines, carts and affiliates."""
    y = PER_PERSON_YEAR
    scale = days / 365.0
    products = _sql_list(PRODUCTS)
    return [
        f"""
        create or replace temp table scale_orders as
        with expanded as (
            select p, first_day, n_cookies, shop_customer_id, email, phone,
                unnest(range(n_of({y["orders"] * scale} * share, p, 'n_order'))) as k
            from persons
        ), drawn as (
            select *, event_day(first_day, p, k, 'oday') as d from expanded
        )
        select
            p, k,
            'ORD-' || p || '.' || k as order_id,
            ts(d, p, k, 'ots') as ordered_at,
            shop_customer_id,
            case when email is not null and u(p, k, 'omail') < 0.95 then email end
                as customer_email,
            case when u(p, k, 'ophone') < 0.4 then phone end as phone,
            'EUR' as currency,
            case when u(p, k, 'outm') < 0.2 then 'google' end as utm_source,
            'ck_' || p || '_' || cast(floor(u(p, k, 'ock') * n_cookies) as bigint) as cookie_id,
            u(p, k, 'orefund') < 0.04 as is_refunded,
            d as _d
        from drawn
        """,
        f"""
        create or replace temp table scale_lines as
        with expanded as (
            select o.*, unnest(range(1, 2 + cast(floor(u(p, k, 'olines') * 3) as bigint)))
                as line_number
            from scale_orders as o
        )
        select
            order_id, p, k, line_number,
            'SKU-' || upper(pick({products}, p, k * 10 + line_number, 'lsku')) as sku,
            pick({products}, p, k * 10 + line_number, 'lsku') as product_name,
            cast(1 + floor(u(p, k * 10 + line_number, 'lqty') * 3) as bigint) as quantity,
            cast(4 + floor(u(p, k * 10 + line_number, 'lprice') * 6000) / 100
                as decimal(18, 2)) as unit_price_amount,
            _d
        from expanded
        """,
        """
        alter table scale_orders add column cart_amount decimal(18, 2)
        """,
        """
        update scale_orders set cart_amount = t.subtotal
        from (select order_id, sum(quantity * unit_price_amount) as subtotal
              from scale_lines group by order_id) as t
        where scale_orders.order_id = t.order_id
        """,
    ]


def _orders_select(days: int) -> str:
    return f"""
        with base as (
            select
                o.*,
                o.cart_amount as subtotal,
                cast(round(o.cart_amount * 0.21, 2) as decimal(18, 2)) as tax,
                cast(case when o.cart_amount >= 50 then 0 else 4.95 end as decimal(18, 2))
                    as shipping
            from scale_orders as o
        ), placed as (
            select
                order_id, ordered_at, ordered_at as updated_at, shop_customer_id,
                customer_email, phone, currency, subtotal as subtotal_amount,
                tax as tax_amount, shipping as shipping_amount,
                subtotal + tax + shipping as total_amount,
                cast(0 as decimal(18, 2)) as refunded_amount,
                'paid' as status, utm_source, is_refunded, _d
            from base
        )
        select * exclude (is_refunded) from placed
        union all
        select
            order_id, ordered_at, ordered_at + to_days(7) as updated_at,
            shop_customer_id, customer_email, phone, currency, subtotal_amount,
            tax_amount, shipping_amount, total_amount,
            total_amount as refunded_amount, 'refunded' as status, utm_source,
            _d + 7 as _d
        from placed
        where is_refunded and _d + 7 < {days}
    """


# Rows written per COPY at most (roughly): a partitioned COPY of a whole year of page
# views at once keeps hundreds of open partitions and spills; a range of days at a time
# does not.
ROWS_PER_COPY = 4_000_000


def _write_channel(
    con: duckdb.DuckDBPyConnection,
    channel: Channel,
    select_sql: str,
    landing: Path,
    start: date,
    days: int,
) -> tuple[int, int]:
    """COPY one channel to <landing>/<channel>/<day>/<channel>_<day>.parquet; (rows, files)."""
    target = landing / channel.name
    columns = ", ".join(f'"{name}"' for name in channel.column_names)
    (expected,) = con.execute(f"select count(*) from ({select_sql})").fetchone()
    chunks = max(1, -(-int(expected) // ROWS_PER_COPY))
    span = -(-days // chunks)
    files = 0
    target.mkdir(parents=True, exist_ok=True)
    for first in range(0, days, span):
        staging = landing / f".{channel.name}.partitions"
        shutil.rmtree(staging, ignore_errors=True)
        con.execute(
            f"copy (select {columns}, strftime(date '{start.isoformat()}' + cast(_d as integer),"
            f" '%Y-%m-%d') as _day from ({select_sql}) where _d >= {first}"
            f" and _d < {first + span})"
            f" to '{staging}' (format parquet, partition_by (_day), compression snappy,"
            f" filename_pattern '{channel.name}_{{i}}')"
        )
        if not staging.exists():
            continue
        for folder in sorted(staging.iterdir()):
            day = folder.name.split("=", 1)[1]
            destination = target / day
            shutil.rmtree(destination, ignore_errors=True)
            destination.mkdir()
            parts = sorted(folder.glob("*.parquet"))
            if len(parts) == 1:
                parts[0].rename(destination / f"{channel.name}_{day}.parquet")
            else:
                for i, part in enumerate(parts):
                    part.rename(destination / f"{channel.name}_{day}_{i}.parquet")
            files += len(parts)
        shutil.rmtree(staging)
    rows = 0
    if files:
        sql = f"select count(*) from read_parquet('{target}/*/*.parquet')"
        (rows,) = con.execute(sql).fetchone()
    return int(rows), files


def generate_scale_data(
    landing: Path,
    *,
    persons: int,
    days: int = 365,
    start_date: date = date(2026, 1, 1),
    seed: int = 42,
    threads: int | None = None,
    memory_limit: str = "8GB",
    progress: Callable[[str], None] | None = None,
) -> ScaleSummary:
    """Write every contract channel for `persons` people over `days` days into `landing`."""
    started = time.monotonic()
    contract = load_contract()
    landing = Path(landing)
    landing.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        con.execute(f"set memory_limit = '{memory_limit}'")
        con.execute("set preserve_insertion_order = false")
        # Spill beside the landing folder, not into the working directory's .tmp/.
        con.execute(f"set temp_directory = '{landing.parent / '.scale_spill'}'")
        if threads:
            con.execute(f"set threads = {int(threads)}")
        for statement in _macros(seed, start_date, days):
            con.execute(statement)
        con.execute(_persons_sql(persons, days))
        for statement in _orders_setup_sql(days):
            con.execute(statement)
        selects = _channel_sql(days, persons)
        selects["orders"] = _orders_select(days)
        rows: dict[str, int] = {}
        files = 0
        for channel in contract:
            tick = time.monotonic()
            n_rows, n_files = _write_channel(
                con, channel, selects[channel.name], landing, start_date, days
            )
            rows[channel.name] = n_rows
            files += n_files
            if progress:
                progress(
                    f"{channel.name}: {n_rows:,} rows, {n_files} files"
                    f" in {time.monotonic() - tick:.1f}s"
                )
    finally:
        con.close()
    summary = ScaleSummary(
        persons=persons,
        days=days,
        start_date=start_date,
        seed=seed,
        rows=rows,
        files=files,
        seconds=time.monotonic() - started,
    )
    (landing.parent / "scale_summary.json").write_text(
        json.dumps(
            {
                "persons": persons,
                "days": days,
                "start_date": start_date.isoformat(),
                "seed": seed,
                "rows": rows,
                "files": files,
                "seconds": round(summary.seconds, 1),
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.generator.scale", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--landing", type=Path, default=Path(os.environ.get("LIFECYCLE_LANDING", "landing"))
    )
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--start-date", type=date.fromisoformat, default=date(2026, 1, 1))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    summary = generate_scale_data(
        args.landing,
        persons=args.persons,
        days=args.days,
        start_date=args.start_date,
        seed=args.seed,
        threads=args.threads,
        progress=print,
    )
    print(
        f"{summary.total_rows:,} rows in {summary.files} files for {summary.persons:,} persons"
        f" x {summary.days} days in {summary.seconds:.1f}s -> {args.landing}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

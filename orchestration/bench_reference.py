"""The benchmark's reference: the core outputs in one hand-written DuckDB script.

    python -m orchestration.bench_reference <landing> [--memory 8GB] [--threads 2]

Reads the landed Parquet files directly (no ingestion ledger, no contract checks, no
dbt, no tests) and computes what the warehouse's headline figures are made of:

- unified customers: identifiers normalised (email lower-case and trimmed, phone as
  E.164 with +44 for national numbers), the blocklist seed's values left out, each
  record linking its identifiers, connected components by min-label propagation;
  purchases with no identifier are one anonymous customer each;
- touchpoints per channel: customer-level records per channel;
- customers per stage on the last day: a simplified stage rule (purchases in the
  window: 0 prospect, 1 conversion, 2 retention, 3+ loyalty; churned after 60 days
  without a purchase), which is not the pipeline's stage engine;
- revenue per channel in EUR: orders net of refunds (latest export of each order),
  till receipts (returns negative), paid subscription starts.

It prints one JSON object: seconds per step and the figures. It is what a careful
analyst would write by hand for these numbers, and the yardstick the pipeline's time
is compared with (`make bench`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import duckdb

from orchestration.settings import PROJECT_DIR

# channel file -> (touchpoint channel, identifier columns as (column, type))
CHANNELS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "web_events": ("web", (("cookie_id", "cookie"), ("user_id", "user"), ("email", "email"))),
    "app_events": ("app", (("device_id", "device"), ("user_id", "user"))),
    "email_events": ("email", (("email", "email"),)),
    "social_mentions": ("social", (("handle", "handle"),)),
    "crm_leads": ("crm", (("lead_id", "lead"), ("email", "email"), ("phone", "phone"))),
    "orders": (
        "shop",
        (("shop_customer_id", "shop"), ("customer_email", "email"), ("phone", "phone")),
    ),
    "carts": ("shop", (("cookie_id", "cookie"), ("shop_customer_id", "shop"), ("email", "email"))),
    "subscriptions": ("shop", (("email", "email"),)),
    "pos_transactions": (
        "pos",
        (("loyalty_card_id", "card"), ("phone", "phone"), ("email", "email")),
    ),
    "calls": ("call_centre", (("phone_number", "phone"), ("customer_email", "email"))),
    "support_tickets": ("support", (("email", "email"), ("social_handle", "handle"))),
    "surveys": ("support", (("email", "email"),)),
    "reviews": ("reviews", (("reviewer_email", "email"), ("reviewer_handle", "handle"))),
    "referrals": ("referrals", (("referrer_email", "email"),)),
    "media_listens": ("media", (("subscriber_email", "email"),)),
    "affiliate_conversions": ("affiliates", ()),
}
KEYS = {
    "web_events": "event_id",
    "app_events": "event_id",
    "email_events": "event_id",
    "social_mentions": "mention_id",
    "crm_leads": "lead_id",
    "orders": "order_id",
    "carts": "cart_id",
    "subscriptions": "subscription_id",
    "pos_transactions": "transaction_id",
    "calls": "call_id",
    "support_tickets": "ticket_id",
    "surveys": "response_id",
    "reviews": "review_id",
    "referrals": "referral_id",
    "media_listens": "media_date || episode_id || platform || coalesce(subscriber_email, '')",
    "affiliate_conversions": "conversion_id",
}
# Touchpoints per record: a referral is one for the referrer and one for the referee;
# only the media rows of a known subscriber are customer-level.
TOUCHPOINT_COUNT = {
    "referrals": "2 * count(*)",
    "media_listens": "count(subscriber_email)",
}
SNAPSHOTS = {"crm_leads", "orders", "carts", "subscriptions", "support_tickets", "referrals"}
TYPES = {"email": 1, "phone": 2, "cookie": 3, "device": 4, "user": 5, "shop": 6, "card": 7}


def _normalised(column: str, kind: str) -> str:
    if kind == "email":
        return f"nullif(lower(trim({column})), '')"
    if kind == "phone":
        digits = f"regexp_replace({column}, '[^0-9+]', '', 'g')"
        return (
            f"case when {digits} like '+%' then {digits}"
            f" when {digits} like '0%' then '+44' || substr({digits}, 2) end"
        )
    if kind == "handle":
        return f"nullif(lower(ltrim(trim({column}), '@')), '')"
    return f"nullif(trim({column}), '')"


def run(landing: Path, *, memory: str, threads: int) -> dict:
    timings: dict[str, float] = {}
    con = duckdb.connect()
    con.execute(f"set memory_limit = '{memory}'")
    con.execute(f"set threads = {threads}")
    con.execute("set TimeZone = 'UTC'")
    con.execute("set preserve_insertion_order = false")
    # Spill beside the landing folder, not into the working directory's .tmp/.
    con.execute(f"set temp_directory = '{landing.parent / 'reference_spill'}'")

    def step(name: str, sql: str | list[str]) -> None:
        started = time.monotonic()
        for statement in [sql] if isinstance(sql, str) else sql:
            con.execute(statement)
        timings[name] = timings.get(name, 0.0) + time.monotonic() - started

    # 1. Records: one row per key (snapshots: the latest export), with a record id.
    for name in CHANNELS:
        files = f"'{landing}/{name}/*/*.parquet'"
        if not list((landing / name).glob("*/*.parquet")):
            continue
        order = "updated_at desc" if name in SNAPSHOTS else "1"
        step(
            "load",
            f"create table {name} as select * exclude (_n) from ("
            f" select *, row_number() over (partition by {KEYS[name]} order by {order}) as _n"
            f" from read_parquet({files}, union_by_name = true)) where _n = 1",
        )
    present = [name for (name,) in con.execute("select table_name from duckdb_tables()").fetchall()]
    blocklist = PROJECT_DIR / "seeds" / "identifier_blocklist.csv"
    step(
        "identity",
        f"create table blocked as select identifier_value as value"
        f" from read_csv('{blocklist}', header = true)",
    )

    # 2. Identity: record -> identifiers, each record links to its smallest identifier.
    observations = []
    for name in present:
        if name not in CHANNELS:
            continue
        _, identifiers = CHANNELS[name]
        record = f"'{name}:' || ({KEYS[name]})"
        for column, kind in identifiers:
            value = _normalised(column, kind)
            observations.append(
                f"select {record} as record_id, '{kind}:' || {value} as node"
                f" from {name} where {value} is not null"
            )
    step(
        "identity",
        [
            "create table observations as select * from ("
            + " union all ".join(observations)
            + ") where substr(node, strpos(node, ':') + 1) not in (select value from blocked)",
            "create table nodes as select distinct node from observations",
            "create table edges as with record_min as ("
            " select record_id, min(node) as root from observations group by record_id)"
            " select distinct o.node as a, r.root as b from observations o"
            " join record_min r using (record_id) where o.node <> r.root",
            "create table labels as select node, node as label from nodes",
        ],
    )
    iterations = 0
    while True:
        iterations += 1
        started = time.monotonic()
        con.execute(
            "create or replace table new_labels as"
            " with neighbour as ("
            "  select e.a as node, l.label from edges e join labels l on l.node = e.b"
            "  union all"
            "  select e.b as node, l.label from edges e join labels l on l.node = e.a"
            "  union all select node, label from labels),"
            " best as (select node, min(label) as label from neighbour group by node)"
            # pointer jumping: follow the label's own label once
            " select b.node, least(b.label, l.label) as label from best b"
            " join labels l on l.node = b.label"
        )
        (changed,) = con.execute(
            "select count(*) from new_labels n join labels l using (node) where n.label <> l.label"
        ).fetchone()
        con.execute("drop table labels")
        con.execute("alter table new_labels rename to labels")
        timings["identity"] += time.monotonic() - started
        if changed == 0 or iterations > 60:
            break
    anonymous_purchases = []
    for name in ("orders", "pos_transactions"):
        if name in present:
            anonymous_purchases.append(
                f"select count(*) from {name} where '{name}:' || {KEYS[name]}"
                " not in (select record_id from observations)"
            )
    started = time.monotonic()
    (components,) = con.execute("select count(distinct label) from labels").fetchone()
    anonymous = sum(con.execute(sql).fetchone()[0] for sql in anonymous_purchases)
    (identifiers,) = con.execute("select count(*) from nodes").fetchone()
    timings["identity"] += time.monotonic() - started

    # 3. Touchpoints per channel.
    started = time.monotonic()
    touchpoints: dict[str, int] = {}
    for name in present:
        if name in CHANNELS:
            channel = CHANNELS[name][0]
            counted = TOUCHPOINT_COUNT.get(name, "count(*)")
            (n,) = con.execute(f"select {counted} from {name}").fetchone()
            touchpoints[channel] = touchpoints.get(channel, 0) + int(n)
    timings["touchpoints"] = time.monotonic() - started

    # 4. Revenue per channel (EUR; the scale generator writes EUR only).
    revenue_parts = []
    if "orders" in present:
        revenue_parts.append(
            "select 'shop' as channel, sum(total_amount - coalesce(refunded_amount, 0))"
            " as revenue from orders"
        )
    if "pos_transactions" in present:
        revenue_parts.append("select 'pos', sum(amount) from pos_transactions")
    if "subscriptions" in present:
        revenue_parts.append(
            "select 'shop', sum(monthly_amount) from subscriptions"
            " where paid_started_at is not null"
        )
    started = time.monotonic()
    revenue: dict[str, float] = {}
    for sql in revenue_parts:
        channel, amount = con.execute(sql).fetchone()
        revenue[channel] = revenue.get(channel, 0.0) + float(amount or 0)
    timings["revenue"] = time.monotonic() - started

    # 5. Customers per stage on the last day (simplified rule, see the docstring).
    step(
        "stages",
        [
            "create table record_customer as select o.record_id, min(l.label) as customer"
            " from observations o join labels l using (node) group by o.record_id",
            "create table purchases as"
            + " union all ".join(
                " select 'orders:' || order_id as record_id, ordered_at as purchased_at from orders"
                if n == "orders"
                else " select 'pos_transactions:' || transaction_id, transacted_at"
                " from pos_transactions where transaction_type = 'sale'"
                for n in ("orders", "pos_transactions")
                if n in present
            ),
        ],
    )
    started = time.monotonic()
    stage_rows = con.execute(
        "with last_day as (select max(cast(purchased_at as date)) as d from purchases),"
        " per_customer as (select coalesce(rc.customer, p.record_id) as customer,"
        "  count(*) as n, max(purchased_at) as last_at from purchases p"
        "  left join record_customer rc using (record_id) group by 1),"
        " staged as (select case when n = 0 then 'prospect'"
        "  when cast(last_at as date) < (select d from last_day) - 60 then 'churned'"
        "  when n = 1 then 'conversion' when n = 2 then 'retention' else 'loyalty' end"
        "  as stage from per_customer)"
        " select stage, count(*) from staged group by 1 order by 1"
    ).fetchall()
    customers = int(components) + int(anonymous)
    buyers = sum(n for _, n in stage_rows)
    stages = {"prospect": customers - buyers, **{s: int(n) for s, n in stage_rows}}
    timings["stages"] += time.monotonic() - started
    con.close()
    return {
        "seconds": {k: round(v, 2) for k, v in timings.items()},
        "total_seconds": round(sum(timings.values()), 2),
        "label_iterations": iterations,
        "identifiers": int(identifiers),
        "customers": customers,
        "touchpoints_per_channel": dict(sorted(touchpoints.items())),
        "customers_per_stage": stages,
        "revenue_eur_per_channel": {k: round(v, 2) for k, v in sorted(revenue.items())},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.bench_reference")
    parser.add_argument("landing", type=Path)
    parser.add_argument("--memory", default="8GB")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    started = time.monotonic()
    result = run(args.landing.resolve(), memory=args.memory, threads=args.threads)
    result["wall_seconds"] = round(time.monotonic() - started, 2)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

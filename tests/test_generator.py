"""The demo-data generator: deterministic, contract-conformant, and honest about its truth.

Small runs only (a couple of seconds each). Expected values come from the
contract, the ground-truth files and hand-written normalisers, not from the
generator's own helpers.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from orchestration.contract import load_contract
from orchestration.generator import generate_demo_data

CONTRACT = load_contract()
SMALL = {"persons": 300, "days": 30, "start_date": date(2026, 1, 1)}
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
STAGES = {
    "awareness",
    "engagement",
    "evaluation",
    "acquisition",
    "conversion",
    "retention",
    "loyalty",
    "advocacy",
    "at_risk",
    "churned",
    "reactivated",
}
# (channel, column) -> identifier type; written from the brief, not imported.
IDENTIFIER_COLUMNS = {
    ("web_events", "cookie_id"): "cookie_id",
    ("web_events", "user_id"): "user_id",
    ("web_events", "email"): "email",
    ("app_events", "device_id"): "device_id",
    ("app_events", "user_id"): "user_id",
    ("email_events", "email"): "email",
    ("social_mentions", "handle"): "social_handle",
    ("crm_leads", "lead_id"): "lead_id",
    ("crm_leads", "email"): "email",
    ("crm_leads", "phone"): "phone",
    ("orders", "shop_customer_id"): "shop_customer_id",
    ("orders", "customer_email"): "email",
    ("orders", "phone"): "phone",
    ("carts", "cookie_id"): "cookie_id",
    ("carts", "shop_customer_id"): "shop_customer_id",
    ("carts", "email"): "email",
    ("subscriptions", "email"): "email",
    ("pos_transactions", "loyalty_card_id"): "loyalty_card_id",
    ("pos_transactions", "phone"): "phone",
    ("pos_transactions", "email"): "email",
    ("calls", "phone_number"): "phone",
    ("calls", "customer_email"): "email",
    ("support_tickets", "email"): "email",
    ("support_tickets", "social_handle"): "social_handle",
    ("surveys", "email"): "email",
    ("reviews", "reviewer_email"): "email",
    ("reviews", "reviewer_handle"): "social_handle",
    ("referrals", "referrer_email"): "email",
    ("referrals", "referee_email"): "email",
    ("media_listens", "subscriber_email"): "email",
}


# ---------------------------------------------------------------------- helpers


def normalise(kind: str, value: str) -> str:
    value = value.strip()
    if kind == "email":
        return value.lower()
    if kind == "social_handle":
        return value.lstrip("@").lower()
    if kind == "phone":
        digits = re.sub(r"\D", "", value)
        if value.startswith("+"):
            return "+" + digits
        if digits.startswith("0044"):
            return "+" + digits[2:]
        return "+44" + digits[1:]
    return value


def read_rows(path: Path) -> list[dict[str, object]]:
    """A landed file as dicts; nulls as None, everything else as written."""
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as f:
            return [
                {k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(f)
            ]
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return pq.read_table(path).to_pylist()


def header(path: Path) -> list[str]:
    if path.suffix == ".csv":
        return path.read_text(encoding="utf-8").splitlines()[0].split(",")
    if path.suffix == ".parquet":
        return pq.read_schema(path).names
    keys: set[str] = set()
    for row in read_rows(path):
        keys |= set(row)
    return sorted(keys)


def violation(channel: str, row: dict[str, object]) -> str | None:
    """Why a row breaks the contract, or None."""
    for column in CONTRACT[channel].columns:
        value = row.get(column.name)
        if value is None or value == "":
            if column.required:
                return f"missing {column.name}"
            continue
        if isinstance(value, str):
            text = value
            if column.type in ("decimal", "integer"):
                try:
                    value = Decimal(text)
                except InvalidOperation:
                    return f"non-numeric {column.name}"
            elif column.type == "timestamp" and not TIMESTAMP.match(text):
                return f"bad timestamp {column.name}"
            elif column.type == "date":
                try:
                    date.fromisoformat(text)
                except ValueError:
                    return f"bad date {column.name}"
        if column.accepted_values and str(value) not in column.accepted_values:
            return f"{column.name}={value!r} not accepted"
        if column.min is not None and Decimal(str(value)) < Decimal(str(column.min)):
            return f"{column.name} below min"
        if column.max is not None and Decimal(str(value)) > Decimal(str(column.max)):
            return f"{column.name} above max"
    return None


def landed_files(landing: Path) -> list[Path]:
    return sorted(p for p in landing.rglob("*") if p.is_file())


def read_truth(truth: Path, name: str) -> list[dict[str, str]]:
    with (truth / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("gen")
    lines: list[str] = []
    summary = generate_demo_data(
        base / "landing", base / "truth", seed=42, progress=lines.append, **SMALL
    )
    return {
        "landing": base / "landing",
        "truth": base / "truth",
        "summary": summary,
        "progress": lines,
        "mess": json.loads((base / "truth" / "mess.json").read_text()),
    }


@pytest.fixture(scope="module")
def channel_rows(run):
    """channel -> [(relative path, data row number, row)] over every landed file."""
    rows = defaultdict(list)
    for path in landed_files(run["landing"]):
        relative = path.relative_to(run["landing"]).as_posix()
        channel = relative.split("/")[0]
        for number, row in enumerate(read_rows(path), start=1):
            rows[channel].append((relative, number, row))
    return rows


# ---------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_bytes_and_other_seed_differs(run, tmp_path):
    again = tmp_path / "again"
    generate_demo_data(again / "landing", again / "truth", seed=42, **SMALL)
    for root in ("landing", "truth"):
        first = {p.relative_to(run[root]): p.read_bytes() for p in landed_files(run[root])}
        second = {p.relative_to(again / root): p.read_bytes() for p in landed_files(again / root)}
        assert first.keys() == second.keys()
        assert all(first[k] == second[k] for k in first), f"{root} differs between runs"

    other = tmp_path / "other"
    generate_demo_data(other / "landing", other / "truth", seed=43, **SMALL)
    assert (other / "truth" / "identifiers.csv").read_bytes() != (
        run["truth"] / "identifiers.csv"
    ).read_bytes()


def test_sizes_scale_with_flags(tmp_path):
    small = generate_demo_data(tmp_path / "a" / "l", tmp_path / "a" / "t", persons=60, days=10)
    more_people = generate_demo_data(
        tmp_path / "b" / "l", tmp_path / "b" / "t", persons=180, days=10
    )
    more_days = generate_demo_data(tmp_path / "c" / "l", tmp_path / "c" / "t", persons=60, days=25)
    assert more_people.total_rows > 1.5 * small.total_rows
    assert more_days.total_files > 1.5 * small.total_files
    assert small.end_date == date(2026, 1, 10)
    assert len(read_truth(tmp_path / "b" / "t", "persons.csv")) == 180


# ---------------------------------------------------------------------- layout and contract


def test_layout_formats_and_summary(run):
    summary, landing = run["summary"], run["landing"]
    files = landed_files(landing)
    assert {p.relative_to(landing).parts[0] for p in files} == set(CONTRACT.channels)
    for path in files:
        channel, day, name = path.relative_to(landing).parts
        date.fromisoformat(day)
        expected = {"web_events": "jsonl", "app_events": "jsonl", "email_events": "jsonl"}.get(
            channel, "parquet" if channel in ("pos_transactions", "media_listens") else "csv"
        )
        assert name.endswith("." + expected)
        if not name.endswith("_redelivery.csv"):
            assert name == f"{channel}_{day}.{expected}"
        assert path.stat().st_size > 0
    counts = Counter(p.relative_to(landing).parts[0] for p in files)
    assert summary.files == dict(counts)
    for channel in ("ad_spend", "social_posts"):
        assert counts[channel] == SMALL["days"]
    assert any(line.startswith("writing orders: ") for line in run["progress"])
    assert summary.end_date == date(2026, 1, 30)


def test_every_file_conforms_to_the_contract_except_recorded_junk(run, channel_rows):
    junk = {(m["file"], m["row"]) for m in run["mess"]["malformed_rows"]}
    for path in landed_files(run["landing"]):
        channel = path.relative_to(run["landing"]).parts[0]
        columns = set(header(path))
        allowed = set(CONTRACT[channel].column_names)
        assert columns <= allowed, f"{path}: unknown columns {columns - allowed}"
        if path.suffix != ".jsonl":
            assert set(CONTRACT[channel].required_columns) <= columns
    for channel, rows in channel_rows.items():
        for relative, number, row in rows:
            if (relative, number) in junk:
                continue
            problem = violation(channel, row)
            assert problem is None, f"{relative} row {number}: {problem}"
    summary = run["summary"]
    assert summary.rows == {c: len(r) for c, r in channel_rows.items()}


def test_malformed_rows_are_few_recorded_and_really_broken(run, channel_rows):
    malformed = run["mess"]["malformed_rows"]
    assert 5 <= len(malformed) <= 10
    assert len({m["channel"] for m in malformed}) >= 3
    by_location = {(rel, n): row for rows in channel_rows.values() for rel, n, row in rows}
    for m in malformed:
        row = by_location[(m["file"], m["row"])]
        assert violation(m["channel"], row) is not None, m
        assert m["reason"]


# ---------------------------------------------------------------------- truth


def test_truth_persons_identifiers_and_stages(run, channel_rows):
    truth = run["truth"]
    persons = {r["person_id"]: r for r in read_truth(truth, "persons.csv")}
    assert len(persons) == SMALL["persons"]
    identifiers = read_truth(truth, "identifiers.csv")
    seen: set[tuple[str, str]] = set()
    for (channel, column), kind in IDENTIFIER_COLUMNS.items():
        for _, _, row in channel_rows[channel]:
            if row.get(column):
                seen.add((kind, normalise(kind, str(row[column]))))
    owners: dict[tuple[str, str], str] = {}
    for ident in identifiers:
        key = (ident["identifier_type"], ident["identifier_value"])
        assert ident["person_id"] in persons
        assert key in seen, f"{key} is not in the landing data"
        assert owners.setdefault(key, ident["person_id"]) == ident["person_id"], "shared id"
    known_types = {"email", "phone", "user_id", "loyalty_card_id", "lead_id", "shop_customer_id"}
    known = {i["person_id"] for i in identifiers if i["identifier_type"] in known_types}
    for person_id, person in persons.items():
        assert person["is_known"] == ("true" if person_id in known else "false")
    assert 0 < len(known) < len(persons)

    timeline = read_truth(truth, "stage_timeline.csv")
    assert [(r["person_id"], r["entered_at"]) for r in timeline] == sorted(
        (r["person_id"], r["entered_at"]) for r in timeline
    )
    last_stage = {}
    for r in timeline:
        assert r["stage"] in STAGES and TIMESTAMP.match(r["entered_at"])
        last_stage[r["person_id"]] = r["stage"]
    assert {p: r["final_stage"] for p, r in persons.items()} == last_stage
    finals = Counter(last_stage.values())
    assert finals["awareness"] + finals["engagement"] > len(persons) / 3  # most stop early
    assert finals["awareness"] < len(persons)


def test_purchases_match_the_landed_orders_and_receipts(run, channel_rows):
    truth = run["truth"]
    persons = {r["person_id"] for r in read_truth(truth, "persons.csv")}
    purchases = read_truth(truth, "purchases.csv")
    assert purchases
    latest: dict[str, dict] = {}
    for _, _, row in channel_rows["orders"]:
        if violation("orders", row) is None:
            current = latest.get(row["order_id"])
            if current is None or row["updated_at"] >= current["updated_at"]:
                latest[row["order_id"]] = row
    receipts = {r["transaction_id"]: r for _, _, r in channel_rows["pos_transactions"]}
    for p in purchases:
        assert p["person_id"] in persons
        gross, refunded = Decimal(p["gross_amount"]), Decimal(p["refunded_amount"])
        assert Decimal(p["net_amount"]) == gross - refunded
        if p["channel"] == "orders":
            order = latest[p["purchase_id"]]
            assert Decimal(order["total_amount"]) == gross
            assert Decimal(order["refunded_amount"] or "0") == refunded
            assert order["currency"] == p["currency"]
        else:
            receipt = receipts[p["purchase_id"]]
            assert Decimal(str(receipt["amount"])) == gross
    order_ids = {p["purchase_id"] for p in purchases if p["channel"] == "orders"}
    assert order_ids == set(latest)


def test_orders_add_up_and_references_resolve(channel_rows):
    orders = {}
    for _, _, row in channel_rows["orders"]:
        if violation("orders", row) is not None:
            continue
        orders[row["order_id"]] = row
        total = sum(Decimal(row[c]) for c in ("subtotal_amount", "tax_amount", "shipping_amount"))
        assert Decimal(row["total_amount"]) == total
    lines = defaultdict(Decimal)
    for _, _, row in channel_rows["order_lines"]:
        assert Decimal(row["line_amount"]) == int(row["quantity"]) * Decimal(
            row["unit_price_amount"]
        )
        lines[row["order_id"]] += Decimal(row["line_amount"])
    for order_id, order in orders.items():
        assert lines[order_id] == Decimal(order["subtotal_amount"])
    for _, _, row in channel_rows["affiliate_conversions"]:
        assert row["order_id"] in orders
    for _, _, row in channel_rows["carts"]:
        if row["status"] == "converted":
            assert row["order_id"] in orders
    statuses = Counter(row["status"] for _, _, row in channel_rows["orders"])
    assert statuses["refunded"] + statuses["partially_refunded"] > 0


def test_utm_campaigns_match_ad_spend(channel_rows):
    campaigns = {row["campaign"] for _, _, row in channel_rows["ad_spend"]}
    paid = {
        row["utm_campaign"]
        for _, _, row in channel_rows["web_events"]
        if row.get("utm_medium") in ("cpc", "paid_social", "audio")
    }
    assert paid and paid <= campaigns


# ---------------------------------------------------------------------- mess


def test_redelivered_file_is_a_byte_identical_copy(run):
    redelivered = run["mess"]["redelivered_file"]
    copy = run["landing"] / redelivered["path"]
    original = run["landing"] / redelivered["original_path"]
    assert copy.read_bytes() == original.read_bytes()
    assert copy.parent.name > original.parent.name
    assert copy.name != original.name
    assert run["summary"].redelivered_file == redelivered["path"]


def test_duplicate_and_late_counts_match_the_files(run, channel_rows):
    mess = run["mess"]
    redelivered = run["mess"]["redelivered_file"]["path"]
    key_columns = {"web_events": "event_id", "email_events": "event_id", "app_events": "event_id"}
    time_columns = {"web_events": "event_at", "email_events": "event_at", "app_events": "event_at"}
    for channel, key in key_columns.items():
        rows = [(rel, r) for rel, n, r in channel_rows[channel] if violation(channel, r) is None]
        ids = Counter(r[key] for _, r in rows)
        assert sum(ids.values()) - len(ids) == mess["duplicate_rows"].get(channel, 0)
        first_delivery: dict[str, str] = {}
        event_day: dict[str, str] = {}
        for rel, r in rows:
            folder = rel.split("/")[1]
            first_delivery[r[key]] = min(first_delivery.get(r[key], folder), folder)
            event_day[r[key]] = r[time_columns[channel]][:10]
        late = sum(first_delivery[k] > event_day[k] for k in ids)
        assert late == mess["late_rows"].get(channel, 0)
        for k in ids:
            lag = date.fromisoformat(first_delivery[k]) - date.fromisoformat(event_day[k])
            assert 0 <= lag.days <= 3
    assert redelivered.startswith("orders/")
    assert sum(mess["duplicate_rows"].values()) > 0 and sum(mess["late_rows"].values()) > 0


def test_identifier_variants_and_anonymous_sessions_identified_later(channel_rows):
    phones = [
        str(r[c])
        for ch, c in (("orders", "phone"), ("calls", "phone_number"), ("crm_leads", "phone"))
        for _, _, r in channel_rows[ch]
        if r.get(c)
    ]
    formats = {re.sub(r"\d", "9", p) for p in phones}
    assert len(formats) >= 4
    emails = [
        str(r["email"])
        for ch in ("email_events", "support_tickets", "subscriptions", "surveys", "crm_leads")
        for _, _, r in channel_rows[ch]
        if r.get("email")
    ]
    assert any(e != e.strip().lower() for e in emails)
    assert all("@" in e for e in emails if "junk" not in e)
    by_cookie = defaultdict(list)
    for _, _, r in channel_rows["web_events"]:
        if violation("web_events", r) is None:
            by_cookie[r["cookie_id"]].append((r["event_at"], r.get("user_id")))
    identified_later = [
        cookie
        for cookie, events in by_cookie.items()
        if sorted(events)[0][1] is None and any(user for _, user in events)
    ]
    assert identified_later


def test_known_persons_identifiers_meet_in_records(run, channel_rows):
    """Nearly every identifier of a known person shares a landed row with another of
    theirs, transitively: the generator identifies browsers, installs and handles the
    way real stacks do (logins, forms, decorated links, DM tickets), and loses only a
    small share of those identifications. Computed from the files and the truth alone."""
    shared = {
        (r["identifier_type"], r["identifier_value"])
        for r in read_truth(run["truth"], "shared_identifiers.csv")
    }
    owner: dict[tuple[str, str], str] = {}
    for r in read_truth(run["truth"], "identifiers.csv"):
        key = (r["identifier_type"], r["identifier_value"])
        owner[key] = r["person_id"] if owner.get(key, r["person_id"]) == r["person_id"] else ""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(node):
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for channel in {ch for ch, _ in IDENTIFIER_COLUMNS}:
        columns = [
            (c, k)
            for (ch, c), k in IDENTIFIER_COLUMNS.items()
            # The referee is someone else than the person the row belongs to.
            if ch == channel and c != "referee_email"
        ]
        for _, _, row in channel_rows[channel]:
            nodes = [(k, normalise(k, str(row[c]))) for c, k in columns if row.get(c)]
            nodes = [n for n in nodes if owner.get(n) and n not in shared]
            for node in nodes[1:]:
                parent[find(node)] = find(nodes[0])
    cells: Counter = Counter()
    sizes: Counter = Counter()
    for node, person in owner.items():
        if person and node not in shared:
            cells[(find(node), person)] += 1
            sizes[person] += 1
    linked = sum(n * (n - 1) // 2 for n in cells.values())
    pairs = sum(n * (n - 1) // 2 for n in sizes.values())
    assert pairs > 500
    assert linked / pairs >= 0.95, f"only {linked / pairs:.3f} of identifier pairs linkable"


def test_some_leads_misspell_the_last_name(run, channel_rows):
    """The typos hard case: a person's leads carry their last name once as written
    and once with two neighbouring letters swapped."""
    owner = {
        (r["identifier_type"], r["identifier_value"]): r["person_id"]
        for r in read_truth(run["truth"], "identifiers.csv")
    }
    names = defaultdict(set)
    for _, _, row in channel_rows["crm_leads"]:
        person = owner.get(("lead_id", str(row["lead_id"])))
        if person and row.get("last_name"):
            names[person].add(str(row["last_name"]))

    def swapped(a: str, b: str) -> bool:
        differ = [i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y]
        return (
            len(a) == len(b)
            and len(differ) == 2
            and differ[1] == differ[0] + 1
            and a[differ[0]] == b[differ[1]]
            and a[differ[1]] == b[differ[0]]
        )

    assert any(swapped(a, b) for found in names.values() for a in found for b in found if a < b)


def _landing_files(landing: Path) -> dict[str, bytes]:
    return {p.relative_to(landing).as_posix(): p.read_bytes() for p in landing.rglob("*.*")}


def _truth_rows(truth: Path, name: str) -> list[dict[str, str]]:
    with (truth / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_next_day_releases_one_day_and_leaves_earlier_files_alone(tmp_path):
    landing, truth = tmp_path / "landing", tmp_path / "truth"
    demo = {"persons": 200, "days": 20, "ahead": 3, "seed": 7, "start_date": date(2026, 1, 1)}
    generate_demo_data(landing, truth, **demo)
    assert json.loads((truth / "generation.json").read_text())["released_days"] == 20
    before = _landing_files(landing)
    assert max(path.split("/")[1] for path in before) == "2026-01-20"
    purchases_before = _truth_rows(truth, "purchases.csv")
    persons_before = {row["person_id"] for row in _truth_rows(truth, "persons.csv")}

    generate_demo_data(landing, truth, **demo, released_days=21)
    after = _landing_files(landing)
    changed = [path for path, content in before.items() if after.get(path) != content]
    assert changed == [], "releasing a day must not touch the files of earlier days"
    new = set(after) - set(before)
    assert new, "the released day should bring files"
    assert {path.split("/")[1] for path in new} == {"2026-01-21"}
    # The truth moves on by exactly that day.
    purchases_after = _truth_rows(truth, "purchases.csv")
    known = {row["purchase_id"]: row for row in purchases_before}
    added = [row for row in purchases_after if row["purchase_id"] not in known]
    assert all(row["purchased_at"].startswith("2026-01-21") for row in added), added[:3]
    assert {row["purchase_id"] for row in purchases_after} >= set(known)
    for row in purchases_after:  # only a refund made on the new day may change an old row
        old = known.get(row["purchase_id"])
        if old is not None and old != row:
            assert (old["refunded_amount"], row["purchased_at"]) == ("0.00", old["purchased_at"])
    assert persons_before <= {row["person_id"] for row in _truth_rows(truth, "persons.csv")}
    for row in _truth_rows(truth, "stage_timeline.csv"):
        assert row["entered_at"] < "2026-01-22", row

    with pytest.raises(ValueError, match="cannot release 24"):
        generate_demo_data(landing, truth, **demo, released_days=24)


def test_next_day_command_releases_until_the_simulation_ends(tmp_path, monkeypatch, capsys):
    from orchestration.cli import main

    monkeypatch.setenv("LIFECYCLE_LANDING", str(tmp_path / "landing"))
    monkeypatch.setenv("LIFECYCLE_GROUND_TRUTH", str(tmp_path / "truth"))
    monkeypatch.setenv("LIFECYCLE_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    assert main(["next-day"]) == 1
    assert "not generated here" in capsys.readouterr().out
    assert main(["generate", "--persons", "50", "--days", "5", "--ahead", "1"]) == 0
    assert main(["next-day"]) == 0
    assert "next: lifecycle run --date 2026-01-06" in capsys.readouterr().out
    assert main(["next-day"]) == 1
    assert "every day is released" in capsys.readouterr().out

"""Identity-stitching quality against the demo generator's ground truth.

    lifecycle identity-quality [--warehouse PATH] [--truth DIR]

The items are the identifiers of the truth (``identifiers.csv``: person_id,
identifier_type, identifier_value, normalised), each placed in the customer the
warehouse resolved it to (``intermediate.int_customer_identifiers``). Over all
pairs of items:

- precision = pairs in one customer that belong to one person / pairs in one customer
- recall = pairs in one customer that belong to one person / pairs that belong to one person
- F1 = their harmonic mean.

The pair counts come from the contingency table of (customer, person) cells:
a cell of n items holds n(n-1)/2 pairs, so no pair is ever enumerated.
Identifiers the generator shares between persons by construction (a family
tablet, a store's default loyalty card, placeholder phones: ``shared_identifiers.csv``)
belong to nobody and are not items; identifiers of the truth the warehouse
never saw (rows in quarantine) are counted and left out.

An over-merged customer holds items of two or more persons; a split person has
items in two or more customers.

Exact stitching cannot join identifiers of one person that never appear
together in one record (two anonymous cookies, a newsletter address never
typed on the site). The report also gives the recall attainable on exact
identifiers: the recall of the ideal stitching that joins every two items
observed in one record (``intermediate.int_identifier_observations``), so that
a gap between the two is the stitching's fault and the rest is the data's.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.settings import get_settings

CUSTOMER_IDENTIFIERS = "intermediate.int_customer_identifiers"
OBSERVATIONS = "intermediate.int_identifier_observations"

METRICS_SQL = """
with

items as (
    select truth.person_id, resolved.customer_id
    from truth
    inner join resolved on truth.node_id = resolved.node_id
),

cells as (
    select customer_id, person_id, count(*) as n_items
    from items
    group by customer_id, person_id
),

customer_sizes as (
    select
        customer_id,
        sum(n_items) as n_items,
        count(*) as n_persons
    from cells
    group by customer_id
),

person_sizes as (
    select
        person_id,
        sum(n_items) as n_items,
        count(*) as n_customers
    from cells
    group by person_id
)

select
    (select coalesce(sum(n_items * (n_items - 1) / 2), 0) from cells) as true_positive_pairs,
    (select coalesce(sum(n_items * (n_items - 1) / 2), 0) from customer_sizes)
        as predicted_pairs,
    (select coalesce(sum(n_items * (n_items - 1) / 2), 0) from person_sizes) as true_pairs,
    (select count(*) from items) as n_items,
    (select count(*) from person_sizes) as n_persons,
    (select count(*) from customer_sizes) as n_customers,
    (select count(*) from customer_sizes where n_persons > 1) as n_over_merged_customers,
    (select count(*) from person_sizes where n_customers > 1) as n_split_persons,
    (select count(*) from truth where node_id not in (select node_id from resolved))
        as n_unseen_identifiers
"""


@dataclass(frozen=True)
class IdentityQuality:
    true_positive_pairs: int
    predicted_pairs: int
    true_pairs: int
    n_items: int
    n_persons: int
    n_customers: int
    n_over_merged_customers: int
    n_split_persons: int
    n_unseen_identifiers: int
    n_shared_identifiers: int = 0
    attainable_recall: float | None = None

    @property
    def precision(self) -> float:
        if self.predicted_pairs == 0:
            return 1.0
        return self.true_positive_pairs / self.predicted_pairs

    @property
    def recall(self) -> float:
        if self.true_pairs == 0:
            return 1.0
        return self.true_positive_pairs / self.true_pairs

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 0.0 if total == 0 else 2 * self.precision * self.recall / total

    def describe(self) -> str:
        return "\n".join(
            [
                f"identifiers compared: {self.n_items:,} of {self.n_persons:,} persons"
                f" in {self.n_customers:,} customers",
                f"  not seen by the warehouse: {self.n_unseen_identifiers:,};"
                f" shared by construction (left out): {self.n_shared_identifiers:,}",
                f"pairwise precision: {self.precision:.4f}"
                f"  ({self.true_positive_pairs:,} / {self.predicted_pairs:,} pairs)",
                f"pairwise recall:    {self.recall:.4f}"
                f"  ({self.true_positive_pairs:,} / {self.true_pairs:,} pairs)",
                f"pairwise F1:        {self.f1:.4f}",
                *(
                    []
                    if self.attainable_recall is None
                    else [
                        f"recall attainable on exact identifiers: {self.attainable_recall:.4f}"
                        " (items observed together in a record, joined transitively)"
                    ]
                ),
                f"over-merged customers (2+ persons): {self.n_over_merged_customers:,}",
                f"split persons (2+ customers):       {self.n_split_persons:,}",
            ]
        )


def compute_quality(
    con: duckdb.DuckDBPyConnection, truth_sql: str, resolved_sql: str
) -> IdentityQuality:
    """Metrics for a truth relation (node_id, person_id) and a resolution
    relation (node_id, customer_id), both given as selects on ``con``."""
    con.execute(f"create or replace temporary view truth as {truth_sql}")
    con.execute(f"create or replace temporary view resolved as {resolved_sql}")
    row = con.execute(METRICS_SQL).fetchone()
    names = [d[0] for d in con.description]
    return IdentityQuality(**{name: int(value) for name, value in zip(names, row, strict=True)})


def ideal_components(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Union-find over (record_id, node_id): node -> smallest node of its component."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    anchors: dict[str, str] = {}
    for record_id, node_id in pairs:
        parent.setdefault(node_id, node_id)
        anchor = anchors.setdefault(record_id, node_id)
        a, b = find(anchor), find(node_id)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {node: find(node) for node in parent}


def _csv(path: Path) -> str:
    return "read_csv(" + "'" + str(path).replace("'", "''") + "'" + ", all_varchar = true)"


def measure(warehouse: Path, truth_dir: Path) -> IdentityQuality:
    """Compare the warehouse's customers with the generator's truth."""
    identifiers = truth_dir / "identifiers.csv"
    shared = truth_dir / "shared_identifiers.csv"
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        n_shared = 0
        shared_filter = ""
        if shared.exists():
            n_shared = con.execute(f"select count(*) from {_csv(shared)}").fetchone()[0]
            shared_filter = (
                " where identifier_type || ':' || identifier_value not in"
                f" (select identifier_type || ':' || identifier_value from {_csv(shared)})"
            )
        # An identifier the truth gives to two persons is shared, never an item.
        truth_sql = (
            "select node_id, min(person_id) as person_id from ("
            " select distinct identifier_type || ':' || identifier_value as node_id, person_id"
            f" from {_csv(identifiers)}{shared_filter}) as t"
            " group by node_id having count(*) = 1"
        )
        resolved_sql = f"select node_id, customer_id from {CUSTOMER_IDENTIFIERS}"
        quality = compute_quality(con, truth_sql, resolved_sql)
        attainable = None
        has_observations = con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'intermediate' and table_name = 'int_identifier_observations'"
        ).fetchone()[0]
        if has_observations:
            pairs = con.execute(
                f"select observations.record_id, observations.node_id from {OBSERVATIONS}"
                " as observations inner join truth on observations.node_id = truth.node_id"
            ).fetchall()
            ideal = ideal_components(pairs)
            con.register(
                "ideal",
                pa.table({"node_id": list(ideal), "customer_id": list(ideal.values())}),
            )
            attainable = compute_quality(con, truth_sql, "select * from ideal").recall
    finally:
        con.close()
    return IdentityQuality(
        **{
            **quality.__dict__,
            "n_shared_identifiers": n_shared,
            "attainable_recall": attainable,
        }
    )


def main(argv: list[str] | None = None) -> int:
    """`lifecycle identity-quality`: print pairwise precision, recall, F1 and error counts."""
    settings = get_settings()
    parser = argparse.ArgumentParser(
        prog="lifecycle identity-quality",
        description="Compare the unified customers with the demo generator's ground truth.",
    )
    parser.add_argument("--warehouse", type=Path, default=settings.warehouse)
    parser.add_argument("--truth", type=Path, default=settings.ground_truth)
    args = parser.parse_args(argv)
    if not (args.truth / "identifiers.csv").exists():
        print(f"no ground truth at {args.truth}: run `lifecycle generate` first")
        return 1
    if not args.warehouse.exists():
        print(f"no warehouse at {args.warehouse}: run `lifecycle run` first")
        return 1
    print(measure(args.warehouse, args.truth).describe())
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

"""Lifecycle stage accuracy against the demo generator's ground truth.

    lifecycle stage-accuracy [--warehouse PATH] [--truth DIR]

Each customer is mapped to the person who owns most of its identifiers (the
truth's ``identifiers.csv`` against ``intermediate.int_customer_identifiers``,
as in ``identity-quality``; shared identifiers belong to nobody). For every
mapped customer and every day, from the first day either side has a stage to
the last day with data, the customer's stage at the end of the day
(``marts.customer_stage_history``) is compared with the person's stage at the
end of the day (``stage_timeline.csv``). A day before the first stage is
``none``.

Printed: the share of customer-days in agreement overall and for the customers
mapped one-to-one (the customer holds identifiers of one person only, and that
person's identifiers are in no other customer), for each person's main
customer (the one holding most of the person's identifiers), and the confusion matrix
(rows: truth, columns: warehouse). A split person (seen as two customers)
makes the younger fragment disagree on the days before it was seen, which is
an identity error, not a stage error: the one-to-one figure separates them.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.settings import get_settings

HISTORY = "marts.customer_stage_history"
CUSTOMER_IDENTIFIERS = "intermediate.int_customer_identifiers"
# The generator's order of stages entered at the same instant (truth.STAGE_ORDER).
TRUTH_STAGE_ORDER = (
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
)

COMPARISON_SQL = """
with

truth_nodes as (
    select node_id, min(person_id) as person_id
    from (
        select distinct identifier_type || ':' || identifier_value as node_id, person_id
        from truth_identifiers
        where identifier_type || ':' || identifier_value not in (select node_id from shared)
    ) as t
    group by node_id
    having count(*) = 1
),

cells as (
    select resolved.customer_id, truth_nodes.person_id, count(*) as n_items
    from truth_nodes
    inner join {identifiers} as resolved on truth_nodes.node_id = resolved.node_id
    group by resolved.customer_id, truth_nodes.person_id
),

customer_people as (
    select
        customer_id,
        person_id,
        count(*) over (partition by customer_id) as persons_in_customer,
        row_number() over (
            partition by customer_id order by n_items desc, person_id
        ) as rank_in_customer,
        row_number() over (
            partition by person_id order by n_items desc, customer_id
        ) as rank_in_person
    from cells
),

person_customers as (
    select person_id, count(*) as customers_of_person
    from cells
    group by person_id
),

mapping as (
    select
        customer_people.customer_id,
        customer_people.person_id,
        customer_people.persons_in_customer = 1
            and person_customers.customers_of_person = 1 as is_one_to_one,
        customer_people.rank_in_person = 1 as is_main_customer
    from customer_people
    inner join person_customers on customer_people.person_id = person_customers.person_id
    where customer_people.rank_in_customer = 1
),

truth_entries as (
    select
        person_id,
        stage,
        cast(replace(replace(entered_at, 'T', ' '), 'Z', '') as timestamp) as entered_at,
        stage_orders.stage_order
    from truth_timeline
    inner join stage_orders using (stage)
),

truth_spells as (
    select
        person_id,
        stage,
        entered_at as valid_from,
        lead(entered_at) over (partition by person_id order by entered_at, stage_order)
            as valid_to
    from truth_entries
),

warehouse_spells as (
    select customer_id, stage, valid_from, valid_to
    from {history}
    where customer_id in (select customer_id from mapping)
),

bounds as (
    select max(cast(last_touchpoint_at as date)) as last_day from {history}
),

starts as (
    select
        mapping.customer_id,
        mapping.person_id,
        mapping.is_one_to_one,
        mapping.is_main_customer,
        least(
            coalesce(
                (select cast(min(valid_from) as date) from warehouse_spells as w
                    where w.customer_id = mapping.customer_id), date '9999-12-31'),
            coalesce(
                (select cast(min(valid_from) as date) from truth_spells as t
                    where t.person_id = mapping.person_id), date '9999-12-31')
        ) as first_day
    from mapping
),

customer_days as (
    select
        starts.customer_id,
        starts.person_id,
        starts.is_one_to_one,
        starts.is_main_customer,
        cast(days.day as date) as date_day,
        cast(days.day as date) + interval 1 day as day_end
    from starts
    cross join bounds
    cross join generate_series(starts.first_day, bounds.last_day, interval 1 day) as days(day)
),

labelled as (
    select
        customer_days.customer_id,
        customer_days.is_one_to_one,
        customer_days.is_main_customer,
        customer_days.date_day,
        coalesce(
            (select min(t.stage) from truth_spells as t
                where t.person_id = customer_days.person_id
                    and t.valid_from < customer_days.day_end
                    and (t.valid_to is null or t.valid_to >= customer_days.day_end)
                    and (t.valid_to is null or t.valid_to > t.valid_from)),
            'none') as truth_stage,
        coalesce(
            (select min(w.stage) from warehouse_spells as w
                where w.customer_id = customer_days.customer_id
                    and w.valid_from < customer_days.day_end
                    and (w.valid_to is null or w.valid_to >= customer_days.day_end)
                    and (w.valid_to is null or w.valid_to > w.valid_from)),
            'none') as warehouse_stage
    from customer_days
)

select * from labelled
"""


@dataclass(frozen=True)
class StageAccuracy:
    customer_days: int
    agreeing_days: int
    one_to_one_days: int
    one_to_one_agreeing_days: int
    mapped_customers: int
    one_to_one_customers: int
    main_customer_days: int
    main_customer_agreeing_days: int
    unmapped_customers: int
    first_day: str
    last_day: str
    confusion: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def agreement(self) -> float:
        return self.agreeing_days / self.customer_days if self.customer_days else 0.0

    @property
    def one_to_one_agreement(self) -> float:
        if not self.one_to_one_days:
            return 0.0
        return self.one_to_one_agreeing_days / self.one_to_one_days

    @property
    def main_customer_agreement(self) -> float:
        if not self.main_customer_days:
            return 0.0
        return self.main_customer_agreeing_days / self.main_customer_days

    def confusion_matrix(self) -> str:
        order = {stage: i for i, stage in enumerate(("none", *TRUTH_STAGE_ORDER))}
        truth = sorted({t for t, _ in self.confusion}, key=lambda s: (order.get(s, 99), s))
        assigned = sorted({w for _, w in self.confusion}, key=lambda s: (order.get(s, 99), s))
        width = max(8, *(len(s) for s in (*truth, *assigned))) + 1
        lines = [
            "truth \\ warehouse".ljust(width + 7)
            + "".join(s[:width].rjust(width) for s in assigned)
        ]
        for t in truth:
            cells = "".join(str(self.confusion.get((t, w), 0)).rjust(width) for w in assigned)
            lines.append(t.ljust(width + 7) + cells)
        return "\n".join(lines)

    def describe(self) -> str:
        return "\n".join(
            [
                f"customer-days compared: {self.customer_days:,}"
                f" ({self.mapped_customers:,} customers mapped to a person,"
                f" days {self.first_day} to {self.last_day});"
                f" customers without a truth identifier (left out): {self.unmapped_customers:,}",
                f"agreement (all mapped customers): {self.agreement:.4f}"
                f"  ({self.agreeing_days:,} / {self.customer_days:,} customer-days)",
                f"agreement (one-to-one customers): {self.one_to_one_agreement:.4f}"
                f"  ({self.one_to_one_agreeing_days:,} / {self.one_to_one_days:,} customer-days,"
                f" {self.one_to_one_customers:,} customers)",
                f"agreement (each person's main customer): {self.main_customer_agreement:.4f}"
                f"  ({self.main_customer_agreeing_days:,} / {self.main_customer_days:,}"
                " customer-days)",
                "",
                "confusion matrix (customer-days; rows: truth, columns: warehouse)",
                self.confusion_matrix(),
            ]
        )


def _csv(path: Path) -> str:
    return "read_csv(" + "'" + str(path).replace("'", "''") + "'" + ", all_varchar = true)"


def measure(warehouse: Path, truth_dir: Path) -> StageAccuracy:
    """Compare the warehouse's stage history with the generator's stage timeline."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute(
            "create temporary view truth_identifiers as select * from "
            + _csv(truth_dir / "identifiers.csv")
        )
        con.execute(
            "create temporary view truth_timeline as select * from "
            + _csv(truth_dir / "stage_timeline.csv")
        )
        shared = truth_dir / "shared_identifiers.csv"
        if shared.exists():
            con.execute(
                "create temporary view shared as select identifier_type || ':' ||"
                f" identifier_value as node_id from {_csv(shared)}"
            )
        else:
            con.execute("create temporary view shared as select '' as node_id where false")
        con.execute(
            "create temporary table stage_orders as select * from (values "
            + ", ".join(f"('{stage}', {i})" for i, stage in enumerate(TRUTH_STAGE_ORDER))
            + ") as t(stage, stage_order)"
        )
        sql = COMPARISON_SQL.format(history=HISTORY, identifiers=CUSTOMER_IDENTIFIERS)
        con.execute(f"create temporary table labelled as {sql}")
        totals = con.execute(
            """
            select
                count(*),
                count(*) filter (where truth_stage = warehouse_stage),
                count(*) filter (where is_one_to_one),
                count(*) filter (where is_one_to_one and truth_stage = warehouse_stage),
                count(distinct customer_id),
                count(distinct customer_id) filter (where is_one_to_one),
                count(*) filter (where is_main_customer),
                count(*) filter (where is_main_customer and truth_stage = warehouse_stage),
                cast(min(date_day) as varchar),
                cast(max(date_day) as varchar)
            from labelled
            """
        ).fetchone()
        unmapped = con.execute(
            f"select count(distinct customer_id) from {HISTORY}"
            " where customer_id not in (select distinct customer_id from labelled)"
        ).fetchone()[0]
        confusion = {
            (truth, assigned): n
            for truth, assigned, n in con.execute(
                "select truth_stage, warehouse_stage, count(*) from labelled group by all"
            ).fetchall()
        }
    finally:
        con.close()
    return StageAccuracy(
        customer_days=totals[0],
        agreeing_days=totals[1],
        one_to_one_days=totals[2],
        one_to_one_agreeing_days=totals[3],
        mapped_customers=totals[4],
        one_to_one_customers=totals[5],
        main_customer_days=totals[6],
        main_customer_agreeing_days=totals[7],
        unmapped_customers=unmapped,
        first_day=totals[8] or "",
        last_day=totals[9] or "",
        confusion=confusion,
    )


def main(argv: list[str] | None = None) -> int:
    """`lifecycle stage-accuracy`: print the agreement and the confusion matrix."""
    settings = get_settings()
    parser = argparse.ArgumentParser(
        prog="lifecycle stage-accuracy",
        description="Compare assigned lifecycle stages with the demo generator's true timeline.",
    )
    parser.add_argument("--warehouse", type=Path, default=settings.warehouse)
    parser.add_argument("--truth", type=Path, default=settings.ground_truth)
    args = parser.parse_args(argv)
    if not (args.truth / "stage_timeline.csv").exists():
        print(f"no ground truth at {args.truth}: run `lifecycle generate` first")
        return 1
    if not args.warehouse.exists():
        print(f"no warehouse at {args.warehouse}: run `lifecycle run` first")
        return 1
    print(measure(args.warehouse, args.truth).describe())
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

"""The stage accuracy report on a tiny hand-made case with hand-computed figures.

Truth: P1 owns email a; P2 owns emails b and c.
P1: awareness Jan 1 10:00, conversion Jan 3 10:00.
P2: awareness Jan 1 12:00, engagement Jan 2 12:00.
Warehouse (data up to Jan 4): C1 = {a} (one-to-one), P2 split into C2 = {b} and
C3 = {c}; C4 has no identifier of the truth.
C1: awareness Jan 1 10:00, engagement Jan 2 10:00 (wrong), conversion Jan 3 10:00.
C2: awareness Jan 1 12:00, engagement Jan 2 12:00. C3: awareness Jan 3 09:00.

End-of-day stages, Jan 1..4 (truth / warehouse):
C1: aw/aw, aw/eng, conv/conv, conv/conv -> 3 of 4.
C2: aw/aw, eng/eng, eng/eng, eng/eng -> 4 of 4.
C3: aw/none, eng/none, eng/aw, eng/aw -> 0 of 4.
Overall 7/12; one-to-one (C1) 3/4; main customers (C1, and C2 which ties with C3
on one identifier and sorts first) 7/8.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from orchestration.stage_accuracy import main, measure

IDENTIFIERS = [("P1", "email", "a"), ("P2", "email", "b"), ("P2", "email", "c")]
TIMELINE = [
    ("P1", "awareness", "2026-01-01T10:00:00Z"),
    ("P1", "conversion", "2026-01-03T10:00:00Z"),
    ("P2", "awareness", "2026-01-01T12:00:00Z"),
    ("P2", "engagement", "2026-01-02T12:00:00Z"),
]
RESOLVED = [("email:a", "C1"), ("email:b", "C2"), ("email:c", "C3"), ("email:z", "C4")]
SPELLS = [
    ("C1", "awareness", "2026-01-01 10:00:00", "2026-01-02 10:00:00"),
    ("C1", "engagement", "2026-01-02 10:00:00", "2026-01-03 10:00:00"),
    ("C1", "conversion", "2026-01-03 10:00:00", None),
    ("C2", "awareness", "2026-01-01 12:00:00", "2026-01-02 12:00:00"),
    ("C2", "engagement", "2026-01-02 12:00:00", None),
    ("C3", "awareness", "2026-01-03 09:00:00", None),
    ("C4", "awareness", "2026-01-02 09:00:00", None),
]


def write_case(root: Path) -> tuple[Path, Path]:
    truth = root / "truth"
    truth.mkdir()
    for name, header, rows in (
        ("identifiers.csv", ["person_id", "identifier_type", "identifier_value"], IDENTIFIERS),
        ("stage_timeline.csv", ["person_id", "stage", "entered_at"], TIMELINE),
    ):
        with (truth / name).open("w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(rows)
    warehouse = root / "w.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create schema intermediate")
    con.execute("create schema marts")
    con.execute(
        "create table intermediate.int_customer_identifiers (node_id text, customer_id text)"
    )
    con.executemany("insert into intermediate.int_customer_identifiers values (?, ?)", RESOLVED)
    con.execute(
        "create table marts.customer_stage_history (customer_id text, stage text,"
        " valid_from timestamp, valid_to timestamp, last_touchpoint_at timestamp)"
    )
    con.executemany(
        "insert into marts.customer_stage_history values (?, ?, ?, ?, '2026-01-04 08:00:00')",
        SPELLS,
    )
    con.close()
    return warehouse, truth


def test_hand_computed_case(tmp_path: Path) -> None:
    warehouse, truth = write_case(tmp_path)
    accuracy = measure(warehouse, truth)
    assert (accuracy.customer_days, accuracy.agreeing_days) == (12, 7)
    assert (accuracy.one_to_one_days, accuracy.one_to_one_agreeing_days) == (4, 3)
    assert (accuracy.main_customer_days, accuracy.main_customer_agreeing_days) == (8, 7)
    assert (accuracy.mapped_customers, accuracy.one_to_one_customers) == (3, 1)
    assert accuracy.unmapped_customers == 1
    assert (accuracy.first_day, accuracy.last_day) == ("2026-01-01", "2026-01-04")
    assert accuracy.confusion == {
        ("awareness", "awareness"): 2,
        ("awareness", "engagement"): 1,
        ("conversion", "conversion"): 2,
        ("engagement", "engagement"): 3,
        ("awareness", "none"): 1,
        ("engagement", "none"): 1,
        ("engagement", "awareness"): 2,
    }


def test_command_prints_the_figures(tmp_path: Path, capsys) -> None:
    warehouse, truth = write_case(tmp_path)
    assert main(["--warehouse", str(warehouse), "--truth", str(truth)]) == 0
    output = capsys.readouterr().out
    assert "agreement (all mapped customers): 0.5833" in output
    assert "agreement (one-to-one customers): 0.7500" in output
    assert "confusion matrix" in output


def test_missing_truth_is_a_clear_error(tmp_path: Path, capsys) -> None:
    assert main(["--warehouse", str(tmp_path / "w.duckdb"), "--truth", str(tmp_path)]) == 1
    assert "run `lifecycle generate` first" in capsys.readouterr().out

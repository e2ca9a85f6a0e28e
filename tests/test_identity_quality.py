"""The identity quality report on a tiny hand-made case with hand-computed figures.

Truth: P1 owns a, b, c; P2 owns d, e, g; P3 owns f and h.
Warehouse: customer C1 = {a, b}, C2 = {c, d, e, g}, C3 = {f}; h was never seen.

Cells (customer, person): C1/P1 2, C2/P1 1, C2/P2 3, C3/P3 1.
Pairs within one customer and one person: 1 + 0 + 3 + 0 = 4.
Pairs within one customer: C1 1 + C2 6 + C3 0 = 7 -> precision 4/7.
Pairs within one person (seen identifiers): P1 3 + P2 3 + P3 0 = 6 -> recall 4/6.
F1 = 2 (4/7)(2/3) / (4/7 + 2/3) = 8/13. C2 is over-merged, P1 is split.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from orchestration.identity_quality import main, measure

TRUTH = [
    ("P1", "email", "a"),
    ("P1", "email", "b"),
    ("P1", "phone", "c"),
    ("P2", "phone", "d"),
    ("P2", "user_id", "e"),
    ("P2", "user_id", "g"),
    ("P3", "cookie_id", "f"),
    ("P3", "cookie_id", "h"),
]
RESOLVED = [
    ("email:a", "C1"),
    ("email:b", "C1"),
    ("phone:c", "C2"),
    ("phone:d", "C2"),
    ("user_id:e", "C2"),
    ("user_id:g", "C2"),
    ("cookie_id:f", "C3"),
]


def write_case(root: Path, truth: list[tuple[str, str, str]], shared=()) -> tuple[Path, Path]:
    truth_dir = root / "truth"
    truth_dir.mkdir()
    with (truth_dir / "identifiers.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["person_id", "identifier_type", "identifier_value"])
        writer.writerows(truth)
    if shared:
        with (truth_dir / "shared_identifiers.csv").open("w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["identifier_type", "identifier_value", "n_persons", "reason"])
            writer.writerows(shared)
    warehouse = root / "w.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create schema intermediate")
    con.execute(
        "create table intermediate.int_customer_identifiers (node_id text, customer_id text)"
    )
    con.executemany("insert into intermediate.int_customer_identifiers values (?, ?)", RESOLVED)
    con.close()
    return warehouse, truth_dir


def test_hand_computed_case(tmp_path: Path) -> None:
    quality = measure(*write_case(tmp_path, TRUTH))
    assert (quality.true_positive_pairs, quality.predicted_pairs, quality.true_pairs) == (4, 7, 6)
    assert quality.precision == pytest.approx(4 / 7)
    assert quality.recall == pytest.approx(2 / 3)
    assert quality.f1 == pytest.approx(8 / 13)
    assert quality.n_over_merged_customers == 1
    assert quality.n_split_persons == 1
    assert quality.n_unseen_identifiers == 1
    assert (quality.n_items, quality.n_persons, quality.n_customers) == (7, 3, 3)


def test_shared_identifiers_are_not_items(tmp_path: Path) -> None:
    # phone:d listed as shared, and user_id:g claimed by two persons: neither is an item.
    # Left: P1 {a, b, c}, P2 {e}; C1 {a, b}, C2 {c, e}: cells C1/P1 2, C2/P1 1, C2/P2 1.
    # Pairs: same both 1; same customer 1 + 1 = 2; same person 3 -> precision 1/2, recall 1/3.
    truth = [*TRUTH, ("P3", "user_id", "g")]
    quality = measure(
        *write_case(tmp_path, truth, shared=[("phone", "d", "2", "placeholder phone")])
    )
    assert (quality.true_positive_pairs, quality.predicted_pairs, quality.true_pairs) == (1, 2, 3)
    assert quality.n_shared_identifiers == 1
    assert quality.n_over_merged_customers == 1 and quality.n_split_persons == 1


def test_perfect_resolution_scores_one(tmp_path: Path) -> None:
    truth = [(person, kind, value) for person, kind, value in TRUTH if person != "P2"]
    truth += [("P9", "phone", "d"), ("P9", "user_id", "e"), ("P9", "user_id", "g")]
    truth = [t for t in truth if t[2] not in ("c",)]
    # P1 {a, b} = C1, P9 {d, e, g} = C2, P3 {f} = C3 (+ unseen h).
    quality = measure(*write_case(tmp_path, truth))
    assert quality.precision == 1.0 and quality.recall == 1.0 and quality.f1 == 1.0
    assert quality.n_over_merged_customers == 0 and quality.n_split_persons == 0


def test_command_prints_the_figures(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    warehouse, truth_dir = write_case(tmp_path, TRUTH)
    assert main(["--warehouse", str(warehouse), "--truth", str(truth_dir)]) == 0
    output = capsys.readouterr().out
    assert "pairwise precision: 0.5714" in output
    assert "pairwise recall:    0.6667" in output
    assert "pairwise F1:        0.6154" in output
    assert "over-merged customers (2+ persons): 1" in output
    assert "split persons (2+ customers):       1" in output
    assert main(["--warehouse", str(tmp_path / "none.duckdb"), "--truth", str(truth_dir)]) == 1


def test_lifecycle_command_passes_its_options(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """`lifecycle identity-quality --warehouse W --truth T` reaches the report's parser."""
    from orchestration.cli import main as lifecycle

    warehouse, truth_dir = write_case(tmp_path, TRUTH)
    assert (
        lifecycle(["identity-quality", "--warehouse", str(warehouse), "--truth", str(truth_dir)])
        == 0
    )
    assert "pairwise recall:    0.6667" in capsys.readouterr().out

"""The opt-in Splink step (models/intermediate/identity/int_identity_probabilistic_edges.py)
scores hand-made email profiles as expected: the same letters and digits in the local
part on two domains match; a namesake with other digits does not; nor do unrelated
addresses. Whether the edges reach the graph, tagged, only when switched on, is
tested on a tiny warehouse in tests/test_identity_graph.py.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pyarrow as pa
import pytest

MODEL = (
    Path(__file__).resolve().parent.parent
    / "models"
    / "intermediate"
    / "identity"
    / "int_identity_probabilistic_edges.py"
)


def load_model():
    spec = importlib.util.spec_from_file_location("int_identity_probabilistic_edges", MODEL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def profiles(rows: list[tuple[str, str | None, str | None, str | None]]) -> pa.Table:
    unique_id, letters, digits, last_name = zip(*rows, strict=True)
    return pa.table(
        {
            "unique_id": list(unique_id),
            "local_letters": pa.array(letters, pa.string()),
            "local_digits": pa.array(digits, pa.string()),
            "last_name": pa.array(last_name, pa.string()),
        }
    )


ROWS = [
    ("email:anna.smith77@inbox.example", "annasmith", "77", None),
    ("email:annasmith77@acme.example", "annasmith", "77", "smith"),
    ("email:anna.smith12@inbox.example", "annasmith", "12", None),  # a namesake
    ("email:bo.jones5@inbox.example", "bojones", "5", "jones"),
    ("email:carl.diaz9@inbox.example", "carldiaz", "9", None),
    ("email:dee.wu31@inbox.example", "deewu", "31", None),
    ("email:eve.kim40@inbox.example", "evekim", "40", None),
    ("email:finn.ode8@inbox.example", "finnode", "8", None),
]


def test_same_local_part_on_two_domains_matches_and_namesakes_do_not() -> None:
    edges = load_model().match_profiles(profiles(ROWS), 0.99).to_pylist()
    assert [(e["node_a"], e["node_b"]) for e in edges] == [
        ("email:anna.smith77@inbox.example", "email:annasmith77@acme.example")
    ]
    assert 0.99 <= edges[0]["match_probability"] <= 1


def test_threshold_is_applied() -> None:
    edges = load_model().match_profiles(profiles(ROWS), 0.999999).to_pylist()
    assert edges == []


def test_fewer_than_two_profiles_give_no_edges() -> None:
    assert load_model().match_profiles(profiles(ROWS[:1]), 0.99).num_rows == 0


@pytest.mark.e2e
def test_spark_backend_scores_the_same_pairs(tmp_path: Path) -> None:
    """Splink's Spark backend finds the same pairs with the same probabilities as its
    DuckDB backend."""
    if shutil.which("java") is None:
        pytest.skip("no Java runtime for PySpark")
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.warehouse.dir", str(tmp_path / "spark"))
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={tmp_path}")
        .getOrCreate()
    )
    try:
        model = load_model()
        on_duckdb = model.match_profiles(profiles(ROWS), 0.5).to_pylist()
        on_spark = model.match_profiles(profiles(ROWS), 0.5, spark=spark).to_pylist()
    finally:
        spark.stop()
    assert [(e["node_a"], e["node_b"]) for e in on_spark] == [
        (e["node_a"], e["node_b"]) for e in on_duckdb
    ]
    assert ("email:anna.smith77@inbox.example", "email:annasmith77@acme.example") in [
        (e["node_a"], e["node_b"]) for e in on_spark
    ]
    for spark_edge, duckdb_edge in zip(on_spark, on_duckdb, strict=True):
        assert spark_edge["match_probability"] == pytest.approx(
            duckdb_edge["match_probability"], rel=1e-9
        )

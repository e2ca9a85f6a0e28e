"""The stitching benchmark's copies (orchestration.bench_stitching.prepare): k disjoint
copies of a built warehouse's identifier observations, keyed as the models key them.
Tiny fixture; the benchmark itself (make bench) runs at 10M identifiers."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.bench_stitching import IDENTITY_KEY, prepare
from orchestration.settings import PROJECT_DIR

OBSERVATIONS = [
    # record_type, record_id, identifier_type, identifier_value, is_blocked
    ("web", "web~1:a|", "cookie_id", "c1", False),
    ("web", "web~1:a|", "email", "ann@example.com", False),
    ("email", "email~x|", "email", "ann@example.com", False),
    ("pos", "pos~y|", "phone", "+440000000000", True),
]


def _source(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema intermediate")
    con.execute(
        """
        create table intermediate.int_identifier_observations (
            record_type varchar, record_id varchar, identifier_type varchar,
            identifier_value varchar, node_id varchar, node_key ubigint, record_key ubigint,
            first_observed_at timestamp, last_observed_at timestamp, n_observations bigint,
            n_record_identifiers integer, is_blocked boolean, blocked_reason varchar
        )
        """
    )
    for record_type, record_id, kind, value, blocked in OBSERVATIONS:
        con.execute(
            "insert into intermediate.int_identifier_observations values"
            f" (?, ?, ?, ?, ?, {IDENTITY_KEY.format('?')}, {IDENTITY_KEY.format('?')},"
            " timestamp '2026-01-05 09:00',"
            " timestamp '2026-01-06 09:00', 2, ?, ?, ?)",
            [
                record_type,
                record_id,
                kind,
                value,
                f"{kind}:{value}",
                f"{kind}:{value}",
                record_id,
                sum(1 for row in OBSERVATIONS if row[1] == record_id),
                blocked,
                "placeholder phone" if blocked else None,
            ],
        )
    con.execute(
        "create table intermediate.int_identity_probabilistic_edges"
        " (node_a varchar, node_b varchar, match_probability double)"
    )
    con.execute("insert into intermediate.int_identity_probabilistic_edges values ('a', 'b', 1)")
    con.close()


def test_copies_reach_the_number_asked_for_with_disjoint_fresh_keys(tmp_path: Path) -> None:
    source = tmp_path / "source.duckdb"
    _source(source)
    target = tmp_path / "stitching.duckdb"

    # 3 distinct identifiers in the source: 10 asked for takes 4 copies.
    identifiers, observations, copies = prepare(source, target, 10)

    assert (identifiers, observations, copies) == (12, 16, 4)
    con = duckdb.connect(str(target), read_only=True)
    rows = con.execute(
        "select node_id, node_key, record_id, record_key, identifier_value, is_blocked"
        " from intermediate.int_identifier_observations"
    ).fetchall()
    # Keys are the hash of the copy's own ids, as macro identity_key computes them.
    macro = (PROJECT_DIR / "macros" / "identity_key.sql").read_text(encoding="utf-8")
    assert IDENTITY_KEY.format("{{ expression }}") in macro
    for node_id, node_key, record_id, record_key, value, _ in rows:
        key = f"select {IDENTITY_KEY.format('?')}"
        assert node_key == con.execute(key, [node_id]).fetchone()[0]
        assert record_key == con.execute(key, [record_id]).fetchone()[0]
        assert node_id.endswith(value)
    # Copies are disjoint: each node id and record id belongs to one copy.
    suffixes = {node_id.rsplit("#", 1)[1] for node_id, *_ in rows}
    assert suffixes == {"0", "1", "2", "3"}
    assert sum(1 for row in rows if row[5]) == 4  # the blocked phone, once per copy
    # The probabilistic edges table exists, empty (the step is off by default).
    assert (
        con.execute(
            "select count(*) from intermediate.int_identity_probabilistic_edges"
        ).fetchone()[0]
        == 0
    )
    con.close()

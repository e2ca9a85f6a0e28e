"""Source freshness results become rows of quality.check_results."""

from __future__ import annotations

from datetime import datetime

import duckdb

from orchestration.freshness import freshness_rows, write_freshness

SOURCES_JSON = {
    "results": [
        {
            "unique_id": "source.lifecycle.shop.orders",
            "status": "pass",
            "max_loaded_at": "2026-11-25T06:00:00+00:00",
            "max_loaded_at_time_ago_in_s": 7200.0,
        },
        {
            "unique_id": "source.lifecycle.web.web_events",
            "status": "warn",
            "max_loaded_at": "2026-11-23T06:00:00+00:00",
            "max_loaded_at_time_ago_in_s": 180000.0,
        },
        {
            "unique_id": "source.lifecycle.pos.pos_transactions",
            "status": "error",
            "max_loaded_at": "2026-11-20T06:00:00+00:00",
            "max_loaded_at_time_ago_in_s": 432000.0,
        },
        {
            "unique_id": "source.lifecycle.crm.crm_leads",
            "status": "runtime error",
            "error": "no table",
        },
    ]
}


def test_freshness_outcomes_map_to_severity_and_pass_fail():
    rows = freshness_rows(SOURCES_JSON, run_id="r1", checked_at=datetime(2026, 11, 25, 8))
    by_asset = {row[4]: row for row in rows}
    assert set(by_asset) == {
        "raw/orders",
        "raw/web_events",
        "raw/pos_transactions",
        "raw/crm_leads",
    }
    assert by_asset["raw/orders"][7:] == ("warning", by_asset["raw/orders"][8], True)
    assert by_asset["raw/orders"][8].startswith("last load 2.0 h ago")
    assert by_asset["raw/web_events"][7] == "warning" and by_asset["raw/web_events"][9] is False
    assert by_asset["raw/pos_transactions"][7] == "error"
    assert by_asset["raw/pos_transactions"][8].startswith("last load 120.0 h ago")
    assert by_asset["raw/crm_leads"][7:] == ("error", "no table", False)
    assert all(row[2:4] == ("sources", "dbt_source_freshness") for row in rows)


def test_freshness_rows_are_appended_to_the_results_table():
    con = duckdb.connect()
    rows = freshness_rows(SOURCES_JSON, run_id="r1", checked_at=datetime(2026, 11, 25, 8))
    assert write_freshness(con, rows) == 4
    assert write_freshness(con, rows) == 4
    assert con.execute(
        "select count(*), count(*) filter (where not passed) from quality.check_results"
    ).fetchone() == (8, 6)

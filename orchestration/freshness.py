"""Source freshness per channel: `dbt source freshness` after each build, with its
outcome appended to `quality.check_results` (layer `sources`).

The policy lives on the dbt sources (`loaded_at_field: _loaded_at`, warn after 1 day,
error after 3). A stale channel never blocks the run, since the other channels' data
is still right; it is a WARN in the run's log, a row in the results table, a line in
`lifecycle status` and on the report's data-health page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from expectations.results import RESULTS_DDL, RESULTS_TABLE

SUITE = "dbt_source_freshness"


def freshness_rows(
    sources_json: Mapping[str, Any], *, run_id: str, checked_at: datetime
) -> list[tuple]:
    """Rows of quality.check_results for the results of a sources.json artifact."""
    rows = []
    for result in sources_json.get("results", []):
        # source.<project>.<source>.<table>
        _, _, source_name, table = result["unique_id"].split(".", 3)
        status = result.get("status", "runtime error")
        age = result.get("max_loaded_at_time_ago_in_s")
        if age is None:
            observed = result.get("error") or status
        else:
            observed = f"last load {age / 3600:.1f} h ago ({result.get('max_loaded_at')})"
        rows.append(
            (
                run_id,
                checked_at,
                "sources",
                SUITE,
                f"raw/{table}" if source_name else table,
                "source_freshness",
                None,
                "warning" if status in ("pass", "warn") else "error",
                observed,
                status == "pass",
            )
        )
    return rows


def write_freshness(con, rows: Iterable[tuple]) -> int:
    rows = list(rows)
    con.execute("create schema if not exists quality")
    con.execute(RESULTS_DDL)
    if rows:
        con.executemany(f"insert into {RESULTS_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)

"""Where check outcomes go: `quality.check_results` in the warehouse (one row per
expectation per check run, appended) and the GX Data Docs site. Free of Great
Expectations imports, so the report and the CLI can use it cheaply."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

    from expectations.runner import SuiteOutcome

RESULTS_TABLE = "quality.check_results"

RESULTS_DDL = f"""
create table if not exists {RESULTS_TABLE} (
    run_id varchar not null,
    checked_at timestamp not null,
    layer varchar not null,
    suite varchar not null,
    asset varchar not null,
    expectation varchar not null,
    "column" varchar,
    severity varchar not null,
    observed_value varchar,
    passed boolean not null
)
"""


def data_docs_index(gx_root: Path | None = None) -> Path:
    """The GX Data Docs site's index page (static HTML; open it as a file).

    `<warehouse folder>/gx/uncommitted/data_docs/local_site/index.html` by default (the
    warehouse folder is git-ignored); it exists once a quality check has run. The site
    shows the latest validation of each suite; the history is in quality.check_results.
    """
    if gx_root is None:
        from orchestration.settings import get_settings

        gx_root = get_settings().warehouse.parent
    return Path(gx_root) / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


def write_check_results(
    con: duckdb.DuckDBPyConnection,
    *,
    run_id: str,
    checked_at: datetime,
    outcomes: Iterable[SuiteOutcome],
) -> int:
    """Append one row per expectation outcome; returns the number of rows written.

    Call it on the pipeline's own (writing) connection after GX closed its
    read-only ones: DuckDB allows one writer and no mixed configurations.
    """
    rows = [
        (
            run_id,
            checked_at,
            outcome.layer,
            outcome.suite,
            outcome.asset,
            expectation.expectation,
            expectation.column,
            expectation.severity,
            expectation.observed,
            expectation.success,
        )
        for outcome in outcomes
        for expectation in outcome.outcomes
    ]
    con.execute("create schema if not exists quality")
    con.execute(RESULTS_DDL)
    if rows:
        con.executemany(f"insert into {RESULTS_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)

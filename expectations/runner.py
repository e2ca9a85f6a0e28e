"""Run the suites against the DuckDB warehouse with Great Expectations 1.x.

GX's SQL datasource over duckdb-engine fails every expectation out of the box
(GX closes the connection before fetching, and duckdb-engine drops unfetched
rows on close; GX issues 10738 and 11579). GX keeps one persisted connection for
some dialects (sqlite, SQL Server, ...); adding duckdb to that list makes the
SQL path work. It is a private module, so great-expectations is pinned exactly
and tests/test_expectations.py proves both a pass and a failure are reported.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("TQDM_DISABLE", "1")  # GX draws a progress bar per expectation

import great_expectations as gx  # noqa: E402
import great_expectations.execution_engine.sqlalchemy_execution_engine as _sql_engine  # noqa: E402
import great_expectations.expectations as gxe  # noqa: E402


class _DuckDBDialect(str):
    value = "duckdb"


if "duckdb" not in _sql_engine._PERSISTED_CONNECTION_DIALECTS:
    _sql_engine._PERSISTED_CONNECTION_DIALECTS = (
        *_sql_engine._PERSISTED_CONNECTION_DIALECTS,
        _DuckDBDialect("duckdb"),
    )


@dataclass
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    observed: str


@dataclass
class SuiteOutcome:
    suite: str
    success: bool
    outcomes: list[ExpectationOutcome]
    data_docs: Path | None

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]


def _observed(result: dict) -> str:
    detail = result.get("result") or {}
    for key in ("observed_value", "unexpected_count"):
        if key in detail:
            return f"{key}={detail[key]}"
    if result.get("exception_info", {}).get("raised_exception"):
        return "error: " + str(result["exception_info"].get("exception_message"))[:200]
    return ""


def validate_table(
    warehouse: Path,
    schema: str,
    table: str,
    expectations: Callable[[], list[gxe.Expectation]],
    *,
    gx_root: Path,
) -> SuiteOutcome:
    """Validate one warehouse table against its suite; builds GX Data Docs under gx_root."""
    context = gx.get_context(mode="file", project_root_dir=str(gx_root))
    source = context.data_sources.add_or_update_sql(
        name="warehouse",
        connection_string=f"duckdb:///{warehouse}",
        kwargs={"connect_args": {"read_only": True}},
    )
    # A query asset, not a table asset: GX's column-type metric drops the schema
    # of a table asset on DuckDB ("Table with name ... does not exist").
    asset = source.add_query_asset(name=f"{schema}.{table}", query=f"select * from {schema}.{table}")
    batch = asset.add_batch_definition_whole_table("whole_table")
    suite_name = f"{schema}.{table}"
    suite = context.suites.add_or_update(
        gx.ExpectationSuite(name=suite_name, expectations=expectations())
    )
    validation = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=suite_name, data=batch, suite=suite)
    )
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=suite_name,
            validation_definitions=[validation],
            actions=[gx.checkpoint.UpdateDataDocsAction(name="update_data_docs")],
        )
    )
    run = checkpoint.run()
    outcomes = []
    for validation_result in run.run_results.values():
        for result in validation_result.to_json_dict()["results"]:
            config = result["expectation_config"]
            outcomes.append(
                ExpectationOutcome(
                    expectation=config["type"],
                    column=config.get("kwargs", {}).get("column"),
                    success=bool(result["success"]),
                    observed=_observed(result),
                )
            )
    docs = gx_root / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    return SuiteOutcome(
        suite=suite_name,
        success=bool(run.success),
        outcomes=outcomes,
        data_docs=docs if docs.exists() else None,
    )

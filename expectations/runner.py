"""Run the suites against the DuckDB warehouse with Great Expectations 1.x.

GX's SQL datasource over duckdb-engine fails every expectation out of the box
(GX closes the connection before fetching, and duckdb-engine drops unfetched
rows on close; GX issues 10738 and 11579). GX keeps one persisted connection for
some dialects (sqlite, SQL Server, ...); adding duckdb to that list makes the
SQL path work. It is a private module, so great-expectations is pinned exactly
and tests/test_expectations.py proves both a pass and a failure are reported.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx
import great_expectations.execution_engine.sqlalchemy_execution_engine as _sql_engine
import great_expectations.expectations as gxe
from great_expectations.data_context.types.base import ProgressBarsConfig


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


def _duckdb_connection_ids() -> set[int]:
    import duckdb

    return {id(o) for o in gc.get_objects() if isinstance(o, duckdb.DuckDBPyConnection)}


def _close_duckdb_connections(keep: set[int]) -> None:
    """Close the DuckDB connections GX persisted (see the module docstring).

    While one is open, no other connection with another configuration, nor any
    other process (dbt), may open the warehouse. GX copies the datasource per
    validation, so its engines are found through the garbage collector.
    """
    import duckdb
    import sqlalchemy

    for engine in [
        o for o in gc.get_objects() if isinstance(o, _sql_engine.SqlAlchemyExecutionEngine)
    ]:
        connection = getattr(engine, "_connection", None)
        if connection is not None:
            connection.close()
            engine._connection = None
    for engine in [o for o in gc.get_objects() if isinstance(o, sqlalchemy.engine.Engine)]:
        if engine.url.drivername.startswith("duckdb"):
            engine.dispose()
    gc.collect()
    # duckdb-engine's pool may still hold the raw connection it opened: close
    # every DuckDB connection that did not exist before the validation.
    for connection in [o for o in gc.get_objects() if isinstance(o, duckdb.DuckDBPyConnection)]:
        if id(connection) not in keep:
            connection.close()


def validate_table(
    warehouse: Path,
    schema: str,
    table: str,
    expectations: Callable[[], list[gxe.Expectation]],
    *,
    gx_root: Path,
) -> SuiteOutcome:
    """Validate one warehouse table against its suite; builds GX Data Docs under gx_root."""
    existing_connections = _duckdb_connection_ids()
    context = gx.get_context(mode="file", project_root_dir=str(gx_root))
    if context.variables.progress_bars is None:
        context.variables.progress_bars = ProgressBarsConfig(
            globally=False, metric_calculations=False
        )
        context.variables.save()
    source = context.data_sources.add_or_update_sql(
        name="warehouse",
        connection_string=f"duckdb:///{warehouse}",
        kwargs={"connect_args": {"read_only": True}},
    )
    # A query asset, not a table asset: GX's column-type metric drops the schema
    # of a table asset on DuckDB ("Table with name ... does not exist").
    asset = source.add_query_asset(
        name=f"{schema}.{table}", query=f"select * from {schema}.{table}"
    )
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
    try:
        run = checkpoint.run()
    finally:
        _close_duckdb_connections(keep=existing_connections)
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

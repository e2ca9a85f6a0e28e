"""Run the suites against the DuckDB warehouse with Great Expectations 1.x.

GX's SQL datasource over duckdb-engine fails every expectation out of the box
(GX closes the connection before fetching, and duckdb-engine drops unfetched
rows on close; GX issues 10738 and 11579). GX keeps one persisted connection for
some dialects (sqlite, SQL Server, ...); adding duckdb to that list makes the
SQL path work. It is a private module, so great-expectations is pinned exactly
and tests/test_expectations.py proves both a pass and a failure are reported.

`validate_suites` runs a layer's suites in one checkpoint and builds Data Docs once,
for that run's results only, keeping just the latest result of each suite (Data
Docs' index reads every stored result, so an ever-growing store slows every build;
the history is in `quality.check_results`). GX has no regex support for the duckdb
dialect, so pattern rules are unexpected-rows queries (expectations/staging.py).
"""

from __future__ import annotations

import gc
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx
import great_expectations.execution_engine.sqlalchemy_execution_engine as _sql_engine
import great_expectations.expectations as gxe
from great_expectations.data_context.types.base import ProgressBarsConfig

from expectations.results import data_docs_index
from expectations.suite import Suite

__all__ = [
    "ExpectationOutcome",
    "SuiteOutcome",
    "data_docs_index",
    "validate_suites",
    "validate_table",
]


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
    severity: str = "error"
    """`error` (GX `critical`: blocks) or `warning` (GX `warning` / `info`: recorded only)."""


@dataclass
class SuiteOutcome:
    suite: str
    success: bool
    outcomes: list[ExpectationOutcome]
    data_docs: Path | None
    layer: str = ""
    asset: str = ""

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]

    @property
    def errors(self) -> list[ExpectationOutcome]:
        """Failed expectations of error severity: these block downstream assets."""
        return [o for o in self.failures if o.severity == "error"]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        return [o for o in self.failures if o.severity != "error"]


def _sample(values: list, limit: int = 5) -> str:
    shown = ", ".join(repr(v) for v in values[:limit])
    return f"[{shown}{', ...' if len(values) > limit else ''}]"


def _observed(result: dict) -> str:
    detail = result.get("result") or {}
    info = result.get("exception_info") or {}
    # One dict, or one per metric that raised.
    for error in [info] if "raised_exception" in info else info.values():
        if isinstance(error, dict) and error.get("raised_exception"):
            return "error: " + str(error.get("exception_message"))[:200]
    if "observed_value" in detail:
        name = (
            "unexpected_rows"
            if "unexpected_rows_query" in (result["expectation_config"].get("kwargs") or {})
            else "observed_value"
        )
        return f"{name}={detail['observed_value']}"
    if "unexpected_count" in detail:
        text = f"unexpected_count={detail['unexpected_count']}"
        values = detail.get("partial_unexpected_list") or []
        return text + (f" {_sample(values)}" if values and not result.get("success") else "")
    return ""


def _unexpected_rows_sample(warehouse: Path, suite: Suite, result: dict, limit: int = 3) -> str:
    """A few of the rows a failed unexpected-rows rule found.

    GX returns them only with result_format COMPLETE, which would also return every
    unexpected value of every column expectation; so they are fetched here, on a
    connection of our own, after GX closed its connections.
    """
    import duckdb

    config = result["expectation_config"]
    if result["success"] or config["type"] != "unexpected_rows_expectation":
        return ""
    # GX formats the query with str.format too (doubled braces become single ones).
    query = config["kwargs"]["unexpected_rows_query"].format(batch=f"({suite.query})")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        relation = con.sql(f"select * from ({query}) limit {limit}")
        rows = [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]
    except duckdb.Error as error:
        return f" (rows not shown: {str(error).splitlines()[0][:100]})"
    finally:
        con.close()
    return f" {_sample(rows, limit)}" if rows else ""


def _severity(config: dict) -> str:
    return "error" if config.get("severity", "critical") == "critical" else "warning"


def _expectation_label(config: dict) -> str:
    """The expectation type; an unexpected-rows rule also carries its name."""
    if config["type"] == "unexpected_rows_expectation" and config.get("description"):
        return f"unexpected_rows_expectation/{config['description']}"
    return config["type"]


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


def _context(gx_root: Path):
    context = gx.get_context(mode="file", project_root_dir=str(gx_root))
    if context.variables.progress_bars is None:
        context.variables.progress_bars = ProgressBarsConfig(
            globally=False, metric_calculations=False
        )
        context.variables.save()
    return context


def _keep_latest_results(context, gx_root: Path, suite_names: set[str], latest) -> None:
    """Keep only the latest validation result of each suite (and its Data Docs page).

    Data Docs' index reads every stored result, so an ever-growing store makes every
    build slower; the history of outcomes lives in `quality.check_results` instead.
    """
    store = context.validation_results_store
    keep = set(latest)
    uncommitted = gx_root / "gx" / "uncommitted"
    for key in store.list_keys():
        if key.expectation_suite_identifier.name in suite_names and key not in keep:
            store.remove_key(key)
            # <suite path>/<run name>/<run time>/<batch>: drop the run-time folder of
            # the stored result and of its rendered page.
            run_folder = Path(*key.to_tuple()[:-1])
            shutil.rmtree(uncommitted / "validations" / run_folder, ignore_errors=True)
            site = data_docs_index(gx_root).parent
            shutil.rmtree(site / "validations" / run_folder, ignore_errors=True)


def validate_suites(
    warehouse: Path, suites: Sequence[Suite], *, gx_root: Path, checkpoint: str = "suites"
) -> list[SuiteOutcome]:
    """Validate each suite's table in one GX checkpoint (one Data Docs update), then
    close every DuckDB connection GX opened. Suites are stored idempotently as code
    (`add_or_update`), one suite and one validation definition per table."""
    existing_connections = _duckdb_connection_ids()
    context = _context(gx_root)
    source = context.data_sources.add_or_update_sql(
        name="warehouse",
        connection_string=f"duckdb:///{warehouse}",
        kwargs={
            "connect_args": {
                "read_only": True,
                # dbt's limit (profiles.yml): without it DuckDB takes 80% of the RAM.
                "config": {"memory_limit": os.environ.get("LIFECYCLE_DUCKDB_MEMORY", "8GB")},
            }
        },
    )
    validations = []
    for suite in suites:
        # A query asset, not a table asset: GX's column-type metric drops the schema
        # of a table asset on DuckDB ("Table with name ... does not exist"). The query
        # changes between runs (raw: the delivery days), so the asset is replaced.
        if suite.name in {asset.name for asset in source.assets}:
            source.delete_asset(suite.name)
        asset = source.add_query_asset(name=suite.name, query=suite.query)
        batch = asset.add_batch_definition_whole_table("whole_table")
        gx_suite = context.suites.add_or_update(
            gx.ExpectationSuite(name=suite.name, expectations=suite.expectations())
        )
        validations.append(
            context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite)
            )
        )
    # No UpdateDataDocsAction: it rebuilds the site once per validation. Data Docs are
    # built once below, for this run's results only.
    run_checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(name=checkpoint, validation_definitions=validations, result_format="BASIC")
    )
    try:
        run = run_checkpoint.run()
    finally:
        _close_duckdb_connections(keep=existing_connections)
    _keep_latest_results(context, gx_root, {suite.name for suite in suites}, run.run_results)
    context.build_data_docs(resource_identifiers=list(run.run_results))
    by_name = {suite.name: suite for suite in suites}
    docs = data_docs_index(gx_root)
    outcomes = []
    for validation_result in run.run_results.values():
        result = validation_result.to_json_dict()
        suite = by_name[result["suite_name"]]
        expectation_outcomes = []
        for expectation_result in result["results"]:
            config = expectation_result["expectation_config"]
            expectation_outcomes.append(
                ExpectationOutcome(
                    expectation=_expectation_label(config),
                    column=config.get("kwargs", {}).get("column")
                    or (config.get("meta") or {}).get("column"),
                    success=bool(expectation_result["success"]),
                    observed=_observed(expectation_result)
                    + _unexpected_rows_sample(warehouse, suite, expectation_result),
                    severity=_severity(config),
                )
            )
        outcomes.append(
            SuiteOutcome(
                suite=suite.name,
                success=bool(result["success"]),
                outcomes=expectation_outcomes,
                data_docs=docs if docs.exists() else None,
                layer=suite.layer,
                asset="/".join(suite.asset_path),
            )
        )
    order = [suite.name for suite in suites]
    return sorted(outcomes, key=lambda outcome: order.index(outcome.suite))


def validate_table(
    warehouse: Path,
    schema: str,
    table: str,
    expectations: Callable[[], list[gxe.Expectation]],
    *,
    gx_root: Path,
    layer: str = "",
) -> SuiteOutcome:
    """Validate one warehouse table against a suite; builds GX Data Docs under gx_root."""
    suite = Suite(layer=layer or schema, schema=schema, table=table, expectations=expectations)
    [outcome] = validate_suites(warehouse, [suite], gx_root=gx_root, checkpoint=suite.name)
    return outcome

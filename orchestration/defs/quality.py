"""Great Expectations suites (expectations/<layer>.py) as blocking Dagster asset checks.

One `@multi_asset_check` step per layer validates every table of the layer in one GX
checkpoint (GX is imported once per process, in the first check step); each table's
suite reports as its own asset check `gx_<table>_suite` on the table's asset:

- raw: on the daily-partitioned ingestion assets `raw/<channel>`, after ingestion and
  before dbt; it validates the rows of the delivery days the run loaded;
- staging: on `staging/<model>`, after dbt build;
- marts: on `marts/<model>`, after dbt build and after the staging check (it reads
  staging to reconcile revenue), before the report.

Severity is per expectation (GX's `severity`, see expectations/suite.py): a failed
`critical` expectation makes the asset check fail with ERROR severity, which blocks
the assets downstream (dbt after raw; the report after staging and marts) and fails
the run; a failed `warning` one makes it fail with WARN severity, which is recorded
and blocks nothing. Every outcome is appended to `quality.check_results`; the GX
Data Docs site is rebuilt for each layer (its path is in the check metadata).
dbt's own tests arrive as asset checks too, through dagster-dbt.
"""

import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from expectations import marts, raw, staging
from expectations.suite import RunParameters, Suite
from orchestration.defs.resources import WarehouseResource
from orchestration.settings import get_settings

if TYPE_CHECKING:
    from expectations.runner import SuiteOutcome

SuiteBuilder = Callable[[RunParameters, tuple[str, ...]], list[Suite]]

LAYERS: dict[str, tuple[SuiteBuilder, tuple[str, ...]]] = {
    "raw": (raw.suites, raw.TABLES),
    "staging": (staging.suites, staging.TABLES),
    "marts": (marts.suites, marts.TABLES),
}

# Marts the report must wait for (orchestration/defs/reports.py depends on them).
GUARDED_MARTS = marts.TABLES


def check_name(table: str) -> str:
    return f"gx_{table}_suite"


def run_delivery_dates(context: dg.AssetCheckExecutionContext) -> tuple[date, date] | None:
    """The delivery days a run loads, from its partition tags (a single-run backfill
    over a range, or one partition); None when the run has no partition."""
    tags = context.run.tags
    first = tags.get("dagster/asset_partition_range_start") or tags.get("dagster/partition")
    last = tags.get("dagster/asset_partition_range_end") or first
    if not first:
        return None
    return date.fromisoformat(first), date.fromisoformat(last)


def _result(outcome: "SuiteOutcome", table: str, elapsed: float) -> dg.AssetCheckResult:
    failures = "\n".join(
        f"- **{f.severity}** `{f.expectation}`{f' on `{f.column}`' if f.column else ''}:"
        f" {f.observed}"
        for f in outcome.failures
    )
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(outcome.asset.split("/")),
        check_name=check_name(table),
        passed=outcome.success,
        # Only failed critical expectations block; warnings are recorded.
        severity=dg.AssetCheckSeverity.ERROR if outcome.errors else dg.AssetCheckSeverity.WARN,
        metadata={
            "suite": outcome.suite,
            "expectations": len(outcome.outcomes),
            "failed_errors": len(outcome.errors),
            "failed_warnings": len(outcome.warnings),
            "failures": dg.MetadataValue.md(failures or "none"),
            "data_docs": dg.MetadataValue.path(str(outcome.data_docs or "")),
            "layer_seconds": round(elapsed, 2),
        },
    )


def build_layer_check(
    layer: str,
    tables: Sequence[str] | None = None,
    *,
    suites: SuiteBuilder | None = None,
    additional_deps: Sequence[dg.AssetKey] = (),
) -> dg.AssetChecksDefinition:
    """One step validating every table of `layer` (schema = layer), one asset check per
    table. `suites` defaults to the layer module's; tests pass their own."""
    default_suites, default_tables = LAYERS.get(layer, (None, ()))
    build = suites or default_suites
    tables = tuple(tables or default_tables)
    if build is None or not tables:
        raise ValueError(f"no suites for layer {layer!r}")
    specs = [
        dg.AssetCheckSpec(
            name=check_name(table),
            asset=dg.AssetKey([layer, table]),
            blocking=True,
            description=f"Great Expectations suite `{layer}.{table}` (expectations/{layer}.py).",
            # A check-only step waits for its additional deps, and for their blocking
            # checks: the marts suite runs after (and only if) the staging suite passed.
            additional_deps=additional_deps,
        )
        for table in tables
    ]

    @dg.multi_asset_check(
        specs=specs,
        name=f"gx_{layer}_suites",
        can_subset=True,
        description=f"Great Expectations suites of the {layer} layer, one checkpoint.",
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        # Imported here: importing great_expectations takes several seconds.
        from expectations.results import write_check_results
        from expectations.runner import validate_suites

        selected = {key.asset_key.path[-1] for key in context.selected_asset_check_keys}
        run = RunParameters(delivery_dates=run_delivery_dates(context) if layer == "raw" else None)
        layer_suites = build(run, tuple(t for t in tables if t in selected))
        started = time.monotonic()
        outcomes = validate_suites(
            Path(warehouse.path),
            layer_suites,
            gx_root=get_settings().warehouse.parent,
            checkpoint=layer,
        )
        elapsed = time.monotonic() - started
        # GX closed its read-only connections: the pipeline's writer may open the file.
        with warehouse.connect() as con:
            written = write_check_results(
                con, run_id=context.run.run_id, checked_at=run.checked_at, outcomes=outcomes
            )
        n_errors = sum(len(o.errors) for o in outcomes)
        n_warnings = sum(len(o.warnings) for o in outcomes)
        context.log.info(
            f"gx {layer}: {len(outcomes)} suites, {written} expectations in {elapsed:.1f}s:"
            f" {n_errors} errors, {n_warnings} warnings (quality.check_results;"
            f" Data Docs: {outcomes[0].data_docs if outcomes else ''})"
        )
        for outcome, suite in zip(outcomes, layer_suites, strict=True):
            for failure in outcome.failures:
                log = context.log.error if failure.severity == "error" else context.log.warning
                log(
                    f"{outcome.suite}: {failure.severity} {failure.expectation}"
                    f"({failure.column or ''}) failed: {failure.observed}"
                )
            yield _result(outcome, suite.table, elapsed)

    return _check


gx_checks = [
    build_layer_check("raw"),
    build_layer_check("staging"),
    build_layer_check(
        "marts", additional_deps=[dg.AssetKey(["staging", t]) for t in staging.MODELS]
    ),
]

"""Great Expectations suites as blocking Dagster asset checks.

An error-severity failure stops the assets downstream of the checked mart (the
report is not rebuilt on bad data). dbt's own tests arrive as asset checks too,
through dagster-dbt.
"""

from pathlib import Path

import dagster as dg

from orchestration.defs.resources import WarehouseResource
from orchestration.settings import get_settings


def build_gx_check(schema: str, table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey([schema, table]),
        name=f"gx_{table}_suite",
        blocking=True,
        description=f"Great Expectations suite `{schema}.{table}` (expectations/{schema}.py).",
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        # Imported here: importing great_expectations takes several seconds.
        from expectations.marts import SUITES
        from expectations.runner import validate_table

        outcome = validate_table(
            warehouse=Path(warehouse.path),
            schema=schema,
            table=table,
            expectations=SUITES[(schema, table)],
            gx_root=get_settings().warehouse.parent,
        )
        for failure in outcome.failures:
            context.log.error(
                f"{outcome.suite}: {failure.expectation}({failure.column or ''}) failed:"
                f" {failure.observed}"
            )
        return dg.AssetCheckResult(
            passed=outcome.success,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "expectations": len(outcome.outcomes),
                "failed": len(outcome.failures),
                "failures": dg.MetadataValue.md(
                    "\n".join(
                        f"- `{f.expectation}` on `{f.column}`: {f.observed}"
                        for f in outcome.failures
                    )
                    or "none"
                ),
                "data_docs": dg.MetadataValue.path(str(outcome.data_docs or "")),
            },
        )

    return _check


GUARDED_MARTS = ("touchpoints", "customers")
gx_checks = [build_gx_check("marts", table) for table in GUARDED_MARTS]

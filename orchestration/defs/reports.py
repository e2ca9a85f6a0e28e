"""The published report: a report-only DuckDB file and the static Evidence site."""

from pathlib import Path

import dagster as dg

from orchestration.defs.quality import GUARDED_MARTS
from orchestration.defs.resources import WarehouseResource
from orchestration.settings import get_settings


def _report_tables() -> tuple[str, ...]:
    from orchestration.reporting import REPORT_TABLES

    return REPORT_TABLES


@dg.asset(
    key=["reports", "report_database"],
    group_name="reports",
    # The report marts, plus the marts the quality checks guard: a blocking check
    # that fails on customers or touchpoints must stop the report being rebuilt.
    deps=[
        dg.AssetKey(["marts", table])
        for table in dict.fromkeys([*_report_tables(), *GUARDED_MARTS])
    ],
    kinds={"duckdb"},
    description="Report-safe marts (no personal data) copied into a DuckDB file that"
    " Evidence's DuckDB connector can open (storage version 1.4).",
)
def report_database(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    from orchestration.reporting import export_report_database

    settings = get_settings()
    # Attaches the warehouse read-only from its own in-memory connection.
    counts = export_report_database(Path(warehouse.path), settings.report_db)
    context.log.info(f"report database written to {settings.report_db}: {counts}")
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(settings.report_db)), **counts}
    )


@dg.asset(
    key=["reports", "site"],
    group_name="reports",
    deps=[report_database],
    kinds={"evidence"},
    description="The static Evidence site built from reports/ (pages read the report database).",
)
def report_site(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    from expectations.results import data_docs_index
    from orchestration.reporting import build_report_site

    settings = get_settings()
    site = build_report_site(
        settings.reports_dir,
        settings.report_db,
        log=context.log.info,
        # The GX Data Docs beside the warehouse, published at /data-docs/.
        data_docs_dir=data_docs_index(settings.warehouse.parent).parent,
    )
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("index.html"))
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(site)), "pages": len(pages)}
    )


report_assets = [report_database, report_site]

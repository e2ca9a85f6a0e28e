"""Paths and settings, from environment variables with documented defaults.

Every path is resolved to an absolute path, because dbt-duckdb resolves a
relative DuckDB path against the working directory, not the project.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _path(variable: str, default: Path) -> Path:
    value = os.environ.get(variable)
    path = Path(value) if value else default
    if not path.is_absolute():
        path = PROJECT_DIR / path
    return path.resolve()


def dbt_target_dir() -> Path:
    """DBT_TARGET_PATH (dbt's own variable for its artifacts folder), else target/.

    dbt reads the same variable, so the manifest the CLI parses, the one Dagster
    loads and the artifacts of every dbt command share one folder; two checkouts'
    worth of work (parallel test workers, say) each set their own."""
    return _path("DBT_TARGET_PATH", PROJECT_DIR / "target")


@dataclass(frozen=True)
class Settings:
    warehouse: Path
    """LIFECYCLE_WAREHOUSE: the DuckDB file (default warehouse/lifecycle.duckdb)."""
    landing: Path
    """LIFECYCLE_LANDING: channel exports, <channel>/<YYYY-MM-DD>/<file> (default landing/)."""
    ground_truth: Path
    """LIFECYCLE_GROUND_TRUTH: the demo generator's truth, never read by the warehouse."""
    report_db: Path
    """LIFECYCLE_REPORT_DB: report-only DuckDB file for Evidence (warehouse/reports.duckdb)."""
    logs: Path
    """LIFECYCLE_LOGS: run logs (default logs/)."""
    start_date: date
    """LIFECYCLE_START_DATE: first daily partition (default 2026-01-01)."""
    dbt_target: str = "duckdb"
    """LIFECYCLE_DBT_TARGET: the profiles.yml output dbt builds on (duckdb | spark)."""
    lake: Path = PROJECT_DIR / "warehouse" / "lake"
    """LIFECYCLE_LAKE: the raw layer as Parquet, written when dbt_target is not duckdb."""
    spark_warehouse: Path = PROJECT_DIR / "warehouse" / "spark"
    """LIFECYCLE_SPARK_WAREHOUSE: Spark's tables and metastore (the spark target)."""

    @property
    def writes_lake(self) -> bool:
        """True when dbt reads the raw layer from the Parquet lake (not DuckDB's tables)."""
        return self.dbt_target != "duckdb"

    @property
    def reports_dir(self) -> Path:
        return PROJECT_DIR / "reports"

    @property
    def report_site(self) -> Path:
        return self.reports_dir / "build"

    def export_env(self) -> None:
        """Publish the resolved paths to child processes (dbt, Evidence)."""
        os.environ["LIFECYCLE_WAREHOUSE"] = str(self.warehouse)
        os.environ["LIFECYCLE_LANDING"] = str(self.landing)
        os.environ["LIFECYCLE_REPORT_DB"] = str(self.report_db)
        os.environ["LIFECYCLE_DBT_TARGET"] = self.dbt_target
        os.environ["LIFECYCLE_LAKE"] = str(self.lake)
        os.environ["LIFECYCLE_SPARK_WAREHOUSE"] = str(self.spark_warehouse)


def get_settings() -> Settings:
    return Settings(
        warehouse=_path("LIFECYCLE_WAREHOUSE", PROJECT_DIR / "warehouse" / "lifecycle.duckdb"),
        landing=_path("LIFECYCLE_LANDING", PROJECT_DIR / "landing"),
        ground_truth=_path("LIFECYCLE_GROUND_TRUTH", PROJECT_DIR / "demo" / "ground_truth"),
        report_db=_path("LIFECYCLE_REPORT_DB", PROJECT_DIR / "warehouse" / "reports.duckdb"),
        logs=_path("LIFECYCLE_LOGS", PROJECT_DIR / "logs"),
        start_date=date.fromisoformat(os.environ.get("LIFECYCLE_START_DATE", "2026-01-01")),
        dbt_target=os.environ.get("LIFECYCLE_DBT_TARGET", "duckdb"),
        lake=_path("LIFECYCLE_LAKE", PROJECT_DIR / "warehouse" / "lake"),
        spark_warehouse=_path("LIFECYCLE_SPARK_WAREHOUSE", PROJECT_DIR / "warehouse" / "spark"),
    )

"""The dbt project handle, in its own module so `dagster-dbt project prepare-and-package`
and the CLI can build the manifest before the Dagster definitions load."""

from __future__ import annotations

from dagster_dbt import DbtProject

from orchestration.settings import PROJECT_DIR, dbt_target_dir

dbt_project = DbtProject(
    project_dir=PROJECT_DIR,
    profiles_dir=PROJECT_DIR,
    target_path=dbt_target_dir(),
)
# Under `dagster dev` this parses the project so the manifest is never stale;
# elsewhere the CLI and the Makefile run `dbt parse` first (see orchestration.cli).
dbt_project.prepare_if_dev()

"""Test-session set-up shared by every module.

The suite runs on two workers (pytest-xdist, ``--dist loadgroup``). Each test file
is one group, so a module's expensive fixture (a generated dataset, a dbt build) is
built once, on one worker. test_reports.py builds the Evidence site in a copy of
the project, so it runs beside test_end_to_end.py, which builds in reports/ itself.
Each worker keeps dbt's artifacts (the manifest Dagster loads) in a folder of its
own, so that one worker's ``dbt parse --vars ...`` never rewrites the manifest
another is reading.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent

_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker:
    os.environ["DBT_TARGET_PATH"] = str(PROJECT_DIR / "target" / f"pytest-{_worker}")
    # An xdist worker's __main__ (execnet's) has neither __spec__ nor __file__, which
    # PySpark takes for a doctest run: importing pyspark.sql.connect (Great
    # Expectations does) then calls sys.exit(0) and kills the worker. Give it a file,
    # as a plain pytest run has, so the import fails with the ImportError GX expects.
    _main = sys.modules["__main__"]
    if getattr(_main, "__spec__", None) is None and not hasattr(_main, "__file__"):
        _main.__file__ = "<pytest-xdist worker>"


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups off the markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.xdist_group(item.path.name))

"""dbt with Python models on dbt-spark's `session` method.

dbt-spark 1.11 runs Python models only on Databricks (job or all-purpose
cluster submission); upstream has an open proposal for a `session` submission
method (dbt-labs/dbt-spark#1062) that this module implements: the compiled
model code runs in dbt's own process on the SparkSession that dbt-spark's
session connection already uses. SQL models are unaffected.

`lifecycle-dbt` is `dbt` with that method installed; the `spark` target is
built with it (`lifecycle-dbt build --target spark`, and the Dagster dbt
resource when LIFECYCLE_DBT_TARGET=spark). Plain `dbt` still builds the SQL
models on Spark; on a Databricks cluster Python models use dbt-spark's own
submission methods instead.
"""

from __future__ import annotations

import sys
from typing import Any

SESSION = "session"


class SessionPythonJobHelper:
    """Runs a Python model's compiled code on the in-process SparkSession."""

    def __init__(self, parsed_model: dict, credentials: Any) -> None:
        self.parsed_model = parsed_model
        self.credentials = credentials

    def submit(self, compiled_code: str) -> None:
        from pyspark.sql import SparkSession

        spark = SparkSession.builder.enableHiveSupport().getOrCreate()
        namespace: dict[str, Any] = {"spark": spark, "__name__": "__dbt_python_model__"}
        exec(compile(compiled_code, self.parsed_model.get("alias", "model"), "exec"), namespace)


def install() -> bool:
    """Add the `session` submission method to dbt-spark (the default on session
    connections). False when dbt-spark is not installed."""
    try:
        from dbt.adapters.spark.impl import SparkAdapter
    except ImportError:
        return False
    if getattr(SparkAdapter, "_lifecycle_session_python", False):
        return True
    helpers = SparkAdapter.python_submission_helpers.fget
    default_method = SparkAdapter.default_python_submission_method.fget

    def python_submission_helpers(self):  # type: ignore[no-untyped-def]
        return {**helpers(self), SESSION: SessionPythonJobHelper}

    def default_python_submission_method(self) -> str:  # type: ignore[no-untyped-def]
        method = getattr(self.config.credentials, "method", None)
        if getattr(method, "value", method) == SESSION:
            return SESSION
        return default_method(self)

    SparkAdapter.python_submission_helpers = property(python_submission_helpers)
    SparkAdapter.default_python_submission_method = property(default_python_submission_method)
    SparkAdapter._lifecycle_session_python = True
    return True


def main() -> None:
    """`lifecycle-dbt`: the dbt command line, with Python models on Spark sessions."""
    install()
    from dbt.cli.main import cli

    sys.exit(cli())

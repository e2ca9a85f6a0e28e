"""What dbt Python models read and return, on either engine.

dbt-duckdb hands a model DuckDB relations and accepts Arrow tables; on Spark a
model gets Spark DataFrames and must return one (or pandas). These two
functions keep the models themselves engine-neutral.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa


def to_pandas(relation: Any) -> pd.DataFrame:
    """A DuckDB relation (dbt-duckdb) or a Spark DataFrame as pandas."""
    if hasattr(relation, "df"):
        return relation.df()
    return relation.toPandas()


def to_model_result(session: Any, table: pa.Table) -> Any:
    """An Arrow table as the model's result: as is on DuckDB, a Spark DataFrame
    with the same schema on Spark (Spark 4 builds one from Arrow directly)."""
    if hasattr(session, "createDataFrame"):
        return session.createDataFrame(table)
    return table

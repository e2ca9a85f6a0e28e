"""The fitted CLV models: BG/NBD (purchase days) and Gamma-Gamma (spend per
purchase day), one row, fitted by maximum likelihood on
int_customer_purchase_summary with orchestration.clv (scipy). See the YAML for
why this is a dbt Python model."""

import pandas as pd

from orchestration.clv.model import PARAMETER_COLUMNS, fit_parameters

COUNT_COLUMNS = ("bgnbd_customers", "gamma_gamma_customers")


def to_pandas(relation) -> pd.DataFrame:
    """A DuckDB relation (dbt-duckdb) or a Spark DataFrame as pandas."""
    if hasattr(relation, "df"):
        return relation.df()
    return relation.toPandas()


def model(dbt, session):
    dbt.config(materialized="table")
    summary = to_pandas(dbt.ref("int_customer_purchase_summary"))
    row = fit_parameters(
        summary,
        min_customers=int(dbt.config.meta_get("min_customers") or 20),
        min_repeat_customers=int(dbt.config.meta_get("min_repeat_customers") or 5),
        min_history_days=int(dbt.config.meta_get("min_history_days") or 60),
    )
    frame = pd.DataFrame([row], columns=PARAMETER_COLUMNS)
    for column in PARAMETER_COLUMNS:
        if column.endswith(("_status", "_at_bound")):
            frame[column] = frame[column].astype("string")
        elif column in COUNT_COLUMNS:
            frame[column] = frame[column].astype("int64")
        else:
            frame[column] = frame[column].astype("float64")
    frame["as_of_date"] = pd.to_datetime(summary["as_of_date"]).max() if len(summary) else pd.NaT
    frame["as_of_date"] = frame["as_of_date"].astype("datetime64[us]").dt.date
    return frame

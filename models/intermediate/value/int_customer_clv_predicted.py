"""Predicted customer value for the next year: BG/NBD purchase days times
Gamma-Gamma spend per purchase day, with the parameters of
int_clv_model_parameters (orchestration.clv.model.predict)."""

import pandas as pd

from orchestration.clv.model import predict


def to_pandas(relation) -> pd.DataFrame:
    """A DuckDB relation (dbt-duckdb) or a Spark DataFrame as pandas."""
    if hasattr(relation, "df"):
        return relation.df()
    return relation.toPandas()


def model(dbt, session):
    dbt.config(materialized="table")
    horizon_days = float(dbt.config.meta_get("horizon_days") or 365)
    summary = to_pandas(dbt.ref("int_customer_purchase_summary"))
    parameters = to_pandas(dbt.ref("int_clv_model_parameters"))
    row = parameters.iloc[0].to_dict() if len(parameters) else {}
    predictions = predict(summary, row, horizon_days)
    for column in predictions.columns:
        if column != "customer_id":
            predictions[column] = predictions[column].astype("float64")
    predictions["customer_id"] = predictions["customer_id"].astype("string")
    return predictions

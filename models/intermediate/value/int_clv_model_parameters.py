"""The fitted CLV models: BG/NBD (purchase days) and Gamma-Gamma (spend per
purchase day), one row, fitted by maximum likelihood on
int_customer_purchase_summary with orchestration.clv (scipy). See the YAML for
why this is a dbt Python model."""

import pandas as pd
import pyarrow as pa

from orchestration.clv.model import PARAMETER_COLUMNS, fit_parameters
from orchestration.model_frames import to_model_result, to_pandas


def column_type(name: str) -> pa.DataType:
    if name.endswith(("_status", "_at_bound")):
        return pa.string()
    if name.endswith("_customers"):
        return pa.int64()
    return pa.float64()


SCHEMA = pa.schema(
    [(name, column_type(name)) for name in PARAMETER_COLUMNS] + [("as_of_date", pa.date32())]
)


def model(dbt, session):
    dbt.config(materialized="table")
    summary = to_pandas(dbt.ref("int_customer_purchase_summary"))
    row = fit_parameters(
        summary,
        min_customers=int(dbt.config.meta_get("min_customers") or 20),
        min_repeat_customers=int(dbt.config.meta_get("min_repeat_customers") or 5),
        min_history_days=int(dbt.config.meta_get("min_history_days") or 60),
    )
    row["as_of_date"] = pd.to_datetime(summary["as_of_date"]).max().date() if len(summary) else None
    return to_model_result(session, pa.Table.from_pylist([row], schema=SCHEMA))

"""Predicted customer value for the next year: BG/NBD purchase days times
Gamma-Gamma spend per purchase day, with the parameters of
int_clv_model_parameters (orchestration.clv.model.predict)."""

import pyarrow as pa

from orchestration.clv.model import PREDICTION_COLUMNS, predict
from orchestration.model_frames import to_model_result, to_pandas

SCHEMA = pa.schema(
    [("customer_id", pa.string())] + [(name, pa.float64()) for name in PREDICTION_COLUMNS[1:]]
)


def model(dbt, session):
    dbt.config(materialized="table")
    horizon_days = float(dbt.config.meta_get("horizon_days") or 365)
    summary = to_pandas(dbt.ref("int_customer_purchase_summary"))
    parameters = to_pandas(dbt.ref("int_clv_model_parameters"))
    row = parameters.iloc[0].to_dict() if len(parameters) else {}
    predictions = predict(summary, row, horizon_days)
    return to_model_result(
        session, pa.Table.from_pandas(predictions, schema=SCHEMA, preserve_index=False)
    )

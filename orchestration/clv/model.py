"""Fit BG/NBD and Gamma-Gamma on the warehouse's customer summaries and predict
each customer's value: the code behind the dbt Python models
int_clv_model_parameters and int_customer_clv_predicted (models/intermediate/value).

Input: one row per customer with repeat_purchase_days (x), recency_days (t_x),
age_days (T) and avg_repeat_purchase_value_eur (m_x), as
int_customer_purchase_summary makes them. Time is in days throughout.
"""

import math

import numpy as np
import pandas as pd

from orchestration.clv.bgnbd import BgNbdParams, expected_purchases, fit_bgnbd, probability_alive
from orchestration.clv.gamma_gamma import GammaGammaParams, expected_average_value, fit_gamma_gamma

FITTED = "fitted"

PARAMETER_COLUMNS = [
    "bgnbd_status",
    "bgnbd_customers",
    "bgnbd_r",
    "bgnbd_alpha_days",
    "bgnbd_a",
    "bgnbd_b",
    "bgnbd_log_likelihood",
    "bgnbd_params_at_bound",
    "gamma_gamma_status",
    "gamma_gamma_customers",
    "gamma_gamma_p",
    "gamma_gamma_q",
    "gamma_gamma_gamma_eur",
    "gamma_gamma_log_likelihood",
    "gamma_gamma_params_at_bound",
]

PREDICTION_COLUMNS = [
    "customer_id",
    "probability_alive",
    "predicted_purchases",
    "predicted_avg_order_value_eur",
    "predicted_clv_eur",
]


def _column(summary: pd.DataFrame, name: str) -> np.ndarray:
    return pd.to_numeric(summary[name], errors="coerce").to_numpy(dtype=float)


def fit_parameters(
    summary: pd.DataFrame,
    *,
    min_customers: int = 20,
    min_repeat_customers: int = 5,
    min_history_days: int = 60,
) -> dict[str, object]:
    """Fit both models; one dict with PARAMETER_COLUMNS. A model that cannot be
    fitted (too little data, invalid input, no convergence) has a status that
    says why and null parameters; the other may still be fitted.

    BG/NBD needs ``min_customers`` buyers, ``min_repeat_customers`` of them with a
    repeat purchase, and a history of at least ``min_history_days`` (the oldest
    buyer's age): fitted on a few weeks, it would extrapolate them to a year."""
    row: dict[str, object] = dict.fromkeys(PARAMETER_COLUMNS)
    x = _column(summary, "repeat_purchase_days")
    t_x = _column(summary, "recency_days")
    big_t = _column(summary, "age_days")
    m_x = _column(summary, "avg_repeat_purchase_value_eur")
    # The fits sum over the sorted distinct summaries (optimise.distinct_rows), so
    # they depend only on the customers, not on the order the warehouse returned them
    # in (an incremental build and a full one must fit the same parameters).
    n_repeat = int(np.sum(x > 0))
    row["bgnbd_customers"] = int(x.size)
    history = int(np.nanmax(big_t)) if x.size else 0
    if x.size < min_customers:
        row["bgnbd_status"] = f"too few customers ({x.size} < {min_customers})"
    elif n_repeat < min_repeat_customers:
        row["bgnbd_status"] = f"too few repeat customers ({n_repeat} < {min_repeat_customers})"
    elif history < min_history_days:
        row["bgnbd_status"] = f"history too short ({history} < {min_history_days} days)"
    else:
        try:
            fit = fit_bgnbd(x, t_x, big_t)
        except ValueError as error:
            row["bgnbd_status"] = f"not fitted: {error}"
        else:
            if fit.converged and math.isfinite(fit.log_likelihood):
                row.update(
                    bgnbd_status=FITTED,
                    bgnbd_params_at_bound=",".join(fit.at_bound) or None,
                    bgnbd_r=fit.params.r,
                    bgnbd_alpha_days=fit.params.alpha,
                    bgnbd_a=fit.params.a,
                    bgnbd_b=fit.params.b,
                    bgnbd_log_likelihood=fit.log_likelihood,
                )
            else:
                row["bgnbd_status"] = "not fitted: the optimiser did not converge"
    usable = int(np.sum((x > 0) & np.isfinite(m_x) & (m_x > 0)))
    row["gamma_gamma_customers"] = usable
    if usable < min_repeat_customers:
        row["gamma_gamma_status"] = (
            f"too few repeat customers with a positive spend ({usable} < {min_repeat_customers})"
        )
    else:
        try:
            spend = fit_gamma_gamma(x, m_x)
        except ValueError as error:
            row["gamma_gamma_status"] = f"not fitted: {error}"
        else:
            if not (spend.converged and math.isfinite(spend.log_likelihood)):
                row["gamma_gamma_status"] = "not fitted: the optimiser did not converge"
            elif spend.params.q <= 1.0:
                row["gamma_gamma_status"] = "not fitted: q <= 1 (no finite mean spend)"
            else:
                row.update(
                    gamma_gamma_status=FITTED,
                    gamma_gamma_params_at_bound=",".join(spend.at_bound) or None,
                    gamma_gamma_p=spend.params.p,
                    gamma_gamma_q=spend.params.q,
                    gamma_gamma_gamma_eur=spend.params.gamma,
                    gamma_gamma_log_likelihood=spend.log_likelihood,
                )
    return row


def predict(
    summary: pd.DataFrame, parameters: dict[str, object], horizon_days: float
) -> pd.DataFrame:
    """Per customer: P(alive), expected purchase days in the next ``horizon_days``,
    expected spend per purchase and their product, the predicted CLV over the
    horizon (undiscounted). Null where the model it needs was not fitted."""
    x = _column(summary, "repeat_purchase_days")
    t_x = _column(summary, "recency_days")
    big_t = _column(summary, "age_days")
    m_x = _column(summary, "avg_repeat_purchase_value_eur")
    out = pd.DataFrame({"customer_id": summary["customer_id"].astype(str).to_numpy()})
    nothing = np.full(x.size, np.nan)
    alive, purchases, value = nothing, nothing, nothing
    if parameters.get("bgnbd_status") == FITTED and x.size:
        params = BgNbdParams(
            float(parameters["bgnbd_r"]),
            float(parameters["bgnbd_alpha_days"]),
            float(parameters["bgnbd_a"]),
            float(parameters["bgnbd_b"]),
        )
        alive = probability_alive(params, x, t_x, big_t)
        purchases = expected_purchases(params, horizon_days, x, t_x, big_t)
    if parameters.get("gamma_gamma_status") == FITTED and x.size:
        spend = GammaGammaParams(
            float(parameters["gamma_gamma_p"]),
            float(parameters["gamma_gamma_q"]),
            float(parameters["gamma_gamma_gamma_eur"]),
        )
        value = expected_average_value(spend, x, m_x)
    out["probability_alive"] = alive
    out["predicted_purchases"] = purchases
    out["predicted_avg_order_value_eur"] = value
    out["predicted_clv_eur"] = purchases * value
    return out[PREDICTION_COLUMNS]

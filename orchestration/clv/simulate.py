"""Draw customers from the BG/NBD and Gamma-Gamma models with known parameters,
for parameter-recovery and calibration tests."""

import numpy as np
import pandas as pd

from orchestration.clv.bgnbd import BgNbdParams
from orchestration.clv.gamma_gamma import GammaGammaParams


def simulate_customers(
    bgnbd: BgNbdParams,
    ages: np.ndarray,
    holdout: float,
    rng: np.random.Generator,
    gamma_gamma: GammaGammaParams | None = None,
) -> pd.DataFrame:
    """One row per customer with a first purchase at time 0, observed until
    ``ages[i]`` (calibration) and then for ``holdout`` more time units.

    Columns: frequency, recency, age (calibration summary), holdout_purchases,
    and with ``gamma_gamma`` also monetary_value (mean value of the repeat
    purchases in the calibration period; NaN without any) and true_mean_value.
    """
    ages = np.asarray(ages, dtype=float)
    n = ages.size
    rates = rng.gamma(shape=bgnbd.r, scale=1.0 / bgnbd.alpha, size=n)
    dropouts = rng.beta(bgnbd.a, bgnbd.b, size=n)
    if gamma_gamma is not None:
        nus = rng.gamma(shape=gamma_gamma.q, scale=1.0 / gamma_gamma.gamma, size=n)
    rows = []
    for i in range(n):
        end = ages[i] + holdout
        t, times = 0.0, []
        while True:
            t += rng.exponential(1.0 / rates[i])
            if t > end:
                break
            times.append(t)
            if rng.random() < dropouts[i]:
                break
        calibration = [s for s in times if s <= ages[i]]
        row = {
            "frequency": float(len(calibration)),
            "recency": calibration[-1] if calibration else 0.0,
            "age": ages[i],
            "holdout_purchases": float(len(times) - len(calibration)),
        }
        if gamma_gamma is not None:
            values = rng.gamma(shape=gamma_gamma.p, scale=1.0 / nus[i], size=len(calibration))
            row["monetary_value"] = float(values.mean()) if calibration else np.nan
            row["true_mean_value"] = gamma_gamma.p / nus[i]
        rows.append(row)
    return pd.DataFrame(rows)

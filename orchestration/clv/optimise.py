"""The maximum-likelihood search shared by the BG/NBD and Gamma-Gamma fits."""

from collections.abc import Callable

import numpy as np
from scipy import optimize

# Parameters are searched on a log scale within +-LOG_BOUND (with time or money
# scaled to order 1 by the caller): wide enough for any real customer base, and it
# keeps a fit on data without visible heterogeneity or dropout from running off to
# infinity, where the likelihood is flat and rounding decides. A fit that ends on
# the bound says so (``at_bound``).
LOG_BOUND = 12.0


def distinct_rows(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """The distinct rows of equal-length columns (sorted) and how often each occurs.

    A likelihood that is a sum over customers of a term that depends only on the
    customer's summary is the same sum over the distinct summaries, each weighted by
    its count: the optimiser evaluates it hundreds of times, and customers share
    summaries (whole days: at 1M persons, about a million buyers, far fewer distinct
    ones). Sorted, the sum is in a fixed order whatever order the rows came in."""
    if not columns or columns[0].size == 0:
        return [np.asarray(column, dtype=float) for column in columns], np.zeros(0)
    stacked = np.column_stack([np.asarray(column, dtype=float) for column in columns])
    distinct, counts = np.unique(stacked, axis=0, return_counts=True)
    return [distinct[:, i] for i in range(distinct.shape[1])], counts.astype(float)


def minimise_on_log_scale(
    negative: Callable[[np.ndarray], float], n_params: int
) -> tuple[np.ndarray, bool]:
    """Minimise ``negative`` over log-parameters in [-LOG_BOUND, LOG_BOUND]:
    Nelder-Mead from all-zeros, then an L-BFGS-B polish; the better of the two.

    Converged when either method reports success, or when both end at the same
    value (within 1e-7 relative): on a flat ridge of the likelihood (a direction
    the data cannot tell apart, e.g. the dropout parameters of customers who never
    drop out) Nelder-Mead runs out of evaluations and the line search of L-BFGS-B
    gives up, yet the maximum likelihood has been reached."""
    bounds = [(-LOG_BOUND, LOG_BOUND)] * n_params
    first = optimize.minimize(
        negative,
        np.zeros(n_params),
        method="Nelder-Mead",
        bounds=bounds,
        options={"xatol": 1e-6, "fatol": 1e-10, "maxfev": 2_000 * n_params},
    )
    polish = optimize.minimize(negative, first.x, method="L-BFGS-B", bounds=bounds)
    best = polish if polish.fun <= first.fun else first
    same_value = abs(polish.fun - first.fun) <= 1e-7 * max(1.0, abs(first.fun))
    converged = bool(first.success or polish.success or same_value)
    return np.asarray(best.x), converged and bool(np.isfinite(best.fun))

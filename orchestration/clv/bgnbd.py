"""BG/NBD model of repeat purchases (Fader, Hardie & Lee 2005, "Counting Your
Customers the Easy Way: An Alternative to the Pareto/NBD Model", Marketing
Science 24(2), 275-284), fitted by maximum likelihood with scipy.

Per customer: ``frequency`` x (repeat purchases: purchase periods after the
first), ``recency`` t_x (time of the last purchase, from the first) and ``age``
T (time from the first purchase to the end of observation), all in one time
unit. While active, a customer buys as a Poisson process with rate lambda ~
Gamma(r, alpha); after each purchase they drop out with probability p ~
Beta(a, b).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from orchestration.clv.optimise import LOG_BOUND, distinct_rows, minimise_on_log_scale

_LOG_FLOOR = -700.0  # exp(-700) is still a double; used where a term is absent


@dataclass(frozen=True)
class BgNbdParams:
    """Population parameters: purchase rate ~ Gamma(r, alpha), dropout ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (self.r, self.alpha, self.a, self.b)


@dataclass(frozen=True)
class BgNbdFit:
    """The result of :func:`fit_bgnbd`."""

    params: BgNbdParams
    log_likelihood: float
    n_customers: int
    converged: bool
    at_bound: tuple[str, ...] = ()


def _arrays(*columns: Sequence[float] | np.ndarray) -> list[np.ndarray]:
    arrays = [np.asarray(column, dtype=float) for column in columns]
    shapes = {array.shape for array in arrays}
    if len(shapes) != 1:
        raise ValueError(f"frequency, recency and age differ in length: {sorted(shapes)}")
    return arrays


def validate_summary(frequency: np.ndarray, recency: np.ndarray, age: np.ndarray) -> None:
    """Raise ValueError unless 0 <= recency <= age, frequency is a whole number >= 0,
    and a customer with no repeat purchase has recency 0."""
    problems = []
    if not np.all(np.isfinite(frequency) & np.isfinite(recency) & np.isfinite(age)):
        problems.append("missing or infinite values")
    if np.any(frequency < 0) or np.any(frequency != np.round(frequency)):
        problems.append("frequency must be a whole number >= 0")
    if np.any(recency < 0) or np.any(recency > age + 1e-9):
        problems.append("recency must lie in [0, age]")
    if np.any((frequency == 0) & (recency != 0)):
        problems.append("a customer without repeat purchases must have recency 0")
    if problems:
        raise ValueError("invalid RFM summary: " + "; ".join(problems))


class _Summaries:
    """Customer summaries with each column's distinct values and where each row's
    value is among them. The optimiser evaluates the likelihood hundreds of times:
    the special functions of x and the logs of t_x and T are taken once per
    distinct value (whole days: a few hundred) and gathered, not once per row."""

    def __init__(self, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray) -> None:
        self.x = x
        self.x_values, self.x_index = np.unique(x, return_inverse=True)
        self.t_x_values, self.t_x_index = np.unique(t_x, return_inverse=True)
        self.big_t_values, self.big_t_index = np.unique(big_t, return_inverse=True)
        self.repeat = x > 0

    def terms(self, params: BgNbdParams) -> np.ndarray:
        """Each row's log-likelihood (FHL 2005, equation 6, in logs)."""
        r, alpha, a, b = params.as_tuple()
        x, x_values = self.x, self.x_values
        common = (
            special.gammaln(r + x_values)
            - special.gammaln(r)
            + special.betaln(a, b + x_values)
            - special.betaln(a, b)
        )[self.x_index]
        # L = common * alpha^r * [ (alpha+T)^-(r+x) + [x>0] a/(b+x-1) (alpha+t_x)^-(r+x) ],
        # with r log(alpha) - (r+x) log(alpha+T) written as -r log1p(T/alpha) - x log(alpha+T)
        # so that large r and alpha (little heterogeneity) do not cancel catastrophically.
        still_active = (
            -r * np.log1p(self.big_t_values / alpha)[self.big_t_index]
            - x * np.log(alpha + self.big_t_values)[self.big_t_index]
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            dropout = (np.log(a) - np.log(b + np.maximum(x_values, 1.0) - 1.0))[self.x_index]
            dropped_out = np.where(
                self.repeat,
                dropout
                - r * np.log1p(self.t_x_values / alpha)[self.t_x_index]
                - x * np.log(alpha + self.t_x_values)[self.t_x_index],
                _LOG_FLOOR,
            )
        return common + np.logaddexp(still_active, dropped_out)


def log_likelihood_terms(
    params: BgNbdParams,
    frequency: Sequence[float] | np.ndarray,
    recency: Sequence[float] | np.ndarray,
    age: Sequence[float] | np.ndarray,
) -> np.ndarray:
    """Each customer's log-likelihood (FHL 2005, equation 6, in logs)."""
    return _Summaries(*_arrays(frequency, recency, age)).terms(params)


def log_likelihood(
    params: BgNbdParams,
    frequency: Sequence[float] | np.ndarray,
    recency: Sequence[float] | np.ndarray,
    age: Sequence[float] | np.ndarray,
) -> float:
    """Total log-likelihood of the customers under ``params``."""
    return float(np.sum(log_likelihood_terms(params, frequency, recency, age)))


def fit_bgnbd(
    frequency: Sequence[float] | np.ndarray,
    recency: Sequence[float] | np.ndarray,
    age: Sequence[float] | np.ndarray,
) -> BgNbdFit:
    """Maximum-likelihood estimates of r, alpha, a, b.

    The optimiser works on the logs of the parameters (so they stay positive),
    within +-LOG_BOUND: Nelder-Mead from all-ones, then an L-BFGS-B polish. Raises
    ValueError on an invalid summary or when there is nothing to fit (no
    customers, or no customer with a repeat purchase: then a and b are not
    identified).
    """
    x, t_x, big_t = _arrays(frequency, recency, age)
    validate_summary(x, t_x, big_t)
    if x.size == 0:
        raise ValueError("no customers to fit the BG/NBD model on")
    if not np.any(x > 0):
        raise ValueError("no customer has a repeat purchase: the BG/NBD model is not identified")
    # Scale time so that alpha starts near 1 whatever the unit (days, weeks).
    scale = float(np.max(big_t)) or 1.0
    # Each distinct (x, t_x, T) once, weighted by how many customers have it.
    (x_d, t_x_d, big_t_d), counts = distinct_rows(x, t_x, big_t)
    scaled = _Summaries(x_d, t_x_d / scale, big_t_d / scale)

    def negative(log_params: np.ndarray) -> float:
        terms = scaled.terms(BgNbdParams(*np.exp(log_params)))
        value = -float(np.dot(counts, terms))
        return value if np.isfinite(value) else 1e300

    log_params, converged = minimise_on_log_scale(negative, 4)
    r, alpha, a, b = np.exp(log_params)
    params = BgNbdParams(float(r), float(alpha * scale), float(a), float(b))
    return BgNbdFit(
        params=params,
        log_likelihood=float(np.dot(counts, log_likelihood_terms(params, x_d, t_x_d, big_t_d))),
        n_customers=int(x.size),
        converged=converged,
        at_bound=tuple(
            name
            for name, value in zip(("r", "alpha", "a", "b"), log_params, strict=True)
            if abs(value) >= LOG_BOUND - 1e-3
        ),
    )


def probability_alive(
    params: BgNbdParams,
    frequency: Sequence[float] | np.ndarray,
    recency: Sequence[float] | np.ndarray,
    age: Sequence[float] | np.ndarray,
) -> np.ndarray:
    """P(still active at the end of observation | x, t_x, T) (FHL 2005, equation 11).

    1 for a customer without repeat purchases: in the BG/NBD model a customer
    can only drop out right after a purchase.
    """
    x, t_x, big_t = _arrays(frequency, recency, age)
    r, alpha, a, b = params.as_tuple()
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_odds = (
            np.log(a)
            - np.log(b + np.maximum(x, 1.0) - 1.0)
            + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
        )
        return np.where(x > 0, 1.0 / (1.0 + np.exp(log_odds)), 1.0)


_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(128)
_U = (_NODES + 1.0) / 2.0  # Gauss-Legendre nodes on (0, 1)
_W = _WEIGHTS / 2.0


def expected_purchases(
    params: BgNbdParams,
    horizon: float,
    frequency: Sequence[float] | np.ndarray,
    recency: Sequence[float] | np.ndarray,
    age: Sequence[float] | np.ndarray,
) -> np.ndarray:
    """E[purchases in (T, T + horizon] | x, t_x, T] (FHL 2005, equation 10).

    Computed as P(alive | x, t_x, T) times E[purchases | alive], where, given
    alive, lambda ~ Gamma(r + x, alpha + T) and p ~ Beta(a, b + x) independently
    and a customer with (lambda, p) makes (1 - exp(-lambda p t)) / p purchases in
    t on average. The expectation over lambda is closed-form; the one over p is
    a 128-point Gauss-Legendre quadrature on the Beta quantile scale. Equation
    10's hypergeometric form gives the same values but loses all precision when
    the fit finds almost no dropout (a -> 0, b -> infinity), which small
    warehouses do produce.
    """
    x, t_x, big_t = _arrays(frequency, recency, age)
    r, alpha, a, b = params.as_tuple()
    if horizon < 0:
        raise ValueError("horizon must be >= 0")
    conditional = np.empty_like(x)
    for value in np.unique(x):
        rows = x == value
        # Quantiles of p ~ Beta(a, b + x) at the quadrature nodes, kept away from 0.
        p = np.maximum(special.betaincinv(a, b + value, _U), 1e-300)[:, None]
        rate = horizon / (alpha + big_t[rows])[None, :]
        # (1 - (1 + p t / (alpha + T))^-(r + x)) / p, stable for small p t.
        purchases_if_alive = -np.expm1(-(r + value) * np.log1p(p * rate)) / p
        conditional[rows] = _W @ purchases_if_alive
    return probability_alive(params, x, t_x, big_t) * conditional


def expected_purchases_new_customer(params: BgNbdParams, t: float) -> float:
    """E[X(t)]: repeat purchases by time t of a customer who has just made a first
    purchase (FHL 2005, equation 9)."""
    return float(expected_purchases(params, t, [0.0], [0.0], [0.0])[0])

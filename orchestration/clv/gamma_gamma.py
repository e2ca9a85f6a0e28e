"""Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM
and CLV: Using Iso-Value Curves for Customer Base Analysis", Journal of
Marketing Research 42(4), 415-430; Fader & Hardie 2013, "The Gamma-Gamma Model
of Monetary Value"), fitted by maximum likelihood with scipy.

Each transaction's value z ~ Gamma(p, nu), with nu ~ Gamma(q, gamma) across
customers. A customer with x repeat transactions of mean value m_x has
f(m_x) = Gamma(px + q) / (Gamma(px) Gamma(q)) gamma^q x^(px) m_x^(px-1)
/ (gamma + x m_x)^(px + q). Only customers with x >= 1 and m_x > 0 inform the
fit.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from orchestration.clv.optimise import LOG_BOUND, distinct_rows, minimise_on_log_scale


@dataclass(frozen=True)
class GammaGammaParams:
    """Population parameters: value ~ Gamma(p, nu), nu ~ Gamma(q, gamma)."""

    p: float
    q: float
    gamma: float

    def population_mean(self) -> float:
        """E[Z] = p gamma / (q - 1): the mean spend of a customer we know nothing
        about; infinite when q <= 1."""
        return self.p * self.gamma / (self.q - 1.0) if self.q > 1.0 else float("inf")


@dataclass(frozen=True)
class GammaGammaFit:
    """The result of :func:`fit_gamma_gamma`."""

    params: GammaGammaParams
    log_likelihood: float
    n_customers: int
    converged: bool
    at_bound: tuple[str, ...] = ()


def _usable(
    frequency: Sequence[float] | np.ndarray, monetary: Sequence[float] | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(frequency, dtype=float)
    m = np.asarray(monetary, dtype=float)
    if x.shape != m.shape:
        raise ValueError("frequency and monetary value differ in length")
    keep = (x > 0) & np.isfinite(m) & (m > 0)
    return x[keep], m[keep]


def log_likelihood(
    params: GammaGammaParams,
    frequency: Sequence[float] | np.ndarray,
    monetary: Sequence[float] | np.ndarray,
) -> float:
    """Total log-likelihood of the customers with x >= 1 and m_x > 0."""
    x, m = _usable(frequency, monetary)
    return float(np.sum(_terms(params, x, m)))


def _terms(params: GammaGammaParams, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    return _Summaries(x, m).terms(params)


class _Summaries:
    """Repeat customers' (x, m_x) with the distinct values of x and where each
    row's x is among them: the optimiser evaluates the likelihood hundreds of
    times, and the special functions and log of x (whole purchase days: a few
    dozen values) are taken once per distinct value and gathered, giving each
    row bitwise the same term as computing them per row."""

    def __init__(self, x: np.ndarray, m: np.ndarray) -> None:
        self.x, self.m = x, m
        self.x_values, self.x_index = np.unique(x, return_inverse=True)
        self.log_m = np.log(m)

    def terms(self, params: GammaGammaParams) -> np.ndarray:
        p, q, gamma = params.p, params.q, params.gamma
        x, m, x_values, at = self.x, self.m, self.x_values, self.x_index
        return (
            special.gammaln(p * x_values + q)[at]
            - special.gammaln(p * x_values)[at]
            - special.gammaln(q)
            + q * np.log(gamma)
            + (p * x - 1.0) * self.log_m
            + p * x * np.log(x_values)[at]
            - (p * x + q) * np.log(gamma + x * m)
        )


def fit_gamma_gamma(
    frequency: Sequence[float] | np.ndarray, monetary: Sequence[float] | np.ndarray
) -> GammaGammaFit:
    """Maximum-likelihood estimates of p, q, gamma (on their logs, within
    +-LOG_BOUND; Nelder-Mead, then an L-BFGS-B polish). Customers without repeat
    transactions or with a non-positive mean value are left out; ValueError when
    fewer than 2 remain."""
    x, m = _usable(frequency, monetary)
    if x.size < 2:
        raise ValueError("fewer than 2 repeat customers with a positive spend: cannot fit")
    # Each distinct (x, m_x) once, weighted by how many customers have it.
    (x_d, m_d), counts = distinct_rows(x, m)
    # Fit on spend in units of its mean, so gamma starts near 1 (the mean over the
    # sorted distinct rows: the same whatever order the customers came in).
    scale = float(np.dot(counts, m_d) / counts.sum())
    m_scaled = m_d / scale

    scaled = _Summaries(x_d, m_scaled)

    def negative(log_params: np.ndarray) -> float:
        p, q, gamma = np.exp(log_params)
        value = -float(np.dot(counts, scaled.terms(GammaGammaParams(p, q, gamma))))
        return value if np.isfinite(value) else 1e300

    log_params, converged = minimise_on_log_scale(negative, 3)
    p, q, gamma = np.exp(log_params)
    params = GammaGammaParams(float(p), float(q), float(gamma * scale))
    return GammaGammaFit(
        params=params,
        log_likelihood=float(np.dot(counts, _terms(params, x_d, m_d))),
        n_customers=int(x.size),
        converged=converged,
        at_bound=tuple(
            name
            for name, value in zip(("p", "q", "gamma"), log_params, strict=True)
            if abs(value) >= LOG_BOUND - 1e-3
        ),
    )


def expected_average_value(
    params: GammaGammaParams,
    frequency: Sequence[float] | np.ndarray,
    monetary: Sequence[float] | np.ndarray,
) -> np.ndarray:
    """E[Z | x, m_x] = (q - 1)/(px + q - 1) * p gamma/(q - 1) + px/(px + q - 1) * m_x:
    a weighted mean of the population mean and the customer's own mean (FHL 2005b,
    equation 5). A customer without repeat transactions gets the population mean;
    a negative own mean (refunds larger than the spend) counts as 0.
    NaN when q <= 1 and x = 0 (no finite population mean)."""
    x = np.asarray(frequency, dtype=float)
    m = np.clip(np.nan_to_num(np.asarray(monetary, dtype=float), nan=0.0), 0.0, None)
    p, q, gamma = params.p, params.q, params.gamma
    m = np.where(x > 0, m, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (p * gamma + p * x * m) / (p * x + q - 1.0)
    return np.where((p * x + q - 1.0) > 0, value, np.nan)

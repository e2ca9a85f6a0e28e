"""The CLV models against published results on the CDNOW sample.

Fixture: tests/fixtures/cdnow_customers_summary.csv (see tests/fixtures/README.md):
the 2,357 customers of the CDNOW sample, calibration weeks 1-39, with x
(repeat transactions), t_x (recency), T (age) in weeks and zbar (mean value of
the repeat transactions, USD).

References:
- BG/NBD: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way",
  Marketing Science 24(2): r = 0.243, alpha = 4.414, a = 0.793, b = 2.426,
  LL = -9582.4; for a customer with x = 2, t_x = 30.43, T = 38.86 the expected
  purchases in the next 39 weeks are 1.226.
- Gamma-Gamma: Fader, Hardie & Lee (2005), "RFM and CLV", Journal of Marketing
  Research 42(4), and Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary
  Value": p = 6.25, q = 3.74, gamma = 15.44 on the 946 repeat customers.
Both are reproduced by lifetimes and CLVTools.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special

from orchestration.clv import bgnbd, gamma_gamma

FIXTURE = Path(__file__).parent / "fixtures" / "cdnow_customers_summary.csv"

# The published figures are rounded to 3 (BG/NBD) and 2 (Gamma-Gamma) decimals; a
# fit must agree to within one unit of their last digit (the Gamma-Gamma
# likelihood is flat near its optimum: lifetimes reports gamma = 15.45, Fader and
# Hardie 15.44).
BGNBD_TOLERANCE = 1e-3
GAMMA_GAMMA_TOLERANCE = 1e-2


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    data = pd.read_csv(FIXTURE)
    assert len(data) == 2357
    return data


@pytest.fixture(scope="module")
def bgnbd_fit(cdnow: pd.DataFrame) -> bgnbd.BgNbdFit:
    return bgnbd.fit_bgnbd(cdnow["x"], cdnow["t_x"], cdnow["T"])


def test_bgnbd_fit_matches_fader_hardie_lee_2005(bgnbd_fit: bgnbd.BgNbdFit) -> None:
    params = bgnbd_fit.params
    assert bgnbd_fit.converged
    assert params.r == pytest.approx(0.243, abs=BGNBD_TOLERANCE)
    assert params.alpha == pytest.approx(4.414, abs=BGNBD_TOLERANCE)
    assert params.a == pytest.approx(0.793, abs=BGNBD_TOLERANCE)
    assert params.b == pytest.approx(2.426, abs=BGNBD_TOLERANCE)
    assert bgnbd_fit.log_likelihood == pytest.approx(-9582.4, abs=0.05)


def test_bgnbd_published_parameters_are_no_better_than_the_fit(
    cdnow: pd.DataFrame, bgnbd_fit: bgnbd.BgNbdFit
) -> None:
    published = bgnbd.BgNbdParams(0.243, 4.414, 0.793, 2.426)
    at_published = bgnbd.log_likelihood(published, cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert at_published <= bgnbd_fit.log_likelihood + 1e-9
    assert at_published == pytest.approx(-9582.4, abs=0.05)


def test_conditional_expectation_of_customer_one_is_1_226() -> None:
    published = bgnbd.BgNbdParams(0.243, 4.414, 0.793, 2.426)
    expected = bgnbd.expected_purchases(published, 39.0, [2], [30.43], [38.86])
    assert expected[0] == pytest.approx(1.226, abs=5e-4)


def _equation_10(params: bgnbd.BgNbdParams, t: float, x, t_x, big_t) -> np.ndarray:
    """FHL 2005 equation 10 as printed, with scipy's hyp2f1 (fine for these parameters)."""
    r, alpha, a, b = params.as_tuple()
    x, t_x, big_t = (np.asarray(v, dtype=float) for v in (x, t_x, big_t))
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + big_t + t))
    numerator = (
        (a + b + x - 1) / (a - 1) * (1 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyp)
    )
    odds = (x > 0) * a / (b + np.maximum(x, 1) - 1) * ((alpha + big_t) / (alpha + t_x)) ** (r + x)
    return numerator / (1 + odds)


def test_expected_purchases_agree_with_equation_10_for_every_customer(cdnow: pd.DataFrame) -> None:
    published = bgnbd.BgNbdParams(0.243, 4.414, 0.793, 2.426)
    ours = bgnbd.expected_purchases(published, 39.0, cdnow["x"], cdnow["t_x"], cdnow["T"])
    printed = _equation_10(published, 39.0, cdnow["x"], cdnow["t_x"], cdnow["T"])
    np.testing.assert_allclose(ours, printed, rtol=1e-5)


def test_probability_alive_follows_equation_11() -> None:
    published = bgnbd.BgNbdParams(0.243, 4.414, 0.793, 2.426)
    # By hand: 1 / (1 + a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x)).
    odds = 0.793 / (2.426 + 1) * ((4.414 + 38.86) / (4.414 + 30.43)) ** 2.243
    alive = bgnbd.probability_alive(published, [2, 0], [30.43, 0.0], [38.86, 38.86])
    assert alive[0] == pytest.approx(1 / (1 + odds), rel=1e-12)
    assert alive[1] == 1.0


def test_gamma_gamma_fit_matches_fader_hardie_lee_2005(cdnow: pd.DataFrame) -> None:
    fit = gamma_gamma.fit_gamma_gamma(cdnow["x"], cdnow["zbar"])
    assert fit.converged
    assert fit.n_customers == 946
    assert fit.params.p == pytest.approx(6.25, abs=GAMMA_GAMMA_TOLERANCE)
    assert fit.params.q == pytest.approx(3.74, abs=GAMMA_GAMMA_TOLERANCE)
    assert fit.params.gamma == pytest.approx(15.44, abs=GAMMA_GAMMA_TOLERANCE)


def test_gamma_gamma_conditional_mean_by_hand() -> None:
    params = gamma_gamma.GammaGammaParams(6.25, 3.74, 15.44)
    # x = 2, m = 22.35: (p * (gamma + x m)) / (p x + q - 1) = 6.25 * 60.14 / 15.24
    value = gamma_gamma.expected_average_value(params, [2, 0], [22.35, np.nan])
    assert value[0] == pytest.approx(6.25 * (15.44 + 2 * 22.35) / (12.5 + 2.74), rel=1e-12)
    # Without repeat purchases: the population mean p gamma / (q - 1).
    assert value[1] == pytest.approx(6.25 * 15.44 / 2.74, rel=1e-12)

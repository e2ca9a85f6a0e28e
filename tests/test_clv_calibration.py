"""CLV models: parameter recovery and holdout calibration on simulated BG/NBD
data with known parameters, holdout calibration on the project's generated
purchases, and the warehouse glue (summaries, fallbacks)."""

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orchestration.clv import bgnbd, gamma_gamma, model, optimise, simulate, summary
from orchestration.generator.generate import generate_demo_data

TRUE_BGNBD = bgnbd.BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)  # CDNOW's
TRUE_GAMMA_GAMMA = gamma_gamma.GammaGammaParams(p=6.25, q=3.74, gamma=15.44)


@pytest.fixture(scope="module")
def simulated() -> pd.DataFrame:
    rng = np.random.default_rng(20261125)
    ages = rng.uniform(27.0, 39.0, size=20_000)  # weeks, as in CDNOW
    return simulate.simulate_customers(TRUE_BGNBD, ages, 39.0, rng, TRUE_GAMMA_GAMMA)


@pytest.fixture(scope="module")
def simulated_fit(simulated: pd.DataFrame) -> bgnbd.BgNbdFit:
    return bgnbd.fit_bgnbd(simulated["frequency"], simulated["recency"], simulated["age"])


def test_bgnbd_recovers_known_parameters(simulated_fit: bgnbd.BgNbdFit) -> None:
    fit = simulated_fit
    # Sampling error with 20,000 customers (measured over seeds): r, alpha within
    # ~5%, a, b within ~15%.
    assert fit.params.r == pytest.approx(TRUE_BGNBD.r, rel=0.10)
    assert fit.params.alpha == pytest.approx(TRUE_BGNBD.alpha, rel=0.10)
    assert fit.params.a == pytest.approx(TRUE_BGNBD.a, rel=0.20)
    assert fit.params.b == pytest.approx(TRUE_BGNBD.b, rel=0.20)


def test_fits_on_distinct_summaries_equal_the_per_customer_likelihood() -> None:
    # The fits sum each distinct summary once, weighted by its count. Whole days, as
    # the warehouse gives them, repeat a lot; the reported log-likelihood must be the
    # sum over every customer, and the order of the rows must not matter.
    rng = np.random.default_rng(7)
    age = rng.integers(1, 40, size=5_000).astype(float)
    frequency = np.minimum(rng.poisson(1.2, size=age.size), age).astype(float)
    recency = np.where(frequency > 0, np.floor(rng.random(age.size) * age), 0.0)
    monetary = np.where(frequency > 0, np.round(rng.gamma(3.0, 8.0, size=age.size)), np.nan)
    distinct, counts = optimise.distinct_rows(frequency, recency, age)
    assert len(distinct[0]) < age.size / 2 and counts.sum() == age.size

    fit = bgnbd.fit_bgnbd(frequency, recency, age)
    per_customer = bgnbd.log_likelihood(fit.params, frequency, recency, age)
    assert fit.log_likelihood == pytest.approx(per_customer, rel=1e-12)
    spend = gamma_gamma.fit_gamma_gamma(frequency, monetary)
    assert spend.log_likelihood == pytest.approx(
        gamma_gamma.log_likelihood(spend.params, frequency, monetary), rel=1e-12
    )

    order = rng.permutation(age.size)
    shuffled = bgnbd.fit_bgnbd(frequency[order], recency[order], age[order])
    assert shuffled.params == fit.params
    assert gamma_gamma.fit_gamma_gamma(frequency[order], monetary[order]).params == spend.params


def test_gamma_gamma_recovers_known_parameters(simulated: pd.DataFrame) -> None:
    fit = gamma_gamma.fit_gamma_gamma(simulated["frequency"], simulated["monetary_value"])
    assert fit.params.p == pytest.approx(TRUE_GAMMA_GAMMA.p, rel=0.20)
    assert fit.params.q == pytest.approx(TRUE_GAMMA_GAMMA.q, rel=0.20)
    assert fit.params.gamma == pytest.approx(TRUE_GAMMA_GAMMA.gamma, rel=0.20)
    # The conditional mean is closer to each customer's true mean than their own
    # noisy average is (shrinkage works), among repeat customers.
    repeat = simulated[simulated["frequency"] > 0]
    predicted = gamma_gamma.expected_average_value(
        fit.params, repeat["frequency"], repeat["monetary_value"]
    )
    shrunk = np.mean((predicted - repeat["true_mean_value"]) ** 2)
    raw = np.mean((repeat["monetary_value"] - repeat["true_mean_value"]) ** 2)
    assert shrunk < raw


def test_holdout_predictions_are_calibrated_on_simulated_customers(
    simulated: pd.DataFrame, simulated_fit: bgnbd.BgNbdFit
) -> None:
    predicted = bgnbd.expected_purchases(
        simulated_fit.params, 39.0, simulated["frequency"], simulated["recency"], simulated["age"]
    )
    actual = simulated["holdout_purchases"]
    assert predicted.sum() == pytest.approx(actual.sum(), rel=0.05)
    groups = simulated["frequency"].clip(upper=7)
    by_group = (
        pd.DataFrame({"group": groups, "predicted": predicted, "actual": actual})
        .groupby("group")[["predicted", "actual"]]
        .sum()
    )
    assert len(by_group) == 8
    for group, row in by_group.iterrows():
        assert row["predicted"] == pytest.approx(row["actual"], rel=0.15), f"frequency {group}"


GENERATED_START = date(2026, 1, 1)
CALIBRATION_DAYS = 160
HOLDOUT_DAYS = 80


@pytest.fixture(scope="module")
def generated_purchases(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    root = tmp_path_factory.mktemp("clv_generated")
    generate_demo_data(
        root / "landing",
        root / "truth",
        persons=1500,
        days=CALIBRATION_DAYS + HOLDOUT_DAYS,
        start_date=GENERATED_START,
        seed=42,
    )
    return pd.read_csv(Path(root / "truth" / "purchases.csv"))


def test_holdout_predictions_are_calibrated_on_generated_purchases(
    generated_purchases: pd.DataFrame,
) -> None:
    """Fit on the first 160 days of the generator's ground-truth purchases,
    predict the 80 days after. The generator does not draw from BG/NBD, so the
    bar is lower than on simulated data: the aggregate within 15%, predictions
    ordered like the actual purchases across frequency groups, and a rank
    correlation per customer of at least 0.5."""
    calibration_end = GENERATED_START + timedelta(days=CALIBRATION_DAYS - 1)
    holdout_end = calibration_end + timedelta(days=HOLDOUT_DAYS)
    calibration, holdout, horizon = summary.calibration_holdout(
        generated_purchases,
        calibration_end,
        holdout_end,
        customer="person_id",
        amount="net_amount",
        time_unit_days=1.0,
    )
    assert len(calibration) > 200
    assert holdout.sum() > 300
    fit = bgnbd.fit_bgnbd(calibration["frequency"], calibration["recency"], calibration["age"])
    predicted = bgnbd.expected_purchases(
        fit.params, horizon, calibration["frequency"], calibration["recency"], calibration["age"]
    )
    assert predicted.sum() == pytest.approx(holdout.sum(), rel=0.15)
    frame = pd.DataFrame(
        {
            "group": pd.cut(calibration["frequency"], [-1, 0, 2, 5, np.inf], labels=False),
            "predicted": predicted,
            "actual": holdout.to_numpy(),
        }
    )
    means = frame.groupby("group")[["predicted", "actual"]].mean()
    assert means["predicted"].is_monotonic_increasing
    assert means["actual"].is_monotonic_increasing
    assert frame["predicted"].corr(frame["actual"], method="spearman") >= 0.5


def test_summary_by_hand() -> None:
    purchases = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "b"],
            "purchased_at": [
                "2026-01-01T09:00:00Z",
                "2026-01-01T17:00:00Z",  # same day: one purchase day
                "2026-01-15T10:00:00Z",
                "2026-01-20T10:00:00Z",  # a return after the first day
                "2026-01-10T10:00:00Z",
            ],
            "amount": [10.0, 5.0, 40.0, -8.0, 25.0],
        }
    )
    result = summary.summarise_purchases(purchases, "2026-01-29", time_unit_days=7.0)
    assert result.loc["a", "frequency"] == 1
    assert result.loc["a", "recency"] == pytest.approx(14 / 7)
    assert result.loc["a", "age"] == pytest.approx(28 / 7)
    assert result.loc["a", "monetary_value"] == pytest.approx(32.0)  # (40 - 8) / 1
    assert result.loc["b", "frequency"] == 0
    assert result.loc["b", "age"] == pytest.approx(19 / 7)
    assert np.isnan(result.loc["b", "monetary_value"])


def _warehouse_summary(n: int, n_repeat: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    x = np.zeros(n)
    x[:n_repeat] = rng.integers(1, 6, n_repeat)
    age = rng.integers(60, 200, n).astype(float)
    recency = np.where(x > 0, np.floor(age * rng.uniform(0.2, 1.0, n)), 0.0)
    value = np.where(x > 0, rng.gamma(6.0, 8.0, n), np.nan)
    return pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(n)],
            "repeat_purchase_days": x,
            "recency_days": recency,
            "age_days": age,
            "avg_repeat_purchase_value_eur": value,
        }
    )


def test_model_fits_and_predicts_on_warehouse_columns() -> None:
    frame = _warehouse_summary(400, 150)
    parameters = model.fit_parameters(frame)
    assert parameters["bgnbd_status"] == model.FITTED
    assert parameters["gamma_gamma_status"] == model.FITTED
    predictions = model.predict(frame, parameters, 365.0)
    assert list(predictions.columns) == model.PREDICTION_COLUMNS
    assert predictions["customer_id"].tolist() == frame["customer_id"].tolist()
    assert predictions["probability_alive"].between(0, 1).all()
    assert (predictions["predicted_purchases"] >= 0).all()
    np.testing.assert_allclose(
        predictions["predicted_clv_eur"],
        predictions["predicted_purchases"] * predictions["predicted_avg_order_value_eur"],
    )


def test_the_fit_does_not_depend_on_the_order_of_customers() -> None:
    """An incremental and a full build return the same customers in other orders;
    the fitted parameters must be the same to the last bit."""
    frame = _warehouse_summary(400, 150)
    shuffled = frame.sample(frac=1.0, random_state=3).reset_index(drop=True)
    assert not shuffled["customer_id"].equals(frame["customer_id"])
    assert model.fit_parameters(shuffled) == model.fit_parameters(frame)


def test_model_says_why_it_did_not_fit_and_predicts_nulls() -> None:
    too_few = model.fit_parameters(_warehouse_summary(10, 5))
    assert too_few["bgnbd_status"] == "too few customers (10 < 20)"
    nobody = model.fit_parameters(_warehouse_summary(0, 0))
    assert nobody["bgnbd_status"] == "too few customers (0 < 20)"
    assert len(model.predict(_warehouse_summary(0, 0), nobody, 365.0)) == 0
    no_repeat = model.fit_parameters(_warehouse_summary(50, 0))
    assert no_repeat["bgnbd_status"] == "too few repeat customers (0 < 5)"
    assert no_repeat["gamma_gamma_status"].startswith("too few repeat customers")
    short = _warehouse_summary(100, 40)
    short["age_days"] = short["age_days"] % 30
    short["recency_days"] = np.minimum(short["recency_days"], short["age_days"])
    too_short = model.fit_parameters(short)
    assert too_short["bgnbd_status"] == "history too short (29 < 60 days)"
    assert too_short["gamma_gamma_status"] == model.FITTED  # spend needs no history
    predictions = model.predict(_warehouse_summary(50, 0), no_repeat, 365.0)
    assert len(predictions) == 50
    assert predictions.drop(columns="customer_id").isna().all().all()


def test_expected_purchases_without_dropout_tend_to_the_nbd() -> None:
    """A fit on data without visible dropout runs to a -> 0, b -> infinity; the
    prediction must then be the NBD's (r + x) t / (alpha + T), not noise."""
    params = bgnbd.BgNbdParams(r=0.6, alpha=3.2, a=1e-27, b=7e16)
    x, t_x, big_t = np.array([0.0, 3.0, 12.0]), np.array([0.0, 40.0, 100.0]), np.full(3, 120.0)
    expected = bgnbd.expected_purchases(params, 80.0, x, t_x, big_t)
    np.testing.assert_allclose(expected, (0.6 + x) * 80.0 / (3.2 + 120.0), rtol=1e-6)


def test_invalid_summaries_are_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match=r"recency must lie in \[0, age\]"):
        bgnbd.fit_bgnbd([1, 0], [5.0, 0.0], [4.0, 3.0])
    with pytest.raises(ValueError, match="without repeat purchases must have recency 0"):
        bgnbd.fit_bgnbd([0, 1], [2.0, 1.0], [4.0, 3.0])
    with pytest.raises(ValueError, match="not identified"):
        bgnbd.fit_bgnbd([0, 0], [0.0, 0.0], [4.0, 3.0])
    with pytest.raises(ValueError, match="fewer than 2 repeat customers"):
        gamma_gamma.fit_gamma_gamma([1, 0, 3], [-5.0, 0.0, 0.0])

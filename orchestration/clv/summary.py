"""Per-customer RFM summaries from purchase records, and calibration/holdout
splits, the way the warehouse summarises them (int_customer_purchase_summary):
time in whole days, several purchases on one day count as one purchase day,
returns (negative amounts) count towards spend but are not purchases.
"""

from datetime import date, datetime

import pandas as pd

SUMMARY_COLUMNS = ["frequency", "recency", "age", "monetary_value", "first_day", "last_day"]


def _day(values: pd.Series) -> pd.Series:
    """UTC day of each timestamp (naive timestamps are taken as UTC)."""
    return pd.to_datetime(values, utc=True).dt.tz_convert(None).dt.normalize()


def _end_day(value: date | datetime | str) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.normalize()


def summarise_purchases(
    purchases: pd.DataFrame,
    observation_end: date | datetime | str,
    *,
    customer: str = "customer_id",
    at: str = "purchased_at",
    amount: str = "amount",
    time_unit_days: float = 7.0,
) -> pd.DataFrame:
    """One row per customer with a purchase on or before ``observation_end``
    (a day, inclusive): ``frequency`` (purchase days after the first),
    ``recency`` (first to last purchase day) and ``age`` (first purchase day to
    ``observation_end``) in units of ``time_unit_days`` days, and
    ``monetary_value``: net spend after the first purchase day / frequency
    (NaN without repeat purchases).

    A row is a purchase when its amount is > 0 and a return when it is < 0.
    """
    end = _end_day(observation_end)
    frame = purchases[[customer, at, amount]].copy()
    frame["day"] = _day(frame[at])
    frame = frame[frame["day"] <= end]
    buys = frame[frame[amount] > 0]
    if buys.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS, index=pd.Index([], name=customer))
    days = buys.groupby(customer)["day"].agg(first_day="min", last_day="max", n_days="nunique")
    frame = frame.merge(days[["first_day"]], left_on=customer, right_index=True, how="inner")
    repeat_spend = frame[frame["day"] > frame["first_day"]].groupby(customer)[amount].sum()
    summary = pd.DataFrame(index=days.index)
    summary["frequency"] = (days["n_days"] - 1).astype(float)
    summary["recency"] = (days["last_day"] - days["first_day"]).dt.days / time_unit_days
    summary["age"] = (end - days["first_day"]).dt.days / time_unit_days
    spend = repeat_spend.reindex(summary.index).fillna(0.0)
    summary["monetary_value"] = (spend / summary["frequency"]).where(summary["frequency"] > 0)
    summary["first_day"] = days["first_day"]
    summary["last_day"] = days["last_day"]
    return summary[SUMMARY_COLUMNS]


def calibration_holdout(
    purchases: pd.DataFrame,
    calibration_end: date | datetime | str,
    holdout_end: date | datetime | str,
    *,
    customer: str = "customer_id",
    at: str = "purchased_at",
    amount: str = "amount",
    time_unit_days: float = 7.0,
) -> tuple[pd.DataFrame, pd.Series, float]:
    """Summaries of the calibration period (up to ``calibration_end``, inclusive),
    the purchase days each of those customers made in the holdout period
    (``calibration_end``, ``holdout_end``], and the holdout length in time units.
    Customers first seen in the holdout are left out, as the model predicts
    only for customers it has seen."""
    calibration = summarise_purchases(
        purchases,
        calibration_end,
        customer=customer,
        at=at,
        amount=amount,
        time_unit_days=time_unit_days,
    )
    start = _end_day(calibration_end)
    end = _end_day(holdout_end)
    days = _day(purchases[at])
    later = purchases[(days > start) & (days <= end) & (purchases[amount] > 0)]
    holdout = (
        later.assign(day=days[later.index])
        .groupby(customer)["day"]
        .nunique()
        .reindex(calibration.index)
        .fillna(0)
        .astype(float)
        .rename("holdout_purchases")
    )
    return calibration, holdout, (end - start).days / time_unit_days

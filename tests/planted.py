"""Seeded tables with planted problems, for the tests of the verdict and the leak screen.

Each table is a plausible business extract with honest columns of moderate strength
and, where named, a leak of a known kind. The leaks are of the classes found in real
extracts: parts that sum to the target, a noisy copy of it, a column recorded after
the outcome, an aggregate the target is computed from, and two leaks of which only one
is obvious.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def _honest(rng: np.random.Generator, rows: int) -> pd.DataFrame:
    """Columns any extract has: a date, a region, a size, a tenure, a score."""
    return pd.DataFrame({
        "order_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(
            np.sort(rng.integers(0, 600, rows)), unit="D"),
        "region": rng.choice(["north", "south", "east", "west"], rows),
        "size": rng.gamma(2.0, 2.0, rows).round(2),
        "tenure_months": rng.integers(1, 72, rows),
        "satisfaction": rng.normal(0, 1, rows).round(3),
    })


def _signal(frame: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """A target signal the honest columns explain in part."""
    region = frame["region"].map({"north": 0.4, "south": -0.2, "east": 0.1, "west": -0.3})
    return (0.5 * np.log1p(frame["size"]) + 0.015 * frame["tenure_months"]
            + 0.6 * frame["satisfaction"] + region + rng.normal(0, 1.0, len(frame)))


def sum_of_parts(rows: int = 3000, seed: int = 0) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Revenue = product revenue + service revenue: the two parts are columns."""
    rng = np.random.default_rng(seed)
    frame = _honest(rng, rows)
    base = np.exp(4 + 0.3 * _signal(frame, rng))
    share = rng.beta(4, 3, rows)
    frame["product_revenue"] = (base * share).round(2)
    frame["service_revenue"] = (base * (1 - share)).round(2)
    frame["revenue"] = frame["product_revenue"] + frame["service_revenue"]
    return frame, {"target": "revenue", "task": "regression", "metric": "mae",
                   "threshold": float(np.mean(np.abs(base - np.median(base)))) * 0.6,
                   "leaks": {"product_revenue", "service_revenue"}}


def noisy_copy(rows: int = 3000, seed: int = 0) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Days to pay, and an 'expected payment date' someone filled in afterwards."""
    rng = np.random.default_rng(seed)
    frame = _honest(rng, rows)
    days = np.clip(30 + 8 * _signal(frame, rng), 1, None)
    noise = rng.normal(0, 1, rows)
    # Correlation 0.97 with the target: a copy with a little noise.
    frame["recorded_days"] = (days + noise * days.std() * np.sqrt(1 / 0.97**2 - 1)).round(1)
    frame["days_to_pay"] = days.round(1)
    return frame, {"target": "days_to_pay", "task": "regression", "metric": "mae",
                   "threshold": float(np.mean(np.abs(days - days.mean()))) * 0.6,
                   "leaks": {"recorded_days"}}


def post_outcome_duration(rows: int = 4000,
                          seed: int = 0) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Whether a customer subscribed, and how long the sales call lasted (known after)."""
    rng = np.random.default_rng(seed)
    frame = _honest(rng, rows)
    subscribed = _signal(frame, rng) + rng.normal(0, 1.5, rows) > 2.2
    # Calls that end in a subscription last longer: the duration is only known after.
    frame["call_duration"] = np.exp(rng.normal(4.8 + 0.9 * subscribed, 0.55)).round(0)
    frame["subscribed"] = np.where(subscribed, "yes", "no")
    return frame, {"target": "subscribed", "task": "binary", "metric": "roc_auc",
                   "threshold": 0.85, "positive_label": "yes",
                   "leaks": {"call_duration"}}


def target_aggregate(rows: int = 3000, seed: int = 0) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A product's average rating, and the vote counts it is computed from."""
    rng = np.random.default_rng(seed)
    frame = _honest(rng, rows)
    quality = 1 / (1 + np.exp(-0.8 * _signal(frame, rng)))
    votes = rng.integers(5, 400, rows)
    stars = np.array([rng.multinomial(v, _star_shares(q)) for v, q in zip(votes, quality,
                                                                           strict=True)])
    for k in range(5):
        frame[f"votes_{k + 1}_star"] = stars[:, k]
    frame["rating"] = (stars * np.arange(1, 6)).sum(axis=1) / votes
    spread = np.mean(np.abs(frame["rating"] - frame["rating"].mean()))
    return frame, {"target": "rating", "task": "regression", "metric": "mae",
                   "threshold": float(spread) * 0.5,
                   "leaks": {f"votes_{k}_star" for k in range(1, 6)}}


def _star_shares(quality: float) -> np.ndarray:
    weights = np.exp(np.arange(5) * (4 * quality - 2))
    return weights / weights.sum()


def two_leaks(rows: int = 4000, seed: int = 0) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Churn with a cancellation reason (obvious) and a refund amount (not obvious)."""
    rng = np.random.default_rng(seed)
    frame = _honest(rng, rows)
    churned = _signal(frame, rng) + rng.normal(0, 1.5, rows) > 2.0
    frame["cancel_reason"] = np.where(churned, rng.choice(["price", "service", "moved"],
                                                          rows), None)
    refunded = np.where(churned, rng.random(rows) < 0.85, rng.random(rows) < 0.04)
    frame["refund_amount"] = np.where(refunded, rng.gamma(2, 30, rows).round(2), 0.0)
    frame["churned"] = np.where(churned, "yes", "no")
    return frame, {"target": "churned", "task": "binary", "metric": "roc_auc",
                   "threshold": 0.85, "positive_label": "yes",
                   "leaks": {"cancel_reason", "refund_amount"}}


def clean(rows: int = 3000, seed: int = 0) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The same kind of extract without a leak: nothing may be named."""
    rng = np.random.default_rng(seed)
    frame = _honest(rng, rows)
    frame["late"] = np.where(_signal(frame, rng) > 1.0, "yes", "no")
    return frame, {"target": "late", "task": "binary", "metric": "roc_auc",
                   "threshold": 0.7, "positive_label": "yes", "leaks": set()}


PLANTED = {"sum_of_parts": sum_of_parts, "noisy_copy": noisy_copy,
           "post_outcome_duration": post_outcome_duration,
           "target_aggregate": target_aggregate, "two_leaks": two_leaks}

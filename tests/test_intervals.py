"""Intervals that hold: seeded simulations of the holdout, and resampling that follows
how rows hang together (groups, periods of time).

The simulations draw many holdouts from a known truth and count how often the 95 %
interval covers it. They use the engine's own interval code end to end.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from mvpgen.evaluation.bootstrap import (
    auc_interval,
    bootstrap,
    metric_estimate,
    metric_statistic,
    resampler_for,
    time_blocks,
    wilson,
)
from mvpgen.metrics import METRICS, Predictions

RESAMPLES = 300


def estimate(name: str, p: Predictions, seed: int) -> tuple[float, float, float]:
    """Return the value and interval the baseline would report for ``p``."""
    resampler, _ = resampler_for(len(p.truth), positives=p.truth
                                 if p.classes == (False, True) else None)
    values = bootstrap({"v": metric_statistic(name, p)}, resampler, RESAMPLES, seed)["v"]
    found = metric_estimate(name, p, METRICS[name].compute(p), values, resampler)
    return found.value, found.low, found.high


def binormal(rng: np.random.Generator, positives: int, negatives: int,
             auc: float) -> Predictions:
    """Scores whose population ROC AUC is ``auc`` (two normal curves, equal spread)."""
    shift = np.sqrt(2) * norm.ppf(auc)
    score = np.r_[rng.normal(shift, 1, positives), rng.normal(0, 1, negatives)]
    truth = np.r_[np.ones(positives, bool), np.zeros(negatives, bool)]
    probability = 1 / (1 + np.exp(-(score - shift / 2)))
    return Predictions(truth, probability >= 0.5, probability, (False, True))


def coverage(draw, name: str, truth_value: float, repetitions: int = 200) -> tuple[float, float]:
    """Return the share of intervals covering the truth, and the share missing optimistically."""
    rng = np.random.default_rng(7)
    covered = optimistic = 0
    better = METRICS[name].higher_is_better
    for repetition in range(repetitions):
        _, low, high = estimate(name, draw(rng), repetition)
        covered += low <= truth_value <= high
        optimistic += (low > truth_value) if better else (high < truth_value)
    return covered / repetitions, optimistic / repetitions


@pytest.mark.slow
def test_roc_auc_intervals_hold_with_20_positives_at_auc_095() -> None:
    covered, optimistic = coverage(lambda rng: binormal(rng, 20, 480, 0.95), "roc_auc", 0.95)
    assert covered >= 0.92
    assert optimistic <= 0.05  # the miss that reads a "met" that is not


@pytest.mark.slow
def test_accuracy_and_recall_intervals_hold() -> None:
    def decisions(rng: np.random.Generator) -> Predictions:
        truth = rng.random(400) < 0.3
        right = rng.random(400) < np.where(truth, 0.7, 0.9)  # recall 0.7, specificity 0.9
        label = np.where(right, truth, ~truth)
        return Predictions(truth, label, label.astype(float), (False, True))

    assert coverage(decisions, "recall", 0.7)[0] >= 0.92
    accuracy = 0.3 * 0.7 + 0.7 * 0.9
    assert coverage(decisions, "accuracy", accuracy)[0] >= 0.92


@pytest.mark.slow
def test_mae_intervals_hold() -> None:
    def errors(rng: np.random.Generator) -> Predictions:
        truth = rng.normal(50, 10, 300)
        return Predictions(truth, truth + rng.laplace(0, 4, 300))

    # The mean absolute value of a Laplace(0, 4) error is 4.
    assert coverage(errors, "mae", 4.0)[0] >= 0.92


@pytest.mark.slow
def test_average_precision_is_bias_corrected_with_few_positives() -> None:
    rng = np.random.default_rng(11)
    big = binormal(rng, 40_000, 1_960_000, 0.9)
    population = METRICS["average_precision"].fast(big)
    raw, corrected = [], []
    for repetition in range(150):
        p = binormal(rng, 20, 980, 0.9)
        raw.append(METRICS["average_precision"].compute(p))
        corrected.append(estimate("average_precision", p, repetition)[0])
    assert np.mean(raw) / population - 1 > 0.03  # it does read high uncorrected
    assert abs(np.mean(corrected) / population - 1) < 0.10


# --- closed forms ----------------------------------------------------------------------------


def test_wilson_intervals_are_the_textbook_ones() -> None:
    # Wilson (1927); the values of Newcombe (1998), table I, example 1 (81 of 263).
    low, high = wilson(81 / 263, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    assert wilson(1.0, 20) == (pytest.approx(0.8389, abs=1e-4), 1.0)


def test_the_auc_interval_reaches_further_below_a_high_value() -> None:
    low, high = auc_interval(0.95, 20, 480)
    assert (round(low, 3), round(high, 3)) == (0.868, 0.981)
    assert 0.95 - low > high - 0.95  # wider on the side where optimism misleads
    assert auc_interval(1.0, 20, 480)[1] == 1.0


# --- resampling units ------------------------------------------------------------------------


def test_a_time_split_resamples_whole_periods() -> None:
    times = pd.Series(pd.date_range("2025-01-01", periods=75 * 24, freq="h"))
    unit, blocks = time_blocks(times)
    # 75 days hold 11 weeks, fewer than 20 blocks: days are the longest period that gives
    # enough.
    assert (unit, len(blocks)) == ("day", 75)
    resampler, note = resampler_for(len(times), times=times)
    assert note is None
    assert (resampler.unit, resampler.count) == ("day", 75)
    assert sorted(np.concatenate(resampler.units)) == list(range(len(times)))


def test_period_blocks_widen_the_interval_of_a_day_level_shock() -> None:
    rng = np.random.default_rng(3)
    days = np.repeat(np.arange(75), 800)
    times = pd.Series(pd.Timestamp("2025-01-01") + pd.to_timedelta(days, unit="D"))
    shock = rng.normal(0, 3, 75)[days]  # each day's errors share a shift
    truth = rng.normal(20, 5, len(days))
    p = Predictions(truth, truth + shock + rng.normal(0, 2, len(days)))
    rows, _ = resampler_for(len(days))
    blocks, _ = resampler_for(len(days), times=times)
    width = {}
    for name, resampler in (("rows", rows), ("blocks", blocks)):
        values = bootstrap({"v": metric_statistic("mae", p)}, resampler, 200, 0)["v"]
        low, high = np.percentile(values, [2.5, 97.5])
        width[name] = high - low
    assert blocks.unit == "day"
    assert width["blocks"] > 4 * width["rows"]


def test_few_groups_fall_back_to_rows_and_say_so() -> None:
    groups = np.repeat(["a", "b", "c"], 10)
    resampler, note = resampler_for(30, groups=groups)
    assert resampler.unit == "row"
    assert note == ("the holdout holds 3 groups, too few to resample; its intervals resample "
                    "rows and are too narrow: treat them as a lower bound")


def test_yes_no_rows_keep_the_number_of_positives_in_every_resample() -> None:
    truth = np.r_[np.ones(7, bool), np.zeros(93, bool)]
    resampler, _ = resampler_for(100, positives=truth)
    rng = np.random.default_rng(0)
    for _ in range(20):
        assert truth[resampler.draw(rng)].sum() == 7

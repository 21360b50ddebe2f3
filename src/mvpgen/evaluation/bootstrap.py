"""Intervals that hold: bootstrap the holdout the way its rows hang together.

Rows of one group, or of one stretch of time, are not independent: resampling them
one by one makes intervals too narrow. So the holdout is resampled in whole groups
when groups were held out, in whole periods of time under a time split (a period
chosen from the holdout's span), and by rows otherwise, keeping the number of
positive cases fixed for a yes/no task. Every contender is scored on the same
resamples, so differences are paired.

Where resampling alone is known to be optimistic, the interval is widened with a
closed-form one that is not: a Wilson-type interval for ROC AUC (Newcombe's, from the
Hanley-McNeil variance), Wilson score intervals for proportions (accuracy, recall,
precision) and Student's t for a mean error (MAE); the reported interval spans both.
With few positives, average precision reads high, so its estimate is bias-corrected by
the bootstrap.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mvpgen.metrics import METRICS, Predictions, from_confusion

if TYPE_CHECKING:
    import pandas as pd

CONFIDENCE = 0.95
_Z = 1.959964
# Fewer positive (or negative) held-out cases than this: ranking metrics are shaky.
FEW_POSITIVES = 50
# Resampling fewer units than this would make an interval out of a handful of values.
MIN_UNITS = 10
# Periods tried for time blocks, longest first: the longest with enough blocks wins.
_PERIODS = (("quarter", "Q"), ("month", "M"), ("week", "W"), ("day", "D"), ("hour", "h"))
MIN_BLOCKS = 20


@dataclass(frozen=True)
class Resampler:
    """How the holdout is resampled: which rows move together, and what is kept fixed."""

    size: int
    unit: str  # row | group | quarter | month | week | day | hour
    units: list[np.ndarray] | None = None  # rows of each unit; None: single rows
    strata: np.ndarray | None = None  # for single rows: resample each stratum apart

    @property
    def count(self) -> int:
        """Return how many units the holdout holds."""
        return self.size if self.units is None else len(self.units)

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        """Return the row positions of one resample."""
        if self.units is not None:
            chosen = rng.integers(0, len(self.units), size=len(self.units))
            return np.concatenate([self.units[i] for i in chosen])
        if self.strata is not None:
            parts = [np.flatnonzero(self.strata == s) for s in (False, True)]
            return np.concatenate([p[rng.integers(0, len(p), size=len(p))] for p in parts
                                   if len(p)])
        return rng.integers(0, self.size, size=self.size)


def resampler_for(size: int, *, groups: np.ndarray | None = None,
                  times: pd.Series | None = None,
                  positives: np.ndarray | None = None) -> tuple[Resampler, str | None]:
    """Return how to resample a holdout of ``size`` rows, and why not otherwise.

    Args:
        size: the number of held-out rows.
        groups: each held-out row's group, when whole groups were held out.
        times: each held-out row's time, under a time split.
        positives: for a yes/no task, which held-out rows are positive.

    Returns:
        The resampler, and a sentence when the rows could not be resampled the way
        they hang together (too few groups or periods), else None.
    """
    note = None
    if groups is not None:
        units = _members(groups)
        if len(units) >= MIN_UNITS:
            return Resampler(size, "group", units), None
        note = (f"the holdout holds {len(units)} groups, too few to resample; its intervals "
                "resample rows and are too narrow: treat them as a lower bound")
    if times is not None:
        blocks = time_blocks(times)
        if blocks is not None:
            unit, units = blocks
            return Resampler(size, unit, units), note
        note = note or ("the holdout spans too few periods of time to resample whole "
                        "periods; its intervals resample rows and may be too narrow")
    strata = positives if positives is not None and positives.any() \
        and not positives.all() else None
    return Resampler(size, "row", None, strata), note


def time_blocks(times: pd.Series) -> tuple[str, list[np.ndarray]] | None:
    """Return the longest calendar period that cuts the holdout into enough blocks.

    Rows without a time form a block of their own. None when even hours give fewer
    than ``MIN_UNITS`` blocks.
    """
    import pandas as pd

    values = pd.to_datetime(pd.Series(times).reset_index(drop=True), errors="coerce")
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_convert(None)
    for unit, code in _PERIODS:
        periods = values.dt.to_period(code).astype(str).where(values.notna(), "(no time)")
        units = _members(periods.to_numpy())
        if len(units) >= MIN_BLOCKS:
            return unit, units
    periods = values.dt.to_period("h").astype(str).where(values.notna(), "(no time)")
    units = _members(periods.to_numpy())
    return ("hour", units) if len(units) >= MIN_UNITS else None


def _members(labels: np.ndarray) -> list[np.ndarray]:
    _, codes = np.unique(np.asarray(labels).astype(str), return_inverse=True)
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    return np.split(order, bounds)


class _LastCounts:
    """How often each row was drawn in the last resample, counted once for all statistics.

    Every statistic of one resample asks the same question of the same rows; the
    resample is kept (so a new one can never be taken for it) with its answer.
    """

    rows: np.ndarray | None = None
    size = 0
    counts: np.ndarray | None = None

    @classmethod
    def of(cls, rows: np.ndarray, size: int) -> np.ndarray:
        if rows is not cls.rows or size != cls.size or cls.counts is None:
            cls.rows, cls.size, cls.counts = rows, size, np.bincount(rows, minlength=size)
        return cls.counts


def drawn_counts(rows: np.ndarray, size: int) -> np.ndarray:
    """Return how often each of ``size`` rows was drawn into ``rows`` (do not modify it)."""
    return _LastCounts.of(rows, size)


def bootstrap(statistics: dict[str, Callable[[np.ndarray], float]], resampler: Resampler,
              count: int, seed: int) -> dict[str, np.ndarray]:
    """Return each statistic on the same ``count`` resamples (drawn one at a time)."""
    rng = np.random.default_rng(seed)
    values: dict[str, list[float]] = {name: [] for name in statistics}
    for _ in range(count):
        rows = resampler.draw(rng)
        for name, statistic in statistics.items():
            values[name].append(statistic(rows))
    return {name: np.array(v, dtype=float) for name, v in values.items()}


def metric_statistic(name: str, p: Predictions) -> Callable[[np.ndarray], float]:
    """Return a function of resampled rows that computes a metric fast."""
    metric = METRICS[name]
    if name in ("average_precision", "roc_auc") and p.classes == (False, True):
        ranked = _Ranked(p.truth, p.score)
        return ranked.average_precision if name == "average_precision" else ranked.roc_auc
    if metric.decides and p.classes:
        decisions = Decisions(p)
        return lambda rows: from_confusion(name, decisions.confusion(rows))
    return lambda rows: metric.fast(p.take(rows))


class Decisions:
    """A classifier's decisions on the holdout, each row coded as (true class, decision).

    A resample's confusion matrix is then one count of codes, with no copy of the
    rows: every decision metric, and the money, follow from it.
    """

    def __init__(self, p: Predictions) -> None:
        if p.classes == (False, True):
            truth, label, self.classes = p.truth.astype(int), p.label.astype(int), 2
        else:
            names, codes = np.unique(np.concatenate([np.asarray(p.truth).astype(str),
                                                     np.asarray(p.label).astype(str)]),
                                     return_inverse=True)
            truth, label, self.classes = codes[:len(p.truth)], codes[len(p.truth):], len(names)
        self.codes = truth * self.classes + label
        self.right = truth * self.classes + truth  # the code of a right decision

    def confusion(self, rows: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Return the confusion matrix of the resample (rows: truth, columns: decision)."""
        codes = self.codes[rows]
        counts = np.bincount(codes, weights=weights, minlength=self.classes**2)
        return counts.reshape(self.classes, self.classes)


class _Ranked:
    """A binary holdout sorted once by score, for ranking metrics without a sort.

    A resample is how often each row was drawn, and the metric a weighted sum in the
    fixed order: the same values as on the resampled rows themselves (tied scores
    counted together), in linear rather than n log n time per resample.
    """

    def __init__(self, truth: np.ndarray, score: np.ndarray) -> None:
        self.order = np.argsort(-score, kind="stable")
        self.truth = np.asarray(truth, dtype=bool)[self.order]
        ordered = score[self.order]
        # Where each run of equal scores starts, in the sorted order.
        self.starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
        self.size = len(score)

    def _weights(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        drawn = drawn_counts(rows, self.size)[self.order].astype(float)
        if len(self.starts) == self.size:  # no tied scores: each run is one row
            hits = drawn * self.truth
            return hits, drawn - hits
        hits = np.add.reduceat(drawn * self.truth, self.starts)
        return hits, np.add.reduceat(drawn, self.starts) - hits  # per run of tied scores

    def average_precision(self, rows: np.ndarray) -> float:
        """Return the resample's average precision."""
        hits, misses = self._weights(rows)
        positives = hits.sum()
        if positives == 0:
            return float("nan")
        true_positives = np.cumsum(hits)
        flagged = true_positives + np.cumsum(misses)
        precision = np.divide(true_positives, flagged, out=np.zeros_like(flagged),
                              where=flagged > 0)
        return float(np.sum(hits / positives * precision))

    def roc_auc(self, rows: np.ndarray) -> float:
        """Return the resample's ROC AUC: ties count half."""
        hits, misses = self._weights(rows)
        positives, negatives = hits.sum(), misses.sum()
        if positives == 0 or negatives == 0:
            return float("nan")
        below = negatives - np.cumsum(misses)  # negatives scored lower than each run
        return float(np.sum(hits * (below + 0.5 * misses)) / (positives * negatives))


def interval(values: np.ndarray) -> list[float]:
    """Return the 95 % percentile interval of bootstrap values (NaNs left out)."""
    values = values[~np.isnan(values)]
    if values.size == 0:
        return [float("nan"), float("nan")]
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return [float(low), float(high)]


@dataclass(frozen=True)
class Estimate:
    """A metric's value on the holdout with its interval, and how both were made."""

    value: float
    low: float
    high: float
    method: str  # e.g. "bootstrap of weeks" or "bootstrap of rows, widened (Wilson)"
    corrected: bool = False  # the value is bias-corrected (average precision, few positives)


def metric_estimate(name: str, p: Predictions, value: float, values: np.ndarray,
                    resampler: Resampler) -> Estimate:
    """Return a metric's value and an interval that holds where rows are few.

    The bootstrap interval, spanned together with a closed-form one where the
    bootstrap is known to be optimistic (see the module's text).
    """
    low, high = interval(values)
    method = f"bootstrap of {resampler.unit}s"
    closed = _closed_form(name, p, value)
    if closed is not None and np.isfinite([low, high]).all():
        low, high = min(low, closed[0]), max(high, closed[1])
        method += f", spanned with {closed[2]}"
    corrected = False
    if name == "average_precision" and np.isfinite(value) and _positives(p) < FEW_POSITIVES:
        shift = float(np.nanmean(values)) - value if np.isfinite(values).any() else 0.0
        value, low, high = (min(max(value - shift, 0.0), 1.0), max(low - shift, 0.0),
                            min(high - shift, 1.0))
        corrected = True
        method += ", bias-corrected for few positives"
    return Estimate(value, low, high, method, corrected)


def _positives(p: Predictions) -> int:
    return int(np.sum(p.truth)) if p.classes == (False, True) else len(p.truth)


def _closed_form(name: str, p: Predictions, value: float) -> tuple[float, float, str] | None:
    """Return a closed-form interval for metrics where resampling is optimistic."""
    if not np.isfinite(value) or len(p.truth) == 0:
        return None
    if name == "roc_auc":
        positives = int(np.sum(p.truth))
        negatives = len(p.truth) - positives
        if min(positives, negatives) == 0:
            return None
        return (*auc_interval(value, positives, negatives), "Newcombe's AUC interval")
    count: int | None = {"accuracy": len(p.truth), "balanced_accuracy": len(p.truth),
             "recall": int(np.sum(p.truth)) if p.classes == (False, True) else 0,
             "precision": int(np.sum(p.label)) if p.classes == (False, True) else 0,
             }.get(name)
    if name in ("recall_at_budget", "precision_at_budget") and p.capacity is not None:
        from mvpgen.metrics import acted_on

        acted = acted_on(p.score, p.capacity)
        count = int(np.sum(p.truth)) if name == "recall_at_budget" else int(acted.sum())
    if name == "mae" and len(p.truth) > 2:
        return (*mean_interval(np.abs(np.asarray(p.truth, float) - np.asarray(p.label, float))),
                "Student's t interval")
    if not count:
        return None
    return (*wilson(value, count), "the Wilson interval")


def mean_interval(values: np.ndarray) -> tuple[float, float]:
    """Return Student's t interval of a mean (an average error, say)."""
    from scipy.stats import t as student

    values = values[np.isfinite(values)]
    half = student.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return float(values.mean() - half), float(values.mean() + half)


def wilson(share: float, count: int) -> tuple[float, float]:
    """Return the Wilson score interval of a share observed on ``count`` cases."""
    z2 = _Z * _Z
    centre = (share + z2 / (2 * count)) / (1 + z2 / count)
    half = _Z * math.sqrt(share * (1 - share) / count + z2 / (4 * count * count)) \
        / (1 + z2 / count)
    return max(centre - half, 0.0), min(centre + half, 1.0)


def auc_interval(auc: float, positives: int, negatives: int) -> tuple[float, float]:
    """Return a Wilson-type interval of ROC AUC (Newcombe 2006, method 5).

    The interval holds the AUC values ``A`` whose own Hanley-McNeil standard error puts
    the observed value within 1.96 of them; near 1 its lower end reaches further down
    than the observed value's own error would, which is what keeps it honest.
    """
    from scipy.optimize import brentq

    def variance(a: float) -> float:
        half = (positives + negatives) / 2 - 1
        q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
        return (a * (1 - a) + half * (q1 - a * a) + half * (q2 - a * a)) \
            / (positives * negatives)

    def gap(a: float) -> float:
        return (auc - a) ** 2 - _Z * _Z * max(variance(a), 0.0)

    tiny, step = 1e-9, 1e-12
    # The observed value itself lies inside (its gap is negative); each end is where
    # the gap turns positive, below and above it.
    below, above = max(auc - step, tiny), min(auc + step, 1 - tiny)
    low = brentq(gap, tiny, below) if gap(tiny) > 0 > gap(below) else 0.0
    high = brentq(gap, above, 1 - tiny) if gap(1 - tiny) > 0 > gap(above) else 1.0
    return float(low), float(high)

"""The metric registry: every offline metric mvpgen knows, in one place.

A :class:`Metric` says which tasks it fits, which way is better, its range, what
guessing scores, from which value on it is too good to be true, and how to compute
it: exactly (scikit-learn, for the reported value) and fast (numpy, for the thousand
bootstrap resamples; the tests hold both to the same values). The names are the ones
``mvp.yaml`` and ``metrics.json`` use.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

TASKS = ("binary", "multiclass", "regression")


@dataclass(frozen=True)
class Predictions:
    """What one contender said about a set of rows.

    For a binary task, ``truth`` and ``label`` are booleans (is it the positive class?)
    and ``score`` the probability of the positive class; for multiclass, ``score`` has
    one column per class in ``classes``; for regression it is None. ``capacity`` is the
    share of cases the business can act on, for the metrics measured at that budget.
    """

    truth: np.ndarray
    label: np.ndarray
    score: np.ndarray | None = None
    classes: tuple[Any, ...] = ()
    capacity: float | None = None

    def take(self, rows: np.ndarray) -> Predictions:
        """Return the predictions for the given row positions (a bootstrap resample)."""
        score = None if self.score is None else self.score[rows]
        return Predictions(self.truth[rows], self.label[rows], score, self.classes,
                           self.capacity)

    def __len__(self) -> int:
        return len(self.truth)


@dataclass(frozen=True)
class Metric:
    """One offline metric.

    Attributes:
        name: the name in ``mvp.yaml`` and ``metrics.json``.
        tasks: the tasks it fits.
        higher_is_better: its direction.
        low, high: its range.
        chance: what guessing scores, where that is a fixed number.
        too_good: a value this good on a business problem usually means a leak; for
            error metrics (lower is better) a share of the no-model error instead.
        decides: computed from decisions (labels), so it moves with the decision
            threshold; otherwise from scores or values.
        words: what it measures, for people.
    """

    name: str
    tasks: tuple[str, ...]
    higher_is_better: bool
    low: float
    high: float
    words: str
    chance: float | None = None
    too_good: float | None = None
    decides: bool = False
    needs_capacity: bool = False

    def threshold_problem(self, threshold: float) -> tuple[str, str] | None:
        """Return why ``threshold`` cannot be this metric's success criterion, and the fix."""
        if not self.low <= threshold <= self.high:
            return (f"{threshold:g} is outside the range of {self.name}",
                    f"choose a value from {self.range_text()}")
        if self.chance is not None and self.higher_is_better and threshold <= self.chance:
            return (f"{threshold:g} is what guessing scores on {self.name}",
                    f"choose a value above {self.chance:g}")
        return None

    def range_text(self) -> str:
        """Return the range in words, e.g. ``0 to 1``."""
        low = "-infinity" if math.isinf(self.low) else f"{self.low:g}"
        high = "infinity" if math.isinf(self.high) else f"{self.high:g}"
        return f"{low} to {high}"

    @property
    def sign(self) -> str:
        """Return ``>=`` or ``<=``: how a value meets a threshold."""
        return ">=" if self.higher_is_better else "<="

    def meets(self, value: float | None, threshold: float) -> bool:
        """Return whether ``value`` reaches ``threshold`` in this metric's direction."""
        if value is None or not np.isfinite(value):
            return False
        return value >= threshold if self.higher_is_better else value <= threshold

    def gain(self, better: float, worse: float) -> float:
        """Return how much ``better`` improves on ``worse``, positive when it does."""
        return better - worse if self.higher_is_better else worse - better

    def compute(self, predictions: Predictions) -> float:
        """Return the metric's value, or NaN where it is undefined (one class only)."""
        from sklearn.exceptions import UndefinedMetricWarning

        with warnings.catch_warnings():
            # "Undefined" (e.g. ROC AUC with one class present) is a NaN here, not a warning;
            # a prediction of a class the rows lack is no reason to warn either.
            warnings.simplefilter("error", UndefinedMetricWarning)
            warnings.filterwarnings("ignore", "y_pred contains classes not in y_true")
            try:
                return float(_exact()[self.name](predictions))
            except (ValueError, UndefinedMetricWarning):
                return float("nan")

    def fast(self, predictions: Predictions) -> float:
        """Return the metric as :meth:`compute` does, with numpy alone.

        The bootstrap computes each metric a thousand times; scikit-learn's input
        checks would cost more than the arithmetic.
        """
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(_FAST[self.name](predictions))


_INF = math.inf
METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("roc_auc", ("binary",), True, 0.0, 1.0, "how well the scores rank the positive "
           "cases above the others", chance=0.5, too_good=0.99),
    Metric("average_precision", ("binary",), True, 0.0, 1.0, "precision averaged over every "
           "recall level", too_good=0.99),
    Metric("accuracy", ("binary", "multiclass"), True, 0.0, 1.0, "the share of decisions "
           "that are right", decides=True),
    Metric("balanced_accuracy", ("binary", "multiclass"), True, 0.0, 1.0, "the share of "
           "each class decided right, averaged over the classes", too_good=0.99, decides=True),
    Metric("precision", ("binary",), True, 0.0, 1.0, "of the cases acted on, the share that "
           "needed it", decides=True),
    Metric("recall", ("binary",), True, 0.0, 1.0, "of the cases that needed action, the share "
           "acted on", decides=True),
    Metric("f1", ("binary",), True, 0.0, 1.0, "the balance of precision and recall",
           too_good=0.99, decides=True),
    Metric("log_loss", ("binary",), False, 0.0, _INF, "how far the predicted chances are "
           "from what happened"),
    Metric("recall_at_budget", ("binary",), True, 0.0, 1.0, "of the cases that needed action, "
           "the share among the ones the business can act on (its capacity)",
           needs_capacity=True),
    Metric("precision_at_budget", ("binary",), True, 0.0, 1.0, "of the cases the business "
           "can act on (its capacity), the share that needed it", needs_capacity=True),
    Metric("f1_macro", ("multiclass",), True, 0.0, 1.0, "the balance of precision and recall, "
           "averaged over the classes", too_good=0.99, decides=True),
    Metric("roc_auc_ovr", ("multiclass",), True, 0.0, 1.0, "how well the scores rank each "
           "class above the others", chance=0.5, too_good=0.995),
    Metric("mae", ("regression",), False, 0.0, _INF, "the typical size of an error, in the "
           "target's units", too_good=0.1),
    Metric("rmse", ("regression",), False, 0.0, _INF, "the size of an error, large ones "
           "weighing more", too_good=0.1),
    Metric("r2", ("regression",), True, -_INF, 1.0, "the share of the target's variation "
           "explained", chance=0.0, too_good=0.99),
    Metric("mape", ("regression",), False, 0.0, _INF, "the typical error as a share of the "
           "actual value", too_good=0.1),
)}


def metrics_for(task: str | None) -> list[str]:
    """Return the names of the metrics that fit ``task``, in a stable order."""
    return [name for name, metric in METRICS.items() if task in metric.tasks]


def reported(task: str, truth: np.ndarray, capacity: float | None = None) -> tuple[str, ...]:
    """Return the metrics reported for a task.

    MAPE only for strictly positive targets, and the capacity metrics only when a
    capacity is known. Pass every target value (not only the holdout's), so the set
    cannot depend on the split.
    """
    names = metrics_for(task)
    if task == "regression" and not (np.asarray(truth, dtype=float) > 0).all():
        names = [n for n in names if n != "mape"]
    if capacity is None:
        names = [n for n in names if not METRICS[n].needs_capacity]
    return tuple(names)


def score(name: str, predictions: Predictions) -> float:
    """Return one metric's exact value, or NaN where it is undefined."""
    return METRICS[name].compute(predictions)


def scores(names: tuple[str, ...], predictions: Predictions) -> dict[str, float]:
    """Return each named metric's exact value."""
    return {name: score(name, predictions) for name in names}


def rounded(value: Any) -> float | None:
    """Return a value for JSON: six decimals, and None for NaN or infinity."""
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), 6)


# --- the fast versions, numpy only -----------------------------------------------------------


def _auc(truth: np.ndarray, score_: np.ndarray) -> float:
    from scipy.stats import rankdata

    positives = truth.sum()
    negatives = len(truth) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    ranks = rankdata(score_)
    return (ranks[truth].sum() - positives * (positives + 1) / 2) / (positives * negatives)


def _average_precision(truth: np.ndarray, score_: np.ndarray) -> float:
    positives = truth.sum()
    if positives == 0:
        return float("nan")
    order = np.argsort(-score_, kind="stable")
    hits = truth[order].astype(float)
    # One step per distinct score: tied rows are counted together, as scikit-learn does.
    _, first = np.unique(-score_[order], return_index=True)
    last = np.append(first[1:], len(order)) - 1
    true_positives = np.cumsum(hits)[last]
    precision = true_positives / (last + 1)
    recall = true_positives / positives
    return float(np.sum(np.diff(np.concatenate([[0.0], recall])) * precision))


def _f1(truth: np.ndarray, label: np.ndarray) -> float:
    tp = np.sum(truth & label)
    wrong = np.sum(truth != label)
    if not (truth.any() or label.any()):
        return np.nan
    return 2 * tp / (2 * tp + wrong) if tp else 0.0


def _balanced_accuracy(truth: np.ndarray, label: np.ndarray) -> float:
    classes = np.unique(truth)
    return float(np.mean([np.mean(label[truth == c] == c) for c in classes]))


def _f1_macro(truth: np.ndarray, label: np.ndarray) -> float:
    classes = np.union1d(np.unique(truth), np.unique(label))
    return float(np.mean([_f1(truth == c, label == c) for c in classes]))


def roc_auc_ovr(truth: np.ndarray, score_: np.ndarray, classes: tuple[Any, ...]) -> float:
    """Return the mean one-vs-rest ROC AUC over the classes present among ``truth``."""
    values = [_auc(truth == c, score_[:, i]) for i, c in enumerate(classes)]
    values = [v for v in values if v == v]
    return float(np.mean(values)) if values else float("nan")


def _log_loss(truth: np.ndarray, score_: np.ndarray) -> float:
    p = np.clip(score_, 1e-15, 1 - 1e-15)
    return float(-np.mean(np.where(truth, np.log(p), np.log(1 - p))))


def _r2(truth: np.ndarray, value: np.ndarray) -> float:
    total = np.sum((truth - truth.mean()) ** 2)
    return float(1 - np.sum((truth - value) ** 2) / total) if total else float("nan")


def acted_on(score_: np.ndarray, capacity: float) -> np.ndarray:
    """Return which cases are acted on when only the ``capacity`` share can be.

    The cases with the highest scores are chosen.

    Ties are broken in a fixed random order (the same for the same number of cases), so
    the count is exact and a policy with one score for every case chooses at random,
    not by the rows' order.
    """
    count = min(len(score_), max(round(capacity * len(score_)), 1))
    shuffle = np.random.default_rng(len(score_)).random(len(score_))
    order = np.lexsort((shuffle, -score_))
    chosen = np.zeros(len(score_), dtype=bool)
    chosen[order[:count]] = True
    return chosen


def _at_budget(p: Predictions, *, recall: bool) -> float:
    if p.capacity is None or len(p.truth) == 0:
        return float("nan")
    acted = acted_on(p.score, p.capacity)
    hits = np.sum(acted & p.truth)
    if recall:
        return hits / np.sum(p.truth) if p.truth.any() else float("nan")
    return hits / np.sum(acted)


def from_confusion(name: str, counts: np.ndarray) -> float:
    """Return a decision metric from a confusion matrix of counts (or weights).

    Rows are the true classes, columns the decisions, in one order of classes; for a
    yes/no task, index 1 is the positive class. The same values as the fast versions
    on the rows themselves: a class absent from the rows plays no part.
    """
    total = counts.sum()
    hits = np.diag(counts)
    actual, decided = counts.sum(axis=1), counts.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if name == "accuracy":
            return float(hits.sum() / total) if total else float("nan")
        if name == "balanced_accuracy":
            present = actual > 0
            return float(np.mean(hits[present] / actual[present])) if present.any() \
                else float("nan")
        # F1 per class: 2 TP / (2 TP + wrong), 0 without a hit, undefined when neither
        # the rows nor the decisions hold the class.
        seen = (actual > 0) | (decided > 0)
        f1 = np.where(hits > 0, 2 * hits / (actual + decided), 0.0)
        if name == "f1_macro":
            return float(np.mean(f1[seen])) if seen.any() else float("nan")
        if name == "f1":
            return float(f1[1]) if seen[1] else float("nan")
        if name == "precision":
            return float(hits[1] / decided[1]) if decided[1] else float("nan")
        if name == "recall":
            return float(hits[1] / actual[1]) if actual[1] else float("nan")
    msg = f"{name} is not a decision metric"
    raise ValueError(msg)


_FAST: dict[str, Callable[[Predictions], float]] = {
    "roc_auc": lambda p: _auc(p.truth, p.score),
    "average_precision": lambda p: _average_precision(p.truth, p.score),
    "accuracy": lambda p: np.mean(p.truth == p.label),
    "balanced_accuracy": lambda p: _balanced_accuracy(p.truth, p.label),
    # Undefined is not zero: with no predicted (or no actual) positive row, precision
    # (or recall) says nothing, and a resample without one must not count as a failure.
    "precision": lambda p: (np.sum(p.truth & p.label) / np.sum(p.label)
                            if p.label.any() else np.nan),
    "recall": lambda p: (np.sum(p.truth & p.label) / np.sum(p.truth)
                         if p.truth.any() else np.nan),
    "f1": lambda p: _f1(p.truth, p.label),
    "log_loss": lambda p: _log_loss(p.truth, p.score),
    "recall_at_budget": lambda p: _at_budget(p, recall=True),
    "precision_at_budget": lambda p: _at_budget(p, recall=False),
    "f1_macro": lambda p: _f1_macro(p.truth, p.label),
    "roc_auc_ovr": lambda p: roc_auc_ovr(p.truth, p.score, p.classes),
    "mae": lambda p: np.mean(np.abs(p.truth - p.label)),
    "rmse": lambda p: np.sqrt(np.mean((p.truth - p.label) ** 2)),
    "r2": lambda p: _r2(p.truth, p.label),
    "mape": lambda p: np.mean(np.abs((p.truth - p.label) / p.truth)),
}


def _by_label(function: Callable[..., float]) -> Callable[[Predictions], float]:
    return lambda p: float(function(p.truth, p.label))


def _by_score(function: Callable[..., float]) -> Callable[[Predictions], float]:
    return lambda p: float(function(p.truth, p.score))


@cache
def _exact() -> dict[str, Callable[[Predictions], float]]:
    from sklearn import metrics as m

    def quiet(function: Callable[..., float]) -> Callable[..., float]:
        # Undefined (no predicted or no actual positive) is NaN, as in the fast path.
        return lambda y, pred: function(y, pred, zero_division=np.nan)

    def average_precision(p: Predictions) -> float:
        return float(m.average_precision_score(p.truth, p.score)) if p.truth.any() else np.nan

    def log_loss(p: Predictions) -> float:
        clipped = np.clip(p.score, 1e-15, 1 - 1e-15)
        return float(m.log_loss(p.truth, clipped, labels=[False, True]))

    def ovr(p: Predictions) -> float:
        # Macro one-vs-rest over the classes present, each by scikit-learn's ROC AUC:
        # a class missing from a holdout leaves the others' average defined.
        values = [m.roc_auc_score(p.truth == c, p.score[:, i])
                  for i, c in enumerate(p.classes) if 0 < np.sum(p.truth == c) < len(p.truth)]
        return float(np.mean(values)) if values else np.nan

    def at_budget(recall: bool) -> Callable[[Predictions], float]:
        def compute(p: Predictions) -> float:
            if p.capacity is None or len(p.truth) == 0:
                return np.nan
            acted = acted_on(p.score, p.capacity)
            if recall:
                return float(m.recall_score(p.truth, acted, zero_division=np.nan))
            return float(m.precision_score(p.truth, acted, zero_division=np.nan))
        return compute

    return {
        "roc_auc": _by_score(m.roc_auc_score),
        "average_precision": average_precision,
        "accuracy": _by_label(m.accuracy_score),
        "balanced_accuracy": _by_label(m.balanced_accuracy_score),
        "precision": _by_label(quiet(m.precision_score)),
        "recall": _by_label(quiet(m.recall_score)),
        "f1": _by_label(quiet(m.f1_score)),
        "log_loss": log_loss,
        "recall_at_budget": at_budget(recall=True),
        "precision_at_budget": at_budget(recall=False),
        "f1_macro": lambda p: float(m.f1_score(p.truth, p.label, average="macro",
                                                zero_division=0.0)),
        "roc_auc_ovr": ovr,
        "mae": _by_label(m.mean_absolute_error),
        "rmse": lambda p: float(np.sqrt(m.mean_squared_error(p.truth, p.label))),
        "r2": _by_label(m.r2_score),
        "mape": lambda p: float(np.mean(np.abs((p.truth - p.label) / p.truth))),
    }

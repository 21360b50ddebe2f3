"""Offline metrics on held-out rows, with bootstrap intervals and paired differences.

Every metric is computed from one :class:`Predictions`: the true values, the predicted
labels or values, and, for classes, the predicted probabilities. The names are the
ones ``mvp.yaml`` and ``metrics.json`` use.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

CONFIDENCE = 0.95
TASK_METRICS = {
    "binary": ("roc_auc", "average_precision", "accuracy", "balanced_accuracy", "precision",
               "recall", "f1", "log_loss"),
    "multiclass": ("accuracy", "balanced_accuracy", "f1_macro", "roc_auc_ovr"),
    "regression": ("mae", "rmse", "r2", "mape"),
}


@dataclass(frozen=True)
class Predictions:
    """What one model said about the held-out rows.

    For a binary task, ``truth`` and ``label`` are booleans (is it the positive class?)
    and ``score`` the probability of the positive class; for multiclass, ``score`` has
    one column per class in ``classes``; for regression it is None.
    """

    truth: np.ndarray
    label: np.ndarray
    score: np.ndarray | None = None
    classes: tuple[Any, ...] = ()

    def take(self, rows: np.ndarray) -> Predictions:
        """Return the predictions for the given row positions (a bootstrap resample)."""
        score = None if self.score is None else self.score[rows]
        return Predictions(self.truth[rows], self.label[rows], score, self.classes)


def metric_names(task: str, truth: np.ndarray) -> tuple[str, ...]:
    """Return the metrics reported for a task; MAPE only for strictly positive targets.

    Pass every target value (not only the holdout's), so the set cannot depend on the
    split.
    """
    names = TASK_METRICS[task]
    if task == "regression" and not (truth > 0).all():
        names = tuple(n for n in names if n != "mape")
    return names


def score(name: str, predictions: Predictions) -> float:
    """Return one metric's value, or NaN where it is undefined (one class only)."""
    from sklearn.exceptions import UndefinedMetricWarning

    with warnings.catch_warnings():
        # "Undefined" (e.g. ROC AUC with one class present) is a NaN here, not a warning;
        # a prediction of a class the holdout lacks is no reason to warn either.
        warnings.simplefilter("error", UndefinedMetricWarning)
        warnings.filterwarnings("ignore", "y_pred contains classes not in y_true")
        try:
            return _functions()[name](predictions)
        except (ValueError, UndefinedMetricWarning):
            return float("nan")


def scores(names: tuple[str, ...], predictions: Predictions) -> dict[str, float]:
    """Return each named metric's value."""
    return {name: score(name, predictions) for name in names}


def rounded(value: Any) -> float | None:
    """Return a value for JSON: six decimals, and None for NaN or infinity."""
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), 6)


def bootstrap(name: str, predictions: dict[str, Predictions], count: int, seed: int,
              groups: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Return each model's metric on the same ``count`` bootstrap resamples of the holdout.

    Scoring every model on the same resamples lets their values be subtracted resample
    by resample: a paired comparison. With ``groups`` (one label per holdout row) whole
    groups are resampled, as whole groups were held out; rows of a group are not
    independent, and resampling them one by one would make the intervals too narrow.
    Resamples are drawn one at a time, so a large holdout needs no resample matrix.
    """
    rng = np.random.default_rng(seed)
    size = len(next(iter(predictions.values())).truth)
    members = None
    if groups is not None:
        names, codes = np.unique(groups, return_inverse=True)
        members = [np.flatnonzero(codes == i) for i in range(len(names))]
    values: dict[str, list[float]] = {model: [] for model in predictions}
    for _ in range(count):
        if members is None:
            rows = rng.integers(0, size, size=size)
        else:
            chosen = rng.integers(0, len(members), size=len(members))
            rows = np.concatenate([members[i] for i in chosen])
        for model, p in predictions.items():
            values[model].append(resampled_score(name, p.take(rows)))
    return {model: np.array(v) for model, v in values.items()}


def interval(values: np.ndarray) -> list[float]:
    """Return the 95 % percentile interval of bootstrap values.

    For the difference of two models, pass the difference of their values: pairing
    removes what the two share (which rows happened to be held out), so that interval
    is much tighter than two separate intervals suggest.
    """
    return _percentiles(values)


def _percentiles(values: np.ndarray) -> list[float]:
    values = values[~np.isnan(values)]
    if values.size == 0:
        return [float("nan"), float("nan")]
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return [float(low), float(high)]


def resampled_score(name: str, p: Predictions) -> float:
    """Return a metric as :func:`score` does, computed directly with numpy.

    The bootstrap computes each metric a thousand times; scikit-learn's input checks
    would cost more than the arithmetic. The tests hold both versions to the same
    values on random data.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(_FAST[name](p))


def _fast_auc(truth: np.ndarray, score_: np.ndarray) -> float:
    from scipy.stats import rankdata

    positives = truth.sum()
    negatives = len(truth) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    ranks = rankdata(score_)
    return (ranks[truth].sum() - positives * (positives + 1) / 2) / (positives * negatives)


def _fast_average_precision(truth: np.ndarray, score_: np.ndarray) -> float:
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


def _fast_f1(truth: np.ndarray, label: np.ndarray) -> float:
    tp = np.sum(truth & label)
    wrong = np.sum(truth != label)
    if not (truth.any() or label.any()):
        return np.nan
    return 2 * tp / (2 * tp + wrong) if tp else 0.0


def _fast_balanced_accuracy(truth: np.ndarray, label: np.ndarray) -> float:
    classes = np.unique(truth)
    return float(np.mean([np.mean(label[truth == c] == c) for c in classes]))


def _fast_f1_macro(truth: np.ndarray, label: np.ndarray) -> float:
    classes = np.union1d(np.unique(truth), np.unique(label))
    return float(np.mean([_fast_f1(truth == c, label == c) for c in classes]))


def roc_auc_ovr(truth: np.ndarray, score_: np.ndarray, classes: tuple[Any, ...]) -> float:
    """Return the mean one-vs-rest ROC AUC over the classes present among ``truth``."""
    values = [_fast_auc(truth == c, score_[:, i]) for i, c in enumerate(classes)]
    values = [v for v in values if v == v]
    return float(np.mean(values)) if values else float("nan")


def _fast_log_loss(truth: np.ndarray, score_: np.ndarray) -> float:
    p = np.clip(score_, 1e-15, 1 - 1e-15)
    return float(-np.mean(np.where(truth, np.log(p), np.log(1 - p))))


def _fast_r2(truth: np.ndarray, value: np.ndarray) -> float:
    total = np.sum((truth - truth.mean()) ** 2)
    return float(1 - np.sum((truth - value) ** 2) / total) if total else float("nan")


_FAST: dict[str, Callable[[Predictions], float]] = {
    "roc_auc": lambda p: _fast_auc(p.truth, p.score),
    "average_precision": lambda p: _fast_average_precision(p.truth, p.score),
    "accuracy": lambda p: np.mean(p.truth == p.label),
    "balanced_accuracy": lambda p: _fast_balanced_accuracy(p.truth, p.label),
    # Undefined is not zero: with no predicted (or no actual) positive row, precision
    # (or recall) says nothing, and a resample without one must not count as a failure.
    "precision": lambda p: (np.sum(p.truth & p.label) / np.sum(p.label)
                            if p.label.any() else np.nan),
    "recall": lambda p: (np.sum(p.truth & p.label) / np.sum(p.truth)
                         if p.truth.any() else np.nan),
    "f1": lambda p: _fast_f1(p.truth, p.label),
    "log_loss": lambda p: _fast_log_loss(p.truth, p.score),
    "f1_macro": lambda p: _fast_f1_macro(p.truth, p.label),
    "roc_auc_ovr": lambda p: roc_auc_ovr(p.truth, p.score, p.classes),
    "mae": lambda p: np.mean(np.abs(p.truth - p.label)),
    "rmse": lambda p: np.sqrt(np.mean((p.truth - p.label) ** 2)),
    "r2": lambda p: _fast_r2(p.truth, p.label),
    "mape": lambda p: np.mean(np.abs((p.truth - p.label) / p.truth)),
}


def _by_label(function: Callable[..., float]) -> Callable[[Predictions], float]:
    return lambda p: float(function(p.truth, p.label))


def _by_score(function: Callable[..., float]) -> Callable[[Predictions], float]:
    return lambda p: float(function(p.truth, p.score))


@cache
def _functions() -> dict[str, Callable[[Predictions], float]]:
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

    return {
        "roc_auc": _by_score(m.roc_auc_score),
        "average_precision": average_precision,
        "accuracy": _by_label(m.accuracy_score),
        "balanced_accuracy": _by_label(m.balanced_accuracy_score),
        "precision": _by_label(quiet(m.precision_score)),
        "recall": _by_label(quiet(m.recall_score)),
        "f1": _by_label(quiet(m.f1_score)),
        "log_loss": log_loss,
        "f1_macro": lambda p: float(m.f1_score(p.truth, p.label, average="macro",
                                                zero_division=0.0)),
        "roc_auc_ovr": ovr,
        "mae": _by_label(m.mean_absolute_error),
        "rmse": lambda p: float(np.sqrt(m.mean_squared_error(p.truth, p.label))),
        "r2": _by_label(m.r2_score),
        "mape": lambda p: float(np.mean(np.abs((p.truth - p.label) / p.truth))),
    }

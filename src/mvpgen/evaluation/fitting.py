"""Fit contenders and turn them into predictions: folds, decision thresholds, curves.

Classifiers are fitted on the target's own values (``yes``/``no``, not 0/1), so a
saved model predicts what the data says. What the metrics need is derived here: for
a yes/no task, is each row the positive class, and the probability that it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mvpgen.metrics import Predictions

if TYPE_CHECKING:
    import pandas as pd

    from mvpgen.evaluation.split import Folds
    from mvpgen.mapping import Costs

DEFAULT_THRESHOLD = 0.5
LEARNING_MAX_ROWS = 100_000
_GRID = np.round(np.linspace(0.01, 0.99, 99), 2)


@dataclass(frozen=True)
class Target:
    """The target as the models learn it and as the metrics read it."""

    task: str
    values: np.ndarray  # what the models are fitted on: the data's classes, or numbers
    positive: Any = None  # binary: the class the KPI counts
    capacity: float | None = None  # binary: the share of cases the business can act on

    def truth(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Return what the metrics compare against: booleans, class names or numbers."""
        values = self.values[rows]
        if self.task == "binary":
            return values == self.positive
        if self.task == "regression":
            return values.astype(float)
        return values


def predict(model: Any, x: pd.DataFrame, target: Target, rows: np.ndarray | slice,
            threshold: float = DEFAULT_THRESHOLD) -> Predictions:
    """Return a fitted model's predictions for ``x`` (the rows ``rows`` of the target).

    Binary decisions come from ``threshold`` on the probability of the positive class.
    """
    if target.task == "regression":
        return from_output(np.asarray(model.predict(x), dtype=float), (), target, rows)
    return from_output(np.asarray(model.predict_proba(x), dtype=float), tuple(model.classes_),
                       target, rows, threshold)


def from_output(output: np.ndarray, classes: tuple[Any, ...], target: Target,
                rows: np.ndarray | slice, threshold: float = DEFAULT_THRESHOLD) -> Predictions:
    """Return predictions from what a model said: its values, or its class probabilities.

    ``output`` holds one row per row of ``rows``: a number for regression, else one
    probability per class of ``classes`` (the model's ``classes_``, in its order).
    """
    truth = target.truth(rows)
    if target.task == "regression":
        return Predictions(truth, np.asarray(output, dtype=float))
    proba = np.asarray(output, dtype=float)
    classes = tuple(classes)
    if target.task == "binary":
        positive = (proba[:, classes.index(target.positive)] if target.positive in classes
                    else np.zeros(len(proba)))
        return Predictions(truth, positive >= threshold, positive, (False, True),
                           target.capacity)
    return Predictions(truth, np.asarray(classes)[proba.argmax(axis=1)], proba, classes)


def constant(target: Target, rows: np.ndarray, act: bool) -> Predictions:
    """Return the policy that acts on every case (``act``) or on none, for yes/no tasks."""
    truth = target.truth(rows)
    return Predictions(truth, np.full(len(truth), act), np.full(len(truth), float(act)),
                       (False, True), target.capacity)


@dataclass(frozen=True)
class FoldResults:
    """Each cross-validation fold's predictions on the rows it held out."""

    folds: list[Predictions]
    rows: list[np.ndarray]  # the table positions each fold held out

    def summary(self, names: tuple[str, ...], threshold: float) -> dict[str, dict[str, float]]:
        """Return each metric's mean and standard deviation over the folds.

        For binary tasks the labels come from ``threshold``, the one the holdout uses.
        """
        from mvpgen.metrics import scores

        per_fold = [scores(names, _relabel(p, threshold)) for p in self.folds]
        summary = {}
        for name in names:
            values = np.array([f[name] for f in per_fold], dtype=float)
            values = values[np.isfinite(values)]  # a fold where the metric is undefined
            summary[name] = {"mean": float(values.mean()) if values.size else float("nan"),
                             "std": float(values.std()) if values.size else float("nan")}
        return summary

    def out_of_fold(self) -> Predictions | None:
        """Return every held-out row's prediction, the folds put together."""
        if not self.folds:
            return None
        first = self.folds[0]
        truth = np.concatenate([p.truth for p in self.folds])
        label = np.concatenate([p.label for p in self.folds])
        score = (None if first.score is None else
                 np.concatenate([p.score for p in self.folds]))
        return Predictions(truth, label, score, first.classes, first.capacity)


def _relabel(p: Predictions, threshold: float) -> Predictions:
    if p.classes != (False, True):
        return p
    return Predictions(p.truth, p.score >= threshold, p.score, p.classes, p.capacity)


def cross_validate(model: Any, x: pd.DataFrame, target: Target, folds: Folds) -> FoldResults:
    """Fit a fresh copy of ``model`` per fold; preprocessing never sees the fold's test rows.

    ``x`` holds every row of the table; the folds name rows by position.
    """
    from sklearn.base import clone

    out, rows = [], []
    for fit_rows, test_rows in folds.folds:
        if target.task != "regression" and len(np.unique(target.values[fit_rows])) < 2:
            continue  # a fold whose training part holds one class teaches nothing
        fitted = clone(model).fit(x.iloc[fit_rows], target.values[fit_rows])
        out.append(predict(fitted, x.iloc[test_rows], target, test_rows))
        rows.append(test_rows)
    return FoldResults(out, rows)


def cost_per_1000(truth: np.ndarray, acts: np.ndarray, costs: Costs) -> float:
    """Return the expected cost per 1,000 decisions of acting on ``acts``."""
    tp = np.sum(acts & truth)
    fp = np.sum(acts & ~truth)
    fn = np.sum(~acts & truth)
    tn = len(truth) - tp - fp - fn
    total = (costs.of("true_positive") * tp + costs.of("false_positive") * fp
             + costs.of("false_negative") * fn + costs.of("true_negative") * tn)
    return float(1000 * total / len(truth)) if len(truth) else float("nan")


def cheapest_threshold(out_of_fold: Predictions | None, costs: Costs,
                       capacity: float | None = None) -> float:
    """Return the decision threshold with the lowest expected cost on out-of-fold rows.

    Chosen on training folds only: the holdout then shows what the threshold costs on
    rows that played no part in choosing it. With a ``capacity`` (the share of cases the
    business can act on), only thresholds that act on at most that share are candidates:
    a saving that needs more hands than the business has is no saving.
    """
    if out_of_fold is None or len(out_of_fold.truth) == 0:
        return DEFAULT_THRESHOLD  # no fold could be scored: nothing to choose from
    # Every score is a candidate (and 0: act on all; above 1: act on none), so a rare,
    # expensive class can pull the threshold as low as it needs to go.
    candidates = np.unique(np.concatenate([
        [0.0, 1.000001], _GRID, np.quantile(out_of_fold.score, np.linspace(0, 1, 201))]))
    if capacity is not None:
        lowest = capacity_threshold(out_of_fold, capacity)
        candidates = np.unique(np.concatenate([[lowest], candidates[candidates >= lowest]]))
    by_threshold = [cost_per_1000(out_of_fold.truth, out_of_fold.score >= t, costs)
                    for t in candidates]
    return float(np.round(candidates[int(np.argmin(by_threshold))], 6))


def capacity_threshold(out_of_fold: Predictions | None, capacity: float) -> float:
    """Return the threshold that acts on the ``capacity`` share of out-of-fold cases."""
    if out_of_fold is None or len(out_of_fold.truth) == 0:
        return DEFAULT_THRESHOLD
    return float(np.round(np.quantile(out_of_fold.score, 1 - capacity), 6))


def learning_curve(model: Any, x: pd.DataFrame, target: Target, train: np.ndarray,
                   test: np.ndarray, metric: str, *, recent_last: bool, threshold: float,
                   seed: int, whole: Predictions | None = None) -> list[dict[str, Any]]:
    """Return the holdout's metric for models fitted on growing shares of training.

    With a time split ``train`` is in time order and the shares are its most recent
    rows, so each step adds older history, as collecting more would. Each point keeps
    its holdout predictions, so the caller can put an interval around it. ``whole``, the
    holdout predictions of the model already fitted on all of ``train``, is the last
    point when the curve reaches every training row: the curve ends at that score.
    """
    from sklearn.base import clone

    points = []
    order = (np.arange(len(train)) if recent_last
             else np.random.default_rng(seed).permutation(len(train)))
    if len(order) > LEARNING_MAX_ROWS:  # the curve's shape shows long before a million rows
        order = order[-LEARNING_MAX_ROWS:] if recent_last else order[:LEARNING_MAX_ROWS]
    test_x = x.iloc[test]
    for share in (0.25, 0.5, 0.75, 1.0):
        size = max(int(len(order) * share), 2)
        rows = train[order[-size:] if recent_last else order[:size]]
        if target.task != "regression" and len(np.unique(target.values[rows])) < 2:
            continue
        if whole is not None and size == len(train):
            p = whole
        else:
            fitted = clone(model).fit(x.iloc[rows], target.values[rows])
            p = predict(fitted, test_x, target, test, threshold)
        from mvpgen.metrics import score

        points.append({"train_rows": int(size), "value": score(metric, p), "predictions": p})
    return points

"""Turn fitted models into predictions and numbers: folds, thresholds, costs, curves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .scores import Predictions, scores

if TYPE_CHECKING:
    import pandas as pd

    from .config import Costs

DEFAULT_THRESHOLD = 0.5
LEARNING_MAX_ROWS = 200_000
_GRID = np.round(np.linspace(0.01, 0.99, 99), 2)


def predict(model: Any, x: pd.DataFrame, truth: np.ndarray, task: str,
            threshold: float = DEFAULT_THRESHOLD) -> Predictions:
    """Return a fitted model's predictions; binary labels come from ``threshold``."""
    if task == "regression":
        return Predictions(truth.astype(float), np.asarray(model.predict(x), dtype=float))
    proba = model.predict_proba(x)
    classes = tuple(model.classes_)
    if task == "binary":
        positive = proba[:, classes.index(True)] if True in classes else np.zeros(len(x))
        return Predictions(truth, positive >= threshold, positive, (False, True))
    return Predictions(truth, np.asarray(classes, dtype=object)[proba.argmax(axis=1)], proba,
                       classes)


@dataclass(frozen=True)
class FoldResults:
    """Each cross-validation fold's predictions on the rows it held out."""

    folds: list[Predictions]

    def summary(self, names: tuple[str, ...], threshold: float) -> dict[str, dict[str, float]]:
        """Return each metric's mean and standard deviation over the folds.

        For binary tasks the labels come from ``threshold``, the one the holdout uses.
        """
        per_fold = [scores(names, _relabel(p, threshold)) for p in self.folds]
        summary = {}
        for name in names:
            values = np.array([f[name] for f in per_fold], dtype=float)
            values = values[np.isfinite(values)]  # a fold where the metric is undefined
            summary[name] = {"mean": float(values.mean()) if values.size else float("nan"),
                             "std": float(values.std()) if values.size else float("nan")}
        return summary

    def out_of_fold(self) -> Predictions:
        """Return every held-out row's prediction, the folds put together (binary tasks)."""
        if not self.folds:
            return Predictions(np.zeros(0, dtype=bool), np.zeros(0, dtype=bool), np.zeros(0),
                               (False, True))
        truth = np.concatenate([p.truth for p in self.folds])
        score = np.concatenate([p.score for p in self.folds])
        return Predictions(truth, score >= DEFAULT_THRESHOLD, score, (False, True))


def _relabel(p: Predictions, threshold: float) -> Predictions:
    if p.classes != (False, True):
        return p
    return Predictions(p.truth, p.score >= threshold, p.score, p.classes)


def cross_validate(model: Any, x: pd.DataFrame, truth: np.ndarray, task: str, splitter: Any,
                   groups: np.ndarray | None = None) -> FoldResults:
    """Fit a fresh copy of ``model`` per fold; preprocessing never sees the fold's test rows."""
    from sklearn.base import clone

    folds = []
    for fit_rows, test_rows in splitter.split(x, truth, groups):
        if task != "regression" and len(np.unique(truth[fit_rows])) < 2:
            continue  # a fold whose training part holds one class teaches nothing
        fitted = clone(model).fit(x.iloc[fit_rows], truth[fit_rows])
        folds.append(predict(fitted, x.iloc[test_rows], truth[test_rows], task))
    return FoldResults(folds)


def expected_cost(truth: np.ndarray, acts: np.ndarray, costs: Costs) -> float:
    """Return the expected cost per 1,000 decisions of acting on ``acts``."""
    false_positives = np.sum(acts & ~truth)
    false_negatives = np.sum(~acts & truth)
    total = costs.false_positive * false_positives + costs.false_negative * false_negatives
    return float(1000 * total / len(truth))


def cheapest_threshold(out_of_fold: Predictions, costs: Costs) -> float:
    """Return the decision threshold with the lowest expected cost on out-of-fold rows.

    Chosen on training folds only: the holdout then shows what the threshold costs on
    rows that played no part in choosing it.
    """
    if len(out_of_fold.truth) == 0:
        return DEFAULT_THRESHOLD  # no fold could be scored: nothing to choose from
    # Every score is a candidate (and 0: act on all; above 1: act on none), so a rare,
    # expensive class can pull the threshold as low as it needs to go.
    candidates = np.unique(np.concatenate([
        [0.0, 1.000001], _GRID, np.quantile(out_of_fold.score, np.linspace(0, 1, 201))]))
    costs_by_threshold = [expected_cost(out_of_fold.truth, out_of_fold.score >= t, costs)
                          for t in candidates]
    return float(np.round(candidates[int(np.argmin(costs_by_threshold))], 6))


def learning_curve(model: Any, x: pd.DataFrame, truth: np.ndarray, test_x: pd.DataFrame,
                   test_truth: np.ndarray, task: str, metric: str, *, recent_last: bool,
                   threshold: float, seed: int) -> list[dict[str, float]]:
    """Return the holdout's primary metric for models fitted on growing shares of training.

    With a time split the shares are the most recent training rows (``x`` is in time
    order), so each step adds older history, as collecting more would.
    """
    from sklearn.base import clone

    from .scores import score

    points = []
    order = np.arange(len(x)) if recent_last else np.random.default_rng(seed).permutation(len(x))
    if len(order) > LEARNING_MAX_ROWS:  # the curve's shape shows long before a million rows
        order = order[-LEARNING_MAX_ROWS:] if recent_last else order[:LEARNING_MAX_ROWS]
    for share in (0.25, 0.5, 0.75, 1.0):
        size = max(int(len(order) * share), 2)
        rows = order[-size:] if recent_last else order[:size]
        if task != "regression" and len(np.unique(truth[rows])) < 2:
            continue
        fitted = clone(model).fit(x.iloc[rows], truth[rows])
        value = score(metric, predict(fitted, test_x, test_truth, task, threshold))
        points.append({"train_rows": int(size), "value": value})
    return points

"""What a contender relies on, whatever it is.

Permutation importance for every contender, and weights where the model has them.

Permutation importance is model-agnostic: shuffle one input column on a sample of the
holdout and see how much the contender's score drops. Weights (``coef_``) are shown
only for models that have them, named by the preprocessor's output columns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from mvpgen.evaluation.fitting import Target, predict
from mvpgen.metrics import METRICS

if TYPE_CHECKING:
    import pandas as pd

SAMPLE_ROWS = 2_000
MAX_COLUMNS = 40
TOP = 15
SCORED_BY = {"binary": "roc_auc", "multiclass": "balanced_accuracy", "regression": "r2"}


def permutation_importance(model: Any, x: pd.DataFrame, target: Target, rows: np.ndarray, *,
                           seed: int, columns: list[str] | None = None) -> list[dict[str, Any]]:
    """Return each input column's importance: the score lost when it is shuffled.

    Measured on a sample of ``rows`` (holdout rows) with a threshold-free score: ROC AUC,
    balanced accuracy or R². Largest first.
    """
    rng = np.random.default_rng(seed)
    if len(rows) > SAMPLE_ROWS:
        rows = np.sort(rng.choice(rows, SAMPLE_ROWS, replace=False))
    sample = x.iloc[rows]
    metric = METRICS[SCORED_BY[target.task]]
    base = metric.fast(predict(model, sample, target, rows))
    if not np.isfinite(base):
        return []
    out = []
    for column in (columns or list(x.columns))[:MAX_COLUMNS]:
        shuffled = sample.copy()
        shuffled[column] = sample[column].to_numpy()[rng.permutation(len(sample))]
        drop = base - metric.fast(predict(model, shuffled, target, rows))
        out.append({"column": str(column), "importance": round(float(drop), 6)})
    out.sort(key=lambda item: -item["importance"])
    return [item for item in out if item["importance"] != 0][:TOP]


def coefficients(model: Any) -> list[dict[str, Any]]:
    """Return the largest weights of a linear model, by output column; [] for other models."""
    steps = getattr(model, "steps", None)
    final = steps[-1][1] if steps else model
    coef = getattr(final, "coef_", None)
    if coef is None or not steps or len(steps) < 2:
        return []
    try:
        names = model[:-1].get_feature_names_out()
    except (AttributeError, ValueError, TypeError):
        return []
    weights = np.atleast_2d(np.asarray(coef, dtype=float))
    if weights.shape[1] != len(names):
        return []
    size = np.abs(weights).max(axis=0)
    order = np.argsort(-size)[:TOP]
    classes = [str(c) for c in getattr(final, "classes_", [])]
    out = []
    for i in order:
        entry: dict[str, Any] = {"feature": plain_name(str(names[i]))}
        if len(weights) == 1:
            entry["weight"] = round(float(weights[0, i]), 6)
        else:
            entry["weights"] = {c: round(float(w[i]), 6) for c, w in zip(classes, weights,
                                                                          strict=False)}
        out.append(entry)
    return out


def plain_name(name: str) -> str:
    """Drop the step prefix: ``categorical__plan = basic`` becomes ``plan = basic``."""
    rest = name.partition("__")[2] or name
    return rest.replace("missingindicator_", "missing: ")

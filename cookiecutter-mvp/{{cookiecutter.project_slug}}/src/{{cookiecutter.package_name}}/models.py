"""The three contenders: no model at all, the best one-column rule, a linear model.

Each is a scikit-learn Pipeline fitted on the same training rows, so the comparison
is about the models, not about who saw which data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .features import FeaturePlan, preprocessor
from .rules import OneColumnRule

if TYPE_CHECKING:
    import pandas as pd

MODEL_NAMES = ("trivial", "heuristic", "linear")
# The rule is chosen on a sample of the training rows: a one-column cut is stable long
# before a million rows.
RULE_SAMPLE_ROWS = 50_000
# With more usable columns than this, the ones that explain the most alone (a quick
# screen) compete for the rule: cross-validating a thousand columns would take minutes.
MAX_RULE_CANDIDATES = 30
# Metrics that need no decision threshold, in scikit-learn's scoring names.
RULE_CHOICE_METRIC = {"binary": "roc_auc", "multiclass": "balanced_accuracy",
                      "regression": "r2"}


def trivial_model(task: str) -> Any:
    """Return "no model": the class shares (classification) or the mean (regression)."""
    from sklearn.dummy import DummyClassifier, DummyRegressor
    from sklearn.pipeline import Pipeline

    model = DummyRegressor() if task == "regression" else DummyClassifier(strategy="prior")
    return Pipeline([("model", model)])


def linear_model(task: str, plan: FeaturePlan, seed: int) -> Any:
    """Return the linear model behind the table's preprocessing."""
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import Pipeline

    model = (Ridge(alpha=1.0) if task == "regression"
             else LogisticRegression(max_iter=2000, random_state=seed))
    return Pipeline([("features", preprocessor(plan)), ("model", model)])


@dataclass(frozen=True)
class RuleChoice:
    """The chosen rule and how every candidate scored."""

    model: Any
    column: str
    metric: str
    candidates: dict[str, float]


def choose_rule(x: pd.DataFrame, y: np.ndarray, plan: FeaturePlan, task: str,
                seed: int) -> RuleChoice:
    """Return the one-column rule that scores best in cross-validation on training rows.

    Each usable column gets a cut (numbers) or a per-category answer (categories); the
    candidates are compared on held-out folds of the training rows only, by a metric
    that needs no decision threshold.

    Raises:
        ValueError: when no column can carry a rule.
    """
    from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
    from sklearn.pipeline import Pipeline

    rows = np.arange(len(x))
    if len(x) > RULE_SAMPLE_ROWS:
        rows = np.sort(np.random.default_rng(seed).choice(rows, RULE_SAMPLE_ROWS,
                                                          replace=False))
    x_sample, y_sample = x.iloc[rows], y[rows]
    folds = (KFold(3, shuffle=True, random_state=seed) if task == "regression"
             else StratifiedKFold(3, shuffle=True, random_state=seed))
    metric = RULE_CHOICE_METRIC[task]
    kinds = ({c: "numeric" for c in plan.numeric} | {c: "categorical" for c in plan.categorical}
             | {c: "datetime" for c in plan.datetime})
    if len(kinds) > MAX_RULE_CANDIDATES:
        from .screening import strongest

        kinds = {c: kinds[c] for c in strongest(x_sample, y_sample, list(kinds), task,
                                                 MAX_RULE_CANDIDATES)}
    candidates = {}
    for column, kind in kinds.items():
        rule = OneColumnRule(column=column, kind=kind, task=task)
        values = cross_val_score(rule, x_sample, y_sample, cv=folds, scoring=metric,
                                 error_score=np.nan)
        candidates[column] = float(np.nanmean(values)) if np.isfinite(values).any() else -1.0
    if not candidates:
        msg = ("no column can carry a rule: every column was dropped (see dropped_columns); "
               "add a column the target may depend on")
        raise ValueError(msg)
    order = list(kinds)
    best = max(candidates, key=lambda c: (candidates[c], -order.index(c)))
    model = Pipeline([("model", OneColumnRule(column=best, kind=kinds[best], task=task))])
    return RuleChoice(model, best, metric, candidates)

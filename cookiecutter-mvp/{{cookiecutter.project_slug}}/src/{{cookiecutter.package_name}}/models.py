"""The contenders judged against the goal. This file is yours.

Each contender is fitted on the same training rows and judged from its own interval,
beside the policies that need no model at all (mvpgen adds those). Add any
scikit-learn-compatible estimator; reports, the summary and the status call it by its
name. ``features()`` returns a fresh preprocessor for the plan in features.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mvpgen.contenders import Contender, OneColumnRule
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline


def contenders(task: str, features: Callable[[], Any], seed: int) -> list[Contender]:
    """Return the contenders for ``task`` (binary, multiclass or regression)."""
    if task == "regression":
        linear: Any = Ridge(alpha=1.0)
        words = "ridge regression on imputed, scaled and one-hot encoded columns"
    else:
        linear = LogisticRegression(max_iter=2000, random_state=seed)
        words = "logistic regression on imputed, scaled and one-hot encoded columns"
    return [
        Contender("rule", OneColumnRule(task, seed=seed),
                  "the best one-column rule a person could write down", kind="rule"),
        Contender("linear model", make_pipeline(features(), linear), words),
        # Headroom: how much better a flexible model does on the same columns.
        # from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
        # boosting = (HistGradientBoostingRegressor if task == "regression"
        #             else HistGradientBoostingClassifier)(random_state=seed)
        # Contender("gradient boosting", make_pipeline(features(), boosting),
        #           "gradient-boosted trees on the same columns"),
    ]

"""The rule a person could write down: one column, one cut or one answer per category.

It is the honest middle baseline: better than no model, and if a linear model cannot
beat it, the project needs no machine learning yet. It is a scikit-learn estimator, so
it is fitted, scored and saved like the others.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

# A category seen in fewer training rows than this follows the overall answer.
MIN_ROWS = 10


class OneColumnRule(BaseEstimator):
    """Predict from one column: a single cut for numbers, a lookup for categories.

    Args:
        column: the column the rule reads.
        kind: ``numeric`` or ``datetime`` (a cut found by a depth-1 tree), or
            ``categorical`` (one answer per category).
        task: binary, multiclass or regression.
    """

    def __init__(self, column: str = "", kind: str = "numeric", task: str = "binary") -> None:
        self.column = column
        self.kind = kind
        self.task = task

    def __sklearn_tags__(self) -> Any:
        """Say whether this rule classifies or regresses, so scorers treat it right."""
        from sklearn.utils import ClassifierTags, RegressorTags

        tags = super().__sklearn_tags__()
        if self.task == "regression":
            tags.estimator_type, tags.regressor_tags = "regressor", RegressorTags()
        else:
            tags.estimator_type, tags.classifier_tags = "classifier", ClassifierTags()
        return tags

    def fit(self, X: pd.DataFrame, y: Any) -> OneColumnRule:
        """Learn the cut or the per-category answers from the training rows."""
        y = pd.Series(np.asarray(y), index=X.index)
        self.classes_ = None if self.task == "regression" else np.unique(y)
        self.overall_ = self._answer(y)
        if self.kind in ("numeric", "datetime"):
            self._fit_cut(X[self.column], y)
        else:
            keys = X[self.column].astype(object).where(X[self.column].notna(), "(missing)")
            answers = {}
            for key, rows in y.groupby(keys.to_numpy(), sort=True):
                if len(rows) >= MIN_ROWS:
                    answers[key] = self._answer(rows)
            self.answers_ = answers
        return self

    def _numbers(self, x: pd.Series) -> pd.Series:
        """Return the column as floats; dates as days since 1970."""
        if self.kind == "datetime":
            dates = pd.to_datetime(x, errors="coerce")
            if getattr(dates.dt, "tz", None) is not None:
                dates = dates.dt.tz_convert(None)
            return (dates - pd.Timestamp(0)) / pd.Timedelta(days=1)  # any unit, NaT stays NaN
        return pd.to_numeric(x, errors="coerce").astype(float)

    def _fit_cut(self, x: pd.Series, y: pd.Series) -> None:
        from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

        values = self._numbers(x)
        self.fill_ = float(values.median()) if values.notna().any() else 0.0
        tree = (DecisionTreeRegressor(max_depth=1) if self.task == "regression"
                else DecisionTreeClassifier(max_depth=1, min_samples_leaf=MIN_ROWS))
        tree.fit(values.fillna(self.fill_).to_frame(), y)
        if tree.tree_.node_count < 3:
            self.cut_ = float("inf")  # no cut helps: every row gets the overall answer
            self.below_ = self.above_ = self.overall_
            return
        self.cut_ = float(tree.tree_.threshold[0])
        below = values.fillna(self.fill_) <= self.cut_
        self.below_, self.above_ = self._answer(y[below]), self._answer(y[~below])

    def _answer(self, y: pd.Series) -> Any:
        if self.task == "regression":
            return float(y.astype(float).mean())
        counts = y.value_counts(normalize=True)
        return np.array([float(counts.get(c, 0.0)) for c in self.classes_])

    def _answers(self, X: pd.DataFrame) -> np.ndarray:
        """Return each row's answer: one value (regression) or one row of shares."""
        if self.kind in ("numeric", "datetime"):
            values = self._numbers(X[self.column])
            below = (values.fillna(self.fill_) <= self.cut_).to_numpy()
            if self.task == "regression":
                return np.where(below, self.below_, self.above_)
            return np.where(below[:, None], self.below_, self.above_)
        keys = X[self.column].astype(object).where(X[self.column].notna(), "(missing)")
        known = list(self.answers_)
        codes = pd.Categorical(keys, categories=known).codes  # -1: not seen in training
        table = np.array([*self.answers_.values(), self.overall_])
        return table[np.where(codes >= 0, codes, len(known))]

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Return each class's share among the training rows the rule groups a row with."""
        return self._answers(X)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Return the most common class (or the mean) of each row's group."""
        if self.task == "regression":
            return np.asarray(self._answers(X), dtype=float)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def describe(self, target: str, decision: tuple[Any, Any, float] | None = None) -> str:
        """Say the rule in words, as a person would write it down.

        Args:
            target: the target column's name.
            decision: for binary tasks, how the rule decides: (the positive class as
                written in the data, the other class, the decision threshold); each
                group then gets a class and the share of positives behind it.
        """

        def answer(value: Any) -> str:
            if self.task == "regression":
                return f"{target} ≈ {value:,.4g}"
            if decision is not None:
                positive, negative, threshold = decision
                share = value[list(self.classes_).index(True)]
                chosen = positive if share >= threshold else negative
                return f"{target} = {chosen!r} ({share:.0%} are {positive!r})"
            return f"{target} = {self.classes_[int(np.argmax(value))]!r}"

        if self.kind in ("numeric", "datetime"):
            if not np.isfinite(self.cut_):
                return f"whatever {self.column} is: {answer(self.overall_)}"
            cut = (f"{self.cut_:,.4g}" if self.kind == "numeric" else
                   (pd.Timestamp(0) + pd.Timedelta(days=self.cut_)).strftime("%Y-%m-%d"))
            return (f"if {self.column} <= {cut} then {answer(self.below_)}, "
                    f"otherwise {answer(self.above_)}")
        shown = sorted(self.answers_.items(), key=lambda item: str(item[0]))[:6]
        parts = [f"if {self.column} is {key!r} then {answer(value)}" for key, value in shown]
        more = len(self.answers_) - len(shown)
        rest = f"; and so on for {more} more values of {self.column}" if more > 0 else ""
        return "; ".join(parts) + f"{rest}; for any other {answer(self.overall_)}"

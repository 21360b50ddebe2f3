"""The rule a person could write down: one column, one cut or one answer per category.

It is the honest middle contender: better than no model, and if no model can beat it,
the project needs no machine learning yet. It is a scikit-learn estimator, so it is
fitted, cross-validated, scored and saved like any other contender. Left to itself it
chooses its column on the rows it is fitted on (by cross-validation among them), so
its own cross-validation scores the choice too, not only the cut.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

# A category seen in fewer training rows than this follows the overall answer.
MIN_ROWS = 10
CHOICE_FOLDS = 3


class OneColumnRule(BaseEstimator):
    """Predict from one column: a single cut for numbers and dates, a lookup for categories.

    Args:
        task: ``binary``, ``multiclass`` or ``regression``.
        column: the column the rule reads; None to choose the best one when fitted.
        ordered: the rows are in time order, so the choice is made on folds that
            train on earlier rows and test on later ones.
        seed: the seed of the choice's folds and sample.
        max_rows: the choice looks at a sample of at most this many rows (a one-column
            cut is stable long before a million rows).
        max_candidates: with more columns than this, the ones a quick screen finds
            strongest compete (cross-validating a thousand columns would take minutes).
    """

    def __init__(self, task: str = "binary", column: str | None = None, *,
                 ordered: bool = False, seed: int = 0, max_rows: int = 10_000,
                 max_candidates: int = 20) -> None:
        self.task = task
        self.column = column
        self.ordered = ordered
        self.seed = seed
        self.max_rows = max_rows
        self.max_candidates = max_candidates

    def __sklearn_tags__(self) -> Any:
        """Say whether this rule classifies or regresses, so scorers treat it right."""
        from sklearn.utils import ClassifierTags, RegressorTags

        tags = super().__sklearn_tags__()
        if self.task == "regression":
            tags.estimator_type, tags.regressor_tags = "regressor", RegressorTags()
        else:
            tags.estimator_type, tags.classifier_tags = "classifier", ClassifierTags()
        return tags

    # --- fitting ---------------------------------------------------------------------------

    def fit(self, X: pd.DataFrame, y: Any) -> OneColumnRule:
        """Choose the column (unless given), then learn its cut or per-category answers.

        Raises:
            ValueError: when ``X`` has no column to read.
        """
        if X.shape[1] == 0:
            msg = "no column can carry a rule: the plan uses no column"
            raise ValueError(msg)
        # Through a Series, so that a target longer or shorter than X is refused.
        target = _Target.of(pd.Series(np.asarray(y), index=X.index).to_numpy(), self.task)
        self.classes_ = target.classes
        self.candidates_: dict[str, float] = {}
        column = self.column if self.column is not None else self._choose(X, target)
        self.column_, self.kind_ = column, _kind(X[column])
        sizes = self._learn(_Column(X[column], self.kind_), target)
        # How many training rows each group holds, to weigh their shares in words.
        self.group_rows_ = {condition: size for (condition, _), size
                            in zip(self.groups(), sizes, strict=True)}
        return self

    def _learn(self, column: _Column, target: _Target) -> list[int]:
        """Learn the overall answer and the cut or the per-category answers.

        Returns:
            How many rows each group holds, in the order of :meth:`groups`.
        """
        self.overall_ = self._answer(target)
        if self.kind_ == "categorical":
            return self._fit_answers(column, target)
        self._fit_cut(column, target)
        if not np.isfinite(self.cut_):
            return [len(target)]
        return [self.rows_below_, len(target) - self.rows_below_]

    def _choose(self, X: pd.DataFrame, target: _Target) -> str:
        """Return the column whose rule scores best on held-out parts of these rows."""
        rows = np.arange(len(X))
        if len(rows) > self.max_rows:
            rows = (rows[-self.max_rows:] if self.ordered else np.sort(
                np.random.default_rng(self.seed).choice(rows, self.max_rows, replace=False)))
        x, sample = X.iloc[rows], target.take(rows)
        columns = [str(c) for c in X.columns]
        if len(columns) > self.max_candidates:
            from mvpgen.data.screening import strongest

            columns = strongest(x, sample.values, columns, self.task, self.max_candidates)
        folds = list(self._folds(pd.Series(sample.values)))
        for column in columns:
            # The column is read once; the rules of its folds are fitted on its arrays.
            values = _Column(x[column], _kind(x[column]))
            scores = [self._held_out_score(values, sample, fit, test) for fit, test in folds]
            scores = [v for v in scores if np.isfinite(v)]
            self.candidates_[column] = float(np.mean(scores)) if scores else -np.inf
        return max(columns, key=lambda c: (self.candidates_[c], -columns.index(c)))

    def _folds(self, y: pd.Series) -> Any:
        from sklearn.model_selection import KFold, StratifiedKFold, TimeSeriesSplit

        if self.ordered:
            return TimeSeriesSplit(CHOICE_FOLDS).split(np.zeros(len(y)))
        counts = y.value_counts() if self.task != "regression" else None
        if counts is not None and counts.min() >= CHOICE_FOLDS:
            return StratifiedKFold(CHOICE_FOLDS, shuffle=True,
                                   random_state=self.seed).split(np.zeros(len(y)),
                                                                 y.astype(str))
        return KFold(CHOICE_FOLDS, shuffle=True, random_state=self.seed).split(np.zeros(len(y)))

    def _held_out_score(self, column: _Column, target: _Target, fit: np.ndarray,
                        test: np.ndarray) -> float:
        """Return a threshold-free score of the rule on ``column``, on held-out rows.

        ROC AUC, balanced accuracy or R², on the ``test`` rows of a rule fitted on the
        ``fit`` rows.
        """
        from mvpgen.metrics import METRICS, Predictions

        fit_target = target.take(fit)
        if self.task != "regression" and len(fit_target.classes) < 2:
            return float("nan")
        # The rule fit would learn on the fit rows, from the arrays read already.
        rule = OneColumnRule(self.task)
        rule.classes_, rule.kind_ = fit_target.classes, column.kind
        rule._learn(column.take(fit), fit_target)
        answers = rule._answers_of(column.take(test))
        if self.task == "regression":
            return METRICS["r2"].fast(Predictions(target.numbers[test],
                                                  np.asarray(answers, dtype=float)))
        if self.task == "binary" and len(rule.classes_) == 2:
            share = answers[:, 1]
            return METRICS["roc_auc"].fast(Predictions(target.values[test] == rule.classes_[1],
                                                       share >= 0.5, share))
        # Classes are told apart by their text, here as codes in the text's order: the same
        # score as comparing the text, without writing it out for every row.
        names = np.unique(target.classes.astype(str))
        truth = np.searchsorted(names, target.classes.astype(str))[target.codes[test]]
        decided = np.searchsorted(names, rule.classes_.astype(str))
        predicted = decided[np.argmax(answers, axis=1)]
        return METRICS["balanced_accuracy"].fast(Predictions(truth, predicted))

    def _fit_answers(self, column: _Column, target: _Target) -> list[int]:
        """Learn each category's answer; return the groups' sizes, the fallback's last."""
        sizes = np.bincount(column.codes, minlength=len(column.categories))
        kept = np.flatnonzero(sizes >= MIN_ROWS)  # in the categories' sorted order
        if target.classes is None:
            # Each category's rows side by side, in their order: a mean sums them in that
            # order, and another order could change its last digit.
            order = np.argsort(column.codes, kind="stable")
            starts = np.cumsum(sizes) - sizes
            numbers = target.numbers[order]
            answers = [_mean(numbers[starts[g]:starts[g] + sizes[g]]) for g in kept]
        else:
            width = len(target.classes)
            counts = np.bincount(column.codes * width + target.codes,
                                 minlength=len(column.categories) * width)
            counts = counts.reshape(-1, width)
            answers = [counts[g] / sizes[g] for g in kept]
        self.answers_ = {column.categories[g]: answer for g, answer in zip(kept, answers,
                                                                            strict=True)}
        group_sizes = [int(sizes[g]) for g in kept]
        return [*group_sizes, len(target) - sum(group_sizes)]

    def _fit_cut(self, column: _Column, target: _Target) -> None:
        values = column.numbers
        known = ~np.isnan(values)
        # The median of the known values, as pandas' Series.median gives it.
        self.fill_ = float(np.median(values[known])) if known.any() else 0.0
        filled = np.where(known, values, self.fill_)
        regression = target.classes is None
        cut = _best_cut(filled, target.numbers if regression else target.text_codes(),
                        regression=regression, min_rows=MIN_ROWS)
        if cut is None:
            self.cut_ = float("inf")  # no cut helps: every row gets the overall answer
            self.below_ = self.above_ = self.overall_
            return
        self.cut_ = cut
        below = filled <= self.cut_
        self.rows_below_ = int(below.sum())
        self.below_, self.above_ = self._answer(target, below), self._answer(target, ~below)

    def _answer(self, target: _Target, rows: Any = slice(None)) -> Any:
        """Return the mean (regression) or each class's share over these rows."""
        if target.classes is None:
            return _mean(target.numbers[rows])
        codes = target.codes[rows]
        return np.bincount(codes, minlength=len(target.classes)) / len(codes)

    # --- predicting ------------------------------------------------------------------------

    def _answers(self, X: pd.DataFrame) -> np.ndarray:
        """Return each row's answer: one value (regression) or one row of shares."""
        return self._answers_of(_Column(X[self.column_], self.kind_))

    def _answers_of(self, column: _Column) -> np.ndarray:
        """Return each row's answer, from the column as arrays."""
        if self.kind_ != "categorical":
            values = column.numbers
            below = np.where(np.isnan(values), self.fill_, values) <= self.cut_
            if self.task == "regression":
                return np.where(below, self.below_, self.above_)
            return np.where(below[:, None], self.below_, self.above_)
        # A category without an answer of its own (rare or unseen) gets the overall one.
        position = {key: i for i, key in enumerate(self.answers_)}
        slots = np.array([position.get(key, len(position)) for key in column.categories],
                         dtype=np.intp)
        table = np.array([*self.answers_.values(), self.overall_])
        return table[slots[column.codes]]

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Return each class's share among the training rows the rule groups a row with."""
        return self._answers(X)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Return the most common class (or the mean) of each row's group."""
        if self.task == "regression":
            return np.asarray(self._answers(X), dtype=float)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    # --- in words --------------------------------------------------------------------------

    def groups(self) -> list[tuple[str, Any]]:
        """Return the rule's groups as (condition in words, answer), the fallback last."""
        column = self.column_
        if self.kind_ != "categorical":
            if not np.isfinite(self.cut_):
                return [("every row", self.overall_)]
            cut = (f"{self.cut_:,.4g}" if self.kind_ == "numeric" else
                   (pd.Timestamp(0) + pd.Timedelta(days=self.cut_)).strftime("%Y-%m-%d"))
            return [(f"{column} is at most {cut}", self.below_),
                    (f"{column} is above {cut}", self.above_)]
        out = [(f"{column} is {key!r}", value) for key, value in self.answers_.items()]
        return [*out, (f"{column} is anything else", self.overall_)]

    def acts_alike(self, threshold: float) -> str | None:
        """Return ``all`` or ``none`` when every group gets the same binary decision."""
        if self.task != "binary" or len(self.classes_) != 2:
            return None
        decided = {bool(value[1] >= threshold) for _, value in self.groups()}
        if len(decided) > 1:
            return None
        return "all" if decided.pop() else "none"

    def describe(self, target: str, decision: tuple[Any, Any, float] | None = None) -> str:
        """Say the rule in words, as a person would write it down.

        Args:
            target: the target column's name.
            decision: for binary tasks, how the rule decides: (the positive class as
                written in the data, the other class, the decision threshold).
        """
        if decision is not None and self.task == "binary" and len(self.classes_) == 2:
            return self._describe_flags(target, *decision)
        parts = []
        for condition, value in self.groups():
            if self.task == "regression":
                answer = f"{target} ≈ {value:,.4g}"
            else:
                answer = f"{target} = {self.classes_[int(np.argmax(value))]!r}"
            parts.append(f"when {condition}: {answer}")
        shown = parts[:6] + ([f"and {len(parts) - 7} more groups", parts[-1]]
                             if len(parts) > 7 else parts[6:])
        return "Predict " + "; ".join(shown)

    def _describe_flags(self, target: str, positive: Any, negative: Any,
                        threshold: float) -> str:
        """Say a binary rule as whom to flag: the groups that reach the threshold."""
        positive_share = {condition: float(value[1]) for condition, value in self.groups()}
        what = f"{target} = {positive!r}"
        alike = self.acts_alike(threshold)
        overall = float(self.overall_[1])
        if alike == "all":
            return (f"Flag every row (on {self.column_} no group falls below the decision "
                    f"threshold; {overall:.0%} are {what}): the same as acting on all")
        if alike == "none":
            return (f"Flag no row (on {self.column_} no group reaches the decision threshold; "
                    f"{overall:.0%} are {what}): the same as acting on none")
        flagged = [c for c, share in positive_share.items() if share >= threshold]
        others = [c for c in positive_share if c not in flagged]
        flagged_share = _pooled(self, flagged)
        other_share = _pooled(self, others)
        if self.kind_ == "categorical":
            values = [c.split(" is ", 1)[1] for c in flagged if not c.endswith("anything else")]
            rest = next(c for c in positive_share if c.endswith("anything else"))
            # The rest (rare or unseen values) is named only when training rows fell in it.
            fallback = rest in flagged and self.group_rows_.get(rest, 0) > 0
            condition = f"{self.column_} is {_one_of(values)}"
            if fallback or not values:
                kept = [c.split(" is ", 1)[1] for c in others]
                condition = (f"{self.column_} is not {kept[0]}" if len(kept) == 1
                             else f"{self.column_} is none of {_one_of(kept, 'and')}")
        else:
            condition = flagged[0]
        return (f"Flag the rows whose {condition} ({flagged_share:.0%} of them are {what}); "
                f"don't flag the others ({other_share:.0%} are)")


def _one_of(values: list[str], joined_by: str = "or") -> str:
    """Return ``'a'``, ``'a' or 'b'``, ``'a', 'b' or 'c'``; past six, how many more."""
    if len(values) > 6:
        return ", ".join(values[:6]) + f" {joined_by} {len(values) - 6} more"
    if len(values) <= 1:
        return "".join(values)
    return ", ".join(values[:-1]) + f" {joined_by} {values[-1]}"


def best_cut(values: np.ndarray, y: np.ndarray, *, regression: bool,
             min_rows: int) -> float | None:
    """Return the cut of ``values`` that best separates ``y``, as a depth-1 tree would.

    The same split scikit-learn's decision stump finds (Gini impurity for classes, squared
    error for numbers, at least ``min_rows`` rows on each side, the cut halfway between
    two neighbouring values, the first of equally good cuts), searched in one sorted pass:
    the rule is fitted hundreds of times while its column is chosen, and a tree's input
    checks would cost more than the search. None when no cut is possible or none helps.
    """
    if regression:
        return _best_cut(values, y.astype(float), regression=True, min_rows=min_rows)
    _, codes = np.unique(y.astype(str), return_inverse=True)
    return _best_cut(values, codes, regression=False, min_rows=min_rows)


def _best_cut(values: np.ndarray, y: np.ndarray, *, regression: bool,
              min_rows: int) -> float | None:
    """Return :func:`best_cut`'s cut from prepared targets.

    ``y`` holds floats (regression) or class codes 0, 1, ... in the order of the
    classes' text, read once for the many fits of the column choice.
    """
    if len(values) < 2 * min_rows:
        return None
    x = values.astype(np.float32).astype(float)  # the tree's own precision
    # Cuts fall only between distinct values, so the order of tied rows matters only to
    # sums of numbers (rounding); class counts are exact, and a faster sort will do.
    order = np.argsort(x, kind="stable" if regression else "quicksort")
    x = x[order]
    target = y[order][:, None] if regression else np.eye(y.max() + 1)[y[order]]
    total = len(x)
    if not regression and target.sum(axis=0).max() == total:
        return None  # one class only: nothing to separate
    left = np.cumsum(target, axis=0)[:-1]  # sums (numbers) or counts (classes) up to i
    right = left[-1] + target[-1] - left
    n_left = np.arange(1, total, dtype=float)
    n_right = total - n_left
    # What the split keeps: the larger, the purer the two sides (a constant drops out).
    kept = (left**2).sum(axis=1) / n_left + (right**2).sum(axis=1) / n_right
    valid = ((x[1:] > x[:-1] + 1e-7) & (n_left >= min_rows) & (n_right >= min_rows))
    if not valid.any():
        return None
    best = int(np.argmax(np.where(valid, kept, -np.inf)))
    if regression and kept[best] <= (left[-1] + target[-1]).sum() ** 2 / total + 1e-12:
        return None  # squared error no lower on either side: no cut helps
    low, high = x[best], x[best + 1]
    cut = low / 2.0 + high / 2.0
    return float(low if cut == high or not np.isfinite(cut) else cut)


def _pooled(rule: OneColumnRule, conditions: list[str]) -> float:
    """Return the positive share over several groups, weighted by their training rows."""
    counts = getattr(rule, "group_rows_", None)
    shares = {c: float(v[1]) for c, v in rule.groups()}
    if not conditions:
        return float("nan")
    if counts is None:
        return float(np.mean([shares[c] for c in conditions]))
    total = sum(counts.get(c, 0) for c in conditions)
    if total == 0:
        return float(np.mean([shares[c] for c in conditions]))
    return sum(shares[c] * counts.get(c, 0) for c in conditions) / total


@dataclass
class _Target:
    """The target as arrays, read once.

    The rule is fitted hundreds of times while its column is chosen, each time on a
    few thousand rows: pandas' overhead per call would cost more than the counting.
    """

    values: np.ndarray  # as given
    numbers: np.ndarray | None  # as floats, for regression
    classes: np.ndarray | None  # the classes among these rows, sorted; None for regression
    codes: np.ndarray | None  # each row's class, as its position in classes

    @classmethod
    def of(cls, values: np.ndarray, task: str) -> _Target:
        """Read the target: as floats (regression), or as its sorted classes and codes."""
        if task == "regression":
            return cls(values, values.astype(float), None, None)
        if values.dtype != object:
            classes, codes = np.unique(values, return_inverse=True)
            return cls(values, None, classes, codes)
        # Sorting many Python objects is slow: hash them, then sort the distinct ones.
        codes, distinct = pd.factorize(values, use_na_sentinel=False)
        classes, position = np.unique(distinct, return_inverse=True)
        return cls(values, None, classes, position[codes])

    def __len__(self) -> int:
        return len(self.values)

    def take(self, rows: np.ndarray) -> _Target:
        """Return the target of these rows, with only the classes they hold."""
        if self.classes is None:
            return _Target(self.values[rows], self.numbers[rows], None, None)
        codes = self.codes[rows]
        held = np.bincount(codes, minlength=len(self.classes)) > 0
        renumbered = np.cumsum(held) - 1
        return _Target(self.values[rows], None, self.classes[held], renumbered[codes])

    def text_codes(self) -> np.ndarray:
        """Return each row's class as a code in the order of the classes' text."""
        _, by_text = np.unique(self.classes.astype(str), return_inverse=True)
        return by_text[self.codes]


class _Column:
    """The rule's column as arrays: floats for a cut, or category codes for a lookup."""

    def __init__(self, column: pd.Series, kind: str) -> None:
        self.kind = kind
        if kind == "categorical":
            # Sorted (numbers before text when both occur): the answers' order in words.
            self.codes, self.categories = pd.factorize(_keys(column).to_numpy(), sort=True)
        else:
            self.numbers = _numbers(column, kind).to_numpy(dtype=float)

    def take(self, rows: np.ndarray) -> _Column:
        """Return the column's values on these rows."""
        part = copy.copy(self)
        if self.kind == "categorical":
            part.codes = self.codes[rows]
        else:
            part.numbers = self.numbers[rows]
        return part


def _mean(numbers: np.ndarray) -> float:
    """Return the mean of the known numbers, to the last digit as pandas' Series.mean."""
    known = ~np.isnan(numbers)
    if not known.any():
        return float("nan")
    return float(np.sum(np.where(known, numbers, 0.0)) / known.sum())


def _kind(column: pd.Series) -> str:
    if pd.api.types.is_datetime64_any_dtype(column):
        return "datetime"
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return "numeric"
    return "categorical"


def _keys(column: pd.Series) -> pd.Series:
    return column.astype(object).where(column.notna(), "(missing)")


def _numbers(x: pd.Series, kind: str) -> pd.Series:
    """Return the column as floats; dates as days since 1970."""
    if kind == "datetime":
        from mvpgen.features import days_since_epoch

        return days_since_epoch(x)
    return pd.to_numeric(x, errors="coerce").astype(float)

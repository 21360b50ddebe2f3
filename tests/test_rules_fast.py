"""The rule's column choice fits each fold on arrays read once: it must score exactly as
a rule fitted on the fold's rows through fit and predict, and learn what pandas would."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mvpgen.metrics import METRICS, Predictions
from mvpgen.rules import OneColumnRule, _Column, _kind, _Target, best_cut


def table(rows: int = 1500, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Numbers, categories, flags and dates, each with missing values."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=rows)
    number = base + rng.normal(size=rows)
    number[rng.random(rows) < 0.1] = np.nan
    plan = np.where(base > 0.5, "annual", np.where(base < -0.5, "monthly", "two-year"))
    plan = plan.astype(object)
    plan[rng.random(rows) < 0.05] = None
    plan[:6] = "rare"  # too few rows for an answer of its own
    flag = (base > 0).astype(object)
    flag[rng.random(rows) < 0.1] = None
    dates = pd.Series(pd.Timestamp("2022-01-01")
                      + pd.to_timedelta(np.round(base * 90 + rng.normal(0, 30, rows)), "D"))
    dates[rng.random(rows) < 0.1] = pd.NaT
    frame = pd.DataFrame({"number": number, "whole": rng.integers(0, 40, rows),
                          "plan": plan, "flag": flag, "date": dates,
                          "code": [f"c{i}" for i in rng.integers(0, 120, rows)]})
    return frame, base


def targets(base: np.ndarray, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    rows = len(base)
    return {
        "binary": np.where(rng.random(rows) < 1 / (1 + np.exp(-2 * base)), "yes", "no"),
        # Classes whose text sorts otherwise than their values: 10 before 2.
        "multiclass": np.select([base > 1, base > 0, base > -1], [10, 2, 1], 3),
        "regression": 30 + 5 * base + rng.normal(size=rows),
    }


def refitted_score(task: str, x: pd.DataFrame, y: np.ndarray, column: str, fit: np.ndarray,
                   test: np.ndarray) -> float:
    """Score a rule fitted on the fold's rows through the public fit and predict."""
    if task != "regression" and len(np.unique(y[fit])) < 2:
        return float("nan")
    rule = OneColumnRule(task, column).fit(x.iloc[fit], y[fit])
    truth = y[test]
    if task == "regression":
        return METRICS["r2"].fast(Predictions(truth.astype(float), rule.predict(x.iloc[test])))
    if task == "binary" and len(rule.classes_) == 2:
        share = rule.predict_proba(x.iloc[test])[:, 1]
        return METRICS["roc_auc"].fast(Predictions(truth == rule.classes_[1], share >= 0.5,
                                                   share))
    return METRICS["balanced_accuracy"].fast(Predictions(
        truth.astype(str), rule.predict(x.iloc[test]).astype(str)))


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
@pytest.mark.parametrize("ordered", [False, True])
def test_each_fold_scores_exactly_as_a_rule_fitted_on_its_rows(task: str,
                                                               ordered: bool) -> None:
    x, base = table()
    y = targets(base)[task]
    rule = OneColumnRule(task, ordered=ordered, seed=3)
    target = _Target.of(y, task)
    folds = list(rule._folds(pd.Series(y)))
    for column in x.columns:
        values = _Column(x[column], _kind(x[column]))
        for fit, test in folds:
            fast = rule._held_out_score(values, target, fit, test)
            slow = refitted_score(task, x, y, column, fit, test)
            assert fast == slow or (np.isnan(fast) and np.isnan(slow)), (column, fast, slow)


def test_a_fold_with_one_class_is_not_scored() -> None:
    x, _ = table(300)
    late = np.where(np.arange(300) >= 280, "yes", "no")  # only the last rows say yes
    rule = OneColumnRule("binary", ordered=True)
    fit, test = next(iter(rule._folds(pd.Series(late))))
    assert set(late[fit]) == {"no"}
    score = rule._held_out_score(_Column(x["number"], "numeric"), _Target.of(late, "binary"),
                                 fit, test)
    assert np.isnan(score)
    assert OneColumnRule("binary", ordered=True).fit(x, late).column_ in x.columns


def test_the_answers_are_what_pandas_computes_to_the_last_digit() -> None:
    x, base = table(4000, seed=5)
    made = targets(base, seed=5)
    keys = x["plan"].astype(object).where(x["plan"].notna(), "(missing)")
    regression = OneColumnRule("regression", "plan").fit(x, made["regression"])
    y = pd.Series(made["regression"])
    assert list(regression.answers_) == ["(missing)", "annual", "monthly", "two-year"]
    for key, answer in regression.answers_.items():
        assert answer == y[(keys == key).to_numpy()].mean()
    assert regression.overall_ == y.mean()
    assert regression.group_rows_["plan is anything else"] == (keys == "rare").sum()

    binary = OneColumnRule("binary", "plan").fit(x, made["binary"])
    labels = pd.Series(made["binary"])
    for key, answer in binary.answers_.items():
        shares = labels[(keys == key).to_numpy()].value_counts(normalize=True)
        assert answer.tolist() == [shares.get(c, 0.0) for c in binary.classes_]

    cut = OneColumnRule("regression", "number").fit(x, made["regression"])
    assert cut.fill_ == x["number"].median()
    below = x["number"].fillna(cut.fill_) <= cut.cut_
    assert cut.below_ == y[below.to_numpy()].mean()
    assert cut.above_ == y[~below.to_numpy()].mean()


def test_a_cut_between_classes_does_not_depend_on_the_order_of_tied_rows() -> None:
    rng = np.random.default_rng(2)
    for _ in range(20):
        values = np.round(rng.normal(size=3000), 1)  # many ties
        y = rng.choice(["a", "b", "c"], 3000, p=[0.5, 0.3, 0.2])
        y[values > 0.8] = "c"
        cut = best_cut(values, y, regression=False, min_rows=10)
        reordered = rng.permutation(3000)
        assert cut is not None
        assert best_cut(values[reordered], y[reordered], regression=False, min_rows=10) == cut


def test_text_and_object_targets_give_the_same_rule() -> None:
    x, base = table(2000, seed=7)
    y = targets(base, seed=7)["binary"]
    as_text = OneColumnRule("binary", seed=1).fit(x, y)
    as_objects = OneColumnRule("binary", seed=1).fit(x, y.astype(object))
    assert as_text.classes_.tolist() == as_objects.classes_.tolist() == ["no", "yes"]
    assert as_text.candidates_ == as_objects.candidates_
    assert as_text.column_ == as_objects.column_
    assert (as_text.predict_proba(x) == as_objects.predict_proba(x)).all()

"""The metric registry: the fast metrics agree with scikit-learn's, edge cases included."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mvpgen.evaluation.bootstrap import interval
from mvpgen.metrics import (
    METRICS,
    TASKS,
    Predictions,
    acted_on,
    metrics_for,
    reported,
    rounded,
    score,
)

BUDGET = ("recall_at_budget", "precision_at_budget")


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def agree(name: str, case: Predictions) -> None:
    metric = METRICS[name]
    exact, fast = metric.compute(case), metric.fast(case)
    assert same(exact, fast), f"{name}: scikit-learn {exact!r}, numpy {fast!r}"


def binary_cases():
    rng = np.random.default_rng(0)
    truth = rng.random(300) < 0.3
    score_ = np.round(rng.random(300) * 0.6 + truth * 0.4, 2)  # ties on purpose
    ranked = Predictions(truth, score_ >= 0.5, score_, (False, True), capacity=0.2)
    yield ranked
    none = np.zeros(50, dtype=bool)  # no positive row at all
    yield Predictions(none, rng.random(50) > 0.7, rng.random(50), (False, True), capacity=0.2)
    yield Predictions(truth, np.zeros(300, dtype=bool), score_, (False, True), capacity=0.2)
    # What the bootstrap feeds the fast path: a resample, rows repeated.
    yield ranked.take(rng.integers(0, 300, 300))
    # A capacity between two whole cases, and a score that ties at the budget's edge.
    yield Predictions(truth, score_ >= 0.5, np.round(score_, 1), (False, True), capacity=0.137)


def test_every_metric_is_held_to_scikit_learn_by_one_task_or_another():
    assert set(METRICS) == {name for task in TASKS for name in metrics_for(task)}


@pytest.mark.parametrize("case", list(binary_cases()))
@pytest.mark.parametrize("name", metrics_for("binary"))
def test_binary_metrics_agree(case, name):
    agree(name, case)


@pytest.mark.parametrize("case", [c for c in binary_cases() if c.truth.any()])
@pytest.mark.parametrize("name", BUDGET)
def test_the_budget_metrics_are_defined_where_a_capacity_is_given(case, name):
    assert not math.isnan(METRICS[name].compute(case))


def multiclass_cases():
    rng = np.random.default_rng(1)
    classes = ("a", "b", "c", "d")
    proba = rng.dirichlet([1, 1, 1, 1], 200)
    label = np.array(classes, dtype=object)[proba.argmax(axis=1)]
    truth = rng.choice(classes, 200).astype(object)
    yield Predictions(truth, label, proba, classes)
    absent = rng.choice(classes[:3], 200).astype(object)  # class "d" not in the holdout
    yield Predictions(absent, label, proba, classes)


@pytest.mark.parametrize("case", list(multiclass_cases()))
@pytest.mark.parametrize("name", metrics_for("multiclass"))
def test_multiclass_metrics_agree(case, name):
    assert not math.isnan(score(name, case))
    agree(name, case)


@pytest.mark.parametrize("name", metrics_for("regression"))
def test_regression_metrics_agree(name):
    rng = np.random.default_rng(2)
    truth = rng.lognormal(3, 1, 400)
    agree(name, Predictions(truth, truth * rng.normal(1, 0.2, 400)))


def test_no_positive_row_makes_recall_undefined_not_zero():
    case = list(binary_cases())[1]
    assert math.isnan(score("recall", case))
    assert math.isnan(score("recall_at_budget", case))
    values = np.array([0.8, np.nan, 0.9, 0.85])
    assert interval(values) == pytest.approx([0.8025, 0.8975])  # NaN left out


def test_json_values_hold_no_nan_or_infinity():
    assert [rounded(v) for v in (0.1234567, np.nan, np.inf, -np.inf, None)] == [
        0.123457, None, None, None, None]


# --- the capacity metrics --------------------------------------------------------------------


def test_the_budget_metrics_count_the_cases_with_the_highest_scores():
    truth = np.array([1, 0, 1, 0, 0, 0, 0, 0, 0, 1], dtype=bool)
    score_ = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05])
    case = Predictions(truth, score_ >= 0.5, score_, (False, True), capacity=0.3)
    # The top three are acted on: two of them are positive, of three positives in all.
    assert acted_on(score_, 0.3).tolist() == [True] * 3 + [False] * 7
    assert METRICS["recall_at_budget"].compute(case) == pytest.approx(2 / 3)
    assert METRICS["precision_at_budget"].compute(case) == pytest.approx(2 / 3)
    case = Predictions(truth, score_ >= 0.5, score_, (False, True), capacity=0.2)
    assert METRICS["recall_at_budget"].fast(case) == pytest.approx(1 / 3)
    assert METRICS["precision_at_budget"].fast(case) == pytest.approx(1 / 2)


@pytest.mark.parametrize(("capacity", "count"), [(0.2, 200), (0.0001, 1), (1.0, 1000),
                                                 (0.1234, 123)])
def test_acting_on_a_capacity_takes_exactly_that_many_cases(capacity, count):
    score_ = np.random.default_rng(3).random(1000)
    chosen = acted_on(score_, capacity)
    assert chosen.sum() == count
    if count < len(score_):
        assert score_[chosen].min() > score_[~chosen].max()


def test_ties_are_broken_at_random_not_by_row_order_and_the_same_every_time():
    flat = np.full(1000, 0.5)
    chosen = acted_on(flat, 0.1)
    assert chosen.sum() == 100
    assert not chosen[:100].all()
    assert (acted_on(flat, 0.1) == chosen).all()
    edge = acted_on(np.array([0.9, 0.5, 0.5, 0.5, 0.1]), 0.4)
    assert edge[0] and not edge[4]
    assert edge[1:4].sum() == 1


def test_without_a_capacity_the_budget_metrics_are_undefined_and_not_reported():
    case = next(binary_cases())
    bare = Predictions(case.truth, case.label, case.score, case.classes)
    for name in BUDGET:
        assert METRICS[name].needs_capacity
        assert math.isnan(METRICS[name].compute(bare))
        assert math.isnan(METRICS[name].fast(bare))
    assert not set(BUDGET) & set(reported("binary", case.truth))
    assert reported("binary", case.truth, 0.2)[-2:] == BUDGET


def test_a_resample_keeps_the_capacity():
    case = next(binary_cases())
    assert case.take(np.arange(10)).capacity == 0.2


# --- a resample as counts: the same values as the resampled rows themselves ---------------------


@pytest.mark.parametrize("name", ["accuracy", "balanced_accuracy", "precision", "recall", "f1",
                                  "roc_auc", "average_precision", "f1_macro"])
def test_a_resample_counted_scores_like_the_rows_it_draws(name):
    from mvpgen.evaluation.bootstrap import metric_statistic

    rng = np.random.default_rng(11)
    for size in (3, 40, 700):
        for _ in range(20):
            if name == "f1_macro":
                truth = rng.choice(np.array(["a", "b", "c"], dtype=object), size)
                label = rng.choice(np.array(["a", "b"], dtype=object), size)
                p = Predictions(truth, label, None, ("a", "b", "c"))
            else:  # tied scores on purpose: two decimals
                score = rng.uniform(size=size).round(2)
                truth = rng.uniform(size=size) < score
                p = Predictions(truth, score >= 0.5, score, (False, True))
            rows = rng.integers(0, size, size)
            counted = metric_statistic(name, p)(rows)
            copied = METRICS[name].fast(p.take(rows))
            assert (np.isnan(counted) and np.isnan(copied)) or counted == pytest.approx(copied,
                                                                                      abs=1e-12)


def test_people_and_money_on_a_counted_resample_match_the_rows():
    from mvpgen.evaluation.costs import cost_statistic
    from mvpgen.evaluation.defer import defer_statistic, least_sure, with_people
    from mvpgen.evaluation.fitting import cost_per_1000
    from mvpgen.mapping.schema import Costs

    rng = np.random.default_rng(12)
    costs = Costs(false_positive=3, false_negative=7, true_positive=-2, true_negative=0.5)
    for _ in range(50):
        size = int(rng.integers(5, 400))
        score = rng.uniform(size=size)
        truth = rng.uniform(size=size) < score
        p = Predictions(truth, score >= 0.4, score, (False, True))
        rows = rng.integers(0, size, size)
        assert cost_statistic(p, costs)(rows) == pytest.approx(
            cost_per_1000(truth[rows], p.label[rows], costs))
        for metric in ("accuracy", "recall", "precision"):
            sample = p.take(rows)
            people = with_people(sample, 0.25, least_sure(sample, 0.4, metric))
            assert defer_statistic(p, metric, 0.25, 0.4)(rows) == pytest.approx(
                METRICS[metric].fast(people))

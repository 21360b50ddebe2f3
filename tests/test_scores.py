"""The bootstrap's fast metrics agree with scikit-learn's, edge cases included."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mvpgen.template import project_module

scores = project_module("scores")


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def binary_cases():
    rng = np.random.default_rng(0)
    truth = rng.random(300) < 0.3
    score = np.round(rng.random(300) * 0.6 + truth * 0.4, 2)  # ties on purpose
    yield scores.Predictions(truth, score >= 0.5, score, (False, True))
    none = np.zeros(50, dtype=bool)  # no positive row at all
    yield scores.Predictions(none, rng.random(50) > 0.7, rng.random(50), (False, True))
    yield scores.Predictions(truth, np.zeros(300, dtype=bool), score, (False, True))


@pytest.mark.parametrize("case", list(binary_cases()))
@pytest.mark.parametrize("name", scores.TASK_METRICS["binary"])
def test_binary_metrics_agree(case, name):
    assert same(scores.score(name, case), scores.resampled_score(name, case))


def multiclass_cases():
    rng = np.random.default_rng(1)
    classes = ("a", "b", "c", "d")
    proba = rng.dirichlet([1, 1, 1, 1], 200)
    label = np.array(classes, dtype=object)[proba.argmax(axis=1)]
    truth = rng.choice(classes, 200).astype(object)
    yield scores.Predictions(truth, label, proba, classes)
    absent = rng.choice(classes[:3], 200).astype(object)  # class "d" not in the holdout
    yield scores.Predictions(absent, label, proba, classes)


@pytest.mark.parametrize("case", list(multiclass_cases()))
@pytest.mark.parametrize("name", scores.TASK_METRICS["multiclass"])
def test_multiclass_metrics_agree(case, name):
    value = scores.score(name, case)
    assert not math.isnan(value)
    assert same(value, scores.resampled_score(name, case))


@pytest.mark.parametrize("name", scores.TASK_METRICS["regression"])
def test_regression_metrics_agree(name):
    rng = np.random.default_rng(2)
    truth = rng.lognormal(3, 1, 400)
    case = scores.Predictions(truth, truth * rng.normal(1, 0.2, 400))
    assert same(scores.score(name, case), scores.resampled_score(name, case))


def test_no_positive_row_makes_recall_undefined_not_zero():
    case = list(binary_cases())[1]
    assert math.isnan(scores.score("recall", case))
    values = np.array([0.8, np.nan, 0.9, 0.85])
    assert scores.interval(values) == pytest.approx([0.8025, 0.8975])  # NaN left out


def test_json_values_hold_no_nan_or_infinity():
    assert [scores.rounded(v) for v in (0.1234567, np.nan, np.inf, -np.inf, None)] == [
        0.123457, None, None, None, None]

"""Scoring many rows answers exactly as scoring them one step at a time would."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import FixedThresholdClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mvpgen.features import as_text
from mvpgen.steps.predict import new_values, predictions_for, thresholded
from mvpgen.steps.review import _first


def one_row_at_a_time(x: pd.DataFrame, card: dict[str, Any]) -> tuple[np.ndarray, dict]:
    """new_values written as a loop over rows: what the fast one must equal."""
    marks: list[list[str]] = [[] for _ in range(len(x))]
    counts: dict[str, int] = {}
    for column, seen in card.get("categories", {}).items():
        if column not in x.columns or len(seen) >= 1000:
            continue
        new = (~as_text(x[column]).isin(seen) & x[column].notna()).to_numpy()
        counts[column] = int(new.sum())
        for i in np.flatnonzero(new):
            marks[i].append(column)
    for column, (low, high) in card.get("ranges", {}).items():
        if column not in x.columns:
            continue
        numbers = x[column].astype(float).to_numpy()
        outside = np.isfinite(numbers) & ((numbers < low) | (numbers > high))
        counts[column] = counts.get(column, 0) + int(outside.sum())
        for i in np.flatnonzero(outside):
            marks[i].append(column)
    return np.array(["; ".join(m) for m in marks], dtype=object), counts


def frame(rows: int, seed: int, share: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)

    def numbers() -> np.ndarray:
        values = rng.normal(size=rows)
        values[rng.random(rows) < share] = 9.0
        values[rng.random(rows) < share] = np.nan
        values[rng.random(rows) < share / 2] = np.inf
        return values

    def words(seen: list[str]) -> np.ndarray:
        values = rng.choice(seen, rows).astype(object)
        values[rng.random(rows) < share] = "new"
        values[rng.random(rows) < share] = None
        return values

    return pd.DataFrame({"a": numbers(), "plan": words(["x", "y"]), "b": numbers(),
                         "code": rng.integers(0, 5, rows).astype(float),
                         "city": words(["p", "q", "r"]), "many": words(["m"])})


CARD = {"categories": {"city": ["p", "q", "r"], "plan": ["x", "y"], "code": ["0", "1", "2"],
                       "many": [str(i) for i in range(1000)], "absent": ["z"]},
        "ranges": {"b": [-1.0, 1.0], "code": [0.0, 3.0], "a": [-2.0, 2.0],
                   "gone": [0.0, 1.0]}}


@pytest.mark.parametrize(("rows", "seed", "share"),
                         [(0, 0, 0.1), (1, 1, 0.5), (50, 2, 0.0), (3000, 3, 0.02),
                          (3000, 4, 0.3), (2000, 5, 1.0)])
def test_new_values_names_the_same_columns_in_the_same_order(rows: int, seed: int,
                                                             share: float) -> None:
    x = frame(rows, seed, share)
    texts, counts = new_values(x, CARD)
    expected, expected_counts = one_row_at_a_time(x, CARD)
    assert texts.dtype == object and expected.dtype == object
    assert texts.tolist() == expected.tolist()
    assert counts == expected_counts
    assert list(counts) == list(expected_counts)


def test_a_column_in_both_lists_is_named_twice_as_before() -> None:
    x = pd.DataFrame({"code": [1.0, 4.0, 9.0, np.nan], "b": [0.0, 5.0, 5.0, 0.0]})
    texts, counts = new_values(x, CARD)
    assert texts.tolist() == ["", "code; b; code", "code; b; code", ""]
    assert counts == {"code": 4, "b": 2}
    expected, expected_counts = one_row_at_a_time(x, CARD)
    assert (texts.tolist(), counts) == (expected.tolist(), expected_counts)


class Chance(ClassifierMixin, BaseEstimator):
    """A classifier whose probabilities are the first column, in float32 when asked."""

    def __init__(self, dtype: Any = np.float64) -> None:
        self.dtype = dtype

    def fit(self, X: Any, y: Any) -> Chance:
        self.classes_ = np.unique(y)
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        p = np.clip(np.asarray(X, dtype=float)[:, 0], 0, 1).astype(self.dtype)
        return np.column_stack([1 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[(self.predict_proba(X)[:, 1] > 0.5).astype(int)]


def scores(rows: int = 4000) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    p = rng.random(rows)
    # Values on the thresholds themselves, and next to them, in float64 and float32.
    edges = np.array([0.5, 0.3, 0.7, 0.25, 0.9])
    p[:len(edges)] = edges
    p[len(edges):2 * len(edges)] = np.nextafter(edges, 0)
    p[2 * len(edges):3 * len(edges)] = edges.astype(np.float32)
    return pd.DataFrame({"p": p, "noise": rng.normal(size=rows)})


def fitted(estimator: Any, labels: np.ndarray, **options: Any) -> FixedThresholdClassifier:
    x = scores()
    y = labels[(x["p"].to_numpy() > 0.5).astype(int)]
    return FixedThresholdClassifier(FrozenEstimator(estimator.fit(x, y)), **options).fit(x, y)


MODELS = [
    (Chance(), np.array(["no", "yes"]), {"threshold": 0.3, "pos_label": "yes",
                                         "response_method": "predict_proba"}),
    (Chance(), np.array(["no", "yes"]), {"threshold": 0.3, "pos_label": "no",
                                         "response_method": "predict_proba"}),
    (Chance(np.float32), np.array(["no", "yes"]), {"threshold": 0.3, "pos_label": "yes",
                                                    "response_method": "predict_proba"}),
    (Chance(np.float32), np.array([0, 1]), {"threshold": 0.7}),
    (Chance(), np.array([0, 1]), {}),
    (Chance(), np.array([False, True]), {"threshold": 0.25, "pos_label": False}),
    (Chance(), np.array(["a", "b"]), {"threshold": np.float64(0.9), "pos_label": None}),
    (make_pipeline(StandardScaler(), LogisticRegression()), np.array(["no", "yes"]),
     {"threshold": 0.3, "pos_label": "yes", "response_method": "predict_proba"}),
    (make_pipeline(StandardScaler(), LogisticRegression()), np.array(["no", "yes"]),
     {"threshold": 0.3, "pos_label": "no", "response_method": "predict_proba"}),
]


@pytest.mark.parametrize(("estimator", "labels", "options"), MODELS)
def test_the_decision_from_the_probabilities_is_what_predict_answers(
        estimator: Any, labels: np.ndarray, options: dict[str, Any]) -> None:
    model = fitted(estimator, labels, **options)
    x = scores()
    decided = thresholded(model, model.predict_proba(x))
    expected = model.predict(x)
    assert decided is not None
    assert decided.dtype == expected.dtype
    assert decided.tolist() == expected.tolist()


def test_predict_decides_when_the_probabilities_cannot() -> None:
    x = scores()
    labels = np.array(["no", "yes"])
    lr = make_pipeline(StandardScaler(), LogisticRegression())
    by_decision = fitted(lr, labels, threshold=0.0, response_method="decision_function")
    assert thresholded(by_decision, by_decision.predict_proba(x)) is None

    class Mine(FixedThresholdClassifier):
        def predict(self, X: Any) -> np.ndarray:
            return np.full(len(X), "mine")

    y = labels[(x["p"].to_numpy() > 0.5).astype(int)]
    mine = Mine(FrozenEstimator(Chance().fit(x, y)), threshold=0.3).fit(x, y)
    assert thresholded(mine, mine.predict_proba(x)) is None
    plain = Chance().fit(x, y)
    assert thresholded(plain, plain.predict_proba(x)) is None
    card = {"task": "binary", "features": ["p", "noise"], "positive_label": "yes",
            "feature_kinds": {"p": "numeric", "noise": "numeric"}}
    out = predictions_for(mine, card, x, "rows.csv", None)
    assert set(out["prediction"]) == {"mine"}


def test_a_saved_yes_no_model_computes_its_features_once() -> None:
    x = scores()
    model = fitted(make_pipeline(StandardScaler(), LogisticRegression()),
                   np.array(["no", "yes"]), threshold=0.3, pos_label="yes",
                   response_method="predict_proba")
    card = {"task": "binary", "features": ["p", "noise"], "positive_label": "yes",
            "feature_kinds": {"p": "numeric", "noise": "numeric"},
            "ranges": {"noise": [-1.0, 1.0]}}
    calls = []
    scaler = model.estimator_.estimator[0]
    transform = scaler.transform

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return transform(*args, **kwargs)

    scaler.transform = counted
    out = predictions_for(model, card, x, "rows.csv", None)
    assert len(calls) == 1
    assert out["prediction"].tolist() == model.predict(x).tolist()
    proba = model.predict_proba(x)[:, 1]
    assert out["score"].tolist() == np.round(proba, 6).tolist()


@pytest.mark.parametrize("budget", [1, 3, 10, 50, 99, 100, 150])
def test_the_first_rows_are_those_a_full_sort_puts_first(budget: int) -> None:
    rng = np.random.default_rng(budget)
    cases = [rng.random(100), np.round(rng.random(100), 1), np.zeros(100),
             np.where(rng.random(100) < 0.3, np.nan, rng.random(100)),
             np.full(100, np.nan), np.r_[np.zeros(50), -np.zeros(50)], rng.integers(0, 3, 100)]
    for priority in cases:
        expected = np.argsort(-priority, kind="stable")[:budget]
        assert _first(priority, budget).tolist() == expected.tolist()


@pytest.mark.parametrize("task", ["binary", "regression"])
def test_scoring_in_batches_gives_what_one_pass_gives(task: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import mvpgen.steps.predict

    x = scores(4000)
    if task == "binary":
        model: Any = fitted(make_pipeline(StandardScaler(), LogisticRegression()),
                            np.array(["no", "yes"]), threshold=0.3, pos_label="yes",
                            response_method="predict_proba")
    else:
        from sklearn.linear_model import Ridge

        model = make_pipeline(StandardScaler(), Ridge()).fit(x, x["p"] * 3 + x["noise"])
    card = {"task": task, "features": ["p", "noise"], "positive_label": "yes",
            "feature_kinds": {"p": "numeric", "noise": "numeric"},
            "ranges": {"noise": [-1.0, 1.0]}}
    whole = predictions_for(model, card, x, "rows.csv", None)
    monkeypatch.setattr(mvpgen.steps.predict, "BATCH_ROWS", 333)  # 13 batches, the last short
    batched = predictions_for(model, card, x, "rows.csv", None)
    pd.testing.assert_frame_equal(batched, whole)
    assert batched.attrs["unseen"] == whole.attrs["unseen"]
    assert len(batched) == 4000

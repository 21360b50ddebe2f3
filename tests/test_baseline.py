"""The baseline: numbers an expert would get by hand, and honesty about what is wrong."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import scaffold
from sklearn import datasets
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import f1_score, r2_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mvpgen.errors import DataError
from mvpgen.evaluation.baseline import BaselineRun, run_baseline
from mvpgen.project import Project
from mvpgen.store.artifacts import to_json

_PROJECTS = itertools.count()


def run(frame: pd.DataFrame, root: Path, *, metric: str, threshold: float, task: str,
        **extra) -> BaselineRun:
    """Make a project for ``frame`` in a folder of ``root`` and run its baseline."""
    folder = root / f"p{next(_PROJECTS)}"
    folder.mkdir()
    frame.to_csv(folder / "table.csv", index=False)
    technical = {"task": task, "target": extra.pop("target", "target"), "metric": metric,
                 "threshold": threshold, **extra.pop("technical", {})}
    raw = {"project": {"name": "Test"},
           "business": {"requirement": "Triage the cases that need a call", "kpi": "calls",
                        "current": 10, "goal": 5},
           "technical": technical, "data": {"path": "table.csv", **extra.pop("data", {})},
           **extra}
    # The project is made without the data, then given the mapping exactly as written:
    # nothing the generator would infer or refuse, so the baseline's own checks are tested.
    bare = {**raw, "data": {}}
    (folder / "mvp.yaml").write_text(yaml.safe_dump(bare, sort_keys=False), encoding="utf-8")
    made = scaffold(str(folder / "project"), "--mapping", str(folder / "mvp.yaml"),
                    "--no-input", "--allow-findings", "-q")
    assert made.exit_code == 0, made.output
    raw["data"]["path"] = str(folder / "table.csv")
    (folder / "project/mvp.yaml").write_text(yaml.safe_dump(raw, sort_keys=False),
                                             encoding="utf-8")
    return run_baseline(Project.find(folder / "project"))


@pytest.mark.slow
@pytest.mark.parametrize(("loader", "task", "metric", "threshold"), [
    (datasets.load_breast_cancer, "binary", "roc_auc", 0.9),
    (datasets.load_wine, "multiclass", "f1_macro", 0.8),
    (datasets.load_diabetes, "regression", "r2", 0.3),
])
def test_the_linear_model_matches_a_hand_written_pipeline(tmp_path, loader, task, metric,
                                                          threshold):
    frame = loader(as_frame=True).frame
    extra = {"technical": {"positive_label": 1}} if task == "binary" else {}
    result = run(frame, tmp_path, metric=metric, threshold=threshold, task=task, **extra)
    test_rows = result.holdout["row"].to_numpy() - 1  # data rows are numbered from 1
    train_rows = np.setdiff1d(np.arange(len(frame)), test_rows)
    x, y = frame.drop(columns="target"), frame["target"]
    model = (make_pipeline(StandardScaler(), Ridge()) if task == "regression" else
             make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)))
    model.fit(x.iloc[train_rows], y.iloc[train_rows])
    x_test, y_test = x.iloc[test_rows], y.iloc[test_rows]
    by_hand = {
        "roc_auc": lambda: roc_auc_score(y_test == 1, model.predict_proba(x_test)[:, 1]),
        "f1_macro": lambda: f1_score(y_test, model.predict(x_test), average="macro"),
        "r2": lambda: r2_score(y_test, model.predict(x_test)),
    }[metric]()
    ours = result.result.contenders["linear model"].value(metric)
    assert abs(ours - by_hand) <= 0.02
    low, _ = result.result.differences["linear model - no model"][metric]
    assert low > 0  # beats "no model", and the interval says so


def churn_table(rows: int = 1500, seed: int = 4, minority: float = 0.3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    usage = rng.normal(size=rows)
    risk = -usage + rng.normal(scale=0.7, size=rows)
    churned = np.where(risk > np.quantile(risk, 1 - minority), "yes", "no")
    return pd.DataFrame({
        "customer": [f"C{i:05d}" for i in range(rows)],
        "signup": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(rows) // 3,
                                                                unit="D"),
        "usage": usage.round(4),
        "plan": rng.choice(["basic", "plus", "pro"], rows),
        "target": churned,
    })


def binary(frame, root, **extra):
    return run(frame, root, metric=extra.pop("metric", "roc_auc"),
               threshold=extra.pop("threshold", 0.6), task="binary",
               technical={"positive_label": "yes"}, **extra)


def codes(run: BaselineRun) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for warning in run.result.warnings:
        found.setdefault(warning.code, []).extend(warning.columns)
    return found


@pytest.mark.slow
def test_a_leaky_column_is_named(tmp_path):
    frame = churn_table()
    frame["cancel_reason"] = np.where(frame["target"] == "yes", "moved", None)
    assert codes(binary(frame, tmp_path, data={"id_columns": ["customer"]}))[
        "leakage_suspect"] == ["cancel_reason"]


@pytest.mark.slow
def test_dates_without_a_time_column_are_warned_about(tmp_path):
    result = binary(churn_table(), tmp_path, data={"id_columns": ["customer"]})
    assert result.result.split["strategy"] == "stratified"
    assert codes(result)["random_split_with_time"] == ["signup"]


@pytest.mark.slow
def test_with_a_time_column_every_test_row_is_later(tmp_path):
    frame = churn_table()
    result = binary(frame, tmp_path, data={"id_columns": ["customer"], "time_column": "signup"})
    assert result.result.split["strategy"] == "time"
    test = np.zeros(len(frame), dtype=bool)
    test[result.holdout["row"].to_numpy() - 1] = True
    assert frame["signup"][~test].max() < frame["signup"][test].min()
    assert "random_split_with_time" not in codes(result)


@pytest.mark.slow
def test_a_rare_class_is_warned_about(tmp_path):
    result = binary(churn_table(3000, minority=0.03), tmp_path, metric="average_precision",
                    threshold=0.3, data={"id_columns": ["customer"]})
    assert "imbalanced_target" in codes(result)


@pytest.mark.slow
def test_an_expensive_miss_lowers_the_decision_threshold(tmp_path):
    frame = churn_table()
    cheap = binary(frame, tmp_path, data={"id_columns": ["customer"]},
                   costs={"false_positive": 10, "false_negative": 10})
    dear = binary(frame, tmp_path, data={"id_columns": ["customer"]},
                  costs={"false_positive": 10, "false_negative": 200})
    low = dear.result.contenders["linear model"].decision_threshold
    assert low < cheap.result.contenders["linear model"].decision_threshold
    costs = dear.result.business["per_1000"]
    assert set(costs) == {"no model", "rule", "linear model", "act on all", "act on none"}


@pytest.mark.slow
@pytest.mark.parametrize(("threshold", "verdict"), [(0.6, "met"), (0.99, "not_met"),
                                                     (None, "inconclusive")])
def test_the_three_verdicts(tmp_path, threshold, verdict):
    frame = churn_table(400)
    if threshold is None:  # the goal right at the model's own score: more data decides
        first = binary(frame, tmp_path, data={"id_columns": ["customer"]})
        threshold = first.result.goal.value
    result = binary(frame, tmp_path, threshold=threshold, data={"id_columns": ["customer"]})
    assert result.result.goal.verdict == verdict


@pytest.mark.slow
def test_two_runs_give_the_same_metrics_apart_from_timings(tmp_path):
    frame = churn_table()

    def without_timings(run: BaselineRun) -> str:
        text = to_json(run.result.to_dict())
        return "\n".join(line for line in text.splitlines() if "fit_seconds" not in line)

    first = binary(frame, tmp_path, data={"id_columns": ["customer"]})
    second = binary(frame, tmp_path, data={"id_columns": ["customer"]})
    assert without_timings(first) == without_timings(second)


def frame_with(rows: int = 300, seed: int = 6, **columns) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"usage": rng.normal(size=rows),
                          "target": np.where(rng.random(rows) < 0.3, "yes", "no")})
    for name, values in columns.items():
        frame[name] = values
    return frame


@pytest.mark.slow
@pytest.mark.parametrize(("frame", "extra", "message"), [
    (frame_with(target=["yes"] * 2 + ["no"] * 298), {},
     "too few rows of 'yes' (2 rows) to hold some out and still learn from the rest; each "
     "class needs at least 5 rows"),
    (frame_with(g=["a", "b"] * 150), {"data": {"group_column": "g"}},
     "the group column 'g' holds 2 groups; holding whole groups out and cross-validating "
     "needs at least 3"),
    (frame_with(t=["2025-01-01"] * 270 + [f"2024-12-{d:02d}" for d in range(1, 31)]),
     {"data": {"time_column": "t"}},
     "the time column 't' cannot give a holdout of the latest 20%: 90% of the rows share "
     "its latest times; it needs more distinct times, or leave time_column unset"),
])
def test_data_that_cannot_support_the_task_is_refused(tmp_path, frame, extra, message):
    with pytest.raises(DataError) as caught:
        run(frame, tmp_path, metric="roc_auc", threshold=0.6, task="binary",
            technical={"positive_label": "yes"}, **extra)
    assert message in str(caught.value)


@pytest.mark.slow
def test_infinities_and_a_date_only_table_still_run(tmp_path):
    frame = frame_with(day=pd.date_range("2024-01-01", periods=300, freq="D"))
    frame.loc[::17, "usage"] = np.inf
    result = run(frame, tmp_path, metric="roc_auc", threshold=0.6, task="binary",
                 technical={"positive_label": "yes"})
    assert result.result.contenders["linear model"].value("roc_auc") is not None
    only_date = frame[["day", "target"]]
    result = run(only_date, tmp_path, metric="roc_auc", threshold=0.6, task="binary",
                 technical={"positive_label": "yes"})
    # The day says nothing about the target here: the rule flags no one, and says so.
    assert result.result.contenders["rule"].rule.startswith("Flag no row (on day no group")


@pytest.mark.slow
def test_a_time_split_never_learns_from_a_group_it_tests_on(tmp_path):
    # Households active over a few days each; one of them spans the time cut.
    frame = frame_with(household=[f"h{(i + 3) // 7}" for i in range(300)],
                       t=pd.date_range("2024-01-01", periods=300, freq="D"))
    result = run(frame, tmp_path, metric="roc_auc", threshold=0.6, task="binary",
                 technical={"positive_label": "yes"},
                 data={"time_column": "t", "group_column": "household"})
    test = set(frame["household"].iloc[result.holdout["row"] - 1])
    split = result.result.split
    assert split["purged_rows"] > 0
    assert split["train_rows"] + split["test_rows"] + split["purged_rows"] == 300
    train_rows = np.setdiff1d(np.arange(300), result.holdout["row"] - 1)
    kept = [r for r in train_rows if frame["household"].iloc[r] not in test]
    assert len(kept) == split["train_rows"]


@pytest.mark.slow
def test_a_class_seen_only_after_the_time_cut_is_refused(tmp_path):
    frame = frame_with(t=pd.date_range("2024-01-01", periods=300, freq="D"))
    frame["target"] = ["a", "b"] * 120 + ["c"] * 60  # "c" only in the latest fifth
    with pytest.raises(DataError, match="the training rows hold no row of 'c'"):
        run(frame, tmp_path, metric="f1_macro", threshold=0.5, task="multiclass",
            data={"time_column": "t"})


@pytest.mark.slow
def test_few_holdout_groups_are_named_and_no_group_swallows_the_holdout(tmp_path):
    rng = np.random.default_rng(9)
    groups = ["big"] * 240 + list(rng.choice(["g1", "g2", "g3", "g4", "g5", "g6"], 60))
    for seed in range(4):
        frame = frame_with(seed=seed, g=groups)
        result = run(frame, tmp_path, metric="roc_auc", threshold=0.6, task="binary",
                     technical={"positive_label": "yes"}, data={"group_column": "g"})
        assert result.result.split["test_rows"] <= 0.4 * 300
        assert "big" not in set(frame["g"].iloc[result.holdout["row"] - 1])
        assert "intervals_resample_rows" in codes(result)


@pytest.mark.slow
def test_the_defer_policy_is_chosen_on_training_folds_and_measured_once(tmp_path):
    result = binary(churn_table(), tmp_path, metric="accuracy", threshold=0.9,
                    data={"id_columns": ["customer"]})
    defer = result.result.defer
    assert defer["metric"] == "accuracy" and defer["model"] == "linear model"
    shares = [p["review_share"] for p in defer["points"]]
    assert shares[0] == 0.0 and shares == sorted(shares)  # the model alone is always shown
    holdout = [p["holdout"] for p in defer["points"]]
    assert holdout[-1] > holdout[0]  # people taking the least sure cases helps
    proposed = defer["proposed"]
    assert proposed is not None and proposed["review_share"] > 0
    chosen = next(p for p in defer["points"] if p["review_share"] == proposed["review_share"])
    assert chosen["training_folds"] >= 0.9  # chosen where the goal is met on the folds
    assert proposed["ci"] == chosen["ci"] and None not in proposed["ci"]
    assert "of every 1,000 cases linear model is least sure of" in defer["message"]

"""Above settings.fit_rows training rows, the contenders learn from a stated sample.

The sample is drawn like the split (whole groups, classes in their shares), grows for a
rare class, always keeps the reviewers' labels, and leaves the holdout whole: every
held-out row is still measured, and the evidence says which rows were which.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import run, small_project

from mvpgen.evaluation.split import RARE_CLASS_ROWS, Split, fit_sample


def split_of(rows: int, test: int = 100) -> Split:
    return Split("stratified", np.arange(rows), np.arange(rows, rows + test), seed=0)


def test_a_small_training_set_is_left_whole():
    split = split_of(5_000)
    y = np.array(["a", "b"] * 2_550)
    assert fit_sample(split, y, "binary", rows=10_000) is split


def test_classes_keep_their_shares_and_the_holdout_is_untouched():
    rng = np.random.default_rng(3)
    y = np.where(rng.random(100_100) < 0.3, "yes", "no")
    split = split_of(100_000)
    sampled = fit_sample(split, y, "binary", rows=20_000)
    assert sampled.sampled_from == 100_000
    assert abs(len(sampled.train) - 20_000) <= 2
    share = np.mean(y[sampled.train] == "yes")
    assert abs(share - np.mean(y[split.train] == "yes")) < 0.001
    assert np.array_equal(sampled.test, split.test)
    assert len(np.unique(sampled.train)) == len(sampled.train)


def test_a_rare_class_grows_the_sample_and_keeps_its_share():
    y = np.array(["no"] * 98_000 + ["yes"] * 2_000 + ["no"] * 100)
    rng = np.random.default_rng(0)
    y[:100_000] = rng.permutation(y[:100_000])
    # 2 % positives: 5,000 of them need 250,000 rows, more than there are: all are kept.
    assert fit_sample(split_of(100_000), y, "binary", rows=20_000).sampled_from == 0
    y[:100_000] = np.where(np.arange(100_000) < 10_000, "yes", "no")  # 10 %
    sampled = fit_sample(split_of(100_000), y, "binary", rows=20_000)
    assert np.sum(y[sampled.train] == "yes") == RARE_CLASS_ROWS
    assert len(sampled.train) == 50_000


def test_groups_stay_whole_and_reviewers_labels_are_always_kept():
    groups = np.repeat(np.arange(5_000), 10)  # 5,000 households of 10 rows
    y = np.linspace(0, 1, 50_100)
    keep = np.zeros(50_100, dtype=bool)
    keep[[7, 49_999]] = True
    split = split_of(50_000)
    sampled = fit_sample(split, y, "regression", groups=np.r_[groups, np.full(100, -1)],
                         keep=keep, rows=5_000)
    assert {7, 49_999} <= set(sampled.train)
    chosen = [g for g in np.unique(groups[sampled.train]) if g not in (0, 4_999)]
    assert all(np.sum(groups[sampled.train] == g) == 10 for g in chosen)  # whole
    assert 500 <= len(chosen) <= 502 and len(sampled.train) <= 5_030


def test_the_baseline_says_it_learnt_from_a_sample(isolated: Path,
                                                   monkeypatch: pytest.MonkeyPatch):
    # 4,000 rows hold too few of either class for the rare-class floor: lower it.
    monkeypatch.setattr("mvpgen.evaluation.split.RARE_CLASS_ROWS", 100)
    rng = np.random.default_rng(5)
    rows = 4_000
    usage = rng.normal(size=rows).round(3)
    project = small_project(isolated, pd.DataFrame({
        "customer_id": [f"C{i:04d}" for i in range(rows)], "usage": usage,
        "plan": rng.choice(["a", "b"], rows),
        "churned": np.where(usage + rng.normal(size=rows) < 0, "yes", "no")}))
    mapping = yaml.safe_load((project / "mvp.yaml").read_text(encoding="utf-8"))
    mapping["settings"]["fit_rows"] = 1_000
    (project / "mvp.yaml").write_text(yaml.safe_dump(mapping), encoding="utf-8")
    assert run("-C", str(project), "baseline", "-q").exit_code == 0
    metrics = json.loads((project / "reports/metrics.json").read_text(encoding="utf-8"))
    split = metrics["split"]
    assert (split["train_rows"], split["sampled_from"], split["test_rows"]) == (1_000, 3_200, 800)
    [warning] = [w for w in metrics["warnings"] if w["code"] == "sampled_rows"]
    assert warning["message"].startswith("Fitted, cross-validated and screened for leaks on "
                                         "a random sample of 1,000 of the 3,200 training rows")
    assert warning["message"].endswith("measured on all 800 held-out rows")
    page = (project / "reports/baseline.html").read_text(encoding="utf-8")
    assert "a random sample of 1,000 of the 3,200 training rows" in page

"""EDA on real public tables with a planted leak and a planted identifier."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import run_project, scaffold, write_mapping
from sklearn import datasets


def breast_cancer(rng):
    frame = datasets.load_breast_cancer(as_frame=True).frame
    frame.insert(0, "patient_id", [f"P{i:06d}" for i in rng.permutation(len(frame))])
    # A lab result recorded after the diagnosis: the answer, give or take a typo.
    flipped = rng.random(len(frame)) < 0.005
    frame["biopsy_result"] = np.where((frame["target"] == 1) ^ flipped, "benign", "malignant")
    return frame, "roc_auc", "0.9"


def diabetes(rng):
    frame = datasets.load_diabetes(as_frame=True).frame
    frame.insert(0, "visit_id", np.arange(5000, 5000 + len(frame)))
    frame["billed_progression"] = frame["target"] * 1.01 + rng.normal(0, 1, len(frame))
    return frame, "mae", "45"


@pytest.mark.slow
@pytest.mark.parametrize(("make", "planted_id", "leak", "task"), [
    (breast_cancer, "patient_id", "biopsy_result", "binary"),
    (diabetes, "visit_id", "billed_progression", "regression"),
])
def test_eda_flags_what_is_planted_and_nothing_clean(isolated, tmp_path, make, planted_id,
                                                     leak, task):
    frame, metric, threshold = make(np.random.default_rng(0))
    data = tmp_path / "table.csv"
    frame.to_csv(data, index=False)
    business = write_mapping(tmp_path / "b.yaml", {"business": {
        "requirement": "Triage cases for specialist review", "kpi": "missed cases",
        "current": 0.1, "goal": 0.05}})
    made = scaffold("demo", "--mapping", str(business), "--data", str(data), "--target",
               "target", "--metric", metric, "--threshold", threshold, "--no-input")
    assert made.exit_code == 0, made.output
    project = isolated / "demo"
    eda = run_project(project, "eda", "--sample-rows", "300")
    assert eda.returncode == 0, eda.stderr
    assert eda.stdout.startswith(f"wrote reports/eda.html (300 of {len(frame):,} rows) and "
                                 "reports/data_quality.json\n")
    # The most important issue comes first: the planted leak.
    assert eda.stdout.splitlines()[1].startswith(f"  - '{leak}' alone scores ")

    html = (project / "reports/eda.html").read_text(encoding="utf-8")
    assert f"demo: target ({task}), sample of 300 of {len(frame):,} rows" in html
    assert "Target: &#39;target&#39;" in html or "Target: 'target'" in html
    assert not any(tag in html for tag in ('<script src="http', "<link href=\"http",
                                           '<img src="http'))

    summary = json.loads((project / "reports/data_quality.json").read_text(encoding="utf-8"))
    assert [s["column"] for s in summary["leakage_suspects"]] == [leak]
    assert summary["id_like_columns"] == [planted_id]
    assert summary["constant_columns"] == []
    assert summary["duplicate_rows"] == 0
    assert summary["rows"] == len(frame)
    assert summary["eda"] == {"mode": "quick", "profiled_rows": 300,
                              "profiled_columns": len(frame.columns), "seed": 0,
                              "report": "reports/eda.html"}
    checklist = (project / "CHECKLIST.md").read_text(encoding="utf-8")
    assert f"1. '{leak}'" in checklist

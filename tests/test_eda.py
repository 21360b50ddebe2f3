"""EDA on real public tables with a planted leak and a planted identifier, and on the churn
example: the data as it is, and a checklist that says what the page shows."""

from __future__ import annotations

import json
import re

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


# The target against its six strongest columns, strongest first: the planted leak leads,
# the known strong measurements follow, the planted identifier is never drawn.
VIEW_CANCER = ["biopsy_result", "worst perimeter", "worst radius", "worst area",
               "worst concave points", "mean concave points"]
VIEW_DIABETES = ["billed_progression", "s5", "bmi", "bp", "s4", "s3"]


@pytest.mark.slow
@pytest.mark.parametrize(("make", "planted_id", "leak", "task", "view"), [
    (breast_cancer, "patient_id", "biopsy_result", "binary", VIEW_CANCER),
    (diabetes, "visit_id", "billed_progression", "regression", VIEW_DIABETES),
])
def test_eda_flags_what_is_planted_and_nothing_clean(isolated, tmp_path, make, planted_id,
                                                     leak, task, view):
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
    assert "Target: &#x27;target&#x27;" in html  # escaped before the library saw it
    # The target comes first, as classes with their balance or as a number.
    first = re.search(r'<p class="item-header h4" title="([^"]*)">\s*<a[^>]*>[^<]*</a>\s*'
                      r'<br/>\s*<span class="fs-6 text-body-secondary">([^<]*)</span>', html)
    assert first.groups() == ("target", "Categorical" if task == "binary"
                              else "Real number (&Ropf;)")
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
                              "report": "reports/eda.html",
                              "target_view": {"columns": view, "rows": len(frame)}}
    checklist = (project / "CHECKLIST.md").read_text(encoding="utf-8")
    assert f"1. '{leak}'" in checklist


@pytest.mark.slow
def test_the_churn_eda_shows_the_data_as_it_is_and_the_checklist_agrees(isolated):
    assert scaffold("demo", "--example", "churn", "--no-input").exit_code == 0
    project = isolated / "demo"
    eda = run_project(project, "eda", "--quiet")
    assert eda.returncode == 0, eda.stderr
    html = (project / "reports/eda.html").read_text(encoding="utf-8")
    summary = json.loads((project / "reports/data_quality.json").read_text(encoding="utf-8"))

    # The target first, as classes with their balance; identifiers as text, no clouds.
    types = re.findall(r'<p class="item-header h4" title="([^"]*)">\s*<a[^>]*>[^<]*</a>\s*'
                       r'<br/>\s*<span class="fs-6 text-body-secondary">([^<]*)</span>', html)
    assert types[:4] == [("churned", "Categorical"), ("customer_id", "Text"),
                         ("household_id", "Text"), ("signup_date", "Date")]
    assert "wordcloud" not in html.lower()
    # Dates on the date histogram's axis, not 1970-01-01 00:28.
    assert "1970-01-01" not in html
    assert {year for year in re.findall(r"<!-- (\d{4})-\d\d-\d\d \d\d:\d\d:\d\d -->", html)
            } <= {"2022", "2023", "2024", "2025"}
    # The target against its strongest columns, in a section the navigation lists.
    assert '<a class="nav-link" href="#target-view">Target against columns</a>' in html
    assert summary["eda"]["target_view"] == {"columns": VIEW_CHURN, "rows": 5000}

    # The checklist lists the profile's alerts, as many as its Alerts tab counts.
    alerts = summary["profile_alerts"]
    badge = re.search(r'Alerts <span class="badge[^"]*">(\d+)</span>', html)
    assert int(badge[1]) == len(alerts) == 6
    assert [(a["message"], a["benign"]) for a in alerts] == [
        ("'monthly_charges' has 99 (2.0%) missing values", True),
        ("'payment_method' has 55 (1.1%) missing values", True),
        ("'customer_id' has unique values", True),
        ("'tenure_months' has 98 (2.0%) zeros", True),
        ("'support_calls_90d' has 1,516 (30.3%) zeros", True),
        ("'days_since_last_login' has 269 (5.4%) zeros", True),
    ]
    checklist = (project / "CHECKLIST.md").read_text(encoding="utf-8")
    assert "No data issues found." not in checklist
    assert ("- mvpgen's checks (leaks, identifiers, imbalance, missing targets, empty, constant "
            "or repeated data) found no issue.\n"
            "- The profile's 6 alerts (0 to check, 6 harmless here):\n"
            "  - 'monthly_charges' has 99 (2.0%) missing values: harmless, the baseline fills "
            "gaps with the median and adds a flag that says the value was missing\n"
            "  - 'payment_method' has 55 (1.1%) missing values: harmless, missing is a category "
            "of its own in the baseline's encoding\n"
            "  - 'customer_id' has unique values: harmless, expected of an identifier; it is "
            "declared, so never a feature\n"
            "  - 'tenure_months' has 98 (2.0%) zeros; 'support_calls_90d' has 1,516 (30.3%) "
            "zeros; 'days_since_last_login' has 269 (5.4%) zeros: harmless, zero is an ordinary "
            "value of a count or an amount; check it only if the export writes 0 for "
            "'unknown'\n") in checklist


VIEW_CHURN = ["contract", "days_since_last_login", "support_calls_90d", "tenure_months",
              "monthly_charges", "signup_date"]


def test_the_checklist_groups_alerts_that_mean_the_same_and_counts_the_rest():
    from mvpgen.steps.checklist import eda_block

    quality = {"rows": 60, "rows_with_target": 60, "columns": 40, "issues": [],
               "target": {"name": "y", "balance": {"classes": {"a": 0.5, "b": 0.5}}},
               "eda": {"profiled_rows": 60, "report": "reports/eda.html"},
               "profile_alerts": [
                   {"message": "'id' has unique values", "benign": False, "note": "declare it"},
                   *({"message": f"'x{i}' has 1 (1.7%) zeros", "benign": True,
                      "note": f"note {i // 2}"} for i in range(24))]}
    lines = eda_block(quality).splitlines()
    assert lines[3:6] == [
        "- The profile's 25 alerts (1 to check, 24 harmless here):",
        "  - 'id' has unique values: check: declare it",
        "  - 'x0' has 1 (1.7%) zeros; 'x1' has 1 (1.7%) zeros: harmless, note 0"]
    assert len(lines) == 3 + 1 + 10 + 1
    assert lines[-1] == "  - and 6 more in reports/data_quality.json (`profile_alerts`)"
    del quality["profile_alerts"]  # a summary from before alerts were recorded
    assert eda_block(quality).splitlines()[-1] == (
        "- The profile's alerts: run `mvpgen eda` again to list them here.")

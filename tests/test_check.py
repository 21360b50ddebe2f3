"""Question 1 of the product, and ``mvpgen check``'s lines and exit codes."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from conftest import run, write_mapping

from mvpgen.checks import ASK, check_mapping, is_vague


def lines(raw: dict, base: Path) -> list[str]:
    return [str(f) for f in check_mapping(raw, base)]


@pytest.mark.parametrize("text", [
    "Use AI to grow the business",
    "Leverage machine learning to improve our outcomes",
    "Data-driven digital transformation with ML",
])
def test_buzzword_requirements_are_vague(text):
    assert is_vague(text)


@pytest.mark.parametrize("text", [
    "Reduce monthly customer churn",
    "Predict which invoices are paid late",
    "Use AI to reduce fraud losses on card payments",
])
def test_concrete_requirements_are_not_vague(text):
    assert not is_vague(text)


def test_a_vague_requirement_without_kpi_or_goal_asks_question_1(churn_raw, tmp_path):
    churn_raw["business"] = {"requirement": "Use AI to grow the business"}
    assert lines(churn_raw, tmp_path) == [
        f"business.requirement: 'Use AI to grow the business' names no concrete outcome — {ASK} "
        "Say what should change, e.g. 'Reduce monthly customer churn'",
        f"business.kpi: missing — {ASK} Name the KPI, e.g. kpi: monthly churn rate",
        f"business.goal: missing — {ASK} Give the KPI value that counts as success, "
        "e.g. goal: 0.06",
        "business.current: missing — give today's value of the KPI, so the goal says which way "
        "is better",
    ]


def test_goal_equal_to_current_says_both_directions(churn_raw, tmp_path):
    churn_raw["business"]["goal"] = 0.08
    assert lines(churn_raw, tmp_path) == [
        "business.goal: equals business.current (0.08), so there is nothing to achieve — set the "
        "goal below 0.08 if lower is better, or above it if higher is better",
    ]


def test_a_target_not_in_the_data_suggests_the_closest_column(churn_raw, tmp_path):
    churn_raw["technical"]["target"] = "churnd"
    assert lines(churn_raw, tmp_path) == [
        "technical.target: customers.csv has no column 'churnd'; did you mean 'churned'?",
    ]


def test_a_positive_label_that_is_not_a_target_value(churn_raw, tmp_path):
    churn_raw["technical"]["positive_label"] = "Yes"
    assert lines(churn_raw, tmp_path) == [
        "technical.positive_label: 'Yes' is not a value of 'churned' — use one of: 'no', 'yes'",
    ]


def test_an_obvious_positive_label_is_inferred_not_reported(churn_raw, tmp_path):
    del churn_raw["technical"]["positive_label"]
    del churn_raw["technical"]["task"]
    assert lines(churn_raw, tmp_path) == []


def test_an_unclear_positive_label_must_be_given(churn_raw, tmp_path):
    data = tmp_path / "d.csv"
    pd.DataFrame({"x": range(12), "churned": ["left", "stayed"] * 6}).to_csv(data, index=False)
    churn_raw["data"] = {"path": "d.csv"}
    del churn_raw["technical"]["positive_label"]
    assert lines(churn_raw, tmp_path) == [
        "technical.positive_label: missing, and the data does not make it obvious — set the "
        "value the KPI counts, one of: 'left', 'stayed'",
    ]


def test_a_constant_target_is_reported(churn_raw, tmp_path):
    data = tmp_path / "d.csv"
    pd.DataFrame({"x": [1, 2, 3], "churned": ["no", "no", "no"]}).to_csv(data, index=False)
    churn_raw["data"] = {"path": str(data)}
    assert lines(churn_raw, tmp_path) == [
        "technical.target: column 'churned' has one value in d.csv — a model needs a target that "
        "varies; choose another column",
    ]


def test_without_data_a_binary_task_needs_its_positive_label(churn_raw, tmp_path):
    del churn_raw["data"]
    del churn_raw["technical"]["positive_label"]
    assert lines(churn_raw, tmp_path) == [
        "technical.positive_label: missing, and there is no data to infer it from — set the "
        "target value the KPI counts, e.g. 'yes'",
    ]


def test_check_exits_0_on_a_sound_mapping(churn_raw, tmp_path):
    result = run("check", str(write_mapping(tmp_path / "mvp.yaml", churn_raw)))
    assert result.exit_code == 0
    assert result.stdout.endswith("mvp.yaml: sound\n")


def test_check_exits_1_with_one_line_per_finding(churn_raw, tmp_path):
    churn_raw["business"] = {"requirement": "Use AI to grow the business"}
    result = run("check", str(write_mapping(tmp_path / "mvp.yaml", churn_raw)))
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 4
    assert all(ASK in line for line in result.stdout.splitlines()[:3])
    assert result.stderr.endswith("mvp.yaml: 4 finding(s)\n")


def test_check_accepts_a_project_folder(churn_raw, tmp_path):
    write_mapping(tmp_path / "mvp.yaml", churn_raw)
    assert run("check", str(tmp_path)).exit_code == 0


@pytest.mark.parametrize(("content", "message"), [
    (None, "does not exist"),
    ("project: [unclosed\n", "is not valid YAML at line 2"),
    ("- a list\n", "holds a list, not a mapping of sections"),
])
def test_check_exits_2_when_the_file_cannot_be_read(tmp_path, content, message):
    path = tmp_path / "mvp.yaml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = run("check", str(path))
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.output


def test_check_exits_2_on_a_folder_without_a_mapping(tmp_path):
    result = run("check", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == f"Error: mapping file {tmp_path / 'mvp.yaml'} does not exist\n"
    assert result.stdout == ""


def test_check_exits_2_on_a_mapping_path_that_is_a_folder(tmp_path):
    (tmp_path / "mvp.yaml").mkdir()
    result = run("check", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == (f"Error: mapping file {tmp_path / 'mvp.yaml'} is a folder (pass "
                             "the mvp.yaml file itself)\n")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
def test_check_exits_2_on_a_pipe_without_waiting_for_a_writer(tmp_path):
    pipe = tmp_path / "mvp.yaml"
    os.mkfifo(pipe)
    result = run("check", str(pipe))
    assert result.exit_code == 2
    assert result.stderr == (f"Error: mapping file {pipe} is not a regular file (a device or a "
                             "pipe) (pass the mvp.yaml file itself)\n")


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs /dev/null")
def test_check_exits_2_on_a_device():
    result = run("check", "/dev/null")
    assert result.exit_code == 2
    assert result.stderr == ("Error: mapping file /dev/null is not a regular file (a device or "
                             "a pipe) (pass the mvp.yaml file itself)\n")


def test_check_exits_2_on_a_file_too_large_for_a_mapping(churn_raw, tmp_path):
    path = write_mapping(tmp_path / "mvp.yaml", churn_raw)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("#" * (1024 * 1024) + "\n")
    result = run("check", str(path))
    assert result.exit_code == 2
    assert result.stderr == (f"Error: mapping file {path} is larger than any mapping (over "
                             "1 MB) (pass the mvp.yaml file itself)\n")


# --- question 2 before anything runs: would a policy needing no model meet the goal? ---------

NO_MODEL = "technical.threshold: the goal is met without any model: "
BUDGET_FIX = "state business.capacity and use recall_at_budget or precision_at_budget"


def test_the_churn_example_is_sound(churn_raw):
    assert lines(churn_raw, Path(churn_raw["data"]["path"]).parent) == []


@pytest.mark.parametrize(("metric", "threshold", "line"), [
    # customers.csv: 1,285 of 5,000 customers churned (0.257).
    ("recall", 0.7, f"{NO_MODEL}recall reaches 1.0 by acting on every case, and nothing bounds "
                    f"how many are acted on — {BUDGET_FIX}"),
    ("accuracy", 0.7, f"{NO_MODEL}accuracy 0.7 is no more than the majority's share (0.743): "
                      f"always answering the majority meets it — use balanced_accuracy, or "
                      f"{BUDGET_FIX}"),
    ("precision", 0.25, f"{NO_MODEL}precision 0.25 is no more than the share of positive cases "
                        f"(0.257): acting on every case meets it — {BUDGET_FIX}"),
    ("f1", 0.4, f"{NO_MODEL}f1 0.4 is reached by acting on every case (0.409) — {BUDGET_FIX}"),
])
def test_a_goal_met_by_a_policy_without_a_model_is_an_allowable_finding(churn_raw, tmp_path,
                                                                        metric, threshold,
                                                                        line):
    del churn_raw["business"]["capacity"]
    del churn_raw["humans"]
    churn_raw["technical"].update(metric=metric, threshold=threshold)
    findings = check_mapping(churn_raw, tmp_path)
    assert [str(f) for f in findings] == [line]
    assert findings[0].allowable


@pytest.mark.parametrize(("metric", "threshold"), [("accuracy", 0.75), ("precision", 0.26),
                                                   ("f1", 0.41), ("roc_auc", 0.6),
                                                   ("balanced_accuracy", 0.51)])
def test_a_goal_beyond_the_trivial_policies_is_not_a_finding(churn_raw, tmp_path, metric,
                                                             threshold):
    churn_raw["technical"].update(metric=metric, threshold=threshold)
    assert lines(churn_raw, tmp_path) == []


@pytest.mark.parametrize(("metric", "threshold", "chance"), [
    ("recall_at_budget", 0.2, "0.200"),  # the capacity: 200 of every 1,000
    ("precision_at_budget", 0.25, "0.257"),  # the share of positive cases
])
def test_a_budget_goal_that_random_choice_reaches_is_a_finding(churn_raw, tmp_path, metric,
                                                                threshold, chance):
    churn_raw["technical"].update(metric=metric, threshold=threshold)
    findings = check_mapping(churn_raw, tmp_path)
    assert [str(f) for f in findings] == [
        f"{NO_MODEL}{metric} {threshold:g} is what choosing cases at random scores ({chance}) "
        "— raise the threshold above it"]
    assert findings[0].allowable


def test_the_review_budget_stands_in_for_a_missing_capacity(churn_raw, tmp_path):
    del churn_raw["business"]["capacity"]
    # 200 reviews of 5,000 customers: 0.04 by chance, so 0.05 needs a model and 0.04 does not.
    churn_raw["technical"]["threshold"] = 0.05
    assert lines(churn_raw, tmp_path) == []
    churn_raw["technical"]["threshold"] = 0.04
    assert lines(churn_raw, tmp_path) == [
        f"{NO_MODEL}recall_at_budget 0.04 is what choosing cases at random scores (0.040) — "
        "raise the threshold above it"]


def test_a_budget_metric_without_any_capacity_cannot_run(churn_raw, tmp_path):
    del churn_raw["business"]["capacity"]
    del churn_raw["humans"]
    findings = check_mapping(churn_raw, tmp_path)
    assert [str(f) for f in findings] == [
        "business.capacity: recall_at_budget needs to know how many cases the business can act "
        "on — state business.capacity (cases per 1,000), or humans.review_budget"]
    assert not findings[0].allowable


def test_multiclass_accuracy_at_the_majority_share_is_a_finding(churn_raw, tmp_path):
    data = tmp_path / "d.csv"
    pd.DataFrame({"x": range(40), "plan": ["basic"] * 20 + ["plus"] * 12 + ["pro"] * 8}).to_csv(
        data, index=False)
    churn_raw["technical"] = {"task": "multiclass", "target": "plan", "metric": "accuracy",
                              "threshold": 0.5}
    churn_raw["data"] = {"path": "d.csv"}
    findings = check_mapping(churn_raw, tmp_path)
    assert [str(f) for f in findings] == [
        f"{NO_MODEL}accuracy 0.5 is no more than the majority class's share (0.500): always "
        "answering it meets the goal — use balanced_accuracy or f1_macro"]
    assert findings[0].allowable
    churn_raw["technical"]["threshold"] = 0.55
    assert lines(churn_raw, tmp_path) == []


def test_check_exits_1_on_a_goal_met_without_a_model(churn_raw, tmp_path):
    churn_raw["technical"].update(metric="recall", threshold=0.7)
    result = run("check", str(write_mapping(tmp_path / "mvp.yaml", churn_raw)))
    assert result.exit_code == 1
    assert result.stdout == (f"{NO_MODEL}recall reaches 1.0 by acting on every case, and "
                             f"nothing bounds how many are acted on — {BUDGET_FIX}\n")
    assert result.stderr == f"{tmp_path / 'mvp.yaml'}: 1 finding(s)\n"

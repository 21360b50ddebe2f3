"""Question 1 of the product, and ``mvpgen check``'s lines and exit codes."""

from __future__ import annotations

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

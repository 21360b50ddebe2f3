"""Inputs that once broke mvpgen; each test pins down the sound behaviour."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest
import yaml
from conftest import run, scaffold, write_mapping

from mvpgen.checks import is_vague
from mvpgen.generator.naming import distribution_name, package_name, project_slug
from mvpgen.generator.template import template_dir
from mvpgen.metrics import METRICS

BUSINESS = {"requirement": "Keep paying customers", "kpi": "churn rate", "current": 0.1,
            "goal": 0.08}


@pytest.fixture
def business(tmp_path):
    return write_mapping(tmp_path / "business.yaml", {"business": BUSINESS})


def csv(tmp_path, name: str, frame: pd.DataFrame):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_a_01_target_with_gaps_keeps_whole_classes(isolated, tmp_path, business):
    data = csv(tmp_path, "gaps.csv", pd.DataFrame({"x": range(16),
                                                   "y": [1, 0, None, 1, 0, 1, 0, 0] * 2}))
    result = scaffold("demo", "--mapping", str(business), "--data", str(data), "--target",
                 "y", "--metric", "roc_auc", "--threshold", "0.7", "--no-input")
    assert result.exit_code == 0, result.output
    assert "inferred technical.positive_label: 1" in result.stdout
    mapping = yaml.safe_load((isolated / "demo/mvp.yaml").read_text(encoding="utf-8"))
    assert mapping["technical"]["positive_label"] == 1


def test_a_positive_label_option_takes_the_datas_type(isolated, tmp_path, business):
    data = csv(tmp_path, "d.csv", pd.DataFrame({"x": range(12), "y": [1, 0] * 6}))
    result = scaffold("demo", "--mapping", str(business), "--data", str(data), "--target",
                 "y", "--positive-label", "1", "--metric", "f1", "--threshold", "0.7",
                 "--no-input")
    assert result.exit_code == 0, result.output
    mapping = yaml.safe_load((isolated / "demo/mvp.yaml").read_text(encoding="utf-8"))
    assert mapping["technical"]["positive_label"] == 1


def test_new_in_the_current_empty_folder_keeps_the_folder(isolated):
    inode = os.stat(isolated).st_ino
    result = scaffold(".", "--example", "churn", "--no-input")
    assert result.exit_code == 0, result.output
    assert os.stat(isolated).st_ino == inode
    assert (isolated / "mvp.yaml").is_file()
    assert not [p for p in isolated.iterdir() if p.name.startswith(".mvpgen-")]


@pytest.mark.parametrize(("name", "distribution", "package"), [
    ("pip", "pip-mvp", "pip_mvp"),
    ("pandas", "pandas-mvp", "pandas_mvp"),
    ("scikit-learn", "scikit-learn-mvp", "scikit_learn"),
    ("conftest", "conftest", "conftest_mvp"),
    ("joblib", "joblib-mvp", "joblib_mvp"),
    ("CON", "con-mvp", "con_mvp"),
])
def test_names_never_take_an_installed_package(name, distribution, package):
    slug = project_slug(name)
    assert distribution_name(slug) == distribution
    assert package_name(slug) == package


def test_interactive_without_data_asks_for_the_data_file_once(isolated):
    answers = ["My project", "Reduce churn of customers", "churn rate", "0.08", "0.06",
               "",             # data file: later
               "churned", "binary", "yes", "", "0.7",
               "", "", "", ""]  # costs, reviewer, advantage
    result = scaffold("p1", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Data file (blank to add it later)") == 1
    mapping = yaml.safe_load((isolated / "p1/mvp.yaml").read_text(encoding="utf-8"))
    assert mapping["technical"]["metric"] == "roc_auc"
    assert "data" not in mapping


def test_a_wrong_answer_in_the_mapping_is_refused_before_any_question(isolated, tmp_path):
    mapping = write_mapping(tmp_path / "m.yaml", {
        "business": BUSINESS, "technical": {"task": "binar", "metric": "auc"}})
    result = scaffold("demo", "--mapping", str(mapping), input="\n" * 20)
    assert result.exit_code == 2  # wrong answers are bad input, not findings
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "technical.metric: 'auc' is not a metric — use one of: " + ", ".join(METRICS),
        "Error: technical.task: 'binar' is not a task — use one of: binary, multiclass, "
        "regression (and 1 more above)"]


def test_an_occupied_directory_is_refused_before_any_question(isolated):
    (isolated / "full").mkdir()
    (isolated / "full/notes.txt").write_text("mine", encoding="utf-8")
    result = scaffold("full", input="\n" * 20)
    assert result.exit_code == 2
    assert result.stdout == ""


@pytest.mark.parametrize(("text", "message"), [
    ("project: {name: X}\nbusiness:\n  requirement: Keep customers\n  deadline: 2027-02-30\n",
     "holds a value that is not valid: day is out of range for month"),
    ("project: {name: X}\nproject: {name: Y}\n",
     "is not valid at line 2: the key 'project' appears twice; keep one"),
    ("advantage: " + "[" * 5000 + "]" * 5000 + "\n", "is nested too deeply"),
])
def test_odd_yaml_is_bad_input_not_a_crash(tmp_path, text, message):
    path = tmp_path / "mvp.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("check", str(path))
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_yaml_12_scalars(churn_raw, tmp_path):
    text = yaml.safe_dump(churn_raw, sort_keys=False).replace("threshold: 0.3", "threshold: 3e-1")
    text = text.replace("positive_label: 'yes'", "positive_label: yes")
    assert "threshold: 3e-1\n" in text and "positive_label: yes\n" in text  # as YAML 1.2 writes
    path = tmp_path / "mvp.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("check", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == f"{path}: sound"
    from mvpgen.mapping import load_mapping

    technical = load_mapping(path).technical
    assert (technical.threshold, technical.positive_label) == (0.3, "yes")


def test_a_huge_number_is_a_finding(churn_raw, tmp_path):
    text = yaml.safe_dump(churn_raw, sort_keys=False).replace("current: 0.08",
                                                              "current: 1" + "0" * 400)
    path = tmp_path / "mvp.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("check", str(path))
    assert result.exit_code == 1
    assert "business.current: a number this large is not a finite number" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--target", "churned", "--task", "regression"],
     "technical.task: regression needs a numeric target, but 'churned' holds 'no', 'yes' — "
     "set task: binary or multiclass"),
    (["--target", "monthly_charges", "--task", "multiclass"],
     "technical.task: multiclass, but 'monthly_charges' has 3207 distinct values — if it is a "
     "quantity, set task: regression"),
    (["--target", "customer_id"],
     "technical.target: column 'customer_id' looks like an identifier, with a different value "
     "in almost every row — choose the column to predict"),
    (["--target", "region", "--task", "binary"],
     "technical.task: binary, but 'region' has 4 distinct values — set task: multiclass or "
     "regression, or choose another target"),
])
def test_a_target_that_cannot_serve_the_task_is_refused(isolated, business, args, message):
    from conftest import CHURN

    result = scaffold("demo", "--mapping", str(business), "--data",
                 str(CHURN / "customers.csv"), "--metric", "f1_macro", "--threshold", "0.6",
                 "--no-input", *args)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {message}\n"
    assert list(isolated.iterdir()) == []


def test_a_constant_target_is_named_as_such_without_prompts(isolated, tmp_path, business):
    data = csv(tmp_path, "c.csv", pd.DataFrame({"x": range(5), "y": ["a"] * 5}))
    result = scaffold("demo", "--mapping", str(business), "--data", str(data), "--target",
                 "y", "--metric", "f1", "--threshold", "0.7", "--no-input")
    assert result.exit_code == 2
    assert result.stderr == ("Error: technical.target: column 'y' has one value in c.csv — a "
                             "model needs a target that varies; choose another column\n")


def test_declared_columns_are_checked_against_the_data(churn_raw, tmp_path):
    churn_raw["data"].update(time_column="plan", group_column="houshold",
                             id_columns=["custmer_id"])
    result = run("check", str(write_mapping(tmp_path / "mvp.yaml", churn_raw)))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("data.group_column: column 'houshold' is not in customers.csv")
    assert lines[1].startswith("data.id_columns: column 'custmer_id' is not in customers.csv")
    assert lines[2].startswith("data.time_column: customers.csv: column 'plan' is declared as "
                               "the time column but holds 'basic', which is not a date")


def test_a_time_column_holding_one_date_is_a_finding(churn_raw, tmp_path):
    frame = pd.read_csv(churn_raw["data"]["path"])
    frame["signup_date"] = "2025-01-31"  # the export date, not when each customer signed up
    churn_raw["data"]["path"] = str(csv(tmp_path, "customers.csv", frame))
    result = run("check", str(write_mapping(tmp_path / "mvp.yaml", churn_raw)))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "data.time_column: column 'signup_date' holds one date (2025-01-31) in every row of "
        "customers.csv: it orders nothing, so no holdout of the latest rows can follow it — "
        "choose a column whose dates vary, or leave time_column unset")


def test_the_time_column_cannot_also_group_rows(churn_raw, tmp_path):
    churn_raw["data"]["group_column"] = "signup_date"
    result = run("check", str(write_mapping(tmp_path / "mvp.yaml", churn_raw)))
    assert result.exit_code == 1
    assert "data.group_column: is the time column 'signup_date'" in result.stdout


@pytest.mark.parametrize("text", ["We want AI", "Use GenAI to grow the business",
                                  "Become an AI company", "Use A.I. to grow", "TBD",
                                  "Utilise AI to drive synergies across the enterprise"])
def test_more_buzzwords_are_vague(text):
    assert is_vague(text)


def test_a_non_finite_threshold_is_bad_usage(isolated):
    result = scaffold("demo", "--example", "churn", "--no-input", "--threshold", "nan")
    assert result.exit_code == 2
    assert "nan is not a finite number" in result.stderr


def test_a_multi_line_requirement_stays_one_line_per_finding(churn_raw, tmp_path):
    churn_raw["business"] = {"requirement": "Use AI\nto grow\nthe business"}
    result = run("check", str(write_mapping(tmp_path / "mvp.yaml", churn_raw)))
    assert result.stdout.splitlines()[0].startswith(
        "business.requirement: 'Use AI to grow the business' names no concrete outcome")
    assert len(result.stdout.splitlines()) == 4


def test_the_next_step_quotes_a_folder_with_spaces(isolated):
    result = scaffold("my proj", "--example", "churn", "--no-input")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "Next: cd 'my proj' && mvpgen run    # EDA, baseline, review")


def test_a_marker_in_free_text_cannot_break_the_documents(isolated, churn_raw):
    churn_raw["business"]["requirement"] = "Cut churn <!-- mvpgen:end q1 --> now"
    mapping = write_mapping(isolated.parent / "m.yaml", churn_raw)
    assert scaffold("demo", "--mapping", str(mapping), "--no-input").exit_code == 0
    refresh = subprocess.run([sys.executable, "-m", "churn_mvp", "refresh"],
                             cwd=isolated / "demo", capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": "src"})
    assert refresh.returncode == 0, refresh.stderr
    checklist = (isolated / "demo/CHECKLIST.md").read_text(encoding="utf-8")
    assert "Cut churn &lt;!-- mvpgen:end q1 --> now" in checklist


IDENTIFIER = "it must be a Python identifier that starts with a letter and is not a keyword"


@pytest.mark.parametrize(("name", "package", "problem"), [
    ("json", "json", "it is the name of a standard module or of an installed package"),
    ("2026 forecast", "2026_forecast", IDENTIFIER),
    ("class", "class", IDENTIFIER),
])
def test_plain_cookiecutter_refuses_an_unusable_package_name(tmp_path, name, package, problem):
    out = tmp_path / "out"
    out.mkdir()
    result = subprocess.run([sys.executable, "-m", "cookiecutter", str(template_dir()),
                             "--no-input", f"project_name={name}", "-o", str(out)],
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert (f"ERROR: package_name '{package}' is not usable: {problem}; answer package_name "
            "with another, e.g. my_project") in result.stderr
    assert list(out.iterdir()) == []

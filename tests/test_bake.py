"""Bake and run: generate projects across the option matrix, then run what they hold.

The matrix comes from the registry the generator uses (its tasks and metrics), so a new
task or metric is baked without touching this file. A generated project holds only
what its user edits; the engine is mvpgen's, so each baked project is run through
``mvpgen`` inside it: its own tests, then the pipeline (eda, baseline, review,
feedback, baseline again, status).
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import run_project, scaffold, write_mapping

import mvpgen
from mvpgen import cli
from mvpgen.evaluation.result import BaselineResult
from mvpgen.generator.template import template_dir
from mvpgen.mapping import load_mapping, parse_mapping
from mvpgen.metrics import TASKS, metrics_for, reported

CASES = list(itertools.product(TASKS, [False, True]))
# The generated project's own tests are fast tests of the user's code: they must stay
# quick enough to run on every save. This is the one timing this suite asserts.
PROJECT_TESTS_BUDGET_SECONDS = 15.0
# The seeded data decide each task the same way with and without the extras.
VERDICTS = {"binary": ("inconclusive", "inconclusive"), "multiclass": ("met", "build_model"),
            "regression": ("inconclusive", "inconclusive")}
PROJECT_DIR = "{{cookiecutter.project_slug}}"
PACKAGE_DIR = "{{cookiecutter.package_name}}"


def make_data(task: str, rows: int = 120, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=rows)
    target = {
        "binary": np.where(x + rng.normal(size=rows) > 0, "yes", "no"),
        "multiclass": np.array(["low", "mid", "high"])[np.digitize(x, [-0.5, 0.5])],
        # noisy enough that no leak screen takes x for the answer itself
        "regression": 100 + 20 * x + rng.normal(scale=15, size=rows),
    }[task]
    return pd.DataFrame({
        "row_id": range(rows),
        "store": rng.choice(["s1", "s2", "s3"], rows),
        "day": pd.date_range("2025-01-01", periods=rows, freq="D").strftime("%Y-%m-%d"),
        "x": x,
        "outcome": target,
    })


def mapping_for(task: str, extras: bool, data: Path) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "project": {"name": f"Bake {task} {'full' if extras else 'plain'}"},
        "business": {"requirement": "Plan store staffing from demand", "kpi": "overtime hours",
                     "current": 120, "goal": 90},
        "technical": {"task": task, "target": "outcome",
                      "metric": metrics_for(task)[0], "threshold": 0.6},
        "data": {"path": str(data)},
    }
    if task == "binary":
        raw["technical"]["positive_label"] = "yes"
    if task == "regression":
        raw["technical"]["threshold"] = 15.0  # mae, in the target's units
    if extras:
        raw["data"].update(time_column="day", group_column="store", id_columns=["row_id"])
        raw["humans"] = {"reviewer": "Store managers", "review_budget": 25}
        raw["advantage"] = "Till data per quarter-hour"
        if task == "binary":
            raw["costs"] = {"false_positive": 3, "false_negative": 40}
    return raw


def template_files(package: str) -> set[str]:
    """Every file of the template's project folder, its path rendered."""
    project = template_dir() / PROJECT_DIR
    return {str(p.relative_to(project)).replace(PACKAGE_DIR, package)
            for p in project.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def expected_files(package: str, data_file: str) -> set[str]:
    """What `mvpgen new` makes: the template's files, its record and the copied data."""
    return template_files(package) | {".mvpgen.json", f"data/raw/{data_file}"}


def files_of(project: Path) -> set[str]:
    return {str(p.relative_to(project)) for p in project.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def template_test_count() -> int:
    """How many tests the template's project holds (each is run, none may be skipped)."""
    tests = template_dir() / PROJECT_DIR / "tests"
    return sum(len(re.findall(r"^def test_", p.read_text(encoding="utf-8"), re.MULTILINE))
               for p in tests.glob("test_*.py"))


_DURATION = re.compile(r" in (?P<seconds>\d+(?:\.\d+)?)s"
                       r"(?: \((?P<h>\d+):(?P<m>\d\d):(?P<s>\d\d)\))?$")


def reported_seconds(line: str) -> float:
    """Return the duration pytest reports on its last line.

    pytest writes ``5 passed in 12.34s``, and from a minute on adds the clock form,
    ``5 passed in 68.12s (0:01:08)``; both are read, and must agree.
    """
    match = _DURATION.search(line)
    assert match, f"no duration in pytest's last line: {line!r}"
    seconds = float(match["seconds"])
    if match["h"] is not None:
        clock = int(match["h"]) * 3600 + int(match["m"]) * 60 + int(match["s"])
        assert abs(clock - seconds) < 1, line
        seconds = max(seconds, float(clock))
    return seconds


def run_project_tests(project: Path) -> str:
    """Run the project's own tests as its user would; every one must pass, in budget."""
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                            cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(rf"{template_test_count()} passed in [\d.]+s( \(\d+:\d\d:\d\d\))?",
                        last), last
    assert reported_seconds(last) < PROJECT_TESTS_BUDGET_SECONDS, last
    return last


def assert_fully_rendered(project: Path) -> None:
    for path in project.rglob("*"):
        assert "{{" not in path.name and "{%" not in path.name, path
        if path.is_file() and path.suffix != ".csv":
            text = path.read_text(encoding="utf-8")
            assert "{{" not in text and "{%" not in text, path


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_the_cli_offers_the_registrys_tasks():
    assert cli.TASKS == TASKS


@pytest.mark.parametrize(("line", "seconds"), [
    ("5 passed in 1.29s", 1.29),
    ("5 passed in 12.34s", 12.34),
    ("5 passed in 68.12s (0:01:08)", 68.12),
    ("5 passed, 1 warning in 3600.50s (1:00:00)", 3600.5),
])
def test_pytests_reported_duration_is_read_in_both_forms(line, seconds):
    assert reported_seconds(line) == pytest.approx(seconds)


def test_a_duration_over_the_budget_is_caught():
    assert reported_seconds("5 passed in 75.00s (0:01:15)") > PROJECT_TESTS_BUDGET_SECONDS


def test_the_template_holds_only_what_its_user_edits():
    files = template_files("pkg")
    assert files == {
        ".gitignore", "CHECKLIST.md", "Makefile", "README.md", "mvp.yaml", "pyproject.toml",
        "data/feedback/.gitkeep", "data/raw/.gitkeep", "models/.gitkeep", "reports/.gitkeep",
        "src/pkg/__init__.py", "src/pkg/__main__.py", "src/pkg/features.py",
        "src/pkg/models.py", "tests/conftest.py", "tests/test_features.py",
        "tests/test_models.py"}
    assert template_test_count() >= 4


@pytest.mark.slow
@pytest.mark.parametrize(("task", "extras"), CASES,
                         ids=[f"{t}-{'full' if e else 'plain'}" for t, e in CASES])
def test_bake_and_run(isolated, tmp_path, task, extras):
    data = tmp_path / "table.csv"
    make_data(task).to_csv(data, index=False)
    raw = mapping_for(task, extras, data)
    mapping_file = write_mapping(tmp_path / "mvp.yaml", raw)

    result = scaffold("project", "--mapping", str(mapping_file), "--no-input")
    assert result.exit_code == 0, result.output
    project = isolated / "project"
    package = f"bake_{task}_{'full' if extras else 'plain'}"

    assert files_of(project) == expected_files(package, "table.csv")
    assert_fully_rendered(project)
    assert (project / "data/raw/table.csv").read_bytes() == data.read_bytes()
    pin = f'dependencies = ["mvpgen~={mvpgen.__version__}"]'
    assert pin in (project / "pyproject.toml").read_text(encoding="utf-8")
    record = json.loads((project / ".mvpgen.json").read_text(encoding="utf-8"))
    assert (record["mvpgen"], record["package"]) == (mvpgen.__version__, package)
    assert set(record["files"]) == template_files(package) - {
        "mvp.yaml", "data/feedback/.gitkeep", "data/raw/.gitkeep", "models/.gitkeep",
        "reports/.gitkeep"}
    for name, text in record["files"].items():
        if name not in ("README.md", "CHECKLIST.md"):  # their blocks are filled afterwards
            assert (project / name).read_text(encoding="utf-8") == text, name

    recorded = load_mapping(project / "mvp.yaml")
    raw["data"].update(path="data/raw/table.csv", rows=120, size_bytes=data.stat().st_size,
                       sha256=hashlib.sha256(data.read_bytes()).hexdigest())
    if not extras:  # proposed from the data: the one date column, the row number
        raw["data"].update(time_column="day", id_columns=["row_id"])
    assert recorded == parse_mapping(raw)[0]
    checklist = (project / "CHECKLIST.md").read_text(encoding="utf-8")
    assert "- **Requirement:** Plan store staffing from demand" in checklist
    assert ("- **Costs:**" in checklist) == (extras and task == "binary")

    run_project_tests(project)
    shown = run_project(project, "show")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[0] == raw["project"]["name"]
    assert "of the column 'outcome'" in shown.stdout

    eda = run_project(project, "eda", "--quiet")
    assert eda.returncode == 0, eda.stderr
    assert eda.stdout == ""
    summary = json.loads((project / "reports/data_quality.json").read_text(encoding="utf-8"))
    assert summary["rows"] == 120
    assert summary["target"]["task"] == task
    assert (project / "reports/eda.html").stat().st_size > 100_000

    fitted = run_project(project, "baseline", "--quiet")
    assert fitted.returncode == 0, fitted.stderr
    assert fitted.stdout == ""
    metrics = json.loads((project / "reports/metrics.json").read_text(encoding="utf-8"))
    assert metrics["schema_version"] == 2
    assert metrics["split"]["strategy"] == "time"  # declared, or proposed from the data
    assert (metrics["goal"]["verdict"], metrics["recommendation"]["code"]) == VERDICTS[task]
    trivial = ["act on all", "act on none"] if task == "binary" else []
    assert list(metrics["models"]) == ["no model", "rule", "linear model", *trivial]
    assert [m["kind"] for m in metrics["models"].values()] == [
        "trivial", "rule", "model", *["trivial"] * len(trivial)]
    # a binary task's capacity: the review budget of 25 over the 120 rows, when one is named
    capacity = metrics["capacity"]
    assert capacity == ({"per_1000": 208.333, "share": 0.208333,
                         "source": "humans.review_budget over the rows with a target"}
                        if extras and task == "binary" else None)
    expected_metrics = set(reported(task, make_data(task)["outcome"].to_numpy(),
                                    capacity and capacity["share"]))
    for name, entry in metrics["models"].items():
        assert {"kind", "description", "test", "verdict"} <= set(entry), name
        assert set(entry["test"]) == expected_metrics, name  # every metric
        assert entry["verdict"] in {"met", "not_met", "inconclusive"}, name
        assert ("cv" in entry) == (name in ("no model", "rule", "linear model")), name
        assert ("decision_threshold" in entry) == (task == "binary" and "cv" in entry), name
        assert ("rule" in entry) == (name == "rule"), name
    assert set(metrics["goal"]) == {"metric", "threshold", "verdict", "contender", "value",
                                    "ci", "message"}
    assert metrics["goal"]["metric"] == metrics["primary_metric"] == metrics_for(task)[0]
    assert metrics["leaks"]["suspects"] == []
    # the typed result reads the file back, and writes the same document again
    result = BaselineResult.from_dict(metrics)
    assert json.loads(json.dumps(result.to_dict())) == metrics
    assert ("business" in metrics and metrics["business"] is not None) == (
        extras and task == "binary")
    assert metrics["data"]["fingerprint"] == hashlib.sha256(
        (project / "data/raw/table.csv").read_bytes()).hexdigest()
    assert metrics["saved_model"] in metrics["models"]
    card = json.loads((project / "models/model.json").read_text(encoding="utf-8"))
    assert card["contender"] == metrics["saved_model"]
    assert card["trusted_types"]
    assert card["model_sha256"] == hashlib.sha256(
        (project / "models/model.skops").read_bytes()).hexdigest()

    # the human loop: review, label, feed back, learn
    reviewed = run_project(project, "review", "--quiet")
    assert reviewed.returncode == 0, reviewed.stderr
    rows = read_rows(project / "reports/review.csv")
    assert len(rows) == (25 if extras else 50)
    answer = {"binary": "yes", "multiclass": "mid", "regression": "12.5"}[task]
    for row in rows[:10]:
        row["human_label"] = answer
    filled = tmp_path / "filled.csv"
    write_rows(filled, rows)
    taken = run_project(project, "feedback", str(filled))
    assert taken.returncode == 0, taken.stderr
    assert taken.stdout.splitlines()[0] == (
        f"added 10 labels to data/feedback/labels.csv; {len(rows) - 10} cases left unlabelled")
    assert len(read_rows(project / "data/feedback/labels.csv")) == 10
    refitted = run_project(project, "baseline")
    assert refitted.returncode == 0, refitted.stderr
    assert "learnt from 10 reviewers' labels" in refitted.stdout
    metrics = json.loads((project / "reports/metrics.json").read_text(encoding="utf-8"))
    assert metrics["feedback"]["used"] == 10

    state = json.loads(run_project(project, "status", "--json").stdout)
    assert state["schema_version"] == 2
    assert state["stage"] == "feedback"
    assert state["verdict"] == metrics["goal"]["verdict"]
    assert state["recommendation"] == metrics["recommendation"]
    assert state["stale"] is None
    humans = state["questions"][3]
    budget = 25 if extras else 50
    assert humans["state"] == "evidence"  # 10 labels are not yet the review budget
    assert f"10 of {budget} rows labelled" in humans["figure"]


@pytest.mark.slow
@pytest.mark.parametrize("task", TASKS)
def test_the_template_works_with_plain_cookiecutter(tmp_path, task):
    made = subprocess.run([sys.executable, "-m", "cookiecutter", str(template_dir()),
                           "--no-input", f"task={task}", "-o", str(tmp_path)],
                          capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    assert made.stderr == ""  # the hook found mvpgen and filled the blocks
    project = tmp_path / "churn-mvp"
    assert files_of(project) == template_files("churn_mvp")  # no record: not made by mvpgen
    assert_fully_rendered(project)
    mapping = load_mapping(project / "mvp.yaml")
    assert mapping.technical.task == task
    assert mapping.technical.metric in metrics_for(task)
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "- **Requirement:** Reduce monthly customer churn" in readme
    # with the data its mapping names in place, the project's own tests run on it
    make_data(task).rename(columns={"outcome": "churned"}).to_csv(
        project / "data/raw/customers.csv", index=False)
    run_project_tests(project)


@pytest.mark.slow
def test_plain_cookiecutter_pins_the_installed_release(tmp_path):
    """The template's default pin is the release that ships it, as `mvpgen new` writes."""
    subprocess.run([sys.executable, "-m", "cookiecutter", str(template_dir()), "--no-input",
                    "-o", str(tmp_path)], check=True, capture_output=True)
    text = (tmp_path / "churn-mvp/pyproject.toml").read_text(encoding="utf-8")
    assert f'dependencies = ["mvpgen~={mvpgen.__version__}"]' in text


@pytest.mark.slow
def test_an_installed_wheel_generates_from_any_directory(tmp_path, installed_mvpgen):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(installed_mvpgen)}
    where = subprocess.run([sys.executable, "-c", "import mvpgen; print(mvpgen.__file__)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.startswith(str(installed_mvpgen))
    subprocess.run([sys.executable, "-m", "mvpgen", "new", "demo", "--example", "churn",
                    "--no-input", "--no-run"], cwd=elsewhere, env=env, check=True,
                   capture_output=True)
    project = elsewhere / "demo"
    assert files_of(project) == expected_files("churn_mvp", "customers.csv")
    assert_fully_rendered(project)
    run_project_tests(project)

"""Bake and run: generate projects across the option matrix, then run what they hold.

The matrix comes from the schema the generator uses (its tasks and metrics), so a new
task or metric is baked without touching this file.
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

from mvpgen import cli
from mvpgen.template import schema, template_dir

config = schema()
CASES = list(itertools.product(config.TASKS, [False, True]))


def make_data(task: str, rows: int = 120, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=rows)
    target = {
        "binary": np.where(x + rng.normal(size=rows) > 0, "yes", "no"),
        "multiclass": np.array(["low", "mid", "high"])[np.digitize(x, [-0.5, 0.5])],
        "regression": 100 + 20 * x + rng.normal(size=rows),
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
                      "metric": config.metrics_for(task)[0], "threshold": 0.6},
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


def expected_files(package: str, data_file: str) -> set[str]:
    """Every file of the template, rendered, plus the copied data file."""
    project = template_dir() / "{{cookiecutter.project_slug}}"
    files = {str(p.relative_to(project)).replace("{{cookiecutter.package_name}}", package)
             for p in project.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    return files | {f"data/raw/{data_file}"}


def run_project_tests(project: Path) -> str:
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                            cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ passed in [\d.]+s", last), last
    return last


def assert_fully_rendered(project: Path) -> None:
    for path in project.rglob("*"):
        assert "{{" not in path.name and "{%" not in path.name, path
        if path.is_file() and path.suffix != ".csv":
            text = path.read_text(encoding="utf-8")
            assert "{{" not in text and "{%" not in text, path


def test_the_cli_offers_the_schemas_tasks():
    assert cli.TASKS == config.TASKS


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

    files = {str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()}
    assert files == expected_files(package, "table.csv")
    assert_fully_rendered(project)

    recorded = config.load_mapping(project / "mvp.yaml")
    raw["data"].update(path="data/raw/table.csv", rows=120, size_bytes=data.stat().st_size,
                       sha256=hashlib.sha256(data.read_bytes()).hexdigest())
    if not extras:  # proposed from the data: the one date column, the row number
        raw["data"].update(time_column="day", id_columns=["row_id"])
    assert recorded == config.parse_mapping(raw)[0]
    checklist = (project / "CHECKLIST.md").read_text(encoding="utf-8")
    assert "- **Requirement:** Plan store staffing from demand" in checklist
    assert ("- **Costs:**" in checklist) == (extras and task == "binary")

    run_project_tests(project)
    shown = run_project(project, "show")
    assert shown.returncode == 0, shown.stderr
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
    metrics = json.loads((project / "reports/metrics.json").read_text(encoding="utf-8"))
    assert metrics["split"]["strategy"] == "time"  # declared, or proposed from the data
    assert metrics["goal"]["verdict"] in {"met", "not_met", "inconclusive"}
    assert set(metrics["models"]) == {"trivial", "heuristic", "linear"}
    assert ("business" in metrics) == (extras and task == "binary")

    # the human loop: review, label, feed back, learn
    reviewed = run_project(project, "review", "--quiet")
    assert reviewed.returncode == 0, reviewed.stderr
    with (project / "reports/review.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == (25 if extras else 50)
    answer = {"binary": metrics["positive_label"], "multiclass": "mid", "regression": "12.5"}[task]
    for row in rows[:10]:
        row["human_label"] = str(answer)
    filled = tmp_path / "filled.csv"
    with filled.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    taken = run_project(project, "feedback", str(filled))
    assert taken.returncode == 0, taken.stderr
    assert "added 10 labels" in taken.stdout
    assert run_project(project, "baseline", "--quiet").returncode == 0
    metrics = json.loads((project / "reports/metrics.json").read_text(encoding="utf-8"))
    assert metrics["feedback"]["used"] == 10
    state = json.loads(run_project(project, "status", "--json").stdout)
    assert state["stage"] == "feedback"
    assert state["questions"][3]["state"] == "answered"


@pytest.mark.slow
@pytest.mark.parametrize("task", config.TASKS)
def test_the_template_works_with_plain_cookiecutter(tmp_path, task):
    subprocess.run([sys.executable, "-m", "cookiecutter", str(template_dir()), "--no-input",
                    f"task={task}", "-o", str(tmp_path)], check=True, capture_output=True)
    project = tmp_path / "churn-mvp"
    assert_fully_rendered(project)
    mapping = config.load_mapping(project / "mvp.yaml")
    assert mapping.technical.task == task
    assert mapping.technical.metric in config.metrics_for(task)
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "- **Requirement:** Reduce monthly customer churn" in readme
    run_project_tests(project)


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
    files = {str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()}
    assert files == expected_files("churn_mvp", "customers.csv")
    run_project_tests(project)

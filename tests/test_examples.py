"""The bundled examples, end to end, from the installed package in a fresh folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run
from test_bake import expected_files, files_of, run_project_tests

from mvpgen.generator.catalog import list_examples

REPORTS = {"reports/eda.html", "reports/data_quality.json", "reports/metrics.json",
           "reports/baseline.html", "reports/holdout_predictions.csv", "reports/review.csv",
           "reports/review.html", "reports/history.csv", "models/model.skops",
           "models/model.json",
           # the project's lock file: held while a step writes, ignored by git (.gitignore)
           ".mvpgen.lock"}
# Seeded data, so the outcome is known: a model worth building (churn, delivery) and a
# rule about as good as the model, both straddling the goal (tickets).
EXAMPLES = {
    "churn": ("churn_mvp", "customers.csv", "Churn MVP", [
        "Recommendation: Build the model: linear model meets the goal (linear model "
        "recall_at_budget 0.367 [0.317, 0.420]) and clearly beats the rule and the trivial "
        "policies",
        "Goal recall_at_budget >= 0.3: met",
        "On 1,005 held-out rows (time split), recall_at_budget with 95 % intervals:",
        "  no model      0.203 [0.163, 0.249]  misses it",
        "  rule          0.287 [0.233, 0.337]  may meet it",
        "  linear model  0.367 [0.317, 0.420]  meets the goal",
        "  act on all    0.203 [0.163, 0.249]  misses it",
        "  act on none   0.203 [0.163, 0.249]  misses it"]),
    "delivery": ("delivery_time_mvp", "orders.csv", "Delivery time MVP", [
        "Recommendation: Build the model: linear model meets the goal (linear model mae 4.327 "
        "[4.111, 4.542]) and clearly beats the rule and the trivial policies",
        "Goal mae <= 5: met",
        "On 800 held-out rows (time split), mae with 95 % intervals:",
        "  no model      8.665 [8.165, 9.164]  misses it",
        "  rule          7.177 [6.778, 7.575]  misses it",
        "  linear model  4.327 [4.111, 4.542]  meets the goal"]),
    "tickets": ("ticket_routing_mvp", "tickets.csv", "Ticket routing MVP", [
        "Recommendation: Inconclusive: linear model accuracy 0.780 [0.744, 0.815] straddles "
        "the goal 0.8 (rule does about as well: 0.768); about 6,500 more labelled rows (about "
        "1,900 held out) would settle it",
        "Goal accuracy >= 0.8: inconclusive",
        "On 600 held-out rows (time split), accuracy with 95 % intervals:",
        "  no model      0.348 [0.311, 0.387]  misses it",
        "  rule          0.768 [0.733, 0.803]  may meet it",
        "  linear model  0.780 [0.744, 0.815]  may meet it"]),
}


def test_examples_lists_each_bundled_example():
    result = run("examples")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert [line.split()[:2] for line in lines[:-1]] == [
        ["churn", "binary"], ["delivery", "regression"], ["tickets", "multiclass"]]
    assert "(5,000 rows)" in lines[0]
    assert lines[-1] == "Try: mvpgen new my-mvp --example churn --no-input"
    assert {e.name for e in list_examples()} == set(EXAMPLES)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_example_becomes_an_evaluated_mvp(tmp_path, installed_mvpgen, name):
    package, data_file, title, verdict = EXAMPLES[name]
    env = {**os.environ, "PYTHONPATH": str(installed_mvpgen)}
    made = subprocess.run([sys.executable, "-m", "mvpgen", "new", "demo", "--example", name,
                           "--no-input"], cwd=tmp_path, env=env, capture_output=True,
                          text=True)
    assert made.returncode == 0, made.stderr
    lines = made.stdout.splitlines()
    start = lines.index(f"Created demo (package {package})")
    summary = lines[start + 1:]
    assert summary[0] == title  # the summary opens with the project's name
    assert summary[1:1 + len(verdict)] == verdict
    assert "  reports/review.html    the cases for a person to check" in summary
    assert summary[-2].startswith("Next: ")
    assert summary[-1].endswith("s; run it again with: cd demo && mvpgen run)")
    assert "baseline done in" in made.stderr  # progress, as plain lines off a terminal
    if name == "churn":  # the README shows what its first command prints, word for word
        readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
        shown = readme.split("```\nChurn MVP\n", 1)[1].split("```", 1)[0]
        assert [title, *shown.splitlines()] == summary[:-1]

    project = tmp_path / "demo"
    assert files_of(project) == expected_files(package, data_file) | REPORTS
    checklist = (project / "CHECKLIST.md").read_text(encoding="utf-8")
    assert "- [x] baseline evaluated" in checklist
    run_project_tests(project)

    # `mvpgen summary`, the project's `python -m` and `make` print the same summary again
    again = subprocess.run([sys.executable, "-m", "mvpgen", "summary"], cwd=project, env=env,
                           capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == summary[:-1]
    module = subprocess.run([sys.executable, "-m", package, "summary"], cwd=project,
                            env={**env, "PYTHONPATH": f"src{os.pathsep}{installed_mvpgen}"},
                            capture_output=True, text=True)
    assert module.returncode == 0, module.stderr
    assert module.stdout == again.stdout
    made_by_make = subprocess.run(["make", "--no-print-directory", "-s", "summary",
                                   f"PYTHON={sys.executable}"], cwd=project, env=env,
                                  capture_output=True, text=True)
    assert made_by_make.returncode == 0, made_by_make.stderr
    assert made_by_make.stdout == again.stdout

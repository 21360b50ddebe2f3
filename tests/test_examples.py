"""The bundled examples, end to end, from the installed package in a fresh folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from conftest import run
from test_bake import expected_files, run_project_tests

from mvpgen.catalog import list_examples

REPORTS = {"reports/eda.html", "reports/data_quality.json", "reports/metrics.json",
           "reports/baseline.html", "reports/holdout_predictions.csv", "reports/review.csv",
           "reports/review.html", "models/baseline.skops", "models/baseline.json"}
# Seeded data, so the verdicts are known: a clear case, a clear win, and a rule as good.
VERDICTS = {
    "churn": ("churn_mvp", "customers.csv", "Goal recall >= 0.7: met"),
    "delivery": ("delivery_time_mvp", "orders.csv", "Goal mae <= 5: met"),
    "tickets": ("ticket_routing_mvp", "tickets.csv", "Goal accuracy >= 0.8: inconclusive"),
}


def test_examples_lists_each_bundled_example():
    result = run("examples")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert [line.split()[:2] for line in lines[:-1]] == [
        ["churn", "binary"], ["delivery", "regression"], ["tickets", "multiclass"]]
    assert "(5,000 rows)" in lines[0]
    assert lines[-1] == "Try: mvpgen new my-mvp --example churn --no-input"
    assert {e.name for e in list_examples()} == set(VERDICTS)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_each_example_becomes_an_evaluated_mvp(tmp_path, installed_mvpgen, name):
    package, data_file, verdict = VERDICTS[name]
    env = {**os.environ, "PYTHONPATH": str(installed_mvpgen)}
    made = subprocess.run([sys.executable, "-m", "mvpgen", "new", "demo", "--example", name,
                           "--no-input"], cwd=tmp_path, env=env, capture_output=True,
                          text=True)
    assert made.returncode == 0, made.stderr
    summary = made.stdout.splitlines()
    verdict_line = next(line for line in summary if line.startswith("Verdict: "))
    assert re.fullmatch(rf"Verdict: {re.escape(verdict)} — linear \w+ [\d.]+ "
                        r"\[[\d.]+, [\d.]+\]", verdict_line), verdict_line
    assert "  reports/review.html    the cases for a person to check" in summary
    assert summary[-2].startswith("Next: ")
    assert "baseline done in" in made.stderr  # progress, as plain lines off a terminal

    project = tmp_path / "demo"
    files = {str(p.relative_to(project)) for p in project.rglob("*")
             if p.is_file() and "__pycache__" not in p.parts}
    assert files == expected_files(package, data_file) | REPORTS
    checklist = (project / "CHECKLIST.md").read_text(encoding="utf-8")
    assert "- [x] baseline evaluated" in checklist
    run_project_tests(project)

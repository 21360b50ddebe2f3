"""`mvpgen status`: the five questions at every stage of a real project."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import run, run_project, scaffold


def status(project: Path) -> tuple[list[str], dict]:
    text = run("status", str(project))
    assert text.exit_code == 0, text.output
    document = run("status", str(project), "--json")
    assert document.exit_code == 0, document.output
    return text.output.splitlines(), json.loads(document.output)


def states(document: dict) -> list[str]:
    return [q["state"] for q in document["questions"]]


def fill(review: Path, filled: Path, answers: dict[int, str]) -> list[dict[str, str]]:
    with review.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for index, label in answers.items():
        rows[index]["human_label"] = label
    with filled.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return rows


@pytest.mark.slow
def test_status_follows_the_churn_example_from_scaffold_to_feedback(isolated):
    assert scaffold("churn", "--example", "churn", "--no-input").exit_code == 0
    project = isolated / "churn"

    lines, document = status(project)
    assert lines[0] == "Churn MVP (stage: generated)"
    assert len(lines) == 7  # the name, five questions, the next step
    assert lines[1].startswith("1 mapping         evidence  monthly churn rate 0.08 → 0.06")
    assert lines[2] == "2 cost-effective  open      no baseline yet"
    assert lines[3] == "3 MVP steps       open      1 of 5 steps done: data collected"
    assert lines[5].startswith("5 advantage       evidence  Usage and support logs")
    assert document["schema_version"] == 1
    assert [q["key"] for q in document["questions"]] == [
        "mapping", "cost_effective", "mvp_steps", "humans_in_loop", "advantage"]
    assert document["questions"][1]["next"] == "run `python -m churn_mvp baseline`"
    assert document["next_step"] == document["questions"][1]["next"]  # open ones first
    assert lines[-1] == "next: run `python -m churn_mvp baseline`"

    assert run_project(project, "eda", "--quiet").returncode == 0
    _, document = status(project)
    assert document["stage"] == "eda"
    assert document["questions"][2]["figure"] == (
        "2 of 5 steps done: data collected, EDA produced")

    assert run_project(project, "baseline", "--quiet").returncode == 0
    metrics = json.loads((project / "reports/metrics.json").read_text(encoding="utf-8"))
    lines, document = status(project)
    assert document["stage"] == "baseline"
    low, high = metrics["confidence_intervals"]["linear"]["recall"]
    linear = metrics["models"]["linear"]["test"]["recall"]
    assert f"linear recall {linear:.3f} [{low:.3f}, {high:.3f}] vs rule" in lines[2]
    assert f"goal 0.7 {metrics['goal']['verdict'].replace('_', ' ')}" in lines[2]
    assert states(document)[3] == "evidence"  # a reviewer is named, nothing reviewed yet
    assert document["questions"][3]["next"] == "run `python -m churn_mvp review`"

    assert run_project(project, "review", "--limit", "20").returncode == 0
    lines, document = status(project)
    assert document["stage"] == "review"
    assert "20 cases out for review, no labels back yet" in lines[4]

    rows = fill(project / "reports/review.csv", isolated / "filled.csv",
                dict.fromkeys(range(10), "yes"))
    taken = run_project(project, "feedback", str(isolated / "filled.csv"))
    assert taken.returncode == 0, taken.stderr
    agreed = sum(row["prediction"] == "yes" for row in rows[:10])
    assert f"model and reviewers agree on {agreed / 10:.0%} of the 10 rows" in taken.stdout
    lines, document = status(project)
    assert document["stage"] == "feedback"
    assert states(document)[3] == "answered"
    assert f"10 rows labelled, model agrees {agreed / 10:.0%}" in lines[4]
    assert metrics["goal"]["verdict"] == "met"
    assert document["questions"][2] == {
        "number": 3, "key": "mvp_steps", "question": "How quickly do we get an MVP?",
        "state": "answered", "next": None,
        "figure": "5 of 5 steps done: data collected, EDA produced, baseline evaluated, "
                  "verdict reached, human review done"}

    checklist = (project / "CHECKLIST.md").read_text(encoding="utf-8")
    assert "- Labels so far: 10 rows labelled" in checklist
    assert "- [x] human review done" in checklist


def test_status_explains_an_invalid_mapping_instead_of_failing(isolated, churn_raw):
    project = isolated / "broken"
    project.mkdir()
    (project / "mvp.yaml").write_text("project: {name: Broken}\nbusiness: {requirement: Y}\n",
                                      encoding="utf-8")
    result = run("status", str(project))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "Broken (stage: invalid mapping)"
    assert lines[1].startswith("1 mapping         open      technical: missing")
    assert lines[2] == "2 cost-effective  open      waits for a valid mvp.yaml"
    assert lines[-1].startswith("next: fix mvp.yaml: technical: missing")


def test_status_names_a_folder_that_holds_no_project(isolated):
    result = run("status", str(isolated))
    assert result.exit_code == 2
    assert result.output.strip().endswith(
        f"Error: {isolated} holds no mvp.yaml; pass the folder `mvpgen new` created (or run "
        "`mvpgen new` to create one)")


def test_status_flags_a_vague_requirement(isolated, churn_raw):
    assert scaffold("churn", "--example", "churn", "--no-input").exit_code == 0
    mapping = isolated / "churn/mvp.yaml"
    text = mapping.read_text(encoding="utf-8")
    requirement = next(line for line in text.splitlines() if "requirement:" in line)
    mapping.write_text(text.replace(requirement, "  requirement: We want AI"),
                       encoding="utf-8")
    lines, document = status(isolated / "churn")
    assert document["questions"][0]["state"] == "open"
    assert document["next_step"].startswith("fix mvp.yaml: business.requirement:")
    assert lines[-1] == f"next: {document['next_step']}"

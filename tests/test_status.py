"""`mvpgen status`: the five questions at every stage of a real project."""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import churn_after_baseline, in_project, run, run_project, scaffold

from mvpgen.steps.status import render_status

BUILD = ("Build the model: linear model meets the goal (linear model recall_at_budget 0.367 "
         "[0.317, 0.420]) and clearly beats the rule and the trivial policies")
CONTENDERS = ("recall_at_budget: no model 0.203, rule 0.287, linear model 0.367 [0.317, 0.420]; "
              "goal 0.3 met")


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
    assert lines == [
        "Churn MVP (stage: generated)",
        "1 mapping         evidence  monthly churn rate 0.08 → 0.06; offline recall_at_budget "
        ">= 0.3 on 'churned'",
        "2 cost-effective  open      no baseline yet",
        "3 MVP steps       open      1 of 5 steps done: data collected",
        "4 humans in loop  open      Customer success team",
        "5 advantage       evidence  Usage and support logs that no competitor has, acted on "
        "within a week",
        "next: run `mvpgen baseline`"]
    assert document["schema_version"] == 2
    assert (document["recommendation"], document["verdict"], document["stale"],
            document["history"]) == (None, None, None, [])
    assert [q["key"] for q in document["questions"]] == [
        "mapping", "cost_effective", "mvp_steps", "humans_in_loop", "advantage"]
    assert document["questions"][1]["next"] == "run `mvpgen baseline`"
    assert document["next_step"] == document["questions"][1]["next"]  # open ones first

    assert run_project(project, "eda", "--quiet").returncode == 0
    _, document = status(project)
    assert document["stage"] == "eda"
    assert document["questions"][2]["figure"] == (
        "2 of 5 steps done: data collected, EDA produced")

    assert run_project(project, "baseline", "--quiet").returncode == 0
    metrics = json.loads((project / "reports/metrics.json").read_text(encoding="utf-8"))
    lines, document = status(project)
    assert document["stage"] == "baseline"
    assert lines[1] == BUILD  # the recommendation comes right after the name
    assert lines[3] == f"2 cost-effective  answered  {CONTENDERS}"
    low, high = metrics["confidence_intervals"]["linear model"]["recall_at_budget"]
    value = metrics["models"]["linear model"]["test"]["recall_at_budget"]
    assert f"linear model {value:.3f} [{low:.3f}, {high:.3f}]" in lines[3]
    assert document["recommendation"] == {"code": "build_model", "sentence": BUILD}
    assert document["recommendation"] == metrics["recommendation"]
    assert document["verdict"] == metrics["goal"]["verdict"] == "met"
    assert [h["verdict"] for h in document["history"]] == ["met"]
    assert states(document)[3] == "evidence"  # a reviewer is named, nothing reviewed yet
    assert document["questions"][3]["next"] == "run `mvpgen review`"

    assert run_project(project, "review", "--limit", "20").returncode == 0
    lines, document = status(project)
    assert document["stage"] == "review"
    assert lines[5] == ("4 humans in loop  evidence  Customer success team; 20 cases out for "
                        "review, no labels back yet")

    rows = fill(project / "reports/review.csv", isolated / "filled.csv",
                dict.fromkeys(range(10), "yes"))
    taken = run_project(project, "feedback", str(isolated / "filled.csv"))
    assert taken.returncode == 0, taken.stderr
    agreed = sum(row["prediction"] == "yes" for row in rows[:10])
    assert f"model and reviewers agree on {agreed / 10:.0%} of the 10 rows" in taken.stdout
    lines, document = status(project)
    assert document["stage"] == "feedback"
    # ten labels are not the review budget (humans.review_budget: 200)
    assert states(document)[2:4] == ["evidence", "evidence"]
    assert lines[5] == (f"4 humans in loop  evidence  Customer success team; 10 of 200 rows "
                        f"labelled, model agrees {agreed / 10:.0%}")
    assert document["questions"][2] == {
        "number": 3, "key": "mvp_steps", "question": "How quickly do we get an MVP?",
        "state": "evidence",
        "next": "label 190 more cases: run `mvpgen review` and send reports/review.html to the "
                "reviewer",
        "figure": "4 of 5 steps done: data collected, EDA produced, baseline evaluated, "
                  "verdict reached"}
    checklist = (project / "CHECKLIST.md").read_text(encoding="utf-8")
    assert "- Labels so far: 10 rows labelled" in checklist
    assert "- [ ] human review done (10 of 200 labels;" in checklist

    # the rest of the review budget: a second review skips the ten labelled rows
    second = run_project(project, "review")
    assert second.returncode == 0, second.stderr
    assert ("chose 200 of 5,000 rows of customers.csv for review; 10 already labelled were "
            "skipped") in second.stdout
    rows = fill(project / "reports/review.csv", isolated / "filled2.csv",
                dict.fromkeys(range(190), "no"))
    taken = run_project(project, "feedback", str(isolated / "filled2.csv"))
    assert taken.returncode == 0, taken.stderr
    assert taken.stdout.startswith("added 190 labels to data/feedback/labels.csv; 10 cases left "
                                   "unlabelled\n")
    lines, document = status(project)
    assert states(document)[2:4] == ["answered", "answered"]
    assert document["questions"][2] == {
        "number": 3, "key": "mvp_steps", "question": "How quickly do we get an MVP?",
        "state": "answered", "next": None,
        "figure": "5 of 5 steps done: data collected, EDA produced, baseline evaluated, "
                  "verdict reached, human review done"}
    assert lines[5].startswith("4 humans in loop  answered  Customer success team; 200 of 200 "
                               "rows labelled, model agrees ")
    checklist = (project / "CHECKLIST.md").read_text(encoding="utf-8")
    assert "- [x] human review done (200 of 200 labels;" in checklist

    # a second baseline learns from the labels and joins the history
    assert run_project(project, "baseline", "--quiet").returncode == 0
    lines, document = status(project)
    assert len(document["history"]) == 2
    assert lines[-2].startswith("verdict over the last runs: met 0.367 [0.317, 0.420] → met ")

    # an edited goal makes the evidence stale until the baseline runs again
    mapping = project / "mvp.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("threshold: 0.3",
                                                                   "threshold: 0.35"),
                       encoding="utf-8")
    lines, document = status(project)
    stale = ("mvp.yaml now asks for recall_at_budget >= 0.35; the last baseline judged "
             "recall_at_budget 0.3")
    assert document["stale"] == stale
    assert lines[1].endswith(" (stale: run the baseline again)")
    assert document["questions"][1]["state"] == "evidence"
    assert document["questions"][1]["figure"].startswith(f"stale ({stale}): ")


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
    document = json.loads(run("status", str(project), "--json").output)
    assert (document["schema_version"], document["stage"], document["recommendation"]) == (
        2, "invalid mapping", None)


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


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The churn example after one baseline, to be copied by each test."""
    return churn_after_baseline(tmp_path_factory.mktemp("evaluated"))


def copied(evaluated: Path, tmp_path: Path) -> Path:
    """Copy the project as `cp -r` does, its mvp.yaml and data then newer than the results."""
    project = tmp_path / "copy"
    shutil.copytree(evaluated, project)
    later = (project / "reports/metrics.json").stat().st_mtime + 60
    for name in ("mvp.yaml", "data/raw/customers.csv"):
        os.utime(project / name, (later, later))
    return project


def edit(project: Path, old: str, new: str) -> None:
    mapping = project / "mvp.yaml"
    text = mapping.read_text(encoding="utf-8")
    assert old in text
    mapping.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.slow
def test_a_copied_project_keeps_its_evidence(evaluated, tmp_path):
    project = copied(evaluated, tmp_path)
    lines, document = status(project)
    assert document["stale"] is None
    assert "stale" not in lines[1]
    assert document["questions"][1]["state"] == "answered"

    # Recording the data again, or rewording what only the status reads, changes no evidence.
    assert in_project(project, "check", "--record", ".").exit_code == 0
    edit(project, "acted on within a week", "acted on within two days")
    edit(project, "  deadline: 2027-03-31\n", "  deadline: 2027-06-30  # moved\n")
    assert status(project)[1]["stale"] is None

    # What the history records of mvp.yaml is what the results record.
    metrics = json.loads((project / "reports/metrics.json").read_text(encoding="utf-8"))
    with (project / "reports/history.csv").open(encoding="utf-8", newline="") as handle:
        last = list(csv.DictReader(handle))[-1]
    assert last["mapping_sha256"] == metrics["data"]["mapping_sha256"]


@pytest.mark.slow
def test_an_edited_mapping_or_data_makes_the_evidence_stale(evaluated, tmp_path):
    project = copied(evaluated, tmp_path)
    edit(project, "threshold: 0.3", "threshold: 0.35")
    _, document = status(project)
    assert document["stale"] == ("mvp.yaml now asks for recall_at_budget >= 0.35; the last "
                                 "baseline judged recall_at_budget 0.3")
    assert document["questions"][1]["next"].startswith("run `mvpgen baseline` again")
    assert document["next_step"] == document["questions"][1]["next"]  # before any other
    edit(project, "threshold: 0.35", "threshold: 0.3")
    assert status(project)[1]["stale"] is None

    edit(project, "false_positive: 40", "false_positive: 60")
    lines, document = status(project)
    assert document["stale"] == "mvp.yaml changed after the last baseline"
    assert lines[1].endswith(" (stale: run the baseline again)")
    assert document["questions"][1]["next"].startswith("run `mvpgen baseline` again")
    edit(project, "false_positive: 60", "false_positive: 40")

    data = project / "data/raw/customers.csv"
    data.write_text(data.read_text(encoding="utf-8").replace(",no\n", ",yes\n", 1),
                    encoding="utf-8")
    _, document = status(project)
    assert document["stale"] == "the data file changed after the last baseline"
    assert document["questions"][1]["next"].startswith("run `mvpgen baseline` again")


def test_the_verdict_trend_is_rounded_with_its_interval():
    state = {"project": "Churn MVP", "stage": "baseline", "recommendation": None,
             "questions": [], "next_step": None,
             "history": [{"verdict": "met", "value": "0.367164", "ci_low": "0.316981",
                          "ci_high": "0.42"},
                         {"verdict": "not_met", "value": "0.36858", "ci_low": "",
                          "ci_high": ""},
                         {"verdict": "inconclusive", "value": "", "ci_low": "",
                          "ci_high": ""}]}
    assert render_status(state).splitlines()[1] == (
        "verdict over the last runs: met 0.367 [0.317, 0.420] → not met 0.369 → inconclusive")

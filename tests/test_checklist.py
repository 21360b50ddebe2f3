"""The living checklist: every step refreshes its blocks and keeps the user's words."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from conftest import run_project, scaffold

BLOCK = re.compile(r"(<!-- mvpgen:begin (\w+) -->)(.*?)(<!-- mvpgen:end \2 -->)", re.DOTALL)


def outside_blocks(text: str) -> str:
    """Return the checklist with each block's contents cut out: the user's part."""
    return BLOCK.sub(r"\1\4", text)


def blocks(text: str) -> dict[str, str]:
    return {m.group(2): m.group(3) for m in BLOCK.finditer(text)}


def fill_review(project: Path, filled: Path) -> None:
    with (project / "reports/review.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows[:5]:
        row["human_label"] = "no"
    with filled.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.slow
def test_every_step_keeps_the_users_text_and_ticks_byte_for_byte(isolated):
    assert scaffold("churn", "--example", "churn", "--no-input").exit_code == 0
    project = isolated / "churn"
    checklist = project / "CHECKLIST.md"
    text = checklist.read_text(encoding="utf-8")
    # the user writes between the blocks, ticks a box of their own and one inside a block
    text = text.replace("## 2. Is ML cost-effective here?",
                        "Note from the KPI owner: *recall* is what we pay for.\n\n"
                        "## 2. Is ML cost-effective here?")
    text = text.replace("- [ ] The KPI owner agrees", "- [X] The KPI owner agrees")
    text += "\n## Our own questions\n\n- [x] Legal has seen the data   \n"
    checklist.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))  # a Windows editor
    users_part = outside_blocks(checklist.read_bytes().decode("utf-8"))

    steps = [("eda", "--quiet"), ("baseline", "--quiet"), ("review", "--quiet"),
             ("feedback", str(isolated / "filled.csv")), ("refresh",)]
    seen = {}
    for step in steps:
        if step[0] == "feedback":
            fill_review(project, isolated / "filled.csv")
        result = run_project(project, *step)
        assert result.returncode == 0, (step, result.stderr)
        now = checklist.read_bytes().decode("utf-8")
        assert outside_blocks(now) == users_part, step
        assert "\n" not in now.replace("\r\n", "")  # line endings kept as the user had them
        seen[step[0]] = blocks(now)
        if step[0] == "review":  # the reviewer's step done by hand, before any label
            checklist.write_bytes(now.replace("- [ ] human review done",
                                              "- [x] human review done").encode("utf-8"))

    assert "Data looked at: 5,000 rows" in seen["eda"]["eda"]
    assert seen["baseline"]["q2"].startswith(
        "\r\n- **Build the model: linear model meets the goal (linear model recall_at_budget "
        "0.367 [0.317, 0.420]) and clearly beats the rule and the trivial policies**\r\n"
        "  - no model: recall_at_budget 0.203 [0.163, 0.249] (not met)\r\n"
        "  - rule: recall_at_budget 0.287 [0.233, 0.337] (inconclusive)\r\n"
        "  - linear model: recall_at_budget 0.367 [0.317, 0.420] (met)\r\n")
    assert "- [x] verdict reached: met" in seen["baseline"]["q3"]
    assert "- [x] baseline evaluated" in seen["baseline"]["q3"]
    assert "Review set: [reports/review.csv]" in seen["review"]["q4"]
    assert "Labels so far: 5 rows labelled" in seen["feedback"]["q4"]
    # five labels are not the review budget's 200: the step does not tick the box, but
    # the person's tick stays
    assert ("- [ ] human review done (0 of 200 labels; `mvpgen review`, then `feedback`)"
            in seen["review"]["q3"])
    assert ("- [x] human review done (5 of 200 labels; `mvpgen review`, then `feedback`)"
            in seen["refresh"]["q3"])
    assert "Usage and support logs" in seen["refresh"]["q5"]


@pytest.mark.slow
@pytest.mark.parametrize("step", ["baseline", "review", "eda"])
def test_a_broken_marker_is_reported_and_the_checklist_left_alone(isolated, step):
    assert scaffold("churn", "--example", "churn", "--no-input").exit_code == 0
    project = isolated / "churn"
    if step == "review":
        assert run_project(project, "baseline", "--quiet").returncode == 0
    checklist = project / "CHECKLIST.md"
    broken = checklist.read_text(encoding="utf-8").replace("<!-- mvpgen:end q4 -->", "", 1)
    checklist.write_text(broken, encoding="utf-8")
    result = run_project(project, step, "--quiet")
    assert result.returncode == 2
    assert result.stderr.startswith("Error: CHECKLIST.md: block 'q4' is not closed before "
                                    "'q5' begins")
    assert len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert checklist.read_text(encoding="utf-8") == broken
    # the step's own results are written as a set; only the checklist is left alone
    written = {"eda": "reports/eda.html", "baseline": "reports/metrics.json",
               "review": "reports/review.csv"}[step]
    assert (project / written).is_file()


@pytest.mark.slow
def test_a_broken_marker_says_what_was_written_and_what_to_mend(isolated):
    assert scaffold("churn", "--example", "churn", "--no-input").exit_code == 0
    project = isolated / "churn"
    checklist = project / "CHECKLIST.md"
    broken = checklist.read_text(encoding="utf-8").replace("<!-- mvpgen:end q4 -->", "", 1)
    checklist.write_text(broken, encoding="utf-8")
    result = run_project(project, "baseline", "--quiet")
    assert result.returncode == 2
    assert "CHECKLIST.md was not" in result.stderr
    assert "<!-- mvpgen:end q4 -->" in result.stderr  # the marker to put back


def test_the_checklist_states_every_cost_the_mapping_gives(isolated):
    assert scaffold("churn", "--example", "churn", "--no-input").exit_code == 0
    q1 = blocks((isolated / "churn/CHECKLIST.md").read_text(encoding="utf-8"))["q1"]
    costs = next(line for line in q1.splitlines() if line.startswith("- **Costs:**"))
    assert costs.startswith("- **Costs:** a false positive costs 40, a false negative 150")
    assert "true positive" in costs and "-80" in costs

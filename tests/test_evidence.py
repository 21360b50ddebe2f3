"""The evidence names the data it was drawn from.

``mvpgen new`` records the data file's fingerprint and row count in mvp.yaml. When the
file changes afterwards, the baseline (metrics.json, its warnings, its page), the EDA
summary and ``mvpgen check`` all say so, with both fingerprints, until the new
extract is recorded with ``mvpgen check --record``.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import churn_example, run, run_project

from mvpgen.data.quality import data_changed

DATA = Path("data/raw/customers.csv")
SENTENCE = "the data is not the file mvp.yaml recorded"


def churn(isolated: Path) -> Path:
    """Generate the churn example without running a step; return the project."""
    return churn_example(isolated)


def recorded(project: Path) -> dict[str, Any]:
    """Return mvp.yaml's data section: the path, rows, size and fingerprint recorded."""
    return yaml.safe_load((project / "mvp.yaml").read_text(encoding="utf-8"))["data"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def flip_first_label(data: Path) -> None:
    """Turn the first customer's 'no' into 'yes' (or back): same rows, another file."""
    lines = data.read_text(encoding="utf-8").splitlines(keepends=True)
    values, label = lines[1].rstrip("\r\n").rsplit(",", 1)
    lines[1] = f"{values},{'yes' if label == 'no' else 'no'}\n"
    data.write_text("".join(lines), encoding="utf-8")


def append_copy_of_first_row(data: Path) -> None:
    """Add one customer: the first one's values under a new id."""
    lines = data.read_text(encoding="utf-8").splitlines(keepends=True)
    _, rest = lines[1].split(",", 1)
    data.write_text("".join(lines) + f"C999999,{rest}", encoding="utf-8")


def check(project: Path, *args: str) -> tuple[int, str]:
    """Run ``mvpgen check [ARGS] PROJECT``; return the exit code and all it printed."""
    result = run("check", *args, str(project))
    return result.exit_code, result.stdout + result.stderr


def metrics(project: Path) -> dict[str, Any]:
    return json.loads((project / "reports/metrics.json").read_text(encoding="utf-8"))


def quality(project: Path) -> dict[str, Any]:
    return json.loads((project / "reports/data_quality.json").read_text(encoding="utf-8"))


def codes(entries: list[dict[str, Any]], code: str) -> list[dict[str, Any]]:
    return [entry for entry in entries if entry["code"] == code]


def test_the_sentence_names_both_fingerprints_and_a_changed_row_count() -> None:
    now, was = "a" * 64, "b" * 64
    assert data_changed(now, now, rows=5, recorded_rows=5) is None
    assert data_changed(now, None, rows=5, recorded_rows=None) is None  # nothing recorded
    assert data_changed("", was, rows=5, recorded_rows=5) is None  # nothing read
    same_rows = data_changed(now, was, rows=5, recorded_rows=5)
    assert same_rows == (f"{SENTENCE}: fingerprint {now[:12]}… instead of {was[:12]}…; if the "
                         "new extract is meant, record it with `mvpgen check --record`")
    assert f"instead of {was[:12]}…, 5,001 rows instead of 5,000;" in data_changed(
        now, was, rows=5001, recorded_rows=5000)
    assert "rows instead of" not in data_changed(now, was, rows=5001, recorded_rows=None)


@pytest.mark.slow
def test_a_changed_data_file_is_named_until_it_is_recorded(isolated: Path) -> None:
    project = churn(isolated)
    was = recorded(project)["sha256"]
    assert was == sha256(project / DATA)
    flip_first_label(project / DATA)
    now = sha256(project / DATA)
    assert now != was

    done = run_project(project, "baseline")
    assert done.returncode == 0, done.stderr
    data = metrics(project)["data"]
    assert (data["fingerprint"], data["recorded_fingerprint"]) == (now, was)
    assert data["rows"] == data["recorded_rows"] == 5000
    [changed] = codes(metrics(project)["warnings"], "data_changed")
    message = changed["message"]
    assert message.startswith(f"{SENTENCE}: fingerprint {now[:12]}… instead of {was[:12]}…")
    assert "rows instead of" not in message  # one label flipped: as many rows as recorded
    assert message.endswith("if the new extract is meant, record it with "
                            "`mvpgen check --record`")
    assert f"  warning: {message}" in done.stdout.splitlines()
    page = html.unescape((project / "reports/baseline.html").read_text(encoding="utf-8"))
    assert message in page
    # Review and feedback read the data too, and say so in the same words.
    reviewed = run_project(project, "review", "--limit", "3")
    assert reviewed.returncode == 0, reviewed.stderr
    assert f"warning: {message}" in reviewed.stderr.splitlines()
    filled = project.parent / "filled.csv"
    with (project / "reports/review.csv").open(encoding="utf-8", newline="") as handle:
        row = next(csv.DictReader(handle))
    filled.write_text(f"row_id,human_label\n{row['row_id']},yes\n", encoding="utf-8")
    taken = run_project(project, "feedback", str(filled))
    assert taken.returncode == 0, taken.stderr
    assert f"note: {message}" in taken.stderr.splitlines()

    code, said = check(project)
    assert code == 1, said
    finding = next(line for line in said.splitlines() if line.startswith("data.sha256: "))
    assert finding.startswith(f"data.sha256: customers.csv is not the file mvp.yaml recorded "
                              f"(fingerprint {now[:12]}… instead of {was[:12]}…)")
    assert finding.endswith(f"mvpgen check --record {project.resolve()}")

    code, said = check(project, "--record")
    assert code == 0, said
    assert f"recorded customers.csv in mvp.yaml: 5,000 rows, fingerprint {now[:12]}…" in said
    assert recorded(project)["sha256"] == now
    assert recorded(project)["path"] == DATA.as_posix()  # only the record changed
    code, said = check(project)
    assert code == 0, said

    again = run_project(project, "baseline", "--quiet")
    assert again.returncode == 0, again.stderr
    assert again.stdout == ""
    data = metrics(project)["data"]
    assert data["fingerprint"] == data["recorded_fingerprint"] == now
    assert codes(metrics(project)["warnings"], "data_changed") == []
    page = html.unescape((project / "reports/baseline.html").read_text(encoding="utf-8"))
    assert SENTENCE not in page


@pytest.mark.slow
def test_the_eda_summary_carries_the_fingerprint_it_read(isolated: Path) -> None:
    project = churn(isolated)
    was = recorded(project)["sha256"]
    first = run_project(project, "eda", "--quiet")
    assert first.returncode == 0, first.stderr
    assert quality(project)["fingerprint"] == was
    assert codes(quality(project)["issues"], "data_changed") == []

    append_copy_of_first_row(project / DATA)
    now = sha256(project / DATA)
    changed = run_project(project, "eda")
    assert changed.returncode == 0, changed.stderr
    summary = quality(project)
    assert summary["fingerprint"] == now
    [issue] = codes(summary["issues"], "data_changed")
    assert issue["message"] == data_changed(now, was, rows=5001, recorded_rows=5000)
    assert "5,001 rows instead of 5,000" in issue["message"]
    assert f"  - {issue['message']}" in changed.stdout.splitlines()  # among the first issues
    assert issue["message"] in (project / "CHECKLIST.md").read_text(encoding="utf-8")

    assert check(project, "--record")[0] == 0
    again = run_project(project, "eda", "--quiet")
    assert again.returncode == 0, again.stderr
    assert quality(project)["fingerprint"] == now
    assert codes(quality(project)["issues"], "data_changed") == []

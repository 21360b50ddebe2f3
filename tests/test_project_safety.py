"""A command never tidies away another command's work in progress, and a label log a
text editor saved in another encoding is named in one line, by its line."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import holding_lock, run, scaffold
from filelock import FileLock

from mvpgen.project import Project
from mvpgen.steps.feedback import feedback_step
from mvpgen.store.lock import LOCK_FILE

IN_FLIGHT = ("reports/.metrics.json.pending", "data/feedback/.labels.csv.x.tmp")
HEADER = ("row_id,human_label,comment,model_prediction,model_score,labelled_at,received_at,"
          "source\n")


@pytest.fixture
def project(isolated: Path) -> Path:
    """A freshly made churn project (no step run)."""
    assert scaffold("demo", "--example", "churn", "--no-input", "-q").exit_code == 0
    return isolated / "demo"


@pytest.fixture
def held(project: Path) -> Iterator[FileLock]:
    """The project's lock, held as a command that is writing holds it."""
    yield from holding_lock(project)


def leave(project: Path, *relative: str) -> list[Path]:
    """Write files as a step does half-way through writing them."""
    files = [project / r for r in relative]
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("half-written", encoding="utf-8")
    return files


def filled_file(project: Path, folder: Path) -> Path:
    """A reviewer's file labelling the first customer of the data."""
    first = (project / "data/raw/customers.csv").read_text(encoding="utf-8").splitlines()[1]
    filled = folder / "filled.csv"
    filled.write_text(f"row_id,human_label\n{first.split(',')[0]},yes\n", encoding="utf-8")
    return filled


def test_status_leaves_the_files_another_command_is_writing(project: Path,
                                                           held: FileLock) -> None:
    files = leave(project, *IN_FLIGHT)
    result = run("-C", str(project), "status")
    assert result.exit_code == 0, result.output
    assert all(path.read_text(encoding="utf-8") == "half-written" for path in files)
    held.release()  # the writer was killed: the next command tidies what it left
    result = run("-C", str(project), "status")
    assert result.exit_code == 0, result.output
    assert not any(path.exists() for path in files)


def test_a_command_that_only_reads_adds_no_lock_file(project: Path) -> None:
    assert run("-C", str(project), "status").exit_code == 0
    assert not (project / LOCK_FILE).exists()


def test_feedback_says_it_waits_for_another_command(project: Path, isolated: Path) -> None:
    taken, said = threading.Event(), []

    def other_command() -> None:  # holds the lock for a second, then finishes
        with FileLock(str(project / LOCK_FILE)):
            taken.set()
            time.sleep(1.0)

    other = threading.Thread(target=other_command)
    other.start()
    assert taken.wait(10)
    result = feedback_step(Project.load(project), filled_file(project, isolated),
                           progress=said.append)
    other.join()
    assert result.added == 1
    assert said == ["another mvpgen command is writing in this project; waiting for it to "
                    "finish"]


def damaged_log(project: Path) -> bytes:
    """Write a label log whose line 3 a text editor saved in Windows-1252; return it."""
    log = project / "data/feedback/labels.csv"
    log.parent.mkdir(parents=True, exist_ok=True)
    first = "C0001,yes,,no,0.2,2024-05-01T10:00:00,2024-05-01T10:00:00,filled.csv\n"
    second = "C0002,no,café,no,0.1,2024-05-01T10:00:00,2024-05-01T10:00:00,filled.csv\n"
    log.write_bytes((HEADER + first + second + first).encode("cp1252"))
    return log.read_bytes()


@pytest.mark.parametrize("command", ["feedback", "baseline"])
def test_a_label_log_in_another_encoding_is_named_by_its_line(project: Path, isolated: Path,
                                                              command: str) -> None:
    before = damaged_log(project)
    args = ("feedback", str(filled_file(project, isolated))) if command == "feedback" \
        else ("baseline", "-q")
    result = run("-C", str(project), *args)
    assert result.exit_code == 2, result.output
    assert result.output == (
        "Error: data/feedback/labels.csv line 3 holds a byte that is not UTF-8 text (an "
        "editor saved it in another encoding); save it as UTF-8 or mend that line (every "
        "other label is kept), then run again\n")
    assert (project / "data/feedback/labels.csv").read_bytes() == before


def test_status_shows_a_project_whose_label_log_is_in_another_encoding(project: Path) -> None:
    damaged_log(project)
    # status reads a damaged log as "no labels" and answers the rest, as for any damage.
    result = run("-C", str(project), "status")
    assert result.exit_code == 0, result.output
    assert "unexpected" not in result.output

"""Two mvpgen commands in one project at once: the second waits for the first.

Each command that writes holds the project's lock file (``.mvpgen.lock``) while it
reads what it changes and writes it back, so two ``feedback`` runs both land in the
label log, and a ``baseline`` started while another command writes evaluates, says it
waits, then writes when the lock is free. A command kept waiting too long gives up in
one line.
"""

from __future__ import annotations

import csv
import functools
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import holding_lock, in_project, run, small_project, tree_digest
from filelock import FileLock

import mvpgen.steps.feedback
from mvpgen.store.labels import COLUMNS, LABELS_FILE
from mvpgen.store.lock import LOCK_FILE, project_lock

READY_SECONDS = 5  # for a feedback run to read its file and the data, and reach the lock
WAITING = "another mvpgen command is writing in this project; waiting for it to finish ..."


@pytest.fixture
def small(isolated: Path) -> Path:
    """A project on 300 rows with a baseline (seconds to make)."""
    rng = np.random.default_rng(1)
    usage = rng.normal(size=300).round(3)
    return small_project(isolated, pd.DataFrame({
        "customer_id": [f"C{i:03d}" for i in range(300)], "usage": usage,
        "plan": rng.choice(["a", "b"], 300),
        "churned": np.where(usage + rng.normal(size=300) < 0, "yes", "no")}))


def start(project: Path, *args: str, **streams: object) -> subprocess.Popen:
    """Start ``mvpgen ARGS`` in ``project`` in a process of its own; do not wait for it."""
    return subprocess.Popen([sys.executable, "-m", "mvpgen", *args], cwd=project, text=True,
                            env={**os.environ, "PYTHONIOENCODING": "utf-8"}, **streams)


def filled_files(project: Path, folder: Path, count: int, rows: int) -> list[Path]:
    """Choose ``count`` x ``rows`` cases for review and write each share, labelled, to a file."""
    assert run("-C", str(project), "review", "--limit", str(count * rows), "-q").exit_code == 0
    review = pd.read_csv(project / "reports/review.csv", dtype=str, keep_default_na=False)
    files = []
    for i in range(count):
        share = review.iloc[i * rows:(i + 1) * rows].copy()
        share["human_label"] = "yes" if i % 2 else "no"
        share["comment"] = f"batch {i}"
        files.append(folder / f"batch{i}.csv")
        share.to_csv(files[-1], index=False)
    return files


@pytest.fixture
def lock_held(small: Path) -> Iterator[FileLock]:
    """Hold the project's lock, as another mvpgen command writing would."""
    yield from holding_lock(small)


@pytest.mark.slow
def test_two_feedback_runs_at_once_both_land_in_the_log(small: Path, isolated: Path) -> None:
    files = filled_files(small, isolated, count=6, rows=10)
    for pair in (files[0:2], files[2:4], files[4:6]):  # three rounds, two at once each
        # Held while both start: freed, it has both at the lock at the same moment.
        with FileLock(str(small / LOCK_FILE)):
            started = [start(small, "feedback", str(f), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE) for f in pair]
            time.sleep(READY_SECONDS)
            # A run takes about a second: one that ignored the lock would be done by now.
            assert [process.poll() for process in started] == [None, None]
        for process in started:
            out, err = process.communicate(timeout=300)
            assert process.returncode == 0, err
            assert out.startswith("added 10 labels to data/feedback/labels.csv\n"), out
    lines = (small / LABELS_FILE).read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(COLUMNS)
    rows = list(csv.reader(lines[1:]))
    assert len(rows) == 60 and all(len(row) == len(COLUMNS) for row in rows)
    # Each batch is whole and in one piece: its ten lines side by side, none from another.
    batches = [row[COLUMNS.index("comment")] for row in rows]
    assert sorted(batches[::10]) == [f"batch {i}" for i in range(6)]
    assert all(batches[i] == batches[i - i % 10] for i in range(60)), batches
    expected = pd.concat(pd.read_csv(f, dtype=str, keep_default_na=False) for f in files)
    assert sorted((row[0], row[1]) for row in rows) == sorted(
        zip(expected["row_id"], expected["human_label"], strict=True))


@pytest.mark.slow
def test_a_baseline_waits_for_the_lock_to_write_and_says_so_once(small: Path, isolated: Path,
                                                        lock_held: FileLock) -> None:
    before = tree_digest(small / "reports")
    err = isolated / "baseline.err"
    with err.open("w", encoding="utf-8") as sink:
        waiting = start(small, "baseline", stdout=subprocess.DEVNULL, stderr=sink)
    try:
        deadline = time.monotonic() + 120
        while WAITING not in err.read_text(encoding="utf-8") and time.monotonic() < deadline:
            assert waiting.poll() is None, err.read_text(encoding="utf-8")
            time.sleep(0.2)
        time.sleep(1)  # long enough to start writing, which it must not
        assert waiting.poll() is None
        # The evaluation ran; the writing waits, said once, as the last line so far.
        said = err.read_text(encoding="utf-8").splitlines()
        assert said[-1] == WAITING and said.count(WAITING) == 1
        assert "Writing the report ..." not in said
        assert tree_digest(small / "reports") == before
    finally:
        lock_held.release()
    assert waiting.wait(timeout=300) == 0, err.read_text(encoding="utf-8")
    said = err.read_text(encoding="utf-8").splitlines()
    assert said.count(WAITING) == 1
    assert said.index("Writing the report ...") > said.index(WAITING)
    assert tree_digest(small / "reports") != before


@pytest.mark.slow
def test_a_command_kept_waiting_too_long_gives_up_in_one_line(
        small: Path, isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    [filled] = filled_files(small, isolated, count=1, rows=3)
    # The wait is ten minutes and no setting changes it; the test waits one second.
    monkeypatch.setattr(mvpgen.steps.feedback, "project_lock",
                        functools.partial(project_lock, wait=1))
    before = tree_digest(small)
    with FileLock(str(small / LOCK_FILE)):
        result = in_project(small, "feedback", str(filled))
    assert result.exit_code == 2
    root = small.resolve()
    # It says once that it waits, then gives up in one line.
    assert result.stderr == (f"{WAITING}\nError: another mvpgen command has been writing in "
                             f"{root} for over 1 s; wait for it, or if none is running, delete "
                             f"{root / LOCK_FILE}\n")
    assert result.stdout == ""
    assert tree_digest(small) == before

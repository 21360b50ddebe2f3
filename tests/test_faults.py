"""A killed step leaves the old files or the new ones, never a mix, and no leftovers.

Each step runs in a process of its own that is killed hard (SIGKILL, no clean-up) at
one of its write points; the next command finishes or discards what was interrupted.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import run, scaffold

FAULTS = Path(__file__).with_name("faults.py")
BASELINE_SET = ("reports/metrics.json", "reports/baseline.html",
                "reports/holdout_predictions.csv", "reports/history.csv",
                "models/model.skops", "models/model.json")


def killed(project: Path, at: int, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(FAULTS), str(at), "-C", str(project), *args],
                          capture_output=True, text=True)


def digests(project: Path, files: tuple[str, ...]) -> dict[str, str | None]:
    return {name: hashlib.sha256((project / name).read_bytes()).hexdigest()
            if (project / name).exists() else None for name in files}


def leftovers(project: Path) -> list[str]:
    return sorted(str(p.relative_to(project)) for p in project.rglob(".*")
                  if p.is_file() and (p.name.endswith((".pending", ".tmp"))
                                      or p.name == ".mvpgen-journal.json"))


def labels(log: Path) -> list[tuple[str, str]]:
    """Return the log's (row id, label) pairs; the times differ run to run."""
    table = pd.read_csv(log, dtype=str, keep_default_na=False)
    return sorted(zip(table["row_id"], table["human_label"], strict=True))


def write_points(project: Path, *args: str) -> int:
    dry = killed(project, 0, *args)
    assert dry.returncode == 0, dry.stderr
    return int(re.search(r"write points: (\d+)", dry.stderr).group(1))


@pytest.fixture
def small(isolated: Path) -> Path:
    rng = np.random.default_rng(0)
    rows = 400
    x = rng.normal(size=rows)
    frame = pd.DataFrame({"customer_id": [f"C{i}" for i in range(rows)],
                          "usage": x.round(3), "plan": rng.choice(["a", "b"], rows),
                          "churned": np.where(x + rng.normal(size=rows) < 0, "yes", "no")})
    frame.to_csv(isolated / "small.csv", index=False)
    raw = {"project": {"name": "Small"},
           "business": {"requirement": "Keep customers longer", "kpi": "churn",
                        "current": 0.3, "goal": 0.2},
           "technical": {"task": "binary", "target": "churned", "positive_label": "yes",
                         "metric": "roc_auc", "threshold": 0.6},
           "data": {"path": str(isolated / "small.csv"), "id_columns": ["customer_id"]},
           "settings": {"bootstrap_resamples": 200, "eda": "off"}}
    (isolated / "small.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    assert scaffold("small", "--mapping", str(isolated / "small.yaml"), "--no-input",
                    "-q").exit_code == 0
    project = isolated / "small"
    assert run("-C", str(project), "baseline", "-q").exit_code == 0
    return project


@pytest.mark.slow
def test_a_baseline_killed_at_any_write_point_leaves_one_set(small: Path,
                                                             isolated: Path) -> None:
    old = digests(small, BASELINE_SET)
    # The next run reads fewer rows, so every file of its set differs from the old one.
    copy = small / "data/raw/small.csv"
    pd.read_csv(copy).iloc[:350].to_csv(copy, index=False)
    before = isolated / "before"
    shutil.copytree(small, before)
    points = write_points(small, "baseline", "-q")
    new = digests(small, BASELINE_SET)
    assert all(new[name] != old[name] for name in BASELINE_SET)
    assert points >= 2 * len(BASELINE_SET)
    for at in range(1, points + 1):
        shutil.rmtree(small)  # every attempt starts from the same project
        shutil.copytree(before, small)
        result = killed(small, at, "baseline", "-q")
        assert result.returncode == -9, (at, result.stderr)
        assert run("-C", str(small), "status").exit_code == 0  # finishes or discards
        now = digests(small, BASELINE_SET)
        from_old = [name for name in BASELINE_SET if now[name] == old[name]]
        assert from_old in ([], list(BASELINE_SET)), (at, from_old)
        assert leftovers(small) == [], at


@pytest.mark.slow
def test_feedback_killed_at_any_write_point_keeps_the_log_whole(small: Path,
                                                                isolated: Path) -> None:
    assert run("-C", str(small), "review", "--limit", "5", "-q").exit_code == 0
    review = pd.read_csv(small / "reports/review.csv", dtype=str, keep_default_na=False)
    review["human_label"] = "yes"
    review.to_csv(isolated / "filled.csv", index=False)
    log = small / "data/feedback/labels.csv"
    points = write_points(small, "feedback", str(isolated / "filled.csv"))
    full = labels(log)
    assert len(full) == 5
    for at in range(1, points + 1):
        log.unlink(missing_ok=True)
        killed(small, at, "feedback", str(isolated / "filled.csv"))
        assert not log.exists() or labels(log) == full, at
        assert run("-C", str(small), "status").exit_code == 0
        assert leftovers(small) == [], at

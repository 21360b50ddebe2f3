"""A killed step leaves the old files or the new ones, never a mix, and no leftovers.

Each step runs in a process of its own that is killed hard (SIGKILL, no clean-up) at
one of its write points; the next command finishes or discards what was interrupted.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import run, small_project

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


# skops names the arrays of a model file after the objects' memory addresses (or a
# random uuid), which differ from run to run.
_RUN_IDS = re.compile(r'(?<="__id__": )\d+|\b\d+(?=\.npy\b)'
                      r"|\b[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}(?=\.bin\b)")


def model_digest(path: Path) -> str:
    """Return a digest of a skops file's content: its schema and arrays, not their names."""
    with zipfile.ZipFile(path) as archive:
        names: dict[str, int] = {}

        def numbered(match: re.Match) -> str:
            return f"id{names.setdefault(match.group(), len(names))}"

        schema = _RUN_IDS.sub(numbered, archive.read("schema.json").decode("utf-8"))
        digest = hashlib.sha256(schema.encode())
        for name, member in sorted((_RUN_IDS.sub(numbered, m), m) for m in archive.namelist()
                                   if m != "schema.json"):
            digest.update(name.encode() + b"\0" + archive.read(member))
    return digest.hexdigest()


def without(text: str, key: str) -> str:
    """Return JSON text with every ``key`` dropped, however deep."""
    def drop(value):
        if isinstance(value, dict):
            return {k: drop(v) for k, v in value.items() if k != key}
        return [drop(v) for v in value] if isinstance(value, list) else value
    return json.dumps(drop(json.loads(text)), sort_keys=True)


def baseline_set(project: Path) -> dict[str, str | None]:
    """Return a digest of each file a baseline writes, alike for two runs on the same data.

    Two runs differ only in how long each fit took and in the model file's internal
    names (the harness freezes the clock the run is stamped with); both are left out.
    The model card names the model file's exact bytes, so a card and a model file from
    different runs still show.
    """
    out = digests(project, BASELINE_SET)
    readers = {"reports/metrics.json": lambda p: without(p.read_text("utf-8"), "fit_seconds"),
               "models/model.json": lambda p: without(p.read_text("utf-8"), "model_sha256"),
               "models/model.skops": model_digest}
    for name, read in readers.items():
        if out[name] is not None:
            out[name] = hashlib.sha256(str(read(project / name)).encode()).hexdigest()
    card, model = project / "models/model.json", project / "models/model.skops"
    if card.exists() and model.exists():
        named = json.loads(card.read_text(encoding="utf-8"))["model_sha256"]
        out["card names the model file"] = str(
            named == hashlib.sha256(model.read_bytes()).hexdigest())
    return out


def leftovers(project: Path) -> list[str]:
    return sorted(str(p.relative_to(project)) for p in project.rglob(".*")
                  if p.is_file() and (p.name.endswith((".pending", ".tmp"))
                                      or p.name == ".mvpgen-journal.json"))


def labels(log: Path) -> list[tuple[str, str]]:
    """Return the log's (row id, label) pairs; the times differ run to run."""
    return labels_of(log.read_bytes())


def labels_of(text: bytes) -> list[tuple[str, str]]:
    """Return the (row id, label) pairs of a label log's content, sorted."""
    table = pd.read_csv(io.BytesIO(text), dtype=str, keep_default_na=False)
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
    return small_project(isolated, pd.DataFrame({
        "customer_id": [f"C{i}" for i in range(rows)], "usage": x.round(3),
        "plan": rng.choice(["a", "b"], rows),
        "churned": np.where(x + rng.normal(size=rows) < 0, "yes", "no")}))


@pytest.mark.slow
def test_a_baseline_killed_at_any_write_point_leaves_one_set(small: Path,
                                                             isolated: Path) -> None:
    old = baseline_set(small)
    # The next run reads fewer rows, so every file of its set differs from the old one.
    copy = small / "data/raw/small.csv"
    pd.read_csv(copy).iloc[:350].to_csv(copy, index=False)
    before = isolated / "before"
    shutil.copytree(small, before)
    points = write_points(small, "baseline", "-q")
    new = baseline_set(small)
    assert all(new[name] != old[name] for name in BASELINE_SET)
    assert old["card names the model file"] == new["card names the model file"] == "True"
    assert points >= 2 * len(BASELINE_SET)
    outcomes = []
    for at in range(1, points + 1):
        shutil.rmtree(small)  # every attempt starts from the same project
        shutil.copytree(before, small)
        result = killed(small, at, "baseline", "-q")
        assert result.returncode == -9, (at, result.stderr)
        assert run("-C", str(small), "status").exit_code == 0  # finishes or discards
        now = baseline_set(small)
        # Every file is there, each the old one or the new one, and all from one run.
        assert now in (old, new), (at, {name: ("old" if now[name] == old[name] else
                                               "new" if now[name] == new[name] else now[name])
                                        for name in now})
        outcomes.append("old" if now == old else "new")
        assert leftovers(small) == [], at
    assert {"old", "new"} <= set(outcomes), outcomes  # kills before and after the switch


def filled_review(project: Path, filled: Path) -> Path:
    """Choose five cases for review, label them all 'yes' and save them to ``filled``."""
    assert run("-C", str(project), "review", "--limit", "5", "-q").exit_code == 0
    review = pd.read_csv(project / "reports/review.csv", dtype=str, keep_default_na=False)
    review["human_label"] = "yes"
    review.to_csv(filled, index=False)
    return filled


@pytest.mark.slow
@pytest.mark.parametrize("earlier", [False, True], ids=["no-log-yet", "an-earlier-batch"])
def test_feedback_killed_at_any_write_point_keeps_the_log_whole(small: Path, isolated: Path,
                                                                earlier: bool) -> None:
    log = small / "data/feedback/labels.csv"
    if earlier:
        first = filled_review(small, isolated / "earlier.csv")
        assert run("-C", str(small), "feedback", str(first)).exit_code == 0
    kept = log.read_bytes() if earlier else None
    filled = filled_review(small, isolated / "filled.csv")  # five cases not labelled yet
    points = write_points(small, "feedback", str(filled))
    full = labels(log)
    assert len(full) == (10 if earlier else 5)
    for at in range(1, points + 1):
        if kept is None:
            log.unlink(missing_ok=True)
        else:
            log.write_bytes(kept)
        killed(small, at, "feedback", str(filled))
        if kept is None:
            assert not log.exists() or labels(log) == full, at
        else:
            # The earlier batch is there, byte for byte, with the new one whole or absent.
            assert log.read_bytes().startswith(kept), at
            assert labels(log) in (labels_of(kept), full), at
        assert run("-C", str(small), "status").exit_code == 0
        assert leftovers(small) == [], at

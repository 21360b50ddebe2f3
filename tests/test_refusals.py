"""What a user's own machine can hand a project: read-only folders, devices and pipes,
file names that read like shell code, result files damaged or edited by hand.

Each is refused at once in one line with exit code 2, or shown as a step to run again;
never a traceback, never exit code 3, and nothing in the project changes.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import in_project, run, tree_digest, write_mapping

pytestmark = pytest.mark.slow  # every test here works on a project with a baseline

BUSINESS = {"requirement": "Keep customers who would leave, by calling them first",
            "kpi": "monthly churn rate", "current": 0.1, "goal": 0.08}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A project on 120 rows with a baseline and a review set (seconds to make)."""
    folder = tmp_path_factory.mktemp("refusals")
    rng = np.random.default_rng(3)
    usage = rng.normal(size=120).round(3)
    pd.DataFrame({"customer_id": [f"C{i:03d}" for i in range(120)],
                  "plan": rng.choice(["basic", "pro"], 120), "usage": usage,
                  "churned": np.where(usage + rng.normal(0, 1, 120) < 0, "yes", "no"),
                  }).to_csv(folder / "customers.csv", index=False)
    business = write_mapping(folder / "business.yaml", {"business": BUSINESS})
    here = os.getcwd()
    os.chdir(folder)
    try:
        made = run("new", "demo", "--mapping", str(business), "--data",
                   str(folder / "customers.csv"), "--target", "churned", "--metric", "roc_auc",
                   "--threshold", "0.6", "--id-columns", "customer_id", "--no-input",
                   "--no-run", "-q")
        assert made.exit_code == 0, made.output
    finally:
        os.chdir(here)
    project = folder / "demo"
    for step in (("baseline", "-q"), ("review", "--limit", "5", "-q")):
        done = subprocess.run([sys.executable, "-m", "mvpgen", *step], cwd=project,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    yield project


def mvpgen(project: Path, *args: str, as_user: bool = False) -> subprocess.CompletedProcess:
    """Run ``mvpgen ARGS`` in ``project``; a hang fails the test instead of stalling it.

    With ``as_user``, run it as a user whom file permissions bind: root is not, so as
    root the command runs without the capability that overrides them.
    """
    prefix = []
    if as_user and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("as root, permissions bind only without CAP_DAC_OVERRIDE (setpriv)")
        prefix = [setpriv, "--bounding-set=-dac_override"]
    return subprocess.run([*prefix, sys.executable, "-m", "mvpgen", *args], cwd=project,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def read_only(*folders: Path) -> None:
    for folder in folders:
        for path in [folder, *folder.rglob("*")]:
            path.chmod(stat.S_IMODE(path.stat().st_mode) & ~0o222)


def writable(*folders: Path) -> None:
    for folder in folders:
        for path in [folder, *folder.rglob("*")]:
            path.chmod(stat.S_IMODE(path.stat().st_mode) | stat.S_IWUSR)


def filled_review(project: Path, target: Path) -> Path:
    review = pd.read_csv(project / "reports/review.csv", dtype=str, keep_default_na=False)
    review.loc[0, "human_label"] = "yes"
    review.to_csv(target, index=False)
    return target


# --- a read-only project --------------------------------------------------------------------


def test_a_read_only_reports_folder_is_refused_before_the_work(small: Path, tmp_path: Path):
    reports = small / "reports"
    before = tree_digest(small)
    refusal = (f"{reports} is read-only, so nothing can be written there; make it writable "
               f"(chmod -R u+w {reports}) and run the command again; nothing was changed")
    read_only(reports)
    try:
        for step in ("eda", "baseline", "review"):
            result = mvpgen(small, step, as_user=True)
            assert result.returncode == 2, result.stderr
            # One line, and no progress before it: refused before reading any data.
            assert result.stderr.splitlines() == [f"Error: {refusal}"]
        result = mvpgen(small, "run", as_user=True)
        assert result.returncode == 2
        assert result.stderr.splitlines()[-1] == (
            f"Error: the eda step failed: {refusal}; once fixed, run it again with `mvpgen "
            "eda`, then the rest with `mvpgen run`")
        assert "Traceback" not in result.stderr
        # Reading goes on as before: the summary and the status need no writing.
        for reading in ("summary", "status"):
            assert mvpgen(small, reading, as_user=True).returncode == 0
    finally:
        writable(reports)
    assert tree_digest(small) == before


def test_a_read_only_project_is_refused_in_one_line(small: Path, tmp_path: Path):
    before = tree_digest(small)
    filled = filled_review(small, tmp_path / "filled.csv")
    out = tmp_path / "locked"
    out.mkdir()
    read_only(small, out)
    try:
        refusal = (f"Error: {small} is read-only, so nothing can be written there; make it "
                   f"writable (chmod -R u+w {small}) and run the command again; nothing was "
                   "changed")
        for args in (("eda",), ("baseline",), ("review",), ("feedback", str(filled))):
            result = mvpgen(small, *args, as_user=True)
            assert (result.returncode, result.stderr) == (2, refusal + "\n"), args
        # Writing elsewhere: the system's refusal, said in one line, not as a crash.
        result = mvpgen(small, "predict", "data/raw/customers.csv", str(out / "p.csv"),
                        as_user=True)
        assert result.returncode == 2
        assert result.stderr.splitlines()[-1] == (
            f"Error: permission denied on {out}; give yourself access to it (e.g. chmod -R "
            f"u+rwX {out}), then run the command again; nothing was left half-written")
    finally:
        writable(small, out)
    assert tree_digest(small) == before
    assert list(out.iterdir()) == []


# --- devices and pipes -------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
@pytest.mark.parametrize("command", [
    ("feedback", "{device}"),
    ("predict", "{device}", "{tmp}/out.csv"),
    ("review", "--data", "{device}"),
    ("init", "{tmp}/m.yaml", "--data", "{device}"),
])
@pytest.mark.parametrize("device", ["/dev/zero", "pipe.csv"])
def test_a_device_or_a_pipe_is_refused_at_once(small: Path, tmp_path: Path, command, device):
    place = tmp_path / "place"
    place.mkdir()
    if device == "pipe.csv":
        device = str(place / "pipe.csv")
        os.mkfifo(device)  # no writer ever comes
    before = tree_digest(small)
    args = [a.replace("{device}", device).replace("{tmp}", str(place)) for a in command]
    result = mvpgen(small, *args)  # waits at most 120 s: a hang fails the test
    assert result.returncode == 2
    expected = (f"{device} is not a file; pass the CSV downloaded from reports/review.html"
                if command[0] == "feedback" else
                f"{device} is not a regular file (a device or a pipe); save the data to a file")
    assert result.stderr.splitlines()[-1] == f"Error: {expected}"
    assert "Traceback" not in result.stderr
    assert tree_digest(small) == before
    assert sorted(p.name for p in place.iterdir()) == (["pipe.csv"] if "pipe" in device
                                                       else [])


# --- names that read like shell code -----------------------------------------------------


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_hands_file_names_over_as_they_are(small: Path, tmp_path: Path):
    """FILE, IN and OUT reach mvpgen as names: neither make nor the shell runs them."""
    marker = tmp_path / "pwned"
    names = [f"x; touch {marker}", f"$(shell touch {marker})", f"${{shell touch {marker}}}",
             f"`touch {marker}`", f"$$(touch {marker})", f"'; touch {marker}; '",
             f"\"; touch {marker}; \""]
    before = tree_digest(small)
    for name in names:
        make = [shutil.which("make"), "-s", f"PYTHON={sys.executable}"]
        result = subprocess.run([*make, "feedback", f"FILE={name}"], cwd=small,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 2
        assert (f"Error: {name} is not a file; pass the CSV downloaded from "
                "reports/review.html") in result.stderr.splitlines()
        result = subprocess.run([*make, "predict", f"IN={name}", f"OUT={name}.csv"],
                                cwd=small, capture_output=True, text=True, timeout=120)
        assert result.returncode == 2
        assert f"Error: data file {name} does not exist; check data.path in mvp.yaml" in \
            result.stderr.splitlines()
    assert not marker.exists()
    assert tree_digest(small) == before
    # An ordinary name with a space still works.
    filled = filled_review(small, tmp_path / "my review.csv")
    result = subprocess.run([shutil.which("make"), "-s", f"PYTHON={sys.executable}",
                             "feedback", f"FILE={filled}"], cwd=small, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "added 1 label to data/feedback/labels.csv" in result.stdout
    (small / "data/feedback/labels.csv").unlink()


# --- results damaged or edited by hand ---------------------------------------------------


def _set(document: dict, path: tuple, value: object) -> dict:
    document = json.loads(json.dumps(document))
    *parents, last = path
    here = document
    for key in parents:
        here = here[key]
    if value is KeyError:
        del here[last]
    else:
        here[last] = value
    return document


TAMPERED = [
    ("garbage", b"garbage\x00\xff", "reports/metrics.json is damaged (not a JSON document of "
     "results); run the baseline step again to write it anew"),
    ("truncated", 200, "reports/metrics.json is damaged (not a JSON document of results); "
     "run the baseline step again to write it anew"),
    ("a list", [1, 2], "reports/metrics.json is damaged (not a JSON document of results); "
     "run the baseline step again to write it anew"),
    ("another schema", (("schema_version",), 1), "reports/metrics.json was written by another "
     "version of mvpgen (schema 1); run the baseline step again"),
    ("a verdict that is a number", (("goal", "verdict"), 7), "TypeError: goal.verdict holds "
     "'7', not one of met, not_met, inconclusive, trivially_met, suspect_leak"),
    ("scores that are text", (("models", "rule", "test"), "high"), "TypeError: "
     "models.rule.test holds str 'high'"),
    ("a value that is text", (("models", "rule", "test", "roc_auc"), "0.9"), "TypeError: "
     "models.rule.test.roc_auc holds str '0.9'"),
    ("an interval cut short", (("confidence_intervals", "rule", "roc_auc"), [0.5]),
     "TypeError: confidence_intervals.rule is not an interval [low, high]"),
    ("no held-out rows", (("split", "test_rows"), KeyError), "KeyError: 'test_rows'"),
    ("an unknown metric", (("primary_metric",), "auc"), "TypeError: primary_metric holds "
     "'auc', not one of"),
    ("a policy without its words", (("defer", "proposed"), {}), "KeyError: "
     "'review_per_1000'"),
]


@pytest.mark.parametrize(("damage", "change", "problem"), TAMPERED,
                         ids=[t[0] for t in TAMPERED])
def test_damaged_results_are_a_step_to_run_again(small: Path, damage, change, problem):
    metrics = small / "reports/metrics.json"
    original = metrics.read_bytes()
    good = json.loads(original)
    if isinstance(change, bytes):
        metrics.write_bytes(change)
    elif isinstance(change, int):
        metrics.write_bytes(original[:change])
    elif isinstance(change, list):
        metrics.write_text(json.dumps(change), encoding="utf-8")
    else:
        if change[0] == ("defer", "proposed") and not good.get("defer"):
            good["defer"] = {"message": "people review the least sure cases"}
        metrics.write_text(json.dumps(_set(good, *change)), encoding="utf-8")
    try:
        for command in (("status",), ("summary",)):
            result = in_project(small, *command)
            assert result.exit_code == 0, result.output
            assert problem in result.stdout
        status = in_project(small, "status")
        assert "2 cost-effective  open" in status.stdout
        assert status.stdout.splitlines()[-1] == "next: run `mvpgen baseline`"
        document = json.loads(in_project(small, "status", "--json").stdout)
        assert document["next_step"] == "run `mvpgen baseline`"
        assert in_project(small, "summary").stdout.splitlines()[-1] == \
            "Next: run `mvpgen baseline`"
    finally:
        metrics.write_bytes(original)

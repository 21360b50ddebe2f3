"""`mvpgen new` with data runs the generated project's own pipeline, with progress."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import tree_digest

BUSINESS = """\
project: {name: Sales}
business:
  requirement: Forecast weekly store sales to plan stock
  kpi: stock-outs per week
  current: 12
  goal: 6
technical: {task: regression, target: sales, metric: METRIC, threshold: THRESHOLD}
"""


def sales_project_inputs(folder: Path, metric: str = "mae", threshold: float = 5.0,
                         zeros: int = 0) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    rows = 300
    x = rng.normal(size=rows)
    # noisy enough that the leak screen does not take x alone for the answer (R² about 0.8)
    sales = np.round(50 + 10 * x + rng.normal(scale=5, size=rows), 1)
    sales[:zeros] = 0
    data = folder / "sales.csv"
    pd.DataFrame({"x": x, "region": rng.choice(["a", "b"], rows), "sales": sales}).to_csv(
        data, index=False)
    mapping = folder / "business.yaml"
    mapping.write_text(BUSINESS.replace("METRIC", metric).replace("THRESHOLD", str(threshold)),
                       encoding="utf-8")
    return mapping, data


def mvpgen(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mvpgen", *args], cwd=folder,
                          capture_output=True, text=True)


MAPE_WITH_ZEROS = ("sales.csv: mape divides by the target, but 'sales' holds zeros or "
                   "negative values; choose mae, rmse or r2 in mvp.yaml")


@pytest.mark.slow
@pytest.mark.parametrize(("eda", "step"), [("quick", "eda"), ("off", "baseline")])
def test_a_failing_step_keeps_the_project_and_names_the_rerun(isolated, eda, step):
    mapping, data = sales_project_inputs(isolated, metric="mape", threshold=0.2, zeros=3)
    before = tree_digest(isolated)
    result = mvpgen(isolated, "new", "demo", "--mapping", str(mapping), "--data", str(data),
                    "--no-input", "--eda", eda)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    # the first step that reads the target refuses it, and is the one to run again
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: the {step} step failed: {MAPE_WITH_ZEROS} — the project is kept in demo; "
        f"once fixed, run `cd demo && mvpgen {step}` then `mvpgen run`")
    assert result.stdout.splitlines()[-1] == "Created demo (package sales)"
    project = isolated / "demo"
    assert (project / "mvp.yaml").is_file()  # the answers are not lost
    assert (project / "data/raw/sales.csv").read_bytes() == data.read_bytes()
    assert [p.name for p in (project / "reports").iterdir()] == [".gitkeep"]  # nothing half
    assert {k: v for k, v in tree_digest(isolated).items() if not k.startswith("demo/")} == \
        before  # the inputs are unchanged


@pytest.mark.slow
def test_options_choose_what_runs_and_what_is_said(isolated):
    mapping, data = sales_project_inputs(isolated)
    scaffold = mvpgen(isolated, "new", "only", "--mapping", str(mapping), "--data", str(data),
                      "--no-input", "--no-run")
    assert scaffold.returncode == 0, scaffold.stderr
    assert scaffold.stdout.splitlines()[-1] == (
        "Next: cd only && mvpgen run    # EDA, baseline, review")
    assert [p.name for p in (isolated / "only/reports").iterdir()] == [".gitkeep"]

    quiet = mvpgen(isolated, "new", "quiet", "--mapping", str(mapping), "--data", str(data),
                   "--no-input", "--quiet", "--eda", "off")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""
    lines = quiet.stdout.splitlines()
    assert lines[0] == "Created quiet (package sales)"
    assert lines[1] == "Sales"
    assert lines[2:8] == [
        "Recommendation: Build the model: linear model meets the goal (linear model mae 3.674 "
        "[2.945, 4.402]) and clearly beats the rule and the trivial policies",
        "Goal mae <= 5: met",
        "On 60 held-out rows (random split), mae with 95 % intervals:",
        "  no model      10.367 [8.218, 12.506]  misses it",
        "  rule          7.315 [5.805, 8.824]  misses it",
        "  linear model  3.674 [2.945, 4.402]  meets the goal"]
    assert not (isolated / "quiet/reports/eda.html").exists()
    assert (isolated / "quiet/reports/review.html").exists()
    assert "reports/eda.html" not in quiet.stdout


@pytest.mark.slow
def test_a_terminal_sees_one_redrawn_line_per_step(isolated):
    mapping, data = sales_project_inputs(isolated)
    main, secondary = pty.openpty()
    child = subprocess.Popen([sys.executable, "-m", "mvpgen", "new", "tty", "--mapping",
                              str(mapping), "--data", str(data), "--no-input", "--eda", "off"],
                             cwd=isolated, stdout=subprocess.DEVNULL, stderr=secondary,
                             env={**os.environ, "COLUMNS": "120"})
    os.close(secondary)
    seen = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    assert child.wait() == 0
    os.close(main)
    text = seen.decode("utf-8")
    assert "\r\x1b[K[1/2] baseline: Fitting 3 contenders on 240 rows, holding out 60" in text
    assert "\r\x1b[K[2/2] review: Scoring 300 rows with the saved model" in text
    assert "baseline done in " in text
    assert "\nbaseline: " not in text  # no plain progress lines in a terminal


@pytest.mark.parametrize(("population", "said"), [
    (None, "200,000 held-out rows"),
    ({"holdout_rows": 200_000}, "200,000 held-out rows"),
    ({"holdout_rows": 4_019_018}, "a random sample of 200,000 of the 4,019,018 held-out rows"),
])
def test_the_summary_says_when_the_holdout_measured_is_a_sample(population, said):
    from types import SimpleNamespace

    from mvpgen.evaluation.result import held_out_words

    result = SimpleNamespace(split={"test_rows": 200_000},
                             data={"population": population} if population else {})
    assert held_out_words(result) == said


def test_overlapping_steps_each_close_on_their_own_done_line():
    import io

    from mvpgen.generator.pipeline import _Display

    out = io.StringIO()
    display = _Display(out, ["eda", "baseline", "review"], quiet=False)
    for step, message in [("eda", "Reading data.csv"), ("baseline", "Reading data.csv"),
                          ("eda", "Profiling a sample"), ("baseline", "done"),
                          ("review", "Scoring 300 rows"), ("eda", "done"),
                          ("review", "done")]:
        display.show(step, message)
    display.finish(failed=False)
    lines = out.getvalue().splitlines()
    # Plain lines in the order heard; a step is done only when it says so.
    assert lines[:3] == ["eda: Reading data.csv", "baseline: Reading data.csv",
                         "eda: Profiling a sample"]
    assert [line.split(" done in ")[0] for line in lines if " done in " in line] == [
        "baseline", "eda", "review"]
    assert set(display.seconds) == {"eda", "baseline", "review"}
    assert display.step == "review"

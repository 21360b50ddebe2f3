"""`mvpgen new` asking its questions, typed into a real terminal; `--no-input`; `mvpgen init`.

The dialogue runs in a process of its own on a pseudo-terminal, as a person meets it:
the terminal echoes what is typed, and Ctrl-C is the character the terminal turns into
SIGINT. Every case checks the exact words on the screen, the exit code, and what was
written (the folder's hashes), and that nothing is left in the system's temp folder.
"""

from __future__ import annotations

import inspect
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import run, scaffold, tree_digest

from mvpgen.cli import main

# Starts mvpgen as the session leader with the terminal as its controlling terminal, so
# that Ctrl-C typed there reaches it as SIGINT (a plain child would not own the terminal).
LAUNCH = ("import fcntl, os, sys, termios; os.setsid(); fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
          "os.execv(sys.executable, [sys.executable, '-m', 'mvpgen', *sys.argv[1:]])")
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")
CREATE = "Create the project with these answers? [Y/n]: "
INTERRUPTED = "Interrupted; nothing was left half-written."


class Terminal:
    """``mvpgen ARGS`` on a pseudo-terminal: wait for a prompt, type, read the screen."""

    def __init__(self, *args: str, cwd: Path, temp: Path) -> None:
        main_fd, self._side = pty.openpty()
        self.fd = main_fd
        env = {**os.environ, "TMPDIR": str(temp), "PYTHONIOENCODING": "utf-8",
               "TERM": "xterm", "COLUMNS": "200"}
        self.process = subprocess.Popen([sys.executable, "-c", LAUNCH, *args], cwd=cwd,
                                        env=env, stdin=self._side, stdout=self._side,
                                        stderr=self._side, close_fds=True)
        os.close(self._side)  # the child holds it: the end of its output is the end of ours
        self.raw = b""
        self.position = 0  # how far the screen has been matched
        self.closed = False

    @property
    def screen(self) -> str:
        """Return everything shown so far, without colours, with plain line ends."""
        text = ANSI.sub(b"", self.raw).decode("utf-8", errors="replace")
        return text.replace("\r\n", "\n").replace("\r", "")

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the process has exited and closed the terminal
            chunk = b""
        if not chunk:
            self.closed = True
            return False
        self.raw += chunk
        return True

    def expect(self, text: str, timeout: float = 60) -> None:
        """Wait until ``text`` shows after what was matched before."""
        end = time.monotonic() + timeout
        while text not in self.screen[self.position:]:
            if self.closed or time.monotonic() > end:
                pytest.fail(f"never saw {text!r}; the screen:\n{self.screen}")
            self._read(0.2)
        self.position = self.screen.index(text, self.position) + len(text)

    def answer(self, prompt: str, typed: str) -> None:
        """Wait for ``prompt``, then type ``typed`` and Enter."""
        self.expect(prompt)
        os.write(self.fd, typed.encode() + b"\r")

    def interrupt(self, prompt: str) -> None:
        """Wait for ``prompt``, then press Ctrl-C."""
        self.expect(prompt)
        os.write(self.fd, b"\x03")

    def finish(self, timeout: float = 120) -> int:
        """Read the screen to the end; return the exit code."""
        end = time.monotonic() + timeout
        while not self.closed and time.monotonic() < end:
            self._read(0.2)
        try:
            code = self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            pytest.fail(f"mvpgen did not exit; the screen:\n{self.screen}")
        finally:
            os.close(self.fd)
        return code


def passengers(path: Path, rows: int = 300, seed: int = 0, **extra: object) -> pd.DataFrame:
    """Write a passenger table: classes as numbers and as words, and survived (0/1) last."""
    rng = np.random.default_rng(seed)
    pclass = rng.choice([1, 2, 3], rows, p=[0.25, 0.2, 0.55])
    sex = rng.choice(["male", "female"], rows, p=[0.65, 0.35])
    survived = (rng.random(rows) < 0.2 + 0.5 * (sex == "female") + 0.1 * (pclass == 1))
    frame = pd.DataFrame({
        "passenger_id": np.arange(1, rows + 1),
        "family_id": [f"F{f:03d}" for f in rng.integers(0, 120, rows)],
        "pclass": pclass,
        "class": pd.Series(pclass).map({1: "First", 2: "Second", 3: "Third"}),
        "sex": sex,
        "age": np.where(rng.random(rows) < 0.2, np.nan, rng.normal(30, 14, rows).clip(1, 80)
                        .round()),
        "fare": (rng.gamma(2, 15, rows) * (4 - pclass)).round(2),
        "embarked": rng.choice(["S", "C", "Q"], rows, p=[0.7, 0.2, 0.1]),
        **extra,
        "survived": survived.astype(int),
    })
    frame.to_csv(path, index=False)
    return frame


def deliveries(path: Path, rows: int = 400, seed: int = 0) -> pd.DataFrame:
    """Write a delivery table with an order time, a constant export date and couriers."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "order_id": [f"O{i:05d}" for i in rng.permutation(rows)],
        "placed_at": (pd.Timestamp("2025-01-01") + pd.to_timedelta(
            rng.integers(0, 200 * 24, rows), unit="h")).strftime("%Y-%m-%d %H:%M"),
        "exported_on": "2025-08-01",
        "courier_id": [f"C{c:02d}" for c in rng.integers(0, 40, rows)],
        "distance_km": rng.gamma(2, 2, rows).round(2),
        "minutes": (rng.gamma(4, 6, rows) + 10).round(1),
    })
    frame.to_csv(path, index=False)
    return frame


@pytest.fixture
def temp(tmp_path: Path) -> Path:
    """An empty folder the dialogue gets as its system temp folder (TMPDIR)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


@pytest.fixture
def titanic(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    path = folder / "passengers.csv"
    return path, passengers(path)


BUSINESS = [
    ("Project name [demo]: ", ""),
    ("Business requirement: ", "Keep passengers alive by boarding lifeboats first"),
    ("KPI: ", "survival rate"),
    ("Today's value of the KPI: ", "38%"),
    ("Goal for the KPI: ", "45%"),
]
# Enter at every question after the business ones: each proposal taken, nothing optional.
DEFAULTS = [
    ("Target column [survived]: ", ""),
    ("Task (binary, multiclass, regression) [binary]: ", ""),
    ("Positive class [1]: ", ""),
    ("Offline metric [roc_auc]: ", ""),
    ("Success threshold [0.7]: ", ""),
    ("Group column (type none for none) [family_id]: ", ""),
    ("Identifier columns, comma-separated (type none for none) [passenger_id]: ", ""),
    ("Cost of a false positive (blank to skip): ", ""),
    ("Who reviews predictions (blank to skip): ", ""),
    ("Competitive advantage (blank to skip): ", ""),
]


def converse(terminal: Terminal, steps: list[tuple[str, str]]) -> None:
    for prompt, typed in steps:
        terminal.answer(prompt, typed)


def mapping_of(project: Path) -> dict:
    return yaml.safe_load((project / "mvp.yaml").read_text(encoding="utf-8"))


def test_accepting_every_default_on_a_passenger_table(isolated, titanic, temp):
    data, _ = titanic
    terminal = Terminal("new", "demo", "--no-run", "--data", str(data), cwd=isolated, temp=temp)
    converse(terminal, BUSINESS + DEFAULTS)
    terminal.answer(CREATE, "")
    assert terminal.finish() == 0
    screen = terminal.screen
    # The binary outcome is proposed, not the class (a name that is only sometimes a target).
    assert ("Proposed: survived (named like an outcome and with two values); other "
            "candidates: sex, class.\nTarget column [survived]: \n") in screen
    assert ("Guessing scores 0.5 here, by ranking the rows at random. The default, 0.7, asks "
            "for 40% of the way from there to the best (1).\nSuccess threshold [0.7]: ") in screen
    assert "Time column" not in screen  # no column holds dates
    assert ("Identifiers that repeat: family_id.\n"
            "Group column (type none for none) [family_id]: ") in screen
    lines = screen.splitlines()
    summary = lines.index("The project, as answered:")
    assert lines[summary + 1:summary + 10] == [
        "  Project      demo (package demo)",
        "  Folder       demo",
        "  Requirement  Keep passengers alive by boarding lifeboats first",
        "  KPI          survival rate: 0.38 today, goal 0.45 (higher is better)",
        "  Task         binary classification of the column 'survived' (the positive class is 1)",
        "  Success      roc_auc >= 0.7 on data the model has not seen",
        f"  Data         {data} (groups in 'family_id'; ids in passenger_id); copied into the "
        "project as data/raw/passengers.csv",
        "  Advantage    not stated yet",
        CREATE,
    ]
    assert lines[-2:] == ["Created demo (package demo)",
                          "Next: cd demo && mvpgen run    # EDA, baseline, review"]
    mapping = mapping_of(isolated / "demo")
    assert mapping["business"] == {"requirement": "Keep passengers alive by boarding lifeboats "
                                   "first", "kpi": "survival rate", "current": 0.38, "goal": 0.45}
    assert mapping["technical"] == {"task": "binary", "target": "survived", "positive_label": 1,
                                    "metric": "roc_auc", "threshold": 0.7}
    assert {k: mapping["data"][k] for k in ("path", "group_column", "id_columns")} == {
        "path": "data/raw/passengers.csv", "group_column": "family_id",
        "id_columns": ["passenger_id"]}
    assert "time_column" not in mapping["data"]
    assert list(temp.iterdir()) == []


def test_numbers_as_people_type_them(isolated, tmp_path, temp):
    data = tmp_path / "deliveries.csv"
    deliveries(data)
    terminal = Terminal("new", "late", "--no-run", "--data", str(data), cwd=isolated, temp=temp)
    converse(terminal, [
        ("Project name [late]: ", ""),
        ("Business requirement: ", "Cut late deliveries in the city centre"),
        ("KPI: ", "late deliveries per month"),
        ("Today's value of the KPI: ", "1,2"),  # a decimal comma: 1.2, not twelve
        ("Goal for the KPI: ", "1,000"),
        ("Target column [minutes]: ", ""),
        ("Task (binary, multiclass, regression) [regression]: ", ""),
        ("Offline metric [mae]: ", ""),
        ("Success threshold [", "1 000"),  # far worse than no model: refused
        ("Success threshold [", ""),
        ("Time column (type none for none) [placed_at]: ", ""),
        ("Group column (type none for none) [courier_id]: ", "none"),
        ("Identifier columns, comma-separated (type none for none) [order_id]: ", ""),
        ("Who reviews predictions (blank to skip): ", "Dispatch team"),
        ("Predictions they can review per cycle: ", "1 000"),
        ("Competitive advantage (blank to skip): ", ""),
    ])
    terminal.answer(CREATE, "y")
    assert terminal.finish() == 0
    mapping = mapping_of(isolated / "late")
    assert mapping["business"]["current"] == 1.2
    assert mapping["business"]["goal"] == 1000
    assert mapping["humans"] == {"reviewer": "Dispatch team", "review_budget": 1000}
    minutes = pd.read_csv(data)["minutes"]
    no_model = float((minutes - minutes.median()).abs().mean())
    proposed = float(f"{0.75 * no_model:.3g}")
    assert mapping["technical"] == {"task": "regression", "target": "minutes", "metric": "mae",
                                    "threshold": proposed}
    assert mapping["data"]["time_column"] == "placed_at"
    assert "group_column" not in mapping["data"]  # "none" is none, not the proposal
    screen = terminal.screen
    assert (f"Error: 1000 is no smaller than the error with no model, {no_model:.4g} here, by "
            f"predicting the median ({minutes.median():g}) for every row; choose a value below "
            "it\n") in screen
    # The export date, the same in every row, orders nothing: never offered.
    assert "A date column: the model is then tested on the most recent rows, as it will be " \
           "used. Columns with dates: placed_at.\n" in screen


def test_percentages_and_thousands_in_the_business_answers(isolated, titanic, temp):
    data, _ = titanic
    terminal = Terminal("new", "demo", "--no-run", "--data", str(data), cwd=isolated, temp=temp)
    converse(terminal, [
        ("Project name [demo]: ", ""),
        ("Business requirement: ", "Keep passengers alive by boarding lifeboats first"),
        ("KPI: ", "passengers saved per year"),
        ("Today's value of the KPI: ", "1,000"),
        ("Goal for the KPI: ", "1,2,3"),  # no reading of this is a number
        ("Goal for the KPI: ", "1 200"),
        *DEFAULTS,
    ])
    terminal.answer(CREATE, "")
    assert terminal.finish() == 0
    assert ("Goal for the KPI: 1,2,3\nError: '1,2,3' is not a number; write it like 0.38, 38% "
            "or 1,000\n") in terminal.screen
    assert mapping_of(isolated / "demo")["business"]["current"] == 1000
    assert mapping_of(isolated / "demo")["business"]["goal"] == 1200


def test_column_names_in_another_case_and_a_typo(isolated, titanic, temp):
    data, _ = titanic
    terminal = Terminal("new", "demo", "--no-run", "--data", str(data), cwd=isolated, temp=temp)
    converse(terminal, [*BUSINESS,
                        ("Target column [survived]: ", "survivd"),
                        ("Target column [survived]: ", "SURVIVED"),
                        *DEFAULTS[1:5],
                        ("Group column (type none for none) [family_id]: ", "Embarked"),
                        ("Identifier columns, comma-separated (type none for none) "
                         "[passenger_id]: ", "Passenger_ID, FAMILY_ID"),
                        *DEFAULTS[7:]])
    terminal.answer(CREATE, "")
    assert terminal.finish() == 0
    assert ("Target column [survived]: survivd\nError: 'survivd' is not a column; columns are: "
            "passenger_id, family_id, pclass, class, sex, age, fare, embarked, survived (did you "
            "mean 'survived'?)\n") in terminal.screen
    mapping = mapping_of(isolated / "demo")
    assert mapping["technical"]["target"] == "survived"
    assert mapping["data"]["group_column"] == "embarked"
    assert mapping["data"]["id_columns"] == ["passenger_id", "family_id"]


def test_the_threshold_shows_what_guessing_scores_and_refuses_less(isolated, titanic, temp):
    data, frame = titanic
    majority = frame["survived"].value_counts(normalize=True).iloc[0]
    assert frame["survived"].value_counts().index[0] == 0
    default = round(majority + 0.4 * (1 - majority), 2)
    terminal = Terminal("new", "demo", "--no-run", "--data", str(data), cwd=isolated, temp=temp)
    converse(terminal, [*BUSINESS, *DEFAULTS[:3],
                        ("Offline metric [roc_auc]: ", "Accuracy"),
                        (f"Success threshold [{default:g}]: ", "60%"),
                        (f"Success threshold [{default:g}]: ", "0.8"),
                        *DEFAULTS[5:]])
    terminal.answer(CREATE, "")
    assert terminal.finish() == 0
    how = f"always answering 0, the most common value ({majority:.1%} of rows)"
    assert (f"The accuracy on held-out data that counts as success offline (higher is better; 0 "
            f"to 1). Guessing scores {majority:.3g} here, by {how}. The default, {default:g}, "
            "asks for 40% of the way from there to the best (1).\n") in terminal.screen
    assert (f"Error: 0.6 is no better than guessing, which scores {majority:.3g} here, by {how}; "
            "choose a value above it\n") in terminal.screen
    technical = mapping_of(isolated / "demo")["technical"]
    assert (technical["metric"], technical["threshold"]) == ("accuracy", 0.8)


def test_a_recall_goal_is_steered_to_recall_at_budget(isolated, titanic, temp):
    data, frame = titanic
    positive = frame["survived"].mean()
    best = min(1.0, 0.2 / positive)
    default = round(0.2 + 0.4 * (best - 0.2), 2)
    terminal = Terminal("new", "demo", "--no-run", "--data", str(data), cwd=isolated, temp=temp)
    converse(terminal, [*BUSINESS, *DEFAULTS[:3],
                        ("Offline metric [roc_auc]: ", "recall"),
                        ("Offline metric [roc_auc]: ", "recall_at_budget"),
                        ("Cases the business can act on, per 1,000: ", "0.2"),
                        ("Cases the business can act on, per 1,000: ", "20%"),
                        (f"Success threshold [{default:g}]: ", "0.9"),
                        (f"Success threshold [{default:g}]: ", ""),
                        *DEFAULTS[5:]])
    terminal.answer(CREATE, "")
    assert terminal.finish() == 0
    screen = terminal.screen
    assert ("Error: plain recall reaches 1.0 by acting on every case, so a recall goal is met "
            "without any model; choose recall_at_budget: the share of the cases that need action"
            " among those the business can act on (its capacity, asked next)\n") in screen
    assert (f"The positive cases are {positive * 1000:.0f} in every 1,000 here.\n"
            "Cases the business can act on, per 1,000: ") in screen
    assert ("Error: '0.2' cases in every 1,000 is less than one case; for a share, write it as a "
            "percentage (20%), or as cases per 1,000 (200)\n") in screen
    assert (f"Error: recall_at_budget cannot go above {best:.3g} here: the business acts on 200 "
            "cases in every 1,000; choose a value up to it, or go back and raise the capacity\n"
            ) in screen
    assert "  Capacity     200 cases in every 1,000 can be acted on\n" in screen
    mapping = mapping_of(isolated / "demo")
    assert mapping["business"]["capacity"] == 200
    assert mapping["technical"] == {"task": "binary", "target": "survived", "positive_label": 1,
                                    "metric": "recall_at_budget", "threshold": default}


def test_declining_the_summary_writes_nothing(isolated, titanic, temp):
    data, _ = titanic
    before, inputs = tree_digest(isolated), tree_digest(data.parent)
    terminal = Terminal("new", "demo", "--no-run", "--data", str(data), cwd=isolated, temp=temp)
    converse(terminal, BUSINESS + DEFAULTS)
    terminal.answer(CREATE, "n")
    assert terminal.finish() == 0
    assert terminal.screen.endswith(f"{CREATE}n\nNothing was written; run the command again to "
                                    "change an answer.\n")
    assert tree_digest(isolated) == before == {}
    assert tree_digest(data.parent) == inputs
    assert list(temp.iterdir()) == []


@pytest.mark.parametrize("where", ["at a question", "at the confirmation"])
def test_ctrl_c_exits_130_and_leaves_nothing(isolated, titanic, temp, where):
    data, _ = titanic
    inputs = tree_digest(data.parent)
    terminal = Terminal("new", "demo", "--no-run", "--data", str(data), cwd=isolated, temp=temp)
    if where == "at a question":
        converse(terminal, BUSINESS)
        terminal.interrupt("Target column [survived]: ")
    else:
        converse(terminal, BUSINESS + DEFAULTS)
        terminal.interrupt(CREATE)
    assert terminal.finish() == 130
    assert terminal.screen.endswith(f"^C\n{INTERRUPTED}\n")
    assert "Traceback" not in terminal.screen
    assert list(isolated.iterdir()) == []  # no project folder, no hidden staging folder
    assert list(temp.iterdir()) == []
    assert tree_digest(data.parent) == inputs


def test_ctrl_c_while_the_data_is_read_exits_130(isolated, tmp_path, temp):
    data = tmp_path / "big.csv"
    pd.DataFrame({"x": np.arange(2_000_000) % 97, "y": np.arange(2_000_000) % 2}).to_csv(
        data, index=False)
    terminal = Terminal("new", "demo", "--no-run", "--data", str(data), cwd=isolated, temp=temp)
    terminal.expect("Inspecting big.csv ...")
    os.write(terminal.fd, b"\x03")
    assert terminal.finish() == 130
    assert terminal.screen.endswith(f"{INTERRUPTED}\n")
    assert list(isolated.iterdir()) == []
    assert list(temp.iterdir()) == []


def test_a_constant_date_column_is_never_the_time_column(isolated, tmp_path, temp):
    data = tmp_path / "passengers.csv"
    passengers(data, exported_on="2025-08-01")
    terminal = Terminal("new", "demo", "--no-run", "--data", str(data), cwd=isolated, temp=temp)
    converse(terminal, BUSINESS + DEFAULTS)
    terminal.answer(CREATE, "")
    assert terminal.finish() == 0
    assert "Time column" not in terminal.screen
    assert "time_column" not in mapping_of(isolated / "demo")["data"]


# --- without questions ---------------------------------------------------------------------

NO_INPUT = ("--no-input", "--requirement", "Keep passengers alive by boarding lifeboats first",
            "--kpi", "survival rate", "--current", "38%", "--goal", "45%")


def test_no_input_from_a_csv_alone_with_the_new_options(isolated, tmp_path):
    data = tmp_path / "deliveries.csv"
    deliveries(data)
    result = scaffold("late", "--data", str(data), "--no-input",
                      "--requirement", "Cut late deliveries in the city centre",
                      "--kpi", "late deliveries per month", "--current", "1,200",
                      "--goal", "1 000", "--target", "Minutes", "--metric", "mae",
                      "--threshold", "5", "--time-column", "PLACED_AT",
                      "--group-column", "courier_id", "--id-columns", "order_id")
    assert result.exit_code == 0, result.output
    assert "technical.target: 'Minutes' read as the column 'minutes'\n" in result.stdout
    assert "data.time_column: 'PLACED_AT' read as the column 'placed_at'\n" in result.stdout
    mapping = mapping_of(isolated / "late")
    assert mapping["project"] == {"name": "late"}
    assert mapping["business"] == {"requirement": "Cut late deliveries in the city centre",
                                   "kpi": "late deliveries per month", "current": 1200,
                                   "goal": 1000}
    assert mapping["technical"] == {"task": "regression", "target": "minutes", "metric": "mae",
                                    "threshold": 5}
    assert {k: mapping["data"][k] for k in ("path", "time_column", "group_column",
                                            "id_columns")} == {
        "path": "data/raw/deliveries.csv", "time_column": "placed_at",
        "group_column": "courier_id", "id_columns": ["order_id"]}
    assert run("check", str(isolated / "late")).exit_code == 0


def test_no_input_says_which_target_it_guessed(isolated, titanic):
    data, _ = titanic
    result = scaffold("demo", "--data", str(data), *NO_INPUT, "--threshold", "0.75")
    assert result.exit_code == 0, result.output
    assert ("Target: 'survived', guessed from the data (named like an outcome and with two "
            "values); pass --target COLUMN to choose another\n") in result.stdout
    assert mapping_of(isolated / "demo")["technical"] == {
        "task": "binary", "target": "survived", "positive_label": 1, "metric": "roc_auc",
        "threshold": 0.75}


def test_no_input_needs_target_when_the_guess_is_unsure(isolated, tmp_path):
    data = tmp_path / "deliveries.csv"
    deliveries(data)
    result = scaffold("late", "--data", str(data), *NO_INPUT, "--threshold", "5")
    assert result.exit_code == 2
    assert result.stderr == ("Error: missing with --no-input: technical.target (pass --target "
                             "COLUMN; the data does not make the target clear; candidates: "
                             "minutes)\n")
    assert list(isolated.iterdir()) == []


def test_no_input_names_the_threshold_guessing_scores(isolated, titanic):
    data, _ = titanic
    result = scaffold("demo", "--data", str(data), *NO_INPUT, "--metric", "recall_at_budget")
    assert result.exit_code == 2
    assert result.stderr == ("Error: missing with --no-input: technical.threshold (pass "
                             "--threshold X); business.capacity (pass --capacity N; cases in "
                             "every 1,000 the business can act on)\n")
    result = scaffold("demo", "--data", str(data), *NO_INPUT, "--metric", "roc_auc")
    assert result.stderr == ("Error: missing with --no-input: technical.threshold (pass "
                             "--threshold X; guessing scores 0.5 on roc_auc here, by ranking "
                             "the rows at random; e.g. --threshold 0.7)\n")
    result = scaffold("demo", "--data", str(data), *NO_INPUT, "--metric", "recall_at_budget",
                      "--capacity", "20%", "--threshold", "0.4")
    assert result.exit_code == 0, result.output
    assert mapping_of(isolated / "demo")["business"]["capacity"] == 200


# --- mvpgen init --------------------------------------------------------------------------


def test_init_writes_a_commented_mapping_that_check_reads_once_filled(isolated, titanic):
    data, _ = titanic
    result = run("init", "--data", str(data))
    assert result.exit_code == 0, result.output
    assert result.stdout == "wrote mvp.yaml; fill it in, then: mvpgen check mvp.yaml\n"
    text = (isolated / "mvp.yaml").read_text(encoding="utf-8")
    technical = text[text.index("technical:"):text.index("data:")].splitlines()
    assert technical[:6] == [
        "technical:",
        "  task: binary              # binary, multiclass or regression",
        '  target: "survived"        # proposed: named like an outcome and with two values; or '
        "one of: sex, class",
        "  positive_label: 1         # the value the KPI counts (of: 0, 1)",
        "  metric: roc_auc           # the offline metric that stands in for the KPI",
        "  threshold:                # guessing scores 0.5 on roc_auc here, by ranking the rows "
        "at random; e.g. 0.7",
    ]
    assert "  # time_column:            # no column here holds dates\n" in text
    assert '  group_column: "family_id"  # an identifier that repeats' in text
    assert '  id_columns: ["passenger_id"]  # never used to predict\n' in text
    assert run("init", "--data", str(data)).exit_code == 2  # never overwritten without --force

    unfilled = run("check", "mvp.yaml")
    assert unfilled.exit_code == 1
    assert unfilled.stderr == "mvp.yaml: 5 finding(s)\n"
    filled = (text.replace('requirement: ""', "requirement: Keep passengers alive by boarding "
                           "lifeboats first")
              .replace('kpi: ""', "kpi: survival rate")
              .replace("current:    ", "current: 0.38")
              .replace("goal:    ", "goal: 0.45")
              .replace("threshold:    ", "threshold: 0.7"))
    (isolated / "mvp.yaml").write_text(filled, encoding="utf-8")
    checked = run("check", "mvp.yaml")
    assert (checked.exit_code, checked.stdout) == (0, "mvp.yaml: sound\n")


# --- help ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["(group)", *sorted(main.commands)])
def test_help_keeps_the_paragraphs_as_written(name):
    command = main if name == "(group)" else main.commands[name]
    result = run(*([] if command is main else [name]), "--help")
    assert result.exit_code == 0
    assert "\b" not in result.stdout and "\\b" not in result.stdout
    blocks = inspect.cleandoc(command.help or "").split("\n\n")
    for block in blocks:
        if block.startswith("\b\n"):  # lines kept as written, indented by two
            for line in block.splitlines()[1:]:
                assert f"  {line}".rstrip() + "\n" in result.stdout, (line, result.stdout)

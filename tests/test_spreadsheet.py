"""CSV meant for people opens in a spreadsheet without running anything.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula
to Excel and LibreOffice. mvpgen writes such text with a leading ``'`` and takes the
``'`` off what comes back; numbers such as ``-3.5`` stay numbers. The review file, the
holdout predictions, predict's output and the label log are checked on a project
whose data holds such values.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import churn_example, run, run_project

from mvpgen.spreadsheet import neutral, plain, safe_csv, safe_frame
from mvpgen.store.labels import LABELS_FILE, append_labels, read_labels

RISKY = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
FORMULAS = ["=1+1", '=HYPERLINK("http://example.com","see")', "+33 6 12 34 56 78", "-x",
            "- 3", "-3,5", "-inf", "-", "@SUM(A1)", "\t=1+1", "\rtext", "\r\n=1"]
NUMBERS = ["-3.5", "+2", "-1e-3", "-.5", "+7.", "-0", "-12E+4"]
HARMLESS = ["", "text", "3 = 3", " =1+1", "'quoted", "'", "C100042", "1+1", "a-b"]


# --- the rules -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", FORMULAS)
def test_text_that_starts_like_a_formula_gets_a_leading_quote(value: str) -> None:
    assert neutral(value) == "'" + value
    assert neutral(neutral(value)) == neutral(value)  # neutral twice is neutral once


@pytest.mark.parametrize("value", NUMBERS + HARMLESS)
def test_numbers_and_harmless_text_stay_as_they_are(value: str) -> None:
    assert neutral(value) == value


@pytest.mark.parametrize("value", [-3.5, 0, None, True, math.nan])
def test_values_that_are_not_text_stay_as_they_are(value: object) -> None:
    assert neutral(value) is value


@pytest.mark.parametrize("value", FORMULAS + NUMBERS + HARMLESS)
def test_plain_gives_back_what_neutral_was_given(value: str) -> None:
    assert plain(neutral(value)) == value


@pytest.mark.parametrize("value", ["'-3.5", "'quoted", "'", "=1+1", "text"])
def test_plain_takes_off_only_a_quote_that_neutral_would_have_put(value: str) -> None:
    assert plain(value) == value


def test_text_already_quoted_before_a_sign_is_safe_and_read_as_quoted() -> None:
    # Neutral twice is neutral once, so text that already looks neutralised is left as
    # it is (a spreadsheet runs none of it) and reads back without that quote: the one
    # value that does not round-trip, chosen over quoting a quoted cell again.
    assert neutral("'=1+1") == "'=1+1"
    assert plain(neutral("'=1+1")) == "=1+1"


def test_a_table_is_written_with_safe_text_names_and_untouched_numbers() -> None:
    frame = pd.DataFrame({"=id": ["@SUM(A1)", "-42", "C1"], "amount": [-3.5, 2.0, -1.0],
                          "region": pd.Categorical(["=1+1", "north", "=1+1"])})
    safe = safe_frame(frame)
    assert list(safe.columns) == ["'=id", "amount", "region"]
    assert safe["'=id"].tolist() == ["'@SUM(A1)", "-42", "C1"]
    assert safe["amount"].tolist() == [-3.5, 2.0, -1.0]
    assert safe["region"].tolist() == ["'=1+1", "north", "'=1+1"]
    assert frame["=id"].tolist() == ["@SUM(A1)", "-42", "C1"]  # the caller's frame is kept
    rows = list(csv.reader(safe_csv(frame).splitlines()))
    assert rows == [["'=id", "amount", "region"], ["'@SUM(A1)", "-3.5", "'=1+1"],
                    ["-42", "2.0", "north"], ["C1", "-1.0", "'=1+1"]]


# --- a project whose data holds formulas -----------------------------------------------------


def cells(path: Path) -> list[str]:
    """Return every cell of a CSV file, header included, as text."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def runs(cell: str) -> bool:
    """Return whether a spreadsheet would run a cell: a formula sign first, not a number."""
    return cell.startswith(RISKY) and not NUMBER.fullmatch(cell)


def formulas(path: Path) -> list[str]:
    """Return the cells of a CSV file that a spreadsheet would run."""
    return [c for c in cells(path) if runs(c)]


def plant(data: Path) -> None:
    """Give the churn data a region '=1+1', a column '+plan' and ids a spreadsheet would run.

    The ids go to the three customers who signed up last, whom the time split holds out.
    """
    with data.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    latest = sorted(range(len(rows)), key=lambda i: rows[i]["signup_date"])[-3:]
    ids = dict(zip(latest, ["@SUM(A1)", "+1 555 0100", "-42"], strict=True))
    for i, row in enumerate(rows):
        if i % 7 == 0:
            row["region"] = "=1+1"
        row["customer_id"] = ids.get(i, row["customer_id"])
        row["+plan"] = row.pop("plan")
    with data.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.slow
def test_no_file_for_people_holds_a_formula(isolated: Path) -> None:
    project = churn_example(isolated)
    data = project / "data/raw/customers.csv"
    plant(data)
    assert run("check", "--record", str(project)).exit_code == 0
    for step in (("baseline", "-q"), ("review", "--limit", "5000", "-q")):
        done = run_project(project, *step)
        assert done.returncode == 0, done.stderr
    new = isolated / "new.csv"
    table = pd.read_csv(data, dtype=str, keep_default_na=False).drop(columns=["churned"])
    table.loc[0, "+plan"] = "platinum"  # never seen: its column is named in the flags
    table.to_csv(new, index=False)
    scored = isolated / "scored.csv"
    done = run_project(project, "predict", str(new), str(scored))
    assert done.returncode == 0, done.stderr

    review, holdout = project / "reports/review.csv", project / "reports/holdout_predictions.csv"
    for path in (review, holdout, scored):
        assert formulas(path) == [], path
        # The planted ids are there, quoted; the id that is a number stays a number.
        assert {"'@SUM(A1)", "'+1 555 0100", "-42"} <= set(cells(path)), path
    assert {"'=1+1", "'+plan"} <= set(cells(review))
    assert any(c.startswith("'+plan") for c in cells(scored))  # the flags name the column

    # The reviewer's answers find their rows again, and the log runs nothing either.
    with review.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    answered = [r for r in rows if r["row_id"] in ("'@SUM(A1)", "'+1 555 0100", "-42")]
    for row, comment in zip(answered, ["=1+1", "@team: call back", "-3.5"], strict=True):
        row["human_label"], row["comment"] = "yes", comment
    filled = isolated / "filled.csv"
    with filled.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(answered)
    taken = run("-C", str(project), "feedback", str(filled))
    assert taken.exit_code == 0, taken.output
    assert taken.stdout.startswith("added 3 labels to data/feedback/labels.csv\n")
    log = project / "data/feedback/labels.csv"
    with log.open(encoding="utf-8", newline="") as handle:
        entries = list(csv.DictReader(handle))
    assert sorted(plain(e["row_id"]) for e in entries) == ["+1 555 0100", "-42", "@SUM(A1)"]
    assert sorted(e["comment"] for e in entries) == ["'=1+1", "'@team: call back", "-3.5"]
    # Row ids are left out here: the label log writes them as they are (see below).
    assert [c for e in entries for k, c in e.items() if k != "row_id" and runs(c)] == []
    again = run("-C", str(project), "review", "--limit", "5000")
    assert again.exit_code == 0, again.output
    assert "3 already labelled were skipped" in again.stdout.splitlines()[0]


def test_a_row_id_that_starts_like_a_formula_is_quoted_in_the_label_log(tmp_path: Path) -> None:
    (tmp_path / LABELS_FILE).parent.mkdir(parents=True)
    append_labels(tmp_path, [{"row_id": "@SUM(A1)", "human_label": "yes", "comment": "=1+1"}])
    assert [label["row_id"] for label in read_labels(tmp_path)] == ["@SUM(A1)"]
    assert formulas(tmp_path / LABELS_FILE) == []

"""The hardening corpus: hostile and broken inputs from tests/data/bad/, one case each.

Every case runs `mvpgen new` as a user would. A broken input gets exit code 2 and
one line naming what is wrong and what to do, with no traceback and no folder left
behind; an input that is odd but usable gets a whole evaluated MVP. Either way the
input files are left exactly as they were.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import run, tree_digest, write_mapping

BAD = Path(__file__).parent / "data" / "bad"
DATA_ARGS = ("--target", "churned", "--metric", "roc_auc", "--threshold", "0.6")


@dataclass(frozen=True)
class Case:
    """One input: the arguments after `mvpgen new DEST`, and what must come out."""

    name: str
    args: tuple[str, ...]
    error: str | None = None  # the exact last line on stderr; None: the input is usable
    verdict: str | None = None  # a usable input: the goal's verdict on its seeded data
    dest: str = "demo"
    options: tuple[str, ...] = field(default=("--eda", "off"))


def data_case(name: str, error: str | None = None, *, extra: tuple[str, ...] = (),
              data: str | None = None, **more: object) -> Case:
    return Case(name, ("--mapping", "{business}", "--data", data or str(BAD / name),
                       *DATA_ARGS, *extra), error, **more)


NOT_REGULAR = "is not a regular file (a device or a pipe)"


CASES = [
    data_case("empty.csv", "empty.csv is empty; export the data again, with a header row"),
    data_case("header_only.csv",
              "header_only.csv has a header but no rows; export the data rows too"),
    data_case("binary.csv",
              "binary.csv holds binary data, not text; export it as CSV or Parquet"),
    data_case("truncated.parquet",
              "truncated.parquet cannot be read as Parquet (Parquet magic bytes not found in "
              "footer. Either the file is corrupted or this is not a parquet file.); export it "
              "again"),
    data_case("spreadsheet.xlsx",
              "spreadsheet.xlsx is neither CSV nor Parquet; save it as one of: .csv, .tsv, "
              ".txt, .parquet, .pq (or .csv.gz)"),
    data_case("ragged.csv",
              "ragged.csv cannot be read as CSV: Error tokenizing data. C error: Expected 3 "
              "fields in line 3, saw 5; check the delimiter and the quotes on that line"),
    data_case("single_column.csv",
              "single_column.csv has a single column ('churned'); a model needs a target and "
              "at least one other column; if there are more, use one of these delimiters: "
              "comma, semicolon, tab or |"),
    data_case("duplicate_columns.csv",
              "duplicate_columns.csv has duplicate column names: 'a'; rename them so each "
              "column has its own name"),
    data_case("constant_target.csv",
              "technical.target: column 'churned' has one value in constant_target.csv — a "
              "model needs a target that varies; choose another column"),
    data_case("empty_target.csv",
              "technical.target: column 'churned' has no values in empty_target.csv — a "
              "model needs a target that varies; choose another column"),
    data_case("mixed_target.csv",
              "technical.target: column 'churned' mixes numbers ('1', '0', '2.5') and words "
              "('yes', 'no') — write every value the same way (e.g. yes/no), then export "
              "again"),
    data_case("one_row_per_class.csv",
              "technical.target: too few rows of 'reason 0' (1 row), 'reason 1' (1 row), "
              "'reason 2' (1 row), 'reason 3' (1 row), 'reason 4' (1 row) and 7 more classes "
              "to hold some out and still learn from the rest; each class needs at least 5 "
              "rows — add rows of those classes, or merge them into a broader class"),
    data_case("folder.csv",  # a folder may hold a Parquet data set; this one holds none
              f"{BAD / 'folder.csv'} holds no Parquet file; name a CSV or Parquet file, or a "
              "folder or glob of Parquet files, in data.path or --data"),
    data_case("an empty target of a binary task",
              "technical.target: column 'churned' has no values in empty_target.csv — a model "
              "needs a target that varies; choose another column",
              data=str(BAD / "empty_target.csv"), extra=("--task", "binary",
                                                         "--positive-label", "yes")),
    data_case("constant_date.csv",  # an export date: the same in every row
              "data.time_column: column 'exported_on' holds one date (2025-01-31) in every row "
              "of constant_date.csv: it orders nothing, so no holdout of the latest rows can "
              "follow it — choose a column whose dates vary, or leave time_column unset",
              extra=("--time-column", "exported_on")),
    # Read, a device never ends and a pipe waits for a writer: refused at once.
    data_case("a device as the data",
              f"data file /dev/zero {NOT_REGULAR}; save the data to a file and pass that",
              data="/dev/zero"),
    data_case("a pipe as the data",
              f"data file {{tmp}}/pipe.csv {NOT_REGULAR}; save the data to a file and pass "
              "that", data="{tmp}/pipe.csv"),
    Case("a pipe as the mapping", ("--mapping", "{tmp}/pipe.yaml"),
         f"mapping file {{tmp}}/pipe.yaml {NOT_REGULAR} (pass the mvp.yaml file itself)"),
    Case("a device as the mapping", ("--mapping", "/dev/zero"),
         f"mapping file /dev/zero {NOT_REGULAR} (pass the mvp.yaml file itself)"),
    Case("unknown_keys.yaml", ("--mapping", str(BAD / "unknown_keys.yaml")),
         "business.kpii: unknown key — known keys here: requirement, kpi, current, goal, "
         "deadline, capacity (did you mean 'kpi'?)"),
    Case("list_mapping.yaml", ("--mapping", str(BAD / "list_mapping.yaml")),
         f"mapping file {BAD / 'list_mapping.yaml'} holds a list, not a mapping of sections "
         "(start with 'project:')"),
    Case("an existing folder", ("--example", "churn"),
         "{cwd}/occupied already exists and is not empty; nothing was changed. Choose another "
         "DIRECTORY, or move that one away first", dest="occupied"),
    Case("a folder inside a file", ("--example", "churn"),
         "{cwd}/notes.txt is a file, so no folder can be made inside it; choose another "
         "DIRECTORY", dest="notes.txt/mvp"),
    # Odd, but usable: each becomes an evaluated MVP. The same 60 rows lie under each,
    # so each reaches the same verdict, but the one drowned in 1,200 noise columns.
    data_case("wide.csv", verdict="inconclusive", options=("--eda", "quick")),  # 1,203 columns
    data_case("odd_names.csv", verdict="met",  # '', class, quotes, newline
              options=("--eda", "quick")),
    data_case("infinities.csv", verdict="met"),
    data_case("non_utf8.csv", verdict="met"),
    data_case("dollar_values.csv", verdict="met",  # plan_$10_$20: money, not math
              options=("--eda", "quick")),
    data_case("binary_column.parquet", verdict="met"),  # bytes: an identifier, never a crash
    data_case("utf16.csv", verdict="met"),
    Case("jinja_mapping.yaml", ("--mapping", str(BAD / "jinja_mapping.yaml"), "--data",
                                str(BAD / "non_utf8.csv")), verdict="met"),
    Case("spaces and unicode", ("--mapping", "{business}", "--data",
                                str(BAD / "folder with spaces ü" / "kündigungen 2025.csv"),
                                *DATA_ARGS), verdict="met", dest="mvp für alle"),
]


def test_the_corpus_holds_at_least_twenty_hostile_inputs():
    assert len(CASES) >= 20
    assert all((c.error is None) == (c.verdict is not None) for c in CASES)
    assert len({c.name for c in CASES}) == len(CASES)
    files = {p.name for p in BAD.iterdir()}
    assert {c.name for c in CASES if "." in c.name} <= files


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_hostile_input_is_refused_clearly_or_handled_soundly(isolated, case):
    business = write_mapping(isolated.parent / "business.yaml", {"business": {
        "requirement": "Keep customers who would leave, by calling them first",
        "kpi": "monthly churn rate", "current": 0.1, "goal": 0.08}})
    (isolated / "occupied").mkdir()
    (isolated / "occupied" / "mine.txt").write_text("keep me\n", encoding="utf-8")
    (isolated / "notes.txt").write_text("a file, not a folder\n", encoding="utf-8")
    tmp = isolated.parent
    for pipe in ("pipe.csv", "pipe.yaml"):
        os.mkfifo(tmp / pipe)  # no writer ever comes: reading it would wait for ever
    args = [a.replace("{business}", str(business)).replace("{tmp}", str(tmp))
            for a in case.args]
    corpus, here = tree_digest(BAD), tree_digest(isolated)

    result = run("new", case.dest, *args, "--no-input", "--quiet", *case.options)

    assert tree_digest(BAD) == corpus  # the inputs are only read
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    if case.error is not None:
        assert result.exit_code == 2, output
        expected = case.error.replace("{cwd}", os.getcwd()).replace("{tmp}", str(tmp))
        assert result.stderr.splitlines()[-1] == f"Error: {expected}"
        assert tree_digest(isolated) == here  # nothing written, nothing half-written
    else:
        assert result.exit_code == 0, output
        project = isolated / case.dest
        lines = result.stdout.splitlines()
        assert lines[0].startswith(f"Created {case.dest} (package ")
        assert lines[2].startswith("Recommendation: ")
        assert lines[3] == f"Goal roc_auc >= 0.6: {case.verdict}"
        metrics = json.loads((project / "reports/metrics.json").read_text(encoding="utf-8"))
        assert metrics["goal"]["verdict"] == case.verdict
        assert list(metrics["models"]) == ["no model", "rule", "linear model", "act on all",
                                           "act on none"]
        assert (project / "reports/review.html").is_file()
        assert (project / "reports/eda.html").is_file() == ("quick" in case.options)
        if case.name == "dollar_values.csv":  # shown as written, in the page and charts
            page = (project / "reports/eda.html").read_text(encoding="utf-8")
            assert "plan_$10_$20" in page and "plan_$5_$9" in page
        if case.name == "binary_column.parquet":
            assert metrics["data"]["notes"] == [
                "binary_column.parquet: column 'blob' holds binary values, not text; they are "
                "read as hexadecimal text (drop the column from the export if it means "
                "nothing to the target)"]
        if case.name == "jinja_mapping.yaml":
            readme = (project / "README.md").read_text(encoding="utf-8")
            assert "{{ cookiecutter.project_slug }} {% raw %}{{ 7*7 }}{% endraw %}" in readme
            assert "49" not in readme

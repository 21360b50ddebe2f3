"""Names and values from the data reach the terminal as text, never as escape sequences.

A column named ``plan\\x1b]0;pwned\\x07`` would retitle the user's terminal window, and a
category ``\\x1b[2J`` would clear the screen, if printed raw. Every command prints them
with the control characters written out. The runner keeps colour codes here
(``color=True``), as a terminal would, so that nothing is stripped on the way.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner, Result
from conftest import write_mapping

from mvpgen.cli import main
from mvpgen.words import listing, printable, printable_json, quoted

TITLE = "\x1b]0;pwned\x07"  # retitles the window
CLEAR = "\x1b[2J"  # clears the screen
C1 = "\x9b31m"  # the one-byte form of an escape sequence
RLO = "\u202e"  # shows what follows backwards
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), color=True, catch_exceptions=False,
                              prog_name="mvpgen")


def shown(result: Result) -> str:
    text = result.stdout + result.stderr
    assert not [c for c in RAW if c in text], text
    return text


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    usage = rng.normal(size=60).round(3)
    frame = pd.DataFrame({f"plan{TITLE}": rng.choice([f"basic{CLEAR}", f"pro{C1}"], 60),
                          f"usage{RLO}": usage,
                          "churned": np.where(usage + rng.normal(0, 1, 60) < 0, "yes", "no")})
    data = tmp_path / "customers.csv"
    frame.to_csv(data, index=False)
    business = write_mapping(tmp_path / "business.yaml", {"business": {
        "requirement": "Keep customers who would leave", "kpi": f"churn{CLEAR} rate",
        "current": 0.1, "goal": 0.08}})
    return data, business


def test_printable_writes_control_characters_out():
    assert printable(f"a{TITLE}b\n\tc{RLO}{C1}") == "a\\x1b]0;pwned\\x07b\n\tc\\u202e\\x9b31m"
    assert printable("line\nbreak", keep="") == "line\\nbreak"
    assert printable("Zürich, $10, 東京") == "Zürich, $10, 東京"
    assert quoted(f"plan{TITLE}") == "'plan\\x1b]0;pwned\\x07'"
    assert listing(["a\nb", f"c{CLEAR}"]) == "'a\\nb' and 'c\\x1b[2J'"


def test_printable_json_means_the_same_document():
    document = {"name": f"Esc{TITLE}{C1}{RLO} ü\U000e0001", "n": [1, 2]}
    text = printable_json(json.dumps(document, indent=2, ensure_ascii=False))
    assert not [c for c in RAW if c in text]
    assert "ü" in text
    assert json.loads(text) == document


def test_new_shows_hostile_names_as_text(isolated, hostile):
    data, business = hostile
    result = invoke("new", "demo", "--mapping", str(business), "--data", str(data),
                    "--name", f"Esc{TITLE} MVP", "--target", "churned", "--metric", "roc_auc",
                    "--threshold", "0.6", "--no-input", "--no-run")
    assert result.exit_code == 0, result.output
    text = shown(result)
    lines = text.splitlines()
    assert lines[:6] == [
        "Inspecting customers.csv ...",
        "60 rows, 3 columns:",
        "  column                role         missing",
        "  plan\\x1b]0;pwned\\x07  categorical    0.0%",
        "  usage\\u202e           numeric        0.0%",
        "  churned               categorical    0.0%"]
    project = isolated / "demo"

    for command in (("status",), ("summary",), ("show",)):
        result = invoke("-C", str(project), *command)
        assert result.exit_code == 0, result.output
        assert shown(result).splitlines()[0].startswith("Esc\\x1b]0;pwned\\x07 MVP"), command
    assert shown(invoke("-C", str(project), "check", ".")) == "mvp.yaml: sound\n"
    show = invoke("-C", str(project), "show").stdout
    assert "churn\\x1b[2J rate" in show
    document = invoke("-C", str(project), "status", "--json")
    assert json.loads(shown(document))["project"] == f"Esc{TITLE} MVP"


def test_errors_name_hostile_values_as_text(isolated, hostile):
    data, business = hostile
    result = invoke("new", "demo", "--mapping", str(business), "--data", str(data),
                    "--target", f"churned{CLEAR}", "--metric", "roc_auc", "--threshold",
                    "0.6", "--no-input", "--no-run", "-q")
    assert result.exit_code == 2
    assert shown(result).splitlines()[-1] == (
        "Error: customers.csv has no column 'churned\\x1b[2J'; did you mean 'churned'?")
    result = invoke("-C", f"nowhere{TITLE}", "status")
    assert result.exit_code == 2
    assert shown(result) == ("Error: Invalid value for '-C' / '--project': Directory "
                             "'nowhere\\x1b]0;pwned\\x07' does not exist. (see 'mvpgen --help')\n")
    result = invoke("check", f"mvp{TITLE}.yaml")
    assert result.exit_code == 2
    assert shown(result) == ("Error: mapping file mvp\\x1b]0;pwned\\x07.yaml does not exist\n")


def test_a_chart_shows_a_name_with_an_escape_as_text():
    """Drawn raw, the escape would be a missing glyph, and its warning would print it."""
    from matplotlib.text import Text

    from mvpgen.reports import charts

    fig = charts.bars([(f"plan{TITLE}", 0.4), ("plan_$10_$20", 0.2)], "weight")
    page = charts.image(fig, "weights")  # any warning is an error in the tests
    assert page.startswith("<img alt='weights' src='data:image/png;base64,")
    labels = fig.axes[0].get_yticklabels()  # as drawn
    assert [t.get_text() for t in labels] == ["plan_$10_$20", "plan\\x1b]0;pwned\\x07"]
    assert not any(t.get_parse_math() for t in fig.findobj(Text))  # $10_$20 is no math

"""Gather the answers for a new project: mapping file, then options, then prompts."""

from __future__ import annotations

import copy
import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mvpgen.errors import MappingError, MappingFileError, MissingAnswerError
from mvpgen.generator.template import examples_dir
from mvpgen.mapping import read_yaml

# The option that sets each field from the command line, for messages under --no-input.
OPTION_FOR = {
    "project.name": "--name NAME",
    "business.requirement": "--requirement TEXT",
    "business.kpi": "--kpi TEXT",
    "business.current": "--current X",
    "business.goal": "--goal X",
    "business.capacity": "--capacity N",
    "technical.target": "--target COLUMN",
    "technical.task": "--task binary|multiclass|regression",
    "technical.positive_label": "--positive-label VALUE",
    "technical.metric": "--metric NAME",
    "technical.threshold": "--threshold X",
    "data.path": "--data FILE",
    "data.time_column": "--time-column COLUMN",
    "data.group_column": "--group-column COLUMN",
    "data.id_columns": "--id-columns A,B",
}
REQUIRED = ("project.name", "business.requirement", "technical.target", "technical.metric",
            "technical.threshold")


def read_mapping_file(path: Path) -> dict[str, Any]:
    """Read a mapping file as raw data, without validating it.

    Raises:
        MappingFileError: when the file is missing, unreadable or not YAML.
    """
    try:
        return read_yaml(path)
    except MappingError as err:
        problems = "; ".join(p.problem + (f" ({p.fix})" if p.fix else "") for p in err.problems)
        msg = f"mapping file {path} {problems}"
        raise MappingFileError(msg) from err


def example_mapping_file(name: str) -> Path:
    """Return the mapping file of a bundled example.

    Raises:
        MappingFileError: when there is no example of that name (the message lists them).
    """
    path = examples_dir() / name / "mvp.yaml"
    if not path.is_file():
        names = ", ".join(sorted(p.parent.name for p in examples_dir().glob("*/mvp.yaml")))
        msg = f"there is no example '{name}'; examples are: {names}"
        raise MappingFileError(msg)
    return path


def get_field(raw: dict[str, Any], dotted: str) -> Any:
    """Return the value at a dotted path such as ``technical.target``, or None."""
    node: Any = raw
    for key in dotted.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def with_fields(raw: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of ``raw`` with the dotted fields set (None values are skipped)."""
    out = copy.deepcopy(raw)
    for dotted, value in values.items():
        if value is None:
            continue
        *sections, key = dotted.split(".")
        node = out
        for section in sections:
            if not isinstance(node.get(section), dict):
                node[section] = {}
            node = node[section]
        node[key] = value
    return out


def require_answers(raw: dict[str, Any], extra: tuple[str, ...] = (),
                    hints: dict[str, str] | None = None,
                    required: tuple[str, ...] = REQUIRED) -> None:
    """Refuse a mapping that lacks a required answer, naming the option that gives it.

    Args:
        raw: the answers.
        extra: fields required in this case beyond ``required``.
        hints: for some fields, what the answer may be (e.g. the target's values).
        required: the fields always required (default ``REQUIRED``).

    Raises:
        MissingAnswerError: listing every missing answer.
    """
    hints = hints or {}
    missing = [f for f in (*required, *extra) if get_field(raw, f) in (None, "")]
    if missing:
        parts = "; ".join(f"{f} (pass {OPTION_FOR[f]}" + (f"; {hints[f]}" if f in hints else "")
                          + ")" for f in missing)
        msg = f"missing with --no-input: {parts}"
        raise MissingAnswerError(msg)


# Lists of columns in messages stop after this many names.
SHOWN_COLUMNS = 30


def match_column(name: str, columns: Sequence[str]) -> str:
    """Return the column ``name`` names: the exact one, else the one equal ignoring case.

    Raises:
        ValueError: when no column (or more than one, ignoring case) matches; the message
            lists the columns and the closest name.
    """
    if name in columns:
        return name
    folded = [c for c in columns if c.casefold() == name.casefold()]
    if len(folded) == 1:
        return folded[0]
    if folded:
        msg = (f"'{name}' matches {len(folded)} columns when case is ignored "
               f"({', '.join(folded)}); type it exactly")
        raise ValueError(msg)
    msg = (f"'{name}' is not a column; columns are: {columns_text(columns)}"
           f"{did_you_mean(name, columns)}")
    raise ValueError(msg)


def columns_text(columns: Sequence[str]) -> str:
    """Return the column names for a message, cut after ``SHOWN_COLUMNS``."""
    shown = ", ".join(columns[:SHOWN_COLUMNS])
    return shown + (f", ... ({len(columns):,} in all)" if len(columns) > SHOWN_COLUMNS else "")


def did_you_mean(name: str, choices: Sequence[str]) -> str:
    """Return `` (did you mean 'x'?)`` for the closest choice ignoring case, or ``""``."""
    by_folded = {c.casefold(): c for c in reversed(choices)}
    close = difflib.get_close_matches(name.casefold(), list(by_folded), n=1, cutoff=0.6)
    return f" (did you mean '{by_folded[close[0]]}'?)" if close else ""

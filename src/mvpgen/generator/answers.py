"""Gather the answers for a new project: mapping file, then options, then prompts."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from mvpgen.errors import MappingError, MappingFileError, MissingAnswerError
from mvpgen.generator.template import examples_dir
from mvpgen.mapping import read_yaml

# The option that sets each field from the command line, for messages under --no-input.
OPTION_FOR = {
    "project.name": "--name NAME",
    "business.requirement": "--mapping FILE (a mapping that states the requirement)",
    "technical.target": "--target COLUMN",
    "technical.task": "--task binary|multiclass|regression",
    "technical.positive_label": "--positive-label VALUE",
    "technical.metric": "--metric NAME",
    "technical.threshold": "--threshold X",
    "data.path": "--data FILE",
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
                    hints: dict[str, str] | None = None) -> None:
    """Refuse a mapping that lacks a required answer, naming the option that gives it.

    Args:
        raw: the answers.
        extra: fields required in this case beyond ``REQUIRED``.
        hints: for some fields, what the answer may be (e.g. the target's values).

    Raises:
        MissingAnswerError: listing every missing answer.
    """
    hints = hints or {}
    missing = [f for f in (*REQUIRED, *extra) if get_field(raw, f) in (None, "")]
    if missing:
        parts = "; ".join(f"{f} (pass {OPTION_FOR[f]}" + (f"; {hints[f]}" if f in hints else "")
                          + ")" for f in missing)
        msg = f"missing with --no-input: {parts}"
        raise MissingAnswerError(msg)

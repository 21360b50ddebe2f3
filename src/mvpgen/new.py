"""``mvpgen new``: gather and check the answers, then generate the project."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mvpgen.answers import (
    example_mapping_file,
    get_field,
    read_mapping_file,
    require_answers,
    with_fields,
)
from mvpgen.checks import Finding, check_mapping, resolve_data_path
from mvpgen.errors import DataFileError, FindingsError, MvpgenError
from mvpgen.generate import generate_project
from mvpgen.naming import project_slug
from mvpgen.target import infer_positive_label, infer_task
from mvpgen.template import schema

# Asked first: the data file decides what the target question can offer, and the
# target's values what the task and positive-label questions propose.
_BEFORE_TARGET = ("project.name", "business.requirement", "business.kpi",
                  "business.current", "business.goal", "data.path")


@dataclass(frozen=True)
class NewRequest:
    """What the user asked ``mvpgen new`` for."""

    directory: Path | None = None
    mapping_file: Path | None = None
    example: str | None = None
    data: Path | None = None
    overrides: dict[str, Any] = field(default_factory=dict)  # dotted field -> value
    interactive: bool = False
    allow_findings: bool = False


@dataclass(frozen=True)
class NewProject:
    """What ``mvpgen new`` made."""

    path: Path
    package: str
    inferred: dict[str, Any]
    findings: list[Finding]


def create_project(request: NewRequest) -> NewProject:
    """Gather the answers, check them, and generate the project.

    Returns:
        The project made, with what was inferred and which findings were accepted.

    Raises:
        MvpgenError: for bad input (exit 2) and for findings that were not allowed (exit 1).
    """
    raw, base_dir = _starting_mapping(request)
    directory_name = request.directory.name if request.directory else None
    if get_field(raw, "project.name") is None and not request.interactive:
        raw = with_fields(raw, {"project.name": directory_name})
    ask = _asker(request)
    raw = ask(raw, only=_BEFORE_TARGET, defaults={"project.name": directory_name})
    columns = _data_columns(raw, base_dir)
    raw = ask(raw, only=("technical.target",), columns=columns)
    # What the target's values make obvious becomes a default to confirm, or, without
    # prompts, the answer; either way it is written into mvp.yaml for all to see.
    values = _target_values(raw, base_dir, columns)
    proposed = _proposals(raw, values)
    raw = ask(raw, columns=columns, labels=values, defaults=proposed)
    inferred = {k: v for k, v in proposed.items() if get_field(raw, k) is None}
    raw = with_fields(raw, inferred)
    if not request.interactive:
        labels = ", ".join(repr(v) for v in values)
        require_answers(raw, _also_required(raw),
                        hints={"technical.positive_label": f"one of: {labels}"} if values else {})

    findings = check_mapping(raw, base_dir)
    blocking = [f for f in findings if not f.allowable]
    if blocking or (findings and not request.allow_findings):
        hint = ("fix the mapping; these cannot be allowed, as the project could not run"
                if blocking else "fix the mapping, or pass --allow-findings to record them "
                "in the checklist and go on")
        msg = f"{len(findings)} finding(s) in the mapping: {hint}"
        raise FindingsError(msg, findings)

    mapping, _ = schema().parse_mapping(raw)
    data_file = resolve_data_path(mapping.data.path, base_dir) if mapping.data.path else None
    destination = request.directory or Path(project_slug(mapping.project.name))
    path = generate_project(mapping, destination, data_file=data_file,
                            findings=tuple(str(f) for f in findings))
    package = next(p.name for p in (path / "src").iterdir() if p.is_dir())
    return NewProject(path, package, inferred, findings)


def _starting_mapping(request: NewRequest) -> tuple[dict[str, Any], Path]:
    """Return the raw mapping from file and options, and the folder relative paths start in."""
    if request.mapping_file and request.example:
        msg = "--mapping and --example both name a mapping; pass only one of them"
        raise MvpgenError(msg)
    source = request.mapping_file
    if request.example:
        source = example_mapping_file(request.example)
    raw = read_mapping_file(source) if source else {}
    base_dir = source.resolve().parent if source else Path.cwd()
    overrides = dict(request.overrides)
    if request.data is not None:
        # Relative to where the user typed it, not to the mapping file.
        overrides["data.path"] = str(request.data.expanduser().resolve())
    return with_fields(raw, overrides), base_dir


def _asker(request: NewRequest) -> Callable[..., dict[str, Any]]:
    """Return the function that asks for missing answers (one that asks nothing with --no-input)."""
    if not request.interactive:
        return lambda raw, **kwargs: raw
    from mvpgen.prompts import ask_missing

    optional = request.mapping_file is None and request.example is None
    return lambda raw, **kwargs: ask_missing(raw, optional=optional, **kwargs)


def _target_values(raw: dict[str, Any], base_dir: Path,
                   columns: tuple[str, ...]) -> tuple[Any, ...]:
    """Return the target's distinct values, or nothing when there is no data or no target."""
    target = get_field(raw, "technical.target")
    if target not in columns:
        return ()  # the checks report a target missing from the data
    from mvpgen.dataset import read_target

    return read_target(resolve_data_path(get_field(raw, "data.path"), base_dir), target).values


def _proposals(raw: dict[str, Any], values: tuple[Any, ...]) -> dict[str, Any]:
    """Return the task and positive label the target's values make obvious."""
    task = get_field(raw, "technical.task") or infer_task(values)
    proposed = {"technical.task": task}
    if task == "binary":
        proposed["technical.positive_label"] = infer_positive_label(values)
    return {k: v for k, v in proposed.items() if v is not None and get_field(raw, k) is None}


def _data_columns(raw: dict[str, Any], base_dir: Path) -> tuple[str, ...]:
    """Return the data file's columns; a named file that cannot be read is bad input."""
    path = get_field(raw, "data.path")
    if not isinstance(path, str):
        return ()
    from mvpgen.dataset import read_columns

    resolved = resolve_data_path(path, base_dir)
    if not resolved.is_file():
        msg = f"data file {resolved} does not exist; check data.path or --data"
        raise DataFileError(msg)
    return read_columns(resolved)


def _also_required(raw: dict[str, Any]) -> tuple[str, ...]:
    """Fields required beyond the always-required ones, given what could not be inferred."""
    extra = ["technical.task"]
    if get_field(raw, "technical.task") == "binary":
        extra.append("technical.positive_label")
    return tuple(extra)

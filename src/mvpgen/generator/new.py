"""``mvpgen new``: gather and check the answers, then generate the project."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mvpgen.generator.answers import (
    example_mapping_file,
    get_field,
    read_mapping_file,
    require_answers,
    with_fields,
)
from mvpgen.checks import Finding, check_mapping, resolve_data_path, target_findings
from mvpgen.errors import DataFileError, FindingsError, MappingProblemsError, MvpgenError
from mvpgen.generator.generate import check_destination, generate_project
from mvpgen.generator.naming import package_name, project_slug
from mvpgen.data.target import find_label
from mvpgen.mapping import parse_mapping
from mvpgen.metrics import METRICS, TASKS

# Asked first: the data file decides what the target question can offer, and the
# target's values what the later questions propose.
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
    echo: Callable[[str], None] = lambda line: None  # progress and what the data shows


@dataclass(frozen=True)
class NewProject:
    """What ``mvpgen new`` made."""

    path: Path
    package: str
    inferred: dict[str, Any]
    findings: list[Finding]
    has_data: bool = False  # a data file was given: the pipeline can run


def create_project(request: NewRequest) -> NewProject:
    """Gather the answers, check them, and generate the project.

    Returns:
        The project made, with what was inferred and which findings were accepted.

    Raises:
        MvpgenError: for bad input (exit 2) and for findings that were not allowed (exit 1).
    """
    raw, base_dir = _starting_mapping(request)
    _refuse_broken_answers(raw)
    if request.directory is not None:
        check_destination(Path(os.path.abspath(request.directory)))  # before any question
    directory_name = request.directory.name if request.directory else None
    if get_field(raw, "project.name") is None and not request.interactive:
        raw = with_fields(raw, {"project.name": directory_name})
    ask = _asker(request)
    data_file = _data_file(raw, base_dir)
    if data_file is not None:  # show the data first: it informs every answer
        _show_data(data_file, request.echo)
    raw = ask(raw, only=_BEFORE_TARGET, defaults={"project.name": directory_name})
    if data_file is None:
        data_file = _data_file(raw, base_dir)
        if data_file is not None:
            _show_data(data_file, request.echo)

    inferred: dict[str, Any] = {}
    hints: dict[str, str] = {}
    if data_file is not None:
        raw, inferred, labels = _answers_from_data(raw, data_file, request, ask)
        hints["technical.positive_label"] = f"one of: {', '.join(map(repr, labels[:20]))}"
    else:
        raw = ask(raw, skip=_BEFORE_TARGET)
    if not request.interactive:
        require_answers(raw, _also_required(raw), hints=hints)

    findings = check_mapping(raw, base_dir)
    blocking = [f for f in findings if not f.allowable]
    if blocking or (findings and not request.allow_findings):
        hint = ("fix the mapping; these cannot be allowed, as the project could not run"
                if blocking else "fix the mapping, or pass --allow-findings to record them "
                "in the checklist and go on")
        msg = f"{len(findings)} finding(s) in the mapping: {hint}"
        raise FindingsError(msg, findings)

    mapping, _ = parse_mapping(raw)
    destination = request.directory or Path(project_slug(mapping.project.name))
    path = generate_project(mapping, destination, data_file=data_file,
                            findings=tuple(" ".join(str(f).split()) for f in findings))
    package = package_name(project_slug(mapping.project.name))
    return NewProject(path, package, inferred, findings, has_data=data_file is not None)


def _answers_from_data(raw: dict[str, Any], data_file: Path, request: NewRequest,
                       ask: Callable[..., dict[str, Any]],
                       ) -> tuple[dict[str, Any], dict[str, Any], tuple[Any, ...]]:
    """Inspect the data, propose what it suggests, ask or fill in the rest.

    Returns:
        The answers, the proposals that became answers without being asked, and the
        target's distinct values.
    """
    from mvpgen.data.inspection import (
        fingerprint,
        inspect_file,
        propose_details,
        propose_target,
        summarize_target,
    )

    inspection = inspect_file(data_file)
    proposed = {"technical.target": propose_target(inspection)}
    raw = ask(raw, only=("technical.target",), columns=inspection.names, defaults=proposed)
    inferred = _fill(raw, proposed)
    raw = with_fields(raw, inferred)

    target = get_field(raw, "technical.target")
    summary = summarize_target(data_file, target, inspection.names)
    proposed = propose_details(inspection, summary, get_field(raw, "technical.task"), target)
    raw = ask(raw, skip=(*_BEFORE_TARGET, "technical.target"), columns=inspection.names,
              labels=summary.values, defaults=proposed)
    more = _fill(raw, proposed)
    raw = with_fields(raw, more)
    problems = target_findings(get_field(raw, "technical.task"), target, data_file.name,
                               summary, inspection)
    if problems:  # the data cannot serve this target: bad input, whatever else is missing
        raise DataFileError(str(problems[0]))
    label = get_field(raw, "technical.positive_label")
    if label is not None:
        # As the data holds it: 1, not "1", when the option or a prompt gave text.
        more_label = find_label(label, summary.values)
        raw = with_fields(raw, {"technical.positive_label": more_label})
    raw = with_fields(raw, {"data.rows": summary.rows,
                            "data.size_bytes": inspection.size_bytes,
                            "data.sha256": fingerprint(data_file)})
    return raw, {**inferred, **more}, summary.values


def _refuse_broken_answers(raw: dict[str, Any]) -> None:
    """Refuse answers that are wrong (not merely missing) before asking anything more.

    Raises:
        MappingProblemsError: naming every problem that is not a missing answer.
    """
    _, problems = parse_mapping(raw)
    findings = [Finding(p.field, p.problem, p.fix) for p in problems if p.problem != "missing"]
    tech = raw.get("technical") if isinstance(raw.get("technical"), dict) else {}
    if tech.get("task") is not None and tech["task"] not in TASKS:
        findings.append(Finding("technical.task", f"{tech['task']!r} is not a task",
                                f"use one of: {', '.join(TASKS)}"))
    if tech.get("metric") is not None and tech["metric"] not in METRICS:
        findings.append(Finding("technical.metric", f"{tech['metric']!r} is not a metric",
                                f"use one of: {', '.join(METRICS)}"))
    if findings:
        raise MappingProblemsError(list(dict.fromkeys(findings)))


def _show_data(data_file: Path, echo: Callable[[str], None]) -> None:
    """Print each column's role and missing share, so the answers can build on them."""
    from mvpgen.data.inspection import inspect_file, roles_table

    echo(f"Inspecting {data_file.name} ...")
    inspection = inspect_file(data_file)
    echo(f"{inspection.rows:,} rows, {len(inspection.columns)} columns:")
    for line in roles_table(inspection):
        echo(line)


def _fill(raw: dict[str, Any], proposed: dict[str, Any]) -> dict[str, Any]:
    """Return the proposals for fields still unanswered."""
    return {k: v for k, v in proposed.items() if v is not None and get_field(raw, k) is None}


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
        # Relative to where the user typed it, not to the mapping file; the numbers
        # recorded for another file no longer apply.
        overrides["data.path"] = str(request.data.expanduser().resolve())
        for stale in ("rows", "size_bytes", "sha256"):
            if isinstance(raw.get("data"), dict):
                raw["data"].pop(stale, None)
    return with_fields(raw, overrides), base_dir


def _asker(request: NewRequest) -> Callable[..., dict[str, Any]]:
    """Return the function that asks for missing answers (one that asks nothing with --no-input)."""
    if not request.interactive:
        return lambda raw, **kwargs: raw
    from mvpgen.generator.prompts import ask_missing

    optional = request.mapping_file is None and request.example is None
    return lambda raw, **kwargs: ask_missing(raw, optional=optional, **kwargs)


def _data_file(raw: dict[str, Any], base_dir: Path) -> Path | None:
    """Return the data file the answers name; a named file that is missing is bad input."""
    path = get_field(raw, "data.path")
    if not isinstance(path, str):
        return None
    resolved = resolve_data_path(path, base_dir)
    if not resolved.is_file():
        what = "is a folder, not a file" if resolved.is_dir() else "does not exist"
        msg = f"data file {resolved} {what}; check data.path or --data"
        raise DataFileError(msg)
    return resolved


def _also_required(raw: dict[str, Any]) -> tuple[str, ...]:
    """Fields required beyond the always-required ones, given what could not be inferred."""
    extra = ["technical.task"]
    if get_field(raw, "technical.task") == "binary":
        extra.append("technical.positive_label")
    return tuple(extra)

"""``mvpgen new``: gather and check the answers, then generate the project."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mvpgen.checks import (
    Finding,
    check_mapping,
    resolve_data_path,
    target_findings,
    time_column_findings,
)
from mvpgen.data.sources import Source, anchored, names_dataset
from mvpgen.data.target import find_label
from mvpgen.errors import DataFileError, FindingsError, MappingProblemsError, MvpgenError
from mvpgen.generator.answers import (
    OPTION_FOR,
    REQUIRED,
    example_mapping_file,
    get_field,
    match_column,
    read_mapping_file,
    require_answers,
    with_fields,
)
from mvpgen.generator.generate import COPY_LIMIT_BYTES, check_destination, generate_project
from mvpgen.generator.naming import package_name, project_slug
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


def create_project(request: NewRequest) -> NewProject | None:
    """Gather the answers, check them, confirm them (when asking), and generate the project.

    Returns:
        The project made, with what was inferred and which findings were accepted; None
        when the user declined the answers at the confirmation (nothing was written).

    Raises:
        MvpgenError: for bad input (exit 2) and for findings that were not allowed (exit 1).
    """
    raw, base_dir = _starting_mapping(request)
    _refuse_broken_answers(raw)
    connection = get_field(raw, "data.connection")
    if isinstance(connection, str):  # a database file named from the mapping's folder
        raw = with_fields(raw, {"data.connection": anchored(connection, base_dir)})
    if request.directory is not None:
        check_destination(Path(os.path.abspath(request.directory)))  # before any question
    directory_name = request.directory.name if request.directory else None
    if get_field(raw, "project.name") is None and not request.interactive:
        raw = with_fields(raw, {"project.name": directory_name})
    declined: set[str] = set()
    ask = _asker(request, declined)
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
        raw, inferred, hints = _answers_from_data(raw, data_file, request, ask, declined)
    else:
        raw = ask(raw, skip=_BEFORE_TARGET)
    if not request.interactive:
        _require_answers(raw, hints, has_data=data_file is not None)

    findings = check_mapping(raw, base_dir)
    blocking = [f for f in findings if not f.allowable]
    if blocking or (findings and not request.allow_findings):
        raise FindingsError(_findings_message(findings, blocking, request), findings)

    mapping, _ = parse_mapping(raw)
    destination = request.directory or Path(project_slug(mapping.project.name))
    if request.interactive:
        from mvpgen.generator.prompts import confirm_answers

        check_destination(Path(os.path.abspath(destination)))  # before asking to go on
        if not confirm_answers(_summary(mapping, destination, data_file)):
            return None
    path = generate_project(mapping, destination,
                            data_file=data_file if isinstance(data_file, Path) else None,
                            findings=tuple(" ".join(str(f).split()) for f in findings))
    package = package_name(project_slug(mapping.project.name))
    return NewProject(path, package, inferred, findings, has_data=data_file is not None)


def _answers_from_data(raw: dict[str, Any], data_file: Path | Source, request: NewRequest,
                       ask: Callable[..., dict[str, Any]], declined: set[str],
                       ) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """Inspect the data, propose what it suggests, ask or fill in the rest.

    Returns:
        The answers, the proposals that became answers without being asked, and for
        answers still missing, what they may be (for the message under --no-input).
    """
    from mvpgen.data.inspection import (
        data_fingerprint,
        date_columns,
        inspect_file,
        propose_details,
        propose_group_columns,
        propose_target_choice,
        summarize_target,
    )
    from mvpgen.generator.prompts import DataFacts

    inspection = inspect_file(data_file)
    raw = _match_columns(raw, inspection.names, request.echo)
    choice = propose_target_choice(inspection)
    others = [c for c in choice.candidates if c != choice.column]
    facts = DataFacts(columns=inspection.names, roles={c.name: c.role for c in inspection.columns},
                      dates=tuple(date_columns(inspection)), source=data_file.name,
                      notes={"technical.target": f"Proposed: {choice.column} ({choice.reason})"
                             + (f"; other candidates: {', '.join(others)}." if others else ".")}
                      if choice.column else {})
    inferred: dict[str, Any] = {}
    guessed = get_field(raw, "technical.target") is None
    if guessed and not request.interactive:
        if not choice.confident:
            shown = ", ".join(choice.candidates) if choice.candidates else "none"
            return raw, inferred, {"technical.target": "the data does not make the target "
                                   f"clear; candidates: {shown}"}
        inferred["technical.target"] = choice.column
        raw = with_fields(raw, inferred)
        request.echo(f"Target: '{choice.column}', guessed from the data ({choice.reason}); "
                     "pass --target COLUMN to choose another")
    raw = ask(raw, only=("technical.target",), facts=facts,
              defaults={"technical.target": choice.column})

    target = get_field(raw, "technical.target")
    summary = summarize_target(data_file, target, inspection.names)
    if len(summary.values) < 2:  # empty or constant: nothing to learn, so nothing to ask
        raise DataFileError(str(target_findings(None, target, data_file.name, summary,
                                                inspection)[0]))
    proposed = propose_details(inspection, summary, get_field(raw, "technical.task"), target)
    facts = dataclasses.replace(
        facts, labels=summary.values, summary=summary, dates=tuple(date_columns(inspection,
                                                                                target)),
        groups=tuple(propose_group_columns(inspection, target)),
        ids=tuple(proposed.get("data.id_columns", ())))
    raw = ask(raw, skip=(*_BEFORE_TARGET, "technical.target"), facts=facts,
              defaults={k: v for k, v in proposed.items() if k != "data.id_columns"},
              declined=declined)
    more = _fill(raw, proposed, declined)
    raw = with_fields(raw, more)
    problems = target_findings(get_field(raw, "technical.task"), target, data_file.name,
                               summary, inspection)
    if problems:  # the data cannot serve this target: bad input, whatever else is missing
        msg = str(problems[0])
        if guessed and not request.interactive:
            msg += (f" (the target '{target}' was guessed from the data; pass --target "
                    f"COLUMN, e.g. one of: {', '.join(choice.candidates)})")
        raise DataFileError(msg)
    time_column = get_field(raw, "data.time_column")
    if isinstance(data_file, Path) and time_column in inspection.names:
        problems = time_column_findings(data_file, time_column)
        if problems:  # no holdout can follow it: bad input, like a target that cannot serve
            raise DataFileError(str(problems[0]))
    label = get_field(raw, "technical.positive_label")
    if label is not None:
        # As the data holds it: 1, not "1", when the option or a prompt gave text.
        more_label = find_label(label, summary.values)
        raw = with_fields(raw, {"technical.positive_label": more_label})
    raw = with_fields(raw, {"data.rows": summary.rows,
                            "data.size_bytes": inspection.size_bytes or None,
                            "data.sha256": data_fingerprint(data_file)})
    hints = {"technical.positive_label":
             f"one of: {', '.join(map(repr, summary.values[:20]))}"}
    hints |= _threshold_hint(raw, summary)
    return raw, {**inferred, **more}, hints


def _threshold_hint(raw: dict[str, Any], summary: Any) -> dict[str, str]:
    """Return, for a missing threshold, what guessing scores and a value to start from."""
    from mvpgen.data.inspection import propose_threshold

    metric = get_field(raw, "technical.metric")
    if get_field(raw, "technical.threshold") is not None or metric not in METRICS:
        return {}
    proposal = propose_threshold(metric, summary, get_field(raw, "technical.positive_label"),
                                 get_field(raw, "business.capacity"))
    if proposal is None or proposal.default is None:
        return {}
    return {"technical.threshold": f"guessing scores {proposal.guessing:.3g} on {metric} here, "
                                   f"by {proposal.how}; e.g. --threshold {proposal.default:g}"}


def _match_columns(raw: dict[str, Any], columns: tuple[str, ...],
                   echo: Callable[[str], None]) -> dict[str, Any]:
    """Return the answers with column names matched to the data's, whatever their case."""

    def matched(dotted: str, given: Any) -> Any:
        if not isinstance(given, str) or given in columns:
            return given
        try:
            name = match_column(given, columns)
        except ValueError:
            return given  # no match: the checks name the column and the closest one
        echo(f"{dotted}: '{given}' read as the column '{name}'")
        return name

    fixed = {dotted: matched(dotted, get_field(raw, dotted))
             for dotted in ("technical.target", "data.time_column", "data.group_column")}
    ids = get_field(raw, "data.id_columns")
    if isinstance(ids, list):
        fixed["data.id_columns"] = [matched("data.id_columns", name) for name in ids]
    return with_fields(raw, fixed)


def _require_answers(raw: dict[str, Any], hints: dict[str, str], *, has_data: bool) -> None:
    """Refuse, under --no-input, answers that are missing and could not be inferred."""
    if has_data and get_field(raw, "technical.target") is None:
        # The task and metric follow from the target: ask only for what they cannot.
        required = tuple(f for f in REQUIRED if f != "technical.metric")
        require_answers(raw, hints=hints, required=required)
        return
    extra = list(_also_required(raw))
    spec = METRICS.get(get_field(raw, "technical.metric"))
    if spec is not None and spec.needs_capacity and get_field(raw, "humans.review_budget") \
            is None:
        extra.append("business.capacity")
        hints = {**hints, "business.capacity": "cases in every 1,000 the business can act on"}
    require_answers(raw, tuple(extra), hints=hints)


def _findings_message(findings: list[Finding], blocking: list[Finding],
                      request: NewRequest) -> str:
    if blocking:
        hint = "fix the mapping; these cannot be allowed, as the project could not run"
    elif request.mapping_file is None and request.example is None:
        # No mapping file to fix: name the options that give the missing answers.
        missing = [f for f in findings if f.problem == "missing" and f.field in OPTION_FOR]
        options = ", ".join(dict.fromkeys(OPTION_FOR[f.field] for f in missing))
        if missing and len(missing) == len(findings):
            fix = f"pass {options}"
        elif missing:
            fix = f"fix what the lines above say and pass {options}"
        else:
            fix = "fix what the lines above say"
        hint = f"{fix}, or pass --allow-findings to record them in the checklist and go on"
    else:
        hint = ("fix the mapping, or pass --allow-findings to record them in the checklist "
                "and go on")
    return f"{len(findings)} finding(s) in the mapping: {hint}"


def _summary(mapping: Any, destination: Path, data_file: Path | Source | None) -> list[str]:
    """Return the answers as the lines shown for confirmation."""
    from mvpgen.mapping.describe import describe_mapping

    slug = project_slug(mapping.project.name)
    pairs = [("Project", f"{mapping.project.name} (package {package_name(slug)})"),
             ("Folder", str(destination))]
    for label, sentence in describe_mapping(mapping):
        pairs.append((label, sentence))
        if label == "Success" and mapping.business.capacity is not None:
            pairs.append(("Capacity", f"{mapping.business.capacity:g} cases in every 1,000 "
                                      "can be acted on"))
        if label == "Data" and isinstance(data_file, Path):
            copied = data_file.stat().st_size <= COPY_LIMIT_BYTES
            pairs[-1] = (label, sentence + (f"; copied into the project as data/raw/"
                                            f"{data_file.name}" if copied else
                                            "; too large to copy: the project refers to it"))
    width = max(len(label) for label, _ in pairs)
    return [f"{label:<{width}}  {sentence}" for label, sentence in pairs]


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


def _show_data(data_file: Path | Source, echo: Callable[[str], None]) -> None:
    """Print each column's role and missing share, so the answers can build on them."""
    from mvpgen.data.inspection import inspect_file, roles_table

    echo(f"Inspecting {data_file.name} ...")
    inspection = inspect_file(data_file)
    for note in inspection.notes:
        echo(f"note: {note}")
    echo(f"{inspection.rows:,} rows, {len(inspection.columns)} columns:")
    for line in roles_table(inspection):
        echo(line)


def _fill(raw: dict[str, Any], proposed: dict[str, Any],
          declined: set[str] | None = None) -> dict[str, Any]:
    """Return the proposals for fields still unanswered (and not answered "none")."""
    declined = declined or set()
    return {k: v for k, v in proposed.items()
            if v is not None and get_field(raw, k) is None and k not in declined}


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
    if overrides.get("data.query") is not None and isinstance(raw.get("data"), dict):
        # A query given on the command line replaces the mapping's file.
        for stale in ("path", "rows", "size_bytes", "sha256"):
            raw["data"].pop(stale, None)
    if request.data is not None:
        # Relative to where the user typed it, not to the mapping file; the numbers
        # recorded for another file no longer apply.
        overrides["data.path"] = str(Path(os.path.abspath(request.data.expanduser())))
        for stale in ("rows", "size_bytes", "sha256"):
            if isinstance(raw.get("data"), dict):
                raw["data"].pop(stale, None)
    return with_fields(raw, overrides), base_dir


def _asker(request: NewRequest, declined: set[str]) -> Callable[..., dict[str, Any]]:
    """Return the function that asks for missing answers (one that asks nothing with --no-input).

    Fields answered "none" are added to ``declined``.
    """
    if not request.interactive:
        return lambda raw, **kwargs: raw
    from mvpgen.generator.prompts import ask_missing

    optional = request.mapping_file is None and request.example is None
    return lambda raw, **kwargs: ask_missing(raw, optional=optional,
                                             **{"declined": declined, **kwargs})


def _data_file(raw: dict[str, Any], base_dir: Path) -> Path | Source | None:
    """Return the data the answers name: a file, or a dataset or query as a Source.

    Raises:
        DataFileError: for a named file that is missing, or a dataset without files.
    """
    query = get_field(raw, "data.query")
    if isinstance(query, str):
        connection = get_field(raw, "data.connection")
        return Source("query", query=query,
                      connection=connection if isinstance(connection, str) else None,
                      root=base_dir)
    path = get_field(raw, "data.path")
    if not isinstance(path, str):
        return None
    resolved = resolve_data_path(path, base_dir)
    if names_dataset(resolved):
        dataset = Source("dataset", path=resolved)
        if not dataset.files:
            msg = (f"{resolved} holds no Parquet file; name a CSV or Parquet file, or a folder "
                   "or glob of Parquet files, in data.path or --data")
            raise DataFileError(msg)
        return dataset
    if resolved.exists() and not resolved.is_file():
        msg = (f"data file {resolved} is not a regular file (a device or a pipe); save the "
               "data to a file and pass that")
        raise DataFileError(msg)
    if not resolved.is_file():
        msg = f"data file {resolved} does not exist; check data.path or --data"
        raise DataFileError(msg)
    return resolved


def _also_required(raw: dict[str, Any]) -> tuple[str, ...]:
    """Fields required beyond the always-required ones, given what could not be inferred."""
    extra = ["technical.task"]
    if get_field(raw, "technical.task") == "binary":
        extra.append("technical.positive_label")
    return tuple(extra)

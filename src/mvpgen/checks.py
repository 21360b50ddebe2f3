"""Check a mapping the way ``mvpgen check`` reports it: one finding per problem.

Three kinds of findings: the schema's (the project could not load the mapping), the
business question's (question 1 of the product: is there a KPI and a measurable goal?)
and the data's (does the file hold the target, and what does the target say?).
Only business findings can be accepted with ``--allow-findings``: the others would
give a project that cannot run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mvpgen.data import read as data
from mvpgen.data import target as targets
from mvpgen.data.inspection import inspect_file, summarize_target
from mvpgen.data.target import target_problem
from mvpgen.errors import DataError, MissingColumnError
from mvpgen.mapping import parse_mapping
from mvpgen.words import quoted

ASK = "What metric are you tracking? What is your measurable goal?"

# Words that say "we want AI" without saying what should change for whom.
_BUZZWORDS = frozenset("""
ai a.i. ml artificial intelligence machine learning deep neural genai gen-ai generative llm
llms gpt chatgpt copilot agent agents agentic data driven data-driven analytics big smart
digital digitalisation digitalization transformation innovation innovative cutting-edge
next-level state-of-the-art disruptive synergy synergies leverage use using utilise utilize
apply build implement adopt deploy power powered harness unlock grow growth improve
optimise optimize boost enhance transform accelerate scale drive help make get become want
wants need needs business businesses company companies organisation organization
enterprise processes process operations efficiency productivity performance value results
outcomes insights solution solutions success better more things everything stuff
algorithm algorithms model models predictive future competitive edge across world-class
tbd todo tba n/a na xxx ? something somehow
""".split())
_STOPWORDS = frozenset("""
a an the to of for and or our we us with in on by it its their your my this that be is
are so as at from into all some new
""".split())


@dataclass(frozen=True)
class Finding:
    """One problem with a mapping; ``allowable`` when the project can run regardless."""

    field: str
    problem: str
    fix: str = ""
    allowable: bool = False

    def __str__(self) -> str:
        return f"{self.field}: {self.problem}" + (f" — {self.fix}" if self.fix else "")


def check_mapping(raw: dict[str, Any], base_dir: Path) -> list[Finding]:
    """Check a raw mapping whose relative data path is relative to ``base_dir``.

    Returns:
        The findings, business ones first; an empty list means the mapping is sound.
    """
    findings = business_findings(raw)
    mapping, problems = parse_mapping(raw)
    findings += [Finding(p.field, p.problem, p.fix) for p in problems]
    if mapping is not None and not problems:
        findings += data_findings(mapping, base_dir)
    return findings


def business_findings(raw: dict[str, Any]) -> list[Finding]:
    """Question 1: a concrete requirement, a KPI, today's value and a different goal."""
    business = raw.get("business")
    if not isinstance(business, dict):
        return []  # the schema reports the missing or malformed section
    out = []
    requirement = business.get("requirement")
    if isinstance(requirement, str) and requirement.strip() and is_vague(requirement):
        shown = " ".join(requirement.split())
        out.append(Finding("business.requirement", f"'{shown}' names no concrete outcome",
                           f"{ASK} Say what should change, e.g. 'Reduce monthly customer churn'",
                           allowable=True))
    if business.get("kpi") is None:
        out.append(Finding("business.kpi", "missing",
                           f"{ASK} Name the KPI, e.g. kpi: monthly churn rate", allowable=True))
    if business.get("goal") is None:
        out.append(Finding("business.goal", "missing",
                           f"{ASK} Give the KPI value that counts as success, e.g. goal: 0.06",
                           allowable=True))
    current, goal = business.get("current"), business.get("goal")
    if current is None:
        out.append(Finding("business.current", "missing",
                           "give today's value of the KPI, so the goal says which way is better",
                           allowable=True))
    elif _number(current) and _number(goal) and current == goal:
        out.append(Finding("business.goal", f"equals business.current ({current:g}), so there "
                           "is nothing to achieve",
                           f"set the goal below {current:g} if lower is better, "
                           f"or above it if higher is better", allowable=True))
    return out


def is_vague(requirement: str) -> bool:
    """Return whether a requirement is made only of buzzwords and filler words."""
    filler = {_bare(w) for w in _BUZZWORDS | _STOPWORDS}
    words = re.findall(r"[\w.'/?-]+", requirement.lower())
    return all(_bare(w) in filler for w in words)


def _bare(word: str) -> str:
    # "A.I." and "a.i" are the same word; so are "ML," and "ml".
    return word.strip(".'-,") or word


def resolve_data_path(path: str, base_dir: Path) -> Path:
    """Return the data file's path; a relative one is relative to the mapping's folder."""
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else base_dir / candidate


def data_findings(mapping: Any, base_dir: Path) -> list[Finding]:
    """Check the mapping against its data file; what can be inferred is not a finding."""
    from mvpgen.data.sources import source_of

    tech = mapping.technical
    if mapping.data.path is None and mapping.data.query is None:
        return _without_data(tech)
    try:
        source = source_of(mapping, base_dir)
        data_in = source.path if source.kind == "file" else source
        inspection = inspect_file(data_in)
        summary = summarize_target(data_in, tech.target, inspection.names)
    except MissingColumnError as err:
        return [Finding("technical.target", str(err))]
    except DataError as err:
        field = "data.path" if mapping.data.query is None else "data.query"
        return [Finding(field, str(err))]
    path = inspection.path
    out = [Finding(f"data.{name}", f"column '{column}' is not in {path.name}",
                   f"columns are: {', '.join(inspection.names)}")
           for name, column in _declared_columns(mapping.data) if column not in inspection.names]
    time_column = mapping.data.time_column
    if time_column in inspection.names and source.kind == "file":
        out += time_column_findings(path, time_column)
    problems = target_findings(tech.task, tech.target, path.name, summary, inspection)
    if not problems and len(summary.values) == 2 and tech.task in ("binary", None):
        problems = _positive_label_findings(tech, summary.values)
    if not problems:
        problems = goal_findings(mapping, summary)
    return out + problems


def time_column_findings(path: Path, column: str) -> list[Finding]:
    """Check that a declared time column holds dates that order the rows.

    Returns:
        At most one finding: a value that is no date, or one date in every row (an
        export date orders nothing, so no holdout of the latest rows can follow it).
    """
    try:
        # Parsed once per state of the file: ``mvpgen new`` checks the column twice.
        dates = data.read_table_once(path, columns=[column], dates=(column,))[column]
    except DataError as err:
        return [Finding("data.time_column", str(err))]
    distinct = dates.nunique()
    if distinct >= 2:
        return []
    held = ("no date in any row" if distinct == 0 else
            f"one date ({dates.dropna().iloc[0]:%Y-%m-%d}) in every row")
    return [Finding("data.time_column", f"column {quoted(column)} holds {held} of {path.name}: "
                    "it orders nothing, so no holdout of the latest rows can follow it",
                    "choose a column whose dates vary, or leave time_column unset")]


def goal_findings(mapping: Any, summary: Any) -> list[Finding]:
    """Question 2, before anything runs: would a policy needing no model meet the goal?

    From the target's balance alone: a recall goal with nothing bounding how many
    cases are acted on (acting on all reaches recall 1), accuracy at or under the
    majority's share, precision or F1 that acting on every case already reaches, and
    a goal at a capacity that choosing cases at random reaches.
    """
    from mvpgen.data.target import find_label, infer_positive_label, infer_task

    tech = mapping.technical
    task = tech.task or infer_task(summary.values)
    metric, threshold = tech.metric, tech.threshold
    shares = dict(zip(summary.values, summary.shares, strict=True))
    if task == "multiclass" and metric == "accuracy":
        majority = max(shares.values())
        if threshold <= majority:
            return [_trivial_goal(f"accuracy {threshold:g} is no more than the majority "
                                  f"class's share ({majority:.3f}): always answering it "
                                  "meets the goal", "use balanced_accuracy or f1_macro")]
        return []
    if task != "binary" or len(shares) != 2:
        return []
    label = (find_label(tech.positive_label, summary.values) if tech.positive_label is not None
             else infer_positive_label(summary.values))
    if label is None:
        return []
    positive = shares[label]
    capacity = _capacity(mapping, summary)
    budget_fix = "state business.capacity and use recall_at_budget or precision_at_budget"
    if metric == "recall":
        return [_trivial_goal("recall reaches 1.0 by acting on every case, and nothing bounds "
                              "how many are acted on", budget_fix)]
    if metric == "accuracy" and threshold <= max(positive, 1 - positive):
        return [_trivial_goal(f"accuracy {threshold:g} is no more than the majority's share "
                              f"({max(positive, 1 - positive):.3f}): always answering the "
                              "majority meets it", f"use balanced_accuracy, or {budget_fix}")]
    if metric == "precision" and threshold <= positive:
        return [_trivial_goal(f"precision {threshold:g} is no more than the share of positive "
                              f"cases ({positive:.3f}): acting on every case meets it",
                              budget_fix)]
    if metric == "f1" and threshold <= 2 * positive / (1 + positive):
        return [_trivial_goal(f"f1 {threshold:g} is reached by acting on every case "
                              f"({2 * positive / (1 + positive):.3f})", budget_fix)]
    if metric in ("recall_at_budget", "precision_at_budget"):
        if capacity is None:
            return [Finding("business.capacity", f"{metric} needs to know how many cases the "
                            "business can act on", "state business.capacity (cases per 1,000),"
                            " or humans.review_budget")]
        chance = capacity if metric == "recall_at_budget" else positive
        if threshold <= chance:
            return [_trivial_goal(f"{metric} {threshold:g} is what choosing cases at random "
                                  f"scores ({chance:.3f})", "raise the threshold above it")]
    return []


def _trivial_goal(problem: str, fix: str) -> Finding:
    return Finding("technical.threshold", f"the goal is met without any model: {problem}",
                   fix, allowable=True)


def _capacity(mapping: Any, summary: Any) -> float | None:
    if mapping.business.capacity is not None:
        return mapping.business.capacity / 1000
    humans = mapping.humans
    rows = summary.rows - summary.missing
    if humans is not None and humans.review_budget and rows:
        return min(humans.review_budget / rows, 1.0)
    return None


def target_findings(task: str | None, target: str, file_name: str, summary: Any,
                    inspection: Any) -> list[Finding]:
    """Check that the target column can be predicted as the task says.

    Returns:
        At most one finding: the first reason the target does not fit.
    """
    role = next((c.role for c in inspection.columns if c.name == target), None)
    problem = target_problem(task, target, tuple(summary.values), tuple(summary.counts), role,
                             file_name)
    return [Finding(*problem)] if problem else []


def _declared_columns(data: Any) -> list[tuple[str, str]]:
    named = [("time_column", data.time_column), ("group_column", data.group_column)]
    return [(n, c) for n, c in named if c] + [("id_columns", c) for c in data.id_columns]


def _without_data(tech: Any) -> list[Finding]:
    out = []
    if tech.task is None:
        out.append(Finding("technical.task", "missing, and there is no data to infer it from",
                           "set task: binary, multiclass or regression, or give data.path"))
    elif tech.task == "binary" and tech.positive_label is None:
        out.append(Finding("technical.positive_label", "missing, and there is no data to "
                           "infer it from", "set the target value the KPI counts, e.g. 'yes'"))
    return out


def _positive_label_findings(tech: Any, values: tuple[Any, ...]) -> list[Finding]:
    shown = ", ".join(repr(v) for v in values)
    target = targets
    if tech.positive_label is None:
        if target.infer_positive_label(values) is not None:
            return []
        return [Finding("technical.positive_label", "missing, and the data does not make it "
                        "obvious", f"set the value the KPI counts, one of: {shown}")]
    if target.find_label(tech.positive_label, values) is None:
        return [Finding("technical.positive_label",
                        f"{tech.positive_label!r} is not a value of '{tech.target}'",
                        f"use one of: {shown}")]
    return []


def _number(value: Any) -> bool:
    return targets.is_number(value)


@dataclass
class CheckReport:
    """What ``mvpgen check`` found: the findings, and notes that are not findings."""

    path: Path
    findings: list[Finding]
    notes: list[str]


def check_path(file_or_project: Path, *, record: bool = False) -> CheckReport:
    """Check a mapping file, or a project's ``mvp.yaml`` and its data.

    In a project, the data file is also compared with the fingerprint and row count
    ``mvp.yaml`` recorded; with ``record``, the current ones are written there instead.

    Raises:
        MappingFileError: when the file cannot be read as YAML.
        ProjectError: when ``record`` is asked for outside a project.
    """
    from mvpgen.generator.answers import read_mapping_file

    project = file_or_project.is_dir()
    path = file_or_project / "mvp.yaml" if project else file_or_project
    raw = read_mapping_file(path)
    findings = check_mapping(raw, path.resolve().parent)
    notes = []
    if record:
        notes.append(record_data(path))
        findings = [f for f in findings if f.field != "data.sha256"]
    elif project or (path.parent / ".mvpgen.json").is_file():
        findings += fingerprint_findings(raw, path.resolve().parent)
    return CheckReport(path, findings, notes)


def fingerprint_findings(raw: dict[str, Any], base_dir: Path) -> list[Finding]:
    """Compare the data file with the fingerprint and row count ``mvp.yaml`` recorded."""
    section = raw.get("data") if isinstance(raw.get("data"), dict) else {}
    recorded, rows = section.get("sha256"), section.get("rows")
    if not isinstance(section.get("path"), str) or not recorded:
        return []
    path = resolve_data_path(section["path"], base_dir)
    if not path.is_file():
        return []
    actual = data.fingerprint(path)
    if actual == recorded:
        return []
    try:
        now = inspect_file(path).rows
    except DataError:
        now = None
    shown = f"; {now:,} rows instead of {rows:,}" if now is not None and rows and now != rows \
        else ""
    return [Finding("data.sha256", f"{path.name} is not the file mvp.yaml recorded (fingerprint "
                    f"{actual[:12]}… instead of {str(recorded)[:12]}…{shown})",
                    "if the new extract is meant, record it: mvpgen check --record "
                    f"{base_dir}")]


def record_data(path: Path) -> str:
    """Write the data file's current fingerprint, size and row count into ``mvp.yaml``.

    Only those three lines change; the rest of the file (comments included) stays.

    Raises:
        ProjectError: when the mapping names no readable data file.
    """
    import re

    from mvpgen.errors import ProjectError
    from mvpgen.generator.answers import read_mapping_file
    from mvpgen.store.files import write_atomically

    raw = read_mapping_file(path)
    section = raw.get("data") if isinstance(raw.get("data"), dict) else {}
    if not isinstance(section.get("path"), str):
        msg = f"{path} names no data file (data.path) to record"
        raise ProjectError(msg)
    data_file = resolve_data_path(section["path"], path.resolve().parent)
    try:
        rows = inspect_file(data_file).rows
    except DataError as err:
        raise ProjectError(str(err)) from err
    values = {"rows": str(rows), "size_bytes": str(data_file.stat().st_size),
              "sha256": data.fingerprint(data_file)}
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if re.match(r"^data:\s*(#.*)?$", line)),
                 None)
    if start is None:
        msg = f"{path} has no data: section in block style to record into"
        raise ProjectError(msg)
    end = next((i for i in range(start + 1, len(lines))
                if lines[i].strip() and not lines[i].startswith((" ", "\t", "#"))), len(lines))
    indent = "  "
    for key, value in values.items():
        pattern = re.compile(rf"^(\s+){key}:.*$")
        found = next((i for i in range(start + 1, end) if pattern.match(lines[i])), None)
        if found is not None:
            indent = pattern.match(lines[found]).group(1)
            lines[found] = f"{indent}{key}: {value}\n"
        else:
            lines.insert(start + 1, f"{indent}{key}: {value}\n")
            end += 1
    write_atomically(path, "".join(lines))
    return (f"recorded {data_file.name} in {path.name}: {rows:,} rows, fingerprint "
            f"{values['sha256'][:12]}…")


def require_fit_target(dataset: Any, task: str, mapping: Any) -> None:
    """Refuse a target the task cannot use: the same check as ``mvpgen check``.

    Raises:
        DataError: naming the problem and the fix.
    """
    from mvpgen.data.columns import describe_columns as describe
    from mvpgen.data.target import python_values

    column = dataset.frame[dataset.target]
    counts = column.value_counts()
    role = describe(dataset.frame[[dataset.target]])[0].role
    problem = target_problem(mapping.technical.task, dataset.target,
                             tuple(python_values(counts.index)), tuple(int(c) for c in counts),
                             role, dataset.source.name)
    if problem is not None:
        field, what, fix = problem
        msg = f"{dataset.source.name}: {field}: {what}; {fix}"
        raise DataError(msg)
    if task == "regression" and mapping.technical.metric == "mape" and \
            not (column.astype(float) > 0).all():
        msg = (f"{dataset.source.name}: mape divides by the target, but "
               f"'{dataset.target}' holds zeros or negative values; choose mae, rmse or r2 in "
               "mvp.yaml")
        raise DataError(msg)

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

from mvpgen.errors import DataFileError, MissingColumnError
from mvpgen.inspection import inspect_file, summarize_target
from mvpgen.template import project_module, schema

ASK = "What metric are you tracking? What is your measurable goal?"
# A declared multiclass target with more distinct values than this is a quantity or an
# identifier. (Inference is stricter: it calls more than 20 whole numbers a quantity.)
MAX_DECLARED_CLASSES = 50

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
    mapping, problems = schema().parse_mapping(raw)
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
    tech = mapping.technical
    if mapping.data.path is None:
        return _without_data(tech)
    path = resolve_data_path(mapping.data.path, base_dir)
    try:
        inspection = inspect_file(path)
        summary = summarize_target(path, tech.target, inspection.names)
    except MissingColumnError as err:
        return [Finding("technical.target", str(err))]
    except DataFileError as err:
        return [Finding("data.path", str(err))]
    out = [Finding(f"data.{name}", f"column '{column}' is not in {path.name}",
                   f"columns are: {', '.join(inspection.names)}")
           for name, column in _declared_columns(mapping.data) if column not in inspection.names]
    time_column = mapping.data.time_column
    if time_column in inspection.names:
        data = project_module("data")
        try:
            data.read_table(path, columns=[time_column], dates=(time_column,))
        except data.DataError as err:
            out.append(Finding("data.time_column", str(err)))
    problems = target_findings(tech.task, tech.target, path.name, summary, inspection)
    if not problems and len(summary.values) == 2 and tech.task in ("binary", None):
        problems = _positive_label_findings(tech, summary.values)
    return out + problems


def target_findings(task: str | None, target: str, file_name: str, summary: Any,
                    inspection: Any) -> list[Finding]:
    """Check that the target column can be predicted as the task says.

    Returns:
        At most one finding: the first reason the target does not fit.
    """
    values = summary.values
    if len(values) < 2:
        count = "one value" if values else "no values"
        return [Finding("technical.target", f"column '{target}' has {count} in {file_name}",
                        "a model needs a target that varies; choose another column")]
    role = next((c.role for c in inspection.columns if c.name == target), None)
    if role in ("id", "text"):
        return [Finding("technical.target", f"column '{target}' looks like "
                        f"{'an identifier' if role == 'id' else 'free text'}, with a different "
                        "value in almost every row", "choose the column to predict")]
    targets = project_module("target")
    task = task or targets.infer_task(values)
    mixed = targets.mixed_kinds(values) if task != "regression" else None
    if mixed:
        return [Finding("technical.target", f"column '{target}' {mixed}",
                        "write every value the same way (e.g. yes/no), then export again")]
    numeric = all(targets.is_number(v) for v in values)
    shown = ", ".join(repr(v) for v in values[:3])
    if task == "binary" and len(values) != 2:
        return [Finding("technical.task", f"binary, but '{target}' has {len(values)} distinct "
                        "values", "set task: multiclass or regression, or choose another target")]
    if task == "regression" and not numeric:
        return [Finding("technical.task", f"regression needs a numeric target, but '{target}' "
                        f"holds {shown}", "set task: binary or multiclass")]
    whole = numeric and all(float(v).is_integer() for v in values)
    if task == "multiclass" and (len(values) > MAX_DECLARED_CLASSES or (numeric and not whole)):
        return [Finding("technical.task", f"multiclass, but '{target}' has {len(values)} "
                        "distinct values", "if it is a quantity, set task: regression")]
    too_few = (None if task == "regression" else
               targets.too_few_rows(zip(values, summary.counts, strict=True)))
    if too_few:
        return [Finding("technical.target", too_few,
                        "add rows of those classes, or merge them into a broader class")]
    return []


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
    target = project_module("target")
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
    return project_module("target").is_number(value)

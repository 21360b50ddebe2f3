"""Ask, one question at a time, for what the mapping file and the options left open.

Each question says why it is asked and proposes what the data suggests as its default;
an invalid answer is explained and asked again. Numbers are read as people type them
(``38%``, ``1,000``), column names whatever their case. Nothing is written here: the
answers go back to :func:`mvpgen.generator.new.create_project`, which shows them for
confirmation before it generates anything.
"""

from __future__ import annotations

import math
import os
import select
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from mvpgen.checks import ASK, is_vague
from mvpgen.data.target import class_named, find_label, target_problem
from mvpgen.generator.answers import (
    columns_text,
    did_you_mean,
    get_field,
    match_column,
    with_fields,
)
from mvpgen.generator.numbers import parse_capacity, parse_number
from mvpgen.metrics import METRICS, TASKS, metrics_for
from mvpgen.words import printable

DEFAULT_METRIC = {"binary": "roc_auc", "multiclass": "f1_macro", "regression": "mae"}
# Typed to an optional question that has a default, to say "none" instead.
NONE_WORDS = frozenset({"none", "-", "no"})


@dataclass(frozen=True)
class DataFacts:
    """What the data says, for the questions to propose from and check answers against."""

    columns: tuple[str, ...] = ()
    roles: dict[str, str] = field(default_factory=dict)  # column -> role
    dates: tuple[str, ...] = ()  # the columns holding more than one date
    groups: tuple[str, ...] = ()  # identifiers that repeat: candidate group columns
    ids: tuple[str, ...] = ()  # proposed identifier columns
    labels: tuple[Any, ...] = ()  # the target's distinct values
    summary: Any = None  # the target's TargetSummary, once the target is known
    source: str = ""  # the data file's name, for messages
    notes: dict[str, str] = field(default_factory=dict)  # said before a question, by field


@dataclass(frozen=True)
class Question:
    """One prompt: the field it fills, what it asks, why, and how it reads the answer."""

    field: str
    text: str
    why: str | Callable[[dict[str, Any]], str]
    parse: Callable[[str, dict[str, Any]], Any]
    required: bool = True
    default: Callable[[dict[str, Any]], Any] | None = None
    applies: Callable[[dict[str, Any]], bool] = lambda raw: True


def ask_missing(raw: dict[str, Any], *, optional: bool, facts: DataFacts | None = None,
                defaults: dict[str, Any] | None = None, only: tuple[str, ...] | None = None,
                skip: tuple[str, ...] = (), declined: set[str] | None = None,
                ) -> dict[str, Any]:
    """Prompt for every unanswered question that applies.

    Args:
        raw: the answers so far.
        optional: also ask the optional questions (costs, reviewer, advantage).
        facts: what the data says (columns, dates, the target's values).
        defaults: proposed answers by field, shown as the prompts' defaults.
        only: ask only these fields.
        skip: never ask these fields (they were asked already).
        declined: filled with the fields the user answered "none" to, so that no
            proposal fills them afterwards.

    Returns:
        A copy of ``raw`` with the answers given.
    """
    facts = facts or DataFacts()
    defaults = defaults or {}
    for question in _questions(facts):
        if (only is not None and question.field not in only) or question.field in skip:
            continue
        if get_field(raw, question.field) is not None or not question.applies(raw):
            continue
        if not (question.required or optional):
            continue
        default = defaults.get(question.field)
        if question.default is not None:
            default = question.default(raw) if default is None else default
        default = _valid_default(question, default, raw)
        why = question.why(raw) if callable(question.why) else question.why
        note = facts.notes.get(question.field)
        click.secho(printable(f"\n{why}" + (f"\n{note}" if note else "")), dim=True)
        text = question.text
        if default is not None:  # Enter takes the default: "none" says none
            text = text.replace("(blank for none)", "(type none for none)")
        answer = _prompt(text, _as_text(default),
                         lambda typed, q=question, r=raw: _read(q, typed, r))
        if answer is _NONE and declined is not None:
            declined.add(question.field)
        if answer is not _NONE:
            raw = with_fields(raw, {question.field: answer})
    return raw


def confirm_answers(lines: list[str]) -> bool:
    """Show the answers and ask whether to create the project with them.

    Returns:
        Whether the user said yes (the default).
    """
    click.echo("\nThe project, as answered:")
    for line in lines:
        click.echo(f"  {printable(line)}")
    return _prompt("Create the project with these answers? [Y/n]", "", _yes_or_no,
                   show_default=False)


_NONE = object()  # the answer "none" to an optional question


def _yes_or_no(text: str) -> bool:
    answer = text.strip().casefold()
    if answer in ("", "y", "yes"):
        return True
    if answer in ("n", "no"):
        return False
    msg = f"'{text}' is neither yes nor no; type y or n"
    raise click.UsageError(msg)


def _prompt(text: str, default: str, read: Callable[[str], Any], *,
            show_default: bool = True) -> Any:
    """Ask until ``read`` accepts the answer; Enter alone answers ``default``.

    On a terminal, the line is read here rather than by ``input()``: mvpgen's libraries
    run threads of their own, and a Ctrl-C the system hands to one of them would leave
    ``input()`` waiting for Enter. Waiting in short steps lets it through at once.

    Raises:
        KeyboardInterrupt: on Ctrl-C.
        click.Abort: when the input ends (Ctrl-D).
    """
    # The default (a proposed column, say) is shown by us, escapes written out.
    shown = (click.style(printable(text), bold=True)
             + (f" [{printable(default)}]" if show_default and default else ""))
    if not _on_terminal():
        return click.prompt(shown, default=default, show_default=False, value_proc=read)
    while True:
        click.echo(f"{shown}: ", nl=False)
        typed = _typed_line()
        try:
            return read(typed or default)
        except click.UsageError as err:
            click.echo(f"Error: {printable(err.message)}")


def _on_terminal() -> bool:
    try:
        return sys.stdin.isatty() and sys.stdin.fileno() >= 0
    except (AttributeError, ValueError, OSError):  # replaced or closed (e.g. in tests)
        return False


def _typed_line() -> str:
    """Return the next line typed on the terminal, without its line end."""
    fd = sys.stdin.fileno()
    while not select.select([fd], [], [], 0.1)[0]:
        pass  # back in Python every 0.1 s: a pending Ctrl-C is raised here
    data = os.read(fd, 65536)  # a terminal hands over one line per read
    if not data:
        raise click.Abort
    return data.decode(sys.stdin.encoding or "utf-8", errors="replace").rstrip("\r\n")


def _as_text(default: Any) -> str:
    if default is None:
        return ""
    if isinstance(default, (list, tuple)):
        return ", ".join(map(str, default))
    return str(default)


def _valid_default(question: Question, default: Any, raw: dict[str, Any]) -> Any:
    """Return ``default`` if the question would accept it, else None.

    A proposal made before an earlier answer changed (another task, another metric)
    may no longer fit; offering it would only have it refused.
    """
    if default is None:
        return None
    try:
        question.parse(_as_text(default), raw)
    except click.UsageError:
        return None
    return default


def _read(question: Question, text: str, raw: dict[str, Any]) -> Any:
    # click.prompt shows a UsageError's message and asks the question again.
    text = text.strip()
    if not question.required and text.casefold() in NONE_WORDS:
        return _NONE
    if not text:
        if question.required:
            msg = "an answer is needed here"
            raise click.UsageError(msg)
        return _NONE
    return question.parse(text, raw)


def _number(value: str) -> float:
    try:
        result = parse_number(value)
    except ValueError as err:
        raise click.UsageError(str(err)) from None
    if not math.isfinite(result):
        msg = f"'{value}' is not a finite number; write it like 0.06"
        raise click.UsageError(msg)
    return result


def _questions(facts: DataFacts) -> list[Question]:
    columns = facts.columns

    def text(value: str, raw: dict[str, Any]) -> str:
        return value

    def number(value: str, raw: dict[str, Any]) -> float:
        return _number(value)

    def requirement(value: str, raw: dict[str, Any]) -> str:
        if is_vague(value):
            msg = f"'{value}' names no concrete outcome. {ASK}"
            raise click.UsageError(msg)
        return value

    def goal(value: str, raw: dict[str, Any]) -> float:
        result = _number(value)
        if result == get_field(raw, "business.current"):
            msg = "the goal equals today's value; nothing would change"
            raise click.UsageError(msg)
        return result

    def column(value: str, raw: dict[str, Any]) -> str:
        if not columns:
            return value
        try:
            return match_column(value, columns)
        except ValueError as err:
            raise click.UsageError(str(err)) from None

    def target(value: str, raw: dict[str, Any]) -> str:
        name = column(value, raw)
        role = facts.roles.get(name)
        if role in ("id", "text", "constant"):
            what = {"id": "looks like an identifier, with a different value in almost "
                          "every row",
                    "text": "looks like free text, with a different value in almost every row",
                    "constant": "holds a single value, and a model needs a target that varies"}
            msg = f"'{name}' {what[role]}; choose the column to predict"
            raise click.UsageError(msg)
        return name

    def task(value: str, raw: dict[str, Any]) -> str:
        chosen = value.casefold()
        if chosen not in TASKS:
            msg = f"'{value}' is not a task; choose one of: {', '.join(TASKS)}"
            raise click.UsageError(msg)
        summary, name = facts.summary, get_field(raw, "technical.target")
        if summary is not None and name is not None:
            problem = target_problem(chosen, name, tuple(summary.values), tuple(summary.counts),
                                     facts.roles.get(name), facts.source)
            if problem is not None:
                msg = f"{problem[1]}; {problem[2]}"
                raise click.UsageError(msg)
        return chosen

    def positive_label(value: str, raw: dict[str, Any]) -> Any:
        if not facts.labels:
            return value
        label = find_label(value, facts.labels)
        if label is None:
            label = class_named(value, list(facts.labels))
        if label is None:
            shown = ", ".join(str(v) for v in facts.labels)
            msg = f"'{value}' is not a value of the target; values are: {shown}"
            raise click.UsageError(msg)
        return label  # as the data holds it: 1, not "1"

    def metric(value: str, raw: dict[str, Any]) -> str:
        allowed = metrics_for(get_field(raw, "technical.task"))
        chosen = value.casefold()
        if chosen == "recall" and "recall_at_budget" in allowed:
            msg = ("plain recall reaches 1.0 by acting on every case, so a recall goal is met "
                   "without any model; choose recall_at_budget: the share of the cases that "
                   "need action among those the business can act on (its capacity, asked next)")
            raise click.UsageError(msg)
        if chosen not in allowed:
            msg = f"'{value}' is not a metric for this task; choose one of: {', '.join(allowed)}"
            raise click.UsageError(msg + did_you_mean(value, allowed))
        return chosen

    def capacity(value: str, raw: dict[str, Any]) -> float | int:
        try:
            return parse_capacity(value)
        except ValueError as err:
            raise click.UsageError(str(err)) from None

    def threshold(value: str, raw: dict[str, Any]) -> float:
        result = _number(value)
        name = get_field(raw, "technical.metric")
        spec = METRICS.get(name)
        problem = spec.threshold_problem(result) if spec is not None else None
        if problem is not None:
            raise click.UsageError("; ".join(problem))
        proposal = _threshold_proposal(facts, raw)
        if proposal is None or proposal.default is None:
            return result
        if proposal.higher_is_better and result <= proposal.guessing:
            msg = (f"{result:g} is no better than guessing, which scores "
                   f"{proposal.guessing:.3g} here, by {proposal.how}; choose a value above it")
            raise click.UsageError(msg)
        if not proposal.higher_is_better and result >= proposal.guessing:
            msg = (f"{result:g} is no smaller than the error with no model, "
                   f"{proposal.guessing:.4g} here, by {proposal.how}; choose a value below it")
            raise click.UsageError(msg)
        if proposal.higher_is_better and result > proposal.best + 1e-9:
            msg = (f"{name} cannot go above {proposal.best:.3g} here: the business acts on "
                   f"{get_field(raw, 'business.capacity'):g} cases in every 1,000; choose a "
                   "value up to it, or go back and raise the capacity")
            raise click.UsageError(msg)
        return result

    def cost(value: str, raw: dict[str, Any]) -> float:
        result = _number(value)
        if result < 0:
            msg = "give the cost as a positive amount (0 if free)"
            raise click.UsageError(msg)
        return result

    def budget(value: str, raw: dict[str, Any]) -> int:
        try:
            result = parse_number(value)
        except ValueError:
            result = 0
        if not (math.isfinite(result) and result >= 1 and float(result).is_integer()):
            msg = f"'{value}' is not a whole number of items; write it like 200"
            raise click.UsageError(msg)
        return int(result)

    def data_file(value: str, raw: dict[str, Any]) -> str:
        path = Path(value).expanduser()
        if not path.is_file():
            msg = f"there is no file {path}"
            raise click.UsageError(msg)
        return str(path.resolve())

    def time_column(value: str, raw: dict[str, Any]) -> str:
        name = column(value, raw)
        if facts.dates and name not in facts.dates:
            msg = (f"'{name}' holds no dates (or a single one); columns with dates: "
                   f"{columns_text(facts.dates)}")
            raise click.UsageError(msg)
        return name

    def group_column(value: str, raw: dict[str, Any]) -> str:
        name = column(value, raw)
        for other in ("technical.target", "data.time_column"):
            if name == get_field(raw, other):
                msg = f"'{name}' is already the {other.split('.')[1].replace('_', ' ')}"
                raise click.UsageError(msg)
        return name

    def column_list(value: str, raw: dict[str, Any]) -> list[str]:
        names = [column(name.strip(), raw) for name in value.split(",") if name.strip()]
        if get_field(raw, "technical.target") in names:
            msg = "the target cannot be an identifier column"
            raise click.UsageError(msg)
        return list(dict.fromkeys(names))

    def is_binary(raw: dict[str, Any]) -> bool:
        return get_field(raw, "technical.task") == "binary"

    def needs_capacity(raw: dict[str, Any]) -> bool:
        spec = METRICS.get(get_field(raw, "technical.metric"))
        return spec is not None and spec.needs_capacity

    def group_default(raw: dict[str, Any]) -> str | None:
        return facts.groups[0] if len(facts.groups) == 1 else None

    def ids_default(raw: dict[str, Any]) -> list[str] | None:
        group = get_field(raw, "data.group_column")
        ids = [name for name in facts.ids if name != group]
        return ids or None

    return [
        Question("project.name", "Project name", "A short name; it also names the folder and "
                 "the Python package.", text),
        Question("business.requirement", "Business requirement",
                 "The business requirement in one sentence: what should change, for whom "
                 "(e.g. 'Reduce monthly customer churn').", requirement),
        Question("business.kpi", "KPI", f"{ASK} First the metric: the KPI the business "
                 "already watches (e.g. 'monthly churn rate').", text),
        Question("business.current", "Today's value of the KPI",
                 "Where the KPI stands today, as a number (e.g. 0.08, 8% or 1,200).", number),
        Question("business.goal", "Goal for the KPI", "The KPI value that counts as success "
                 "(e.g. 0.06 or 6%); it must differ from today's value.", goal),
        Question("data.path", "Data file (blank to add it later)", "A CSV or Parquet extract; "
                 "it is copied into the project and never modified.", data_file, required=False),
        Question("technical.target", "Target column", "The column the model predicts"
                 + (" (the columns are listed above)." if columns else "."), target),
        Question("technical.task", "Task (binary, multiclass, regression)",
                 "Binary: two classes (churn yes/no). Multiclass: several classes. "
                 "Regression: a quantity.", task),
        Question("technical.positive_label", "Positive class",
                 "The target value the KPI counts (e.g. 'yes' for churned customers)"
                 + (f"; one of: {', '.join(map(str, facts.labels[:20]))}." if facts.labels
                    else "."), positive_label, applies=is_binary),
        Question("technical.metric", "Offline metric", _metric_why, metric,
                 default=lambda raw: DEFAULT_METRIC.get(get_field(raw, "technical.task"))),
        Question("business.capacity", "Cases the business can act on, per 1,000",
                 lambda raw: _capacity_why(facts, raw), capacity, applies=needs_capacity),
        Question("technical.threshold", "Success threshold",
                 lambda raw: _threshold_why(facts, raw), threshold,
                 default=lambda raw: getattr(_threshold_proposal(facts, raw), "default", None)),
        Question("data.time_column", "Time column (blank for none)",
                 "A date column: the model is then tested on the most recent rows, as it "
                 f"will be used. Columns with dates: {columns_text(facts.dates)}.", time_column,
                 required=False, applies=lambda raw: bool(facts.dates)),
        Question("data.group_column", "Group column (blank for none)",
                 "A column naming who or what a row belongs to (a customer, a household, a "
                 "store), when one has several rows: its rows then never straddle training "
                 "and test, so the test says how the model does on new ones"
                 + (f". Identifiers that repeat: {columns_text(facts.groups)}." if facts.groups
                    else "."), group_column, required=False, default=group_default,
                 applies=lambda raw: bool(columns)),
        Question("data.id_columns", "Identifier columns, comma-separated (blank for none)",
                 "Columns that name a row (customer number, order id): kept to join "
                 "reviews back, never used to predict.", column_list, required=False,
                 default=ids_default, applies=lambda raw: bool(columns)),
        Question("costs.false_positive", "Cost of a false positive (blank to skip)",
                 "What acting on a case that needed no action costs, in your currency.",
                 cost, required=False, applies=is_binary),
        Question("costs.false_negative", "Cost of a false negative",
                 "What missing a case that needed action costs, in your currency.",
                 cost, applies=lambda raw: get_field(raw, "costs.false_positive") is not None),
        Question("humans.reviewer", "Who reviews predictions (blank to skip)",
                 "The people who check the model's predictions, e.g. 'Customer success team'.",
                 text, required=False),
        Question("humans.review_budget", "Predictions they can review per cycle",
                 "How many items the reviewers can check per review cycle.", budget,
                 required=False, applies=lambda raw: get_field(raw, "humans.reviewer") is not None),
        Question("advantage", "Competitive advantage (blank to skip)",
                 "Why would customers use this rather than the alternatives?", text,
                 required=False),
    ]


def _metric_why(raw: dict[str, Any]) -> str:
    task = get_field(raw, "technical.task")
    names = ", ".join(metrics_for(task))
    text = f"The metric that stands in for the KPI offline; one of: {names}."
    if task == "binary":
        text += (" When the business can act on only some cases (calls, visits, reviews), "
                 "recall_at_budget (of the cases that need action, the share caught within "
                 "that capacity) or precision_at_budget (of the cases acted on, the share that "
                 "needed it) measure the model as it will be used; plain recall is reached by "
                 "acting on every case.")
    return text


def _capacity_why(facts: DataFacts, raw: dict[str, Any]) -> str:
    text = (f"{get_field(raw, 'technical.metric')} measures the model on the cases the "
            "business can act on: how many in every 1,000 (e.g. 200 when the team can call "
            "one customer in five; 20% says the same).")
    share = _positive_share(facts, raw)
    if share is not None:
        text += f" The positive cases are {share * 1000:.0f} in every 1,000 here."
    return text


def _threshold_why(facts: DataFacts, raw: dict[str, Any]) -> str:
    name = get_field(raw, "technical.metric")
    spec = METRICS.get(name)
    if spec is None:
        return "The metric value on held-out data that counts as success offline."
    text = (f"The {name} on held-out data that counts as success offline "
            f"({'higher' if spec.higher_is_better else 'lower'} is better; "
            f"{spec.range_text()}).")
    proposal = _threshold_proposal(facts, raw)
    if proposal is not None:
        text += f" Guessing scores {proposal.guessing:.3g} here, by {proposal.how}."
        if proposal.default is None:
            text += " No threshold can beat that; consider another metric."
        elif proposal.higher_is_better:
            text += (f" The default, {proposal.default:g}, asks for 40% of the way from "
                     f"there to the best ({proposal.best:.3g}).")
        else:
            text += f" The default, {proposal.default:g}, asks for a quarter less error."
    elif spec.chance is not None:
        text += f" Guessing scores {spec.chance:g}."
    return text


def _threshold_proposal(facts: DataFacts, raw: dict[str, Any]) -> Any:
    """Return what guessing scores on the chosen metric, from the target's values."""
    from mvpgen.data.inspection import propose_threshold

    name = get_field(raw, "technical.metric")
    if facts.summary is None or name not in METRICS:
        return None
    return propose_threshold(name, facts.summary, get_field(raw, "technical.positive_label"),
                             get_field(raw, "business.capacity"))


def _positive_share(facts: DataFacts, raw: dict[str, Any]) -> float | None:
    summary, label = facts.summary, get_field(raw, "technical.positive_label")
    if summary is None or label is None:
        return None
    value = find_label(label, summary.values)
    shares = dict(zip(summary.values, summary.shares, strict=True))
    return shares.get(value) if value is not None else None

"""Ask, one question at a time, for what the mapping file and the options left open.

Each question says why it is asked; an invalid answer is explained and asked again.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from mvpgen.generator.answers import get_field, with_fields
from mvpgen.checks import ASK, is_vague
from mvpgen.data.target import find_label
from mvpgen.metrics import METRICS, TASKS, metrics_for

DEFAULT_METRIC = {"binary": "roc_auc", "multiclass": "f1_macro", "regression": "mae"}


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


def ask_missing(raw: dict[str, Any], *, optional: bool, columns: tuple[str, ...] = (),
                labels: tuple[Any, ...] = (), defaults: dict[str, Any] | None = None,
                only: tuple[str, ...] | None = None,
                skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Prompt for every unanswered question that applies.

    Args:
        raw: the answers so far.
        optional: also ask the optional questions (costs, reviewer, advantage).
        columns: the data file's columns, to check the target against.
        labels: the target's distinct values, to check the positive label against.
        defaults: proposed answers by field, shown as the prompts' defaults.
        only: ask only these fields.
        skip: never ask these fields (they were asked already).

    Returns:
        A copy of ``raw`` with the answers given.
    """
    defaults = defaults or {}
    for question in _questions(columns, labels):
        if (only is not None and question.field not in only) or question.field in skip:
            continue
        if get_field(raw, question.field) is not None or not question.applies(raw):
            continue
        if not (question.required or optional):
            continue
        default = defaults.get(question.field)
        if default is None and question.default is not None:
            default = question.default(raw)
        why = question.why(raw) if callable(question.why) else question.why
        click.secho(f"\n{why}", dim=True)
        answer = click.prompt(
            click.style(question.text, bold=True),
            default=_as_text(default),
            show_default=default is not None,
            value_proc=lambda text, q=question, r=raw: _read(q, text, r),
        )
        raw = with_fields(raw, {question.field: answer})
    return raw


def _as_text(default: Any) -> str:
    if default is None:
        return ""
    if isinstance(default, (list, tuple)):
        return ", ".join(map(str, default))
    return str(default)


def _read(question: Question, text: str, raw: dict[str, Any]) -> Any:
    # click.prompt shows a UsageError's message and asks the question again.
    text = text.strip()
    if not text:
        if question.required:
            raise click.UsageError("an answer is needed here")
        return None
    return question.parse(text, raw)


def _questions(columns: tuple[str, ...], labels: tuple[Any, ...]) -> list[Question]:

    def text(value: str, raw: dict[str, Any]) -> str:
        return value

    def number(value: str, raw: dict[str, Any]) -> float:
        try:
            result = float(value)
        except ValueError:
            raise click.UsageError(f"'{value}' is not a number; write it like 0.06") from None
        if not math.isfinite(result):
            raise click.UsageError(f"'{value}' is not a finite number; write it like 0.06")
        return result

    def requirement(value: str, raw: dict[str, Any]) -> str:
        if is_vague(value):
            msg = f"'{value}' names no concrete outcome. {ASK}"
            raise click.UsageError(msg)
        return value

    def goal(value: str, raw: dict[str, Any]) -> float:
        result = number(value, raw)
        if result == get_field(raw, "business.current"):
            raise click.UsageError("the goal equals today's value; nothing would change")
        return result

    def target(value: str, raw: dict[str, Any]) -> str:
        if columns and value not in columns:
            msg = f"'{value}' is not a column; columns are: {', '.join(columns)}"
            raise click.UsageError(msg)
        return value

    def positive_label(value: str, raw: dict[str, Any]) -> Any:
        if not labels:
            return value
        label = find_label(value, labels)
        if label is None:
            shown = ", ".join(str(v) for v in labels)
            raise click.UsageError(f"'{value}' is not a value of the target; values are: {shown}")
        return label  # as the data holds it: 1, not "1"

    def task(value: str, raw: dict[str, Any]) -> str:
        if value not in TASKS:
            raise click.UsageError(f"choose one of: {', '.join(TASKS)}")
        return value

    def metric(value: str, raw: dict[str, Any]) -> str:
        allowed = metrics_for(get_field(raw, "technical.task"))
        if value not in allowed:
            raise click.UsageError(f"choose one of: {', '.join(allowed)}")
        return value

    def threshold(value: str, raw: dict[str, Any]) -> float:
        result = number(value, raw)
        spec = METRICS.get(get_field(raw, "technical.metric"))
        problem = spec.threshold_problem(result) if spec is not None else None
        if problem is not None:
            raise click.UsageError("; ".join(problem))
        return result

    def cost(value: str, raw: dict[str, Any]) -> float:
        result = number(value, raw)
        if result < 0:
            raise click.UsageError("give the cost as a positive amount (0 if free)")
        return result

    def budget(value: str, raw: dict[str, Any]) -> int:
        if not value.isdigit() or int(value) < 1:
            raise click.UsageError("give a whole number of items, e.g. 200")
        return int(value)

    def data_file(value: str, raw: dict[str, Any]) -> str:
        path = Path(value).expanduser()
        if not path.is_file():
            raise click.UsageError(f"there is no file {path}")
        return str(path.resolve())

    def column(value: str, raw: dict[str, Any]) -> str:
        return target(value, raw)

    def column_list(value: str, raw: dict[str, Any]) -> list[str]:
        names = [name.strip() for name in value.split(",") if name.strip()]
        for name in names:
            target(name, raw)
        return names

    def is_binary(raw: dict[str, Any]) -> bool:
        return get_field(raw, "technical.task") == "binary"

    def metric_why(raw: dict[str, Any]) -> str:
        names = ", ".join(metrics_for(get_field(raw, "technical.task")))
        return f"The metric that stands in for the KPI offline; one of: {names}."

    return [
        Question("project.name", "Project name", "A short name; it also names the folder and "
                 "the Python package.", text),
        Question("business.requirement", "Business requirement",
                 "The business requirement in one sentence: what should change, for whom "
                 "(e.g. 'Reduce monthly customer churn').", requirement),
        Question("business.kpi", "KPI", f"{ASK} First the metric: the KPI the business "
                 "already watches (e.g. 'monthly churn rate').", text),
        Question("business.current", "Today's value of the KPI",
                 "Where the KPI stands today, as a number (e.g. 0.08).", number),
        Question("business.goal", "Goal for the KPI", "The KPI value that counts as success "
                 "(e.g. 0.06); it must differ from today's value.", goal),
        Question("data.path", "Data file (blank to add it later)", "A CSV or Parquet extract; "
                 "it is copied into the project and never modified.", data_file, required=False),
        Question("technical.target", "Target column", "The column the model predicts"
                 + (" (the columns are listed above)." if columns else "."), target),
        Question("technical.task", "Task (binary, multiclass, regression)",
                 "Binary: two classes (churn yes/no). Multiclass: several classes. "
                 "Regression: a quantity.", task),
        Question("technical.positive_label", "Positive class",
                 "The target value the KPI counts (e.g. 'yes' for churned customers).",
                 positive_label, applies=is_binary),
        Question("technical.metric", "Offline metric", metric_why, metric,
                 default=lambda raw: DEFAULT_METRIC.get(get_field(raw, "technical.task"))),
        Question("technical.threshold", "Success threshold", "The metric value on held-out "
                 "data that counts as success offline.", threshold),
        Question("data.time_column", "Time column (blank for none)",
                 "A date column: the model is then tested on the most recent rows, as it "
                 "will be used.", column, required=False,
                 applies=lambda raw: bool(columns)),
        Question("data.id_columns", "Identifier columns, comma-separated (blank for none)",
                 "Columns that name a row (customer number, order id): kept to join "
                 "reviews back, never used to predict.", column_list, required=False,
                 applies=lambda raw: bool(columns)),
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

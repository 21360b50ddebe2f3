"""``mvpgen init``: write a commented ``mvp.yaml`` for a person to fill in.

Every field is there with what it means; fields the data can answer (its path, a
proposed target, task and metric, what guessing scores, the id, group and time
columns) are filled in from it, each saying where the value came from.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from mvpgen.errors import MvpgenError

COMMENT_COLUMN = 28  # where the comments start, so they read as one column

_HEADER = """\
# The business-to-technical mapping of an ML MVP. Fill in the blanks, then:
#   mvpgen check {file}
#   mvpgen new my-mvp --mapping {file}
"""

_FOOTER = """
# costs:                    # what each outcome costs, in your currency (binary tasks)
#   false_positive: 40      # acting on a case that needed no action
#   false_negative: 150     # missing a case that needed action
#   true_positive: 10       # acting on a case that needed it (negative for a benefit)

# humans:
#   reviewer: Customer success team
#   review_budget: 200      # predictions they can review per cycle

# advantage: Why would customers use this rather than the alternatives?

# settings:                 # how the steps run (the defaults shown)
#   test_share: 0.2
#   folds: 5
#   seed: 0
#   bootstrap_resamples: 1000
#   eda: quick              # quick, full or off
#   fit_rows: 100000        # above it, the contenders are fitted on a sample
#   contenders: [rule, linear model]
"""


def write_blank_mapping(file: Path, *, data: Path | None = None, force: bool = False) -> Path:
    """Write the commented mapping to ``file``; return its path.

    Raises:
        MvpgenError: when ``file`` exists (without ``force``) or ``data`` cannot be read.
    """
    if file.exists() and not force:
        msg = f"{file} exists; pass --force to replace it, or name another file"
        raise MvpgenError(msg)
    name = file.resolve().parent.name.replace("-", " ") or "My MVP"
    found = _from_data(data, file) if data is not None else {}
    text = _HEADER.format(file=file.name) + "\n".join(_body(name, found)) + "\n" + _FOOTER
    from mvpgen.store.files import write_atomically

    write_atomically(file, text)
    return file


def _line(text: str, comment: str = "") -> str:
    """Return a mapping line with its comment in the comment column."""
    if not comment:
        return text
    return f"{text:<{COMMENT_COLUMN - 1}} # {comment}" if len(text) < COMMENT_COLUMN - 1 \
        else f"{text}  # {comment}"


def _body(name: str, found: dict[str, Any]) -> list[str]:
    lines = [
        "project:",
        _line(f"  name: {_text(name)}", "a short name; it also names the folder and the package"),
        "",
        "business:",
        _line('  requirement: ""', "what should change, for whom, e.g. Reduce monthly churn"),
        _line('  kpi: ""', "the metric the business tracks, e.g. monthly churn rate"),
        _line("  current:", "today's value of the KPI, e.g. 0.08"),
        _line("  goal:", "the value that counts as success, e.g. 0.06"),
        _line("  # deadline: 2027-03-31", "when the goal should be reached"),
        _line("  # capacity: 100", "cases per 1,000 it can act on (for *_at_budget)"),
        "",
        "technical:",
        _line(f"  task: {found.get('task', '')}".rstrip(), "binary, multiclass or regression"),
        _line("  target: " + found.get("target", '""'), found.get("target_note",
                                                              "the column the model predicts")),
    ]
    if "positive" in found:
        lines.append(_line(f"  positive_label: {found['positive']}".rstrip(),
                           found["positive_note"]))
    lines += [
        _line(f"  metric: {found.get('metric', '')}".rstrip(),
              "the offline metric that stands in for the KPI"),
        _line("  threshold:", found.get("threshold_note",
                                        "the metric value that counts as success offline")),
    ]
    if "columns" in found:
        lines.append(f"  # the columns: {found['columns']}")
    lines += [
        "",
        "data:",
        _line("  path: " + found.get("path", '""'),
              "a CSV or Parquet file, relative to this file"),
        found.get("time", _line("  # time_column: signup_date",
                                "the holdout is then the latest rows")),
        found.get("group", _line("  # group_column: household_id",
                                 "rows of one group never straddle train and test")),
        found.get("ids", _line("  # id_columns: [customer_id]", "never used to predict")),
        "  # not_leaks: {column: why it is known when the prediction is made}",
    ]
    return lines


def _from_data(data: Path, file: Path) -> dict[str, Any]:
    from mvpgen.data.inspection import (
        date_columns,
        inspect_file,
        propose_details,
        propose_group_columns,
        propose_target_choice,
        propose_threshold,
        summarize_target,
    )

    inspection = inspect_file(data)
    out: dict[str, Any] = {"path": _text(os.path.relpath(data.resolve(), file.resolve().parent))}
    names = inspection.names
    out["columns"] = ", ".join(names[:30]) + (" ..." if len(names) > 30 else "")
    choice = propose_target_choice(inspection)
    target = choice.column
    dates = date_columns(inspection, target)
    out["time"] = _line("  # time_column:", "no column here holds dates" if not dates else
                        f"columns with dates: {', '.join(dates)}")
    if target is None:
        return out
    others = [c for c in choice.candidates if c != target]
    out["target"] = _text(target)
    out["target_note"] = (f"proposed: {choice.reason}"
                          + (f"; or one of: {', '.join(others)}" if others else ""))
    summary = summarize_target(data, target, names)
    details = propose_details(inspection, summary, None, target)
    task, metric = details.get("technical.task", ""), details.get("technical.metric", "")
    out |= {"task": task, "metric": metric}
    label = details.get("technical.positive_label")
    if task == "binary":
        values = ", ".join(map(str, summary.values[:2]))
        # As the data holds it: 1 stays a number, "yes" is quoted.
        out["positive"] = "" if label is None else json.dumps(label, ensure_ascii=False)
        out["positive_note"] = (f"the value the KPI counts (of: {values})")
    proposal = propose_threshold(metric, summary, label) if metric else None
    if proposal is not None and proposal.default is not None:
        out["threshold_note"] = (f"guessing scores {proposal.guessing:.3g} on {metric} here, "
                                 f"by {proposal.how}; e.g. {proposal.default:g}")
    time_column = details.get("data.time_column")
    if time_column:
        out["time"] = _line(f"  time_column: {_text(time_column)}",
                            "the holdout is then the latest rows")
    groups = propose_group_columns(inspection, target)
    if len(groups) == 1:
        out["group"] = _line(f"  group_column: {_text(groups[0])}",
                             "an identifier that repeats: its rows stay on one side")
    ids = [c for c in details.get("data.id_columns", []) if c not in groups[:1]]
    if ids:
        out["ids"] = _line(f"  id_columns: [{', '.join(_text(c) for c in ids)}]",
                           "never used to predict")
    return out


def _text(value: object) -> str:
    """Return a YAML scalar for any text (quoted, so no value is misread)."""
    return json.dumps(str(value), ensure_ascii=False)

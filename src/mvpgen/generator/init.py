"""``mvpgen init``: write a commented ``mvp.yaml`` for a person to fill in.

Every field is there with what it means; fields the data can answer (its path, a
proposed target, task and metric, id and time columns) are filled in from it.
"""

from __future__ import annotations

import json
from pathlib import Path

from mvpgen.errors import MvpgenError

_TEMPLATE = """\
# The business-to-technical mapping of an ML MVP. Fill in the blanks, then:
#   mvpgen check {file}
#   mvpgen new my-mvp --mapping {file}
project:
  name: {name}            # a short name; it also names the folder and the package

business:
  requirement: ""         # what should change, for whom, e.g. Reduce monthly customer churn
  kpi: ""                 # the metric the business tracks, e.g. monthly churn rate
  current:                # today's value of the KPI, e.g. 0.08
  goal:                   # the value that counts as success, e.g. 0.06
  # deadline: 2027-03-31  # when the goal should be reached
  # capacity: 100         # how many cases in every 1,000 the business can act on

technical:
  task: {task}            # binary, multiclass or regression
  target: {target}        # the column the model predicts
{positive}  metric: {metric}          # the offline metric that stands in for the KPI
  threshold:              # the metric value that counts as success offline{hint}

data:
  path: {path}
{time}{ids}  # group_column: household_id   # rows of one group never straddle train and test
  # not_leaks: {{column: why it is known when the prediction is made}}

# costs:                  # what each outcome costs, in your currency (binary tasks)
#   false_positive: 40    # acting on a case that needed no action
#   false_negative: 150   # missing a case that needed action
#   true_positive: 10     # acting on a case that needed it (negative for a benefit)

# humans:
#   reviewer: Customer success team
#   review_budget: 200    # predictions they can review per cycle

# advantage: Why would customers use this rather than the alternatives?

# settings:               # how the steps run (the defaults shown)
#   test_share: 0.2
#   folds: 5
#   seed: 0
#   bootstrap_resamples: 1000
#   eda: quick            # quick, full or off
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
    fields = {"file": file.name, "name": _text(file.resolve().parent.name.replace("-", " ")
                                                or "My MVP"),
              "task": "", "target": '""', "positive": "", "metric": "", "hint": "",
              "path": '""  # a CSV or Parquet file, relative to this file',
              "time": "  # time_column: signup_date  # the holdout is then the latest rows\n",
              "ids": "  # id_columns: [customer_id]\n"}
    if data is not None:
        fields.update(_from_data(data, file))
    from mvpgen.store.files import write_atomically

    write_atomically(file, _TEMPLATE.format(**fields))
    return file


def _from_data(data: Path, file: Path) -> dict[str, str]:
    import os

    from mvpgen.data.inspection import (
        inspect_file,
        propose_details,
        propose_target,
        summarize_target,
    )

    inspection = inspect_file(data)
    target = propose_target(inspection)
    out = {"path": _text(os.path.relpath(data.resolve(), file.resolve().parent))}
    if target is None:
        return out
    summary = summarize_target(data, target, inspection.names)
    details = propose_details(inspection, summary, None, target)
    out |= {"target": _text(target), "task": details.get("technical.task", ""),
            "metric": details.get("technical.metric", "")}
    label = details.get("technical.positive_label")
    if details.get("technical.task") == "binary":
        out["positive"] = (f"  positive_label: {_text(label)}   # the value the KPI counts\n"
                           if label is not None else
                           f"  positive_label:         # one of: "
                           f"{', '.join(map(str, summary.values[:2]))}\n")
    time_column = details.get("technical.time_column") or details.get("data.time_column")
    if time_column:
        out["time"] = f"  time_column: {_text(time_column)}\n"
    ids = details.get("data.id_columns")
    if ids:
        out["ids"] = f"  id_columns: [{', '.join(_text(c) for c in ids)}]\n"
    columns = ", ".join(inspection.names[:30])
    out["hint"] = f"\n  # the columns: {columns}" + (" ..." if len(inspection.names) > 30 else "")
    return out


def _text(value: object) -> str:
    """Return a YAML scalar for any text (quoted, so no value is misread)."""
    return json.dumps(str(value), ensure_ascii=False)

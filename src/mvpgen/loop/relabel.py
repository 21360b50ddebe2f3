"""Let the reviewers' labels into the training data.

A reviewer's label overrides the value the data recorded for that row (the person
looked; the extract may be stale or wrong). A labelled row the data had no target for,
and a labelled new row that went out for review, become training rows: they join
the holdout only where the split's own rule puts them there (a later time, a held-out
group), so the holdout the models are judged on stays the same from run to run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mvpgen.data.target import class_named, python_values
from mvpgen.errors import DataError
from mvpgen.loop.rowkeys import row_ids
from mvpgen.store.labels import agreement, agreement_over_time, latest, read_labels

if TYPE_CHECKING:
    import pandas as pd

    from mvpgen.data.read import Dataset
    from mvpgen.mapping import Mapping


@dataclass
class Relabelled:
    """The labelled rows after the reviewers' labels, and what the labels changed."""

    frame: pd.DataFrame  # the data's labelled rows first, then the rows labels added
    recorded: pd.Series  # the target as the data recorded it (missing for added rows)
    added: np.ndarray  # True for rows that only a reviewer's label made usable
    file_rows: np.ndarray  # each row's position among the file's data rows (-1: not in it)
    summary: dict[str, Any] = field(default_factory=dict)


def data_row_ids(dataset: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Return the row ids of the data's labelled rows and of its rows without a target."""
    keys = [c for c in dataset.frame.columns if c != dataset.target]
    return (row_ids(dataset.frame, dataset.id_columns, keys),
            row_ids(dataset.unlabelled, dataset.id_columns, keys))


def apply_labels(dataset: Dataset, mapping: Mapping, root: Path, task: str) -> Relabelled:
    """Return the dataset's labelled rows with the reviewers' labels applied.

    Raises:
        data.DataError: when the label log cannot be read.
    """
    import pandas as pd

    from mvpgen.store.reviewed import reviewed_rows

    target = dataset.target
    frame = dataset.frame
    log = read_labels(root)
    untouched = Relabelled(frame, frame[target].copy(), np.zeros(len(frame), dtype=bool),
                           dataset.file_rows.astype(np.int64), _summary(log, task))
    if not log:
        return untouched
    labels = {row: entry["human_label"] for row, entry in latest(log).items() if row}
    classes = None if task == "regression" else list(frame[target].unique())
    labelled_ids, unlabelled_ids = data_row_ids(dataset)

    # 1. Labels for rows the data already has a target for: the reviewer's label wins.
    new_target = frame[target].astype(object).to_numpy(copy=True)
    matched = np.array([row in labels for row in labelled_ids], dtype=bool)
    for position in np.flatnonzero(matched):
        new_target[position] = label_value(labels[labelled_ids[position]], classes)
    recorded_values = frame[target].astype(object).to_numpy()
    changed = int(sum(not _same(new_target[i], recorded_values[i])
                      for i in np.flatnonzero(matched)))
    relabelled = frame.copy()
    relabelled[target] = _typed(new_target, task)

    # 2. Rows without a target in the data, and new rows sent out for review.
    extra = []
    filled = np.array([row in labels for row in unlabelled_ids], dtype=bool)
    if filled.any():
        rows = dataset.unlabelled.iloc[np.flatnonzero(filled)].copy()
        rows[target] = [label_value(labels[r], classes) for r in unlabelled_ids[filled]]
        extra.append((rows, dataset.unlabelled_rows[filled]))
    known = {*labelled_ids[matched], *unlabelled_ids[filled]}
    new_rows = _new_rows(reviewed_rows(root), labels, known, dataset, mapping, classes)
    if new_rows is not None:
        extra.append((new_rows, np.full(len(new_rows), -1, dtype=np.int64)))

    used = int(matched.sum() + filled.sum() + (0 if new_rows is None else len(new_rows)))
    summary = _summary(log, task) | {
        "used": used, "changed": changed, "confirmed": int(matched.sum()) - changed,
        "added_rows": {"data_without_target": int(filled.sum()),
                       "new": 0 if new_rows is None else len(new_rows)},
        "unmatched": len(labels) - used,
    }
    if not extra:
        return Relabelled(relabelled, frame[target].copy(), np.zeros(len(frame), dtype=bool),
                          dataset.file_rows.astype(np.int64), summary)
    combined = pd.concat([relabelled, *(rows for rows, _ in extra)], ignore_index=True)
    combined[target] = _typed(combined[target].astype(object).to_numpy(), task)
    added = np.r_[np.zeros(len(frame), dtype=bool), np.ones(len(combined) - len(frame), bool)]
    recorded = pd.Series(np.r_[recorded_values, np.full(int(added.sum()), None)], dtype=object)
    file_rows = np.concatenate([dataset.file_rows.astype(np.int64), *(rows for _, rows in extra)])
    return Relabelled(combined, recorded, added, file_rows, summary)


def _new_rows(rows: pd.DataFrame | None, labels: dict[str, str], known: set[str],
              dataset: Dataset, mapping: Mapping, classes: list[Any] | None,
              ) -> pd.DataFrame | None:
    """Return the labelled new rows, read like the data (numbers, dates, categories)."""
    if rows is None:
        return None
    rows = rows[rows["row_id"].isin(set(labels) - known)]
    if rows.empty:
        return None
    from mvpgen.data.cleaning import tidy

    time_column = mapping.data.time_column
    values = rows.drop(columns="row_id").replace("", np.nan)
    values = values[[c for c in values.columns if c in dataset.frame.columns]]
    values = tidy(values.reset_index(drop=True), dates=(time_column,) if time_column else (),
                  source="data/feedback/reviewed_rows.csv")
    values[dataset.target] = [label_value(labels[r], classes) for r in rows["row_id"]]
    for column in dataset.frame.columns:
        if column not in values.columns:
            values[column] = np.nan
        elif dataset.frame[column].dtype.kind in "if" and values[column].dtype == object:
            import pandas as pd

            values[column] = pd.to_numeric(values[column], errors="coerce")
    return values[list(dataset.frame.columns)]


def label_value(label: str, classes: list[Any] | None) -> Any:
    """Return a reviewer's label as a value of the target column.

    Raises:
        DataError: for a label that is no class of the data (the log was edited by hand).
    """
    if classes is None:
        number = float(label)
        if not math.isfinite(number):
            raise DataError(_bad_label(label))
        return number
    value = class_named(label, classes)
    if value is None:
        raise DataError(_bad_label(label))
    return value


def _bad_label(label: str) -> str:
    return (f"data/feedback/labels.csv holds the label {label!r}, which fits no value of the "
            "target; correct that line (the log is otherwise kept as it is)")


def _same(a: Any, b: Any) -> bool:
    return a == b or str(a) == str(b)


def _typed(values: np.ndarray, task: str) -> Any:
    if task == "regression":
        return values.astype(float)
    return np.asarray(python_values(values), dtype=object)


def _summary(log: list[dict[str, str]], task: str) -> dict[str, Any]:
    current = list(latest(log).values())
    result = agreement(current, task)
    return {"labels": len(log), "rows_labelled": len(current), "used": 0, "changed": 0,
            "confirmed": 0, "added_rows": {"data_without_target": 0, "new": 0},
            "unmatched": 0,
            "agreement": None if result.share is None else round(result.share, 4),
            "compared": result.labels,
            "history": agreement_over_time(log, task)}

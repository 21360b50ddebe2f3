"""Score new rows with the saved model, and say what in them training never saw.

The saved model decides as it was evaluated (a yes/no classifier carries its decision
threshold), so a prediction is ``model.predict``. New rows are read as training read
its rows: the project's ``derive`` adds its columns, each column gets the kind it had,
and a category never seen in training or a number outside the training range is
flagged on its row and counted. OUT is spreadsheet-safe CSV: a text cell that a
spreadsheet would run as a formula starts with ``'``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mvpgen.data.read import read_table
from mvpgen.errors import DataError, MvpgenError
from mvpgen.project import PATHS, RECORD_FILE, Project
from mvpgen.spreadsheet import safe_csv
from mvpgen.store.artifacts import load_model
from mvpgen.store.files import write_atomically

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class Scored:
    """What ``predict`` wrote and noticed."""

    rows: int
    out: Path
    notes: list[str] = field(default_factory=list)
    unseen: dict[str, int] = field(default_factory=dict)  # column -> rows with a new value


def load_saved(project: Project) -> tuple[Any, dict[str, Any]]:
    """Return the saved model and its card (see ``store.artifacts.load_model``)."""
    return load_model(project.path(PATHS.model), project.path(PATHS.model_card),
                      project.package)


def score_file(project: Project, rows: Path, out: Path, *, force: bool = False) -> Scored:
    """Predict for every row of ``rows``; write ids, prediction, score and flags to ``out``.

    Raises:
        DataError: when ``rows`` cannot be read or lacks a column the model needs.
        MvpgenError: when ``out`` is an input (or exists and ``force`` is not given).
        ModelError: when there is no trustworthy saved model.
    """
    refuse_overwrite(project, rows, out, force=force)
    model, card = load_saved(project)
    frame = read_table(rows)
    predicted = predict_rows(project, model, card, frame, rows.name)
    table = frame[[c for c in card.get("id_columns", []) if c in frame.columns]].copy()
    for column in predicted.columns:
        table[column] = predicted[column].to_numpy()
    write_atomically(out, safe_csv(table))
    unseen = {c: int(n) for c, n in predicted.attrs.get("unseen", {}).items() if n}
    return Scored(len(table), out, version_notes(card), unseen)


def refuse_overwrite(project: Project, rows: Path, out: Path, *, force: bool) -> None:
    """Refuse an OUT that is an input of the project, or that exists without ``force``.

    Raises:
        MvpgenError: naming the file and what to do instead.
    """
    target = out.expanduser().resolve()
    inputs = {rows.expanduser().resolve(): "the rows being scored",
              project.mapping_file.resolve(): "the project's mvp.yaml",
              project.path(PATHS.model).resolve(): "the saved model",
              project.path(PATHS.model_card).resolve(): "the model's card",
              project.path(PATHS.labels).resolve(): "the label log",
              project.path(RECORD_FILE).resolve(): "the project's record"}
    if project.data_file is not None:
        inputs[project.data_file.resolve()] = "the project's data"
    if target in inputs:
        msg = f"OUT {out} is {inputs[target]}; write the predictions to another file"
        raise MvpgenError(msg)
    if target.is_dir():
        msg = f"OUT {out} is a folder; name a file, e.g. {out / 'predictions.csv'}"
        raise MvpgenError(msg)
    if target.exists() and not force:
        msg = f"OUT {out} exists; pass --force to replace it, or name another file"
        raise MvpgenError(msg)


def predict_rows(project: Project, model: Any, card: dict[str, Any], frame: pd.DataFrame,
                 source: str) -> pd.DataFrame:
    """Return the model's prediction for each row, its score, and what is new in the row.

    The score is the probability of the positive class for a yes/no task, and of the
    predicted class for several classes. ``new_values`` names the columns where a row
    holds a category training never saw, or a number outside the training range; the
    counts per column are in the result's ``attrs["unseen"]``.

    Raises:
        DataError: when ``frame`` lacks a column the model needs, or holds a value that
            does not fit a column's kind in training.
    """
    import pandas as pd

    features = project.user_module("features")
    if features is not None and hasattr(features, "derive"):
        frame = features.derive(frame.copy())
    needed = list(card["features"])
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        msg = (f"{source} lacks {len(missing)} column(s) the model needs: "
               f"{', '.join(missing)}; add them (empty values are allowed)")
        raise DataError(msg)
    x = as_trained(frame[needed], card.get("feature_kinds", {}), source)
    out = pd.DataFrame(index=frame.index)
    task = card["task"]
    if task == "regression":
        out["prediction"] = np.asarray(model.predict(x), dtype=float)
    else:
        proba = np.asarray(model.predict_proba(x), dtype=float)
        classes = list(model.classes_)
        out["prediction"] = model.predict(x)
        if task == "binary":
            out["score"] = np.round(proba[:, classes.index(card["positive_label"])], 6)
        else:
            out["score"] = np.round(proba.max(axis=1), 6)
    flags, counts = new_values(x, card)
    out["new_values"] = flags
    out.attrs["unseen"] = counts
    return out


def new_values(x: pd.DataFrame, card: dict[str, Any]) -> tuple[np.ndarray, dict[str, int]]:
    """Return, per row, the columns holding what training never saw, and counts per column."""
    from mvpgen.features import as_text

    marks = [[] for _ in range(len(x))]
    counts: dict[str, int] = {}
    for column, seen in card.get("categories", {}).items():
        if column not in x.columns or len(seen) >= 1000:
            continue
        text = as_text(x[column])
        new = (~text.isin(seen) & x[column].notna()).to_numpy()
        counts[column] = int(new.sum())
        for i in np.flatnonzero(new):
            marks[i].append(column)
    for column, (low, high) in card.get("ranges", {}).items():
        if column not in x.columns:
            continue
        numbers = x[column].astype(float).to_numpy()
        outside = np.isfinite(numbers) & ((numbers < low) | (numbers > high))
        counts[column] = counts.get(column, 0) + int(outside.sum())
        for i in np.flatnonzero(outside):
            marks[i].append(column)
    return np.array(["; ".join(m) for m in marks], dtype=object), counts


def version_notes(card: dict[str, Any]) -> list[str]:
    """Say which libraries differ from those the model was trained with."""
    from importlib import metadata

    notes = []
    for name, trained in card.get("versions", {}).items():
        if name == "python":
            continue
        installed = metadata.version(name)
        if installed.split(".")[:2] != str(trained).split(".")[:2]:
            notes.append(f"the model was trained with {name} {trained}, this is {installed}: "
                         "run the baseline again if the predictions look wrong")
    return notes


def as_trained(frame: pd.DataFrame, kinds: dict[str, str], source: str) -> pd.DataFrame:
    """Give each column the kind it had in training, or say which value does not fit.

    Raises:
        DataError: naming the column and a value that is not a number (or a date).
    """
    import pandas as pd

    converted_columns = {}
    for column, kind in kinds.items():
        if kind not in ("numeric", "datetime") or column not in frame.columns:
            continue
        values = frame[column]
        already = (pd.api.types.is_datetime64_any_dtype(values) if kind == "datetime" else
                   pd.api.types.is_numeric_dtype(values)
                   and not pd.api.types.is_bool_dtype(values))
        if already:
            continue  # read as in training: nothing to convert, nothing to copy
        if kind == "numeric":
            converted = pd.to_numeric(values, errors="coerce")
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the values that fail are reported below
                converted = pd.to_datetime(values, errors="coerce")
        bad = values.notna() & converted.isna()
        if bad.any():
            what = "a number" if kind == "numeric" else "a date"
            msg = (f"{source}: column '{column}' holds {values[bad].iloc[0]!r}, which is not "
                   f"{what} as in training ({int(bad.sum())} such rows); fix or empty them")
            raise DataError(msg)
        converted_columns[column] = converted
    return frame.assign(**converted_columns) if converted_columns else frame

"""Score new rows with the saved model, and say what in them training never saw.

The saved model decides as it was evaluated (a yes/no classifier carries its decision
threshold), so a prediction is ``model.predict``. New rows are read as training read
its rows: the project's ``derive`` adds its columns, each column gets the kind it had,
and a category never seen in training or a number outside the training range is
flagged on its row and counted. OUT is spreadsheet-safe CSV: a text cell that a
spreadsheet would run as a formula starts with ``'``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mvpgen.data.read import read_table
from mvpgen.data.sources import names_dataset
from mvpgen.errors import DataError, MvpgenError
from mvpgen.features import as_trained
from mvpgen.project import PATHS, RECORD_FILE, Project
from mvpgen.spreadsheet import safe_csv
from mvpgen.store.artifacts import load_model
from mvpgen.store.files import write_atomically

BATCH_ROWS = 100_000  # rows the model scores at once

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class Scored:
    """What ``predict`` wrote and noticed."""

    rows: int
    out: Path
    notes: list[str] = field(default_factory=list)
    unseen: dict[str, int] = field(default_factory=dict)  # column -> rows with a new value
    card: dict[str, Any] = field(default_factory=dict, repr=False)  # the model's card

    def unseen_notes(self) -> list[str]:
        """Say, per column, how many rows hold what training never saw, and what it saw."""
        ranges = self.card.get("ranges", {})
        notes = []
        for column, count in self.unseen.items():
            rows = f"{count:,} row{'s' if count != 1 else ''} hold{'s' if count == 1 else ''}"
            if column in ranges:
                low, high = ranges[column]
                notes.append(f"{rows} a value of '{column}' outside the training range "
                             f"({low:,.4g} to {high:,.4g}; see new_values)")
            else:
                notes.append(f"{rows} a category of '{column}' training never saw "
                             "(see new_values)")
        return notes


def load_saved(project: Project) -> tuple[Any, dict[str, Any]]:
    """Return the saved model and its card (see ``store.artifacts.load_model``)."""
    return load_model(project.path(PATHS.model), project.path(PATHS.model_card),
                      project.package)


def score(project: Project, rows: Path, out: Path, *, force: bool = False,
          engine: str | None = None) -> Scored:
    """Score ``rows`` with pandas (OUT a CSV file) or Spark (OUT a folder of Parquet).

    The engine defaults to Spark when mvp.yaml has Spark read its data, else pandas.

    Raises:
        DataError, MvpgenError, ModelError: as :func:`score_file` and
            :func:`mvpgen.steps.predict_spark.score_table` do.
    """
    from mvpgen.data.spark import wanted

    if (engine or ("spark" if wanted(project.mapping) else "pandas")) == "spark":
        from mvpgen.steps.predict_spark import score_table

        return score_table(project, str(rows), out, force=force)
    return score_file(project, rows, out, force=force)


def score_file(project: Project, rows: Path, out: Path, *, force: bool = False) -> Scored:
    """Predict for every row of ``rows``; write ids, prediction, score and flags to ``out``.

    Raises:
        DataError: when ``rows`` cannot be read or lacks a column the model needs.
        MvpgenError: when ``out`` is an input (or exists and ``force`` is not given).
        ModelError: when there is no trustworthy saved model.
    """
    if names_dataset(rows):
        msg = (f"ROWS {rows} is a folder or a glob; pandas reads one CSV or Parquet file: "
               "name one, or pass --engine spark to score them all")
        raise DataError(msg)
    refuse_overwrite(project, rows, out, force=force)
    model, card = load_saved(project)
    frame = read_table(rows)
    predicted = predict_rows(project, model, card, frame, rows.name)
    table = frame[[c for c in card.get("id_columns", []) if c in frame.columns]].copy()
    for column in predicted.columns:
        table[column] = predicted[column].to_numpy()
    write_atomically(out, safe_csv(table))
    unseen = {c: int(n) for c, n in predicted.attrs.get("unseen", {}).items() if n}
    return Scored(len(table), out, version_notes(card), unseen, card)


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
    features = project.user_module("features")
    derive = features.derive if features is not None and hasattr(features, "derive") else None
    return predictions_for(model, card, frame, source, derive)


def predictions_for(model: Any, card: dict[str, Any], frame: pd.DataFrame, source: str,
                    derive: Callable[[pd.DataFrame], pd.DataFrame] | None) -> pd.DataFrame:
    """Return what :func:`predict_rows` returns, given the project's ``derive`` (or None).

    Raises:
        DataError: as :func:`predict_rows` does.
    """
    import pandas as pd

    if derive is not None:
        frame = derive(frame.copy())
    needed = list(card["features"])
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        msg = (f"{source} lacks {len(missing)} column(s) the model needs: "
               f"{', '.join(missing)}; add them (empty values are allowed)")
        raise DataError(msg)
    x = as_trained(frame[needed], card.get("feature_kinds", {}), source)
    out = pd.DataFrame(index=frame.index)
    # In batches: the model's features for a million rows at once would take gigabytes.
    batches = [_scored(model, card, x.iloc[start:start + BATCH_ROWS])
               for start in range(0, len(x), BATCH_ROWS)] or [_scored(model, card, x)]
    out["prediction"] = np.concatenate([prediction for prediction, _ in batches])
    if card["task"] != "regression":
        out["score"] = np.concatenate([score for _, score in batches])
    flags, counts = new_values(x, card)
    out["new_values"] = flags
    out.attrs["unseen"] = counts
    return out


def _scored(model: Any, card: dict[str, Any], x: pd.DataFrame) -> tuple[np.ndarray, Any]:
    """Return the model's predictions for ``x`` and their scores (None for a quantity)."""
    task = card["task"]
    if task == "regression":
        return np.asarray(model.predict(x), dtype=float), None
    answer = model.predict_proba(x)
    proba = np.asarray(answer, dtype=float)
    decided = thresholded(model, answer) if task == "binary" else None
    prediction = np.asarray(model.predict(x) if decided is None else decided)
    if task == "binary":
        column = list(model.classes_).index(card["positive_label"])
        return prediction, np.round(proba[:, column], 6)
    return prediction, np.round(proba.max(axis=1), 6)


def thresholded(model: Any, proba: Any) -> np.ndarray | None:
    """Return what ``model.predict`` answers, from its ``predict_proba`` answer, when sure.

    A saved yes/no model is scikit-learn's ``FixedThresholdClassifier``. Its ``predict``
    asks the wrapped estimator's ``predict_proba`` again (so the features are computed a
    second time), takes the positive class's column and compares it with the threshold.
    For exactly that class, set to ask ``predict_proba``, this makes the same comparison
    on the same numbers (``proba`` is what ``model.predict_proba`` returned, unconverted)
    and maps it to labels the same way. For any other model or setting it returns None:
    ``model.predict`` decides.
    """
    try:
        from sklearn.base import is_classifier
        from sklearn.exceptions import NotFittedError
        from sklearn.model_selection import FixedThresholdClassifier
        from sklearn.utils.multiclass import type_of_target
        from sklearn.utils.validation import check_is_fitted
    except ImportError:
        return None
    if type(model) is not FixedThresholdClassifier:
        return None
    estimator = getattr(model, "estimator_", model.estimator)
    wanted = model.response_method
    names = (["predict_proba", "decision_function"] if wanted == "auto" else
             [wanted] if isinstance(wanted, str) else list(wanted))
    # predict uses the first of the methods the estimator has, under that method's name.
    method = next((m for m in (getattr(estimator, n, None) for n in names) if m), None)
    if getattr(method, "__name__", None) != "predict_proba":
        return None
    try:
        check_is_fitted(estimator)
    except (NotFittedError, TypeError):
        return None
    scored = estimator.classes_
    if (not is_classifier(estimator) or not isinstance(scored, np.ndarray) or len(scored) != 2
            or type_of_target(scored) != "binary"):
        return None
    if not isinstance(proba, np.ndarray) or proba.ndim != 2 or proba.shape[1] < 2:
        return None
    pos_label = model.pos_label
    if pos_label is not None and pos_label not in scored.tolist():
        return None
    column = np.flatnonzero(scored == (scored[-1] if pos_label is None else pos_label))[0]
    classes = model.classes_
    if pos_label is None:
        labels = np.array([0, 1])
    else:
        labels = np.array([np.flatnonzero(classes != pos_label)[0],
                           np.flatnonzero(classes == pos_label)[0]])
    threshold = (0.5 if model.threshold == "auto" else model.threshold)
    return classes[labels[(proba[:, column] >= threshold).astype(int)]]


def new_values(x: pd.DataFrame, card: dict[str, Any]) -> tuple[np.ndarray, dict[str, int]]:
    """Return, per row, the columns holding what training never saw, and counts per column.

    A row's text names its columns in the card's order, categories first, then ranges
    (a column in both is named twice when both flag it). Rows flagged alike share one
    text, so the text is built once per combination of flags, not once per row.
    """
    from mvpgen.features import as_text

    flagged: list[tuple[str, np.ndarray]] = []  # (column, rows it flags), in naming order
    counts: dict[str, int] = {}
    for column, seen in card.get("categories", {}).items():
        if column not in x.columns or len(seen) >= 1000:
            continue
        text = as_text(x[column])
        new = (~text.isin(seen) & x[column].notna()).to_numpy()
        counts[column] = int(new.sum())
        flagged.append((column, new))
    for column, (low, high) in card.get("ranges", {}).items():
        if column not in x.columns:
            continue
        numbers = x[column].astype(float).to_numpy()
        outside = np.isfinite(numbers) & ((numbers < low) | (numbers > high))
        counts[column] = counts.get(column, 0) + int(outside.sum())
        flagged.append((column, outside))
    texts = np.full(len(x), "", dtype=object)
    flags = [(column, rows) for column, rows in flagged if rows.any()]
    if not flags:
        return texts, counts
    rows = np.flatnonzero(np.logical_or.reduce([r for _, r in flags]))
    marks = np.column_stack([r[rows] for _, r in flags])
    combos, which = np.unique(marks, axis=0, return_inverse=True)
    names = [column for column, _ in flags]
    joined = np.array(["; ".join(n for n, on in zip(names, combo, strict=True) if on)
                       for combo in combos], dtype=object)
    texts[rows] = joined[which.reshape(-1)]
    return texts, counts


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

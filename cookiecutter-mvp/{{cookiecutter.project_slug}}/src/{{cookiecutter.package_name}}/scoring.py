"""Score new rows with the saved baseline model."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .artifacts import load_model
from .data import DataError, read_table
from .files import write_atomically

if TYPE_CHECKING:
    import pandas as pd


def score_file(root: Path, rows: Path, out: Path) -> tuple[int, list[str]]:
    """Predict for every row of ``rows``; write ids, prediction and score to ``out``.

    Returns:
        The number of rows scored, and notes for the user (e.g. library versions that
        differ from the ones the model was trained with).

    Raises:
        DataError: when ``rows`` cannot be read or lacks a column the model needs.
        artifacts.ModelError: when there is no trustworthy saved model.
    """
    model, card = load_model(root)
    frame = read_table(rows)
    predicted = predict_rows(model, card, frame, rows.name)
    table = frame[[c for c in card["id_columns"] if c in frame.columns]].copy()
    table["prediction"] = predicted["prediction"].to_numpy()
    if "score" in predicted:
        table["score"] = predicted["score"].to_numpy()
    write_atomically(out, table.to_csv(index=False))
    return len(table), version_notes(card)


def predict_rows(model: Any, card: dict[str, Any], frame: pd.DataFrame,
                 source: str) -> pd.DataFrame:
    """Return the model's prediction for each row, and for classes its score.

    The score is the probability of the positive class for a binary task (the
    prediction is the positive class when it reaches the model's decision threshold),
    and the probability of the predicted class for several classes.

    Raises:
        DataError: when ``frame`` lacks a column the model needs, or holds a value that
            does not fit a column's kind in training.
    """
    import pandas as pd

    needed = list(card["features"])
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        msg = (f"{source} lacks {len(missing)} column(s) the model needs: "
               f"{', '.join(missing)}; add them (empty values are allowed)")
        raise DataError(msg)
    x = _as_trained(frame[needed], card.get("feature_kinds", {}), source)
    if card["task"] == "regression":
        return pd.DataFrame({"prediction": model.predict(x)}, index=frame.index)
    proba = model.predict_proba(x)
    classes = list(model.classes_)
    if card["task"] == "binary":
        score = proba[:, classes.index(True)]
        other = next(v for v in card["labels"] if v != card["positive_label"])
        prediction = np.where(score >= card["decision_threshold"], card["positive_label"],
                              other)
    else:
        prediction = np.asarray(classes, dtype=object)[proba.argmax(axis=1)]
        score = proba.max(axis=1)
    return pd.DataFrame({"prediction": prediction, "score": np.round(score, 6)},
                        index=frame.index)


def version_notes(card: dict) -> list[str]:
    """Say which libraries differ from those the model was trained with."""
    from importlib import metadata

    notes = []
    for name, trained in card.get("versions", {}).items():
        if name == "python":
            continue
        installed = metadata.version(name)
        if installed.split(".")[:2] != trained.split(".")[:2]:
            notes.append(f"the model was trained with {name} {trained}, this is {installed}: "
                         "run the baseline again if the predictions look wrong")
    return notes


def _as_trained(frame: pd.DataFrame, kinds: dict[str, str], source: str) -> pd.DataFrame:
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

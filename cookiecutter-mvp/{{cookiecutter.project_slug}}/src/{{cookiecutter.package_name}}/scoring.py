"""Score new rows with the saved baseline model."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .artifacts import load_model
from .data import DataError, read_table
from .files import write_atomically


def score_file(root: Path, rows: Path, out: Path) -> int:
    """Predict for every row of ``rows``; write ids, prediction and score to ``out``.

    Returns:
        The number of rows scored.

    Raises:
        DataError: when ``rows`` cannot be read or lacks a column the model needs.
        artifacts.ModelError: when there is no trustworthy saved model.
    """
    model, card = load_model(root)
    frame = read_table(rows)
    needed = list(card["features"])
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        msg = (f"{rows.name} lacks {len(missing)} column(s) the model needs: "
               f"{', '.join(missing)}; add them (empty values are allowed)")
        raise DataError(msg)
    table = frame[[c for c in card["id_columns"] if c in frame.columns]].copy()
    if card["task"] == "regression":
        table["prediction"] = model.predict(frame[needed])
    else:
        proba = model.predict_proba(frame[needed])
        classes = list(model.classes_)
        if card["task"] == "binary":
            score = proba[:, classes.index(True)]
            other = next(v for v in card["labels"] if v != card["positive_label"])
            table["prediction"] = np.where(score >= card["decision_threshold"],
                                           card["positive_label"], other)
            table["score"] = np.round(score, 6)
        else:
            table["prediction"] = np.asarray(classes, dtype=object)[proba.argmax(axis=1)]
            table["score"] = np.round(proba.max(axis=1), 6)
    write_atomically(out, table.to_csv(index=False))
    return len(table)

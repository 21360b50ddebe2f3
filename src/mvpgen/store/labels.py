"""The reviewers' labels: ``data/feedback/labels.csv``, an append-only log.

Every label ever given stays in the file with the time it was given; for a row
labelled twice the later label wins, but the earlier one is kept as history. The file
is plain CSV so that a person can read it, and it is only ever replaced whole (old
lines plus new ones, written beside it and renamed), so an interrupted run leaves the
previous file as it was.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mvpgen.errors import DataError
from mvpgen.spreadsheet import neutral, plain
from mvpgen.store.files import write_atomically

LABELS_FILE = Path("data/feedback/labels.csv")
COLUMNS = ("row_id", "human_label", "comment", "model_prediction", "model_score",
           "labelled_at", "received_at", "source")
# A regression prediction "agrees" with a reviewer's number within this share of it.
REGRESSION_TOLERANCE = 0.10


@dataclass(frozen=True)
class Agreement:
    """How often the model's prediction matched the reviewer's label."""

    agreed: int
    labels: int

    @property
    def share(self) -> float | None:
        """Return the share of labels the model agreed with, or None without labels."""
        return self.agreed / self.labels if self.labels else None


def read_labels(root: Path) -> list[dict[str, str]]:
    """Return every label in the log, oldest first (an absent log has none).

    Raises:
        DataError: when the log's header is not the one this project writes, a line
            has too few or too many fields, or a byte is not UTF-8 text.
    """
    path = root / LABELS_FILE
    if not path.exists():
        return []
    try:
        return _read_log(path)
    except UnicodeDecodeError as err:
        # Decoding goes chunk by chunk, so err.start is not the place in the file.
        line = _undecodable_line(path.read_bytes())
        msg = (f"{LABELS_FILE} line {line} holds a byte that is not UTF-8 text (an editor "
               "saved it in another encoding); save it as UTF-8 or mend that line (every "
               "other label is kept), then run again")
        raise DataError(msg) from err


def _read_log(path: Path) -> list[dict[str, str]]:
    # utf-8-sig: a spreadsheet that saved the log puts a byte-order mark first.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            msg = (f"{LABELS_FILE} has the columns {', '.join(reader.fieldnames or [])}, "
                   f"not {', '.join(COLUMNS)}; restore its first line (the older labels "
                   "below it are kept)")
            raise DataError(msg)
        rows = []
        for row in reader:
            # A line cut short or with extra commas is refused, never guessed at: the
            # next append would bury it, and a shifted field turns a label into a comment.
            if None in row or None in row.values():
                fields = len(COLUMNS) + len(row.get(None) or ()) - list(row.values()).count(None)
                msg = (f"{LABELS_FILE} line {reader.line_num} has {fields} fields, not "
                       f"{len(COLUMNS)}; mend or delete that line (every other label is kept), "
                       "then run again")
                raise DataError(msg)
            rows.append({name: plain(value) for name, value in row.items()})
        return rows


def _undecodable_line(data: bytes) -> int:
    """Return the number of the first line holding a byte that is not UTF-8 (1 is the first)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        return data.count(b"\n", 0, err.start) + 1
    return 1  # mended since it failed to decode: no line to name better than the first


def latest(labels: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    """Return the latest label of each row, by row id."""
    return {label["row_id"]: label for label in labels}


def append_labels(root: Path, new: list[dict[str, Any]]) -> Path:
    """Add labels to the end of the log, atomically.

    Raises:
        DataError: when the existing log cannot be read as this project's log.
    """
    path = root / LABELS_FILE
    read_labels(root)  # refuse to append to a log that is not ours
    old = path.read_text(encoding="utf-8-sig") if path.exists() else ""
    if old and not old.endswith("\n"):
        old += "\n"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    if not old:
        writer.writeheader()
    # The log is opened in spreadsheets: no cell starts like a formula, an id from the
    # data or a comment alike (read back with the quote taken off, see _read_log).
    writer.writerows({c: neutral(_text(label.get(c))) for c in COLUMNS} for label in new)
    write_atomically(path, old + buffer.getvalue())
    return path


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def agrees(prediction: str, label: str, task: str) -> bool | None:
    """Return whether a prediction matches a reviewer's label (None when not comparable).

    Classes agree when they are the same class; numbers when the prediction is within
    ``REGRESSION_TOLERANCE`` of the reviewer's value.
    """
    if prediction == "" or label == "":
        return None
    if task != "regression":
        return prediction.strip().casefold() == label.strip().casefold()
    try:
        predicted, given = float(prediction), float(label)
    except ValueError:
        return None
    if not (math.isfinite(predicted) and math.isfinite(given)):
        return None
    return abs(predicted - given) <= REGRESSION_TOLERANCE * abs(given)


def agreement(labels: list[dict[str, str]], task: str) -> Agreement:
    """Return how often the model agreed with the labels given."""
    checks = [agrees(label["model_prediction"], label["human_label"], task) for label in labels]
    known = [c for c in checks if c is not None]
    return Agreement(sum(known), len(known))


def agreement_over_time(labels: list[dict[str, str]], task: str) -> list[dict[str, Any]]:
    """Return the agreement of each feedback batch, in the order they arrived."""
    batches: dict[str, list[dict[str, str]]] = {}
    for label in labels:
        batches.setdefault(label["received_at"], []).append(label)
    out = []
    for received, batch in batches.items():
        result = agreement(batch, task)
        out.append({"received_at": received, "labels": len(batch),
                    "compared": result.labels,
                    "agreement": None if result.share is None else round(result.share, 4)})
    return out


def summary(root: Path, task: str | None) -> dict[str, Any]:
    """Return the state of the review loop: labels, rows labelled, agreement so far."""
    labels = read_labels(root)
    current = list(latest(labels).values())
    result = agreement(current, task or "binary")
    return {"labels": len(labels), "rows": len(current),
            "agreement": None if result.share is None else round(result.share, 4),
            "compared": result.labels,
            "last_received": labels[-1]["received_at"] if labels else None,
            "history": agreement_over_time(labels, task or "binary")}

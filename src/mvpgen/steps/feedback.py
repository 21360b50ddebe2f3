"""Take a reviewer's filled CSV in: check every line, then add the good ones to the log.

A label is only useful if it belongs to a known row and is a valid answer (a class of
the target, or a number for a regression). A line that is neither is listed by its
line number and left out; it is never kept silently. The log is appended to as a
whole or not at all.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mvpgen.data.encoding import detect, utf16_without_mark
from mvpgen.data.quality import dataset_changed
from mvpgen.data.read import load_dataset
from mvpgen.data.target import class_named, python_values, resolve_task
from mvpgen.errors import DataError
from mvpgen.loop.relabel import data_row_ids
from mvpgen.spreadsheet import plain
from mvpgen.store.labels import Agreement, agreement, append_labels, latest, read_labels
from mvpgen.store.lock import project_lock

if TYPE_CHECKING:
    from mvpgen.project import Project

REQUIRED = ("row_id", "human_label")
MAX_FILE_BYTES = 50 * 1024 * 1024  # a review file is a few hundred lines


@dataclass
class FeedbackResult:
    """What one feedback file added, what it left out, and the agreement so far."""

    added: int
    skipped: list[str] = field(default_factory=list)  # "line N: why", one per bad line
    unanswered: int = 0  # lines with no label (the reviewer was not sure or skipped them)
    already: int = 0  # labels taken in before (the same file, or the same answers, again)
    agreement: Agreement = field(default_factory=lambda: Agreement(0, 0))
    labels_file: Path | None = None
    notes: list[str] = field(default_factory=list)  # how the file was read, e.g. its encoding


def take_feedback(project: Project, filled: Path, *, now: dt.datetime | None = None,
                  progress: Callable[[str], None] = lambda message: None,
                  then: Callable[[], Any] = lambda: None) -> FeedbackResult:
    """Check ``filled`` and append its valid labels to ``data/feedback/labels.csv``.

    ``progress`` is told when another command holds the project and this one waits;
    ``then`` runs while the project is still held
    (the documents that count the labels are refreshed there, never beside another
    command's writes).

    Raises:
        DataError: when the file cannot be read as a filled review file, or when it
            holds no valid label (then nothing is added).
    """
    mapping, root = project.mapping, project.root
    header, lines, delimiter, note = _read_filled(filled)
    # A spreadsheet that saves with ';' writes one and a half as 1,5.
    number = _decimal_comma if delimiter == ";" else (lambda text: text)
    dataset = load_dataset(mapping, root)
    changed = dataset_changed(dataset, mapping)
    target = dataset.target
    task = resolve_task(mapping.technical.task, dataset.frame[target].unique())
    classes = [] if task == "regression" else [str(v) for v in
                                               python_values(dataset.frame[target].unique())]
    known = _known_ids(dataset, root)
    received = (now or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0).isoformat()

    result = FeedbackResult(added=0, notes=[n for n in (note, changed) if n])
    answers: dict[str, dict[str, Any]] = {}  # by row id, in the order of the file
    first_line: dict[str, int] = {}
    for line, fields in lines:
        if len(fields) != len(header):
            result.skipped.append(f"line {line}: {len(fields)} fields where the header has "
                                  f"{len(header)}; the line is cut short or has extra commas")
            continue
        value = dict(zip(header, fields, strict=True))
        # The review files are spreadsheet-safe: a key or label that starts like a
        # formula comes back with a leading ' that was never part of it.
        label = plain(value["human_label"].strip())
        if task == "regression":
            label = number(label)
        row = plain(value["row_id"].strip())
        if not label:
            result.unanswered += 1
            continue
        problem = (f"row id {row!r} is in neither {dataset.source.name} nor the reviewed "
                   "new rows" if row not in known else _label_problem(label, task, classes))
        if problem:
            result.skipped.append(f"line {line}: {problem}")
            continue
        entry = {"row_id": row, "human_label": _canonical(label, task, classes),
                 # As the reviewer wrote it: the label log quotes what a spreadsheet would run.
                 "comment": plain(" ".join(value.get("comment", "").split())),
                 "model_prediction": number(value.get("prediction", "").strip()),
                 "model_score": number(value.get("score", "").strip()),
                 "labelled_at": _time(value.get("labelled_at", "")) or received,
                 "received_at": received, "source": filled.name}
        conflict = answers[row].get("conflict") if row in answers else None
        if conflict:  # every further line of a case already in conflict is left out too
            result.skipped.append(f"line {line}: row id {row!r} has conflicting labels on "
                                  f"lines {first_line[row]} and {conflict}; left out")
            continue
        if row in answers and answers[row]["human_label"] != entry["human_label"]:
            # Two answers for one case in one file: which one is right is not ours to guess.
            result.skipped.append(f"line {first_line[row]}: row id {row!r} has another "
                                  f"label on line {line}; both left out")
            result.skipped.append(f"line {line}: row id {row!r} already has the label "
                                  f"{answers[row]['human_label']!r} on line {first_line[row]}; "
                                  "both left out")
            answers[row]["conflict"] = line
            continue
        answers.setdefault(row, entry)
        first_line.setdefault(row, line)
    good = [entry for entry in answers.values() if not entry.pop("conflict", None)]
    if not good:
        why = (f"{len(result.skipped)} line(s) are invalid (first: {sorted(result.skipped)[0]})"
               if result.skipped else "every human_label is empty")
        msg = f"{filled.name}: no label added; {why}"
        raise DataError(msg)
    with project_lock(root, writes=("data/feedback",), say=progress):
        # A label the log already holds as the row's latest, comment and all, is not news:
        # the same file (or the log itself) taken in again adds nothing.
        known = latest(read_labels(root))
        fresh = [e for e in good if not _same_answer(known.get(e["row_id"]), e)]
        result.already = len(good) - len(fresh)
        if fresh:
            result.labels_file = append_labels(root, fresh)
        then()
    result.added = len(fresh)
    result.skipped.sort(key=lambda line: int(line.split()[1].rstrip(":")))
    result.agreement = agreement(list(latest(read_labels(root)).values()), task)
    return result


def _same_answer(logged: dict[str, str] | None, entry: dict[str, Any]) -> bool:
    return (logged is not None and logged["human_label"] == str(entry["human_label"])
            and logged.get("comment", "") == entry["comment"])


def _decimal_comma(text: str) -> str:
    """Return ``12,5`` as ``12.5``; anything else as it is."""
    return text.replace(",", ".", 1) if text.count(",") == 1 and "." not in text else text


def _read_filled(path: Path) -> tuple[list[str], list[tuple[int, list[str]]], str, str | None]:
    """Return the header, each record with the line it starts on, and the delimiter.

    Raises:
        DataError: for a missing, empty, oversized or unparseable file, or one without
            the row_id and human_label columns.
    """
    if not path.is_file():  # a folder, a device or a pipe is no filled review file
        msg = f"{path} is not a file; pass the CSV downloaded from reports/review.html"
        raise DataError(msg)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:  # checked before reading: a 3 GB file is never read
        msg = (f"{path.name} is {size / 2**20:.0f} MB, too large for a filled review file; "
               "pass the CSV downloaded from reports/review.html")
        raise DataError(msg)
    raw = path.read_bytes()
    utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE,
                            codecs.BOM_UTF32_BE)) or utf16_without_mark(raw) is not None
    if b"\x00" in raw[:4096] and not utf16:
        msg = f"{path.name} is not a text file; pass the CSV downloaded from the review page"
        raise DataError(msg)
    # Spreadsheets save in their own encodings (Windows-1252, UTF-16 "Unicode text"...).
    encoding, note = detect(raw, path.name)
    text = raw.decode(encoding, errors="strict")
    if not text.strip():
        msg = f"{path.name} is empty; download the filled CSV from reports/review.html again"
        raise DataError(msg)
    first = text.splitlines()[0]
    delimiter = max(",;\t", key=first.count)  # spreadsheets in some locales save with ';'
    # A reviewer's comment may be long; the file's size is capped above instead.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [name.strip() for name in next(reader)]
        records, start = [], reader.line_num + 1
        for fields in reader:
            if fields:
                records.append((start, fields))
            start = reader.line_num + 1
    except csv.Error as err:
        msg = (f"{path.name} line {reader.line_num}: {err} (the file looks cut short); "
               "download it again; nothing was added")
        raise DataError(msg) from err
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        msg = (f"{path.name} has no column '{missing[0]}'; pass the CSV downloaded from "
               "reports/review.html, or reports/review.csv with human_label filled in")
        raise DataError(msg)
    if len(set(header)) != len(header):
        msg = f"{path.name} repeats a column name in its first line; download it again"
        raise DataError(msg)
    return header, records, delimiter, note


def _known_ids(dataset: Any, root: Path) -> set[str]:
    from mvpgen.store.reviewed import reviewed_rows

    labelled, unlabelled = data_row_ids(dataset)
    rows = reviewed_rows(root)
    known = {*labelled, *unlabelled, *([] if rows is None else rows["row_id"])}
    known.discard("")  # a row without its id cannot be told apart from others
    return known


def _label_problem(label: str, task: str, classes: list[str]) -> str | None:
    if task == "regression":
        try:
            number = float(label)
        except ValueError:
            return f"{label!r} is not a number"
        return None if math.isfinite(number) else f"{label!r} is not a finite number"
    if _canonical(label, task, classes) is None:
        return f"{label!r} is not a class; use one of: {', '.join(classes)}"
    return None


def _canonical(label: str, task: str, classes: list[str]) -> Any:
    """Return the label as the data writes it ('Yes' names the class 'yes')."""
    if task == "regression":
        return f"{float(label):.15g}"
    return class_named(label, classes)


def _time(text: str) -> str | None:
    """Return an ISO time the review page recorded, or None when there is none."""
    try:
        return dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00")).isoformat()
    except ValueError:
        return None


def feedback_step(project: Project, filled: Path, *,
                  progress: Callable[[str], None] = lambda message: None) -> FeedbackResult:
    """Take a filled review file in, then bring the checklist up to date.

    ``progress`` is told when another command holds the project and this one waits.

    Raises:
        DataError: when the file cannot be taken in (nothing is added then).
    """
    from mvpgen.steps.docs import refresh_after

    return take_feedback(project, filled, progress=progress,
                         then=lambda: refresh_after(project, "the labels were"))

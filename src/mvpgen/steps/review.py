"""Choose the cases a person should check first, and write them for review.

A reviewer's time is the scarce resource, so the cases are ranked: for a yes/no
decision, by how likely the model's decision is wrong (and, when the mapping gives
the costs of errors, by what that mistake is expected to cost); for several classes,
by how unsure the model is; for a number, by how far the model is from the recorded
value (or, for new rows, from a typical prediction). Rows a reviewer has already
labelled are never asked again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mvpgen.data.quality import dataset_changed
from mvpgen.data.read import load_dataset, read_table, require_columns
from mvpgen.evaluation.fitting import DEFAULT_THRESHOLD
from mvpgen.loop.rowkeys import row_ids
from mvpgen.project import PATHS, Project
from mvpgen.spreadsheet import safe_csv
from mvpgen.steps.predict import load_saved, predict_rows
from mvpgen.store.files import write_together
from mvpgen.store.labels import latest, read_labels
from mvpgen.store.reviewed import reviewed_rows_text

if TYPE_CHECKING:
    import pandas as pd

    from mvpgen.mapping import Mapping

DEFAULT_BUDGET = 50
MAX_SHOWN_COLUMNS = 12
ANSWER_COLUMNS = ("human_label", "comment")
# The review's own columns, around the features a reviewer sees.
SYSTEM_COLUMNS = ("source", "recorded", "prediction", "score", "why", *ANSWER_COLUMNS)


@dataclass
class ReviewSet:
    """The rows chosen for review and what is known about the choice."""

    table: pd.DataFrame  # the columns of review.csv, most important row first
    rows: pd.DataFrame  # the chosen rows with all their values (for new data)
    source: str
    candidates: int  # rows that could be reviewed
    already_labelled: int  # of those, rows skipped because a reviewer labelled them
    task: str
    classes: list[str]
    target: str
    contender: str = "the model"  # the saved contender's name, e.g. "linear model"
    notes: list[str] = field(default_factory=list)  # e.g. the data is not the one recorded


def build_review(project: Project, *, new_data: Path | None = None,
                 limit: int | None = None,
                 progress: Callable[[str], None] = lambda message: None) -> ReviewSet:
    """Score the candidate rows with the saved model and choose the ones to review.

    Args:
        project: the project.
        new_data: a file of new rows; without it, the rows of the project's data.
        limit: how many rows to choose (default: the mapping's review budget).
        progress: called with a sentence before each long step.

    Raises:
        DataError: when the rows cannot be read or lack a column the model needs.
        artifacts.ModelError: when there is no saved model yet.
    """
    import pandas as pd

    mapping, root = project.mapping, project.root
    model, card = load_saved(project)
    target = mapping.technical.target
    progress(f"Reading {new_data or mapping.data.path}")
    notes = []
    if new_data is None:
        dataset = load_dataset(mapping, root)
        notes = [n for n in (dataset_changed(dataset, mapping),) if n]
        frame = (dataset.frame if dataset.unlabelled.empty else
                 pd.concat([dataset.frame, dataset.unlabelled], ignore_index=True))
        source = dataset.source.name
    else:
        time_column = mapping.data.time_column
        frame = read_table(new_data, dates=(time_column,) if time_column else ())
        require_columns(frame, new_data, list(mapping.data.id_columns))
        source = new_data.name
    keys = [c for c in frame.columns if c != target]
    ids = pd.Series(row_ids(frame, list(mapping.data.id_columns), keys))
    # A row without its id could not be matched later; the same row twice is one case.
    usable = (ids != "").to_numpy() & ~ids.duplicated().to_numpy()
    done = usable & ids.isin(set(latest(read_labels(root)))).to_numpy()
    candidates = int(usable.sum())
    # Positions, not copies: on a million rows each copy of the table costs memory.
    waiting = np.flatnonzero(usable & ~done)
    open_rows = frame if len(waiting) == len(frame) else frame.iloc[waiting]
    open_ids = ids.to_numpy()[waiting]
    classes = [] if card["task"] == "regression" else [str(v) for v in card["labels"]]
    if open_rows.empty:
        return ReviewSet(pd.DataFrame(columns=["row_id", *SYSTEM_COLUMNS]), open_rows, source,
                         candidates, int(done.sum()), card["task"], classes, target,
                         _contender(card), notes)
    progress(f"Scoring {len(open_rows):,} rows with the saved model")
    predicted = predict_rows(project, model, card, open_rows, source)
    recorded = (open_rows[target] if target in open_rows.columns
                else pd.Series(np.nan, index=open_rows.index))
    priority, explain = _priority(predicted, recorded, card, mapping)
    budget = limit or (mapping.humans.review_budget if mapping.humans else None) or DEFAULT_BUDGET
    order = _first(priority, budget)
    chosen = open_rows.iloc[order]

    table = pd.DataFrame({"row_id": open_ids[order], "source": source})
    for column in _shown_columns(project, card):
        if column in chosen.columns:
            # A feature named like a column of the review's own keeps its values apart.
            shown = f"{column} (data)" if column in ("row_id", *SYSTEM_COLUMNS) else column
            table[shown] = _readable(chosen[column])
    table["recorded"] = _readable(recorded.iloc[order])
    table["prediction"] = _readable(predicted["prediction"].iloc[order])
    table["score"] = ("" if "score" not in predicted else
                      predicted["score"].iloc[order].round(3).to_numpy())
    table["why"] = explain(order)
    for column in ANSWER_COLUMNS:
        table[column] = ""
    return ReviewSet(table, chosen.assign(row_id=open_ids[order]), source, candidates,
                     int(done.sum()), card["task"], classes, target, _contender(card), notes)


def _first(priority: np.ndarray, budget: int) -> np.ndarray:
    """Return the positions of the ``budget`` highest priorities, highest first.

    The same as ``np.argsort(-priority, kind="stable")[:budget]`` (ties in row order, NaN
    last), but only the rows that can be among the first are sorted.
    """
    key = -priority
    if budget >= len(key):
        return np.argsort(key, kind="stable")
    last = np.partition(key, budget - 1)[budget - 1]  # the budget-th smallest key
    if np.isnan(last):
        return np.argsort(key, kind="stable")[:budget]
    near = np.flatnonzero(key <= last)  # every row that sorts before it, and its ties
    return near[np.argsort(key[near], kind="stable")][:budget]


def _contender(card: dict[str, Any]) -> str:
    """Return the saved contender's name as the reports call it."""
    return card.get("contender") or "the model"


def save_review(review: ReviewSet, project: Project, *, new_data: bool) -> list[Path]:
    """Write review.csv and review.html (and, for new rows, keep their values).

    Returns:
        The files written.
    """
    from mvpgen.reports.review_page import render_review_page

    created = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    page = render_review_page(review, project.mapping, created)
    files: dict[str, str | bytes] = {PATHS.review_csv: safe_csv(review.table),
                                     PATHS.review_page: page}
    if new_data:
        files[PATHS.reviewed_rows] = reviewed_rows_text(project.root, review.rows)
    return write_together(project.root, files)


def _priority(predicted: pd.DataFrame, recorded: pd.Series, card: dict[str, Any],
              mapping: Mapping) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    """Return each row's review priority (higher first), and how to explain chosen rows.

    The reasons are worded only for the rows chosen: on a million rows, wording every
    row would cost more than ranking them.
    """
    task = card["task"]
    if task == "binary":
        score = predicted["score"].to_numpy(dtype=float)
        threshold = card.get("decision_threshold")
        decided = score >= (DEFAULT_THRESHOLD if threshold is None else threshold)
        wrong = np.where(decided, 1 - score, score)
        costs = mapping.costs
        expected = (None if costs is None else
                    wrong * np.where(decided, costs.false_positive, costs.false_negative))
        positive = card["positive_label"]
        negative = next((v for v in card["labels"] if v != positive), "not " + str(positive))

        def why(rows: np.ndarray) -> np.ndarray:
            return np.array([f"a {score[i]:.0%} chance of '{positive}', decided "
                             f"'{positive if decided[i] else negative}': "
                             f"{wrong[i]:.0%} likely wrong"
                             + ("" if expected is None else
                                f"; expected cost of the decision {expected[i]:,.1f}")
                             for i in rows], dtype=object)

        return (wrong if expected is None else expected), why
    if task == "multiclass":
        sure = predicted["score"].to_numpy(dtype=float)
        labels = predicted["prediction"].astype(str).to_numpy()

        def why(rows: np.ndarray) -> np.ndarray:
            return np.array([f"only {sure[i]:.0%} sure of '{labels[i]}'" for i in rows],
                            dtype=object)

        return 1 - sure, why
    value = predicted["prediction"].to_numpy(dtype=float)
    actual = recorded.to_numpy(dtype=float, na_value=np.nan)
    typical = float(np.median(value)) if len(value) else 0.0
    known = np.isfinite(actual)
    # Rows with a recorded value and new rows compete on one scale: the distance.
    gap = np.where(known, np.abs(value - actual), np.abs(value - typical))

    def why(rows: np.ndarray) -> np.ndarray:
        return np.array([f"{_contender(card)} says {value[i]:,.4g}, the data {actual[i]:,.4g}"
                         if known[i] else
                         f"an unusual prediction: {value[i]:,.4g} (typical {typical:,.4g})"
                         for i in rows], dtype=object)

    return gap, why


def _shown_columns(project: Project, card: dict[str, Any]) -> list[str]:
    """Return the columns a reviewer needs: the saved contender's most important ones.

    The importance is the baseline's permutation importance, whatever the model is.
    (The id columns are the row id already.)
    """
    features = list(card["features"])
    if len(features) <= MAX_SHOWN_COLUMNS:
        return features
    from mvpgen.steps.status import Evidence

    result = Evidence(project).result
    saved = result.contenders.get(card.get("contender") or "") if result else None
    ranked = [i["column"] for i in (saved.importance if saved else []) if i["column"] in
              features]
    ranked += [c for c in features if c not in ranked]
    keep = set(ranked[:MAX_SHOWN_COLUMNS])
    return [c for c in features if c in keep]


def _readable(values: pd.Series) -> np.ndarray:
    """Return values as a reviewer should read them: whole numbers without '.0'."""
    from mvpgen.data.target import python_values

    plain = python_values(values.to_numpy(dtype=object))
    return np.array(["" if _missing(v) else
                     v.strftime("%Y-%m-%d %H:%M:%S").removesuffix(" 00:00:00")
                     if hasattr(v, "strftime") else
                     f"{v:.6g}" if isinstance(v, float) else str(v)
                     for v in plain], dtype=object)


def _missing(value: Any) -> bool:
    return value is None or str(value) in ("NaT", "<NA>", "nan") or value != value



def review_step(project: Project, *, new_data: Path | None = None, limit: int | None = None,
                progress: Callable[[str], None] = lambda message: None) -> ReviewSet:
    """Choose the cases to review and write them, then the checklist.

    Raises:
        DataError: when the rows cannot be read.
        ModelError: when there is no trustworthy saved model.
    """
    from mvpgen.steps.docs import refresh_after
    from mvpgen.store.lock import project_lock

    writes = ("reports", "data/feedback") if new_data is not None else ("reports",)
    with project_lock(project.root, writes=writes, say=progress):
        chosen = build_review(project, new_data=new_data, limit=limit, progress=progress)
        if not chosen.table.empty:
            save_review(chosen, project, new_data=new_data is not None)
            refresh_after(project, "the review files were")
    return chosen

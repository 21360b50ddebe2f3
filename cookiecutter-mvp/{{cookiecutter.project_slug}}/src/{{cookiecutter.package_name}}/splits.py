"""Hold out the rows the models are judged on, the way the model will meet new data.

With a time column the holdout is the most recent slice (a model predicts the future,
never the past); with a group column no group straddles training and test (the same
household on both sides would flatter the model); classes are stratified; otherwise
the split is random.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

TEST_SHARE = 0.2
FOLDS = 5
# Above this many training rows, cross-validation runs on a sample: the holdout alone
# then gives tight intervals, and five fits of a million rows would buy little.
CV_MAX_ROWS = 200_000


@dataclass(frozen=True)
class Split:
    """Row positions for training and for the holdout, and how they were chosen."""

    strategy: str  # time | group | stratified | random
    train: np.ndarray
    test: np.ndarray
    seed: int


def holdout(frame: pd.DataFrame, y: pd.Series, task: str, *, time_column: str | None,
            group_column: str | None, seed: int) -> Split:
    """Choose the holdout rows.

    Raises:
        ValueError: when there are too few rows (or groups) to hold any out.
    """
    from sklearn.model_selection import GroupShuffleSplit, train_test_split

    positions = np.arange(len(frame))
    if time_column is not None:
        train, test = _latest(frame[time_column])
        return Split("time", train, test, seed)
    if group_column is not None:
        groups = frame[group_column].astype(str).to_numpy()
        if len(set(groups)) < 2:
            msg = f"the group column '{group_column}' holds one group; nothing can be held out"
            raise ValueError(msg)
        splitter = GroupShuffleSplit(n_splits=1, test_size=TEST_SHARE, random_state=seed)
        train, test = next(splitter.split(positions, groups=groups))
        return Split("group", np.sort(train), np.sort(test), seed)
    stratify = y if task != "regression" and y.value_counts().min() >= 2 else None
    train, test = train_test_split(positions, test_size=TEST_SHARE, random_state=seed,
                                   stratify=stratify)
    return Split("stratified" if stratify is not None else "random", np.sort(train),
                 np.sort(test), seed)


def _latest(times: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Split by time: every test row is later than every training row."""
    order = np.argsort(times.to_numpy(), kind="stable")
    cut_time = times.iloc[order[int(len(order) * (1 - TEST_SHARE))]]
    later = (times >= cut_time).to_numpy()
    if later.all():  # the last fifth shares one time stamp with everything before it
        later = (times > times.min()).to_numpy()
    positions = np.arange(len(times))
    return positions[~later], positions[later]


def cv_splitter(split: Split, frame: pd.DataFrame, y: np.ndarray, task: str, *,
                time_column: str | None, group_column: str | None) -> tuple[Any, np.ndarray]:
    """Return the cross-validation splitter for the training rows and the rows it uses.

    Returns:
        The splitter (time series, grouped, stratified or plain folds, like the
        holdout) and the training positions it runs on: all of them, or a sample of
        ``CV_MAX_ROWS`` on large data.
    """
    from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold, TimeSeriesSplit

    rows = split.train
    if len(rows) > CV_MAX_ROWS:
        rng = np.random.default_rng(split.seed)
        rows = np.sort(rng.choice(rows, CV_MAX_ROWS, replace=False))
    if split.strategy == "time":
        rows = rows[np.argsort(frame[time_column].to_numpy()[rows], kind="stable")]
        return TimeSeriesSplit(n_splits=FOLDS), rows
    if split.strategy == "group":
        return GroupKFold(n_splits=min(FOLDS, frame[group_column].iloc[rows].nunique())), rows
    if split.strategy == "stratified":
        folds = min(FOLDS, int(np.unique(y[rows], return_counts=True)[1].min()))
        if folds >= 2:
            return StratifiedKFold(folds, shuffle=True, random_state=split.seed), rows
    return KFold(FOLDS, shuffle=True, random_state=split.seed), rows

"""Hold out the rows the models are judged on, the way the model will meet new data.

With a time column the holdout is the most recent slice (a model predicts the future,
never the past); with a group column no group straddles training and test (the same
household on both sides would flatter the model); classes are stratified; otherwise
the split is random.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mvpgen.mapping.schema import FIT_ROWS  # settings.fit_rows's default

if TYPE_CHECKING:
    import pandas as pd

# Above this many training rows, cross-validation runs on a sample: the holdout alone
# then gives tight intervals, and five fits of a million rows would buy little.
CV_MAX_ROWS = 200_000
# The sample holds at least this many rows of the rarest class (or all of them): a rare
# class is what a model learns least well from few rows.
RARE_CLASS_ROWS = 5_000


@dataclass(frozen=True)
class Split:
    """Row positions for training and for the holdout, and how they were chosen."""

    strategy: str  # time | group | stratified | random
    train: np.ndarray
    test: np.ndarray
    seed: int
    purged: int = 0  # training rows left out because their group is in the holdout
    straddling_groups: int = 0  # groups on both sides, where leaving them out was impossible
    sampled_from: int = 0  # the training rows ``train`` is a sample of (0: it is all of them)


def holdout(frame: pd.DataFrame, y: pd.Series, task: str, *, time_column: str | None,
            group_column: str | None, seed: int, test_share: float = 0.2) -> Split:
    """Choose the holdout rows.

    Raises:
        ValueError: when the data cannot give a holdout that means anything (too few
            distinct times or groups); the message says what to change.
    """
    from sklearn.model_selection import train_test_split

    positions = np.arange(len(frame))
    groups = frame[group_column].astype(str).to_numpy() if group_column else None
    if time_column is not None:
        train, test = _latest(frame[time_column], time_column, test_share)
        purged = straddling_groups = 0
        if groups is not None:
            # A household seen in the holdout must not be learnt from, even earlier;
            # unless nearly every group lives on both sides (stores, regions), where
            # leaving them out would leave too little to learn from.
            straddling = np.isin(groups[train], np.unique(groups[test]))
            if straddling.mean() <= 0.5:
                purged = int(straddling.sum())
                train = train[~straddling]
            else:
                straddling_groups = len(np.unique(groups[train][straddling]))
        return Split("time", train, test, seed, purged, straddling_groups)
    if groups is not None:
        train, test = _whole_groups(groups, group_column, seed, test_share)
        return Split("group", train, test, seed)
    stratify = y if task != "regression" and y.value_counts().min() >= 2 else None
    train, test = train_test_split(positions, test_size=test_share, random_state=seed,
                                   stratify=stratify)
    return Split("stratified" if stratify is not None else "random", np.sort(train),
                 np.sort(test), seed)


def _latest(times: pd.Series, name: str, share: float) -> tuple[np.ndarray, np.ndarray]:
    """Split by time: every test row is later than every training row.

    Rows without a time are kept for training (when they happened is unknown, so
    they cannot stand for the future); the holdout is the latest ``share`` of all rows.
    """
    known = times.notna().to_numpy()
    if known.mean() < 0.5 or known.sum() < 10:
        msg = (f"the time column '{name}' is empty in {1 - known.mean():.0%} of the rows; "
               "fill it in, or leave time_column unset")
        raise ValueError(msg)
    values = times.to_numpy()
    order = np.argsort(values[known], kind="stable")
    known_positions = np.flatnonzero(known)[order]
    want = round(share * len(times))
    cut_time = values[known_positions[max(len(known_positions) - want, 0)]]
    later = known & (times >= cut_time).to_numpy()
    held = later.mean()
    if not share / 4 <= held <= min(2.5 * share, 0.6):
        msg = (f"the time column '{name}' cannot give a holdout of the latest {share:.0%}: "
               f"{held:.0%} of the rows share its latest times; it needs more distinct "
               "times, or leave time_column unset")
        raise ValueError(msg)
    positions = np.arange(len(times))
    return positions[~later], positions[later]


def _whole_groups(groups: np.ndarray, name: str, seed: int,
                  share: float) -> tuple[np.ndarray, np.ndarray]:
    """Hold out whole groups, drawn at random, until they hold ``share`` of the rows.

    A group that would push the holdout past twice that share is passed over, so one
    giant group cannot swallow the holdout (or the training rows).
    """
    names, sizes = np.unique(groups, return_counts=True)
    if len(names) < 3:
        msg = (f"the group column '{name}' holds {len(names)} groups; holding whole groups "
               "out and cross-validating needs at least 3")
        raise ValueError(msg)
    chosen, rows = [], 0
    for index in np.random.default_rng(seed).permutation(len(names)):
        if rows >= share * len(groups):
            break
        if rows + sizes[index] <= 2 * share * len(groups) and len(chosen) < len(names) - 2:
            chosen.append(names[index])
            rows += sizes[index]
    if not chosen:
        msg = (f"the group column '{name}' has no group small enough to hold out: every "
               f"group holds more than {2 * share:.0%} of the rows")
        raise ValueError(msg)
    test = np.isin(groups, chosen)
    positions = np.arange(len(groups))
    return positions[~test], positions[test]


@dataclass(frozen=True)
class Folds:
    """Cross-validation folds on the training rows, as positions in the whole table."""

    kind: str  # time | group | stratified | random
    folds: list[tuple[np.ndarray, np.ndarray]]  # (fit rows, test rows) per fold
    rows: np.ndarray  # the training rows the folds cover (a sample on large data)

    def __len__(self) -> int:
        return len(self.folds)


def fit_sample(split: Split, y: np.ndarray, task: str, *, groups: np.ndarray | None = None,
               keep: np.ndarray | None = None, rows: int = FIT_ROWS) -> Split:
    """Return the split with its training rows cut to a sample of about ``rows``.

    Drawn like the split: whole groups, or every class in its share, otherwise rows at
    random. The sample grows until it holds ``RARE_CLASS_ROWS`` of the rarest class (a
    rare class can need every row); the shares stay those of the training rows, so the
    scores and the threshold learnt on the sample mean what they mean on the holdout.
    Rows in ``keep`` (a reviewer's labels) are always in it. The holdout is untouched:
    every held-out row is still measured.
    """
    train = split.train
    wanted = rows
    if task != "regression":
        _, counts = np.unique(np.asarray(y)[train].astype(str), return_counts=True)
        wanted = max(rows, int(np.ceil(len(train) * RARE_CLASS_ROWS
                                       / max(int(counts.min()), 1))))
    if len(train) <= wanted:
        return split
    rng = np.random.default_rng(split.seed)
    if groups is not None:  # whole groups, in a random order, until the sample is full
        names, codes = np.unique(np.asarray(groups)[train].astype(str), return_inverse=True)
        sizes = np.bincount(codes, minlength=len(names))
        order = rng.permutation(len(names))
        taken = order[:int(np.searchsorted(np.cumsum(sizes[order]), wanted)) + 1]
        chosen = np.isin(codes, taken)
    elif task != "regression":  # each class in its share, drawn at random within it
        labels = np.asarray(y)[train].astype(str)
        chosen = np.zeros(len(train), dtype=bool)
        for label in np.unique(labels):
            members = np.flatnonzero(labels == label)
            share = min(round(len(members) * wanted / len(train)), len(members))
            chosen[rng.choice(members, share, replace=False)] = True
    else:
        chosen = np.zeros(len(train), dtype=bool)
        chosen[rng.choice(len(train), wanted, replace=False)] = True
    if keep is not None:
        chosen |= np.asarray(keep, dtype=bool)[train]
    return dataclasses.replace(split, train=train[chosen], sampled_from=len(train))


def fit_sample_note(split: Split) -> str:
    """Say, in words, that the contenders learnt from a sample and were measured on all."""
    # The words the out-of-core notes use (data.population), so both read alike.
    return (f"Fitted, cross-validated and screened for leaks on a random sample of "
            f"{len(split.train):,} of the {split.sampled_from:,} training rows "
            "(settings.fit_rows; the learning curve shows whether more would help); "
            f"measured on all {len(split.test):,} held-out rows")


def cv_folds(split: Split, frame: pd.DataFrame, y: np.ndarray, task: str, *,
             time_column: str | None, group_column: str | None, folds: int = 5) -> Folds:
    """Return the cross-validation folds of the training rows, drawn like the holdout.

    A time split gets forward folds cut at time boundaries (every row of one time
    lies in one part, and each fold is tested on times after those it learnt from);
    groups stay whole; classes are stratified. Above ``CV_MAX_ROWS`` training rows the
    folds cover a sample (the latest rows, for time).
    """
    from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold

    rows = split.train
    if split.strategy == "time":
        return _time_folds(rows, frame[time_column], folds)
    if len(rows) > CV_MAX_ROWS:
        rng = np.random.default_rng(split.seed)
        rows = np.sort(rng.choice(rows, CV_MAX_ROWS, replace=False))
    index = np.zeros(len(rows))
    if split.strategy == "group":
        groups = frame[group_column].astype(str).to_numpy()[rows]
        count = min(folds, len(np.unique(groups)))
        parts = GroupKFold(n_splits=count).split(index, groups=groups)
        return Folds("group", [(rows[a], rows[b]) for a, b in parts], rows)
    if split.strategy == "stratified":
        count = min(folds, int(np.unique(y[rows], return_counts=True)[1].min()))
        if count >= 2:
            parts = StratifiedKFold(count, shuffle=True, random_state=split.seed).split(
                index, y[rows])
            return Folds("stratified", [(rows[a], rows[b]) for a, b in parts], rows)
    parts = KFold(folds, shuffle=True, random_state=split.seed).split(index)
    return Folds("random", [(rows[a], rows[b]) for a, b in parts], rows)


def _time_folds(rows: np.ndarray, times: pd.Series, folds: int) -> Folds:
    """Return forward folds whose cuts fall between distinct times, never through one.

    Rows without a time count as the oldest: they are learnt from in every fold and
    never tested on.
    """
    values = times.to_numpy()[rows]
    known = ~pd_isna(values)
    undated, dated = rows[~known], rows[known]
    order = np.argsort(values[known], kind="stable")
    dated, stamps = dated[order], values[known][order]
    if len(dated) > CV_MAX_ROWS:  # the latest rows: the ones most like the holdout
        dated, stamps = dated[-CV_MAX_ROWS:], stamps[-CV_MAX_ROWS:]
    # Cut where the time changes, as close as possible to equal shares of rows.
    changes = np.flatnonzero(stamps[1:] != stamps[:-1]) + 1
    count = max(2, min(folds, len(dated) // 20))
    wanted = [round(len(dated) * k / (count + 1)) for k in range(1, count + 1)]
    cuts = sorted({int(changes[np.argmin(np.abs(changes - w))]) for w in wanted}) \
        if len(changes) else []
    bounds = [*cuts, len(dated)]
    parts = [(np.r_[undated, dated[:start]], dated[start:end])
             for start, end in itertools.pairwise(bounds) if end > start]
    return Folds("time", [(np.sort(a), b) for a, b in parts], np.r_[undated, dated])


def pd_isna(values: np.ndarray) -> np.ndarray:
    """Return which values are missing, for any dtype (dates included)."""
    import pandas as pd

    return pd.isna(values)


def place_added(split: Split, base: np.ndarray, added: np.ndarray, frame: pd.DataFrame, *,
                time_column: str | None, group_column: str | None) -> Split:
    """Extend a split of the ``base`` rows with rows that reviewers' labels added.

    The added rows train, unless the split's own rule puts them in the holdout: a
    time at or after the holdout's first time, or a group that is held out. So the
    holdout of the data's rows stays the same whatever the reviewers label.

    Args:
        split: the split of ``frame.iloc[base]``, in positions of that subset.
        base: the positions in ``frame`` of the rows the split was drawn on.
        added: the positions in ``frame`` of the added rows.
        frame: all rows.
        time_column: the mapping's time column, if any.
        group_column: the mapping's group column, if any.
    """
    train, test = base[split.train], base[split.test]
    to_test = np.zeros(len(added), dtype=bool)
    left_out = np.zeros(len(added), dtype=bool)
    groups = frame[group_column].astype(str).to_numpy() if group_column else None
    held_out = np.unique(groups[test]) if groups is not None else None
    if split.strategy == "time" and len(test):
        times = frame[time_column]
        later = times.iloc[added] >= times.iloc[test].min()
        to_test = (times.iloc[added].notna() & later).to_numpy()
        if groups is not None and not split.straddling_groups:
            # The data's earlier rows of held-out groups were left out; so are these.
            left_out = ~to_test & np.isin(groups[added], held_out)
    elif split.strategy == "group" and groups is not None:
        to_test = np.isin(groups[added], held_out)
    return Split(split.strategy, np.sort(np.r_[train, added[~to_test & ~left_out]]),
                 np.sort(np.r_[test, added[to_test]]), split.seed,
                 split.purged + int(left_out.sum()), split.straddling_groups)

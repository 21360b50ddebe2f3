"""Rank many columns quickly by how much of the target each one alone explains.

The one-column rule and the leak check score a column honestly, on rows it has not
seen, which takes a few milliseconds a column: on a table of a thousand columns,
minutes. This screen takes a fraction of that: each column becomes at most
``BINS`` bins (quantiles of numbers and dates, the most frequent categories), and
its score is the share of the target's variance between the bins (the correlation
ratio, eta squared). It is measured on the same rows, so it flatters columns with
many bins; it only decides which columns the honest score looks at, never the result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

BINS = 20


def strongest(frame: pd.DataFrame, y: np.ndarray, columns: list[str], task: str,
              keep: int) -> list[str]:
    """Return the ``keep`` columns that explain the most of ``y``, in their table order."""
    if len(columns) <= keep:
        return list(columns)
    targets = _targets(y, task)
    scores = {column: _eta_squared(_bins(frame[column]), targets) for column in columns}
    chosen = set(sorted(columns, key=lambda c: -scores[c])[:keep])
    return [c for c in columns if c in chosen]


def _targets(y: np.ndarray, task: str) -> np.ndarray:
    """Return the target as columns of numbers: itself, or one indicator per class."""
    if task == "regression":
        values = np.asarray(y, dtype=float)
        return np.nan_to_num(values, nan=float(np.nanmean(values))).reshape(-1, 1)
    _, codes = np.unique(np.asarray(y).astype(str), return_inverse=True)
    return np.eye(codes.max() + 1)[codes]


def _bins(column: pd.Series) -> np.ndarray:
    """Return a bin number per row, 0 for missing values."""
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(column):
        column = pd.Series(column.to_numpy(dtype="datetime64[ns]").view(np.int64),
                           index=column.index).where(column.notna())
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        values = column.to_numpy(dtype=float, na_value=np.nan)
        known = np.isfinite(values)
        if not known.any():
            return np.zeros(len(values), dtype=np.int64)
        edges = np.unique(np.quantile(values[known], np.linspace(0, 1, BINS + 1)[1:-1]))
        bins = np.zeros(len(values), dtype=np.int64)
        bins[known] = np.searchsorted(edges, values[known], side="right") + 1
        return bins
    codes = column.astype("category").cat.codes.to_numpy().astype(np.int64) + 1
    counts = np.bincount(codes)
    if len(counts) > BINS:  # the rarest categories share one bin
        frequent = np.argsort(-counts[1:])[:BINS - 1] + 1
        mapping = np.full(len(counts), BINS, dtype=np.int64)
        mapping[0] = 0
        mapping[frequent] = np.arange(1, len(frequent) + 1)
        codes = mapping[codes]
    return codes


def _eta_squared(bins: np.ndarray, targets: np.ndarray) -> float:
    """Return the share of the targets' variance that lies between the bins."""
    counts = np.bincount(bins).astype(float)
    used = counts > 0
    between = total = 0.0
    for target in targets.T:
        sums = np.bincount(bins, weights=target, minlength=len(counts))
        mean = target.mean()
        between += float((sums[used] ** 2 / counts[used]).sum() - len(target) * mean**2)
        total += float(((target - mean) ** 2).sum())
    return between / total if total > 0 else 0.0

"""Read just what mvpgen needs from a data file: its columns and the target's values.

pandas is imported here, lazily, so that commands that never read data start fast.
"""

from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mvpgen.errors import DataFileError, MissingColumnError

SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq")
_SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class TargetColumn:
    """The distinct values of a data file's target column, and the file's columns."""

    columns: tuple[str, ...]
    values: tuple[Any, ...]  # distinct, non-missing, as Python scalars
    missing: int


def read_columns(path: Path) -> tuple[str, ...]:
    """Return a data file's column names.

    Raises:
        DataFileError: when the file is missing, of an unknown kind or unreadable.
    """
    return tuple(str(c) for c in _read(path, columns=None, header_only=True).columns)


def read_target(path: Path, target: str) -> TargetColumn:
    """Return the target column's distinct values.

    Raises:
        MissingColumnError: when the file has no such column (the message lists them).
        DataFileError: when the file is missing, of an unknown kind or unreadable.
    """
    columns = read_columns(path)
    if target not in columns:
        msg = (f"column '{target}' is not in {path.name}; columns are: {_listing(columns)}"
               f"{_did_you_mean(target, columns)}")
        raise MissingColumnError(msg)
    series = _read(path, columns=[target], header_only=False)[target]
    distinct = series.dropna().drop_duplicates().tolist()
    return TargetColumn(columns, tuple(_python(v) for v in distinct), int(series.isna().sum()))


def _read(path: Path, columns: list[str] | None, header_only: bool) -> Any:
    if not path.is_file():
        msg = f"data file {path} does not exist; check the path"
        raise DataFileError(msg)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        msg = f"data file {path} is not CSV or Parquet; use one of: {', '.join(SUFFIXES)}"
        raise DataFileError(msg)
    import pandas as pd

    try:
        if suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(path, columns=columns)
            return frame.head(0) if header_only else frame
        return pd.read_csv(path, sep=_delimiter(path), usecols=columns,
                           nrows=0 if header_only else None, encoding="utf-8-sig")
    except (OSError, ValueError, UnicodeDecodeError) as err:
        msg = f"data file {path} cannot be read: {err}"
        raise DataFileError(msg) from err


def _delimiter(path: Path) -> str:
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as handle:
        sample = handle.read(_SNIFF_BYTES)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _listing(columns: tuple[str, ...], limit: int = 12) -> str:
    shown = ", ".join(columns[:limit])
    return shown + (f", ... ({len(columns)} in all)" if len(columns) > limit else "")


def _did_you_mean(word: str, choices: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _python(value: Any) -> Any:
    # numpy scalars become plain Python ones, so they compare and serialise as users expect.
    return value.item() if hasattr(value, "item") else value

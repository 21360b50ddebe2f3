"""What each column is: numeric, categorical, datetime, text, an identifier, or constant.

The roles decide what the model may use (identifiers and constants are dropped, text
needs special care) and what the data-quality summary warns about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

ROLES = ("numeric", "categorical", "datetime", "text", "id", "constant")
# A column repeating fewer distinct values than this is categorical, whatever its size.
MAX_CATEGORIES = 50
# An identifier is (nearly) unique per row.
ID_UNIQUE_SHARE = 0.95
# customer_id, id, ID, row-key, order no, customerId (but not "paid" or "valid").
_ID_WORD = re.compile(r"(^|[_\s.-])(id|key|uuid|guid|number|no|code)$|^id([_\s.-]|$)", re.I)
_ID_CAMEL = re.compile(r"[a-z](Id|ID|Key|Code|No)$")


@dataclass(frozen=True)
class ColumnInfo:
    """What one column holds."""

    name: str
    role: str
    dtype: str
    missing_share: float
    unique: int
    top_share: float  # the share of non-missing rows holding the most common value


def describe_columns(frame: pd.DataFrame, *, id_columns: tuple[str, ...] = (),
                     time_column: str | None = None) -> list[ColumnInfo]:
    """Return each column's role and basic counts, in the frame's order.

    Declared id columns (pass the group column among them) and the declared time
    column keep their declared roles.
    """
    return [_describe(frame[name], str(name), declared_id=name in id_columns,
                      declared_time=name == time_column) for name in frame.columns]


def _describe(series: pd.Series, name: str, *, declared_id: bool,
              declared_time: bool) -> ColumnInfo:
    values = series.dropna()
    rows = len(series)
    # One count of the values gives both the distinct values and the most common one's
    # share (as value_counts(normalize=True) divides): a second pass costs a million rows.
    # A category never seen counts zero, and is no distinct value.
    counts = values.value_counts()
    unique = int((counts > 0).sum())
    top_share = float(counts.iloc[0] / counts.sum()) if unique else 1.0
    info = {"name": name, "dtype": str(series.dtype), "unique": unique, "top_share": top_share,
            "missing_share": float(1 - len(values) / rows) if rows else 0.0}
    gaps = len(values) < rows
    return ColumnInfo(role=_role(values, name, unique, gaps, declared_id, declared_time),
                      **info)


def _role(values: pd.Series, name: str, unique: int, gaps: bool, declared_id: bool,
          declared_time: bool) -> str:
    import pandas as pd

    if declared_id:
        return "id"
    if declared_time or pd.api.types.is_datetime64_any_dtype(values):
        return "datetime"
    if unique == 0 or (unique == 1 and not gaps):
        return "constant"
    if unique == 1:
        return "categorical"  # filled or not: the gaps carry the information
    nearly_unique = unique >= ID_UNIQUE_SHARE * len(values) and len(values) > MAX_CATEGORIES
    if pd.api.types.is_bool_dtype(values):
        return "categorical"
    if pd.api.types.is_numeric_dtype(values):
        # A unique whole number (gaps make it a float) is an identifier when its name
        # says so, or when it counts rows: increasing by one, nearly without gaps. A
        # unique measurement (an amount in cents, a sorted income) is not.
        # Checked in order of cost, and only as far as the answer needs.
        if nearly_unique and bool((values % 1 == 0).all()) and (
                looks_like_id_name(name) or _counts_rows(values)):
            return "id"
        return "numeric"
    if unique <= MAX_CATEGORIES or unique <= 0.5 * len(values):
        return "categorical"
    # Many distinct values: codes (C100234, H12483) identify rows or groups; sentences
    # are free text.
    return "id" if _short_tokens(values) else "text"


def _counts_rows(values: pd.Series) -> bool:
    """Return whether numbers count rows: increasing by one, nearly without gaps."""
    return bool(values.is_monotonic_increasing
                and values.max() - values.min() < 1.1 * len(values))


def looks_like_id_name(name: str) -> bool:
    """Return whether a column's name says it is an identifier."""
    return bool(_ID_WORD.search(name) or _ID_CAMEL.search(name))


def _short_tokens(values: pd.Series) -> bool:
    """Return whether the values look like codes (``C100234``), not sentences."""
    sample = values.astype(str).head(1000)
    return bool((sample.str.len() <= 40).all() and not sample.str.contains(r"\s").any())

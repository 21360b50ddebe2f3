"""Give each column the type its values mean: dates, numbers written as text, categories.

Only what is unambiguous is converted: a text column becomes dates when every value
is an ISO date, and numbers when every value is a number in one way of writing them
(``1.234,5`` with a decimal comma, ``1,234.5`` with thousands separators). A declared
time column is parsed whatever its format, and a value that is no date is an error.
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from typing import TYPE_CHECKING

from mvpgen.errors import DataError
from mvpgen.words import quoted

if TYPE_CHECKING:
    import pandas as pd

_ISO_DATE = r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"
# Numbers as text: with a decimal comma (1.234,5) or with thousands commas (1,234.5).
_DECIMAL_COMMA = r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$"
_THOUSANDS_COMMA = r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$"
# A text column becomes pandas' category dtype when it repeats values this much:
# millions of repeated strings then cost a few bytes a row instead of fifty.
CATEGORY_MAX_UNIQUE_SHARE = 0.5


def tidy(frame: pd.DataFrame, *, dates: tuple[str, ...] = (), source: str = "data",
         decimal_comma: bool = False) -> pd.DataFrame:
    """Convert the columns of ``frame`` in place and return it.

    Args:
        frame: the table as read.
        dates: columns to parse as dates whatever their format.
        source: the file's name, for error messages.
        decimal_comma: where a number like ``1,234`` is ambiguous, read the comma as the
            decimal mark (as semicolon-separated exports do).

    Raises:
        DataError: when a column named in ``dates`` holds a value that is no date.
    """
    import numpy as np
    import pandas as pd

    for column in frame.columns:
        series = frame[column]
        if column in dates:
            frame[column] = to_dates(series, column, source)
            continue
        if pd.api.types.is_float_dtype(series):
            # An infinite value is an export error, not a measurement: treat it as missing.
            frame[column] = series.where(np.isfinite(series))
            continue
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = _text_categories(series)
        if series.dtype == object and _holds_bytes(series):
            series, note = _from_bytes(series, column, source)
            frame.attrs["notes"] = [*frame.attrs.get("notes", ()), note]
        if series.dtype == object or isinstance(series.dtype, pd.CategoricalDtype):
            frame[column] = _typed_text(series, decimal_comma)
    return frame


def _holds_bytes(series: pd.Series) -> bool:
    values = series.dropna().head(1000)
    return not values.empty and all(isinstance(v, (bytes, bytearray, memoryview))
                                    for v in values)


def _from_bytes(series: pd.Series, column: str, source: str) -> tuple[pd.Series, str]:
    """Return a column of bytes (Parquet's binary type) as text, and a note saying how.

    Bytes that are all UTF-8 are text stored without its type; any others are shown
    in hexadecimal, which keeps each value distinct and printable.
    """
    try:
        text = series.map(lambda v: bytes(v).decode("utf-8"), na_action="ignore")
    except UnicodeDecodeError:
        text = series.map(lambda v: bytes(v).hex(), na_action="ignore")
        return text, (f"{source}: column {quoted(column)} holds binary values, not text; "
                      "they are read as hexadecimal text (drop the column from the export "
                      "if it means nothing to the target)")
    return text, f"{source}: column {quoted(column)} holds bytes; they are read as UTF-8 text"


def _text_categories(series: pd.Series) -> pd.Series:
    """Return a categorical column with trimmed text, or as plain values if that merges."""
    categories = series.cat.categories
    if categories.dtype != object:
        return series.astype(object)
    trimmed = categories.str.strip()
    if trimmed.equals(categories):
        return series
    if trimmed.is_unique:
        return series.cat.rename_categories(trimmed)
    return series.astype(object)


def _typed_text(series: pd.Series, decimal_comma: bool) -> pd.Series:
    import pandas as pd

    values = series.dropna()
    if values.empty:
        return series
    categorical = isinstance(series.dtype, pd.CategoricalDtype)
    distinct = pd.Series(series.cat.categories) if categorical else values
    head = distinct.head(1000)
    first = head.iloc[0]
    if not categorical and (isinstance(first, (list, dict, tuple)) or hasattr(first, "shape")):
        return series.map(_as_json, na_action="ignore")  # nested Parquet values
    if not categorical and all(isinstance(v, dt.date) for v in head):
        return pd.to_datetime(series, errors="coerce")  # pyarrow's dates
    if not all(isinstance(v, str) for v in head):
        return series
    if not categorical and any(v != v.strip() for v in head):
        series = series.str.strip()
        distinct = series.dropna()
    text = distinct.astype(str)
    if _all_match(text, _ISO_DATE):
        return _iso_dates(series.astype(object) if categorical else series)
    number = _as_numbers(text, decimal_comma)
    if number is not None:
        plain = series.astype(object) if categorical else series
        return pd.to_numeric(_normalise_number(plain, number), errors="coerce")
    if categorical:
        if len(series.cat.categories) > CATEGORY_MAX_UNIQUE_SHARE * series.count():
            return series.astype(object)  # identifiers and free text
        return series
    if values.nunique() <= CATEGORY_MAX_UNIQUE_SHARE * len(values):
        return series.astype("category")
    return series


def _as_numbers(text: pd.Series, decimal_comma: bool) -> str | None:
    """Return how the texts write numbers (``comma`` or ``thousands``), or None."""
    comma = _all_match(text, _DECIMAL_COMMA)
    thousands = _all_match(text, _THOUSANDS_COMMA)
    if not (comma or thousands):
        return None
    if not text.str.contains(r"[.,]").any():
        return None  # whole numbers that pandas left as text on purpose (e.g. codes)
    if comma and thousands:
        return "comma" if decimal_comma else "thousands"
    return "comma" if comma else "thousands"


def _all_match(text: pd.Series, pattern: str) -> bool:
    # The first values rule most columns out cheaply; only survivors are read in full.
    return bool(text.head(1000).str.match(pattern).all() and text.str.match(pattern).all())


def _normalise_number(series: pd.Series, style: str) -> pd.Series:
    if style == "comma":
        return series.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    return series.str.replace(",", "", regex=False)


def _iso_dates(series: pd.Series) -> pd.Series:
    import pandas as pd

    text = series.astype("string")
    utc = bool(text.str.contains(_OFFSET, regex=True).any())
    return pd.to_datetime(text, format="ISO8601", errors="coerce", utc=utc)


def to_dates(series: pd.Series, column: str, source: str) -> pd.Series:
    """Parse a declared time column: ISO dates, or one other format for the rest.

    Raises:
        DataError: naming the first value that is no date and how many there are.
    """
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(series):
        return series
    text = series.astype("string").str.strip()
    parsed = _iso_dates(text)
    failed = text.notna() & parsed.isna()
    if failed.any():
        rest = text[failed]
        with warnings.catch_warnings():
            # Values that are no dates at all make pandas warn that it parses them one
            # by one; they are reported below, in words the user can act on.
            warnings.filterwarnings("ignore", "Could not infer format", UserWarning)
            other = pd.to_datetime(rest, errors="coerce", dayfirst=_day_first(rest))
        if getattr(parsed.dt, "tz", None) is not None:
            other = other.dt.tz_localize("UTC")
        parsed = parsed.where(~failed, other)
    bad = text.notna() & parsed.isna()
    if bad.any():
        count = int(bad.sum())
        msg = (f"{source}: column '{column}' is declared as the time column but holds "
               f"'{text[bad].iloc[0]}', which is not a date ({count} such "
               f"{'row' if count == 1 else 'rows'}); fix those values or choose another "
               "time_column")
        raise DataError(msg)
    return parsed


def _day_first(text: pd.Series) -> bool:
    # 13/01/2025 can only be day-first; without such a value, month-first is pandas' default.
    return bool(text.head(1000).str.match(r"^(1[3-9]|2\d|3[01])[/.-]").any())


def _as_json(value: object) -> str:
    if hasattr(value, "tolist"):
        value = value.tolist()
    return json.dumps(value, default=str, ensure_ascii=False)


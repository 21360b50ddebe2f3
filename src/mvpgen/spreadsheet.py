"""CSV that is safe to open in a spreadsheet: no cell is read as a formula.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula by Excel and LibreOffice; such a cell meant for people gets a leading ``'``,
which spreadsheets show as nothing and never run. Numbers (``-3.5``) are numbers and
stay as they are. Neutralising twice is neutralising once, so text that already starts
with ``'`` before such a sign is left alone, and :func:`plain` reads it without that
``'``: the one value that does not come back exactly as written.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

_RISKY = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def neutral(value: Any) -> Any:
    """Return a cell value that a spreadsheet shows and never runs."""
    if isinstance(value, str) and value.startswith(_RISKY) and not _NUMBER.match(value):
        return "'" + value
    return value


def plain(value: str) -> str:
    """Return a cell as it was before :func:`neutral`: what a person wrote or a key was."""
    if value.startswith("'") and value[1:].startswith(_RISKY) and not _NUMBER.match(value[1:]):
        return value[1:]
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` whose text cells and column names are neutralised."""
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if series.dtype == object or str(series.dtype) in ("category", "string"):
            values = series.astype(object)
            # Each distinct value is looked at once; most columns hold no risky text.
            risky = {v: neutral(v) for v in pd.unique(values)
                     if isinstance(v, str) and neutral(v) != v}
            out[column] = values.map(lambda v, risky=risky: risky.get(v, v)
                                     if isinstance(v, str) else v) if risky else values
    out.columns = [neutral(str(c)) for c in out.columns]
    return out


def safe_csv(frame: pd.DataFrame) -> str:
    """Return ``frame`` as CSV text that is safe to open in a spreadsheet."""
    return safe_frame(frame).to_csv(index=False)

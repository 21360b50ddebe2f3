"""The new rows that went out for review, kept with all their values.

When a reviewer's labels for rows from outside the project's data come back, the
baseline learns from those rows; ``data/feedback/reviewed_rows.csv`` keeps them, as
text, once per row id.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

REVIEWED_ROWS = Path("data/feedback/reviewed_rows.csv")


def reviewed_rows(root: Path) -> pd.DataFrame | None:
    """Return the new rows that went out for review, or None when there are none."""
    import pandas as pd

    path = root / REVIEWED_ROWS
    if not path.exists():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def reviewed_rows_text(root: Path, rows: pd.DataFrame) -> str:
    """Return the file with ``rows`` added to what it held, once per row id, as text."""
    import pandas as pd

    text = rows.astype(object).where(rows.notna(), "").astype(str)
    for column in text.columns:
        if pd.api.types.is_datetime64_any_dtype(rows[column]):
            text[column] = rows[column].dt.strftime("%Y-%m-%d %H:%M:%S").fillna("")
    old = reviewed_rows(root)
    if old is not None:
        text = pd.concat([old, text], ignore_index=True).fillna("")
        text = text.drop_duplicates("row_id", keep="first")
    columns = ["row_id", *[c for c in text.columns if c != "row_id"]]
    return text[columns].to_csv(index=False)

"""Name each row so that a reviewer's label finds its way back to it.

With declared id columns the row id is their value (``C100042``). Without them it is a
hash of the row's values, so it survives a new export of the same extract with the
rows in another order; a row whose values change becomes a new row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

ID_SEPARATOR = " / "


def row_ids(frame: pd.DataFrame, id_columns: list[str], key_columns: list[str]) -> np.ndarray:
    """Return one text id per row of ``frame``.

    Args:
        frame: the rows.
        id_columns: the declared id columns; their values are the id when given.
        key_columns: the columns whose values are hashed when no id column is declared
            (a column missing from ``frame`` counts as empty, so new rows without the
            target hash alike).
    """
    import pandas as pd

    if id_columns:
        texts = [_canonical(frame[c]) for c in id_columns]
        if len(texts) == 1:
            return texts[0]
        return np.array([ID_SEPARATOR.join(parts) for parts in zip(*texts, strict=True)],
                        dtype=object)
    canonical = pd.DataFrame({c: (_hashable(frame[c]) if c in frame.columns
                                  else pd.Series("", index=frame.index, dtype=object))
                              for c in sorted(key_columns)})
    hashes = pd.util.hash_pandas_object(canonical, index=False).to_numpy()
    return np.array([f"r{h:016x}" for h in hashes], dtype=object)


def _hashable(values: pd.Series) -> pd.Series:
    """Return a column in a form whose hash does not depend on how it was read.

    Numbers (and yes/no flags) become floats, so ``3`` and ``3.0`` are one value;
    dates become nanoseconds; anything else becomes text, a missing value the empty
    text. Converting numbers to text would do as well, at ten times the cost.
    """
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(values):
        return pd.Series(values.to_numpy(dtype="datetime64[ns]").view(np.int64),
                         index=values.index)
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        numbers = values.to_numpy(dtype=float, na_value=np.nan) + 0.0  # -0.0 is 0.0
        numbers[np.isnan(numbers)] = np.nan  # one NaN, whatever its bits
        return pd.Series(numbers, index=values.index)
    if isinstance(values.dtype, pd.CategoricalDtype):
        # Code -1 (missing) picks the empty text appended last.
        names = np.append(values.cat.categories.astype(str).to_numpy(dtype=object), "")
        return pd.Series(names[values.cat.codes.to_numpy()], index=values.index)
    text = values.astype(object)
    return text.where(text.notna(), "").astype(str)


def _canonical(values: pd.Series) -> np.ndarray:
    """Return each value as text that does not depend on how the column was read.

    ``3`` read as an integer and ``3.0`` read beside a gap are the same value; a
    missing value is the empty text; dates are ISO dates.
    """
    import pandas as pd

    missing = values.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(values):
        text = values.dt.strftime("%Y-%m-%dT%H:%M:%S").to_numpy(dtype=object)
    elif pd.api.types.is_bool_dtype(values):
        text = values.astype(str).to_numpy(dtype=object)
    elif pd.api.types.is_numeric_dtype(values):
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
        whole = np.isfinite(numbers) & (numbers == np.round(numbers)) & (np.abs(numbers) < 2**53)
        text = pd.Series(numbers).astype(str).to_numpy(dtype=object)
        text[whole] = numbers[whole].astype(np.int64).astype(str)
    else:
        text = values.astype(object).map(str).to_numpy(dtype=object)
    text[missing] = ""
    return text

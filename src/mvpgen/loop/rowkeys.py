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
    if id_columns:
        texts = [_canonical(frame[c]) for c in id_columns]
        if len(texts) == 1:
            return texts[0]
        return np.array([ID_SEPARATOR.join(parts) for parts in zip(*texts, strict=True)],
                        dtype=object)
    mixed = np.zeros(len(frame), dtype=np.uint64)
    for column in sorted(key_columns):
        hashes = (_hashes(frame[column]) if column in frame.columns
                  else np.full(len(frame), _empty_hash(), dtype=np.uint64))
        mixed = (mixed * _PRIME) ^ hashes  # wraps around, as a hash should
    return np.array([f"r{h:016x}" for h in mixed], dtype=object)


_PRIME = np.uint64(1099511628211)


def _hashes(values: pd.Series) -> np.ndarray:
    """Return a hash of each value that does not depend on how the column was read.

    ``3`` read as an integer, ``3.0`` read beside a gap and ``"3"`` read as text are
    one value, as are ``True`` and ``1``; a missing value is the empty text. Hashing
    numbers as numbers (not as their text) keeps a million rows to about a second.
    """
    import pandas as pd

    if isinstance(values.dtype, pd.CategoricalDtype):
        # Hash each category once; code -1 (missing) picks the empty text appended last.
        names = pd.Series(values.cat.categories.to_numpy(dtype=object))
        table = np.append(_text_hashes(names), _empty_hash())
        return table[values.cat.codes.to_numpy()]
    if pd.api.types.is_datetime64_any_dtype(values):
        nanoseconds = values.to_numpy(dtype="datetime64[ns]").view(np.int64)
        hashes = _hash(pd.Series(nanoseconds))
        hashes[values.isna().to_numpy()] = _empty_hash()
        return hashes
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return _number_hashes(values.to_numpy(dtype=float, na_value=np.nan))
    return _text_hashes(values)


def _text_hashes(values: pd.Series) -> np.ndarray:
    """Hash text as text, except the values that are numbers (or flags), as numbers."""
    import pandas as pd

    text = values.astype(object)
    missing = text.isna().to_numpy()
    hashes = _hash(text.where(~missing, "").astype(str))
    numbers = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    is_number = ~np.isnan(numbers) & ~missing
    hashes[is_number] = _number_hashes(numbers[is_number])
    return hashes


def _number_hashes(numbers: np.ndarray) -> np.ndarray:
    import pandas as pd

    hashes = _hash(pd.Series(numbers + 0.0))  # + 0.0: -0.0 is 0.0
    hashes[np.isnan(numbers)] = _empty_hash()
    return hashes


def _hash(values: pd.Series) -> np.ndarray:
    import pandas as pd

    return pd.util.hash_pandas_object(values, index=False).to_numpy().copy()


def _empty_hash() -> np.uint64:
    import pandas as pd

    return _hash(pd.Series([""], dtype=object))[0]


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

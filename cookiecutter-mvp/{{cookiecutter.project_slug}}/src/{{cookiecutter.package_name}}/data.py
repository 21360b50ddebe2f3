"""Read the data extract: CSV or Parquet, whatever its delimiter and encoding.

Real extracts come with semicolons, tabs, a byte-order mark, Windows-1252 accents,
dates as text and empty target cells. This module reads them all into a tidy
DataFrame, or fails with one sentence that names the file, the column and the fix.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import re
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from .config import Mapping

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")
DELIMITERS = (",", ";", "\t", "|")
# UTF-8 first (a byte-order mark is skipped), then the usual Windows export; latin-1
# decodes any byte, so it is the last resort rather than a guess.
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
_SNIFF_BYTES = 256 * 1024
_ISO_DATE = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")
# A text column becomes pandas' category dtype when it repeats values this much:
# millions of repeated strings then cost a few bytes a row instead of fifty.
_CATEGORY_MAX_UNIQUE_SHARE = 0.5
# pyarrow dictionary-encodes text columns with at most this many distinct values.
_DICTIONARY_MAX_VALUES = 10_000


class DataError(ValueError):
    """Raised when a data file cannot be used; the message names the file and the fix."""


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV file is written."""

    delimiter: str
    encoding: str


@dataclass
class Dataset:
    """The project's data, ready for modelling.

    ``frame`` holds the rows whose target is known; the rows without one are set
    aside in ``unlabelled`` and counted, never dropped silently.
    """

    frame: pd.DataFrame
    target: str
    features: list[str]
    id_columns: list[str]
    unlabelled: pd.DataFrame
    source: Path

    @property
    def rows_without_target(self) -> int:
        """Return how many rows have no target value."""
        return len(self.unlabelled)


def data_path(mapping: Mapping, root: Path) -> Path:
    """Return the mapping's data file; a relative path is relative to ``root``.

    Raises:
        DataError: when the mapping names no data file.
    """
    if mapping.data.path is None:
        msg = ("mvp.yaml names no data file; put the extract in data/raw/ and set "
               "data.path to it")
        raise DataError(msg)
    path = Path(mapping.data.path).expanduser()
    return path if path.is_absolute() else root / path


def load_dataset(mapping: Mapping, root: Path) -> Dataset:
    """Read the mapping's data file and split off the rows without a target.

    Returns:
        The dataset; declared id columns are kept (to join feedback) but not features.

    Raises:
        DataError: for an unreadable file, a missing or unusable target, or a
            declared column that is not in the file.
    """
    path = data_path(mapping, root)
    time_column = mapping.data.time_column
    frame = read_table(path, dates=(time_column,) if time_column else ())
    target = mapping.technical.target
    require_columns(frame, path, [target])
    declared = [c for c in (time_column, mapping.data.group_column, *mapping.data.id_columns)
                if c]
    require_columns(frame, path, declared)
    known = frame[target].notna()
    if not known.any():
        msg = f"{path.name}: the target column '{target}' is empty in every row"
        raise DataError(msg)
    if frame[target].dtype == "category":
        # Plain values: a categorical target keeps classes a subset may not have.
        frame[target] = frame[target].astype(object)
    labelled = frame[known]
    if labelled[target].nunique() < 2:
        value = labelled[target].iloc[0]
        msg = (f"{path.name}: the target column '{target}' holds one value ({value!r}) in "
               "every row; a model needs a target that varies; choose another target")
        raise DataError(msg)
    ids = list(mapping.data.id_columns)
    features = [c for c in frame.columns if c != target and c not in ids]
    return Dataset(frame=labelled.reset_index(drop=True), target=target, features=features,
                   id_columns=ids, unlabelled=frame[~known].reset_index(drop=True),
                   source=path)


def require_columns(frame: pd.DataFrame, path: Path, columns: list[str]) -> None:
    """Fail with the closest column names when ``frame`` lacks one of ``columns``.

    Raises:
        DataError: naming the first missing column and suggesting the closest.
    """
    have = [str(c) for c in frame.columns]
    for column in columns:
        if column not in frame.columns:
            close = difflib.get_close_matches(column, have, n=3, cutoff=0.5)
            hint = (f"; did you mean {', '.join(repr(c) for c in close)}?" if close
                    else f"; columns are: {_listing(have)}")
            msg = f"{path.name} has no column '{column}'{hint}"
            raise DataError(msg)


def read_table(path: Path, *, columns: list[str] | None = None, nrows: int | None = None,
               dates: tuple[str, ...] = ()) -> pd.DataFrame:
    """Read a CSV or Parquet file.

    Args:
        path: the file.
        columns: read only these columns (all when None).
        nrows: read only the first rows (a quick sample); all when None.
        dates: columns to parse as dates whatever they look like; other text columns
            are parsed only when every value is an ISO date.

    Returns:
        The table, with repetitive text as categories and dates as datetimes.

    Raises:
        DataError: for a file that is missing, empty, binary, malformed or has
            unusable column names.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        msg = f"data file {path} does not exist; check data.path in mvp.yaml"
        raise DataError(msg)
    if path.is_dir():
        msg = f"{path} is a folder; data.path must name a CSV or Parquet file"
        raise DataError(msg)
    if suffix in PARQUET_SUFFIXES:
        frame = _read_parquet(path, columns, nrows)
    elif suffix in CSV_SUFFIXES or suffix == "":
        frame = _read_csv(path, columns, nrows)
    else:
        kinds = ", ".join((*CSV_SUFFIXES, *PARQUET_SUFFIXES))
        msg = f"{path.name} is neither CSV nor Parquet; save it as one of: {kinds}"
        raise DataError(msg)
    return tidy(frame, dates=dates, source=path.name)


def sniff_csv(path: Path) -> CsvFormat:
    """Find a CSV file's encoding and delimiter from its first bytes.

    Raises:
        DataError: for an empty or binary file, or one without a usable header.
    """
    head = path.read_bytes()[:_SNIFF_BYTES] if path.stat().st_size else b""
    if not head.strip():
        msg = f"{path.name} is empty; export the data again, with a header row"
        raise DataError(msg)
    if b"\x00" in head:
        msg = f"{path.name} holds binary data, not text; export it as CSV or Parquet"
        raise DataError(msg)
    encoding = _encoding(head)
    text = _decode_head(head, encoding)
    return CsvFormat(delimiter=_delimiter(text, path), encoding=encoding)


def tidy(frame: pd.DataFrame, *, dates: tuple[str, ...] = (),
         source: str = "data") -> pd.DataFrame:
    """Parse date columns and store repetitive text as categories, in place.

    Returns:
        The same frame.

    Raises:
        DataError: when a column named in ``dates`` does not hold dates.
    """
    import pandas as pd

    for column in frame.columns:
        series = frame[column]
        if column in dates:
            frame[column] = _to_dates(series, column, source)
        elif isinstance(series.dtype, pd.CategoricalDtype):
            if len(series.cat.categories) > _CATEGORY_MAX_UNIQUE_SHARE * series.count():
                frame[column] = series.astype(object)  # identifiers and free text
        elif series.dtype == object:
            first = series.dropna().head(1000)
            if not first.empty and all(isinstance(v, dt.date) for v in first):
                frame[column] = pd.to_datetime(series, errors="coerce")  # pyarrow's dates
            elif _looks_like_iso_dates(first):
                frame[column] = pd.to_datetime(series, format="ISO8601", errors="coerce")
            elif _mostly_repeats(series):
                frame[column] = series.astype("category")
    return frame


# --- CSV ---------------------------------------------------------------------------------


def _read_csv(path: Path, columns: list[str] | None, nrows: int | None) -> pd.DataFrame:
    fmt = sniff_csv(path)
    _check_header(_header(path, fmt), path)
    try:
        frame = (_read_csv_with_arrow(path, fmt, columns) if nrows is None
                 else _read_csv_with_pandas(path, fmt.delimiter, fmt.encoding, columns, nrows))
    except ValueError:  # pyarrow's parse errors do not say where; pandas' do
        frame = _read_csv_with_pandas(path, fmt.delimiter, fmt.encoding, columns, nrows)
    if frame.empty:
        msg = f"{path.name} has a header but no rows; export the data rows too"
        raise DataError(msg)
    return frame


def _read_csv_with_arrow(path: Path, fmt: CsvFormat, columns: list[str] | None) -> pd.DataFrame:
    """Read a whole CSV file with pyarrow: in parallel, repeated text as categories.

    Dictionary-encoding repeated text as it is read keeps millions of rows small: no
    Python string per cell, and no second pass to make categories.
    """
    from pyarrow import csv as arrow_csv

    table = arrow_csv.read_csv(
        path,
        read_options=arrow_csv.ReadOptions(
            encoding="utf8" if fmt.encoding == "utf-8-sig" else fmt.encoding),
        parse_options=arrow_csv.ParseOptions(delimiter=fmt.delimiter,
                                             newlines_in_values=True),
        convert_options=arrow_csv.ConvertOptions(
            include_columns=columns, strings_can_be_null=True, auto_dict_encode=True,
            auto_dict_max_cardinality=_DICTIONARY_MAX_VALUES),
    )
    return table.to_pandas(date_as_object=False, split_blocks=True, self_destruct=True)


def _read_csv_with_pandas(path: Path, delimiter: str, encoding: str,
                          columns: list[str] | None, nrows: int | None) -> pd.DataFrame:
    """Read with pandas' parser: for samples, and for errors that name the line."""
    import pandas as pd

    options: dict[str, Any] = {"sep": delimiter, "usecols": columns, "nrows": nrows,
                               "low_memory": False}
    try:
        try:
            return pd.read_csv(path, encoding=encoding, **options)
        except UnicodeDecodeError:
            # The first bytes decoded, a later one did not: latin-1 reads every byte.
            return pd.read_csv(path, encoding="latin-1", **options)
    except (ValueError, pd.errors.ParserError) as err:
        detail = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
        msg = (f"{path.name} cannot be read as CSV: {detail}; check the delimiter and the "
               "quotes on that line")
        raise DataError(msg) from err


def _header(path: Path, fmt: CsvFormat) -> list[str]:
    with path.open("r", encoding=fmt.encoding, errors="replace", newline="") as handle:
        return next(csv.reader(handle, delimiter=fmt.delimiter), [])


def _check_header(header: list[str], path: Path) -> None:
    if len(header) < 2:
        shown = header[0] if header else ""
        msg = (f"{path.name} has a single column ('{shown[:40]}'); a model needs a target and "
               f"at least one other column; if there are more, use one of these delimiters: "
               f"comma, semicolon, tab or |")
        raise DataError(msg)
    repeated = [name for name, count in Counter(header).items() if count > 1]
    if repeated:
        msg = (f"{path.name} has duplicate column names: {', '.join(repr(r) for r in repeated)}; "
               "rename them so each column has its own name")
        raise DataError(msg)


def _encoding(head: bytes) -> str:
    for encoding in ENCODINGS:
        try:
            # A multi-byte character may be cut at the end of the head: ignore the tail.
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"


def _decode_head(head: bytes, encoding: str) -> str:
    return codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)


def _delimiter(text: str, path: Path) -> str:
    """Pick the delimiter that splits the first lines into the same number of fields."""
    lines = text.splitlines()[:50]
    if len(text) >= _SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line of the head may be cut short
    best, best_fields = ",", 1
    for delimiter in DELIMITERS:
        counts = [len(row) for row in csv.reader(io.StringIO("\n".join(lines)),
                                                 delimiter=delimiter) if row]
        if not counts:
            continue
        fields = counts[0]
        consistent = sum(c == fields for c in counts) >= 0.9 * len(counts)
        if consistent and fields > best_fields:
            best, best_fields = delimiter, fields
    return best


# --- Parquet -----------------------------------------------------------------------------


def _read_parquet(path: Path, columns: list[str] | None, nrows: int | None) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        _check_header(parquet.schema_arrow.names, path)
        if nrows is None:
            table = parquet.read(columns=columns)
        else:
            batch = next(parquet.iter_batches(batch_size=nrows, columns=columns), None)
            table = (pa.Table.from_batches([batch]) if batch is not None
                     else parquet.schema_arrow.empty_table())
    except (OSError, pa.ArrowException) as err:
        msg = f"{path.name} cannot be read as Parquet ({err}); export it again"
        raise DataError(msg) from err
    if table.num_rows == 0:
        msg = f"{path.name} has columns but no rows; export the data rows too"
        raise DataError(msg)
    return table.to_pandas()


# --- column content ----------------------------------------------------------------------


def _to_dates(series: pd.Series, column: str, source: str) -> pd.Series:
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(series):
        return series
    text = series.astype("string")
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    if parsed.notna().sum() < text.notna().sum():
        # Not ISO: let pandas infer one format for the whole column (e.g. 31/12/2025).
        with warnings.catch_warnings():
            # Values that are no dates at all make pandas warn that it parses them one by
            # one; they are reported below, in words the user can act on.
            warnings.filterwarnings("ignore", "Could not infer format", UserWarning)
            parsed = pd.to_datetime(text, errors="coerce", dayfirst=_day_first(text))
    bad = text.notna() & parsed.isna()
    if bad.any():
        example = text[bad].iloc[0]
        msg = (f"{source}: column '{column}' is declared as the time column but holds "
               f"'{example}', which is not a date ({int(bad.sum())} such rows); "
               "fix those values or choose another time_column")
        raise DataError(msg)
    return parsed


def _day_first(text: pd.Series) -> bool:
    # 13/01/2025 can only be day-first; without such a value, month-first is pandas' default.
    sample = text.dropna().head(1000)
    return bool(sample.str.match(r"^(1[3-9]|2\d|3[01])[/.-]").any())


def _looks_like_iso_dates(sample: pd.Series) -> bool:
    if sample.empty or not all(isinstance(v, str) for v in sample):
        return False
    return bool(sample.str.match(_ISO_DATE).all())


def _mostly_repeats(series: pd.Series) -> bool:
    values = series.dropna()
    if values.empty or not all(isinstance(v, str) for v in values.head(1000)):
        return False
    return values.nunique() <= _CATEGORY_MAX_UNIQUE_SHARE * len(values)


def _listing(columns: list[str], limit: int = 12) -> str:
    shown = ", ".join(columns[:limit])
    return shown + (f", ... ({len(columns)} in all)" if len(columns) > limit else "")

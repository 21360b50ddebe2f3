"""Read the data extract, CSV or Parquet, into the table the models and reports use.

Real extracts come with semicolons, tabs, a byte-order mark, Windows-1252 accents,
dates and numbers as text, and empty target cells. This module reads them all, or
fails with one sentence that names the file, the column and the fix.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mvpgen.data.cleaning import tidy
from mvpgen.data.csvfile import clean_names, read_csv
from mvpgen.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

    from mvpgen.mapping.schema import Mapping

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")


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
    file_rows: np.ndarray  # each labelled row's position among the file's data rows
    unlabelled_rows: np.ndarray  # the same for the rows without a target
    fingerprint: str = ""  # the SHA-256 of the data actually read
    notes: list[str] = field(default_factory=list)  # how it was read, e.g. its encoding
    # For a table read out of core: which loaded rows the split holds out, and what was
    # counted over every row (see data.population).
    holdout_hint: np.ndarray | None = None
    population: Any = None

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
    time_column = mapping.data.time_column
    frame, hint, population, path, read_fingerprint = _read_data(mapping, root)
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
    if hint is not None:
        hint = hint[known.to_numpy()]
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
                   source=path, file_rows=np.flatnonzero(known.to_numpy()),
                   unlabelled_rows=np.flatnonzero(~known.to_numpy()),
                   fingerprint=read_fingerprint, holdout_hint=hint, population=population,
                   notes=list(frame.attrs.get("notes", [])))


def _read_data(mapping: Mapping, root: Path) -> tuple[pd.DataFrame, np.ndarray | None, Any,
                                                      Path, str]:
    """Return the rows read and what was known of them on reading.

    Returns:
        The rows, which of them are held out and what was counted over every row (both
        None unless read out of core), the source's name as a path (for messages), and
        the fingerprint of what was read.
    """
    from mvpgen.data import population as populations
    from mvpgen.data import sources
    from mvpgen.data import spark as sparks

    time_column = mapping.data.time_column
    dates = (time_column,) if time_column else ()
    if sparks.wanted(mapping):  # read, counted and split on the cluster; a sample loaded
        drawn = _drawn_by_spark(mapping, root)
        frame = drawn.frame.copy(deep=False)
        if time_column:
            from mvpgen.data.cleaning import to_dates

            frame[time_column] = to_dates(frame[time_column], time_column, drawn.name)
        return frame, drawn.holdout, drawn.population, Path(drawn.name), drawn.fingerprint
    source = sources.source_of(mapping, root)
    if populations.out_of_core(mapping, source):
        frame, hint, population = _draw_once(mapping, source)
        read_fingerprint = sources.fingerprint(source, frame if source.kind == "query"
                                               else None)
        if time_column:
            from mvpgen.data.cleaning import to_dates

            frame[time_column] = to_dates(frame[time_column], time_column, source.name)
        return frame, hint, population, Path(source.name), read_fingerprint
    if source.kind == "file":
        assert source.path is not None
        return (_read_once(source.path, dates=dates), None, None, source.path,
                fingerprint(source.path))
    # A dataset or a query: named in messages by the source, never with a secret.
    frame = _read_source_once(source, dates)
    return frame, None, None, Path(source.name), sources.fingerprint(source, frame)


# The last table read, by file and how it was read: `run` takes several steps over one
# file (the baseline and the review both load it), and `new` checks the time column of the
# file it inspected twice; parsing a million rows of CSV once instead of again and again
# saves seconds. One table is kept, so the memory held stays that of one table. A file is
# known by its resolved path, inode, size and modification time, so a changed file is read
# again; the cached table itself is never handed out (see _read_once, read_table_once).
_LAST_READ: dict[tuple, pd.DataFrame] = {}


def _draw_once(mapping: Mapping, source: Any) -> tuple[pd.DataFrame, np.ndarray, Any]:
    """Return the out-of-core sample, drawn once per command (the steps of a run share it)."""
    from mvpgen.data.population import draw

    settings = mapping.settings
    key = ("population", source.kind, str(source.path), source.query, source.connection,
           mapping.technical.target, mapping.data.time_column, mapping.data.group_column,
           settings.seed, settings.test_share)
    if key not in _LAST_READ:
        _LAST_READ.clear()
        _LAST_READ[key] = draw(mapping, source, seed=settings.seed,
                               test_share=settings.test_share)
    frame, hint, population = _LAST_READ[key]
    return frame.copy(deep=False), hint, population


def _drawn_by_spark(mapping: Mapping, root: Path) -> Any:
    """Return the rows Spark drew (see data.spark), drawn once per command."""
    from mvpgen.data.spark import draw

    data, settings = mapping.data, mapping.settings
    key = ("spark", str(root), data.path, data.table, data.query, data.spark_master,
           mapping.technical.target, mapping.technical.task, data.time_column,
           data.group_column, tuple(data.id_columns), settings.seed, settings.test_share)
    if key not in _LAST_READ:
        _LAST_READ.clear()
        _LAST_READ[key] = draw(mapping, root, seed=settings.seed,
                               test_share=settings.test_share)
    return _LAST_READ[key]


def forget_reads() -> None:
    """Drop the last table read, so the next step reads its source anew."""
    _LAST_READ.clear()


def _read_source_once(source: Any, dates: tuple[str, ...]) -> pd.DataFrame:
    """Return a dataset's or query's rows, read once per command.

    The steps of one ``run`` see one snapshot of a database, and a query runs once.
    """
    from mvpgen.data.sources import read_source

    key = (source.kind, str(source.path), source.query, source.connection, dates)
    if key not in _LAST_READ:
        _LAST_READ.clear()
        _LAST_READ[key] = read_source(source, dates=dates)
    return _LAST_READ[key].copy(deep=False)


def _read_once(path: Path, dates: tuple[str, ...]) -> pd.DataFrame:
    """Return ``read_table(path)``, reusing the last read while the file is unchanged."""
    # A shallow copy: load_dataset replaces a column or selects rows (new arrays), and
    # never writes into the cached table's.
    return _cached_read(Path(path), None, tuple(dates)).copy(deep=False)


def read_table_once(path: Path, *, columns: list[str] | None = None,
                    dates: tuple[str, ...] = ()) -> pd.DataFrame:
    """Return ``read_table(path, columns=columns, dates=dates)``, parsed once while unchanged.

    Returns:
        A copy of its own (changing it changes no later answer).

    Raises:
        DataError: as ``read_table`` does.
    """
    columns = None if columns is None else list(columns)
    return _cached_read(Path(path), columns, tuple(dates)).copy()


def _cached_read(path: Path, columns: list[str] | None,
                 dates: tuple[str, ...]) -> pd.DataFrame:
    """Return the cached table of a file read this way, reading it when it is not cached."""
    try:
        stat = path.stat()
        key = ("file", str(path.resolve()), stat.st_dev, stat.st_ino, stat.st_size,
               stat.st_mtime_ns, None if columns is None else tuple(columns), dates)
    except (OSError, RuntimeError):
        return read_table(path, columns=columns, dates=dates)  # says what is wrong
    if key not in _LAST_READ:
        _LAST_READ.clear()  # before reading: the old table's memory is free for the new
        _LAST_READ[key] = read_table(path, columns=columns, dates=dates)
    return _LAST_READ[key]


def fingerprint(path: Path) -> str:
    """Return the SHA-256 of a file's content, read in chunks (cached per file state)."""
    try:
        stat = path.stat()
    except OSError:
        return ""
    return _fingerprint(str(path.resolve()), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=8)
def _fingerprint(path: str, size: int, mtime: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


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


def read_table(path: Path, *, columns: list[str] | None = None,
               dates: tuple[str, ...] = ()) -> pd.DataFrame:
    """Read a whole CSV or Parquet file.

    Args:
        path: the file; CSV may be gzip-compressed (``.csv.gz``).
        columns: read only these columns (all when None).
        dates: columns to parse as dates whatever they look like; other text columns
            are parsed only when every value is an ISO date.

    Returns:
        The table: repetitive text as categories, dates as datetimes, numbers written
        as text as numbers.

    Raises:
        DataError: for a file that is missing, empty, binary, malformed or has
            unusable column names.
    """
    path = Path(path)
    if not path.exists():
        msg = f"data file {path} does not exist; check data.path in mvp.yaml"
        raise DataError(msg)
    if path.is_dir():
        msg = f"{path} is a folder; data.path must name a CSV or Parquet file"
        raise DataError(msg)
    if not path.is_file():  # read, a device or a pipe never ends, or waits for ever
        msg = f"{path} is not a regular file (a device or a pipe); save the data to a file"
        raise DataError(msg)
    kind = file_kind(path)
    if kind == "parquet":
        return tidy(_read_parquet(path, columns), dates=dates, source=path.name)
    if kind == "csv":
        frame, fmt = read_csv(path, columns)
        # Semicolon-separated exports come from locales that write 1,5 for one and a half.
        frame = tidy(frame, dates=dates, source=path.name, decimal_comma=fmt.delimiter == ";")
        if fmt.note:  # said wherever the data is described (not silently decoded)
            frame.attrs["notes"] = [fmt.note]
        return frame
    kinds = ", ".join((*CSV_SUFFIXES, *PARQUET_SUFFIXES))
    msg = f"{path.name} is neither CSV nor Parquet; save it as one of: {kinds} (or .csv.gz)"
    raise DataError(msg)


def file_kind(path: Path) -> str | None:
    """Return ``csv`` or ``parquet`` from a file's name, or None for anything else."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    suffix = suffixes[-1] if suffixes else ""
    if suffix in PARQUET_SUFFIXES and path.suffix.lower() != ".gz":
        return "parquet"
    if suffix in CSV_SUFFIXES or suffix == "":
        return "csv"
    return None


def _read_parquet(path: Path, columns: list[str] | None) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        clean_names(list(parquet.schema_arrow.names), path)
        table = parquet.read(columns=columns)
    except (OSError, pa.ArrowException) as err:
        msg = f"{path.name} cannot be read as Parquet ({err}); export it again"
        raise DataError(msg) from err
    if table.num_rows == 0:
        msg = f"{path.name} has columns but no rows; export the data rows too"
        raise DataError(msg)
    # Exact decimals become floats: models and profiles work with floats.
    schema = pa.schema([f.with_type(pa.float64()) if pa.types.is_decimal(f.type) else f
                        for f in table.schema])
    return table.cast(schema).to_pandas(date_as_object=False)


def _listing(columns: list[str], limit: int = 12) -> str:
    shown = ", ".join(columns[:limit])
    return shown + (f", ... ({len(columns)} in all)" if len(columns) > limit else "")

"""Read CSV files as people export them: any of four delimiters, four encodings.

The header is read and cleaned here (names trimmed, empty names given one, repeats
refused), then pyarrow reads the rows: in parallel, with repeated text dictionary-
encoded as it is read. pandas' parser is the fallback, for the files pyarrow's
block-wise type guessing trips on and for errors that name the line at fault.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import gzip
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mvpgen.data.encoding import detect, utf16_without_mark
from mvpgen.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

DELIMITERS = (",", ";", "\t", "|")
# How many bytes from each end of a file tell its encoding when the head is not enough.
_DETECT_BYTES = 4 * 1024 * 1024
# The texts read as missing values, by both readers alike (pandas' defaults).
MISSING_TEXTS = ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
                 "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a",
                 "nan", "null")
_SNIFF_BYTES = 256 * 1024
# pyarrow dictionary-encodes text columns with at most this many distinct values.
_DICTIONARY_MAX_VALUES = 10_000


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV file is written, and its cleaned column names."""

    delimiter: str
    encoding: str
    names: tuple[str, ...]
    unnamed: tuple[str, ...]  # names given to columns whose header cell was empty
    note: str | None = None  # how the text was decoded, when it is not UTF-8


def read_csv(path: Path, columns: list[str] | None = None) -> tuple[pd.DataFrame, CsvFormat]:
    """Read a whole CSV file (optionally gzip-compressed).

    Returns:
        The table as read (no types changed), and how the file is written.

    Raises:
        DataError: for an empty, binary or malformed file, or unusable column names.
    """
    fmt = sniff_csv(path)
    frame = None
    for encoding in (fmt.encoding, "later"):
        if encoding == "later":
            # A byte past the sniffed head does not fit: tell the encoding from more bytes.
            encoding, note = _encoding_of_more(path)
            fmt = dataclasses.replace(fmt, encoding=encoding, note=note)
        try:
            frame = _read_with_arrow(path, fmt, encoding, columns)
        except UnicodeError:
            continue
        except ValueError:  # pyarrow's parse and conversion errors
            frame = _read_with_pandas(path, fmt, encoding, columns)
        if frame is not None:
            break
    if frame is None:
        frame = _read_with_pandas(path, fmt, fmt.encoding, columns)
    # Excel leaves empty columns behind a trailing delimiter: drop them when unnamed.
    empty = [c for c in fmt.unnamed if c in frame.columns and frame[c].isna().all()]
    frame = frame.drop(columns=empty)
    if frame.empty:
        msg = f"{path.name} has a header but no rows; export the data rows too"
        raise DataError(msg)
    return frame, fmt


def sniff_csv(path: Path) -> CsvFormat:
    """Find a CSV file's encoding, delimiter and column names from its first bytes.

    Raises:
        DataError: for an empty or binary file, or one without a usable header.
    """
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except (OSError, EOFError) as err:
        msg = f"{path.name} cannot be read ({err}); export it again"
        raise DataError(msg) from err
    if not head.strip():
        msg = f"{path.name} is empty; export the data again, with a header row"
        raise DataError(msg)
    # Excel's "Unicode text" is UTF-16: NUL bytes everywhere, but text all the same.
    utf16 = (head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
             or utf16_without_mark(head) is not None)
    if b"\x00" in head and not utf16:
        msg = f"{path.name} holds binary data, not text; export it as CSV or Parquet"
        raise DataError(msg)
    encoding, note = detect(head, path.name)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    delimiter = _delimiter(text)
    header = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    names, unnamed = clean_names(header, path)
    return CsvFormat(delimiter, encoding, names, unnamed, note)


def clean_names(header: list[str], path: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Trim column names, name the empty ones, and refuse a table that cannot work.

    Returns:
        The names, and those given to columns that had none.

    Raises:
        DataError: for fewer than two columns or a name used twice.
    """
    names, unnamed = [], []
    for position, raw in enumerate(header, start=1):
        name = raw.strip()
        if not name:
            name = f"column {position}"
            unnamed.append(name)
        names.append(name)
    named = [n for n in names if n not in unnamed]
    if len(named) < 2:
        shown = named[0] if named else ""
        msg = (f"{path.name} has a single column ('{shown[:40]}'); a model needs a target and "
               f"at least one other column; if there are more, use one of these delimiters: "
               f"comma, semicolon, tab or |")
        raise DataError(msg)
    repeated = [name for name, count in Counter(names).items() if count > 1]
    if repeated:
        msg = (f"{path.name} has duplicate column names: {', '.join(repr(r) for r in repeated)}; "
               "rename them so each column has its own name")
        raise DataError(msg)
    return tuple(names), tuple(unnamed)


def _read_with_arrow(path: Path, fmt: CsvFormat, encoding: str,
                     columns: list[str] | None) -> pd.DataFrame | None:
    """Read with pyarrow; None when text did not decode (pyarrow then keeps bytes)."""
    import pyarrow as pa
    from pyarrow import csv as arrow_csv

    try:
        table = arrow_csv.read_csv(
            path,
            read_options=arrow_csv.ReadOptions(
                encoding="utf8" if encoding == "utf-8-sig" else encoding,
                column_names=list(fmt.names), skip_rows=1),
            parse_options=arrow_csv.ParseOptions(delimiter=fmt.delimiter,
                                                 newlines_in_values=True),
            convert_options=arrow_csv.ConvertOptions(
                include_columns=columns, null_values=list(MISSING_TEXTS),
                strings_can_be_null=True, auto_dict_encode=True,
                auto_dict_max_cardinality=_DICTIONARY_MAX_VALUES),
        )
    except pa.ArrowInvalid as err:
        if "utf" in str(err).lower() or "decod" in str(err).lower():
            raise UnicodeError(str(err)) from err
        raise
    if any(_is_bytes(field.type) for field in table.schema):
        return None  # undecodable text: the caller tries the next encoding
    return table.to_pandas(date_as_object=False, split_blocks=True, self_destruct=True)


def _is_bytes(kind: Any) -> bool:
    import pyarrow as pa

    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return pa.types.is_binary(kind) or pa.types.is_large_binary(kind)


def _read_with_pandas(path: Path, fmt: CsvFormat, encoding: str,
                      columns: list[str] | None) -> pd.DataFrame:
    """Read with pandas' parser, whose errors name the line at fault."""
    import pandas as pd

    options: dict[str, Any] = {"sep": fmt.delimiter, "names": list(fmt.names), "header": 0,
                               "usecols": columns, "na_values": list(MISSING_TEXTS),
                               "keep_default_na": False, "low_memory": False}
    try:
        try:
            return pd.read_csv(path, encoding=encoding, **options)
        except UnicodeDecodeError:
            return pd.read_csv(path, encoding="latin-1", **options)
    except (ValueError, pd.errors.ParserError) as err:
        detail = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
        msg = (f"{path.name} cannot be read as CSV: {detail}; check the delimiter and the "
               "quotes on that line")
        raise DataError(msg) from err


def _encoding_of_more(path: Path) -> tuple[str, str | None]:
    """Return the encoding told from the whole file (its head alone was UTF-8).

    charset-normalizer samples the bytes it is given, so a large file is given its first
    and last megabytes: where a wrongly encoded byte past the head most likely sits.
    """
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    with opener(path, "rb") as handle:
        raw = handle.read(_DETECT_BYTES)
        rest = handle.read()
    if rest:
        raw += rest[-_DETECT_BYTES:]
    encoding, note = detect(raw, path.name)
    if encoding.startswith("utf-8"):  # some byte in between is not: tell it from those
        encoding, note = detect(rest, path.name)
    return encoding, note


def _delimiter(text: str) -> str:
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

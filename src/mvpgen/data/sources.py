"""Where the data lives: a file, a folder (or glob) of Parquet files, or a SQL query.

``mvp.yaml`` names one of them: ``data.path`` (a CSV or Parquet file, a folder of
Parquet files, or a glob such as ``data/raw/*.parquet``), or ``data.query`` with an
optional ``data.connection``. A query without a connection runs in DuckDB, embedded,
and may read CSV and Parquet files itself (``SELECT * FROM 'sales/*.parquet'``); a
``duckdb:///file.duckdb`` connection opens a DuckDB database; any other SQLAlchemy URL
(``sqlite:///shop.db``, ``postgresql://ann:${PGPASSWORD}@db/shop``) opens that
database. A secret is written as ``${VARIABLE}`` and read from the environment; it is
never written into a report, a message or the evidence.

Whatever the source, the result is fingerprinted, so the evidence says what was read:
a file by the SHA-256 of its bytes, a dataset by the SHA-256 of its files, a query by
the SHA-256 of the rows it returned.
"""

from __future__ import annotations

import glob as globbing
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mvpgen.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

    from mvpgen.mapping import Mapping

ENGINES = ("pandas", "duckdb", "spark")
_SECRET = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Source:
    """One place the data is read from."""

    kind: str  # file | dataset | query
    path: Path | None = None  # a file, a folder, or a glob
    query: str | None = None
    connection: str | None = None  # as written, with ${VARIABLE} placeholders
    root: Path | None = None  # the project: relative files in a query start there

    @property
    def name(self) -> str:
        """Return how messages name the source (never with a secret)."""
        if self.kind == "query":
            where = redacted(self.connection) if self.connection else "DuckDB"
            return f"the query on {where}"
        assert self.path is not None
        return self.path.name if self.kind == "file" else str(self.path)

    @property
    def files(self) -> list[Path]:
        """Return the files a file or dataset source reads, in a stable order."""
        if self.kind == "file":
            return [self.path] if self.path is not None else []
        if self.kind == "dataset" and self.path is not None:
            if self.path.is_dir():
                return sorted(p for p in self.path.rglob("*.parquet") if p.is_file())
            return sorted(Path(p) for p in globbing.glob(str(self.path), recursive=True))
        return []


def source_of(mapping: Mapping, root: Path) -> Source:
    """Return the mapping's data source; relative paths are relative to ``root``.

    Raises:
        DataError: when the mapping names no data, or a dataset matches no file.
    """
    data = mapping.data
    if data.query is not None:
        return Source("query", query=data.query, connection=data.connection, root=root)
    if data.path is None:
        msg = ("mvp.yaml names no data; put the extract in data/raw/ and set data.path to it, "
               "or give data.query (with data.connection for a database)")
        raise DataError(msg)
    path = Path(data.path).expanduser()
    path = path if path.is_absolute() else root / path
    if names_dataset(path):
        source = Source("dataset", path=path)
        if not source.files:
            msg = (f"{path} holds no Parquet file; put the dataset's .parquet files there, or "
                   "name one CSV or Parquet file in data.path")
            raise DataError(msg)
        return source
    return Source("file", path=path)


def names_dataset(path: Path) -> bool:
    """Return whether ``path`` names a dataset (a folder or a glob), not one file."""
    return path.is_dir() or any(c in path.name for c in "*?[")


def read_source(source: Source, *, dates: tuple[str, ...] = ()) -> pd.DataFrame:
    """Read a whole dataset or query result into a table, typed like a file's.

    Raises:
        DataError: for a query that fails, a missing driver or secret, or no rows.
    """
    from mvpgen.data.cleaning import tidy

    if source.kind == "dataset":
        frame = _duckdb_frame(source, f"SELECT * FROM read_parquet({_file_list(source)}, "
                              "union_by_name = true)", None)
    else:
        frame = _query_frame(source)
    if frame.empty:
        msg = f"{source.name} returned no rows; check the query or the files"
        raise DataError(msg)
    from mvpgen.data.csvfile import clean_names

    clean_names([str(c) for c in frame.columns], Path(source.name))
    return tidy(frame, dates=dates, source=source.name)


def _file_list(source: Source) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in source.files) + "]"


def _query_frame(source: Source) -> pd.DataFrame:
    connection = source.connection
    if connection is None or connection.startswith("duckdb:"):
        database = None
        if connection is not None:
            database = _local_file(expand(connection), source.root)
        return _duckdb_frame(source, source.query or "", database)
    return _sqlalchemy_frame(source)


def _local_file(url: str, root: Path | None) -> str | None:
    """Return the database file a ``duckdb:`` or ``sqlite:`` URL names, from the project.

    ``duckdb:///data/shop.duckdb`` is relative to the project, ``duckdb:////srv/x.duckdb``
    absolute (SQLAlchemy's convention).
    """
    rest = url.split(":", 1)[1]
    if not rest.startswith("///"):
        return rest.lstrip("/") or None
    path = rest[3:]
    if not path or path == ":memory:":
        return None
    if path.startswith("/") or root is None:
        return path
    return str(root / path)


def anchored(connection: str, base: Path) -> str:
    """Return a connection whose relative database file is made absolute from ``base``.

    A project made from a mapping keeps naming the file the mapping meant, wherever the
    project folder is.
    """
    for scheme in ("duckdb:///", "sqlite:///"):
        if connection.startswith(scheme):
            rest = connection[len(scheme):]
            if rest and not rest.startswith(("/", ":memory:", "$")):
                return scheme + str((base / rest).resolve())
    return connection


def _duckdb_frame(source: Source, query: str, database: str | None) -> pd.DataFrame:
    import duckdb

    try:
        with duckdb.connect(database or ":memory:", read_only=database is not None) as db:
            if source.root is not None:  # files a query names are the project's
                db.execute(f"SET file_search_path = '{_quoted(str(source.root))}'")
            return db.execute(query).df()
    except duckdb.Error as err:
        detail = str(err).strip().splitlines()[0]
        msg = f"{source.name} failed: {detail}; check data.query (and data.path)"
        raise DataError(msg) from err


def _quoted(text: str) -> str:
    return text.replace("'", "''")


def _sqlalchemy_frame(source: Source) -> pd.DataFrame:
    import pandas as pd

    try:
        import sqlalchemy
    except ImportError as err:  # pragma: no cover - a dependency of mvpgen
        msg = "reading from a database needs SQLAlchemy: pip install sqlalchemy"
        raise DataError(msg) from err
    url = expand(source.connection or "")
    if url.startswith("sqlite:///") and source.root is not None:
        url = "sqlite:///" + (_local_file(url, source.root) or ":memory:")
    try:
        engine = sqlalchemy.create_engine(url)
    except ImportError as err:
        module = getattr(err, "name", None) or str(err)
        msg = (f"{source.name} needs the database driver {module}; install it (e.g. "
               "pip install 'psycopg[binary]' for PostgreSQL)")
        raise DataError(msg) from err
    except sqlalchemy.exc.ArgumentError as err:
        msg = (f"data.connection {redacted(source.connection or '')} is not a database URL; "
               "write it like postgresql://user:${PGPASSWORD}@host/database")
        raise DataError(msg) from err
    try:
        with engine.connect() as connection:
            return pd.read_sql_query(sqlalchemy.text(source.query or ""), connection)
    except sqlalchemy.exc.SQLAlchemyError as err:
        detail = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
        msg = f"{source.name} failed: {_hide(detail, url)}; check data.query and data.connection"
        raise DataError(msg) from err
    finally:
        engine.dispose()


def expand(connection: str) -> str:
    """Return a connection URL with each ``${VARIABLE}`` read from the environment.

    Raises:
        DataError: naming a variable that is not set.
    """

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            msg = (f"data.connection needs ${{{name}}}, which is not set; set it in the "
                   f"environment (export {name}=...) and run again")
            raise DataError(msg)
        from urllib.parse import quote

        return quote(os.environ[name], safe="")

    return _SECRET.sub(value, connection)


def redacted(connection: str) -> str:
    """Return a connection URL fit to show: its password hidden, placeholders kept."""
    return re.sub(r"(://[^:/@]+:)([^@]+)(@)", r"\1***\3", connection)


def _hide(text: str, url: str) -> str:
    """Return an error text with the expanded secret, if quoted in it, hidden."""
    match = re.search(r"://[^:/@]+:([^@]+)@", url)
    return text.replace(match.group(1), "***") if match and match.group(1) else text


def fingerprint(source: Source, frame: pd.DataFrame | None = None) -> str:
    """Return the SHA-256 of what the source holds: its files' bytes, or the rows read."""
    if source.kind == "file" and source.path is not None:
        from mvpgen.data.read import fingerprint as file_fingerprint

        return file_fingerprint(source.path)
    digest = hashlib.sha256()
    if source.kind == "dataset":
        from mvpgen.data.read import fingerprint as file_fingerprint

        for path in source.files:
            digest.update(f"{path.name}\0{file_fingerprint(path)}\n".encode())
        return digest.hexdigest()
    if frame is None:
        return ""
    import pandas as pd

    digest.update("\0".join(map(str, frame.columns)).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()

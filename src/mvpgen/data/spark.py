"""A table for a cluster: Spark reads it where it lives, counts every row, scores the holdout.

Spark reads the data when ``data.engine`` is ``spark``, when ``data.table`` names a table
of its catalog, or when ``data.path`` is a location only a cluster reaches (``s3a://``,
``hdfs://``...). As :mod:`mvpgen.data.population` does with DuckDB, it counts over every
row the rows with a target, the target's classes (or spread) and each column's missing
values, and it draws the rows the driver fits on the way the split would: the holdout by
the split's own rule (the latest share of rows by time, whole groups by a seeded hash of
the group, rows by a seeded hash of their values), then seeded samples of the training
and the held-out rows. The held-out rows stay on the cluster: once the contenders are
fitted, every held-out row (or a stated sample beyond ``MEASURED_ROWS``) is scored there
with ``mapInPandas`` (see :mod:`mvpgen.evaluation.cluster`), and ``predict --engine
spark`` scores a whole table there.

Spark runs embedded (``local[*]``: this machine's cores) unless told otherwise:
``MVPGEN_SPARK_MASTER`` in the environment, else ``data.spark_master``; a session that
is already running (``spark-submit``, a notebook) is used as it is. pyspark is an
optional extra (``pip install 'mvpgen[spark]'``), imported only here, only when needed.
"""

from __future__ import annotations

import datetime as dt
import glob as globbing
import hashlib
import os
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from mvpgen.data.population import HOLDOUT_SAMPLE, Population
from mvpgen.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

    from mvpgen.mapping import Mapping

MASTER_VARIABLE = "MVPGEN_SPARK_MASTER"
LOCAL_MASTER = "local[*]"
# Held-out rows scored on the cluster and measured on; beyond this, a stated sample.
MEASURED_ROWS = int(os.environ.get("MVPGEN_SPARK_HOLDOUT_ROWS", 1_000_000))
_BUCKETS = 1_000_000_000
_HELD = "__mvpgen_held"
_TIME = "__mvpgen_time"
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:/")  # s3a://, hdfs://, dbfs:/ (not C:/)
_TABLE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*){0,2}$")
_LOG_CONFIG = Path(__file__).with_name("spark-log4j2.properties")
_T = TypeVar("_T")


def wanted(mapping: Mapping) -> bool:
    """Return whether Spark reads the mapping's data."""
    data = mapping.data
    return (data.engine == "spark" or data.table is not None
            or (data.path is not None and is_uri(data.path)))


def is_uri(text: str) -> bool:
    """Return whether ``text`` names a location by scheme (``s3a://bucket/sales``)."""
    return bool(_URI.match(text))


def reason(mapping: Mapping) -> str:
    """Return why Spark is needed, as the start of a sentence."""
    data = mapping.data
    if data.engine == "spark":
        return "data.engine is spark"
    return "data.table is read by Spark" if data.table else f"data.path {data.path} needs Spark"


def session(why: str, master: str | None = None) -> Any:
    """Return the Spark session: the one running, or one started for mvpgen.

    The master is ``MVPGEN_SPARK_MASTER``, else ``master`` (``data.spark_master``), else
    ``local[*]``; under ``spark-submit``, the one it was given.

    Raises:
        DataError: when pyspark or Java is missing, or Spark cannot start (one line each).
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as err:
        msg = f"{why} but pyspark is not installed: pip install 'mvpgen[spark]'"
        raise DataError(msg) from err
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # spark-submit started the JVM
    chosen = os.environ.get(MASTER_VARIABLE) or master or (None if submitted else LOCAL_MASTER)
    if not submitted and _java() is None:
        msg = (f"{why} but Java is not installed: Spark needs Java 17 or later (e.g. apt-get "
               "install openjdk-17-jre-headless), or JAVA_HOME set to one")
        raise DataError(msg)
    builder = SparkSession.builder.appName("mvpgen")
    if chosen is not None:
        builder = builder.master(chosen)
    settings = {"spark.sql.session.timeZone": "UTC", "spark.ui.showConsoleProgress": "false",
                "spark.sql.execution.arrow.pyspark.enabled": "true"}
    if not submitted and chosen is not None and chosen.startswith("local"):
        settings["spark.ui.enabled"] = "false"
        if os.environ.get("MVPGEN_DEBUG") != "1":
            settings["spark.driver.extraJavaOptions"] = (
                f"-Dlog4j2.configurationFile={_LOG_CONFIG.as_uri()}")
        # The workers run this Python, which has mvpgen and the project's libraries.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        return builder.getOrCreate()
    except Exception as err:  # pyspark raises its own kinds, and py4j's
        msg = (f"{why} but Spark could not start on {chosen or 'the submitted master'} "
               f"({_first_line(err)}); check that `java -version` says 17 or later, and "
               f"the master ({MASTER_VARIABLE} or data.spark_master)")
        raise DataError(msg) from err


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A table Spark reads, named for messages, with the local files it reads (if any)."""

    frame: Any  # a Spark DataFrame
    name: str
    files: tuple[Path, ...] = ()


def read_data(spark: Any, mapping: Mapping, root: Path) -> Table:
    """Return the mapping's data as Spark reads it: a table, a query, files or a location.

    Raises:
        DataError: when Spark cannot read it (one line naming it and the fix).
    """
    data = mapping.data
    if data.table is not None:
        table = read_rows(spark, data.table, root)
    elif data.query is not None:
        frame = run(lambda: spark.sql(data.query), "data.query")
        table = Table(frame, "the query on Spark")
    elif data.path is not None:
        table = read_rows(spark, data.path, root)
    else:
        msg = ("mvp.yaml names no data; set data.path (files), data.table (a table of "
               "Spark's catalog) or data.query")
        raise DataError(msg)
    return Table(_plain(table.frame), table.name, table.files)


def read_rows(spark: Any, where: str, root: Path | None = None) -> Table:
    """Return the rows at ``where``, as Spark reads them.

    ``where`` is a CSV or Parquet file, a folder or glob of them, a location such as
    ``s3a://bucket/sales/``, or a table of Spark's catalog.

    Raises:
        DataError: when there is nothing there, or Spark cannot read it.
    """
    if is_uri(where):
        kind = "csv" if _is_csv(where.rstrip("/")) else "parquet"
        return Table(_reader(spark, kind, where, ()), where)
    path = Path(where).expanduser()
    if not path.is_absolute() and root is not None:
        path = root / path
    if any(c in path.name for c in "*?["):
        files = sorted(Path(p) for p in globbing.glob(str(path), recursive=True)
                       if Path(p).is_file())
    elif path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file()
                       and not p.name.startswith(("_", ".")))
    else:
        files = [path] if path.is_file() else []
    if not files:
        if _TABLE.match(where) and run(lambda: spark.catalog.tableExists(where), where):
            return Table(spark.table(where), where)
        msg = (f"{where} is no file, no folder or glob of files and no table Spark knows; "
               "name CSV or Parquet files, a folder of them, or a table of Spark's catalog")
        raise DataError(msg)
    if all(_is_csv(p.name) for p in files):
        kind = "csv"
    elif all(p.suffix.lower() in (".parquet", ".pq") for p in files):
        kind = "parquet"
    else:
        odd = [p.name for p in files if not _is_csv(p.name)
               and p.suffix.lower() not in (".parquet", ".pq")]
        what = (f"{odd[0]}, which is neither CSV nor Parquet" if odd
                else "both CSV and Parquet files")
        msg = f"{where} holds {what}; keep only .csv or only .parquet files there"
        raise DataError(msg)
    return Table(_reader(spark, kind, str(path), tuple(files)), where, tuple(files))


def _is_csv(name: str) -> bool:
    return name.lower().endswith((".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz"))


def _reader(spark: Any, kind: str, where: str, files: tuple[Path, ...]) -> Any:
    if kind == "csv":
        reader = spark.read.options(header=True, inferSchema=True,
                                    sep=_delimiter(files[0] if files else None))
        return run(lambda: reader.csv(where), where)
    nanoseconds = _nanosecond_columns(files)
    if nanoseconds:  # pandas writes them; Spark reads them only as whole numbers
        spark.conf.set("spark.sql.legacy.parquet.nanosAsLong", "true")
    frame = run(lambda: spark.read.option("mergeSchema", "true").parquet(where), where)
    if not nanoseconds:
        return frame
    from pyspark.sql import functions as F

    return frame.withColumns({c: F.timestamp_micros(F.floor(col(c) / 1000))
                              for c in nanoseconds if c in frame.columns})


def _nanosecond_columns(files: tuple[Path, ...]) -> list[str]:
    """Return the columns of local Parquet files that hold times in nanoseconds."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    found: dict[str, None] = {}
    for path in files[:100]:
        try:
            schema = pq.read_schema(path)
        except (OSError, pa.ArrowException):
            continue  # Spark says what is wrong with it
        found |= {f.name: None for f in schema
                  if pa.types.is_timestamp(f.type) and f.type.unit == "ns"}
    return list(found)


def _delimiter(first: Path | None) -> str:
    """Return the delimiter of a local CSV file (a comma when it cannot be told)."""
    import csv

    if first is None or first.name.lower().endswith(".gz"):
        return ","
    try:
        head = first.read_bytes()[:65536].decode("utf-8", errors="replace")
        return csv.Sniffer().sniff(head.splitlines()[0], delimiters=",;\t|").delimiter
    except (OSError, IndexError, csv.Error):
        return ","


def _plain(frame: Any) -> Any:
    """Return the table with exact decimals as floats: models work with floats."""
    decimals = {name for name, kind in frame.dtypes if kind.startswith("decimal")}
    if not decimals:
        return frame
    return frame.select(*[col(c).cast("double").alias(c) if c in decimals else col(c)
                          for c in frame.columns])


def col(name: str) -> Any:
    """Return a Spark column by its name, whatever characters the name holds."""
    from pyspark.sql import functions as F

    return F.col("`" + name.replace("`", "``") + "`")


# --- counting and drawing -------------------------------------------------------------------


@dataclass
class Drawn:
    """The rows loaded on the driver, which of them are held out, and what Spark counted."""

    frame: pd.DataFrame
    holdout: np.ndarray
    population: Population
    name: str
    fingerprint: str


def draw(mapping: Mapping, root: Path, *, seed: int = 0, test_share: float = 0.2) -> Drawn:
    """Count every row in Spark and load the split-aware sample on the driver.

    Raises:
        DataError: when the data cannot be read, or lacks the target or a declared column.
    """
    spark = session(reason(mapping), mapping.data.spark_master)
    from pyspark.sql import functions as F

    from mvpgen.data.cleaning import tidy

    table = read_data(spark, mapping, root)
    frame, name = table.frame, table.name
    target = mapping.technical.target
    _require(frame.columns, name, mapping)
    t = col(target)
    kinds = dict(frame.dtypes)
    empty = {c: col(c).isNull() | F.isnan(col(c)) if kinds[c] in ("float", "double")
             else col(c).isNull() for c in frame.columns}
    checksum = F.sum(F.pmod(F.xxhash64(*[col(c) for c in frame.columns]), F.lit(2**31 - 1)))
    counts = run(lambda: frame.agg(F.count(F.lit(1)), F.count(t), checksum,
                                   *[F.count(F.when(e, 1)) for e in empty.values()]).first(),
                 name)
    rows, with_target = int(counts[0]), int(counts[1])
    if rows == 0:
        msg = f"{name} holds no rows; check the data"
        raise DataError(msg)
    if with_target == 0:
        msg = f"{name}: the target column '{target}' is empty in every row"
        raise DataError(msg)
    missing = {c: round(int(n) / rows, 6) for c, n in zip(frame.columns, counts[3:], strict=True)}
    labelled = frame.where(t.isNotNull())
    time_column = mapping.data.time_column
    if time_column is not None:
        labelled = labelled.withColumn(_TIME, _time_key(labelled, time_column, kinds, name))
    held, strategy, cut = _holdout_rule(labelled, mapping, seed, test_share)
    tagged = labelled.withColumn(_HELD, F.coalesce(held, F.lit(False))).persist()
    holdout = tagged.where(col(_HELD))
    held_rows = run(holdout.count, name)
    learn = _purged(tagged, mapping, strategy, with_target - held_rows, name)
    classes, spread = _target_figures(tagged, target, mapping.technical.task, name)
    training = run(learn.count, name) if learn is not None else with_target - held_rows
    learn = learn if learn is not None else tagged.where(~col(_HELD))
    keep = [col(c) for c in frame.columns] + [col(_HELD)]
    fitted = _sample(learn, mapping.settings.fit_rows, training, seed, "train")
    loaded = fitted.select(*keep).unionByName(
        _sample(holdout, HOLDOUT_SAMPLE, held_rows, seed, "holdout").select(*keep))
    rows_loaded = run(loaded.toPandas, name)
    is_holdout = rows_loaded.pop(_HELD).to_numpy(dtype=bool)
    rows_loaded = tidy(rows_loaded, source="the sample")
    population = Population(
        rows, with_target, strategy, held_rows, with_target - held_rows,
        int((~is_holdout).sum()), int(is_holdout.sum()), missing, classes, cut,
        purged=with_target - held_rows - training, engine="spark", spread=spread,
        cluster=ClusterHoldout(holdout.select(*[col(c) for c in frame.columns]), held_rows,
                               mapping.data.group_column, seed, name))
    return Drawn(rows_loaded, is_holdout, population, name,
                 _fingerprint(table, columns=frame.columns, rows=rows, checksum=counts[2]))


def _require(columns: list[str], name: str, mapping: Mapping) -> None:
    data = mapping.data
    declared = [("technical.target", mapping.technical.target),
                ("data.time_column", data.time_column), ("data.group_column", data.group_column),
                *(("data.id_columns", c) for c in data.id_columns)]
    for field, column in declared:
        if column is not None and column not in columns:
            import difflib

            close = difflib.get_close_matches(column, columns, n=3, cutoff=0.5)
            hint = (f"did you mean {', '.join(repr(c) for c in close)}?" if close else
                    f"columns are: {', '.join(columns[:12])}"
                    + (f", ... ({len(columns)} in all)" if len(columns) > 12 else ""))
            msg = f"{name} has no column '{column}' ({field}); {hint}"
            raise DataError(msg)


def _time_key(frame: Any, column: str, kinds: dict[str, str], name: str) -> Any:
    """Return the time column as a number that orders the rows: microseconds, or itself.

    Raises:
        DataError: naming a value of a text column that is no date.
    """
    from pyspark.sql import functions as F

    kind = kinds[column]
    if kind in ("date", "timestamp", "timestamp_ntz"):
        return F.unix_micros(col(column).cast("timestamp"))
    if kind != "string":
        return col(column).cast("double")
    key = F.unix_micros(F.try_to_timestamp(F.trim(col(column))))
    bad = run(lambda: frame.where(col(column).isNotNull() & key.isNull())
              .select(col(column)).first(), name)
    if bad is not None:
        msg = (f"{name}: the time column '{column}' holds {bad[0]!r}, which Spark cannot read "
               "as a date; write its dates as ISO dates (2025-04-30) or empty that value")
        raise DataError(msg)
    return key


def _holdout_rule(frame: Any, mapping: Mapping, seed: int,
                  share: float) -> tuple[Any, str, str | None]:
    """Return the condition that holds a row out, the strategy, and the time cut."""
    from pyspark.sql import functions as F

    bucket = F.lit(round(share * _BUCKETS))
    if mapping.data.time_column is not None:
        found = run(lambda: frame.agg(F.percentile_approx(col(_TIME), 1 - share,
                                                          1_000_000)).first()[0], "the time cut")
        if found is None:
            msg = (f"the time column '{mapping.data.time_column}' is empty; fill it in or "
                   "unset data.time_column")
            raise DataError(msg)
        time_kind = dict(frame.dtypes)[mapping.data.time_column]
        cut = (dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=int(found))).isoformat()
        return col(_TIME) >= F.lit(found), "time", (
            cut if time_kind in ("date", "timestamp", "timestamp_ntz", "string") else str(found))
    if mapping.data.group_column is not None:
        key = F.xxhash64(F.lit(f"mvpgen-split-{seed}"), col(mapping.data.group_column)
                         .cast("string"))
        return F.pmod(key, F.lit(_BUCKETS)) < bucket, "group", None
    key = F.xxhash64(F.lit(f"mvpgen-split-{seed}"), *[col(c) for c in frame.columns])
    return F.pmod(key, F.lit(_BUCKETS)) < bucket, "random", None


def _purged(tagged: Any, mapping: Mapping, strategy: str, training: int, name: str) -> Any:
    """Return the training rows of a time split without the groups held out, or None.

    As in memory: a group seen in the holdout is not learnt from, even earlier; unless
    most training rows belong to such groups (stores, regions), where leaving them out
    would leave too little to learn from.
    """
    group = mapping.data.group_column
    if strategy != "time" or group is None or training == 0:
        return None
    train = tagged.where(~col(_HELD))
    held_groups = tagged.where(col(_HELD)).select(col(group)).distinct()
    straddling = run(train.join(held_groups, on=[group], how="left_semi").count, name)
    if straddling / training > 0.5:
        return None
    return train.join(held_groups, on=[group], how="left_anti")


def _target_figures(frame: Any, target: str, task: str | None,
                    name: str) -> tuple[dict[str, int], dict[str, float]]:
    """Return the target's classes (the 60 commonest, with their rows) or its spread."""
    from pyspark.sql import functions as F

    numeric = dict(frame.dtypes)[target] not in ("string", "boolean")
    if task == "regression" or (task is None and numeric and run(
            lambda: frame.select(col(target)).distinct().limit(61).count(), name) > 60):
        y = col(target).cast("double")
        row = run(lambda: frame.agg(F.mean(y), F.stddev(y), F.min(y),
                                    F.percentile_approx(y, 0.5, 100_000), F.max(y)).first(),
                  name)
        return {}, {key: round(float(v), 6) for key, v in
                    zip(("mean", "std", "min", "median", "max"), row, strict=True)
                    if v is not None}
    top = run(lambda: frame.groupBy(col(target)).count().orderBy(F.desc("count"))
              .limit(60).collect(), name)
    return {str(r[0]): int(r[1]) for r in top}, {}


def _sample(frame: Any, size: int, total: int, seed: int, salt: str) -> Any:
    """Return about ``size`` of the ``total`` rows, chosen by a seeded hash of their values."""
    from pyspark.sql import functions as F

    if total <= size:
        return frame
    key = F.xxhash64(F.lit(f"mvpgen-{salt}-{seed}"),
                     *[col(c) for c in frame.columns if c not in (_HELD, _TIME)])
    return frame.where(F.pmod(key, F.lit(_BUCKETS)) < F.lit(round(size / total * _BUCKETS)))


def _fingerprint(table: Table, *, columns: list[str], rows: int, checksum: Any) -> str:
    """Return the SHA-256 of the local files read, or of what Spark counted in the rows."""
    from mvpgen.data.read import fingerprint as file_fingerprint

    digest = hashlib.sha256()
    if len(table.files) == 1:
        return file_fingerprint(table.files[0])
    if table.files:
        for path in table.files:
            digest.update(f"{path.name}\0{file_fingerprint(path)}\n".encode())
        return digest.hexdigest()
    digest.update(f"{table.name}\0{chr(0).join(columns)}\0{rows}\0{checksum}".encode())
    return digest.hexdigest()


# --- scoring where the rows live ------------------------------------------------------------


@dataclass
class ClusterHoldout:
    """The held-out rows where they live, counted there and scored there on demand."""

    frame: Any  # a Spark DataFrame: every held-out row with a target, the data's columns
    rows: int
    group: str | None
    seed: int
    name: str

    def scored(self, batches: Callable[..., Any], schema: str, *,
               limit: int | None = None) -> pd.DataFrame:
        """Return what ``batches`` (a ``mapInPandas`` function) says of the held-out rows.

        Beyond ``limit`` rows (default ``MEASURED_ROWS``) a seeded sample of about
        ``limit`` is scored: whole groups when the split held groups out, so the
        intervals resample them rightly.

        Raises:
            DataError: when a worker fails; its mvpgen error is said as it was raised.
        """
        from pyspark.sql import functions as F

        frame = self.frame
        limit = MEASURED_ROWS if limit is None else limit
        if self.rows > limit:
            key = ([col(self.group).cast("string")] if self.group else
                   [col(c) for c in frame.columns])
            frame = frame.where(F.pmod(F.xxhash64(F.lit(f"mvpgen-measure-{self.seed}"), *key),
                                       F.lit(_BUCKETS)) < F.lit(round(limit / self.rows
                                                                      * _BUCKETS)))
        return run(lambda: frame.mapInPandas(batches, schema).toPandas(),
                   f"scoring the held-out rows of {self.name}")


def ship(spark: Any, folder: Path | None) -> None:
    """Send a project's own package (its features.py and models.py) to Spark's workers.

    The models and the project's ``derive`` refer to it by name; a worker imports it as
    the driver does. Sent once per content of the package.
    """
    if folder is None or not folder.is_dir():
        return
    files = sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()[:16]
    if (id(spark), digest) in _SHIPPED:
        return
    archive = Path(_shipping_folder()) / f"{folder.name}-{digest}.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in files:
            zipped.write(path, Path(folder.name) / path.relative_to(folder))
    context = _context(spark)
    if context is not None:
        context.addPyFile(str(archive))
    else:  # Spark Connect
        spark.addArtifacts(str(archive), pyfile=True)
    _SHIPPED.add((id(spark), digest))


def share(spark: Any, value: Any) -> Any:
    """Return ``value`` as the workers read it (``.value``): sent to each of them once."""
    context = _context(spark)
    return context.broadcast(value) if context is not None else _Shared(value)


@dataclass(frozen=True)
class _Shared:
    """A value that travels with the function, where Spark cannot broadcast (Connect)."""

    value: Any


def _context(spark: Any) -> Any:
    try:
        return spark.sparkContext
    except (AttributeError, NotImplementedError):  # Spark Connect has no SparkContext
        return None


_SHIPPED: set[tuple[int, str]] = set()  # (session, content) pairs already sent


def _shipping_folder() -> str:
    global _FOLDER
    if _FOLDER is None:
        import atexit

        _FOLDER = tempfile.mkdtemp(prefix="mvpgen-spark-")
        atexit.register(shutil.rmtree, _FOLDER, True)
    return _FOLDER


_FOLDER: str | None = None


def as_read(batch: pd.DataFrame, dates: tuple[str, ...] = ()) -> pd.DataFrame:
    """Return rows from Spark typed as the driver's sample was read.

    Dates become dates and infinities missing values; it runs on the workers, one batch
    at a time.

    Raises:
        DataError: when a column named in ``dates`` holds a value that is no date.
    """
    import pandas as pd

    from mvpgen.data.cleaning import to_dates

    for column in batch.columns:
        values = batch[column]
        if column in dates:
            batch[column] = to_dates(values, column, "the rows")
        elif pd.api.types.is_float_dtype(values):
            batch[column] = values.where(np.isfinite(values))
        elif values.dtype == object:
            first = values.dropna().head(1)
            if len(first) and isinstance(first.iloc[0], dt.date):
                batch[column] = pd.to_datetime(values, errors="coerce")
    return batch


def spark_type(values: list[Any]) -> str:
    """Return the Spark type that holds these Python values (text when they are mixed)."""
    if values and all(isinstance(v, bool) for v in values):
        return "boolean"
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "bigint"
    if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "double"
    return "string"


def schema_of(frame: Any, columns: list[str]) -> list[str]:
    """Return ``name type`` entries of a DDL schema for some of a Spark table's columns."""
    kinds = dict(frame.dtypes)
    return [f"`{c.replace('`', '``')}` {kinds[c]}" for c in columns]


def run(job: Callable[[], _T], what: str) -> _T:
    """Run a Spark job; say its failure in one line (a worker's mvpgen error as raised).

    Raises:
        DataError: naming what failed and why.
    """
    try:
        return job()
    except DataError:
        raise
    except Exception as err:  # pyspark's, py4j's and the workers' errors alike
        text = str(err)
        raised = re.findall(r"mvpgen\.errors\.\w+: ([^\n]+)", text)
        if raised:
            raise DataError(raised[-1].strip()) from err
        msg = f"{what} failed in Spark: {_first_line(err)}"
        raise DataError(msg) from err


def _first_line(err: BaseException) -> str:
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    line = lines[0] if lines else type(err).__name__
    return line if len(line) <= 300 else line[:297] + "..."

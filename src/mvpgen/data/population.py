"""A table too large for memory, left where it is: counted over every row, fitted on a sample.

DuckDB reads the source (a CSV or Parquet file, a folder or glob of Parquet files, or a
query it can run) without loading it whole. Over every row it counts the rows, the
target's balance and each column's missing values. It then draws the rows the steps
load, the way the split would: the holdout by the split's own rule (the latest share of
rows by time, whole groups by a stable hash of the group, or rows by a stable hash of
their values), and a random sample of the training rows. The evidence says which
figures cover every row and which a sample, and how big.

A source is read this way when ``data.engine`` is ``duckdb``, when it is a dataset of
Parquet files, or when its data would take more memory than ``IN_MEMORY_BYTES``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mvpgen.data.sources import Source
from mvpgen.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

    from mvpgen.mapping import Mapping

HOLDOUT_SAMPLE = 200_000  # held-out rows measured on; their interval says how precise that is
IN_MEMORY_BYTES = int(os.environ.get("MVPGEN_IN_MEMORY_BYTES", 1_500_000_000))
_BUCKETS = 10_000


@dataclass
class Population:
    """What was counted over every row, and how the loaded rows were drawn."""

    rows: int
    rows_with_target: int
    strategy: str  # time | group | random: how the holdout was chosen
    holdout_rows: int  # held-out rows among every row with a target
    train_rows: int
    sampled_train: int
    sampled_holdout: int
    missing: dict[str, float] = field(default_factory=dict)  # column -> share, every row
    classes: dict[str, int] = field(default_factory=dict)  # target class -> rows
    cut: str | None = None  # the first held-out time, for a time split
    purged: int = 0  # training rows left out because their group is held out (time split)
    engine: str = "duckdb"  # what counted the rows: duckdb | spark
    spread: dict[str, float] = field(default_factory=dict)  # a quantity's target, every row
    # Spark: the held-out rows where they live, scored there by the fitted contenders
    # (see data.spark.ClusterHoldout); None when the holdout is the sample loaded.
    cluster: Any = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Return the population as ``metrics.json`` and the quality summary keep it."""
        return {"rows": self.rows, "rows_with_target": self.rows_with_target,
                "strategy": self.strategy, "holdout_rows": self.holdout_rows,
                "train_rows": self.train_rows, "sampled_train": self.sampled_train,
                "sampled_holdout": self.sampled_holdout, "missing": self.missing,
                "classes": self.classes, "cut": self.cut, "purged": self.purged,
                "engine": self.engine,
                **({"spread": self.spread} if self.spread else {})}

    def notes(self, measured: int | None = None) -> list[str]:
        """Return, in words, which figures cover every row and which a sample.

        Args:
            measured: how many held-out rows the metrics were measured on, when they
                were scored where they live (Spark) rather than among the rows loaded.
        """
        notes = [self.counted_note()]
        notes.append("Fitted, cross-validated and screened for leaks on "
                     + _share(self.sampled_train, self.train_rows - self.purged,
                              "training rows")
                     + (f" ({self.purged:,} rows of held-out groups left out)"
                        if self.purged else ""))
        held = f"held-out rows ({self.strategy} split)"
        if measured is not None:
            notes.append("Metrics and intervals measured on " + _share(
                measured, self.holdout_rows, held) + ", scored on the cluster by every "
                "contender")
        else:
            notes.append("Metrics and intervals measured on "
                         + _share(self.sampled_holdout, self.holdout_rows, held))
        notes.append(self.loaded_note("the importances, the learning curve and the "
                                      "holdout table"))
        return notes

    def counted_note(self) -> str:
        """Say what was counted over every row."""
        engine = {"duckdb": "DuckDB", "spark": "Spark"}.get(self.engine, self.engine)
        target = ("the target's classes, " if self.classes else
                  "the target's spread, " if self.spread else "")
        return (f"Counted by {engine} over all {self.rows:,} rows: the rows with a target, "
                f"{target}each column's missing values")

    def loaded_note(self, also: str = "") -> str:
        """Say what describes only the rows loaded (the columns' profiles, and ``also``)."""
        loaded = self.sampled_train + self.sampled_holdout
        return (f"The columns' profiles{', ' + also if also else ''} describe the "
                f"{loaded:,} rows loaded ({self.sampled_train:,} for training, "
                f"{self.sampled_holdout:,} held out)")


def _share(part: int, whole: int, what: str) -> str:
    if part >= whole:
        return f"all {whole:,} {what}"
    return f"a random sample of {part:,} of the {whole:,} {what}"


def out_of_core(mapping: Mapping, source: Source) -> bool:
    """Return whether the source is read by DuckDB, not loaded whole."""
    if mapping.data.engine == "duckdb" or source.kind == "dataset":
        return True
    if mapping.data.engine != "pandas" or source.kind != "file" or source.path is None:
        return False
    return estimated_bytes(source.path) > IN_MEMORY_BYTES


def estimated_bytes(path: Path) -> int:
    """Return about how much memory a file takes once read: Parquet by its row count."""
    try:
        size = path.stat().st_size
    except OSError:
        return 0
    if path.suffix.lower() in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        try:
            meta = pq.ParquetFile(path).metadata
        except (OSError, ValueError):
            return size
        return meta.num_rows * meta.num_columns * 8
    return size * 2  # text takes about twice its bytes as columns of Python values


def draw(mapping: Mapping, source: Source, *, seed: int = 0,
         test_share: float = 0.2) -> tuple[pd.DataFrame, np.ndarray, Population]:
    """Count every row in DuckDB and load the split-aware sample.

    Returns:
        The loaded rows (training sample first, then the holdout sample), which of them
        are held out, and what was counted over every row.

    Raises:
        DataError: when the source cannot be read or the target is missing.
    """
    import duckdb

    target = mapping.technical.target
    with duckdb.connect() as db:
        if source.root is not None:
            db.execute(f"SET file_search_path = '{_literal(str(source.root))}'")
        relation = f"({relation_of(source)})"
        try:
            columns = [c[0] for c in db.execute(f"SELECT * FROM {relation} LIMIT 0").description]
        except duckdb.Error as err:
            msg = f"{source.name} cannot be read: {str(err).splitlines()[0]}"
            raise DataError(msg) from err
        if target not in columns:
            msg = f"{source.name} has no column '{target}'; columns are: {', '.join(columns)}"
            raise DataError(msg)
        quoted = {c: _identifier(c) for c in columns}
        t = quoted[target]
        counts = db.execute(f"SELECT count(*), count({t}), " + ", ".join(
            f"count(*) - count({q})" for q in quoted.values())
            + f" FROM {relation}").fetchone()
        rows, with_target = int(counts[0]), int(counts[1])
        if with_target == 0:
            msg = f"{source.name}: the target column '{target}' is empty in every row"
            raise DataError(msg)
        missing = {c: round(int(n) / rows, 6) for c, n in zip(columns, counts[2:], strict=True)}
        holdout, strategy, cut = _holdout_rule(db, relation, mapping, quoted, test_share,
                                               with_target)
        classes = {}
        if mapping.technical.task != "regression":
            top = db.execute(f"SELECT {t}, count(*) FROM {relation} WHERE {t} IS NOT NULL "
                         f"GROUP BY 1 ORDER BY 2 DESC LIMIT 60").fetchall()
            classes = {str(value): int(n) for value, n in top}
        base = f"SELECT * FROM {relation} WHERE {t} IS NOT NULL"
        held = int(db.execute(f"SELECT count(*) FROM ({base}) WHERE {holdout}").fetchone()[0])
        purge = _purge(db, base, holdout, mapping, quoted, strategy)
        learn = f"NOT ({holdout})" + purge
        purged = (with_target - held - int(db.execute(
            f"SELECT count(*) FROM ({base}) WHERE {learn}").fetchone()[0]) if purge else 0)
        # As many training rows as the contenders are fitted on (settings.fit_rows).
        train = sample_rows(db, f"{base} AND {learn}", mapping.settings.fit_rows, seed=seed)
        test = sample_rows(db, f"{base} AND ({holdout})", HOLDOUT_SAMPLE, seed=seed + 1)
    import pandas as pd

    frame = pd.concat([train, test], ignore_index=True)
    is_holdout = np.r_[np.zeros(len(train), bool), np.ones(len(test), bool)]
    population = Population(rows, with_target, strategy, held, with_target - held, len(train),
                            len(test), missing, classes, cut, purged=purged, engine="duckdb")
    return frame, is_holdout, population


def relation_of(source: Source) -> str:
    """Return the SQL that reads the source."""
    if source.kind == "query":
        return source.query or ""
    files = source.files
    listed = "[" + ", ".join(f"'{_literal(str(p))}'" for p in files) + "]"
    if files and all(p.suffix.lower() in (".parquet", ".pq") for p in files):
        return f"SELECT * FROM read_parquet({listed}, union_by_name = true)"
    return f"SELECT * FROM read_csv({listed}, union_by_name = true)"


def _holdout_rule(db: Any, relation: str, mapping: Mapping, quoted: dict[str, str],
                  share: float, with_target: int) -> tuple[str, str, str | None]:
    """Return the SQL condition that holds a row out, the strategy, and the time cut."""
    time_column, group = mapping.data.time_column, mapping.data.group_column
    bucket = round(share * _BUCKETS)
    if time_column is not None:
        q = quoted.get(time_column)
        if q is None:
            msg = f"the time column '{time_column}' is not in the data; check data.time_column"
            raise DataError(msg)
        cut = db.execute(f"SELECT quantile_disc({q}, {1 - share}) FROM {relation} "
                     f"WHERE {quoted[mapping.technical.target]} IS NOT NULL").fetchone()[0]
        if cut is None:
            msg = f"the time column '{time_column}' is empty; fill it in or unset it"
            raise DataError(msg)
        literal = f"'{_literal(str(cut))}'"
        return f"{q} >= {literal}", "time", str(cut)
    if group is not None:
        q = quoted.get(group)
        if q is None:
            msg = f"the group column '{group}' is not in the data; check data.group_column"
            raise DataError(msg)
        return f"hash({q}) % {_BUCKETS} < {bucket}", "group", None
    everything = ", ".join(quoted.values())
    return f"hash({everything}) % {_BUCKETS} < {bucket}", "random", None


def _purge(db: Any, base: str, holdout: str, mapping: Mapping, quoted: dict[str, str],
           strategy: str) -> str:
    """Return the condition that keeps a time split from learning a held-out group.

    As in memory: a group seen in the holdout is not learnt from, even earlier; unless
    nearly every group lives on both sides (stores, regions), where leaving them out
    would leave too little to learn from.
    """
    group = mapping.data.group_column
    if strategy != "time" or group is None or group not in quoted:
        return ""
    g = quoted[group]
    straddling = db.execute(
        f"SELECT avg(CASE WHEN {g} IN (SELECT {g} FROM ({base}) WHERE {holdout}) THEN 1.0 "
        f"ELSE 0.0 END) FROM ({base}) WHERE NOT ({holdout})").fetchone()[0]
    if straddling is None or straddling > 0.5:
        return ""
    return f" AND {g} NOT IN (SELECT {g} FROM ({base}) WHERE {holdout})"


def sample_rows(db: Any, query: str, rows: int, *, seed: int,
                source: str = "the sample") -> pd.DataFrame:
    """Return a seeded random sample of at most ``rows`` rows of ``query``, typed like a file's."""
    from mvpgen.data.cleaning import tidy

    frame = db.execute(f"SELECT * FROM ({query}) USING SAMPLE reservoir({rows} ROWS) "
                   f"REPEATABLE ({seed})").df()
    return tidy(frame, source=source)


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return text.replace("'", "''")

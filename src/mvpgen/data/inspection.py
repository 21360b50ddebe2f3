"""Look at a data file before generating: column roles, the target's values, proposals.

The reading and the column roles are the same code every step of a project uses, so
what ``mvpgen new`` shows is what the project will see. A source too large for memory
(a Parquet dataset, or a file beyond ``population.IN_MEMORY_BYTES``) is never loaded
whole: DuckDB counts its rows and the target's values over every row, and the column
roles are read from a random sample, as the project's steps will fit on one.
"""

from __future__ import annotations

import math
import os
import re
import sys
import weakref
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from mvpgen.data import read as data
from mvpgen.data import sources
from mvpgen.data.columns import ID_UNIQUE_SHARE, ColumnInfo, describe_columns, looks_like_id_name
from mvpgen.data.read import fingerprint
from mvpgen.data.sources import Source
from mvpgen.data.target import find_label, infer_positive_label, infer_task, python_values
from mvpgen.errors import DataError, MissingColumnError
from mvpgen.words import printable

SAMPLE_ROWS = 100_000  # rows a large source's column roles are read from
# Beyond this many distinct target values (a quantity), the values are summarised from
# the sample; their count and the missing ones still cover every row.
EXACT_VALUES = 10_000
TABLE_ROWS = 40  # columns listed one per line; the rest are counted by role
# Words of a column's name that mark the target: a word equal to one of them (or, for
# the longer ones, starting with it: churned, defaulted). Strong words name the target
# outright; outcome words name what happened to a row; weak words (a product class, a
# price) are as often features as targets, so they only break ties.
TARGET_WORDS = {
    4: ("target", "label", "outcome", "y"),
    3: ("churn", "fraud", "default", "survived", "survival", "converted", "conversion",
        "response", "responded", "attrition", "cancelled", "canceled", "clicked",
        "purchased", "readmitted", "died", "death", "failed", "failure", "approved",
        "accepted", "defect", "won"),
    1: ("class", "category", "price", "sales", "revenue", "amount"),
}
# Outcomes are mostly yes/no: a two-valued column gains this much over the others.
BINARY_BONUS = 2.0
LAST_COLUMN_BONUS = 0.5  # extracts tend to put the target last
TIME_HINTS = ("date", "time", "timestamp", "created", "signup", "day", "month", "period")
# A binary minority below this share makes precision-recall the more honest summary
# (a lower bar than the data-quality warning's, which flags what misleads accuracy).
PRECISION_RECALL_BELOW_SHARE = 0.2


@dataclass(frozen=True)
class Inspection:
    """What a quick look at a data file found."""

    path: Path
    size_bytes: int
    rows: int
    columns: list[ColumnInfo]  # in file order
    notes: tuple[str, ...] = ()  # how the file was read, e.g. an encoding told from it

    @property
    def names(self) -> tuple[str, ...]:
        """Return the column names."""
        return tuple(c.name for c in self.columns)

    def roles(self, role: str) -> list[str]:
        """Return the names of the columns with ``role``."""
        return [c.name for c in self.columns if c.role == role]


@dataclass(frozen=True)
class TargetSummary:
    """The target column over the whole file."""

    values: tuple[Any, ...]  # distinct, as plain Python values, most common first
    shares: tuple[float, ...]
    rows: int
    missing: int
    counts: tuple[int, ...] = ()  # rows of each value


def _stamp(path: Path) -> tuple[int, int] | None:
    """Return what changes when a file does, so reads can be cached; None if unreadable."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _table(data_file: Path | Source) -> Any:
    """Return the whole table of a source (a sample of a large one), read once while unchanged.

    A large source's table holds ``attrs["rows"]``, the count of every row.
    """
    large = _large_source(data_file)
    if large is not None:
        return _sampled_frame(large, tuple(_stamp(p) for p in large.files))
    if isinstance(data_file, Source) and data_file.kind != "file":
        return _source_frame(data_file)
    path = data_file.path if isinstance(data_file, Source) else data_file
    return _frame(Path(os.path.abspath(path)), _stamp(path))


def _large_source(data_file: Path | Source) -> Source | None:
    """Return the source when it is too large to load whole (see ``population``), else None."""
    from mvpgen.data.population import IN_MEMORY_BYTES, estimated_bytes

    if isinstance(data_file, Source):
        if data_file.kind == "dataset":
            return data_file
        if data_file.kind != "file" or data_file.path is None:
            return None
        data_file = data_file.path
    path = Path(os.path.abspath(data_file))
    if not path.is_file() or data.file_kind(path) is None:
        return None  # the reader says what is wrong with it
    return Source("file", path=path) if estimated_bytes(path) > IN_MEMORY_BYTES else None


def _rows(frame: Any) -> int:
    """Return how many rows the source holds (more than ``frame`` for a large one)."""
    return int(frame.attrs.get("rows", len(frame)))


def _where(data_file: Path | Source) -> Path:
    """Return a path that names the source in messages (a file's own path)."""
    if isinstance(data_file, Source):
        return data_file.path if data_file.kind == "file" else Path(data_file.name)
    return Path(data_file)


def inspect_file(data_file: Path | Source) -> Inspection:
    """Read a data file (a dataset, a query's result) as the project will; describe columns.

    Asking again about an unchanged source costs nothing: ``mvpgen new`` and its checks
    look at the same data several times.

    Raises:
        DataError: when the data cannot be used (the message says why and what to do).
    """
    frame = _table(data_file)
    columns = _columns_of(frame)
    files = data_file.files if isinstance(data_file, Source) else [Path(data_file)]
    size = sum(p.stat().st_size for p in files)
    notes = tuple(frame.attrs.get("notes", ()))
    if _rows(frame) > len(frame):
        notes += (f"column roles read from a random sample of {len(frame):,} of the "
                  f"{_rows(frame):,} rows (too many to load whole); counts cover every row",)
    return Inspection(_where(data_file), size, _rows(frame), columns, notes)


# The columns described, with the table they describe. Describing a million rows takes
# most of a second, and ``mvpgen new`` inspects one source three times (the overview, the
# proposals, the checks). ``_table`` hands out the same cached table while the source is
# unchanged, so that table's identity is the key: a changed file is a new table, described
# anew, and a table dropped from the cache is not kept alive by a weak reference.
_DESCRIBED: list[tuple[weakref.ref, tuple[ColumnInfo, ...]]] = []


def _columns_of(frame: Any) -> list[ColumnInfo]:
    """Return ``describe_columns(frame)``, described once per table (a list of its own)."""
    for table, columns in _DESCRIBED:
        if table() is frame:
            return list(columns)
    columns = tuple(describe_columns(frame))
    _DESCRIBED[:] = [(weakref.ref(frame), columns)]
    return list(columns)


def data_fingerprint(data_file: Path | Source) -> str:
    """Return the SHA-256 the evidence records for the data (see ``sources.fingerprint``)."""
    if isinstance(data_file, Source):
        return sources.fingerprint(data_file, _table(data_file))
    return fingerprint(data_file)


def summarize_target(data_file: Path | Source, target: str,
                     columns: tuple[str, ...]) -> TargetSummary:
    """Summarise the target column of the whole file (or source).

    Raises:
        MissingColumnError: when the data has no such column (the closest are suggested).
        DataError: when the data cannot be read.
    """
    frame = _table(data_file)
    if target not in frame.columns:
        try:
            data.require_columns(frame, _where(data_file), [target])
        except DataError as err:
            raise MissingColumnError(str(err)) from err
    large = _large_source(data_file)
    if large is not None:
        return _counted_target(large, target, frame)
    column = frame[target]
    counts = column.value_counts()
    values = tuple(python_values(counts.index))
    shares = counts / max(int(counts.sum()), 1)
    return TargetSummary(values, tuple(float(s) for s in shares), len(column),
                         int(column.isna().sum()), tuple(int(c) for c in counts))


def _counted_target(source: Source, target: str, sample: Any) -> TargetSummary:
    """Count the target's values over every row of a large source, in DuckDB.

    A quantity with more than ``EXACT_VALUES`` distinct values is summarised by the
    sample's values (what a threshold proposal needs); the row and missing counts still
    cover every row.
    """
    import duckdb

    from mvpgen.data.population import relation_of

    column = '"' + target.replace('"', '""') + '"'
    relation = f"({relation_of(source)})"
    with duckdb.connect() as db:
        rows, present, distinct = db.execute(
            f"SELECT count(*), count({column}), approx_count_distinct({column}) "
            f"FROM {relation}").fetchone()
        pairs = None
        if distinct <= EXACT_VALUES:
            pairs = db.execute(f"SELECT {column}, count(*) FROM {relation} WHERE {column} IS "
                               "NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()
    if pairs is None:
        counted = sample[target].value_counts()
        pairs = list(zip(python_values(counted.index), (int(n) for n in counted), strict=True))
    values = tuple(python_values([v for v, _ in pairs]))
    total = max(sum(n for _, n in pairs), 1)
    return TargetSummary(values, tuple(n / total for _, n in pairs), int(rows),
                         int(rows) - int(present), tuple(int(n) for _, n in pairs))


@lru_cache(maxsize=1)
def _frame(path: Path, stamp: tuple[int, int] | None) -> Any:
    """Read the whole file once per change of the file (``stamp``)."""
    return data.read_table(path)


@lru_cache(maxsize=1)
def _source_frame(source: Source) -> Any:
    """Read a dataset or a query's rows once (``mvpgen new`` looks several times)."""
    return sources.read_source(source)


@lru_cache(maxsize=1)
def _sampled_frame(source: Source, stamps: tuple[Any, ...]) -> Any:
    """Count a large source's rows and draw the random sample its roles are read from.

    ``stamps`` (one per file) makes a changed file read again.

    Raises:
        DataError: when DuckDB cannot read the source.
    """
    del stamps
    import duckdb

    from mvpgen.data.csvfile import clean_names
    from mvpgen.data.population import relation_of, sample_rows

    relation = relation_of(source)
    with duckdb.connect() as db:
        try:
            rows = int(db.execute(f"SELECT count(*) FROM ({relation})").fetchone()[0])
            frame = sample_rows(db, relation, SAMPLE_ROWS, seed=0, source=source.name)
        except duckdb.Error as err:
            msg = f"{source.name} cannot be read: {str(err).splitlines()[0]}"
            raise DataError(msg) from err
    if rows == 0:
        msg = f"{source.name} holds no rows; check the files"
        raise DataError(msg)
    clean_names([str(c) for c in frame.columns], Path(source.name))
    frame.attrs["rows"] = rows
    return frame


def forget_reads() -> None:
    """Drop the cached tables, e.g. before a step that needs the memory for itself."""
    import gc

    _frame.cache_clear()
    _source_frame.cache_clear()
    _sampled_frame.cache_clear()
    _DESCRIBED.clear()
    data.forget_reads()
    gc.collect()
    release_arrow_memory()


def release_arrow_memory() -> None:
    """Give the memory Arrow keeps for reuse back to the system (its pool holds on to it)."""
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None:
        pyarrow.default_memory_pool().release_unused()


@dataclass(frozen=True)
class TargetProposal:
    """The column most likely to be the target, and how sure that guess is."""

    column: str | None
    confident: bool  # its name says outcome, and no other column comes close
    reason: str  # why it is proposed, in words ("" when nothing is)
    candidates: tuple[str, ...]  # the columns worth considering, likeliest first


def propose_target(inspection: Inspection) -> str | None:
    """Return the column most likely to be the target, or None when no column can be."""
    return propose_target_choice(inspection).column


def propose_target_choice(inspection: Inspection) -> TargetProposal:
    """Rank the columns as targets: by name, by having two values, by coming last.

    A two-valued column named like an outcome (``survived``, ``churned``, ``is_fraud``)
    outranks a column whose name is only sometimes a target (``class``, ``price``).

    Returns:
        The likeliest column, whether it stands out enough to use without asking, why
        it is proposed, and the candidates.
    """
    usable = [c for c in inspection.columns
              if c.role in ("numeric", "categorical") and c.unique >= 2]
    if not usable:
        return TargetProposal(None, False, "", ())
    ranked = []
    for position, column in enumerate(usable):
        words = _name_score(column.name)
        total = words + (BINARY_BONUS if column.unique == 2 else 0.0)
        total += LAST_COLUMN_BONUS if position == len(usable) - 1 else 0.0
        ranked.append((total, position, words, column))
    ranked.sort(key=lambda item: (-item[0], -item[1]))  # a tie goes to the later column
    total, _, words, best = ranked[0]
    runner_up = ranked[1][0] if len(ranked) > 1 else -math.inf
    confident = words >= 3 and total - runner_up >= 1
    candidates = tuple(c.name for score, _, _, c in ranked if score >= 1)[:5] or (best.name,)
    return TargetProposal(best.name, confident, _target_reason(words, best), candidates)


def _name_score(name: str) -> int:
    """Return how strongly a column's name says it is the target (0: not at all)."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)  # isFraud -> is Fraud
    words = [w for w in re.split(r"[^0-9a-z]+", spaced.lower()) if w]
    for score, hints in TARGET_WORDS.items():
        for word in words:
            if any(word == hint or (len(hint) >= 4 and word.startswith(hint))
                   for hint in hints):
                return score
    return 0


def _target_reason(words: int, column: ColumnInfo) -> str:
    named = {4: "named like a target", 3: "named like an outcome",
             1: "named like something often predicted"}.get(words)
    parts = [named] if named else []
    if column.unique == 2:
        parts.append("with two values")
    return " and ".join(parts) if parts else "the last column that could be predicted"


def propose_details(inspection: Inspection, summary: TargetSummary, task: str | None,
                    target: str) -> dict[str, Any]:
    """Return the task, positive label, metric, id and time columns the data suggests."""
    task = task or infer_task(summary.values)
    proposed: dict[str, Any] = {"technical.task": task}
    if task == "binary":
        proposed["technical.positive_label"] = infer_positive_label(summary.values)
    proposed["technical.metric"] = propose_metric(task, summary.shares)
    ids = [name for name in inspection.roles("id") if name != target]
    proposed["data.id_columns"] = ids or None
    proposed["data.time_column"] = propose_time_column(inspection, target)
    return {k: v for k, v in proposed.items() if v is not None}


def propose_metric(task: str | None, shares: tuple[float, ...]) -> str | None:
    """Return a primary metric that suits the task and the class balance."""
    if not shares and task != "regression":
        return None  # an empty target has no balance to suit (and is refused as such)
    if task == "binary":
        return "average_precision" if min(shares) < PRECISION_RECALL_BELOW_SHARE else "roc_auc"
    if task == "multiclass":
        return "balanced_accuracy" if min(shares) < 0.5 / len(shares) else "f1_macro"
    if task == "regression":
        return "mae"
    return None


def date_columns(inspection: Inspection, target: str | None = None) -> list[str]:
    """Return the columns holding dates that vary: the only ones a holdout can follow."""
    return [c.name for c in inspection.columns
            if c.role == "datetime" and c.unique >= 2 and c.name != target]


def propose_time_column(inspection: Inspection, target: str) -> str | None:
    """Return the datetime column to hold out the most recent rows by, if one stands out.

    A date column holding one date (an export date) orders nothing, so is never proposed.
    """
    dates = date_columns(inspection, target)
    for hint in TIME_HINTS:
        for name in dates:
            if hint in name.lower():
                return name
    return dates[0] if len(dates) == 1 else None


def propose_group_columns(inspection: Inspection, target: str | None = None) -> list[str]:
    """Return the columns that name an entity holding several rows (household_id).

    Rows of one household, store or patient are alike; testing on rows whose group the
    model has seen flatters it. These are identifiers that repeat: a column in the ``id``
    role, or a category named like an identifier, with fewer values than rows.
    """
    out = []
    for c in inspection.columns:
        if c.name == target or c.unique < 2:
            continue
        present = round(inspection.rows * (1 - c.missing_share))
        repeats = c.unique < ID_UNIQUE_SHARE * present
        if repeats and (c.role == "id" or (c.role == "categorical"
                                           and looks_like_id_name(c.name))):
            out.append(c.name)
    return out


@dataclass(frozen=True)
class ThresholdProposal:
    """What a policy needing no model scores on a metric, and a threshold above it."""

    guessing: float  # the metric's value with no model
    how: str  # how that value is reached, in words
    best: float  # the best value the metric can take here
    default: float | None  # the proposed threshold; None when guessing already is the best
    higher_is_better: bool


# The proposed threshold asks for this share of the way from guessing to the best
# value (an AUC of 0.7), or for this much less error than no model.
DEFAULT_GAIN = 0.4
DEFAULT_ERROR_SHARE = 0.75


def propose_threshold(metric: str, summary: TargetSummary, positive_label: Any = None,
                      capacity: float | None = None) -> ThresholdProposal | None:
    """Return what guessing scores on ``metric`` for this target, and a threshold to aim for.

    Guessing is the best policy that needs no model: the majority's share for accuracy,
    0.5 for ROC AUC, the positive share for precision (acting on every case), the error
    of predicting the median for MAE.

    Args:
        metric: the metric's name.
        summary: the target column's values and their counts.
        positive_label: binary tasks: the value the KPI counts (else the rarer value).
        capacity: cases per 1,000 the business can act on (the ``_at_budget`` metrics).

    Returns:
        The proposal, or None when the data cannot tell (e.g. no capacity yet).
    """
    from mvpgen.metrics import METRICS

    if metric not in METRICS or not summary.values:
        return None
    guess = _guessing(metric, summary, positive_label, capacity)
    if guess is None:
        return None
    guessing, how, best = guess
    higher = METRICS[metric].higher_is_better
    if higher:
        default = None
        if guessing < best - 1e-9:
            default = min(best, round(guessing + DEFAULT_GAIN * (best - guessing), 2))
            if default <= guessing:
                default = min(best, round(guessing + 0.01, 2))
            if default <= guessing:  # guessing sits within a hundredth of the best
                default = None
    else:
        default = float(f"{DEFAULT_ERROR_SHARE * guessing:.3g}") if guessing > 0 else None
    return ThresholdProposal(guessing, how, best, default, higher)


def _guessing(metric: str, summary: TargetSummary, positive_label: Any,
              capacity: float | None) -> tuple[float, str, float] | None:
    """Return (what no model scores, how, the best value possible) for a metric."""
    shares = dict(zip(summary.values, summary.shares, strict=True))
    majority_value, majority = summary.values[0], summary.shares[0]
    k = len(summary.values)
    label = find_label(positive_label, summary.values) if positive_label is not None else None
    if label is None:
        label = infer_positive_label(summary.values)
    p = shares[label] if label is not None else min(summary.shares)
    every = f"acting on every case ({p:.1%} of them positive)"
    if metric in ("roc_auc", "roc_auc_ovr"):
        return 0.5, "ranking the rows at random", 1.0
    if metric == "average_precision":
        return p, f"ranking the rows at random (the positive share, {p:.1%})", 1.0
    if metric == "accuracy":
        return majority, (f"always answering {majority_value!r}, the most common value "
                          f"({majority:.1%} of rows)"), 1.0
    if metric == "balanced_accuracy":
        return 1 / k, "always answering the same value", 1.0
    if metric == "precision":
        return p, every, 1.0
    if metric == "recall":
        return 1.0, "acting on every case (it catches them all)", 1.0
    if metric == "f1":
        return 2 * p / (1 + p), every, 1.0
    if metric == "f1_macro":
        return 1 / k, "guessing each value as often as it occurs", 1.0
    if metric == "log_loss":
        entropy = -sum(s * math.log(s) for s in summary.shares if s > 0)
        return entropy, "predicting each value's share for every row", 0.0
    if metric in ("recall_at_budget", "precision_at_budget"):
        if capacity is None or capacity <= 0 or p <= 0:
            return None
        share = min(capacity / 1000, 1.0)
        acted = f"acting on {capacity:g} cases in every 1,000 chosen at random"
        if metric == "recall_at_budget":
            return share, acted, min(1.0, share / p)
        return p, acted + f" (the positive share, {p:.1%})", min(1.0, p / share)
    return _regression_guessing(metric, summary)


def _nth(pairs: list[tuple[float, int]], position: int) -> float:
    """Return the value at ``position`` (from 0) of the sorted values that ``pairs`` count."""
    seen = 0
    for value, n in pairs:
        seen += n
        if position < seen:
            return value
    return pairs[-1][0]


def _regression_guessing(metric: str, summary: TargetSummary) -> tuple[float, str, float] | None:
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in summary.values):
        return None
    pairs = sorted(zip((float(v) for v in summary.values), summary.counts, strict=True))
    rows = sum(n for _, n in pairs)
    if not rows:
        return None
    median = (_nth(pairs, (rows - 1) // 2) + _nth(pairs, rows // 2)) / 2
    mean = sum(v * n for v, n in pairs) / rows
    if metric == "mae":
        error = sum(abs(v - median) * n for v, n in pairs) / rows
        return error, f"predicting the median ({median:g}) for every row", 0.0
    if metric == "rmse":
        error = math.sqrt(sum((v - mean) ** 2 * n for v, n in pairs) / rows)
        return error, f"predicting the mean ({mean:.4g}) for every row", 0.0
    if metric == "r2":
        return 0.0, f"predicting the mean ({mean:.4g}) for every row", 1.0
    if metric == "mape" and all(v > 0 for v, _ in pairs):
        error = sum(abs(v - median) / v * n for v, n in pairs) / rows
        return error, f"predicting the median ({median:g}) for every row", 0.0
    return None


def roles_table(inspection: Inspection) -> list[str]:
    """Return the compact table of columns, roles and missing shares, as lines."""
    shown = inspection.columns[:TABLE_ROWS]
    names = [_cut(c.name) for c in shown]
    width = max(12, *(len(n) for n in names))
    lines = [f"  {'column':<{width}}  {'role':<11}  missing"]
    for name, c in zip(names, shown, strict=True):
        lines.append(f"  {name:<{width}}  {c.role:<11}  {c.missing_share:>6.1%}")
    hidden = len(inspection.columns) - len(shown)
    if hidden:
        roles = Counter(c.role for c in inspection.columns[TABLE_ROWS:])
        lines.append(f"  ... and {hidden} more columns: " +
                     ", ".join(f"{n} {role}" for role, n in roles.most_common()))
    return lines


def _cut(name: str, limit: int = 40) -> str:
    # A name with a line break stays on its row; one with an escape shows it, as text.
    name = printable(" ".join(name.split()), keep="")
    return name if len(name) <= limit else name[: limit - 1] + "…"

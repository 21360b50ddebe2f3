"""Look at a data file before generating: column roles, the target's values, proposals.

The reading and the column roles are the same code every step of a project uses, so
what ``mvpgen new`` shows is what the project will see.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from mvpgen.data import read as data
from mvpgen.data.read import fingerprint
from mvpgen.data.columns import ColumnInfo, describe_columns
from mvpgen.data.target import infer_positive_label, infer_task, python_values
from mvpgen.errors import DataError, MissingColumnError

TABLE_ROWS = 40  # columns listed one per line; the rest are counted by role
# Name fragments that usually mark the target, strongest first.
TARGET_HINTS = ("target", "label", "churn", "outcome", "class", "default", "fraud", "survived",
                "converted", "response", "price", "sales", "revenue", "amount", "y")
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


def inspect_file(path: Path) -> Inspection:
    """Read a data file as the project will, and describe each column.

    Asking again about an unchanged file costs nothing: ``mvpgen new`` and its checks
    look at the same file several times.

    Raises:
        DataError: when the file cannot be used (the message says why and what to do).
    """
    frame = _frame(Path(os.path.abspath(path)), _stamp(path))
    columns = describe_columns(frame)
    return Inspection(Path(path), Path(path).stat().st_size, len(frame), columns)


def summarize_target(path: Path, target: str, columns: tuple[str, ...]) -> TargetSummary:
    """Summarise the target column of the whole file.

    Raises:
        MissingColumnError: when the file has no such column (the closest are suggested).
        DataError: when the file cannot be read.
    """
    frame = _frame(Path(os.path.abspath(path)), _stamp(path))
    if target not in frame.columns:
        try:
            data.require_columns(frame, Path(path), [target])
        except DataError as err:
            raise MissingColumnError(str(err)) from err
    column = frame[target]
    counts = column.value_counts()
    values = tuple(python_values(counts.index))
    shares = counts / max(int(counts.sum()), 1)
    return TargetSummary(values, tuple(float(s) for s in shares), len(column),
                         int(column.isna().sum()), tuple(int(c) for c in counts))


@lru_cache(maxsize=1)
def _frame(path: Path, stamp: tuple[int, int] | None) -> Any:
    """Read the whole file once per change of the file (``stamp``)."""
    return data.read_table(path)


def forget_reads() -> None:
    """Drop the cached table, e.g. before a step that needs the memory for itself."""
    _frame.cache_clear()


def propose_target(inspection: Inspection) -> str | None:
    """Return the column most likely to be the target, from its name, role and position."""
    usable = [c for c in inspection.columns if c.role in ("numeric", "categorical")]
    for hint in TARGET_HINTS:
        for column in usable:
            words = column.name.lower().replace("-", "_").replace(" ", "_").split("_")
            if hint in words or (len(hint) > 2 and hint in column.name.lower()):
                return column.name
    return usable[-1].name if usable else None


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
    if task == "binary":
        return "average_precision" if min(shares) < PRECISION_RECALL_BELOW_SHARE else "roc_auc"
    if task == "multiclass":
        return "balanced_accuracy" if min(shares) < 0.5 / len(shares) else "f1_macro"
    if task == "regression":
        return "mae"
    return None


def propose_time_column(inspection: Inspection, target: str) -> str | None:
    """Return the datetime column to hold out the most recent rows by, if one stands out."""
    dates = [name for name in inspection.roles("datetime") if name != target]
    for hint in TIME_HINTS:
        for name in dates:
            if hint in name.lower():
                return name
    return dates[0] if len(dates) == 1 else None


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
    name = " ".join(name.split())  # a name with a line break stays on its row
    return name if len(name) <= limit else name[: limit - 1] + "…"

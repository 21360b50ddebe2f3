"""The quick look at the data: an HTML profile and a data-quality summary.

Quick mode profiles a reproducible random sample with the profiling library's minimal
settings: minutes become seconds, and on a sample of 100,000 rows the distributions it
shows are as good as exact. Full mode profiles every row with the explorative settings.
Both show the target as what it is and, in a section of mvpgen's own, against the
columns that explain it best (see :mod:`mvpgen.reports.eda_page`). The profile's alerts
are written to the summary, each with what it means for the project, so the checklist
says what the page shows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mvpgen.checks import require_fit_target
from mvpgen.data.quality import data_quality, explain_alerts
from mvpgen.data.read import load_dataset
from mvpgen.data.target import find_label, infer_positive_label, resolve_task
from mvpgen.mapping.describe import TASK_WORDS
from mvpgen.reports.eda_page import Section, profile_page
from mvpgen.reports.target_view import target_view
from mvpgen.store.files import write_together

if TYPE_CHECKING:
    import pandas as pd

    from mvpgen.project import Project

DEFAULT_SAMPLE_ROWS = 100_000
QUICK_MAX_COLUMNS = 60  # quick mode profiles the target and the first 59 other columns
VIEW_SECTION = "Target against columns"
REPORT = Path("reports/eda.html")
QUALITY = Path("reports/data_quality.json")


@dataclass(frozen=True)
class EdaResult:
    """What the EDA step wrote and found."""

    report: Path
    quality_file: Path
    rows: int
    profiled_rows: int
    quality: dict[str, Any]
    html: str = ""


def run_eda(project: Project, *, full: bool = False,
            sample_rows: int = DEFAULT_SAMPLE_ROWS, show_progress: bool = False,
            progress: Callable[[str], None] = lambda message: None) -> EdaResult:
    """Profile the data and summarise its quality.

    Args:
        project: the project.
        full: profile every row with the explorative settings instead of a sample.
        sample_rows: the largest sample quick mode profiles.
        show_progress: let the profiling library draw its progress bars.
        progress: called with a sentence before each long step.

    Returns:
        Where the report and the summary were written, and the summary.

    Raises:
        data.DataError: when the data cannot be read or has no usable target.
    """
    mapping, root = project.mapping, project.root
    seed = mapping.settings.seed
    progress(f"Reading {mapping.data.path}")
    dataset = load_dataset(mapping, root)
    frame = dataset.frame
    task = resolve_task(mapping.technical.task, frame[dataset.target].unique())
    require_fit_target(dataset, task, mapping)  # the same check as `mvpgen check`
    rows = len(frame)

    progress("Checking data quality")
    quality = data_quality(dataset, mapping, task=task, seed=seed)
    profiled = frame if full or rows <= sample_rows else frame.sample(n=sample_rows,
                                                                       random_state=seed)
    others = [c for c in frame.columns if c != dataset.target]
    if not full and len(others) > QUICK_MAX_COLUMNS - 1:
        # The profile draws every column; hundreds of them cost minutes. The quality
        # summary still covers every column.
        profiled = profiled[[dataset.target, *others[:QUICK_MAX_COLUMNS - 1]]].copy()
    roles = {name: entry["role"] for name, entry in quality["column_info"].items()}
    target = dataset.target
    progress(f"Drawing '{target}' against the columns that explain it best")
    view = target_view(frame, target, task, roles, positive=_positive(mapping, frame[target],
                                                                         task), seed=seed)

    scope = (f"all {rows:,} rows" if len(profiled) == rows
             else f"sample of {len(profiled):,} of {rows:,} rows")
    progress(f"Profiling {scope} ({'explorative' if full else 'minimal'} settings)")
    title = f"{mapping.project.name}: {target} ({task}), {scope}"
    coverage = (f"all {rows:,} rows with a target" if len(profiled) == rows else
                f"a random sample of {len(profiled):,} of the {rows:,} rows with a target "
                f"(seed {seed})")
    description = (f"EDA of the project '{mapping.project.name}'. Target: '{target}' "
                   f"({TASK_WORDS[task]}). The profile covers {coverage}; "
                   f"{dataset.rows_without_target:,} rows without a target are set aside. "
                   f"{_column_coverage(len(profiled.columns), len(frame.columns))}"
                   f"Data: {mapping.data.path}.")
    page = profile_page(profiled, target=target, task=task, title=title,
                        description=description, full=full, show_progress=show_progress,
                        categorical=tuple(c for c, role in roles.items()
                                          if role == "categorical"),
                        sections=(Section(VIEW_SECTION, "target-view", view.html),))
    quality["profile_alerts"] = explain_alerts(page.alerts, quality, mapping)
    quality["eda"] = {"mode": "full" if full else "quick", "profiled_rows": len(profiled),
                      "profiled_columns": len(profiled.columns), "seed": seed,
                      "report": REPORT.as_posix(),
                      "target_view": {"columns": view.columns, "rows": view.rows}}
    return EdaResult(root / REPORT, root / QUALITY, rows, len(profiled), quality, page.html)


def eda_step(project: Project, *, full: bool = False,
             sample_rows: int = DEFAULT_SAMPLE_ROWS, show_progress: bool = False,
             progress: Callable[[str], None] = lambda message: None) -> EdaResult:
    """Profile the data, then write the report and the summary together, and the checklist.

    The profile is drawn before the project's lock is taken, and the lock held only to
    write: the EDA reads nothing another step writes, so it can run beside the
    baseline (as ``mvpgen run`` does) without holding it up. The arguments are those of
    :func:`run_eda`.

    Raises:
        DataError: when the data cannot be read or has no usable target.
    """
    from mvpgen.data.read import forget_reads
    from mvpgen.steps.docs import refresh_after
    from mvpgen.store.files import require_writable
    from mvpgen.store.lock import project_lock

    require_writable(project.root, "reports")  # refused before the work, not after it
    result = run_eda(project, full=full, sample_rows=sample_rows,
                     show_progress=show_progress, progress=progress)
    forget_reads()  # the table's memory is not needed while waiting to write
    with project_lock(project.root, writes=("reports",), say=progress):
        # Both files are switched together: a failure leaves the previous pair.
        write_together(project.root, {
            QUALITY.as_posix(): json.dumps(result.quality, indent=2, ensure_ascii=False) + "\n",
            REPORT.as_posix(): result.html})
        refresh_after(project, "the reports were")
    return result


def _column_coverage(profiled: int, total: int) -> str:
    if profiled == total:
        return ""
    return (f"Quick mode shows the target and the first {profiled - 1} of the other "
            f"{total - 1} columns (all are in data_quality.json; --full shows all). ")


def _positive(mapping: Any, target: pd.Series, task: str) -> Any:
    """Return the positive class of a binary target: declared, obvious, or the rarer one."""
    if task != "binary":
        return None
    values = list(target.dropna().unique())
    declared = mapping.technical.positive_label
    label = (find_label(declared, values) if declared is not None
             else infer_positive_label(values))
    return label if label is not None else target.value_counts().index[-1]

"""The quick look at the data: an HTML profile and a data-quality summary.

Quick mode profiles a reproducible random sample with the profiling library's minimal
settings: minutes become seconds, and on a sample of 100,000 rows the distributions it
shows are as good as exact. Full mode profiles every row with the explorative settings.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mvpgen.checks import require_fit_target
from mvpgen.data.read import load_dataset
from mvpgen.mapping.describe import TASK_WORDS
from mvpgen.store.files import write_together
from mvpgen.data.quality import data_quality
from mvpgen.data.target import resolve_task

if TYPE_CHECKING:
    import pandas as pd

    from mvpgen.project import Project

DEFAULT_SAMPLE_ROWS = 100_000
QUICK_MAX_COLUMNS = 60  # quick mode profiles the target and the first 59 other columns
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
    quality["eda"] = {"mode": "full" if full else "quick", "profiled_rows": len(profiled),
                      "profiled_columns": len(profiled.columns), "seed": seed,
                      "report": REPORT.as_posix()}

    scope = (f"all {rows:,} rows" if len(profiled) == rows
             else f"sample of {len(profiled):,} of {rows:,} rows")
    progress(f"Profiling {scope} ({'explorative' if full else 'minimal'} settings)")
    title = f"{mapping.project.name}: {dataset.target} ({task}), {scope}"
    coverage = (f"all {rows:,} rows with a target" if len(profiled) == rows else
                f"a random sample of {len(profiled):,} of the {rows:,} rows with a target "
                f"(seed {seed})")
    description = (f"EDA of the project '{mapping.project.name}'. Target: '{dataset.target}' "
                   f"({TASK_WORDS[task]}). The profile covers {coverage}; "
                   f"{dataset.rows_without_target:,} rows without a target are set aside. "
                   f"{_column_coverage(len(profiled.columns), len(frame.columns))}"
                   f"Data: {mapping.data.path}.")
    html = profile_html(profiled, title=title, description=description, full=full,
                        show_progress=show_progress)
    return EdaResult(root / REPORT, root / QUALITY, rows, len(profiled), quality, html)


def eda_step(project: Project, *, full: bool = False,
             sample_rows: int = DEFAULT_SAMPLE_ROWS, show_progress: bool = False,
             progress: Callable[[str], None] = lambda message: None) -> EdaResult:
    """Profile the data, then write the report and the summary together, and the checklist.

    Raises:
        DataError: when the data cannot be read or has no usable target.
    """
    from mvpgen.steps.docs import refresh_all
    from mvpgen.store.lock import project_lock

    with project_lock(project.root, say=progress):
        result = run_eda(project, full=full, sample_rows=sample_rows,
                         show_progress=show_progress, progress=progress)
        # Both files are switched together: a failure leaves the previous pair.
        write_together(project.root, {
            QUALITY.as_posix(): json.dumps(result.quality, indent=2, ensure_ascii=False) + "\n",
            REPORT.as_posix(): result.html})
        refresh_all(project)
    return result


def _column_coverage(profiled: int, total: int) -> str:
    if profiled == total:
        return ""
    return (f"Quick mode shows the target and the first {profiled - 1} of the other "
            f"{total - 1} columns (all are in data_quality.json; --full shows all). ")


def profile_html(frame: pd.DataFrame, *, title: str, description: str, full: bool,
                 show_progress: bool) -> str:
    """Return the profiling library's report on ``frame`` as one self-contained page."""
    report_class = _profile_report_class()
    report = report_class(frame, title=title, minimal=not full, explorative=full,
                          progress_bar=show_progress, dataset={"description": description})
    # One page with its scripts, styles and images inside: it opens offline, anywhere.
    report.config.html.inline = True
    report.config.html.use_local_assets = True
    return report.to_html()


def _profile_report_class() -> Any:
    try:
        from data_profiling import ProfileReport
    except ImportError:  # the library's former name, where only that is installed
        from ydata_profiling import ProfileReport
    return ProfileReport

"""Quick EDA against the profiling library's own minimal report on the same frame.

    python benchmarks/eda.py [--rows 5000 100000 1000000] [--repeat 3]

For each size of the seeded synthetic table, two commands run, each in a fresh process,
alternately, ``--repeat`` times, and the median wall time and peak memory are shown:

- the generated project's quick EDA (``python -m <package> eda --quiet``): it reads the
  CSV file, writes the data-quality summary, draws the target against its strongest
  columns and profiles a sample of at most 100,000 rows, and updates the checklist;
- the library's minimal report (``ProfileReport(frame, minimal=True)``) on the same
  frame: read by mvpgen's reader, so both start from the same columns and types, and
  written to a file.

The goal is a quick EDA that costs at most 1.2 times the library's minimal report. At a
million rows the library profiles every row while the quick EDA profiles its sample.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from common import make_project, measure, write_table

GOAL = 1.2
# The library's default report on all rows of the CSV file (run.py compares with it).
DEFAULT_REPORT = """
import sys
import pandas as pd
try:
    from data_profiling import ProfileReport
except ImportError:
    from ydata_profiling import ProfileReport
frame = pd.read_csv(sys.argv[1], engine="pyarrow", parse_dates=["event_date"])
ProfileReport(frame, progress_bar=False).to_file(sys.argv[2])
"""
MINIMAL_REPORT = """
import sys
from pathlib import Path
from mvpgen.data.read import load_dataset
from mvpgen.project import Project
try:
    from data_profiling import ProfileReport
except ImportError:
    from ydata_profiling import ProfileReport
project = Project.load(Path(sys.argv[1]))
frame = load_dataset(project.mapping, project.root).frame
ProfileReport(frame, minimal=True, progress_bar=False).to_file(sys.argv[2])
"""


def median_of(runs: list[dict]) -> dict:
    return {"seconds": statistics.median(r["seconds"] for r in runs),
            "peak_mb": statistics.median(r["peak_mb"] for r in runs)}


def compare(rows: int, folder: Path, repeat: int) -> tuple[dict, dict]:
    """Return the median measurements of the quick EDA and of the library's minimal report."""
    import os

    data = write_table(rows, folder)
    project = make_project(folder, data)
    package = next(p.name for p in (project / "src").iterdir() if p.is_dir())
    env = {**os.environ, "PYTHONPATH": "src", "TQDM_DISABLE": "1"}
    quick, minimal = [], []
    for _ in range(repeat):
        quick.append(measure([sys.executable, "-m", package, "eda", "--quiet"], cwd=project,
                             env=env))
        minimal.append(measure([sys.executable, "-c", MINIMAL_REPORT, str(project),
                                str(folder / f"minimal_{rows}.html")], env=env))
    return median_of(quick), median_of(minimal)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[5_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--folder", type=Path,
                        default=Path(tempfile.gettempdir()) / "mvpgen-bench")
    args = parser.parse_args()
    args.folder.mkdir(exist_ok=True)
    print(f"{'rows':>10} {'quick EDA s':>12} {'minimal s':>10} {'ratio':>6} "
          f"{'quick MB':>9} {'minimal MB':>11}  goal ≤ {GOAL}×")
    for rows in args.rows:
        quick, minimal = compare(rows, args.folder, args.repeat)
        ratio = quick["seconds"] / minimal["seconds"]
        print(f"{rows:>10,} {quick['seconds']:>12.2f} {minimal['seconds']:>10.2f} "
              f"{ratio:>6.2f} {quick['peak_mb']:>9.0f} {minimal['peak_mb']:>11.0f}  "
              f"{'met' if ratio <= GOAL else 'missed'}", flush=True)


if __name__ == "__main__":
    main()

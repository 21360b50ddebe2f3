"""Quick EDA against the profiling library's default report, on a seeded million-row table.

    python benchmarks/eda.py [--rows 1000000]

Prints wall time and peak memory side by side, each measured in a fresh process: the
library's default report on all rows, and the generated project's quick EDA (which
also reads the CSV file and writes the data-quality summary).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from common import make_project, measure, table, write_table

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--folder", type=Path,
                        default=Path(tempfile.gettempdir()) / "mvpgen-bench")
    args = parser.parse_args()
    args.folder.mkdir(exist_ok=True)
    data = write_table(args.rows, args.folder)
    project = make_project(args.folder, data)
    env = {**os.environ, "PYTHONPATH": "src", "TQDM_DISABLE": "1"}
    package = next(p.name for p in (project / "src").iterdir() if p.is_dir())

    rows = [
        (f"quick EDA, sample of 100,000 ({args.rows:,} rows)",
         measure([sys.executable, "-m", package, "eda", "--quiet"], cwd=project, env=env)),
        (f"profiling library, default report ({args.rows:,} rows)",
         measure([sys.executable, "-c", DEFAULT_REPORT, str(data),
                  str(args.folder / "default.html")], env=env)),
    ]
    print(table(rows, reference=rows[1][0]))


if __name__ == "__main__":
    main()

"""Quick EDA against the profiling library's default report, on a seeded million-row table.

    python benchmarks/eda.py [--rows 1000000]

Prints wall time and peak memory side by side, each measured in a fresh process: the
library's default report on all rows, and the generated project's quick EDA (which
also reads the CSV file and writes the data-quality summary).
"""

from __future__ import annotations

import sys

from common import measure, setup, table

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
    run = setup(__doc__.splitlines()[0])
    rows = [
        (f"quick EDA, sample of 100,000 ({run.rows:,} rows)",
         measure([sys.executable, "-m", run.package, "eda", "--quiet"], cwd=run.project,
                 env=run.env)),
        (f"profiling library, default report ({run.rows:,} rows)",
         measure([sys.executable, "-c", DEFAULT_REPORT, str(run.data),
                  str(run.folder / "default.html")], env=run.env)),
    ]
    print(table(rows, reference=rows[1][0]))


if __name__ == "__main__":
    main()

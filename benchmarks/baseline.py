"""The whole baseline step against the floor: one hand-written LogisticRegression fit.

    python benchmarks/baseline.py [--rows 1000000]

Prints wall time and peak memory side by side, each measured in a fresh process: the
floor reads the CSV file and fits one scikit-learn pipeline (scaling and one-hot
encoding before a logistic regression); the baseline step fits three models, cross-
validates them, bootstraps the holdout, draws the learning curve and writes the
report and the model.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from common import make_project, measure, table, write_table

FLOOR = """
import sys
import pandas as pd
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

frame = pd.read_csv(sys.argv[1], engine="pyarrow")
y = frame.pop("converted") == "yes"
numbers = [c for c in frame if c.startswith("num_")]
categories = [c for c in frame if c.startswith("cat_")]
model = make_pipeline(
    make_column_transformer((StandardScaler(), numbers),
                            (OneHotEncoder(handle_unknown="ignore"), categories)),
    LogisticRegression(max_iter=2000),
)
model.fit(frame, y)
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
    env = {**os.environ, "PYTHONPATH": "src"}
    package = next(p.name for p in (project / "src").iterdir() if p.is_dir())
    rows = [
        (f"floor: read + one LogisticRegression fit ({args.rows:,})",
         measure([sys.executable, "-c", FLOOR, str(data)], env=env)),
        (f"baseline step, three models ({args.rows:,} rows)",
         measure([sys.executable, "-m", package, "baseline", "--quiet"], cwd=project, env=env)),
    ]
    print(table(rows, reference=rows[0][0]))


if __name__ == "__main__":
    main()

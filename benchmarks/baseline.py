"""The whole baseline step against the floor: one hand-written LogisticRegression fit.

    python benchmarks/baseline.py [--rows 1000000]

Prints wall time and peak memory side by side, each measured in a fresh process: the
floor reads the CSV file and fits one scikit-learn pipeline (scaling and one-hot
encoding before a logistic regression); the baseline step fits three models, cross-
validates them, bootstraps the holdout, draws the learning curve and writes the
report and the model.
"""

from __future__ import annotations

import sys

from common import measure, setup, table

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
    run = setup(__doc__.splitlines()[0])
    rows = [
        (f"floor: read + one LogisticRegression fit ({run.rows:,})",
         measure([sys.executable, "-c", FLOOR, str(run.data)], env=run.env)),
        (f"baseline step, three models ({run.rows:,} rows)",
         measure([sys.executable, "-m", run.package, "baseline", "--quiet"], cwd=run.project,
                 env=run.env)),
    ]
    print(table(rows, reference=rows[0][0]))


if __name__ == "__main__":
    main()

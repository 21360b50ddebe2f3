"""The columns the models see, and how they become numbers. This file is yours.

mvpgen calls these three functions in every step (eda, baseline, review, predict), so
an edit here changes what every contender sees, and ``predict`` reads new rows the
same way. The defaults are mvpgen's plan: numbers imputed and scaled, categories
one-hot encoded, dates (the time column too) as calendar parts and a trend;
identifiers, constants and free text left out, each with the reason the report shows.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from mvpgen.features import FeaturePlan, default_preprocessor


def derive(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the table with any derived columns added, before the plan sees it.

    A derived column must be computable when a prediction is made (no future values).
    For example::

        frame["spend_per_month"] = frame["total_spend"] / frame["tenure_months"].clip(lower=1)
    """
    return frame


def plan(default: FeaturePlan) -> FeaturePlan:
    """Return which columns feed the models, and as what.

    ``default`` is mvpgen's plan; change it with ``drop`` and ``use``, e.g.::

        return default.drop("notes", why="free text we cannot use yet").use("zip", "categorical")
    """
    return default


def preprocessor(plan: FeaturePlan) -> Any:
    """Return an unfitted scikit-learn transformer that turns the plan's columns into numbers."""
    return default_preprocessor(plan)

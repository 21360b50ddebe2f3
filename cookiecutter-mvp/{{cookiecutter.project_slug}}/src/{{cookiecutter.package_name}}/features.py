"""Turn a dirty table into numbers a linear model can use, fitted on training rows only.

Numbers are imputed (with a flag saying a value was missing) and scaled; categories
are one-hot encoded with rare ones grouped; dates become year, month, weekday and a
running day count; identifiers, constants and free text are dropped, and every
dropped column is reported with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

if TYPE_CHECKING:
    from .columns import ColumnInfo

# A category seen in fewer training rows than this is grouped with the other rare ones.
MIN_CATEGORY_ROWS = 20
MAX_CATEGORIES = 30
_DROP_REASONS = {"id": "an identifier", "constant": "one value only",
                 "text": "free text with many distinct values"}


@dataclass
class FeaturePlan:
    """Which columns feed the models, as what, and which are dropped and why."""

    numeric: list[str] = field(default_factory=list)
    categorical: list[str] = field(default_factory=list)
    datetime: list[str] = field(default_factory=list)
    dropped: dict[str, str] = field(default_factory=dict)

    @property
    def used(self) -> list[str]:
        """Return the columns the models use."""
        return self.numeric + self.categorical + self.datetime


def plan_features(infos: list[ColumnInfo], features: list[str], *,
                  group_column: str | None = None,
                  time_column: str | None = None) -> FeaturePlan:
    """Sort the candidate columns by what the models can make of them.

    Args:
        infos: every column's role.
        features: the candidate columns (the target and id columns already removed).
        group_column: a grouping key: dropped, like any identifier.
        time_column: the column the holdout is cut by: dropped, since every holdout
            time lies beyond the training times and a model could only extrapolate it.
    """
    plan = FeaturePlan()
    roles = {i.name: i for i in infos}
    for column in features:
        info = roles.get(column)
        role = info.role if info else "constant"
        if column == time_column:
            plan.dropped[column] = "the time column: the holdout lies beyond its training range"
        elif info is not None and info.missing_share == 1.0:
            plan.dropped[column] = "empty in every row"
        elif column == group_column:
            plan.dropped[column] = "the group column, an identifier"
        elif role in _DROP_REASONS:
            plan.dropped[column] = _DROP_REASONS[role]
        else:
            getattr(plan, role).append(column)
    return plan


def preprocessor(plan: FeaturePlan) -> Any:
    """Return the (unfitted) transformer that turns the plan's columns into numbers."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    numbers = make_pipeline(SimpleImputer(strategy="median", add_indicator=True),
                            StandardScaler())
    categories = OneHot()
    dates = make_pipeline(FunctionTransformer(date_parts, feature_names_out=date_part_names),
                          SimpleImputer(strategy="median", add_indicator=True),
                          StandardScaler())
    parts = [(name, pipe, columns) for name, pipe, columns in
             (("numeric", numbers, plan.numeric), ("categorical", categories, plan.categorical),
              ("datetime", dates, plan.datetime)) if columns]
    return ColumnTransformer(parts, verbose_feature_names_out=True)


class OneHot(TransformerMixin, BaseEstimator):
    """One column per frequent category, one for all the rare and unseen ones.

    Categories seen in fewer than ``MIN_CATEGORY_ROWS`` training rows, beyond the
    ``MAX_CATEGORIES`` most common, or never seen in training share the column
    ``(other)``; a missing value is a category of its own. pandas counts the values
    (fast on its category dtype), so a million rows take a fraction of a second.
    """

    def fit(self, X: pd.DataFrame, y: Any = None) -> OneHot:
        """Learn each column's frequent categories."""
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.categories_ = []
        # Small tables keep small categories: 2 rows in a table of 100 is a signal.
        least = max(2, min(MIN_CATEGORY_ROWS, len(X) // 50))
        for column in X.columns:
            counts = _as_text(X[column]).value_counts()
            kept = counts[counts >= least].index[:MAX_CATEGORIES]
            self.categories_.append(list(kept))
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        """Return the indicator columns, in the order of :meth:`get_feature_names_out`."""
        blocks = []
        for column, kept in zip(X.columns, self.categories_, strict=True):
            codes = pd.Categorical(_as_text(X[column]), categories=kept).codes
            block = np.zeros((len(X), len(kept) + 1))
            block[np.arange(len(X)), np.where(codes >= 0, codes, len(kept))] = 1.0
            blocks.append(block)
        return np.hstack(blocks) if blocks else np.zeros((len(X), 0))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Return ``column = category`` names, the words the report shows."""
        names = [f"{column} = {category}" for column, kept in
                 zip(self.feature_names_in_, self.categories_, strict=True)
                 for category in [*kept, "(other)"]]
        return np.asarray(names, dtype=object)


def _as_text(series: pd.Series) -> pd.Series:
    """Return values as text, missing ones as ``(missing)``: one kind of value per column."""
    values = series
    if pd.api.types.is_float_dtype(series) and (series.dropna() % 1 == 0).all():
        values = series.astype("Int64")  # 10.0 in a new file is the 10 seen in training
    text = values.astype(object).astype(str)
    return text.where(series.notna().to_numpy(), "(missing)")


_PARTS = ("year", "month", "weekday", "days")


def date_parts(frame: pd.DataFrame) -> Any:
    """Return each date column as year, month, weekday and days since 1970."""
    columns = []
    for name in frame.columns:
        dates = pd.to_datetime(frame[name], errors="coerce")
        if getattr(dates.dt, "tz", None) is not None:
            dates = dates.dt.tz_convert(None)
        days = (dates - pd.Timestamp(0)) / pd.Timedelta(days=1)  # whatever the unit
        columns += [dates.dt.year, dates.dt.month, dates.dt.dayofweek, days]
    return np.column_stack([c.astype(float).to_numpy() for c in columns])


def date_part_names(transformer: Any, names: Any) -> list[str]:
    """Return the names of the parts :func:`date_parts` makes, for the coefficients table."""
    return [f"{name} ({part})" for name in names for part in _PARTS]

"""Turn a dirty table into numbers a model can use, fitted on training rows only.

This is mvpgen's default plan, which a project's own ``features.py`` starts from and
may change: numbers are imputed (with a flag saying a value was missing) and scaled;
categories are one-hot encoded with rare ones grouped; dates become calendar parts that
recur (month, weekday, hour) and an elapsed-time trend, the time column included, so a
trend over time is learnt rather than thrown away; identifiers, constants and free text
are dropped, and every dropped column is reported with the reason.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from mvpgen.errors import DataError

if TYPE_CHECKING:
    from mvpgen.data.columns import ColumnInfo

KINDS = ("numeric", "categorical", "datetime")
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
    time_column: str | None = None  # the split's time column, when it is among datetime

    @property
    def used(self) -> list[str]:
        """Return the columns the models use."""
        return self.numeric + self.categorical + self.datetime

    @property
    def kinds(self) -> dict[str, str]:
        """Return each used column's kind."""
        return ({c: "numeric" for c in self.numeric} | {c: "categorical" for c in
                                                        self.categorical}
                | {c: "datetime" for c in self.datetime})

    def only(self, columns: list[str]) -> FeaturePlan:
        """Return a copy of the plan that uses only ``columns`` (in their kinds)."""
        keep = set(columns)
        return FeaturePlan([c for c in self.numeric if c in keep],
                           [c for c in self.categorical if c in keep],
                           [c for c in self.datetime if c in keep], dict(self.dropped),
                           self.time_column)

    def drop(self, column: str, why: str) -> FeaturePlan:
        """Stop using ``column``, saying why; return the plan (for chaining)."""
        for kind in KINDS:
            if column in getattr(self, kind):
                getattr(self, kind).remove(column)
        self.dropped[column] = why
        return self

    def use(self, column: str, kind: str) -> FeaturePlan:
        """Use ``column`` as ``numeric``, ``categorical`` or ``datetime``; return the plan.

        Raises:
            ValueError: for another kind.
        """
        if kind not in KINDS:
            msg = f"kind {kind!r} is not one of: {', '.join(KINDS)}"
            raise ValueError(msg)
        self.dropped.pop(column, None)
        for other in KINDS:
            if column in getattr(self, other):
                getattr(self, other).remove(column)
        getattr(self, kind).append(column)
        return self


def default_plan(infos: list[ColumnInfo], candidates: list[str], *,
                 group_column: str | None = None,
                 time_column: str | None = None) -> FeaturePlan:
    """Sort the candidate columns by what the models can make of them.

    Args:
        infos: every column's role.
        candidates: the columns that may be features (the target and ids removed).
        group_column: a grouping key: dropped, like any identifier.
        time_column: the split's time column: used for its calendar parts and its
            trend, so a model learns how the target moves over time.
    """
    plan = FeaturePlan(time_column=time_column)
    roles = {i.name: i for i in infos}
    for column in candidates:
        info = roles.get(column)
        role = info.role if info else "constant"
        if info is not None and info.missing_share == 1.0:
            plan.dropped[column] = "empty in every row"
        elif column == group_column:
            plan.dropped[column] = "the group column, an identifier"
        elif column == time_column:
            plan.datetime.append(column)
        elif role in _DROP_REASONS:
            plan.dropped[column] = _DROP_REASONS[role]
        else:
            getattr(plan, role).append(column)
    return plan


def default_preprocessor(plan: FeaturePlan) -> Any:
    """Return the (unfitted) transformer that turns the plan's columns into numbers."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    numbers = make_pipeline(SimpleImputer(strategy="median", add_indicator=True),
                            StandardScaler())
    dates = make_pipeline(DateParts(), SimpleImputer(strategy="median", add_indicator=True),
                          StandardScaler())
    parts = [(name, pipe, columns) for name, pipe, columns in
             (("numeric", numbers, plan.numeric), ("categorical", OneHot(), plan.categorical),
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
            counts = as_text(X[column]).value_counts()
            # Most common first, ties by name: the same columns whatever order a reader
            # gave the categories (a CSV's first appearance, a database's sort).
            ranked = sorted(((int(n), str(k)) for k, n in counts.items() if n >= least),
                            key=lambda item: (-item[0], item[1]))
            self.categories_.append([name for _, name in ranked[:MAX_CATEGORIES]])
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        """Return the indicator columns, in the order of :meth:`get_feature_names_out`."""
        blocks = []
        for column, kept in zip(X.columns, self.categories_, strict=True):
            codes = pd.Categorical(as_text(X[column]), categories=kept).codes
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


def as_text(series: pd.Series) -> pd.Series:
    """Return values as text, missing ones as ``(missing)``: one kind of value per column."""
    values = series
    if pd.api.types.is_float_dtype(series) and (series.dropna() % 1 == 0).all():
        values = series.astype("Int64")  # 10.0 in a new file is the 10 seen in training
    text = values.astype(object).astype(str)
    return text.where(series.notna().to_numpy(), "(missing)")


def _naive_dates(values: pd.Series) -> bool:
    """Return whether ``values`` are already dates without a time zone (numpy's kind)."""
    return isinstance(values.dtype, np.dtype) and np.issubdtype(values.dtype, np.datetime64)


def days_since_epoch(values: pd.Series) -> pd.Series:
    """Return dates as days since 1970 (floats; missing stays NaN), whatever their unit."""
    if _naive_dates(values):  # already dates: no parsing, the same figures
        unit, _ = np.datetime_data(values.dtype)
        ticks = values.to_numpy().view("int64").astype(float)
        ticks[values.isna().to_numpy()] = np.nan
        return pd.Series(ticks / (np.timedelta64(1, "D") / np.timedelta64(1, unit)),
                         index=values.index, name=values.name)
    dates = pd.to_datetime(values, errors="coerce")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_convert(None)
    return (dates - pd.Timestamp(0)) / pd.Timedelta(days=1)


class DateParts(TransformerMixin, BaseEstimator):
    """Dates as the parts a model can use: what recurs, and how much time has passed.

    Each date column becomes the month and the weekday as points on a circle (so
    December sits next to January), the hour the same way when the column holds
    times of day, and the years elapsed since the earliest training date: a trend a
    linear model can carry into later rows.
    """

    def fit(self, X: pd.DataFrame, y: Any = None) -> DateParts:
        """Learn each column's earliest date and whether it holds times of day."""
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.start_, self.hours_ = [], []
        for column in X.columns:
            days = days_since_epoch(X[column])
            self.start_.append(float(days.min()) if days.notna().any() else 0.0)
            self.hours_.append(bool((days.dropna() % 1).any()))
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        """Return the parts, in the order of :meth:`get_feature_names_out`."""
        columns = []
        for column, start, hours in zip(X.columns, self.start_, self.hours_, strict=True):
            dates = (X[column] if _naive_dates(X[column])
                     else pd.to_datetime(X[column], errors="coerce"))
            if getattr(dates.dt, "tz", None) is not None:
                dates = dates.dt.tz_convert(None)
            month = 2 * np.pi * (dates.dt.month - 1) / 12
            weekday = 2 * np.pi * dates.dt.dayofweek / 7
            parts = [np.sin(month), np.cos(month), np.sin(weekday), np.cos(weekday)]
            if hours:
                hour = 2 * np.pi * (dates.dt.hour + dates.dt.minute / 60) / 24
                parts += [np.sin(hour), np.cos(hour)]
            parts.append((days_since_epoch(X[column]) - start) / 365.25)
            columns += [pd.Series(p).astype(float).to_numpy() for p in parts]
        return np.column_stack(columns) if columns else np.zeros((len(X), 0))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Return ``column (part)`` names, the words the report shows."""
        names = []
        for column, hours in zip(self.feature_names_in_, self.hours_, strict=True):
            parts = ["month, sin", "month, cos", "weekday, sin", "weekday, cos"]
            parts += ["hour, sin", "hour, cos"] if hours else []
            names += [f"{column} ({part})" for part in [*parts, "years elapsed"]]
        return np.asarray(names, dtype=object)


def as_trained(frame: pd.DataFrame, kinds: dict[str, str], source: str) -> pd.DataFrame:
    """Give each column the kind it had in training, or say which value does not fit.

    Raises:
        DataError: naming the column and a value that is not a number (or a date).
    """
    converted_columns = {}
    for column, kind in kinds.items():
        if kind not in ("numeric", "datetime") or column not in frame.columns:
            continue
        values = frame[column]
        already = (pd.api.types.is_datetime64_any_dtype(values) if kind == "datetime" else
                   pd.api.types.is_numeric_dtype(values)
                   and not pd.api.types.is_bool_dtype(values))
        if already:
            continue  # read as in training: nothing to convert, nothing to copy
        if kind == "numeric":
            converted = pd.to_numeric(values, errors="coerce")
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the values that fail are reported below
                converted = pd.to_datetime(values, errors="coerce")
        bad = values.notna() & converted.isna()
        if bad.any():
            what = "a number" if kind == "numeric" else "a date"
            msg = (f"{source}: column '{column}' holds {values[bad].iloc[0]!r}, which is not "
                   f"{what} as in training ({int(bad.sum())} such rows); fix or empty them")
            raise DataError(msg)
        converted_columns[column] = converted
    return frame.assign(**converted_columns) if converted_columns else frame

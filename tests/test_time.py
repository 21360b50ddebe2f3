"""Time is used, not thrown away: calendar parts and a trend, folds cut between times,
and a drift warning when the newest rows behave unlike the training folds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_verdict import make_project

from mvpgen.evaluation.baseline import run_baseline
from mvpgen.evaluation.split import Split, cv_folds
from mvpgen.features import DateParts, FeaturePlan, default_plan, default_preprocessor


def trend_table(rows: int = 2400, seed: int = 0, *, break_at: float | None = None) -> pd.DataFrame:
    """Daily demand with a yearly season and a steady upward trend."""
    rng = np.random.default_rng(seed)
    days = np.sort(rng.integers(0, 4 * 365, rows))
    date = pd.Timestamp("2021-01-01") + pd.to_timedelta(days, unit="D")
    price = rng.normal(10, 2, rows).round(2)
    season = 8 * np.sin(2 * np.pi * (date.dayofyear.to_numpy() - 80) / 365.25)
    demand = 40 + 0.02 * days + season - 1.5 * price + rng.normal(0, 2, rows)
    if break_at is not None:  # the newest rows behave differently
        demand = np.where(days > break_at * days.max(), demand + 25, demand)
    return pd.DataFrame({"day": date, "price": price,
                         "store": rng.choice(["a", "b"], rows), "demand": demand.round(2)})


def test_date_parts_recur_and_carry_a_trend() -> None:
    dates = pd.DataFrame({"d": pd.to_datetime(["2024-01-01", "2024-12-31", "2025-06-30"])})
    parts = DateParts().fit(dates.iloc[:1])
    values = parts.transform(dates)
    names = list(parts.get_feature_names_out())
    assert names == ["d (month, sin)", "d (month, cos)", "d (weekday, sin)", "d (weekday, cos)",
                     "d (years elapsed)"]
    # December and January sit side by side on the month circle.
    assert values[0, 1] == pytest.approx(1.0) and values[1, 1] == pytest.approx(np.cos(
        2 * np.pi * 11 / 12))
    assert values[:, 4] == pytest.approx([0.0, 365 / 365.25, 546 / 365.25])


def test_the_time_column_feeds_the_models() -> None:
    from mvpgen.data.columns import describe_columns

    frame = trend_table(200)
    plan = default_plan(describe_columns(frame, time_column="day"), ["day", "price", "store"],
                        time_column="day")
    assert plan.datetime == ["day"] and plan.time_column == "day"
    matrix = default_preprocessor(plan).fit_transform(frame[plan.used])
    assert matrix.shape == (200, 1 + 3 + 5)  # price; two stores and "other"; five day parts


def test_folds_are_cut_between_times_never_through_one() -> None:
    times = pd.Series(pd.to_datetime(np.repeat(pd.date_range("2025-01-01", periods=50), 7)))
    frame = pd.DataFrame({"t": times})
    split = Split("time", np.arange(350), np.arange(0), 0)
    folds = cv_folds(split, frame, np.zeros(350), "regression", time_column="t",
                     group_column=None, folds=5)
    assert folds.kind == "time" and len(folds) == 5
    for fit, test in folds.folds:
        assert times.iloc[fit].max() < times.iloc[test].min()  # forward, and no shared time


@pytest.mark.slow
def test_a_trend_is_learnt_from_the_time_column(isolated: Path) -> None:
    frame = trend_table()
    meta = {"task": "regression", "target": "demand", "metric": "mae", "threshold": 3.0}
    result = run_baseline(make_project(isolated / "demand", frame, meta,
                                       time_column="day")).result
    assert result.features["time_column"] == "day"
    assert "years elapsed (a trend)" in result.features["time_parts"]
    linear = result.contenders["linear model"]
    assert linear.value("mae") == pytest.approx(1.72, abs=0.01)
    assert result.goal.verdict == "met"
    assert result.drift is not None and not result.drift["drifted"]
    # Without the time column, the same data misses the goal by far.
    meta_no_time = dict(meta)
    frame_no_time = frame.assign(day=frame["day"].dt.strftime("%Y-%m-%d"))
    project = make_project(isolated / "no_time", frame_no_time.drop(columns="day")
                           .assign(order=np.arange(len(frame))), meta_no_time)
    without = run_baseline(project).result.contenders["linear model"].value("mae")
    assert without > 1.5 * linear.value("mae")


@pytest.mark.slow
def test_a_break_in_the_newest_rows_raises_a_drift_warning(isolated: Path) -> None:
    frame = trend_table(break_at=0.9)
    meta = {"task": "regression", "target": "demand", "metric": "mae", "threshold": 3.0}
    result = run_baseline(make_project(isolated / "drift", frame, meta,
                                       time_column="day")).result
    assert result.drift["drifted"]
    warning = next(w for w in result.warnings if w.code == "drift")
    assert warning.message.startswith("linear model scores mae ")
    assert "the newest rows behave differently" in warning.message


def test_feature_plans_can_be_changed_by_the_user() -> None:
    plan = FeaturePlan(numeric=["a", "b"], categorical=["c"])
    plan.drop("a", why="known only afterwards").use("b", "categorical")
    assert plan.used == ["c", "b"]
    assert plan.dropped == {"a": "known only afterwards"}
    with pytest.raises(ValueError, match="kind 'text' is not one of: numeric, categorical"):
        plan.use("d", "text")


@pytest.mark.parametrize("kind", ["datetime64[s]", "datetime64[ms]", "datetime64[ns]", "UTC",
                                  "text"])
def test_days_since_1970_are_the_same_whatever_the_dates_are_stored_as(kind):
    import pandas as pd

    from mvpgen.features import DateParts, days_since_epoch

    stamps = ["1969-12-31 23:59:59", "2024-02-29 10:30:00", None, "2025-06-01 00:00:00"]
    if kind == "text":
        values = pd.Series(stamps, dtype=object)
    elif kind == "UTC":
        values = pd.Series(pd.to_datetime(stamps, utc=True))
    else:
        values = pd.Series(pd.to_datetime(stamps)).astype(kind)
    expected = [-1 / 86_400, 19_782 + 10.5 / 24, None, 20_240.0]
    days = days_since_epoch(values).tolist()
    assert days[2] != days[2]  # missing stays missing
    assert [round(d, 9) for i, d in enumerate(days) if i != 2] == [
        round(e, 9) for i, e in enumerate(expected) if i != 2]
    parts = DateParts().fit(pd.DataFrame({"d": values})).transform(pd.DataFrame({"d": values}))
    assert parts.shape == (4, 7)  # month and weekday on the circle, hour, years elapsed

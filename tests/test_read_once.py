"""A source is parsed and described once per process while it is unchanged.

``mvpgen new`` inspects its data several times and ``run``'s steps load it more than
once: each look after the first reuses the parse, a changed file is read again, and what
a caller changes in what it was given never reaches the next caller.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mvpgen.checks import time_column_findings
from mvpgen.data import columns as columns_module
from mvpgen.data import inspection
from mvpgen.data import read as reads
from mvpgen.data.columns import describe_columns
from mvpgen.mapping import parse_mapping


@pytest.fixture(autouse=True)
def fresh_caches():
    inspection.forget_reads()
    reads.forget_reads()
    yield
    inspection.forget_reads()
    reads.forget_reads()


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record each CSV parse (the files it was asked to parse)."""
    seen: list[Path] = []
    real = reads.read_csv

    def counted(path, columns=None):
        seen.append(Path(path))
        return real(path, columns)

    monkeypatch.setattr(reads, "read_csv", counted)
    return seen


def _frame(seed: int, rows: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "customer_id": np.arange(rows),
        "spend": rng.gamma(2.0, 50.0, rows).round(2),
        "plan": rng.choice(["basic", "pro", "team"], rows),
        "signup_date": pd.date_range("2023-01-01", periods=rows, freq="D").strftime("%Y-%m-%d"),
        "churned": rng.choice(["no", "yes"], rows, p=[0.8, 0.2]),
    })


def _write(path: Path, frame: pd.DataFrame, *, later_by_s: int = 0) -> Path:
    frame.to_csv(path, index=False)
    if later_by_s:  # a new modification time, whatever the clock's resolution
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + later_by_s * 10**9))
    return path


def _mapping(data: Path, time_column: str | None = None):
    raw = {"project": {"name": "Read once"},
           "business": {"requirement": "Reduce churn", "kpi": "churn rate", "current": 0.2,
                        "goal": 0.15},
           "technical": {"target": "churned", "task": "binary", "positive_label": "yes",
                         "metric": "roc_auc", "threshold": 0.6},
           "data": {"path": str(data), "id_columns": ["customer_id"],
                    **({"time_column": time_column} if time_column else {})}}
    mapping, problems = parse_mapping(raw)
    assert not problems
    return mapping


def test_inspecting_a_file_again_parses_and_describes_it_once(tmp_path, parses, monkeypatch):
    path = _write(tmp_path / "customers.csv", _frame(0))
    described = []
    real = inspection.describe_columns
    monkeypatch.setattr(inspection, "describe_columns",
                        lambda frame: described.append(1) or real(frame))

    first = inspection.inspect_file(path)
    second = inspection.inspect_file(path)
    third = inspection.inspect_file(Path(os.path.relpath(path)))  # the same file, named so

    assert len(parses) == 1 and len(described) == 1
    assert first == second
    assert (third.columns, third.rows) == (first.columns, first.rows)
    assert first.rows == 200 and first.names == tuple(_frame(0).columns)


def test_a_changed_file_is_inspected_anew(tmp_path, parses):
    path = _write(tmp_path / "customers.csv", _frame(0))
    before = inspection.inspect_file(path)
    _write(path, _frame(1, rows=300).drop(columns=["plan"]), later_by_s=5)
    after = inspection.inspect_file(path)

    assert len(parses) == 2
    assert (before.rows, after.rows) == (200, 300)
    assert "plan" in before.names and "plan" not in after.names
    assert inspection.inspect_file(path) == after and len(parses) == 2  # kept for the next


def test_changing_an_inspection_changes_no_later_one(tmp_path):
    path = _write(tmp_path / "customers.csv", _frame(0))
    first = inspection.inspect_file(path)
    expected = list(first.columns)
    first.columns.clear()
    assert inspection.inspect_file(path).columns == expected


def test_a_table_read_twice_is_parsed_once_and_each_caller_has_its_own(tmp_path, parses):
    path = _write(tmp_path / "customers.csv", _frame(2))
    first = reads.read_table_once(path, dates=("signup_date",))
    expected = first.copy()
    first.loc[0, "spend"] = -1.0  # in place, into the table's arrays
    first["plan"] = "changed"
    first.drop(columns=["churned"], inplace=True)
    first.attrs["notes"] = ["changed"]
    second = reads.read_table_once(path, dates=("signup_date",))

    assert len(parses) == 1
    pd.testing.assert_frame_equal(second, expected)
    assert second.attrs == expected.attrs
    pd.testing.assert_frame_equal(second, reads.read_table(path, dates=("signup_date",)))


def test_a_table_is_read_again_when_the_file_or_the_way_of_reading_changes(tmp_path, parses):
    path = _write(tmp_path / "customers.csv", _frame(3))
    reads.read_table_once(path)
    reads.read_table_once(path, columns=["signup_date"], dates=("signup_date",))
    assert len(parses) == 2  # another way of reading is another table

    new = _frame(4, rows=50)
    _write(path, new, later_by_s=5)
    again = reads.read_table_once(path, columns=["signup_date"], dates=("signup_date",))
    assert len(parses) == 3
    assert len(again) == 50
    assert again["signup_date"].tolist() == pd.to_datetime(new["signup_date"]).tolist()


def test_the_time_column_is_checked_with_one_parse(tmp_path, parses):
    path = _write(tmp_path / "customers.csv", _frame(5))
    assert time_column_findings(path, "signup_date") == []
    assert time_column_findings(path, "signup_date") == []
    assert len(parses) == 1

    one_date = _frame(5).assign(signup_date="2024-03-31")
    _write(path, one_date, later_by_s=5)
    (finding,) = time_column_findings(path, "signup_date")
    assert "one date (2024-03-31) in every row" in finding.problem
    assert len(parses) == 2


def test_loading_the_dataset_again_parses_the_file_once(tmp_path, parses):
    path = _write(tmp_path / "customers.csv", _frame(6))
    mapping = _mapping(path, time_column="signup_date")
    first = reads.load_dataset(mapping, tmp_path)
    expected = first.frame.copy()
    first.frame.loc[0, "spend"] = -1.0  # a step changing its rows in place
    first.frame["churned"] = "yes"
    first.unlabelled["spend"] = 0.0
    second = reads.load_dataset(mapping, tmp_path)

    assert len(parses) == 1
    pd.testing.assert_frame_equal(second.frame, expected)
    assert second.fingerprint == first.fingerprint

    _write(path, _frame(7, rows=120), later_by_s=5)
    third = reads.load_dataset(mapping, tmp_path)
    assert len(parses) == 2
    assert len(third.frame) + third.rows_without_target == 120
    assert third.fingerprint != first.fingerprint


def test_a_categorical_target_is_turned_to_values_without_touching_the_cached_table(tmp_path,
                                                                                   parses):
    path = _write(tmp_path / "customers.csv", _frame(8))
    mapping = _mapping(path)
    first = reads.load_dataset(mapping, tmp_path)
    second = reads.load_dataset(mapping, tmp_path)
    assert len(parses) == 1
    assert first.frame["churned"].dtype == second.frame["churned"].dtype == object
    cached = reads.read_table_once(path)
    assert isinstance(cached["churned"].dtype, pd.CategoricalDtype)


def _described_before(frame: pd.DataFrame) -> list[tuple]:
    """The roles and counts as describe_columns worked them out with two passes per column."""
    out = []
    for name in frame.columns:
        series = frame[name]
        values = series.dropna()
        unique = int(values.nunique())
        top = float(values.value_counts(normalize=True).iloc[0]) if unique else 1.0
        missing = float(1 - len(values) / len(series)) if len(series) else 0.0
        role = _role_before(values, str(name), unique, len(values) < len(series))
        out.append((str(name), role, str(series.dtype), missing, unique, top))
    return out


def _role_before(values: pd.Series, name: str, unique: int, gaps: bool) -> str:
    if pd.api.types.is_datetime64_any_dtype(values):
        return "datetime"
    if unique == 0 or (unique == 1 and not gaps):
        return "constant"
    if unique == 1:
        return "categorical"
    nearly_unique = (unique >= columns_module.ID_UNIQUE_SHARE * len(values)
                     and len(values) > columns_module.MAX_CATEGORIES)
    if pd.api.types.is_bool_dtype(values):
        return "categorical"
    if pd.api.types.is_numeric_dtype(values):
        whole = bool((values % 1 == 0).all())
        counts_rows = (values.is_monotonic_increasing
                       and values.max() - values.min() < 1.1 * len(values))
        if whole and nearly_unique and (columns_module.looks_like_id_name(name) or counts_rows):
            return "id"
        return "numeric"
    if unique <= columns_module.MAX_CATEGORIES or unique <= 0.5 * len(values):
        return "categorical"
    return "id" if columns_module._short_tokens(values) else "text"


@pytest.mark.parametrize("rows", [0, 1, 40, 3_000])
def test_columns_are_described_as_before(rows):
    rng = np.random.default_rng(11)
    n = 3_000
    frame = pd.DataFrame({
        "row": np.arange(n), "customer_id": rng.permutation(n) * 7,
        "order_no": np.arange(n, dtype=float), "amount": rng.normal(size=n),
        "level": rng.integers(0, 5, n), "flag": rng.random(n) > 0.5,
        "plan": pd.Categorical(rng.choice(["a", "b"], n), categories=["a", "b", "unused"]),
        "empty_category": pd.Categorical([None] * n, categories=["x"]),
        "city": rng.choice(["x", "y", "z"], n).astype(object),
        "code": [f"C{i}" for i in rng.permutation(n)],
        "note": [f"said {i} words" for i in range(n)],
        "day": pd.date_range("2020-01-01", periods=n, freq="h"),
        "constant": 1, "empty": np.nan, "one_gap": [1.0] * (n - 1) + [np.nan],
        "signed_zero": rng.choice([0.0, -0.0, 1.0], n),
        "nullable": pd.array(rng.integers(0, 2 * n, n), dtype="Int64"),
        "answer": pd.array([True, None, False] * (n // 3), dtype="boolean"),
        "mixed": [1, 1.0, True, "1", None] * (n // 5),
        "text": pd.array(rng.choice(["p", "q"], n), dtype="string"),
        "sorted": np.arange(n) * 1.0 + 0.5,
    })
    frame.loc[::7, "amount"] = np.nan
    frame = frame.head(rows)
    now = [dataclasses.astuple(c) for c in describe_columns(frame)]
    assert repr(now) == repr(_described_before(frame))  # to the last bit of every share

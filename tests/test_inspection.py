"""What ``mvpgen new --data`` proposes, on public tables and on planted synthetic ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn import datasets

from mvpgen.data.inspection import (
    inspect_file,
    propose_details,
    propose_target,
    roles_table,
    summarize_target,
)
from mvpgen.errors import MissingColumnError


def proposals(path):
    inspection = inspect_file(path)
    target = propose_target(inspection)
    summary = summarize_target(path, target, inspection.names)
    return inspection, target, propose_details(inspection, summary, None, target)


@pytest.mark.parametrize(("loader", "task", "extra"), [
    (datasets.load_breast_cancer, "binary",
     {"technical.positive_label": 1, "technical.metric": "roc_auc"}),
    (datasets.load_wine, "multiclass", {"technical.metric": "f1_macro"}),
    (datasets.load_iris, "multiclass", {"technical.metric": "f1_macro"}),
    (datasets.load_diabetes, "regression", {"technical.metric": "mae"}),
])
def test_scikit_learn_tables(tmp_path, loader, task, extra):
    path = tmp_path / "table.csv"
    loader(as_frame=True).frame.to_csv(path, index=False)
    inspection, target, proposed = proposals(path)
    assert target == "target"
    assert proposed == {"technical.task": task, **extra}
    assert inspection.roles("id") == []


def planted(rows: int = 2000, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "user_id": np.arange(10_000, 10_000 + rows),
        "session_key": [f"s{x:08x}" for x in rng.permutation(rows)],
        "created_at": (pd.Timestamp("2025-01-01")
                       + pd.to_timedelta(rng.integers(0, 300, rows), unit="D")).astype(str),
        "country": rng.choice(["DE", "FR", "IT"], rows),
        "amount": rng.gamma(2.0, 40.0, rows).round(2),
        "source": "web",
        "note": [f"customer said {w} about {v}" for w, v in
                 zip(rng.choice(["this", "that", "it"], rows), rng.integers(0, 10**6, rows),
                     strict=True)],
        "is_fraud": (rng.random(rows) < 0.03).astype(int),
    })


def test_planted_roles_and_proposals(tmp_path):
    path = tmp_path / "payments.csv"
    planted().to_csv(path, index=False)
    inspection, target, proposed = proposals(path)
    roles = {c.name: c.role for c in inspection.columns}
    assert roles == {"user_id": "id", "session_key": "id", "created_at": "datetime",
                     "country": "categorical", "amount": "numeric", "source": "constant",
                     "note": "text", "is_fraud": "numeric"}
    assert target == "is_fraud"
    assert proposed == {"technical.task": "binary", "technical.positive_label": 1,
                        "technical.metric": "average_precision",
                        "data.id_columns": ["user_id", "session_key"],
                        "data.time_column": "created_at"}


def test_without_name_hints_the_last_usable_column_is_proposed(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({"a": range(100), "b": [1.5, 2.5] * 50, "c": ["x", "y"] * 50}).to_csv(
        path, index=False)
    assert propose_target(inspect_file(path)) == "c"


def test_the_roles_table_fits_a_thousand_columns(tmp_path):
    path = tmp_path / "wide.csv"
    pd.DataFrame(np.zeros((3, 1200)), columns=[f"c{i}" for i in range(1200)]).to_csv(
        path, index=False)
    lines = roles_table(inspect_file(path))
    assert len(lines) == 42
    assert lines[-1] == "  ... and 1160 more columns: 1160 constant"


def test_the_target_summary_counts_every_value_and_the_gaps(tmp_path):
    path = tmp_path / "plans.csv"
    pd.DataFrame({"visits": np.arange(100) % 7,
                  "plan": ["basic"] * 70 + ["plus"] * 20 + ["pro"] * 8 + [None] * 2}).to_csv(
        path, index=False)
    inspection = inspect_file(path)
    summary = summarize_target(path, "plan", inspection.names)
    assert summary.values == ("basic", "plus", "pro")
    assert summary.counts == (70, 20, 8)
    assert summary.shares == pytest.approx((70 / 98, 20 / 98, 8 / 98))
    assert (summary.rows, summary.missing) == (100, 2)
    # A class under half its fair share: balanced accuracy, not the plain average of F1.
    assert propose_details(inspection, summary, None, "plan") == {
        "technical.task": "multiclass", "technical.metric": "balanced_accuracy"}


def test_a_target_missing_from_the_file_suggests_the_closest_column(tmp_path):
    path = tmp_path / "plans.csv"
    pd.DataFrame({"visits": [1, 2, 3], "plan": ["a", "b", "a"]}).to_csv(path, index=False)
    with pytest.raises(MissingColumnError) as caught:
        summarize_target(path, "plann", inspect_file(path).names)
    assert str(caught.value) == "plans.csv has no column 'plann'; did you mean 'plan'?"


def test_a_date_that_never_changes_is_never_the_time_column(tmp_path):
    """An export date orders nothing; the date that varies is proposed instead."""
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({
        "exported_on": ["2025-01-31"] * 80,
        "signed_up": pd.date_range("2024-01-01", periods=80, freq="D").strftime("%Y-%m-%d"),
        "usage": rng.normal(size=80).round(2), "churned": rng.choice(["yes", "no"], 80)})
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    assert proposals(path)[2]["data.time_column"] == "signed_up"
    frame.drop(columns="signed_up").to_csv(path, index=False)
    inspection, _, proposed = proposals(path)
    assert dict(zip(inspection.names, [c.role for c in inspection.columns], strict=True))[
        "exported_on"] == "datetime"
    assert "data.time_column" not in proposed


@pytest.mark.parametrize("task", ["binary", "multiclass", None])
def test_an_empty_target_gets_no_metric_proposed(tmp_path, task):
    path = tmp_path / "t.csv"
    pd.DataFrame({"x": range(6), "y": [None] * 6}).to_csv(path, index=False)
    inspection = inspect_file(path)
    summary = summarize_target(path, "y", inspection.names)
    assert summary.values == ()
    assert "technical.metric" not in propose_details(inspection, summary, task, "y")


def test_a_large_source_is_counted_whole_and_described_from_a_sample(tmp_path, monkeypatch):
    """A dataset (or a file beyond memory) is never loaded whole: DuckDB counts every row."""
    from mvpgen.data import inspection as module
    from mvpgen.data import population
    from mvpgen.data.sources import Source

    rng = np.random.default_rng(3)
    rows = 3_000
    frame = pd.DataFrame({"customer_id": np.arange(rows), "spend": rng.gamma(2.0, 50.0, rows),
                          "plan": rng.choice(["basic", "pro", "team"], rows),
                          "churned": rng.choice(["no", "yes"], rows, p=[0.8, 0.2])})
    frame.loc[:99, "churned"] = None
    folder = tmp_path / "customers"
    folder.mkdir()
    for part in range(3):
        frame.iloc[part * 1_000:(part + 1) * 1_000].to_parquet(folder / f"part-{part}.parquet",
                                                               index=False)
    monkeypatch.setattr(module, "SAMPLE_ROWS", 500)
    module.forget_reads()

    dataset = Source("dataset", path=folder)
    seen = inspect_file(dataset)
    summary = summarize_target(dataset, "churned", seen.names)
    expected = frame["churned"].value_counts()
    assert seen.rows == rows
    assert seen.notes == ("column roles read from a random sample of 500 of the 3,000 rows "
                          "(too many to load whole); counts cover every row",)
    assert {c.name: c.role for c in seen.columns} == {
        "customer_id": "id", "spend": "numeric", "plan": "categorical", "churned": "categorical"}
    assert (summary.rows, summary.missing) == (rows, 100)
    assert dict(zip(summary.values, summary.counts, strict=True)) == expected.to_dict()

    # One Parquet file counts as large once its columns would outgrow the memory allowed.
    single = tmp_path / "customers.parquet"
    frame.to_parquet(single, index=False)
    assert inspect_file(single).notes == ()  # small: read whole, as before
    monkeypatch.setattr(population, "IN_MEMORY_BYTES", 1_000)
    assert inspect_file(single).rows == rows
    assert inspect_file(single).notes[0].startswith("column roles read from a random sample of 500")
    # A quantity: its values from the sample, its counts over every row.
    assert summarize_target(single, "spend", seen.names).rows == rows
    module.forget_reads()

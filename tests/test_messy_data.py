"""Messy extracts read the way their authors meant, and quality checks that tell the truth."""

from __future__ import annotations

import gzip
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mvpgen.data import quality
from mvpgen.data.columns import describe_columns
from mvpgen.data.inspection import inspect_file, summarize_target
from mvpgen.data.read import load_dataset, read_table
from mvpgen.errors import DataError
from mvpgen.mapping import parse_mapping
from mvpgen.store.blocks import update_file


def test_windows_bytes_far_into_the_file_still_read_as_text(tmp_path):
    path = tmp_path / "late.csv"
    rows = "".join(f"Paris,{i}\n" for i in range(30_000))
    path.write_bytes(("city,n\n" + rows + "Köln €,1\n").encode("cp1252"))
    assert path.stat().st_size > 256 * 1024
    frame = read_table(path)
    assert frame["city"].iloc[-1] == "Köln €"
    assert {type(v) for v in frame["city"].astype(object)} == {str}


def test_numbers_written_as_text_become_numbers(tmp_path):
    euro = tmp_path / "euro.csv"
    euro.write_text("id;spend;amount;plan\nA;1,5;1.234,50;x\nB;2;987,25;y\nC;3,25;12,00;x\n",
                    encoding="utf-8")
    frame = read_table(euro)
    assert frame["spend"].tolist() == [1.5, 2.0, 3.25]
    assert frame["amount"].tolist() == [1234.5, 987.25, 12.0]
    us = tmp_path / "us.csv"
    us.write_text('id,price,plan\nA,"236,663",x\nB,"1,204.5",y\nC,17,x\n', encoding="utf-8")
    assert read_table(us)["price"].tolist() == [236663.0, 1204.5, 17.0]


def test_missing_value_words_and_trailing_delimiters(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text(" id , churned ,,\nA, yes ,,\nB,None,,\nC, no ,,\n", encoding="utf-8")
    frame = read_table(path)
    assert list(frame.columns) == ["id", "churned"]
    assert frame["churned"].tolist()[0] == "yes"
    assert frame["churned"].isna().tolist() == [False, True, False]


def test_a_gzip_csv_is_read(tmp_path):
    path = tmp_path / "t.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("a;b\n1;x\n2;y\n")
    assert read_table(path)["a"].tolist() == [1, 2]


def test_dates_with_mixed_offsets_become_utc_without_warnings(tmp_path):
    path = tmp_path / "tz.csv"
    path.write_text("ts,y\n2025-03-29T10:00:00+01:00,a\n2025-03-31T10:00:00+02:00,b\n",
                    encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = read_table(path, dates=("ts",))
    assert frame["ts"].tolist() == [pd.Timestamp("2025-03-29T09:00Z"),
                                    pd.Timestamp("2025-03-31T08:00Z")]


def test_dates_mixed_with_text_are_not_silently_emptied(tmp_path):
    path = tmp_path / "d.csv"
    values = [f"2025-01-{d:02d}" for d in range(1, 29)] + ["unknown"]
    pd.DataFrame({"day": values, "y": range(29)}).to_csv(path, index=False)
    frame = read_table(path)
    assert frame["day"].iloc[-1] == "unknown"
    assert frame["day"].notna().all()


def test_a_declared_time_column_names_the_bad_values_truthfully(tmp_path):
    path = tmp_path / "d.csv"
    values = [f"2024-01-{d:02d}" for d in range(1, 29)] + ["13/01/2024", "unknown", "n.a."]
    pd.DataFrame({"day": values, "y": range(31)}).to_csv(path, index=False)
    with pytest.raises(DataError) as caught:
        read_table(path, dates=("day",))
    assert str(caught.value) == (
        "d.csv: column 'day' is declared as the time column but holds 'unknown', which is "
        "not a date (2 such rows); fix those values or choose another time_column")


def test_nested_and_decimal_parquet_columns(tmp_path):
    from decimal import Decimal

    path = tmp_path / "t.parquet"
    table = pa.table({"tags": [["a", "b"], ["c"], []],
                      "revenue": pa.array([Decimal("1.50"), Decimal("2.25"), None],
                                          type=pa.decimal128(10, 2)),
                      "y": ["x", "y", "x"]})
    pq.write_table(table, path)
    frame = read_table(path)
    assert frame["tags"].tolist() == ['["a", "b"]', '["c"]', "[]"]
    assert frame["revenue"].tolist()[:2] == [1.5, 2.25]


def test_inspection_reads_the_whole_file_not_its_first_rows(tmp_path):
    path = tmp_path / "sorted.csv"
    pd.DataFrame({"visits": range(40_000),
                  "churned": ["no"] * 39_000 + ["yes"] * 1_000}).to_csv(path, index=False)
    inspection = inspect_file(path)
    assert {c.name: c.role for c in inspection.columns}["churned"] == "categorical"
    assert summarize_target(path, "churned", inspection.names).values == ("no", "yes")


def roles(frame: pd.DataFrame) -> dict[str, str]:
    return {c.name: c.role for c in describe_columns(frame)}


def test_identifier_detection_both_ways():
    rng = np.random.default_rng(0)
    ids = pd.Series(np.arange(1000, 2000), dtype=float)
    ids[rng.choice(1000, 30, replace=False)] = np.nan  # gaps make it a float
    frame = pd.DataFrame({"customer_id": ids,
                          "income": np.sort(rng.integers(20_000, 200_000, 1000) * 7)})
    assert roles(frame) == {"customer_id": "id", "income": "numeric"}


def binary_frame(rows: int = 600, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    churned = np.where(rng.random(rows) < 0.3, "yes", "no")
    return pd.DataFrame({"usage": rng.normal(size=rows), "churned": churned})


def test_a_zero_inflated_leak_is_found():
    frame = binary_frame()
    rng = np.random.default_rng(1)
    frame["refund"] = np.where(frame["churned"] == "yes", rng.gamma(2, 30, len(frame)), 0.0)
    score = quality.single_column_score(frame["refund"], frame["churned"], "binary")
    assert score > 0.98


def test_a_copy_of_a_heavy_tailed_target_is_found():
    rng = np.random.default_rng(2)
    price = rng.lognormal(10, 1.5, 3000)
    score = quality.single_column_score(pd.Series(price * 1.19), pd.Series(price), "regression")
    assert score > 0.98


def test_sparse_columns_are_not_called_leaks(tmp_path):
    frame = binary_frame()
    rng = np.random.default_rng(3)
    for i in range(10):
        column = pd.Series(np.nan, index=frame.index)
        column[rng.choice(len(frame), 8, replace=False)] = 1.0
        frame[f"rare_{i}"] = column
    infos = describe_columns(frame)
    features = [i for i in infos if i.name != "churned"]
    assert quality.leakage_suspects(frame, "churned", "binary", features) == []


def test_a_checklist_with_windows_line_endings_keeps_them(tmp_path):
    path = tmp_path / "CHECKLIST.md"
    original = "# Notes\r\n<!-- mvpgen:begin eda -->\r\nold\r\n<!-- mvpgen:end eda -->\r\nmine\r\n"
    path.write_bytes(original.encode("utf-8"))
    assert update_file(path, {"eda": "new\ntwo lines"})
    assert path.read_bytes() == (b"# Notes\r\n<!-- mvpgen:begin eda -->\r\nnew\r\ntwo lines"
                                 b"\r\n<!-- mvpgen:end eda -->\r\nmine\r\n")


def test_an_empty_column_is_reported_once(tmp_path):
    mapping_raw = {"project": {"name": "T"}, "business": {"requirement": "Keep customers"},
                   "technical": {"target": "churned", "task": "binary", "positive_label": "yes",
                                 "metric": "roc_auc", "threshold": 0.7},
                   "data": {"path": "t.csv"}}
    frame = binary_frame()
    frame["blank"] = np.nan
    frame.to_csv(tmp_path / "t.csv", index=False)
    mapping = parse_mapping(mapping_raw)[0]
    summary = quality.data_quality(load_dataset(mapping, tmp_path), mapping, task="binary")
    codes = [i["code"] for i in summary["issues"] if "blank" in i["columns"]]
    assert codes == ["constant_columns"]

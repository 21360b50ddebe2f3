"""Reading real, messy extracts: every delimiter and encoding, dates, and clear refusals."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest
from conftest import scaffold, tree_digest, write_mapping

from mvpgen.data.read import load_dataset, read_table
from mvpgen.errors import DataError
from mvpgen.mapping import parse_mapping

READ = Path(__file__).parent / "data" / "read"
BAD = Path(__file__).parent / "data" / "bad"
HEADER = ["customer_id", "signup_date", "city", "spend", "churned"]


@pytest.mark.parametrize("name", ["comma.csv", "semicolon_cp1252.csv", "tab.tsv", "pipe.csv",
                                  "bom.csv", "quoted.csv", "table.parquet", "latin1.csv"])
def test_every_variant_reads_as_the_same_table(name):
    frame = read_table(READ / name)
    assert list(frame.columns) == HEADER
    assert len(frame) == 6
    assert frame["city"].iloc[1] == "Genève"
    assert frame["spend"].tolist()[:2] == [12.5, 7.25]
    assert frame["spend"].isna().tolist() == [False, False, True, False, False, False]
    assert frame["churned"].isna().sum() == 1
    assert str(frame["signup_date"].dtype).startswith("datetime64")
    assert frame["signup_date"].iloc[2] == pd.Timestamp("2025-02-11")


def test_windows_text_keeps_its_accents():
    frame = read_table(READ / "semicolon_cp1252.csv")
    assert frame["city"].tolist() == ["Zürich", "Genève", "Köln", "Málaga", "Zürich", "Genève"]


def test_repeated_text_is_stored_as_categories(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({"id": [f"C{i}" for i in range(100)],
                  "city": ["Bern", "Basel", "Chur", "Sion"] * 25}).to_csv(path, index=False)
    frame = read_table(path)
    assert str(frame["city"].dtype) == "category"
    assert frame["id"].dtype == object


def test_a_declared_time_column_is_parsed_whatever_its_format():
    undeclared = read_table(READ / "dayfirst_dates.csv")
    assert undeclared["signup_date"].dtype == object
    frame = read_table(READ / "dayfirst_dates.csv", dates=("signup_date",))
    assert frame["signup_date"].tolist()[:2] == [pd.Timestamp("2025-01-05"),
                                                 pd.Timestamp("2025-01-09")]


def test_a_column_of_bytes_is_read_as_text_and_said_so(tmp_path):
    frame = pd.DataFrame({"blob": [b"\x00\xff\x10", b"\xfe\x01", None],
                          "code": ["Zürich".encode(), b"Gen\xc3\xa8ve", b"Z\xc3\xbcrich"],
                          "churned": ["yes", "no", "yes"]})
    frame.to_parquet(tmp_path / "t.parquet", index=False)
    read = read_table(tmp_path / "t.parquet")
    assert read["blob"].tolist()[:2] == ["00ff10", "fe01"]
    assert read["blob"].isna().tolist() == [False, False, True]
    assert read["code"].astype(str).tolist() == ["Zürich", "Genève", "Zürich"]
    assert read.attrs["notes"] == [
        "t.parquet: column 'blob' holds binary values, not text; they are read as "
        "hexadecimal text (drop the column from the export if it means nothing to the "
        "target)",
        "t.parquet: column 'code' holds bytes; they are read as UTF-8 text"]


def test_only_the_named_columns_are_read():
    for name in ("comma.csv", "table.parquet"):
        frame = read_table(READ / name, columns=["city", "churned"])
        assert list(frame.columns) == ["city", "churned"]
        assert len(frame) == 6


def load(name: str, tmp_path: Path, **technical):
    raw = {"project": {"name": "T"}, "business": {"requirement": "Keep customers"},
           "technical": {"target": "churned", "metric": "roc_auc", "threshold": 0.7,
                         **technical},
           "data": {"path": str(name)}}
    mapping, problems = parse_mapping(raw)
    assert problems == []
    return load_dataset(mapping, tmp_path)


def test_rows_without_a_target_are_set_aside_and_counted(tmp_path):
    dataset = load(READ / "comma.csv", tmp_path)
    assert len(dataset.frame) == 5
    assert dataset.frame["churned"].tolist() == ["yes", "no", "no", "yes", "no"]
    assert dataset.rows_without_target == 1
    assert dataset.unlabelled["customer_id"].tolist() == ["C004"]
    # Each row keeps its place in the file, to join feedback and predictions back to it.
    assert dataset.file_rows.tolist() == [0, 1, 2, 4, 5]
    assert dataset.unlabelled_rows.tolist() == [3]
    assert dataset.fingerprint == hashlib.sha256((READ / "comma.csv").read_bytes()).hexdigest()


def test_id_columns_are_kept_but_not_features(tmp_path):
    raw = {"project": {"name": "T"}, "business": {"requirement": "Keep customers"},
           "technical": {"target": "churned", "metric": "roc_auc", "threshold": 0.7},
           "data": {"path": str(READ / "comma.csv"), "id_columns": ["customer_id"]}}
    dataset = load_dataset(parse_mapping(raw)[0], tmp_path)
    assert "customer_id" in dataset.frame.columns
    assert dataset.features == ["signup_date", "city", "spend"]


def test_a_relative_data_path_is_read_from_the_project_folder():
    raw = {"project": {"name": "T"}, "business": {"requirement": "Keep customers"},
           "technical": {"target": "churned", "metric": "roc_auc", "threshold": 0.7},
           "data": {"path": "comma.csv"}}
    dataset = load_dataset(parse_mapping(raw)[0], READ)
    assert dataset.source == READ / "comma.csv"
    assert len(dataset.frame) == 5


def test_a_declared_column_missing_from_the_file_lists_the_columns(tmp_path):
    raw = {"project": {"name": "T"}, "business": {"requirement": "Keep customers"},
           "technical": {"target": "churned", "metric": "roc_auc", "threshold": 0.7},
           "data": {"path": str(READ / "comma.csv"), "id_columns": ["account"]}}
    with pytest.raises(DataError) as caught:
        load_dataset(parse_mapping(raw)[0], tmp_path)
    assert str(caught.value) == ("comma.csv has no column 'account'; columns are: customer_id, "
                                 "signup_date, city, spend, churned")


def test_a_mapping_without_a_data_file_says_where_to_put_it(tmp_path):
    raw = {"project": {"name": "T"}, "business": {"requirement": "Keep customers"},
           "technical": {"target": "churned", "metric": "roc_auc", "threshold": 0.7}}
    with pytest.raises(DataError) as caught:
        load_dataset(parse_mapping(raw)[0], tmp_path)
    assert str(caught.value) == ("mvp.yaml names no data; put the extract in data/raw/ and set "
                                 "data.path to it, or give data.query (with data.connection "
                                 "for a database)")


BAD_FILES = {
    "empty.csv": "empty.csv is empty; export the data again, with a header row",
    "header_only.csv": "header_only.csv has a header but no rows; export the data rows too",
    "single_column.csv": "single_column.csv has a single column ('churned'); a model needs a "
                         "target and at least one other column; if there are more, use one of "
                         "these delimiters: comma, semicolon, tab or |",
    "duplicate_columns.csv": "duplicate_columns.csv has duplicate column names: 'a'; rename "
                             "them so each column has its own name",
    "binary.csv": "binary.csv holds binary data, not text; export it as CSV or Parquet",
    "ragged.csv": "ragged.csv cannot be read as CSV: Error tokenizing data. C error: Expected "
                  "3 fields in line 3, saw 5; check the delimiter and the quotes on that line",
    "spreadsheet.xlsx": "spreadsheet.xlsx is neither CSV nor Parquet; save it as one of: .csv, "
                        ".tsv, .txt, .parquet, .pq (or .csv.gz)",
    "truncated.parquet": "truncated.parquet cannot be read as Parquet (Parquet magic bytes not "
                         "found in footer. Either the file is corrupted or this is not a parquet "
                         "file.); export it again",
}


@pytest.mark.parametrize(("name", "message"), BAD_FILES.items())
def test_a_broken_file_is_refused_with_one_sentence(name, message):
    with pytest.raises(DataError) as caught:
        read_table(BAD / name)
    assert str(caught.value) == message


def test_a_constant_target_is_refused(tmp_path):
    with pytest.raises(DataError) as caught:
        load(BAD / "constant_target.csv", tmp_path)
    assert str(caught.value) == (
        "constant_target.csv: the target column 'churned' holds one value ('yes') in every "
        "row; a model needs a target that varies; choose another target")


def test_an_empty_target_is_refused(tmp_path):
    with pytest.raises(DataError, match="the target column 'churned' is empty in every row"):
        load(BAD / "empty_target.csv", tmp_path)


def test_a_missing_target_suggests_the_closest_columns(tmp_path):
    raw_target = {"target": "churn"}
    with pytest.raises(DataError) as caught:
        load(READ / "comma.csv", tmp_path, **raw_target)
    assert str(caught.value) == "comma.csv has no column 'churn'; did you mean 'churned'?"


@pytest.mark.parametrize(("name", "message"), BAD_FILES.items())
def test_mvpgen_new_refuses_a_broken_file_and_writes_nothing(isolated, name, message):
    before = tree_digest(BAD)
    business = write_mapping(isolated.parent / "b.yaml", {"business": {
        "requirement": "Keep customers", "kpi": "churn", "current": 0.1, "goal": 0.08}})
    result = scaffold("demo", "--mapping", str(business), "--data", str(BAD / name),
                 "--no-input")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {message}\n"
    assert list(isolated.iterdir()) == []
    assert tree_digest(BAD) == before

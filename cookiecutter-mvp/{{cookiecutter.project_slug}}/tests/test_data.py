"""The project reads messy extracts and refuses broken ones with a clear sentence."""

import pandas as pd
import pytest
from conftest import module

data = module("data")
config = module("config")


def test_semicolons_and_windows_text_are_read(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("city;spend;churned\r\nZürich;1,5;yes\r\nGenève;2;no\r\n".encode("cp1252"))
    frame = data.read_table(path)
    assert list(frame.columns) == ["city", "spend", "churned"]
    assert frame["city"].tolist() == ["Zürich", "Genève"]


def test_iso_dates_become_datetimes(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({"day": ["2025-01-01", "2025-02-01"], "y": [1, 0]}).to_csv(path, index=False)
    assert str(data.read_table(path)["day"].dtype).startswith("datetime64")


@pytest.mark.parametrize(("content", "message"), [
    ("a,b\n", "t.csv has a header but no rows; export the data rows too"),
    ("a,a\n1,2\n", "t.csv has duplicate column names: 'a'; rename them so each column has "
                   "its own name"),
    ("", "t.csv is empty; export the data again, with a header row"),
])
def test_broken_files_are_refused_with_one_sentence(tmp_path, content, message):
    path = tmp_path / "t.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(data.DataError) as caught:
        data.read_table(path)
    assert str(caught.value) == message


def test_rows_without_a_target_are_counted_not_dropped(small_project):
    path = small_project / "data/raw/customers.csv"
    frame = pd.read_csv(path)
    frame.loc[:9, "churned"] = None
    frame.to_csv(path, index=False)
    dataset = data.load_dataset(config.load_mapping(small_project / "mvp.yaml"), small_project)
    assert dataset.rows_without_target == 10
    assert len(dataset.frame) == 390
    assert "customer_id" not in dataset.features

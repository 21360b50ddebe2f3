"""Text in the encodings exports come in is read as written and said so, never mojibake."""

from __future__ import annotations

import pytest

from mvpgen.data.encoding import detect
from mvpgen.data.read import read_table

TABLES = [
    ("cp1251", "город,имя,сумма\nМосква,Иван,1\nКазань,Пётр,2\n",
     "read as cp1251 (detected)"),
    ("shift_jis", "都市,名前,金額\n東京,太郎,1\n大阪,花子,2\n", "read as cp932 (detected)"),
    ("cp1252", "ville,nom,montant\nMontréal,Hélène,1\nZürich,Größe,2\n",
     "read as cp1252 (detected)"),
    ("utf-16-le", "city,name,amount\nParis,Zoé,1\nRome,Ana,2\n",
     "UTF-16 without a byte-order mark: read as utf-16-le"),
    ("utf-16-be", "city,name,amount\nParis,Zoé,1\nRome,Ana,2\n",
     "UTF-16 without a byte-order mark: read as utf-16-be"),
]


@pytest.mark.parametrize(("encoding", "text", "said"), TABLES)
def test_a_data_file_reads_as_written_and_says_how(tmp_path, encoding, text, said):
    path = tmp_path / "table.csv"
    path.write_bytes(text.encode(encoding))
    frame = read_table(path)
    rows = [line.split(",") for line in text.splitlines()]
    assert list(frame.columns) == rows[0]
    assert frame.iloc[:, :2].astype(str).to_numpy().tolist() == [r[:2] for r in rows[1:]]
    assert frame.iloc[:, 2].tolist() == [1, 2]
    assert frame.attrs["notes"] == [f"table.csv is not UTF-8: {said}; save it as UTF-8 to be sure"
                                    if "detected" in said else f"table.csv is {said}"]


@pytest.mark.parametrize(("text", "encoding", "expected"), [
    ("Москва,Иван\n", "cp1251", "cp1251"),  # a short Cyrillic text is no rare code page
    ("12,yes,価格に不満\n", "shift_jis", "cp932"),
    ("a,b\nação,coração\n", "cp1252", "cp1252"),  # two accents side by side: still Western
])
def test_short_texts_are_told_apart(text, encoding, expected):
    found, note = detect(text.encode(encoding), "f.csv")
    assert (found, text.encode(encoding).decode(found)) == (expected, text)
    assert note == f"f.csv is not UTF-8: read as {expected} (detected); save it as UTF-8 to be sure"

"""Regenerate the small data files the tests read: python tests/data/make_corpus.py.

``read/`` holds files that must be read correctly, each a variant of the same table;
``bad/`` holds files that must be refused with a clear message.
"""

import re
from pathlib import Path

import pandas as pd

HERE = Path(__file__).parent
ROWS = [
    ("C001", "2025-01-05", "Zürich", 12.5, "yes"),
    ("C002", "2025-01-09", "Genève", 7.25, "no"),
    ("C003", "2025-02-11", "Köln", None, "no"),
    ("C004", "2025-02-20", "Málaga", 3.0, ""),
    ("C005", "2025-03-02", "Zürich", 9.75, "yes"),
    ("C006", "2025-03-15", "Genève", 1.5, "no"),
]
HEADER = ("customer_id", "signup_date", "city", "spend", "churned")


def table(delimiter: str) -> str:
    lines = [delimiter.join(HEADER)]
    for row in ROWS:
        lines.append(delimiter.join("" if v is None else str(v) for v in row))
    return "\r\n".join(lines) + "\r\n"


def write_read_corpus(folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "comma.csv").write_text(table(","), encoding="utf-8")
    (folder / "semicolon_cp1252.csv").write_text(table(";"), encoding="cp1252")
    (folder / "tab.tsv").write_text(table("\t"), encoding="utf-8")
    (folder / "pipe.csv").write_text(table("|"), encoding="utf-8")
    (folder / "bom.csv").write_text(table(","), encoding="utf-8-sig")
    (folder / "latin1.csv").write_bytes(table(",").encode("latin-1").replace(b"Z\xfcrich",
                                                                               b"Z\x81rich"))
    dayfirst = re.sub(r"(\d{4})-(\d{2})-(\d{2})", r"\3/\2/\1", table(";"))
    (folder / "dayfirst_dates.csv").write_text(dayfirst, encoding="utf-8")
    quoted = table(",").replace("Zürich", '"Zürich, ZH"')
    (folder / "quoted.csv").write_text(quoted, encoding="utf-8")
    frame = pd.DataFrame(ROWS, columns=HEADER).replace({"churned": {"": None}})
    frame["signup_date"] = pd.to_datetime(frame["signup_date"])
    frame.to_parquet(folder / "table.parquet", index=False)


def write_bad_corpus(folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "empty.csv").write_bytes(b"")
    (folder / "header_only.csv").write_text("a,b,churned\n", encoding="utf-8")
    (folder / "single_column.csv").write_text("churned\nyes\nno\n", encoding="utf-8")
    (folder / "duplicate_columns.csv").write_text("a,b,a,churned\n1,2,3,yes\n4,5,6,no\n",
                                                  encoding="utf-8")
    (folder / "binary.csv").write_bytes(bytes(range(256)) * 8)
    (folder / "ragged.csv").write_text("a,b,churned\n1,2,yes\n3,4,no,extra,more\n",
                                       encoding="utf-8")
    (folder / "constant_target.csv").write_text("a,churned\n1,yes\n2,yes\n3,yes\n",
                                                encoding="utf-8")
    (folder / "empty_target.csv").write_text("a,churned\n1,\n2,\n3,\n", encoding="utf-8")
    good = (HERE / "read" / "table.parquet").read_bytes()
    (folder / "truncated.parquet").write_bytes(good[: len(good) // 2])
    (folder / "spreadsheet.xlsx").write_bytes(b"PK\x03\x04 not really a spreadsheet")


if __name__ == "__main__":
    write_read_corpus(HERE / "read")
    write_bad_corpus(HERE / "bad")
    print("wrote", sorted(p.name for p in HERE.glob("*/*")))

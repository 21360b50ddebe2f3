"""Regenerate the small data files the tests read: python tests/data/make_corpus.py.

``read/`` holds files that must be read correctly, each a variant of the same table;
``bad/`` holds files that must be refused with a clear message.
"""

import re
from pathlib import Path

import numpy as np
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
    write_hostile_corpus(folder)


def churn_like(rows: int = 60, seed: int = 0) -> pd.DataFrame:
    """A small table whose target a model can learn: the base of the hostile files.

    The noise keeps the signal believable: on the 12 rows held out of 60, a cleaner
    target is ranked perfectly, which the baseline rightly calls too good to be true.
    """
    rng = np.random.default_rng(seed)
    usage = rng.normal(size=rows).round(3)
    return pd.DataFrame({"plan": rng.choice(["basic", "pro"], rows), "usage": usage,
                         "churned": np.where(usage + rng.normal(0, 2.0, rows) < 0, "yes", "no")})


def write_hostile_corpus(folder: Path) -> None:
    """Inputs built to break a tool: each must be refused clearly or handled soundly."""
    base = churn_like()
    wide = pd.concat([base, pd.DataFrame(
        np.random.default_rng(1).normal(size=(len(base), 1200)).round(2),
        columns=[f"sensor_{i}" for i in range(1200)])], axis=1)
    wide.to_csv(folder / "wide.csv", index=False)
    named = base.rename(columns={"plan": "class", "usage": 'usage "per day"\nin minutes'})
    named.insert(1, "", base["usage"].round(1))
    named.to_csv(folder / "odd_names.csv", index=False)
    mixed = base.copy()
    mixed["churned"] = ["1", "0", "yes", "no", "2.5"] * (len(base) // 5)
    mixed.to_csv(folder / "mixed_target.csv", index=False)
    infinite = base.copy()
    infinite["usage"] = infinite["usage"].astype(object)
    infinite.loc[[3, 7], "usage"] = ["inf", "-inf"]
    infinite.to_csv(folder / "infinities.csv", index=False)
    single = base.head(12).assign(churned=[f"reason {i}" for i in range(12)])
    single.to_csv(folder / "one_row_per_class.csv", index=False)
    accents = base.assign(plan=base["plan"].map({"basic": "Basis", "pro": "Prämie"}))
    text = accents.to_csv(index=False, lineterminator="\r\n")
    (folder / "non_utf8.csv").write_bytes(text.encode("cp1252"))
    (folder / "utf16.csv").write_bytes(text.encode("utf-16"))
    # "$10_$20" would be math to matplotlib: as a category, it must stay text in every chart.
    money = base.assign(plan=base["plan"].map({"basic": "plan_$10_$20", "pro": "plan_$5_$9"}))
    money.to_csv(folder / "dollar_values.csv", index=False)
    # Parquet's binary type: bytes that are no text in any encoding, one value per row.
    blobs = base.assign(blob=[bytes([i, 0xFF, 0]) * 3 for i in range(len(base))])
    blobs.to_parquet(folder / "binary_column.parquet", index=False)
    base.assign(exported_on="2025-01-31").to_csv(folder / "constant_date.csv", index=False)
    spaced = folder / "folder with spaces ü"
    spaced.mkdir(exist_ok=True)
    base.to_csv(spaced / "kündigungen 2025.csv", index=False)
    (folder / "folder.csv").mkdir(exist_ok=True)
    (folder / "folder.csv" / ".keep").write_text("a folder named like a file\n",
                                                encoding="utf-8")
    jinja = "{{ cookiecutter.project_slug }} {% raw %}{{ 7*7 }}{% endraw %} {{ 7*7 }}"
    (folder / "jinja_mapping.yaml").write_text(
        f"project: {{name: '{jinja}'}}\n"
        "business:\n"
        f"  requirement: 'Keep customers who would leave {jinja}'\n"
        f"  kpi: 'monthly churn {jinja}'\n"
        "  current: 0.1\n  goal: 0.08\n"
        "technical: {target: churned, metric: roc_auc, threshold: 0.6}\n"
        f"humans: {{reviewer: '{jinja}'}}\n"
        f"advantage: '{jinja}'\n", encoding="utf-8")
    (folder / "unknown_keys.yaml").write_text(
        "project: {name: Churn}\n"
        "business: {requirement: Keep customers who would leave, kpii: churn rate,\n"
        "           current: 0.1, goal: 0.08}\n"
        "technical: {target: churned, metric: roc_auc, threshold: 0.6}\n", encoding="utf-8")
    (folder / "list_mapping.yaml").write_text("- project\n- business\n", encoding="utf-8")


if __name__ == "__main__":
    write_read_corpus(HERE / "read")
    write_bad_corpus(HERE / "bad")
    print("wrote", sorted(p.name for p in HERE.glob("*/*")))

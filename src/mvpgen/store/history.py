"""The run history: one line per baseline, so a verdict's movement can be followed.

``reports/history.csv`` is appended to, never rewritten: the time, the data's and the
mapping's fingerprints, the verdict, and the primary metric with its interval.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

HISTORY = Path("reports/history.csv")
COLUMNS = ("run_at", "data_fingerprint", "mapping_sha256", "verdict", "recommendation",
           "metric", "contender", "value", "ci_low", "ci_high")


def history_line(entry: dict[str, Any]) -> str:
    """Return one history line (with the header when ``entry`` is the first)."""
    buffer = io.StringIO()
    csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n").writerow(
        {c: "" if entry.get(c) is None else entry[c] for c in COLUMNS})
    return buffer.getvalue()


def history_text(root: Path, entry: dict[str, Any]) -> str:
    """Return the history file's new content: the old lines and ``entry``."""
    path = root / HISTORY
    old = ""
    if path.is_file():
        old = path.read_text(encoding="utf-8", errors="replace")
        if old and not old.endswith("\n"):
            old += "\n"
    if not old.startswith(",".join(COLUMNS)):
        old = ",".join(COLUMNS) + "\n"  # a damaged history starts over, never blocks a run
    return old + history_line(entry)


def read_history(root: Path) -> list[dict[str, str]]:
    """Return every past run, oldest first ([] without a readable history)."""
    path = root / HISTORY
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, csv.Error, UnicodeDecodeError):
        return []
    return [row for row in rows if row.get("verdict")]

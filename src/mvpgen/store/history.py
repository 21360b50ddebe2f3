"""The run history: one line per baseline, so a verdict's movement can be followed.

``reports/history.csv`` is appended to, never rewritten: the time, the data's and the
mapping's fingerprints, the verdict, and the primary metric with its interval.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mvpgen.mapping import Mapping

HISTORY = Path("reports/history.csv")
COLUMNS = ("run_at", "data_fingerprint", "mapping_sha256", "verdict", "recommendation",
           "metric", "contender", "value", "ci_low", "ci_high")
# What mvp.yaml says that no baseline reads: the data file's recorded facts (``mvpgen check
# --record`` rewrites them; the data itself is compared by its own fingerprint) and the
# words only the status shows, read afresh each time it runs.
NOT_EVIDENCE = ("data.rows", "data.size_bytes", "data.sha256", "business.kpi",
                "business.current", "business.goal", "business.deadline", "humans.reviewer",
                "advantage")


def mapping_hash(mapping: Mapping) -> str:
    """Return the SHA-256 of what in the mapping bears on a baseline's evidence.

    Taken from the parsed mapping, not the file's bytes: comments, spacing, key order
    and the fields in ``NOT_EVIDENCE`` change nothing a baseline finds, so they change
    nothing here either.
    """
    from mvpgen.mapping import mapping_to_dict

    kept = mapping_to_dict(mapping)
    for name in NOT_EVIDENCE:
        section, _, field = name.rpartition(".")
        holder = kept.get(section) if section else kept
        if isinstance(holder, dict):
            holder.pop(field, None)
    text = json.dumps(kept, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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

"""What a reader must know before trusting the numbers, most important first.

Each warning has a stable code (for ``metrics.json`` and scripts) and a sentence for
people; reports show the sentence, never the code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mvpgen.data.quality import data_changed
from mvpgen.evaluation.bootstrap import FEW_POSITIVES
from mvpgen.evaluation.result import BaselineResult, Warning
from mvpgen.features import MAX_CATEGORIES
from mvpgen.words import quoted

if TYPE_CHECKING:
    from mvpgen.data.columns import ColumnInfo
    from mvpgen.mapping import Mapping

SMALL_TEST_ROWS = 100


def warnings_for(result: BaselineResult, quality: dict[str, Any], infos: list[ColumnInfo],
                 mapping: Mapping, *, resample_note: str | None) -> list[Warning]:
    """Return the warnings of a baseline result, the most important first."""
    out: list[Warning] = []
    for suspect in result.leak_suspects:
        out.append(Warning("leakage_suspect", suspect["evidence"] + "; remove "
                           + ("them" if len(suspect["columns"]) > 1 else "it")
                           + " unless known when the prediction is made (then clear it in "
                             "mvp.yaml: data.not_leaks)", suspect["columns"]))
    for finding in result.leaks.get("too_good", []):
        out.append(Warning("leakage_suspect", finding["sentence"] + ": look for a column that "
                           "is only known afterwards, or clear those known in time in mvp.yaml "
                           "(data.not_leaks)", finding["columns"]))
    for finding in result.leaks.get("too_good_cleared", []):
        out.append(Warning("leak_cleared", finding["sentence"] + "; cleared in mvp.yaml: "
                           + "; ".join(f"{c}: {why}" for c, why in finding["cleared"].items()),
                           finding["columns"]))
    for suspect in result.leaks.get("cleared", []):
        for column, why in suspect["cleared"].items():
            out.append(Warning("leak_cleared", f"{quoted(column)} was named by the leak screen and "
                               f"cleared in mvp.yaml: {why}", [column]))
    data = result.data
    changed = data_changed(data.get("fingerprint"), data.get("recorded_fingerprint"),
                           rows=data.get("rows"), recorded_rows=data.get("recorded_rows"))
    if changed:
        out.append(Warning("data_changed", changed))
    for note in result.data.get("notes", []):
        out.append(Warning("encoding", note))
    if result.data.get("coverage"):  # read out of core: what covers every row, what a sample
        out.append(Warning("sampled_rows", "; ".join(result.data["coverage"])))
    drift = result.drift
    if drift and drift["drifted"]:
        worse = drift["gap"] is not None and drift["gap"] < 0
        out.append(Warning("drift", f"{drift['model']} scores {drift['metric']} "
                           f"{drift['holdout']:.3f} on the holdout but {drift['cv_mean']:.3f} "
                           f"± {drift['cv_std'] or 0:.3f} in cross-validation on the training "
                           "rows: " + ("the newest rows behave differently; the holdout is the "
                                       "better guide to what comes next" if worse else
                                       "the holdout is easier than the training folds")
                           + (f" (holdout R² {drift['holdout_r2']:.2f})"
                              if drift.get("holdout_r2") is not None
                              and drift["holdout_r2"] < 0 else "")))
    split = result.split
    codes = {issue["code"]: issue for issue in quality["issues"]}
    if "small_data" in codes or split["test_rows"] < SMALL_TEST_ROWS:
        out.append(Warning("small_data", f"{split['test_rows']} held-out rows: the intervals "
                           "are wide; treat the numbers as rough"))
    if result.task == "binary":
        positives = _positives(result)
        if positives is not None and positives < FEW_POSITIVES:
            out.append(Warning("few_positives", f"the holdout holds {positives} positive cases: "
                               "ranking metrics are shaky; their intervals are widened to "
                               "hold, and average precision is bias-corrected"))
    if "imbalanced_target" in codes:
        out.append(Warning("imbalanced_target", codes["imbalanced_target"]["message"]))
    if "random_split_with_time" in codes:
        issue = codes["random_split_with_time"]
        out.append(Warning("random_split_with_time", issue["message"]
                           + "; set data.time_column in mvp.yaml", issue["columns"]))
    if resample_note:
        out.append(Warning("intervals_resample_rows", resample_note,
                           [c for c in (mapping.data.group_column, mapping.data.time_column)
                            if c]))
    both = split.get("groups_on_both_sides", 0)
    if both:
        group = mapping.data.group_column
        out.append(Warning("groups_straddle_split", f"{both} groups of {quoted(group)} appear "
                           "before and after the time cut; the holdout tests later times, "
                           "but on groups the model has seen", [group] if group else []))
    used = set(result.features["used"])
    crowded = [i.name for i in infos if i.role == "categorical" and i.unique > MAX_CATEGORIES
               and i.name in used]
    if crowded:
        out.append(Warning("grouped_categories", f"{_names(crowded)} have more than "
                           f"{MAX_CATEGORIES} categories; the models keep the "
                           f"{MAX_CATEGORIES} most common and group the rest", crowded))
    dropped = result.features["dropped"]
    if dropped:
        out.append(Warning("dropped_columns", "Not used: " + "; ".join(
            f"{quoted(c)} ({why})" for c, why in dropped.items()), list(dropped)))
    return out


def _positives(result: BaselineResult) -> int | None:
    """Return how many held-out rows are positive, from act on all's precision."""
    everyone = result.contenders.get("act on all")
    if everyone is None or everyone.value("precision") is None:
        return None
    return round(everyone.value("precision") * result.split["test_rows"])


def _names(columns: list[str]) -> str:
    shown = ", ".join(quoted(c) for c in columns[:5])
    return shown + (f" and {len(columns) - 5} more" if len(columns) > 5 else "")

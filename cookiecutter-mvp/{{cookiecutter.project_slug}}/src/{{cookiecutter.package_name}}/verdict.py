"""What the numbers mean: the verdict against the goal, ML against the rule, warnings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .config import METRICS
from .features import MAX_CATEGORIES
from .scores import rounded

if TYPE_CHECKING:
    from .columns import ColumnInfo
    from .config import Mapping

# A linear score this good on a real business problem usually means a leak.
TOO_GOOD = {"roc_auc": 0.99, "average_precision": 0.99, "accuracy": 0.99,
            "balanced_accuracy": 0.99, "f1": 0.99, "f1_macro": 0.99, "roc_auc_ovr": 0.995,
            "r2": 0.99}
SMALL_TEST_ROWS = 100


def goal_verdict(metric: str, threshold: float, value: float,
                 interval: list[float]) -> dict[str, Any]:
    """Judge the linear model's interval against the offline success threshold.

    ``met`` when the whole interval clears the threshold, ``not_met`` when the whole
    interval misses it, ``inconclusive`` when it straddles it: more data decides.
    """
    low, high = interval
    better = METRICS[metric].higher_is_better
    sign = ">=" if better else "<="
    if not np.isfinite([value, low, high]).all():
        message = (f"Goal {metric} {sign} {threshold:g}: inconclusive — {metric} is undefined on "
                   "the holdout (e.g. no row of a class); more data is needed")
        return {"metric": metric, "threshold": threshold, "value": rounded(value),
                "ci": [rounded(low), rounded(high)], "verdict": "inconclusive",
                "message": message}
    if better:
        verdict = "met" if low >= threshold else "not_met" if high < threshold else "inconclusive"
    else:
        verdict = "met" if high <= threshold else "not_met" if low > threshold else "inconclusive"
    words = {"met": "met", "not_met": "not met", "inconclusive": "inconclusive"}[verdict]
    message = (f"Goal {metric} {sign} {threshold:g}: {words} — linear {metric} {value:.3f} "
               f"[{low:.3f}, {high:.3f}]")
    return {"metric": metric, "threshold": threshold, "value": rounded(value),
            "ci": [rounded(low), rounded(high)], "verdict": verdict, "message": message}


def versus_rule(metric: str, difference: list[float]) -> dict[str, Any]:
    """Say, from the paired interval of linear − rule, whether ML beats the rule."""
    low, high = difference
    if not np.isfinite([low, high]).all():
        return {"answer": "unclear", "message": f"Not clearly: {metric} is undefined on the "
                "holdout, so the two cannot be compared"}
    better = METRICS[metric].higher_is_better
    gain_low, gain_high = (low, high) if better else (-high, -low)
    if gain_low > 0:
        answer, message = "yes", (f"Yes: the linear model beats the rule by {gain_low:.3f} to "
                                  f"{gain_high:.3f} {metric} (95 % paired interval)")
    elif gain_high < 0:
        answer, message = "no", (f"No: the rule beats the linear model by {-gain_high:.3f} to "
                                 f"{-gain_low:.3f} {metric}")
    else:
        answer, message = "unclear", (f"Not clearly: the difference in {metric} lies between "
                                      f"{gain_low:.3f} and {gain_high:.3f}, which includes no "
                                      "difference at all")
    return {"answer": answer, "message": message}


def warnings_for(quality: dict[str, Any], dropped: dict[str, str], results: dict[str, Any],
                 mapping: Mapping, infos: list[ColumnInfo],
                 features: list[str]) -> list[dict[str, Any]]:
    """Return the warnings a reader must see before trusting the numbers."""
    out = []
    suspects = [s["column"] for s in quality["leakage_suspects"]]
    if suspects:
        out.append(_warning("leakage_suspect", f"{', '.join(suspects)} alone "
                            "(nearly) give the answer away; drop them unless they are known "
                            "when the prediction is made", suspects))
    metric = results["primary_metric"]
    value = results["models"]["linear"]["test"].get(metric)
    limit = TOO_GOOD.get(metric)
    if value is not None and limit is not None and value >= limit:
        out.append(_warning("leakage_suspect", f"the linear model's {metric} of {value:.3f} is "
                            "too good to be true for most business problems: look for a "
                            "column that is only known afterwards", []))
    codes = {issue["code"]: issue for issue in quality["issues"]}
    if "small_data" in codes or results["split"]["test_rows"] < SMALL_TEST_ROWS:
        out.append(_warning("small_data", f"{results['split']['test_rows']} held-out rows: "
                            "the intervals are wide; treat the numbers as rough", []))
    if "imbalanced_target" in codes:
        out.append(_warning("imbalanced_target", codes["imbalanced_target"]["message"], []))
    if "random_split_with_time" in codes:
        issue = codes["random_split_with_time"]
        out.append(_warning("random_split_with_time", issue["message"]
                            + "; set data.time_column in mvp.yaml", issue["columns"]))
    bootstrap = results["bootstrap"]
    if bootstrap.get("holdout_groups") is not None and bootstrap["unit"] == "row":
        out.append(_warning("few_holdout_groups", f"the holdout holds only "
                            f"{bootstrap['holdout_groups']} groups; its intervals resample "
                            "rows and are too narrow: treat them as a lower bound on the "
                            "uncertainty", [mapping.data.group_column]))
    both = results["split"].get("groups_on_both_sides", 0)
    if both:
        group = mapping.data.group_column
        out.append(_warning("groups_straddle_split", f"{both} groups of '{group}' appear "
                            "before and after the time cut; the holdout tests later times, "
                            "but on groups the model has seen", [group]))
    crowded = [i.name for i in infos if i.role == "categorical" and i.unique > MAX_CATEGORIES
               and i.name in features]
    if crowded:
        out.append(_warning("grouped_categories", f"{', '.join(crowded)} have more than "
                            f"{MAX_CATEGORIES} categories; the linear model keeps the "
                            f"{MAX_CATEGORIES} most common and groups the rest", crowded))
    if dropped:
        out.append(_warning("dropped_columns", "; ".join(f"{c}: {why}" for c, why
                                                         in dropped.items()), list(dropped)))
    return out


def _warning(code: str, message: str, columns: list[str]) -> dict[str, Any]:
    return {"code": code, "message": message, "columns": columns}



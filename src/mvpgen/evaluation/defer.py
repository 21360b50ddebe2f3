"""When should a person decide instead of the model? Review share against the goal.

People take the cases the model is least sure of; the model decides the rest. The
share people review is chosen on the training folds (the smallest share whose
decisions, model and people together, meet the goal there), then measured once on the
holdout with its interval, so the advice cannot contradict the verdict. People are
assumed to decide their cases right; the report says so. A goal on a ranking metric
(ROC AUC, average precision) has no decision to defer, so the policy is judged on
accuracy instead, and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from mvpgen.evaluation.bootstrap import Decisions, drawn_counts
from mvpgen.evaluation.verdict import judge
from mvpgen.metrics import METRICS, Predictions, from_confusion, rounded

SHARES = tuple(np.round(np.arange(0.0, 0.55, 0.05), 2))
_RANKING = {"roc_auc", "average_precision", "log_loss", "roc_auc_ovr", "recall_at_budget",
            "precision_at_budget"}


def judged_on(metric: str) -> str:
    """Return the metric a defer policy is judged on: the goal's, or accuracy."""
    return "accuracy" if metric in _RANKING or METRICS[metric].tasks == ("regression",) \
        else metric


def least_sure(p: Predictions, threshold: float | None, metric: str = "accuracy") -> np.ndarray:
    """Return how much a person's look at each case is worth (higher: review first).

    For most metrics, the chance the model's decision is wrong. For recall only a
    missed positive can be fixed, so the cases not flagged come first, the likeliest
    positives first; for precision, the flagged cases, the least likely first.
    """
    if p.classes == (False, True):
        decided = p.score >= (threshold if threshold is not None else 0.5)
        wrong = np.where(decided, 1 - p.score, p.score)
        if metric == "recall":
            return np.where(decided, -1.0, p.score)
        if metric == "precision":
            return np.where(decided, 1 - p.score, -1.0)
        return wrong
    return 1 - np.asarray(p.score).max(axis=1)


def with_people(p: Predictions, share: float, unsure: np.ndarray) -> Predictions:
    """Return the decisions when people take the ``share`` of cases the model is least sure of.

    People are assumed to decide their cases right.
    """
    count = round(share * len(p.truth))
    label = p.label.copy()
    if count:
        order = np.argsort(-unsure, kind="stable")[:count]
        label[order] = p.truth[order]
    return Predictions(p.truth, label, p.score, p.classes, p.capacity)


def defer_statistic(p: Predictions, metric: str, share: float,
                    threshold: float | None) -> Callable[[np.ndarray], float]:
    """Return a function of resampled rows: the metric of model and people together."""
    # The holdout is put in review order once; a resample is then how often each row
    # was drawn, and people take the first ``share`` of the drawn rows in that order.
    order = np.argsort(-least_sure(p, threshold, metric), kind="stable")
    decisions = Decisions(p)
    codes, right = decisions.codes[order], decisions.right[order]
    size = decisions.classes**2

    def statistic(rows: np.ndarray) -> float:
        drawn = drawn_counts(rows, len(p.truth))[order].astype(float)
        count = round(share * len(rows))
        taken = np.clip(count - (np.cumsum(drawn) - drawn), 0, drawn)  # copies people decide
        confusion = (np.bincount(codes, weights=drawn - taken, minlength=size)
                     + np.bincount(right, weights=taken, minlength=size))
        return from_confusion(metric, confusion.reshape(decisions.classes, decisions.classes))

    return statistic


def choose_share(out_of_fold: Predictions | None, metric: str, goal: float,
                 threshold: float | None, *, model_met: bool) -> tuple[float | None,
                                                                     list[dict[str, Any]]]:
    """Return the review share chosen on the training folds, and the curve there.

    The share 0 (the model alone) is only proposed when the model alone met the goal
    on the holdout; otherwise the smallest share above 0 that meets it on the folds.
    """
    if out_of_fold is None or len(out_of_fold.truth) == 0:
        return None, []
    unsure = least_sure(out_of_fold, threshold, metric)
    fast = METRICS[metric].fast
    curve, chosen = [], None
    for share in SHARES:
        value = fast(with_people(out_of_fold, share, unsure))
        curve.append({"review_share": float(share), "training_folds": rounded(value)})
        allowed = share > 0 or model_met
        if chosen is None and allowed and METRICS[metric].meets(value, goal):
            chosen = float(share)
    return chosen, curve


def candidate_shares(oof: Predictions | None, metric: str, goal: float,
                     threshold: float | None) -> list[float]:
    """Return the shares a policy could propose (for their intervals): at most two."""
    if oof is None:
        return []
    if oof.classes == (False, True) and threshold is not None:
        oof = Predictions(oof.truth, oof.score >= threshold, oof.score, oof.classes,
                          oof.capacity)
    out = []
    for allowed in (False, True):
        share, _ = choose_share(oof, metric, goal, threshold, model_met=allowed)
        if share is not None:
            out.append(share)
    return out


def defer_policy(holdout: Predictions, oof: Predictions | None, metric: str, goal: float,
                 threshold: float | None, *, model: str, model_met: bool,
                 values: dict[float, np.ndarray], estimate: Callable[[np.ndarray], list[float]],
                 judged: str) -> dict[str, Any]:
    """Return the curve of review share against the metric, and the policy to propose.

    Args:
        holdout: the model's holdout predictions.
        oof: its out-of-fold predictions on the training rows.
        metric: the metric the policy is judged on (see :func:`judged_on`).
        goal: the value to reach on it (the goal's threshold, or for accuracy the one
            the caller states).
        threshold: the model's decision threshold (binary).
        model: the model's name.
        model_met: whether the model alone met the goal on the holdout.
        values: per review share, the metric on the bootstrap resamples.
        estimate: turns bootstrap values into an interval.
        judged: the goal's own metric, when it differs from ``metric``.
    """
    if oof is not None and oof.classes == (False, True) and threshold is not None:
        oof = Predictions(oof.truth, oof.score >= threshold, oof.score, oof.classes,
                          oof.capacity)  # decided at the model's own threshold
    chosen, folds_curve = choose_share(oof, metric, goal, threshold,
                                       model_met=model_met) if judged == metric else (None, [])
    unsure = least_sure(holdout, threshold, metric)
    fast = METRICS[metric].fast
    points = []
    for share in SHARES:
        value = fast(with_people(holdout, share, unsure))
        low, high = estimate(values[share]) if share in values else (None, None)
        point = {"review_share": float(share), "review_per_1000": round(1000 * share),
                 "holdout": rounded(value), "ci": [rounded(low), rounded(high)]}
        folds = next((p["training_folds"] for p in folds_curve
                      if p["review_share"] == share), None)
        if folds is not None:
            point["training_folds"] = folds
        points.append(point)
    proposed = None
    if chosen is not None:
        point = next(p for p in points if p["review_share"] == chosen)
        verdict = judge(metric, goal, point["holdout"], *point["ci"])
        proposed = {"review_share": chosen, "review_per_1000": point["review_per_1000"],
                    "value": point["holdout"], "ci": point["ci"], "verdict": verdict}
    return {"metric": metric, "goal_metric": judged, "goal": goal, "model": model,
            "points": points, "proposed": proposed,
            "message": _message(proposed, metric, judged, goal, model)}


def _message(proposed: dict[str, Any] | None, metric: str, judged: str, goal: float,
             model: str) -> str:
    if metric != judged:
        return (f"{judged} ranks cases and decides none, so the curve shows {metric} as people "
                f"take over the cases {model} is least sure of (people assumed right)")
    sign = METRICS[metric].sign
    if proposed is None:
        return (f"No review share up to {SHARES[-1]:.0%} brings {model} and people together to "
                f"{metric} {sign} {goal:g} on the training folds: the model must improve first")
    share, low, high = proposed["review_share"], *proposed["ci"]
    interval = f" [{low:.3f}, {high:.3f}]" if low is not None and high is not None else ""
    words = {"met": "meets the goal", "not_met": "misses the goal",
             "inconclusive": "may or may not meet the goal"}[proposed["verdict"]]
    if share == 0:
        return (f"{model} alone meets {metric} {sign} {goal:g} "
                f"({proposed['value']:.3f}{interval} on the holdout): people need review none "
                "of the cases")
    return (f"With people reviewing the {proposed['review_per_1000']:,} of every 1,000 cases "
            f"{model} is least sure of (chosen on the training folds), model and people "
            f"together reach {metric} {proposed['value']:.3f}{interval} on the holdout: "
            f"{words} (people assumed right)")

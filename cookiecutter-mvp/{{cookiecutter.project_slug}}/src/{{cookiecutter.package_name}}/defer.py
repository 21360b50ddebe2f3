"""When should the model decide, and when should a person? Coverage against accuracy.

If the model decides only the cases where it is at least ``p`` confident and passes
the rest to people, it covers a share of the cases at some accuracy. The smallest
``p`` whose covered cases meet the mapping's goal is the policy to propose, and the
cases it passes on are the reviewers' workload.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .config import METRICS
from .scores import Predictions, rounded, score

LEVELS = tuple(np.round(np.arange(0.5, 1.0, 0.05), 2))
MIN_COVERED_ROWS = 30  # fewer decided cases say nothing about their accuracy


def defer_policy(p: Predictions, metric: str, threshold: float, task: str) -> dict[str, Any]:
    """Return coverage and accuracy at each confidence level, and the level to propose.

    Only for classes: a regression has no confidence to defer on.
    """
    # Confidence in the decision taken: the probability of the class decided on (with a
    # cost-chosen threshold, a case decided "yes" at 30 % is a 30 % confident decision).
    confidence = (np.where(p.label, p.score, 1 - p.score) if task == "binary"
                  else p.score.max(axis=1))
    better = METRICS[metric].higher_is_better
    points, proposed = [], None
    for level in LEVELS:
        covered = confidence >= level
        if covered.sum() < MIN_COVERED_ROWS:
            break
        decided = p.take(np.flatnonzero(covered))
        value = score(metric, decided)
        point = {"confidence": float(level), "coverage": rounded(covered.mean()),
                 "accuracy": rounded(np.mean(decided.truth == decided.label)),
                 metric: rounded(value)}
        points.append(point)
        meets = value == value and (value >= threshold if better else value <= threshold)
        if proposed is None and meets:
            proposed = {"confidence": float(level), "coverage": point["coverage"],
                        "review_per_1000": round(1000 * (1 - covered.mean()))}
    return {"metric": metric, "points": points, "proposed": proposed,
            "message": _message(proposed, metric, threshold)}


def _message(proposed: dict[str, Any] | None, metric: str, threshold: float) -> str:
    if proposed is None:
        return (f"No confidence level lets the model alone reach {metric} {threshold:g}: "
                "people review every case, or the model improves first")
    return (f"Let the model decide when it is at least {proposed['confidence']:.0%} confident: "
            f"it then decides {proposed['coverage']:.0%} of the cases and meets {metric} "
            f"{threshold:g} on them; people review about {proposed['review_per_1000']:,} "
            "of every 1,000")

"""Money: what each policy is expected to cost per 1,000 decisions, with its uncertainty.

The costs of the four outcomes come from ``mvp.yaml``; an outcome whose cost is not
given costs 0, and the result says so. Every figure has a 95 % interval from the same
resamples as the metrics, so "cheapest" is only said when the difference to every
other policy is clear, and savings are measured against the best policy that needs no
data (acting on every case, or on none), not only against doing nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mvpgen.evaluation.bootstrap import Decisions, interval
from mvpgen.evaluation.fitting import cost_per_1000
from mvpgen.mapping import Costs
from mvpgen.metrics import Predictions, rounded

OUTCOMES = ("true_positive", "false_positive", "false_negative", "true_negative")


def cost_statistic(p: Predictions, costs: Costs) -> Any:
    """Return a function of resampled rows: the cost per 1,000 decisions on them."""
    decisions = Decisions(p)
    # The confusion matrix's cells, truth by decision: TN, FP / FN, TP.
    each = np.array([[costs.of("true_negative"), costs.of("false_positive")],
                     [costs.of("false_negative"), costs.of("true_positive")]])

    def statistic(rows: np.ndarray) -> float:
        return float(1000 * np.sum(decisions.confusion(rows) * each) / len(rows)) \
            if len(rows) else float("nan")

    return statistic


def business_case(predictions: dict[str, Predictions], costs: Costs,
                  values: dict[str, np.ndarray], *, trivial: list[str],
                  trusted: bool, capacity: float | None = None) -> dict[str, Any]:
    """Return the cost of every policy per 1,000 decisions, its interval and the verdict.

    Args:
        predictions: each policy's holdout decisions, trivial policies included.
        costs: the costs of the four outcomes.
        values: each policy's cost per 1,000 on every bootstrap resample.
        trivial: the policies that need no data.
        trusted: False when a leak suspect makes every figure meaningless.
        capacity: the share of cases the business can act on, if stated. A policy that
            acts on more (acting on all; a rule whose group is larger) is shown but is no
            option: it is never called cheapest nor saved against.
    """
    per_1000 = {name: {"value": rounded(cost_per_1000(p.truth, p.label, costs)),
                       "ci": [rounded(v) for v in interval(values[name])]}
                for name, p in predictions.items()}
    beyond = [n for n, p in predictions.items() if _beyond(p, capacity)]
    options = [n for n in per_1000 if n not in beyond]
    by_cost = sorted(options, key=lambda n: (per_1000[n]["value"], n not in trivial))
    cheapest = by_cost[0]
    clear = all(_lower(values[other] - values[cheapest]) > 0 for other in by_cost[1:])
    # On a tie, the plainer name: "act on all" says more than "no model" deciding alike.
    best_trivial = min((n for n in trivial if n in options),
                       key=lambda n: (per_1000[n]["value"], n == "no model"))
    savings = {name: {"value": rounded(per_1000[best_trivial]["value"] - per_1000[name]["value"]),
                      "ci": [rounded(v) for v in interval(values[best_trivial] - values[name])]}
               for name in per_1000 if name not in trivial}
    stated = {outcome: getattr(costs, outcome) is not None for outcome in OUTCOMES}
    return {"costs": {outcome: costs.of(outcome) for outcome in OUTCOMES},
            "stated": stated,
            "per_1000": per_1000,
            "cheapest": cheapest if clear else None,
            "lowest": cheapest,
            "best_trivial": best_trivial,
            "savings_versus_best_trivial": savings,
            "trusted": trusted,
            "beyond_capacity": beyond,
            "message": _message(per_1000, cheapest, clear, by_cost, best_trivial, savings,
                                stated, trusted, beyond)}


def _beyond(p: Predictions, capacity: float | None) -> bool:
    """Return whether a policy acts on more cases than the capacity, beyond chance.

    A threshold chosen to act on the capacity's share of training rows acts on a little
    more or less of the holdout by chance; three standard errors allow for that.
    """
    if capacity is None or len(p.label) == 0:
        return False
    slack = 3 * np.sqrt(capacity * (1 - capacity) / len(p.label))
    return float(np.mean(p.label)) > capacity + slack


def _amount(value: float) -> str:
    """Return a cost in words: a negative cost is a gain."""
    return f"costs {value:,.0f}" if value >= 0 else f"gains {-value:,.0f}"


def _lower(values: np.ndarray) -> float:
    low = interval(values)[0]
    return low if np.isfinite(low) else -np.inf


def _message(per_1000: dict[str, Any], cheapest: str, clear: bool, order: list[str],
             best_trivial: str, savings: dict[str, Any], stated: dict[str, bool],
             trusted: bool, beyond: list[str]) -> str:
    if not trusted:
        return ("Money is not shown as a result: the data may leak the answer, so every "
                "figure would flatter the models")
    value = per_1000[cheapest]["value"]
    if clear:
        text = f"Cheapest: {cheapest}, {_amount(value)} per 1,000 decisions"
    else:
        runner = order[1]
        text = (f"No clear difference in money: {cheapest} {_amount(value)} per 1,000 "
                f"decisions and {runner} {_amount(per_1000[runner]['value'])}, within each "
                "other's uncertainty")
    if cheapest != best_trivial and cheapest in savings:
        saved = savings[cheapest]
        low, high = saved["ci"]
        if low is not None and low > 0:
            text += (f", saving {saved['value']:,.0f} [{low:,.0f}, {high:,.0f}] per 1,000 "
                     f"against the best policy without a model ({best_trivial})")
        elif low is not None and high is not None:
            text += (f"; against the best policy without a model ({best_trivial}) the "
                     f"difference lies between {low:,.0f} and {high:,.0f} per 1,000: no clear "
                     "saving")
    if beyond:
        names = ", ".join(beyond[:-1]) + (" and " if len(beyond) > 1 else "") + beyond[-1]
        text += (f"; {names} would act on more cases than the business can, so "
                 f"{'it is' if len(beyond) == 1 else 'they are'} not counted")
    unstated = [o.replace("_", " ") for o, given in stated.items() if not given]
    if unstated:
        text += f" ({' and '.join(unstated)} cost 0: not given in mvp.yaml)"
    return text

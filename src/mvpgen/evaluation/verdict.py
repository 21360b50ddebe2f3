"""What the numbers mean: each contender against the goal, then one recommendation.

Every contender is judged from its own interval: ``met`` when the whole interval clears
the goal, ``not_met`` when the whole interval misses it, ``inconclusive`` in between.
The goal's verdict then looks at all of them, trivial policies first: a goal that a
policy needing no data reaches measures nothing, and a leak suspect blocks any verdict.
The recommendation is one sentence from a fixed set (see ``result.RECOMMENDATIONS``).
"""

from __future__ import annotations

import math

import numpy as np

from mvpgen.evaluation.result import ContenderResult, Goal, Recommendation
from mvpgen.metrics import METRICS, Metric
from mvpgen.words import listing


def judge(metric: str, threshold: float, value: float | None, low: float | None,
          high: float | None) -> str:
    """Return ``met``, ``not_met`` or ``inconclusive`` for one interval against the goal."""
    numbers = [value, low, high]
    if any(v is None for v in numbers) or not np.isfinite(numbers).all():
        return "inconclusive"
    better = METRICS[metric].higher_is_better
    if better:
        return "met" if low >= threshold else "not_met" if high < threshold else "inconclusive"
    return "met" if high <= threshold else "not_met" if low > threshold else "inconclusive"


def clearly_better(metric: Metric, difference: list[float | None] | None) -> bool:
    """Return whether a paired interval (a − b) says a beats b in the metric's direction."""
    if not difference or any(v is None or not math.isfinite(v) for v in difference):
        return False
    low, high = difference
    return low > 0 if metric.higher_is_better else high < 0


def decide(contenders: dict[str, ContenderResult], metric_name: str, threshold: float, *,
           differences: dict[str, dict[str, list[float | None]]], suspects: list[str],
           too_good: list[str], test_rows: int, test_share: float,
           more_data_helps: bool | None, unfitted_rows: int = 0) -> tuple[Goal, Recommendation]:
    """Return the goal's verdict and the recommendation, from every contender's verdict.

    Args:
        contenders: every contender's result, trivial policies included.
        metric_name: the goal's metric.
        threshold: the goal's threshold.
        differences: paired intervals, ``"a - b"`` → {metric: [low, high]}.
        suspects: the columns the leak screen named (and nobody cleared).
        too_good: sentences about scores too good to be true (any contender, any metric).
        test_rows: the number of held-out rows.
        test_share: the share of rows held out.
        more_data_helps: what the learning curve says, when it says anything.
        unfitted_rows: training rows left out of the fit sample (settings.fit_rows).
    """
    metric = METRICS[metric_name]
    sign = metric.sign
    goal_words = f"{metric_name} {sign} {threshold:g}"
    trivial = [c for c in contenders.values() if c.kind == "trivial" or c.acts_like]
    candidates = [c for c in contenders.values() if c.kind != "trivial" and not c.acts_like]
    best = _best(candidates or list(contenders.values()), metric)

    def goal(verdict: str, shown: ContenderResult | None, message: str) -> Goal:
        return Goal(metric_name, threshold, verdict, shown.name if shown else None,
                    shown.value(metric_name) if shown else None,
                    list(shown.ci) if shown else [None, None], message)

    if suspects or too_good:
        why = (f"the leak screen names {listing(suspects)}" if suspects
               else too_good[0])
        many = len(suspects) > 1 or not suspects
        sentence = (f"Stop: the data may leak the answer: {why}. Remove "
                    + ("them" if many else "it") + " from the data, or, if known when the "
                    "prediction is made, clear " + ("them" if many else "it")
                    + " in mvp.yaml (data.not_leaks: {column: why})")
        return (goal("suspect_leak", best, f"Goal {goal_words}: no verdict while the data "
                     f"may leak the answer ({_shown(best, metric_name)})"),
                Recommendation("stop_leak", sentence))

    reached = [c for c in trivial if metric.meets(c.value(metric_name), threshold)
               or c.verdict == "met"]
    if reached:
        # Name the plainest policy: "act on all" says more than "no model" deciding alike.
        plain = sorted(reached, key=lambda c: c.name not in ("act on all", "act on none"))
        policy = _best(plain, metric)
        value = policy.value(metric_name)
        flags = "every row" if policy.acts_like == "act on all" else "no row"
        what = policy.name if policy.kind == "trivial" else f"{policy.name}, which flags {flags},"
        sentence = (f"Change the goal: {what} already reaches {metric_name} "
                    f"{_number(value)} (goal {sign} {threshold:g}) without any model; "
                    f"{advice(metric_name, policy)}")
        return (goal("trivially_met", policy, f"Goal {goal_words}: met without any model — "
                     f"{_shown(policy, metric_name)}"),
                Recommendation("change_goal", sentence))

    models = [c for c in candidates if c.kind == "model"]
    rules = [c for c in candidates if c.kind == "rule"]
    best_model = _best(models, metric) if models else None
    best_rule = _best(rules, metric) if rules else None
    met_rules = [r for r in rules if r.verdict == "met"]

    if best_model is not None and best_model.verdict == "met":
        beaten = [c for c in [*rules, *trivial]
                  if clearly_better(metric, _difference(differences, best_model, c,
                                                         metric_name))]
        rivals = [c for c in [*rules, *trivial] if c not in beaten]
        if not rivals:
            return (goal("met", best_model, f"Goal {goal_words}: met — "
                         f"{_shown(best_model, metric_name)}"),
                    Recommendation("build_model", f"Build the model: {best_model.name} meets "
                                   f"the goal ({_shown(best_model, metric_name)}) and clearly "
                                   "beats the rule and the trivial policies"))
        if met_rules:
            rule = _best(met_rules, metric)
            return (goal("met", rule, f"Goal {goal_words}: met — {_shown(rule, metric_name)}"),
                    Recommendation("launch_rule", f"Launch the rule, not ML: it meets the goal "
                                   f"({_shown(rule, metric_name)}) and {best_model.name} is not "
                                   f"clearly better: {rule.rule or rule.description}"))
        rival = _best(rivals, metric)
        if rival.verdict == "not_met":
            return (goal("met", best_model, f"Goal {goal_words}: met — "
                         f"{_shown(best_model, metric_name)}"),
                    Recommendation("build_model", f"Build the model: {best_model.name} meets "
                                   f"the goal ({_shown(best_model, metric_name)}); {rival.name} "
                                   "does not, though the two are not clearly apart"))
        return (goal("inconclusive", best_model, f"Goal {goal_words}: inconclusive — "
                     f"{best_model.name} meets it, and {rival.name} may too"),
                Recommendation("inconclusive", f"Inconclusive: {best_model.name} meets the goal "
                               f"({_shown(best_model, metric_name)}), but {rival.name} may "
                               f"too ({_shown(rival, metric_name)}); "
                               + more_rows(best_model, rival, metric_name, test_rows,
                                           test_share, differences)))
    if met_rules:
        rule = _best(met_rules, metric)
        return (goal("met", rule, f"Goal {goal_words}: met — {_shown(rule, metric_name)}"),
                Recommendation("launch_rule", f"Launch the rule, not ML: it meets the goal "
                               f"({_shown(rule, metric_name)}) and no model does: "
                               f"{rule.rule or rule.description}"))
    unsure = [c for c in candidates if c.verdict == "inconclusive"]
    if unsure:
        leader = _best(unsure, metric)
        rival = best_rule if leader.kind == "model" else None
        alike = ""
        if rival is not None and not clearly_better(
                metric, _difference(differences, leader, rival, metric_name)):
            alike = (f" ({rival.name} does about as well: "
                     f"{_number(rival.value(metric_name))})")
        return (goal("inconclusive", leader, f"Goal {goal_words}: inconclusive — "
                     f"{_shown(leader, metric_name)}"),
                Recommendation("inconclusive", f"Inconclusive: {_shown(leader, metric_name)} "
                               f"straddles the goal {threshold:g}{alike}; "
                               + rows_to_settle(leader, metric_name, threshold, test_rows,
                                                test_share)))
    leader = best if best is not None else (best_rule or best_model)
    gap = (abs(leader.value(metric_name) - threshold)
           if leader is not None and leader.value(metric_name) is not None else None)
    curve = (f"; the learning curve says more rows would likely help, and {unfitted_rows:,} "
             "training rows were left out of the fit: raise settings.fit_rows in mvp.yaml"
             if more_data_helps and unfitted_rows else
             "; the learning curve says more rows would likely help" if more_data_helps
             else "; the learning curve is flat, so more of the same rows alone will not "
                  "get there" if more_data_helps is False else "")
    short = f", {gap:.3g} short of the goal {threshold:g}" if gap is not None else ""
    return (goal("not_met", leader, f"Goal {goal_words}: not met — "
                 f"{_shown(leader, metric_name)}"),
            Recommendation("not_yet", f"Not yet: the best contender, "
                           f"{_shown(leader, metric_name)}{short}{curve}"))


def advice(metric: str, policy: ContenderResult) -> str:
    """Return what to measure instead, when a trivial policy meets the goal."""
    return {
        "recall": "a recall goal needs a bound on how many cases can be acted on: state "
                  "business.capacity and use recall_at_budget",
        "precision": "state business.capacity and use precision_at_budget, or raise the "
                     "threshold above the share of positive cases",
        "f1": "use average_precision, or recall_at_budget with business.capacity",
        "accuracy": "accuracy at or under the majority's share is met by always answering "
                    "the majority: use balanced_accuracy, or recall_at_budget with "
                    "business.capacity",
    }.get(metric, f"set the threshold beyond what {policy.name} scores")


def rows_to_settle(leader: ContenderResult, metric: str, threshold: float, test_rows: int,
                   test_share: float) -> str:
    """Return about how many more labelled rows would settle an inconclusive verdict.

    An interval narrows with the square root of the rows held out: to put the goal
    outside it, the half-width must shrink to the distance between value and goal.
    """
    value = leader.value(metric)
    low, high = leader.ci
    if value is None or low is None or high is None or value == threshold:
        return "more labelled rows, or a clearer goal, would settle it"
    half = (high - low) / 2
    distance = abs(value - threshold)
    needed = test_rows * (half / distance) ** 2
    extra = max(needed - test_rows, 0) / test_share
    if extra > 1e7:
        return ("its value sits on the goal: no realistic number of rows settles it; "
                "decide whether the goal is the right one")
    return (f"about {_round_up(extra):,} more labelled rows (about {_round_up(needed):,} held "
            "out) would settle it")


def more_rows(a: ContenderResult, b: ContenderResult, metric: str, test_rows: int,
              test_share: float, differences: dict[str, dict[str, list[float | None]]]) -> str:
    """Return about how many more rows would tell two contenders apart."""
    difference = _difference(differences, a, b, metric)
    va, vb = a.value(metric), b.value(metric)
    if difference is None or va is None or vb is None or None in difference or va == vb:
        return "more labelled rows would tell them apart"
    half = (difference[1] - difference[0]) / 2
    needed = test_rows * (half / abs(va - vb)) ** 2
    extra = max(needed - test_rows, 0) / test_share
    return f"about {_round_up(extra):,} more labelled rows would tell them apart"


def _round_up(count: float) -> int:
    if count < 100:
        return max(int(math.ceil(count / 10) * 10), 10)
    digits = 10 ** (len(str(int(count))) - 2)
    return int(math.ceil(count / digits) * digits)


def _difference(differences: dict[str, dict[str, list[float | None]]], a: ContenderResult,
                b: ContenderResult, metric: str) -> list[float | None] | None:
    direct = differences.get(f"{a.name} - {b.name}", {}).get(metric)
    if direct is not None:
        return direct
    reverse = differences.get(f"{b.name} - {a.name}", {}).get(metric)
    if reverse is not None and None not in reverse:
        return [-reverse[1], -reverse[0]]
    return None


def _best(contenders: list[ContenderResult], metric: Metric) -> ContenderResult | None:
    """Return the contender with the best value (undefined values last)."""
    if not contenders:
        return None

    def key(c: ContenderResult) -> float:
        value = c.value(metric.name)
        if value is None or not math.isfinite(value):
            return -math.inf
        return value if metric.higher_is_better else -value

    return max(contenders, key=key)


def _shown(c: ContenderResult | None, metric: str) -> str:
    if c is None:
        return "no contender"
    value = c.value(metric)
    low, high = c.ci
    text = f"{c.name} {metric} {_number(value)}"
    if value is not None and low is not None and high is not None:
        text += f" [{low:.3f}, {high:.3f}]"
    return text


def _number(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.3f}"



MIN_ROWS_FOR_TOO_GOOD = 50  # a perfect score on a dozen rows is chance, not a leak


def too_good_findings(contenders: dict[str, ContenderResult],
                      test_rows: int = MIN_ROWS_FOR_TOO_GOOD) -> list[dict[str, str]]:
    """Return every score too good to be true, any contender, any metric.

    Error metrics are too good when under a share of the no-model error. Each finding
    names its contender, so the columns it relies on can be named with it. On fewer
    than ``MIN_ROWS_FOR_TOO_GOOD`` held-out rows no score is called too good: the
    small-data warning says how rough the numbers are.
    """
    out: dict[str, dict[str, str]] = {}
    if test_rows < MIN_ROWS_FOR_TOO_GOOD:
        return []
    reference = contenders.get("no model")
    for c in contenders.values():
        if c.kind == "trivial" or c.name in out:
            continue
        for name, value in c.test.items():
            metric = METRICS.get(name)
            if metric is None or metric.too_good is None or value is None:
                continue
            if metric.higher_is_better:
                if value >= metric.too_good:
                    out[c.name] = {"contender": c.name, "sentence": (
                        f"{c.name} scores {name} {value:.3f} on the holdout, too good to be "
                        "true for most business problems")}
                    break
            elif reference is not None and reference.value(name):
                share = value / reference.value(name)
                if share <= metric.too_good:
                    out[c.name] = {"contender": c.name, "sentence": (
                        f"{c.name}'s {name} is {share:.1%} of the no-model {name}, too good "
                        "to be true for most business problems")}
                    break
    return list(out.values())[:3]

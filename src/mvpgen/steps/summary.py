"""The summary a product manager reads: the recommendation first, then why, then what next.

Written from the files the steps leave behind, so it can be printed again at any time
(``mvpgen summary``) and says what is missing when a step has not run yet.
"""

from __future__ import annotations

from mvpgen.evaluation.result import BaselineResult, held_out_words
from mvpgen.project import Project
from mvpgen.steps.status import Evidence, project_status

FILES = (("reports/eda.html", "the data profile"),
         ("reports/baseline.html", "the evaluation, recommendation first"),
         ("reports/review.html", "the cases for a person to check"),
         ("CHECKLIST.md", "the five product questions and their evidence"))
TOP_WARNINGS = 3


def summary_lines(project: Project) -> list[str]:
    """Return the summary, one printable line each."""
    evidence = Evidence(project)
    lines = [project.mapping.project.name]
    if evidence.result is None:
        lines.append(evidence.result_problem or
                     "No baseline yet: run `mvpgen baseline` for a verdict.")
    else:
        if evidence.stale:
            lines.append(f"Stale: {evidence.stale}; run `mvpgen baseline` again.")
        lines += verdict_lines(evidence.result)
    lines.append("Open:")
    width = max(len(name) for name, _ in FILES)
    for name, what in FILES:
        if project.path(name).exists():
            lines.append(f"  {name:<{width}}  {what}")
    state = project_status(project, evidence)
    if state["next_step"]:
        lines.append(f"Next: {state['next_step']}")
    return lines


def verdict_lines(result: BaselineResult) -> list[str]:
    """Return the recommendation, the contenders against the goal, money and warnings."""
    metric = result.primary_metric
    goal = result.goal
    lines = [f"Recommendation: {result.recommendation.sentence}",
             f"Goal {metric} {_sign(result)} {goal.threshold:g}: "
             f"{goal.verdict.replace('_', ' ')}",
             f"On {held_out_words(result)} ({result.split['strategy']} split), {metric} with "
             "95 % intervals:"]
    width = max(len(name) for name in result.contenders)
    for c in result.contenders.values():
        value = c.value(metric)
        shown = "undefined" if value is None else f"{value:.3f}"
        low, high = c.ci
        if value is not None and low is not None and high is not None:
            shown += f" [{low:.3f}, {high:.3f}]"
        mark = {"met": "meets the goal", "not_met": "misses it",
                "inconclusive": "may meet it"}[c.verdict]
        lines.append(f"  {c.name:<{width}}  {shown}  {mark}")
    for c in result.of_kind("rule"):
        if c.rule:
            lines.append(f"  ({c.name}: {c.rule})")
    if result.business:
        lines.append(f"Money: {result.business['message']}")
    if result.defer:
        lines.append(f"People in the loop: {result.defer['message']}")
    warnings = [w for w in result.warnings if w.code != "dropped_columns"][:TOP_WARNINGS]
    if warnings:
        lines.append("Read before trusting the numbers:")
        lines += [f"  - {w.message}" for w in warnings]
        more = len(result.warnings) - len(warnings)
        if more > 0:
            lines.append(f"  ... {more} more in reports/baseline.html")
    return lines


def _sign(result: BaselineResult) -> str:
    from mvpgen.metrics import METRICS

    return METRICS[result.primary_metric].sign

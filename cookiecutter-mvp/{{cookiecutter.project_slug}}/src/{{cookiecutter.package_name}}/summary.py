"""The summary a product manager reads: the verdict, the comparison, the money, what next.

Written from the files the steps leave behind, so it can be printed again at any
time (``python -m <package> summary``) and says what is missing when a step has not
run yet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .config import Mapping
from .status import Evidence, project_status

MODEL_WORDS = {"linear": "linear model", "heuristic": "one-column rule", "trivial": "no model"}
FILES = (("reports/eda.html", "the data profile"),
         ("reports/baseline.html", "the evaluation, verdict first"),
         ("reports/review.html", "the cases for a person to check"),
         ("CHECKLIST.md", "the five product questions and their evidence"))
TOP_WARNINGS = 3


def summary_lines(root: Path, mapping: Mapping, package: str | None = None) -> list[str]:
    """Return the summary, one printable line each."""
    evidence = Evidence(root, mapping)
    metrics = evidence.metrics
    lines = [mapping.project.name]
    if metrics is None:
        lines.append("No baseline yet: run the baseline step for a verdict.")
    else:
        lines += _verdict(metrics)
    lines.append("Open:")
    width = max(len(name) for name, _ in FILES)
    for name, what in FILES:
        if (root / name).exists():
            lines.append(f"  {name:<{width}}  {what}")
    state = project_status(root, mapping, package, evidence)
    if state["next_step"]:
        lines.append(f"Next: {state['next_step']}")
    return lines


def _verdict(m: dict[str, Any]) -> list[str]:
    metric = m["primary_metric"]
    lines = [f"Verdict: {m['goal']['message']}",
             f"Is the model worth it? {m['versus_rule']['message']}",
             f"On {m['split']['test_rows']:,} held-out rows ({m['split']['strategy']} split), "
             f"{metric} with 95 % intervals:"]
    for name in ("linear", "heuristic", "trivial"):
        value = m["models"][name]["test"].get(metric)
        low, high = m["confidence_intervals"][name][metric]
        shown = "undefined" if value is None else f"{value:.3f}"
        if value is not None and low is not None and high is not None:
            shown += f" [{low:.3f}, {high:.3f}]"
        lines.append(f"  {MODEL_WORDS[name]:<16} {shown}")
    lines.append(f"  (the rule: {m['models']['heuristic']['rule']})")
    business = m.get("business")
    if business:
        costs = business["expected_cost_per_1000"]
        shown = ", ".join(f"{_policy(k)} {v:,.0f}" for k, v in costs.items())
        lines.append(f"Expected cost per 1,000 decisions: {shown}; cheapest: "
                     f"{_policy(business['cheapest'])}")
    defer = m.get("defer")
    if defer:
        lines.append(f"Human in the loop: {defer['message']}")
    warnings = m["warnings"][:TOP_WARNINGS]
    if warnings:
        lines.append("Read before trusting the numbers:")
        lines += [f"  - {w['message']}" for w in warnings]
        if len(m["warnings"]) > TOP_WARNINGS:
            lines.append(f"  ... {len(m['warnings']) - TOP_WARNINGS} more in "
                         "reports/baseline.html")
    return lines


def _policy(name: str) -> str:
    return MODEL_WORDS.get(name, name.replace("_", " "))

"""The living checklist: CHECKLIST.md's blocks, rewritten from the evidence at hand.

Every step calls :func:`refresh_checklist`, which rebuilds each block from what the
project's files say now (mvp.yaml, the reports, the label log); only the text between
markers changes, and boxes a person ticked inside a block stay ticked.
"""

from __future__ import annotations

from typing import Any

from mvpgen.evaluation.result import BaselineResult
from mvpgen.mapping import Mapping
from mvpgen.project import PATHS, Project
from mvpgen.steps.docs import mapping_block, update_checklist
from mvpgen.steps.status import Evidence, checklist_steps


def refresh_checklist(project: Project) -> bool:
    """Rewrite every block of CHECKLIST.md from the current evidence.

    Returns:
        Whether the file changed (a deleted checklist stays deleted).

    Raises:
        blocks.BlockError: when a marker is broken or missing; nothing is written then.
        data.DataError: when the label log is damaged.
    """
    evidence = Evidence(project)
    if evidence.labels_error is not None:
        raise evidence.labels_error
    mapping = project.mapping
    blocks = {"q1": mapping_block(mapping),
              "q2": q2_block(evidence.result, evidence.stale),
              "q3": "\n".join(f"- [{'x' if step.done else ' '}] {step.text}"
                              for step in checklist_steps(evidence)),
              "eda": eda_block(evidence.quality) if evidence.quality else _EDA_OPEN,
              "q4": q4_block(evidence),
              "q5": q5_block(mapping)}
    return update_checklist(project.root, blocks)


def q2_block(result: BaselineResult | None, stale: str | None = None) -> str:
    """Return question 2's evidence: the recommendation, every contender, the money."""
    if result is None:
        return _Q2_OPEN
    from mvpgen.steps.summary import verdict_lines

    lines = []
    if stale:
        lines.append(f"- **Stale:** {stale}; run `mvpgen baseline` again")
    lines.append(f"- **{result.recommendation.sentence}**")
    metric = result.primary_metric
    for c in result.contenders.values():
        value = c.value(metric)
        low, high = c.ci
        shown = ("undefined" if value is None else f"{value:.3f}"
                 + ("" if low is None or high is None else f" [{low:.3f}, {high:.3f}]"))
        lines.append(f"  - {c.name}: {metric} {shown} ({c.verdict.replace('_', ' ')})")
    lines += [f"- {line}" for line in verdict_lines(result)
              if line.startswith(("Money:", "People in the loop:"))]
    if result.business is None and result.task == "binary":
        lines.append("- Costs of errors not given: add `costs:` to mvp.yaml to compare in money")
    for warning in result.warnings:
        lines.append(f"- Warning: {warning.message}")
    lines.append("- Report: [reports/baseline.html](reports/baseline.html)")
    return "\n".join(lines)


def q4_block(evidence: Evidence) -> str:
    """Return question 4's state: reviewer, review set, labels, agreement, defer policy."""
    humans = evidence.mapping.humans
    result = evidence.result
    reviewer = humans.reviewer if humans else None
    budget = humans.review_budget if humans else None
    lines = [f"- Reviewer: {reviewer}" + (f", {budget:,} cases per review cycle" if budget
                                           else "")
             if reviewer else "- Reviewer: not named yet (set `humans.reviewer` in mvp.yaml)"]
    if evidence.review_rows is not None:
        lines.append(f"- Review set: [{PATHS.review_csv}]({PATHS.review_csv}), to label on "
                     "the page [reports/review.html](reports/review.html)")
    else:
        lines.append("- Review set: none yet (`mvpgen review` after the baseline)")
    labels = evidence.labels
    if labels["rows"]:
        share = labels["agreement"]
        lines.append(f"- Labels so far: {labels['rows']:,} rows labelled ({labels['labels']:,} "
                     f"labels in all, last received {labels['last_received']})"
                     + (f"; the model agreed with the reviewers on {share:.0%} of "
                        f"{labels['compared']:,}" if share is not None else ""))
        history = [f"{h['received_at'][:10]}: {h['agreement']:.0%} of {h['compared']}"
                   for h in labels["history"] if h["agreement"] is not None]
        if len(history) > 1:
            lines.append(f"- Agreement over time: {'; '.join(history[-6:])}")
    else:
        lines.append("- Labels so far: none (reviewers' labels arrive with "
                     "`mvpgen feedback FILLED.csv`)")
    used = result.feedback if result else {}
    if used.get("used"):
        added = used["added_rows"]
        lines.append(f"- The last baseline learnt from {used['used']:,} labels: "
                     f"{used['changed']:,} corrected the data, {used['confirmed']:,} confirmed "
                     f"it, {added['data_without_target'] + added['new']:,} added rows")
    defer = result.defer if result else None
    if defer:
        lines.append(f"- Defer to a person: {defer['message']}")
    return "\n".join(lines)


def q5_block(mapping: Mapping) -> str:
    """Return question 5's state: the advantage as stated, or what is still open."""
    if not mapping.advantage:
        return ("Open. State in mvp.yaml (`advantage:`) what this gives that competitors cannot "
                "copy quickly (data, workflow, distribution), and what evidence supports it.")
    return f"- Advantage stated: {' '.join(mapping.advantage.split())}"


def eda_block(quality: dict[str, Any]) -> str:
    """Return the checklist's evidence about the data, as Markdown.

    The profile's alerts are listed as the report shows them, each with why it is
    harmless here or what to do, those to act on first; alerts that mean the same share
    a line, and after ten lines the rest are counted.
    """
    eda = quality["eda"]
    rows = quality["rows_with_target"]
    scope = (f"all {rows:,} rows" if eda["profiled_rows"] == rows
             else f"a random sample of {eda['profiled_rows']:,} of {rows:,} rows")
    lines = [
        f"- [x] Data looked at: {quality['rows']:,} rows × {quality['columns']} columns; "
        f"the profile covers {scope} ([report]({eda['report']}))",
    ]
    balance = quality["target"]["balance"]
    if "classes" in balance:
        shares = ", ".join(f"{label!r} {share:.1%}" for label, share
                           in list(balance["classes"].items())[:6])
        lines.append(f"- Target '{quality['target']['name']}': {shares}")
    else:
        lines.append(f"- Target '{quality['target']['name']}': mean {balance['mean']:g}, "
                     f"median {balance['median']:g}, from {balance['min']:g} to {balance['max']:g}")
    issues = quality["issues"][:3]
    if issues:
        lines.append("- The most important data issues:")
        lines += [f"  {i}. {issue['message']}" for i, issue in enumerate(issues, 1)]
    else:
        lines.append("- mvpgen's checks (leaks, identifiers, imbalance, missing targets, "
                     "empty, constant or repeated data) found no issue.")
    alerts = quality.get("profile_alerts")
    if alerts is None:  # a summary written before alerts were recorded
        lines.append("- The profile's alerts: run `mvpgen eda` again to list them here.")
    elif not alerts:
        lines.append("- The profile raised no alerts.")
    else:
        to_check = sum(not alert["benign"] for alert in alerts)
        lines.append(f"- The profile's {len(alerts)} alert{'s' if len(alerts) > 1 else ''} "
                     f"({to_check} to check, {len(alerts) - to_check} harmless here):")
        same: dict[tuple[bool, str], list[str]] = {}
        for alert in alerts:
            same.setdefault((alert["benign"], alert["note"]), []).append(alert["message"])
        groups = list(same.items())
        lines += [f"  - {'; '.join(messages)}: {'harmless, ' if benign else 'check: '}{note}"
                  for (benign, note), messages in groups[:10]]
        left = sum(len(messages) for _, messages in groups[10:])
        if left:
            lines.append(f"  - and {left} more in reports/data_quality.json "
                         "(`profile_alerts`)")
    return "\n".join(lines)


_Q2_OPEN = ("Open. Compare the model with a trivial baseline and with a rule a person could "
            "write down; where the costs of errors are known, compare them in money.")
_EDA_OPEN = ("- [ ] Data looked at: run `make eda` for the profile (`reports/eda.html`) and the\n"
             "  data-quality summary (`reports/data_quality.json`).")

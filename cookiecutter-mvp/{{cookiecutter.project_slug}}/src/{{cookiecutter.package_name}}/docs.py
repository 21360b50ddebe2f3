"""Keep the machine-written parts of README.md and CHECKLIST.md in step with mvp.yaml."""

from __future__ import annotations

from pathlib import Path

from .blocks import read_keeping_newlines, replace_blocks, update_file
from .config import Mapping
from .describe import describe_mapping
from .files import write_atomically


def mapping_block(mapping: Mapping) -> str:
    """Return the mapping as a Markdown list, for README.md and question 1 of the checklist."""
    return "\n".join(f"- **{label}:** {_inline(sentence)}"
                     for label, sentence in describe_mapping(mapping))


def refresh_docs(root: Path, mapping: Mapping) -> list[Path]:
    """Rewrite the mapping blocks of the project's README.md and CHECKLIST.md.

    Both files are checked before either is written, so a broken marker in one
    leaves both as they were.

    Returns:
        The files that changed.

    Raises:
        blocks.BlockError: when a file's markers are broken; nothing is written then.
    """
    text = mapping_block(mapping)
    updates = {}
    for name, block in (("README.md", "mapping"), ("CHECKLIST.md", "q1")):
        path = root / name
        if path.exists():
            old = read_keeping_newlines(path)
            new = replace_blocks(old, {block: text}, source=name)
            if new != old:
                updates[path] = new
    for path, new in updates.items():
        write_atomically(path, new)
    return list(updates)


def _inline(text: str) -> str:
    # A value is data, not Markdown layout: keep it on one line of the list.
    return " ".join(str(text).split())


def update_checklist(root: Path, contents: dict[str, str]) -> bool:
    """Replace blocks of the project's CHECKLIST.md; a deleted checklist is left deleted.

    Returns:
        Whether the file changed.

    Raises:
        blocks.BlockError: when its markers are broken; the file is then left untouched.
    """
    path = root / "CHECKLIST.md"
    return path.exists() and update_file(path, contents)


def baseline_blocks(metrics: dict, eda_done: bool) -> dict[str, str]:
    """Return the checklist's evidence for questions 2 and 3 from the baseline's metrics."""
    metric = metrics["primary_metric"]
    lines = [f"- {metrics['goal']['message']}", f"- {metrics['versus_rule']['message']}"]
    for name in ("trivial", "heuristic", "linear"):
        value = metrics["models"][name]["test"].get(metric)
        low, high = metrics["confidence_intervals"][name][metric]
        shown = ("undefined" if value is None else f"{value:.3f}"
                 + ("" if low is None or high is None else f" [{low:.3f}, {high:.3f}]"))
        lines.append(f"  - {name}: {metric} {shown}")
    lines.append(f"  - the rule: {metrics['models']['heuristic']['rule']}")
    business = metrics.get("business")
    if business:
        costs = business["expected_cost_per_1000"]
        lines.append("- Expected cost per 1,000 decisions: "
                     + ", ".join(f"{k.replace('_', ' ')} {v:,.0f}" for k, v in costs.items())
                     + f" (cheapest: {business['cheapest'].replace('_', ' ')})")
    else:
        lines.append("- Costs of errors not given: add `costs:` to mvp.yaml to compare in money")
    for warning in metrics["warnings"]:
        lines.append(f"- Warning ({warning['code']}): {warning['message']}")
    lines.append("- Report: [reports/baseline.html](reports/baseline.html)")
    verdict = metrics["goal"]["verdict"]
    steps = [
        (True, "data collected"),
        (eda_done, "EDA produced (`make eda`)"),
        (True, "baseline evaluated (`make baseline`)"),
        (verdict != "inconclusive", f"verdict reached: {verdict.replace('_', ' ')}"),
        (False, "human review done"),
    ]
    q3 = "\n".join(f"- [{'x' if done else ' '}] {text}" for done, text in steps)
    return {"q2": "\n".join(lines), "q3": q3}

"""Where the MVP stands: the five questions, each answered, with evidence, or open.

Read from the files the steps leave behind (mvp.yaml, the reports, the label log and
the boxes ticked by hand in CHECKLIST.md), so it works at any stage and never needs
the data or a model. "Evidence" means the steps produced figures that bear on the
question; "answered" means the figures settle it, or a person said so by ticking its
box in CHECKLIST.md.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any, NamedTuple

from .config import METRICS, Mapping
from .errors import DataError
from .labels import summary as label_summary

SCHEMA_VERSION = 1
QUESTIONS = (
    (1, "mapping", "Business ↔ technical mapping"),
    (2, "cost_effective", "Is ML cost-effective here?"),
    (3, "mvp_steps", "How quickly do we get an MVP?"),
    (4, "humans_in_loop", "How do humans stay in the loop?"),
    (5, "advantage", "Why would customers use it?"),
)
# The boxes a person ticks by hand in CHECKLIST.md to say a question is settled.
KPI_OWNER_BOX = "The KPI owner agrees"
CUSTOMERS_BOX = "Customers confirmed the advantage"
_TICKED = re.compile(r"^\s*[-*] \[[xX]\] (.*)$")


def project_status(root: Path, mapping: Mapping, package: str | None = None,
                   evidence: Evidence | None = None) -> dict[str, Any]:
    """Return the state of each of the five questions and the next step to take.

    ``evidence``, when the caller has read it already, saves reading the files again.
    """
    package = package or __package__
    run = f"python -m {package}"
    facts = evidence or Evidence(root, mapping)
    questions = [
        _mapping(facts),
        _cost_effective(facts, run),
        _steps(facts, package),
        _humans(facts, run),
        _advantage(facts),
    ]
    out = []
    for (number, key, text), (state, figure, step) in zip(QUESTIONS, questions, strict=True):
        out.append({"number": number, "key": key, "question": text, "state": state,
                    "figure": figure, "next": step})
    # What is open comes first; then what has evidence but is not settled.
    pending = sorted((q for q in out if q["state"] != "answered" and q["next"]),
                     key=lambda q: q["state"] != "open")
    return {"schema_version": SCHEMA_VERSION, "project": mapping.project.name,
            "stage": facts.stage(), "questions": out,
            "next_step": pending[0]["next"] if pending else None}


class Step(NamedTuple):
    """One step of question 3: done or not, in words, and what to do when it is not."""

    done: bool
    text: str
    todo: str


def checklist_steps(facts: Evidence, package: str | None = None) -> list[Step]:
    """Return question 3's steps in the order they are taken."""
    run = f"python -m {package or __package__}"
    verdict = (facts.metrics or {}).get("goal", {}).get("verdict")
    return [
        Step(facts.data_file is not None and facts.data_file.exists(), "data collected",
             "put the extract in data/raw/ and set data.path in mvp.yaml"),
        Step(facts.eda_done, f"EDA produced (`{run} eda`)", f"run `{run} eda`"),
        Step(facts.metrics is not None, f"baseline evaluated (`{run} baseline`)",
             f"run `{run} baseline`"),
        Step(verdict in ("met", "not_met"),
             f"verdict reached: {(verdict or 'not yet').replace('_', ' ')}",
             "add rows, or reviewed labels, until the interval clears or misses the goal"),
        Step(facts.labels["rows"] > 0, f"human review done (`{run} review`, then `feedback`)",
             f"run `{run} review` and send reports/review.html to the reviewer"),
    ]


class Evidence:
    """What the project's files say, read once: the reports, the label log, the ticks."""

    def __init__(self, root: Path, mapping: Mapping) -> None:
        self.root, self.mapping = root, mapping
        path = mapping.data.path
        self.data_file = None if path is None else (
            Path(path) if Path(path).is_absolute() else root / path)
        self.eda_done = (root / "reports/eda.html").exists()
        self.quality = _json(root / "reports/data_quality.json")
        self.metrics = _json(root / "reports/metrics.json")
        self.review_rows = _csv_rows(root / "reports/review.csv")
        task = (self.metrics or {}).get("task") or mapping.technical.task
        self.labels_error: DataError | None = None  # a damaged log, for steps to refuse
        try:
            self.labels = label_summary(root, task)
        except DataError as err:
            self.labels_error = err
            self.labels = {"labels": 0, "rows": 0, "agreement": None, "compared": 0,
                           "last_received": None, "history": [], "broken": True}
        self.ticked = _ticked_boxes(root / "CHECKLIST.md")

    def stage(self) -> str:
        """Return how far the project has come: generated, eda, baseline, review, feedback."""
        if self.labels["rows"]:
            return "feedback"
        if self.review_rows is not None:
            return "review"
        if self.metrics is not None:
            return "baseline"
        if self.eda_done:
            return "eda"
        return "generated"

    def box(self, phrase: str) -> bool:
        """Return whether a person ticked the checklist box that holds ``phrase``."""
        return any(phrase.casefold() in line.casefold() for line in self.ticked)


def _mapping(f: Evidence) -> tuple[str, str, str | None]:
    m = f.mapping
    b, t = m.business, m.technical
    sign = ">=" if METRICS[t.metric].higher_is_better else "<="
    kpi = f"{b.kpi or 'KPI not named'}"
    if b.current is not None and b.goal is not None:
        kpi += f" {b.current:g} → {b.goal:g}"
    elif b.goal is not None:
        kpi += f" → {b.goal:g}"
    figure = f"{kpi}; offline {t.metric} {sign} {t.threshold:g} on '{t.target}'"
    if not b.kpi or b.goal is None:
        return "open", figure, "name the KPI and its measurable goal in mvp.yaml (business:)"
    if f.box(KPI_OWNER_BOX):
        return "answered", figure, None
    return ("evidence", figure,
            f"ask the KPI owner to agree to {t.metric} {sign} {t.threshold:g}, then tick "
            "their box in CHECKLIST.md")


def _cost_effective(f: Evidence, run: str) -> tuple[str, str, str | None]:
    m = f.metrics
    if m is None:
        return "open", "no baseline yet", f"run `{run} baseline`"
    metric = m["primary_metric"]
    figure = f"linear {metric} {_with_ci(m, 'linear')} vs rule {_value(m, 'heuristic')}"
    figure += f" vs trivial {_value(m, 'trivial')}"
    goal = m["goal"]
    figure += f"; goal {goal['threshold']:g} {goal['verdict'].replace('_', ' ')}"
    business = m.get("business")
    if business:
        cheapest = business["cheapest"]
        cost = business["expected_cost_per_1000"][cheapest]
        figure += f"; cheapest: {cheapest.replace('_', ' ')} ({cost:,.0f} per 1,000)"
    if goal["verdict"] == "inconclusive":
        return ("evidence", figure,
                "the interval straddles the goal: add rows, or review labels, then run "
                f"`{run} baseline` again")
    if business is None and m["task"] == "binary":
        return ("evidence", figure,
                "add the cost of each error to mvp.yaml (costs:) to compare in money")
    return "answered", figure, None


def _steps(f: Evidence, package: str) -> tuple[str, str, str | None]:
    steps = checklist_steps(f, package)
    done = [step.text.split(" (")[0].split(":")[0] for step in steps if step.done]
    figure = f"{len(done)} of {len(steps)} steps done" + (f": {', '.join(done)}" if done else "")
    todo = next((step.todo for step in steps if not step.done), None)
    if todo is None:
        return "answered", figure, None
    started = f.eda_done or f.metrics is not None
    return ("evidence" if started else "open"), figure, todo


def _humans(f: Evidence, run: str) -> tuple[str, str, str | None]:
    humans = f.mapping.humans
    reviewer = humans.reviewer if humans else None
    parts = [reviewer or "no reviewer named"]
    labels = f.labels
    if labels["rows"]:
        share = labels["agreement"]
        parts.append(f"{labels['rows']:,} rows labelled"
                     + (f", model agrees {share:.0%}" if share is not None else ""))
    elif f.review_rows is not None:
        parts.append(f"{f.review_rows:,} cases out for review, no labels back yet")
    defer = (f.metrics or {}).get("defer", {}).get("proposed")
    if defer:
        parts.append(f"model decides above {defer['confidence']:.0%} confidence, "
                     f"{defer['review_per_1000']:,} per 1,000 to people")
    figure = "; ".join(parts)
    if labels.get("broken"):
        return "open", figure, "data/feedback/labels.csv has a damaged header: restore it"
    if labels["rows"]:
        return "answered", figure, None
    if f.review_rows is not None:
        return ("evidence", figure,
                f"send reports/review.html to {reviewer or 'the reviewer'}; then run "
                f"`{run} feedback FILLED.csv`")
    if f.metrics is None:
        return ("open", figure, f"run `{run} baseline`, then `{run} review`" if reviewer
                else "name the reviewer in mvp.yaml (humans.reviewer)")
    if not reviewer:
        return "open", figure, "name the reviewer in mvp.yaml (humans.reviewer)"
    return "evidence", figure, f"run `{run} review`"


def _advantage(f: Evidence) -> tuple[str, str, str | None]:
    advantage = f.mapping.advantage
    if not advantage:
        return ("open", "no advantage stated",
                "state why customers would choose this in mvp.yaml (advantage:)")
    figure = " ".join(advantage.split())
    if f.box(CUSTOMERS_BOX):
        return "answered", figure, None
    return ("evidence", figure,
            "check the advantage with customers, then tick its box in CHECKLIST.md")


def _value(m: dict[str, Any], model: str) -> str:
    value = m["models"][model]["test"].get(m["primary_metric"])
    return "undefined" if value is None else f"{value:.3f}"


def _with_ci(m: dict[str, Any], model: str) -> str:
    low, high = m["confidence_intervals"][model][m["primary_metric"]]
    shown = _value(m, model)
    return shown if low is None or high is None else f"{shown} [{low:.3f}, {high:.3f}]"


def _json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # absent or damaged: the step has to run (again)


def _csv_rows(path: Path) -> int | None:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return max(sum(1 for _ in csv.reader(handle)) - 1, 0)
    except (OSError, csv.Error, UnicodeDecodeError):
        return None


def _ticked_boxes(path: Path) -> list[str]:
    """Return the text of every ticked box in the checklist."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return [match.group(1) for line in text.splitlines() if (match := _TICKED.match(line))]


SHORT_NAMES = {"mapping": "mapping", "cost_effective": "cost-effective",
               "mvp_steps": "MVP steps", "humans_in_loop": "humans in loop",
               "advantage": "advantage"}


def render_status(state: dict[str, Any]) -> str:
    """Return the status as a few lines: one per question, then the next step."""
    lines = [f"{state['project']} (stage: {state['stage']})"]
    for q in state["questions"]:
        lines.append(f"{q['number']} {SHORT_NAMES[q['key']]:<15} {q['state']:<9} {q['figure']}")
    lines.append(f"next: {state['next_step']}" if state["next_step"]
                 else "next: every question is answered; keep the checklist current")
    return "\n".join(lines)

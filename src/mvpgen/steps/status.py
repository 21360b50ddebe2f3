"""Where the MVP stands: the five questions, each answered, with evidence, or open.

Read from the files the steps leave behind (mvp.yaml, the reports, the label log and
the boxes ticked by hand in CHECKLIST.md), so it works at any stage and never needs
a model or to read the data as a table. "Evidence" means the steps produced figures that bear on the
question; "answered" means the figures settle it, or a person said so by ticking its
box in CHECKLIST.md. Evidence drawn from another ``mvp.yaml`` or other data (compared
by content) is marked stale.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any, NamedTuple

from mvpgen.errors import DataError
from mvpgen.evaluation.result import BaselineResult
from mvpgen.project import PATHS, Project
from mvpgen.store.history import mapping_hash, read_history
from mvpgen.store.labels import summary as label_summary

SCHEMA_VERSION = 2
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
DEFAULT_REVIEW_BUDGET = 50
_TICKED = re.compile(r"^\s*[-*] \[[xX]\] (.*)$")


class Evidence:
    """What the project's files say, read once: the reports, the label log, the ticks."""

    def __init__(self, project: Project) -> None:
        self.project = project
        root, mapping = project.root, project.mapping
        self.mapping = mapping
        self.data_file = project.data_file
        self.eda_done = project.path(PATHS.eda_report).exists()
        self.quality = _json(project.path(PATHS.quality))
        self.result: BaselineResult | None = None
        self.result_problem: str | None = None
        metrics = project.path(PATHS.metrics)
        document = _json(metrics)
        if document is not None:
            try:
                self.result = BaselineResult.from_dict(document)
            except DataError as err:
                self.result_problem = str(err)
        elif metrics.exists():
            self.result_problem = (f"{PATHS.metrics} is damaged (not a JSON document of "
                                   "results); run the baseline step again to write it anew")
        self.review_rows = _csv_rows(project.path(PATHS.review_csv))
        task = self.result.task if self.result else mapping.technical.task
        self.labels_error: DataError | None = None  # a damaged log, for steps to refuse
        try:
            self.labels = label_summary(root, task)
        except DataError as err:
            self.labels_error = err
            self.labels = {"labels": 0, "rows": 0, "agreement": None, "compared": 0,
                           "last_received": None, "history": [], "broken": True}
        self.ticked = _ticked_boxes(project.path(PATHS.checklist))
        self.history = read_history(root)
        self.stale = self._stale()

    def _stale(self) -> str | None:
        """Return why the baseline's evidence no longer describes the project, if it does not.

        Compared by content, never by file times: a copied or cloned project, or an
        mvp.yaml whose recorded data facts were refreshed, still holds the same evidence.
        """
        if self.result is None:
            return None
        goal, tech = self.result.goal, self.mapping.technical
        if goal.metric != tech.metric or goal.threshold != tech.threshold:
            return (f"mvp.yaml now asks for {tech.metric} {self.mapping.metric.sign} "
                    f"{tech.threshold:g}; the last baseline judged {goal.metric} "
                    f"{goal.threshold:g}")
        if self._mapping_changed():
            return "mvp.yaml changed after the last baseline"
        if self._data_changed():
            return "the data file changed after the last baseline"
        return None

    def _mapping_changed(self) -> bool:
        """Return whether what mvp.yaml says differs from what the baseline read."""
        recorded = self.result.data.get("mapping_sha256") if self.result else None
        if not recorded:  # written before the hash was recorded: its time is all there is
            written = self.project.path(PATHS.metrics).stat().st_mtime
            return self.project.mapping_file.stat().st_mtime > written
        return recorded != mapping_hash(self.mapping)

    def _data_changed(self) -> bool:
        """Return whether the data's files now hold other bytes than the baseline read."""
        from mvpgen.data import sources

        recorded = self.result.data.get("fingerprint") if self.result else None
        try:
            source = sources.source_of(self.mapping, self.project.root)
        except DataError:
            return False  # no data to compare: question 3 says the data is missing
        if source.kind == "query":
            return False  # its rows are known only by running it, which status never does
        files = [f for f in source.files if f.is_file()]
        if not recorded or not files:
            return False
        # A file untouched since the baseline holds what it read; only a newer one is
        # read again, to tell an edit from a copy.
        written = self.project.path(PATHS.metrics).stat().st_mtime
        if all(f.stat().st_mtime <= written for f in files):
            return False
        return sources.fingerprint(source) != recorded

    def stage(self) -> str:
        """Return how far the project has come: generated, eda, baseline, review, feedback."""
        if self.labels["rows"]:
            return "feedback"
        if self.review_rows is not None:
            return "review"
        if self.result is not None:
            return "baseline"
        if self.eda_done:
            return "eda"
        return "generated"

    def box(self, phrase: str) -> bool:
        """Return whether a person ticked the checklist box that holds ``phrase``."""
        return any(phrase.casefold() in line.casefold() for line in self.ticked)

    @property
    def review_budget(self) -> int:
        """Return how many labels make a review cycle: the budget, or 50."""
        humans = self.mapping.humans
        return (humans.review_budget if humans and humans.review_budget
                else DEFAULT_REVIEW_BUDGET)


def project_status(project: Project, evidence: Evidence | None = None,
                   findings: list[str] | None = None) -> dict[str, Any]:
    """Return the state of each of the five questions and the next step to take.

    Args:
        project: the project.
        evidence: its evidence, when the caller has read it already.
        findings: problems with the business question (``mvpgen check``'s findings).
    """
    facts = evidence or Evidence(project)
    questions = [_mapping(facts), _cost_effective(facts), _steps(facts), _humans(facts),
                 _advantage(facts)]
    out = []
    for (number, key, text), (state, figure, step) in zip(QUESTIONS, questions, strict=True):
        out.append({"number": number, "key": key, "question": text, "state": state,
                    "figure": figure, "next": step})
    if findings:
        first = out[0]
        first["state"] = "open"
        first["figure"] = f"{first['figure']}; {findings[0]}"
        first["next"] = f"fix mvp.yaml: {findings[0]}"
    # What is open comes first; then what has evidence but is not settled. Stale evidence
    # comes before both: every other answer reads it.
    pending = sorted((q for q in out if q["state"] != "answered" and q["next"]),
                     key=lambda q: q["state"] != "open")
    if facts.stale and not findings:
        pending.insert(0, out[1])
    result = facts.result
    return {"schema_version": SCHEMA_VERSION, "project": project.mapping.project.name,
            "stage": facts.stage(),
            "recommendation": ({"code": result.recommendation.code,
                                "sentence": result.recommendation.sentence}
                               if result else None),
            "verdict": result.goal.verdict if result else None,
            "stale": facts.stale,
            "questions": out, "findings": list(findings or []),
            "history": facts.history[-10:],
            "next_step": pending[0]["next"] if pending else None}


class Step(NamedTuple):
    """One step of question 3: done or not, in words, and what to do when it is not."""

    done: bool
    text: str
    todo: str


def checklist_steps(facts: Evidence) -> list[Step]:
    """Return question 3's steps in the order they are taken."""
    verdict = facts.result.goal.verdict if facts.result else None
    budget = facts.review_budget
    rows = facts.labels["rows"]
    return [
        Step(facts.data_file is not None and facts.data_file.exists(), "data collected",
             "put the extract in data/raw/ and set data.path in mvp.yaml"),
        Step(facts.eda_done, "EDA produced (`mvpgen eda`)", "run `mvpgen eda`"),
        Step(facts.result is not None, "baseline evaluated (`mvpgen baseline`)",
             "run `mvpgen baseline`"),
        Step(verdict in ("met", "not_met", "trivially_met", "suspect_leak"),
             f"verdict reached: {(verdict or 'not yet').replace('_', ' ')}",
             "add rows, or reviewed labels, until the interval clears or misses the goal"),
        Step(rows >= budget, f"human review done ({rows:,} of {budget:,} labels; "
             "`mvpgen review`, then `feedback`)",
             f"label {budget - rows:,} more cases: run `mvpgen review` and send "
             "reports/review.html to the reviewer"),
    ]


def _mapping(f: Evidence) -> tuple[str, str, str | None]:
    m = f.mapping
    b, t = m.business, m.technical
    kpi = f"{b.kpi or 'KPI not named'}"
    if b.current is not None and b.goal is not None:
        kpi += f" {b.current:g} → {b.goal:g}"
    elif b.goal is not None:
        kpi += f" → {b.goal:g}"
    figure = f"{kpi}; offline {t.metric} {m.metric.sign} {t.threshold:g} on '{t.target}'"
    if not b.kpi or b.goal is None:
        return "open", figure, "name the KPI and its measurable goal in mvp.yaml (business:)"
    if f.box(KPI_OWNER_BOX):
        return "answered", figure, None
    return ("evidence", figure,
            f"ask the KPI owner to agree to {t.metric} {m.metric.sign} {t.threshold:g}, then "
            "tick their box in CHECKLIST.md")


def _cost_effective(f: Evidence) -> tuple[str, str, str | None]:
    result = f.result
    if result is None:
        if f.result_problem:
            return "open", f.result_problem, "run `mvpgen baseline`"
        return "open", "no baseline yet", "run `mvpgen baseline`"
    figure = _contenders_figure(result)
    if f.stale:
        return ("evidence", f"stale ({f.stale}): {figure}",
                "run `mvpgen baseline` again: the evidence predates the current mvp.yaml or "
                "data")
    code = result.recommendation.code
    if code == "stop_leak":
        return "open", figure, ("remove the named columns, or clear them in mvp.yaml "
                                "(data.not_leaks), then run `mvpgen baseline`")
    if code == "change_goal":
        return "open", figure, "change technical.metric or threshold in mvp.yaml"
    if code == "inconclusive":
        return ("evidence", figure, "add labelled rows (or reviewers' labels), then run "
                "`mvpgen baseline` again")
    if result.business is None and result.task == "binary":
        return ("evidence", figure,
                "add the cost of each error to mvp.yaml (costs:) to compare in money")
    return "answered", figure, None


def _contenders_figure(result: BaselineResult) -> str:
    """Return the contenders' primary values in one line, the goal's verdict last."""
    metric = result.primary_metric
    shown = []
    for c in result.contenders.values():
        if c.kind == "trivial" and c.name != "no model":
            continue
        value = c.value(metric)
        text = f"{c.name} {'undefined' if value is None else f'{value:.3f}'}"
        low, high = c.ci
        if c.name == result.goal.contender and None not in (value, low, high):
            text += f" [{low:.3f}, {high:.3f}]"
        shown.append(text)
    goal = result.goal
    return (f"{metric}: {', '.join(shown)}; goal {goal.threshold:g} "
            f"{goal.verdict.replace('_', ' ')}")


def _steps(f: Evidence) -> tuple[str, str, str | None]:
    steps = checklist_steps(f)
    done = [step.text.split(" (")[0].split(":")[0] for step in steps if step.done]
    figure = f"{len(done)} of {len(steps)} steps done" + (f": {', '.join(done)}" if done else "")
    todo = next((step.todo for step in steps if not step.done), None)
    if todo is None:
        return "answered", figure, None
    started = f.eda_done or f.result is not None
    return ("evidence" if started else "open"), figure, todo


def _humans(f: Evidence) -> tuple[str, str, str | None]:
    humans = f.mapping.humans
    reviewer = humans.reviewer if humans else None
    parts = [reviewer or "no reviewer named"]
    labels = f.labels
    if labels["rows"]:
        share = labels["agreement"]
        parts.append(f"{labels['rows']:,} of {f.review_budget:,} rows labelled"
                     + (f", model agrees {share:.0%}" if share is not None else ""))
    elif f.review_rows is not None:
        parts.append(f"{f.review_rows:,} cases out for review, no labels back yet")
    defer = (f.result.defer or {}).get("proposed") if f.result else None
    if defer:
        parts.append(f"people review {defer['review_per_1000']:,} of every 1,000 "
                     f"({defer['verdict'].replace('_', ' ')})")
    figure = "; ".join(parts)
    if labels.get("broken"):
        return "open", figure, "data/feedback/labels.csv is damaged: restore it"
    if labels["rows"] >= f.review_budget:
        return "answered", figure, None
    if f.review_rows is not None:
        return ("evidence", figure,
                f"send reports/review.html to {reviewer or 'the reviewer'}; then run "
                "`mvpgen feedback FILLED.csv`")
    if f.result is None:
        return ("open", figure, "run `mvpgen baseline`, then `mvpgen review`" if reviewer
                else "name the reviewer in mvp.yaml (humans.reviewer)")
    if not reviewer:
        return "open", figure, "name the reviewer in mvp.yaml (humans.reviewer)"
    return "evidence", figure, "run `mvpgen review`"


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


def _json(path: Path) -> dict[str, Any] | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # absent or damaged: the step has to run (again)
    return document if isinstance(document, dict) else None


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
    """Return the status as a few lines: the recommendation, a line per question, next."""
    lines = [f"{state['project']} (stage: {state['stage']})"]
    if state.get("recommendation"):
        stale = " (stale: run the baseline again)" if state.get("stale") else ""
        lines.append(f"{state['recommendation']['sentence']}{stale}")
    for q in state["questions"]:
        lines.append(f"{q['number']} {SHORT_NAMES[q['key']]:<15} {q['state']:<9} {q['figure']}")
    history = state.get("history") or []
    if len(history) > 1:
        trend = " → ".join(_past_run(h) for h in history[-5:])
        lines.append(f"verdict over the last runs: {trend}")
    lines.append(f"next: {state['next_step']}" if state["next_step"]
                 else "next: every question is answered; keep the checklist current")
    return "\n".join(lines)


def _past_run(run: dict[str, str]) -> str:
    """Return a past run as its verdict and value, with its interval when the history has it."""
    verdict = run["verdict"].replace("_", " ")
    value = _rounded(run.get("value"))
    if value is None:
        return verdict
    low, high = _rounded(run.get("ci_low")), _rounded(run.get("ci_high"))
    return f"{verdict} {value}" + (f" [{low}, {high}]" if low and high else "")


def _rounded(text: str | None) -> str | None:
    """Return a number from the history in three digits, as the rest of the status shows it."""
    try:
        return f"{float(text or ''):.3f}"
    except ValueError:
        return None  # an empty or damaged cell: shown without it


def status_of(start: Path) -> dict[str, Any]:
    """Return the status of the project in ``start`` (or above it), whatever state it is in.

    An invalid mapping is not an error here: question 1 is then open with the problem,
    and the others wait for it; mvpgen's check of the business question is added.

    Raises:
        ProjectError: when there is no project, or one this mvpgen cannot read.
        MappingFileError: when its mvp.yaml is not YAML at all.
    """
    from mvpgen.checks import business_findings
    from mvpgen.errors import MappingError
    from mvpgen.generator.answers import read_mapping_file
    from mvpgen.mapping import MAPPING_FILE

    root = _project_folder(start)
    raw = read_mapping_file(root / MAPPING_FILE)
    try:
        project = Project.load(root)
    except MappingError as err:
        return _unloadable(raw, err)
    findings = [str(f) for f in business_findings(raw)]
    return project_status(project, findings=findings)


def _project_folder(start: Path) -> Path:
    from mvpgen.errors import ProjectError
    from mvpgen.mapping import MAPPING_FILE

    here = start.resolve()
    if not here.exists():
        msg = f"{start} does not exist; pass the folder `mvpgen new` created"
        raise ProjectError(msg)
    for folder in (here, *here.parents):
        if (folder / MAPPING_FILE).is_file():
            return folder
    msg = (f"{start} holds no {MAPPING_FILE}; pass the folder `mvpgen new` created "
           "(or run `mvpgen new` to create one)")
    raise ProjectError(msg)


def _unloadable(raw: dict[str, Any], err: Exception) -> dict[str, Any]:
    problems = [str(p) for p in getattr(err, "problems", [])] or [str(err)]
    project = raw.get("project")
    name = project.get("name") if isinstance(project, dict) else None
    questions = []
    for number, key, text in QUESTIONS:
        first = number == 1
        questions.append({"number": number, "key": key, "question": text, "state": "open",
                          "figure": problems[0] if first else "waits for a valid mvp.yaml",
                          "next": f"fix mvp.yaml: {problems[0]}" if first else None})
    return {"schema_version": SCHEMA_VERSION, "project": name or "(unnamed project)",
            "stage": "invalid mapping", "recommendation": None, "verdict": None,
            "stale": None, "questions": questions, "findings": problems, "history": [],
            "next_step": questions[0]["next"]}

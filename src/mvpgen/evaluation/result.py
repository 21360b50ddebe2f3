"""The baseline's result: one typed, versioned object, written as ``reports/metrics.json``.

The report, the summary, the status and the checklist all read this object (never the
JSON's keys), so what a verdict is lives here once. ``from_dict`` reads a file back and
refuses one that is not a result of this version, so a tampered or stale file is
reported as such instead of failing half-way through a page.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from mvpgen.errors import DataError

SCHEMA_VERSION = 2

# The verdicts of the goal, as metrics.json documents them.
VERDICTS = {
    "met": "a contender's whole interval clears the goal, and no trivial policy reaches it",
    "not_met": "no contender's interval reaches the goal",
    "inconclusive": "the best contender's interval straddles the goal: more rows decide",
    "trivially_met": "a policy that needs no data (no model, act on all, act on none) "
                     "reaches the goal: the metric does not measure what the KPI needs",
    "suspect_leak": "columns the leak screen named carry the score; no verdict is given "
                    "until they are removed or cleared in mvp.yaml (data.not_leaks)",
}
# The recommendations, one of which opens every summary, report and status.
RECOMMENDATIONS = {
    "build_model": "build the model: it meets the goal and clearly beats the rule and the "
                   "trivial policies",
    "launch_rule": "launch the rule, not ML: the rule meets the goal and no model is "
                   "clearly better",
    "not_yet": "not yet: no contender reaches the goal",
    "inconclusive": "inconclusive: the evidence cannot yet tell whether the goal is met",
    "stop_leak": "stop: the data leaks the answer",
    "change_goal": "change the goal: it is met without any model",
}


@dataclass
class ContenderResult:
    """One contender on the holdout: its numbers, its interval and its own verdict."""

    name: str
    kind: str  # trivial | rule | model
    description: str
    test: dict[str, float | None]
    ci: list[float | None]  # the primary metric's interval
    verdict: str  # met | not_met | inconclusive, from its own interval
    cv: dict[str, dict[str, float | None]] = field(default_factory=dict)
    fit_seconds: float | None = None
    decision_threshold: float | None = None
    threshold_spread: float | None = None  # how far the threshold moves from fold to fold
    rule: str | None = None  # the rule in words
    acts_like: str | None = None  # a rule whose groups all decide alike: act on all/none
    interval_method: str | None = None
    corrected: bool = False  # the primary value is bias-corrected (few positives)
    importance: list[dict[str, Any]] = field(default_factory=list)
    coefficients: list[dict[str, Any]] = field(default_factory=list)

    def value(self, metric: str) -> float | None:
        """Return the contender's value of ``metric`` on the holdout."""
        return self.test.get(metric)


@dataclass
class Goal:
    """The goal and how the evidence stands against it."""

    metric: str
    threshold: float
    verdict: str  # one of VERDICTS
    contender: str | None  # whose value and interval are shown
    value: float | None
    ci: list[float | None]
    message: str


@dataclass
class Recommendation:
    """The one sentence every output opens with, from the fixed set."""

    code: str  # one of RECOMMENDATIONS
    sentence: str


@dataclass
class Warning:
    """Something a reader must know before trusting the numbers."""

    code: str
    message: str
    columns: list[str] = field(default_factory=list)


@dataclass
class BaselineResult:
    """Everything the baseline step found, as ``metrics.json`` holds it."""

    task: str
    target: str
    positive_label: Any
    primary_metric: str
    split: dict[str, Any]
    contenders: dict[str, ContenderResult]
    goal: Goal
    recommendation: Recommendation
    bootstrap: dict[str, Any]
    differences: dict[str, dict[str, list[float | None]]]
    leaks: dict[str, Any]
    warnings: list[Warning]
    data: dict[str, Any]
    features: dict[str, Any]
    learning_curve: dict[str, Any]
    feedback: dict[str, Any]
    capacity: dict[str, Any] | None = None
    business: dict[str, Any] | None = None
    defer: dict[str, Any] | None = None
    drift: dict[str, Any] | None = None
    saved_model: str | None = None
    mvpgen: str = ""
    schema_version: int = SCHEMA_VERSION

    # --- reading -------------------------------------------------------------------------

    def contender(self, name: str) -> ContenderResult:
        """Return one contender's result."""
        return self.contenders[name]

    def of_kind(self, *kinds: str) -> list[ContenderResult]:
        """Return the contenders of the given kinds, in report order."""
        return [c for c in self.contenders.values() if c.kind in kinds]

    @property
    def leak_suspects(self) -> list[dict[str, Any]]:
        """Return the columns the leak screen named and nobody cleared."""
        return list(self.leaks.get("suspects", []))

    @property
    def costs_trusted(self) -> bool:
        """Return whether money figures may be read as such (no leak suspect)."""
        return not self.leak_suspects and not self.leaks.get("too_good")

    # --- writing and reading back --------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Return the ``metrics.json`` document (keys as DESIGN.md names them)."""
        models = {}
        for name, c in self.contenders.items():
            entry = {k: v for k, v in asdict(c).items() if k not in ("name", "ci")}
            models[name] = {k: v for k, v in entry.items() if v not in (None, [], {})
                            or k in ("test", "verdict")}
        return {
            "schema_version": self.schema_version,
            "mvpgen": self.mvpgen,
            "task": self.task,
            "target": self.target,
            "positive_label": self.positive_label,
            "primary_metric": self.primary_metric,
            "recommendation": asdict(self.recommendation),
            "goal": asdict(self.goal),
            "verdicts": VERDICTS,
            "split": self.split,
            "models": models,
            "confidence_intervals": {name: {self.primary_metric: c.ci}
                                     for name, c in self.contenders.items()},
            "differences": self.differences,
            "bootstrap": self.bootstrap,
            "capacity": self.capacity,
            "business": self.business,
            "leaks": self.leaks,
            "defer": self.defer,
            "learning_curve": self.learning_curve,
            "drift": self.drift,
            "features": self.features,
            "warnings": [asdict(w) for w in self.warnings],
            "data": self.data,
            "feedback": self.feedback,
            "saved_model": self.saved_model,
        }

    @classmethod
    def from_dict(cls, document: Any, source: str = "reports/metrics.json") -> BaselineResult:
        """Read a result back from its ``metrics.json`` document.

        Raises:
            DataError: when the document is not a result of this schema version.
        """
        try:
            if document.get("schema_version") != SCHEMA_VERSION:
                msg = (f"{source} was written by another version of mvpgen (schema "
                       f"{document.get('schema_version')!r}); run the baseline step again")
                raise DataError(msg)
            _check_shape(document)
            metric = document["primary_metric"]
            contenders = {}
            for name, entry in document["models"].items():
                known = {k: v for k, v in entry.items()
                         if k in ContenderResult.__dataclass_fields__}
                contenders[name] = ContenderResult(
                    name=name, ci=document["confidence_intervals"][name][metric], **known)
            return cls(
                task=document["task"], target=document["target"],
                positive_label=document.get("positive_label"), primary_metric=metric,
                split=dict(document["split"]), contenders=contenders,
                goal=Goal(**document["goal"]),
                recommendation=Recommendation(**document["recommendation"]),
                bootstrap=dict(document["bootstrap"]),
                differences=dict(document["differences"]), leaks=dict(document["leaks"]),
                warnings=[Warning(**w) for w in document["warnings"]],
                data=dict(document["data"]), features=dict(document["features"]),
                learning_curve=dict(document["learning_curve"]),
                feedback=dict(document["feedback"]), capacity=document.get("capacity"),
                business=document.get("business"), defer=document.get("defer"),
                drift=document.get("drift"), saved_model=document.get("saved_model"),
                mvpgen=document.get("mvpgen", ""), schema_version=SCHEMA_VERSION)
        except DataError:
            raise
        except (AttributeError, KeyError, TypeError, ValueError) as err:
            msg = (f"{source} is damaged or was edited by hand ({type(err).__name__}: {err}); "
                   "run the baseline step again to write it anew")
            raise DataError(msg) from err


# What the readers of a result (summary, status, checklist) rely on, checked when a file
# is read back: a value edited by hand is reported as such, never met half-way through.
_NUMBER = (int, float)
_CONTENDER_VERDICTS = ("met", "not_met", "inconclusive")


def _check_shape(document: dict[str, Any]) -> None:
    """Raise TypeError naming the first field of ``document`` that a result cannot hold."""
    from mvpgen.metrics import METRICS

    _one_of(document["primary_metric"], METRICS, "primary_metric")
    _one_of(document["task"], ("binary", "multiclass", "regression"), "task")
    _expect(document["target"], str, "target")
    recommendation = _expect(document["recommendation"], dict, "recommendation")
    _one_of(recommendation["code"], RECOMMENDATIONS, "recommendation.code")
    _expect(recommendation["sentence"], str, "recommendation.sentence")
    goal = _expect(document["goal"], dict, "goal")
    _one_of(goal["verdict"], VERDICTS, "goal.verdict")
    _expect(goal["threshold"], _NUMBER, "goal.threshold")
    _expect(goal["value"], (*_NUMBER, type(None)), "goal.value")
    _expect(goal["contender"], (str, type(None)), "goal.contender")
    _expect(goal["message"], str, "goal.message")
    _interval(goal["ci"], "goal.ci")
    split = _expect(document["split"], dict, "split")
    _expect(split["strategy"], str, "split.strategy")
    _expect(split["test_rows"], int, "split.test_rows")
    models = _expect(document["models"], dict, "models")
    if not models:
        msg = "models is empty"
        raise TypeError(msg)
    intervals = _expect(document["confidence_intervals"], dict, "confidence_intervals")
    for name, entry in models.items():
        where = f"models.{name}"
        _expect(entry, dict, where)
        for metric, value in _expect(entry["test"], dict, f"{where}.test").items():
            _expect(value, (*_NUMBER, type(None)), f"{where}.test.{metric}")
        _one_of(entry["verdict"], _CONTENDER_VERDICTS, f"{where}.verdict")
        for key in ("kind", "description"):
            _expect(entry[key], str, f"{where}.{key}")
        for key in ("decision_threshold", "threshold_spread", "fit_seconds"):
            _expect(entry.get(key), (*_NUMBER, type(None)), f"{where}.{key}")
        _expect(entry.get("rule"), (str, type(None)), f"{where}.rule")
        by_metric = _expect(intervals[name], dict, f"confidence_intervals.{name}")
        _interval(by_metric[document["primary_metric"]], f"confidence_intervals.{name}")
    for i, warning in enumerate(_expect(document["warnings"], list, "warnings")):
        _expect(_expect(warning, dict, f"warnings[{i}]")["message"], str,
                f"warnings[{i}].message")
    for key in ("business", "defer"):
        part = _expect(document.get(key), (dict, type(None)), key)
        if part is not None:
            _expect(part["message"], str, f"{key}.message")
    proposed = _expect((document.get("defer") or {}).get("proposed"), (dict, type(None)),
                       "defer.proposed")
    if proposed is not None:
        _expect(proposed["review_per_1000"], _NUMBER, "defer.proposed.review_per_1000")
        _expect(proposed["verdict"], str, "defer.proposed.verdict")
    feedback = _expect(document["feedback"], dict, "feedback")
    if feedback.get("used"):
        for key in ("used", "changed", "confirmed"):
            _expect(feedback[key], int, f"feedback.{key}")
        added = _expect(feedback["added_rows"], dict, "feedback.added_rows")
        for key in ("data_without_target", "new"):
            _expect(added[key], int, f"feedback.added_rows.{key}")
    _expect(_expect(document["leaks"], dict, "leaks").get("suspects", []), list,
            "leaks.suspects")


def _expect(value: Any, kinds: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(value, kinds):
        msg = f"{where} holds {type(value).__name__} {str(value)[:40]!r}"
        raise TypeError(msg)
    return value


def _one_of(value: Any, allowed: Any, where: str) -> None:
    if not isinstance(value, str) or value not in allowed:
        msg = f"{where} holds {str(value)[:40]!r}, not one of {', '.join(allowed)}"
        raise TypeError(msg)


def _interval(value: Any, where: str) -> None:
    if not isinstance(value, list) or len(value) != 2:
        msg = f"{where} is not an interval [low, high]"
        raise TypeError(msg)
    for bound in value:
        _expect(bound, (*_NUMBER, type(None)), where)


def held_out_words(result: BaselineResult) -> str:
    """Return the held-out rows measured on: all of them, or a sample of how many."""
    measured = result.split["test_rows"]
    population = result.data.get("population") or {}
    held = population.get("holdout_rows")
    if isinstance(held, int) and held > measured:
        return f"a random sample of {measured:,} of the {held:,} held-out rows"
    return f"{measured:,} held-out rows"

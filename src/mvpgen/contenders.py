"""The contenders: what is judged against the goal, side by side, on the same rows.

A project's ``models.py`` lists its contenders (the rule, the linear model, any
scikit-learn-compatible estimator a user adds); mvpgen adds the trivial policies
every verdict must be judged against: no model at all and, for a yes/no decision,
acting on every case or on none. A goal that a trivial policy meets measures nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mvpgen.errors import ProjectError
from mvpgen.rules import OneColumnRule

NO_MODEL, ACT_ON_ALL, ACT_ON_NONE = "no model", "act on all", "act on none"
TRIVIAL = (NO_MODEL, ACT_ON_ALL, ACT_ON_NONE)
KINDS = ("trivial", "rule", "model")

__all__ = ["ACT_ON_ALL", "ACT_ON_NONE", "NO_MODEL", "TRIVIAL", "Contender", "OneColumnRule",
           "no_model", "trivial_policies"]


@dataclass(frozen=True)
class Contender:
    """One contender: its name in every report, the estimator, and what it is.

    Args:
        name: how reports, the summary and the status call it, e.g. ``linear model``.
        estimator: an unfitted scikit-learn-compatible estimator (``fit``, ``predict``
            and, for classes, ``predict_proba``) that takes the plan's columns.
        description: what it is, in a few words, for the report.
        kind: ``rule`` for a rule a person could write down (the verdict then says
            "launch the rule, not ML" when it does as well), otherwise ``model``.
    """

    name: str
    estimator: Any
    description: str = ""
    kind: str = "model"


def no_model(task: str) -> Contender:
    """Return "no model": the class shares (classification) or the mean (regression)."""
    from sklearn.dummy import DummyClassifier, DummyRegressor

    if task == "regression":
        return Contender(NO_MODEL, DummyRegressor(), "the mean of the training rows",
                         "trivial")
    return Contender(NO_MODEL, DummyClassifier(strategy="prior"),
                     "the class shares of the training rows", "trivial")


def trivial_policies(task: str) -> list[str]:
    """Return the policies that need no data at all, judged beside every contender."""
    return [ACT_ON_ALL, ACT_ON_NONE] if task == "binary" else []


def project_contenders(models: Any, task: str, features: Callable[[], Any], seed: int,
                       chosen: tuple[str, ...] = (), *, ordered: bool = False,
                       source: str = "models.py") -> list[Contender]:
    """Return the contenders a project's ``models.py`` lists, checked.

    Args:
        models: the project's ``models`` module (it defines ``contenders``).
        task: the task.
        features: returns a fresh, unfitted preprocessor for the project's plan.
        seed: the seed every contender should use.
        chosen: the names ``settings.contenders`` selects (all when empty).
        ordered: the training rows are in time order; a rule then chooses its column
            on time-ordered folds.
        source: how to name the module in messages.

    Raises:
        ProjectError: when ``models.py`` lists no valid contender, or names one twice.
    """
    make = getattr(models, "contenders", None)
    if not callable(make):
        msg = f"{source} defines no function contenders(task, features, seed); restore it"
        raise ProjectError(msg)
    listed = list(make(task, features, seed))
    seen: set[str] = set()
    out = []
    for item in listed:
        _check(item, task, source, seen)
        seen.add(item.name)
        estimator = item.estimator
        params = estimator.get_params(deep=False) if hasattr(estimator, "get_params") else {}
        if "ordered" in params:
            estimator.set_params(ordered=ordered)
        kind = item.kind if item.kind != "model" or not isinstance(estimator, OneColumnRule) \
            else "rule"
        out.append(Contender(item.name, estimator, item.description, kind))
    if chosen:
        unknown = [name for name in chosen if name not in seen]
        if unknown:
            msg = (f"settings.contenders names {', '.join(map(repr, unknown))}, which "
                   f"{source} does not list; its contenders are: {', '.join(sorted(seen))}")
            raise ProjectError(msg)
        out = [c for c in out if c.name in chosen]
    if not out:
        msg = f"{source} lists no contender; add at least the rule or a model"
        raise ProjectError(msg)
    return out


def _check(item: Any, task: str, source: str, seen: set[str]) -> None:
    if not isinstance(item, Contender):
        msg = (f"{source}: contenders() returned {type(item).__name__}, not a Contender; "
               "wrap each estimator: Contender('name', estimator)")
        raise ProjectError(msg)
    if not isinstance(item.name, str) or not item.name.strip():
        msg = f"{source}: a contender has no name; give each one, e.g. 'linear model'"
        raise ProjectError(msg)
    if item.name in TRIVIAL:
        msg = (f"{source}: '{item.name}' is the name of a policy mvpgen judges anyway; "
               "call the contender something else")
        raise ProjectError(msg)
    if item.name in seen:
        msg = f"{source}: two contenders are called '{item.name}'; give each its own name"
        raise ProjectError(msg)
    if item.kind not in ("rule", "model"):
        msg = f"{source}: contender '{item.name}' has kind {item.kind!r}; use 'rule' or 'model'"
        raise ProjectError(msg)
    needed = ["fit", "predict"] + (["predict_proba"] if task != "regression" else [])
    missing = [m for m in needed if not callable(getattr(item.estimator, m, None))]
    if missing:
        fix = (" (wrap a classifier without it in CalibratedClassifierCV)"
               if "predict_proba" in missing else "")
        msg = (f"{source}: contender '{item.name}' ({type(item.estimator).__name__}) has no "
               f"{', '.join(missing)}{fix}")
        raise ProjectError(msg)

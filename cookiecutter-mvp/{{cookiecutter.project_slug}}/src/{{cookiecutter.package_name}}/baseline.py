"""The baseline step: trivial vs. rule vs. linear, evaluated honestly, with a verdict.

Everything is decided on the training rows (the rule, the decision thresholds, the
preprocessing); the holdout is touched once, to measure. Intervals come from the
bootstrap, and the verdict only says "met" when the whole interval clears the goal.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import evaluate, scores
from .columns import describe_columns
from .data import DataError, load_dataset
from .defer import defer_policy
from .features import plan_features
from .models import choose_rule, linear_model, trivial_model
from .quality import data_quality
from .relabel import apply_labels
from .splits import cv_splitter, holdout, place_added
from .target import find_label, infer_positive_label, resolve_task
from .verdict import goal_verdict, versus_rule, warnings_for

if TYPE_CHECKING:
    import pandas as pd

    from .config import Mapping

SCHEMA_VERSION = 1
BOOTSTRAP_SMALL, BOOTSTRAP_LARGE, LARGE_HOLDOUT = 1000, 200, 20_000
# Resampling fewer groups than this would make an interval out of a handful of values.
MIN_BOOTSTRAP_GROUPS = 10


@dataclass
class BaselineRun:
    """Everything the baseline step computed, before it is written out."""

    metrics: dict[str, Any]
    models: dict[str, Any]
    holdout: pd.DataFrame  # ids, actual value, each model's prediction and score
    feature_columns: list[str]
    feature_kinds: dict[str, str]  # numeric | categorical | datetime, to read new rows alike
    positive_label: Any
    labels: list[Any]  # the target's classes as the data writes them (empty for regression)


def run_baseline(mapping: Mapping, root: Path, *, seed: int = 0,
                 progress: Callable[[str], None] = lambda message: None) -> BaselineRun:
    """Fit and evaluate the three models on the mapping's data.

    Raises:
        data.DataError: when the data cannot be read or cannot support the task.
    """
    progress(f"Reading {mapping.data.path}")
    dataset = load_dataset(mapping, root)
    file_rows = len(dataset.frame) + dataset.rows_without_target
    task = resolve_task(mapping.technical.task, dataset.frame[dataset.target].unique())
    relabelled = apply_labels(dataset, mapping, root, task)
    dataset = dataclasses.replace(dataset, frame=relabelled.frame,
                                  file_rows=relabelled.file_rows)
    frame, target = dataset.frame, dataset.target
    positive = _positive_label(mapping, frame[target], task)
    negative = next((v for v in _plain_values(frame[target].unique()) if v != positive), None)
    truth = _truth(frame[target], task, positive)
    _require_enough(frame[target], task, mapping, dataset.source.name)

    progress("Checking the columns")
    group = mapping.data.group_column
    infos = describe_columns(frame, id_columns=(*dataset.id_columns, *([group] if group else [])),
                             time_column=mapping.data.time_column)
    quality = data_quality(dataset, mapping, task=task, seed=seed, infos=infos)
    plan = plan_features(infos, dataset.features, group_column=group,
                         time_column=mapping.data.time_column)
    if not plan.used:
        msg = (f"{dataset.source.name}: no column can be used as a feature "
               f"({'; '.join(f'{c}: {why}' for c, why in plan.dropped.items())})")
        raise DataError(msg)
    x = frame[plan.used]

    split = _holdout(frame, _truth(relabelled.recorded, task, positive), task, mapping, seed,
                     relabelled.added)
    _require_both_sides(frame[target], split, task, dataset.source.name)
    train_x, test_x = x.iloc[split.train], x.iloc[split.test]
    train_y, test_y = truth[split.train], truth[split.test]
    names = scores.metric_names(task, truth)
    metric = mapping.technical.metric

    progress(f"Fitting on {len(split.train):,} rows, holding out {len(split.test):,}")
    try:
        rule = choose_rule(train_x, train_y, plan, task, seed)
    except ValueError as err:
        msg = f"{dataset.source.name}: {err}"
        raise DataError(msg) from err
    models = {"trivial": trivial_model(task), "heuristic": rule.model,
              "linear": linear_model(task, plan, seed)}
    fit_seconds = {}
    for name, model in models.items():
        started = time.perf_counter()
        model.fit(train_x, train_y)
        fit_seconds[name] = round(time.perf_counter() - started, 3)

    progress("Cross-validating on the training rows")
    splitter, cv_rows = cv_splitter(split, frame, truth, task,
                                    time_column=mapping.data.time_column, group_column=group)
    groups = frame[group].astype(str).to_numpy()[cv_rows] if split.strategy == "group" else None
    folds = {name: evaluate.cross_validate(model, x.iloc[cv_rows], truth[cv_rows], task,
                                           splitter, groups)
             for name, model in models.items()}

    thresholds = {name: evaluate.DEFAULT_THRESHOLD for name in models}
    if task == "binary" and mapping.costs is not None:
        thresholds = {name: evaluate.cheapest_threshold(result.out_of_fold(), mapping.costs)
                      for name, result in folds.items()}
    predictions = {name: evaluate.predict(model, test_x, test_y, task, thresholds[name])
                   for name, model in models.items()}

    progress("Bootstrapping the holdout")
    resamples = BOOTSTRAP_SMALL if len(test_y) <= LARGE_HOLDOUT else BOOTSTRAP_LARGE
    groups = frame[group].astype(str).to_numpy()[split.test] if group else None
    if groups is not None and len(set(groups)) < MIN_BOOTSTRAP_GROUPS:
        groups = None  # too few groups to resample: rows it is, with a warning
    values = scores.bootstrap(metric, predictions, resamples, seed, groups)
    intervals = {name: scores.interval(v) for name, v in values.items()}
    differences = {f"linear - {other}": scores.interval(values["linear"] - values[other])
                   for other in ("trivial", "heuristic")}

    progress("Drawing the learning curve")
    curve_x, curve_y = train_x, train_y
    if split.strategy == "time":
        times = frame[mapping.data.time_column].iloc[split.train]
        # Rows without a time count as the oldest, never as the most recent.
        order = np.argsort(times.fillna(times.min()).to_numpy(), kind="stable")
        curve_x, curve_y = train_x.iloc[order], train_y[order]
    curve = evaluate.learning_curve(models["linear"], curve_x, curve_y, test_x, test_y, task,
                                    metric, recent_last=split.strategy == "time",
                                    threshold=thresholds["linear"], seed=seed)

    linear_value = scores.score(metric, predictions["linear"])
    results = {
        "schema_version": SCHEMA_VERSION,
        "task": task,
        "target": target,
        "positive_label": positive,
        "primary_metric": metric,
        "split": {"strategy": split.strategy, "train_rows": len(split.train),
                  "test_rows": len(split.test), "seed": seed,
                  "cv_folds": len(folds["linear"].folds), "cv_rows": len(cv_rows),
                  "purged_rows": split.purged,
                  "groups_on_both_sides": split.straddling_groups},
        "models": {name: _model_entry(name, model, predictions[name], folds[name], names,
                                      thresholds[name], fit_seconds[name], rule, target,
                                      positive, negative, task)
                   for name, model in models.items()},
        "confidence_intervals": {name: {metric: _round_all(ci)}
                                 for name, ci in intervals.items()},
        "differences": {name: {metric: _round_all(ci)} for name, ci in differences.items()},
        "bootstrap": {"resamples": resamples, "confidence": scores.CONFIDENCE,
                      "seed": seed, "unit": "group" if groups is not None else "row",
                      "holdout_groups": len(set(frame[group].iloc[split.test])) if group
                      else None},
        "goal": goal_verdict(metric, mapping.technical.threshold, linear_value,
                             intervals["linear"]),
        "versus_rule": versus_rule(metric, differences["linear - heuristic"]),
        "learning_curve": _learning_entry(curve, metric, intervals["linear"]),
        "warnings": [],
        "data": {"rows": int(file_rows),
                 "rows_with_target": len(frame),
                 "columns": len(frame.columns),
                 "features": plan.used,
                 "fingerprint": mapping.data.sha256},
    }
    # Added rows of held-out groups are left out of both sides, like the data's own.
    results["feedback"] = relabelled.summary | {
        "added_rows": relabelled.summary["added_rows"]
        | {"train": int(relabelled.added[split.train].sum()),
           "test": int(relabelled.added[split.test].sum())}}
    if task == "binary" and mapping.costs is not None:
        results["business"] = _business(predictions, test_y, mapping)
    if task != "regression":
        results["defer"] = defer_policy(predictions["linear"], metric,
                                        mapping.technical.threshold, task)
    results["versus_rule"] = _with_context(results["versus_rule"], results, metric)
    results["warnings"] = warnings_for(quality, plan.dropped, results, mapping, infos,
                                       plan.used)
    return BaselineRun(results, models, _holdout_table(dataset, split.test, predictions, task,
                                                      positive, negative),
                       plan.used, _kinds(plan), positive,
                       [] if task == "regression" else _plain_values(frame[target].unique()))


# Metrics computed from decisions: their value moves with the decision threshold.
_THRESHOLD_METRICS = {"accuracy", "balanced_accuracy", "precision", "recall", "f1"}


def _with_context(answer: dict[str, Any], results: dict[str, Any], metric: str) -> dict[str, Any]:
    """Add what a reader needs to weigh "ML against the rule" on a decision metric."""
    models = results["models"]
    thresholds = {models[m].get("decision_threshold") for m in ("heuristic", "linear")}
    message = answer["message"]
    if metric in _THRESHOLD_METRICS and len(thresholds) > 1:
        message += " (each at its own decision threshold)"
    business = results.get("business")
    rule_wins = answer["answer"] == "no"
    if business:
        costs = business["expected_cost_per_1000"]
        message += (f"; in money, per 1,000 decisions, the linear model costs "
                    f"{costs['linear']:,.0f} and the rule {costs['heuristic']:,.0f}")
        rule_wins = costs["heuristic"] <= costs["linear"]
    if rule_wins:
        message += "; a rule may be all you need"
    return {**answer, "message": message}


def _kinds(plan: Any) -> dict[str, str]:
    return ({c: "numeric" for c in plan.numeric} | {c: "categorical" for c in plan.categorical}
            | {c: "datetime" for c in plan.datetime})


def _plain_values(values: Any) -> list[Any]:
    """Return the classes as the reviewers and the model card name them (1, not 1.0)."""
    from .target import python_values

    return sorted(python_values(values), key=str)


def _positive_label(mapping: Mapping, target: pd.Series, task: str) -> Any:
    if task != "binary":
        return None
    values = list(target.unique())
    declared = mapping.technical.positive_label
    label = (find_label(declared, values) if declared is not None
             else infer_positive_label(values))
    if label is None:
        shown = ", ".join(repr(v) for v in values[:10])
        msg = (f"positive_label {declared!r} is not a value of '{target.name}'; use one of: "
               f"{shown}" if declared is not None else
               f"set technical.positive_label in mvp.yaml to one of: {shown}")
        raise DataError(msg)
    from .target import python_values

    return python_values([label])[0]


_SIMPLEST_FIRST = ("act_on_none", "act_on_all", "trivial", "heuristic", "linear")


def _require_enough(target: pd.Series, task: str, mapping: Mapping, source: str) -> None:
    """Refuse data that cannot support the task, before anything is fitted."""
    if task == "regression":
        if mapping.technical.metric == "mape" and not (target.astype(float) > 0).all():
            msg = (f"{source}: mape divides by the target, but '{mapping.technical.target}' "
                   "holds zeros or negative values; choose mae, rmse or r2 in mvp.yaml")
            raise DataError(msg)
        return
    from .target import mixed_kinds, python_values, too_few_rows

    counts = target.value_counts()
    values = python_values(counts.index)
    mixed = mixed_kinds(values)
    if mixed:
        msg = (f"{source}: the target '{target.name}' {mixed}; write every value the same "
               "way (e.g. yes/no)")
        raise DataError(msg)
    problem = too_few_rows(zip(values, counts, strict=True))
    if problem:
        msg = f"{source}: {problem}"
        raise DataError(msg)


def _require_both_sides(target: pd.Series, split: Any, task: str, source: str) -> None:
    """Refuse a split that leaves a class out of training (a model cannot learn it)."""
    if task == "regression":
        return
    from .target import python_values

    train = set(python_values(target.iloc[split.train].unique()))
    missing = [v for v in python_values(target.unique()) if v not in train]
    if missing:
        msg = (f"{source}: after the {split.strategy} split the training rows hold no row of "
               f"{', '.join(repr(m) for m in missing)} (all are held out); a model cannot "
               "learn a class it never sees: add older rows of it, or change the split")
        raise DataError(msg)


def _truth(target: pd.Series, task: str, positive: Any) -> np.ndarray:
    if task == "binary":
        return (target == positive).to_numpy()
    if task == "regression":
        return target.astype(float).to_numpy()
    from .target import python_values  # 1, not 1.0, for classes read with gaps

    return np.array([str(v) for v in python_values(target)], dtype=object)


def _holdout(frame: pd.DataFrame, recorded: np.ndarray, task: str, mapping: Mapping,
             seed: int, added: np.ndarray) -> Any:
    """Split the data's rows on the target they recorded, then place the added rows.

    Reviewers' labels change neither which of the data's rows are held out nor how the
    classes are stratified: the models are judged on the same rows run after run.
    """
    import pandas as pd

    columns = {"time_column": mapping.data.time_column,
               "group_column": mapping.data.group_column}
    base = np.flatnonzero(~added)
    try:
        split = holdout(frame.iloc[base].reset_index(drop=True),
                        pd.Series(recorded[base]), task, seed=seed, **columns)
    except ValueError as err:
        raise DataError(str(err)) from err
    return place_added(split, base, np.flatnonzero(added), frame, **columns)


def _model_entry(name: str, model: Any, predictions: scores.Predictions,
                 folds: evaluate.FoldResults, names: tuple, threshold: float, seconds: float,
                 rule: Any, target: str, positive: Any, negative: Any,
                 task: str) -> dict[str, Any]:
    described = {
        "trivial": "no model: " + ("the mean of the training rows" if task == "regression"
                                   else "the class shares of the training rows"),
        "heuristic": f"the best one-column rule, on '{rule.column}' (chosen by {rule.metric} "
                     "in cross-validation on the training rows)",
        "linear": ("ridge regression" if task == "regression" else "logistic regression")
                  + " on imputed, scaled and one-hot encoded columns",
    }[name]
    entry: dict[str, Any] = {
        "description": described,
        "test": {k: _round(v) for k, v in scores.scores(names, predictions).items()},
        "cv": {k: {"mean": _round(v["mean"]), "std": _round(v["std"])}
               for k, v in folds.summary(names, threshold).items()},
        "fit_seconds": seconds,
    }
    if task == "binary":
        entry["decision_threshold"] = threshold
    if name == "heuristic":
        decision = (positive, negative, threshold) if task == "binary" else None
        entry["rule"] = model.named_steps["model"].describe(target, decision)
    return entry


def _learning_entry(points: list[dict[str, float]], metric: str,
                    linear_ci: list[float]) -> dict[str, Any]:
    from .config import METRICS

    entry: dict[str, Any] = {"metric": metric,
                             "points": [{"train_rows": p["train_rows"],
                                         "value": _round(p["value"])} for p in points]}
    points = [p for p in points if p["value"] == p["value"]]  # undefined points say nothing
    if len(points) >= 2:
        gain = points[-1]["value"] - points[-2]["value"]
        if not METRICS[metric].higher_is_better:
            gain = -gain
        noise = max((linear_ci[1] - linear_ci[0]) / 4, 0.002)
        entry["more_data_helps"] = bool(gain > noise)
        entry["message"] = (
            "still improving at full size: more data is likely to help" if gain > noise else
            "flat over the last step: more of the same data alone is unlikely to help much")
    return entry


def _business(predictions: dict[str, scores.Predictions], truth: np.ndarray,
              mapping: Mapping) -> dict[str, Any]:
    costs = mapping.costs
    per_1000 = {name: round(evaluate.expected_cost(truth, p.label, costs), 2)
                for name, p in predictions.items()}
    per_1000["act_on_all"] = round(evaluate.expected_cost(truth, np.ones_like(truth), costs), 2)
    per_1000["act_on_none"] = round(evaluate.expected_cost(truth, np.zeros_like(truth), costs),
                                    2)
    return {"costs": {"false_positive": costs.false_positive,
                      "false_negative": costs.false_negative},
            "expected_cost_per_1000": per_1000,
            # On a tie the simpler policy wins: no model needs no maintenance.
            "cheapest": min(_SIMPLEST_FIRST, key=lambda name: (per_1000[name],
                                                               _SIMPLEST_FIRST.index(name)))}


def _holdout_table(dataset: Any, rows: np.ndarray, predictions: dict[str, scores.Predictions],
                   task: str, positive: Any, negative: Any) -> pd.DataFrame:
    import pandas as pd

    frame = dataset.frame
    # The data row of the file (1 = the first row under the header), to find it again.
    # (Empty for a row a reviewer's label added from outside the file.)
    position = dataset.file_rows[rows]
    table = pd.DataFrame({"row": pd.array(np.where(position >= 0, position + 1, -1),
                                          dtype="Int64")})
    table.loc[position < 0, "row"] = pd.NA
    for column in dataset.id_columns:
        table[column] = frame[column].to_numpy()[rows]
    table["actual"] = frame[dataset.target].to_numpy()[rows]
    for name, p in predictions.items():
        if task == "binary":
            table[f"{name}_prediction"] = np.where(p.label, positive, negative)
            table[f"{name}_score"] = np.round(p.score, 6)
        elif task == "multiclass":
            table[f"{name}_prediction"] = p.label
            table[f"{name}_score"] = np.round(p.score.max(axis=1), 6)
        else:
            table[f"{name}_prediction"] = np.round(p.label, 6)
    return table


def _round(value: float) -> float | None:
    return scores.rounded(value)


def _round_all(values: list[float]) -> list[float | None]:
    return [scores.rounded(v) for v in values]

"""The baseline: every contender, evaluated honestly, judged against the goal.

Everything is decided on the training rows (the rule, the preprocessing, the decision
thresholds, the review share, the leak screen); the holdout is touched once, to
measure. Intervals come from a bootstrap that resamples the holdout the way its rows
hang together; the verdict looks at every contender, trivial policies first.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mvpgen import __version__
from mvpgen.checks import require_fit_target
from mvpgen.contenders import (
    ACT_ON_ALL,
    ACT_ON_NONE,
    NO_MODEL,
    Contender,
    no_model,
    project_contenders,
)
from mvpgen.data.columns import describe_columns
from mvpgen.data.quality import data_quality
from mvpgen.data.read import load_dataset
from mvpgen.data.target import find_label, infer_positive_label, python_values, resolve_task
from mvpgen.errors import DataError
from mvpgen.evaluation import bootstrap as boot
from mvpgen.evaluation import costs as money
from mvpgen.evaluation import defer, explain, fitting
from mvpgen.evaluation.leaks import screen_leaks
from mvpgen.evaluation.result import BaselineResult, ContenderResult
from mvpgen.evaluation.split import (
    Split,
    cv_folds,
    fit_sample,
    fit_sample_note,
    holdout,
    place_added,
)
from mvpgen.evaluation.verdict import decide, judge, too_good_findings
from mvpgen.evaluation.warnings import warnings_for
from mvpgen.features import FeaturePlan, default_plan, default_preprocessor
from mvpgen.loop.relabel import apply_labels
from mvpgen.metrics import METRICS, Predictions, reported, rounded, scores
from mvpgen.words import quoted

if TYPE_CHECKING:
    import pandas as pd

    from mvpgen.project import Project

LARGE_HOLDOUT = 10_000  # above this, fewer resamples: the intervals are narrow anyway
LARGE_RESAMPLES = 200
CURVE_RESAMPLES = 100


@dataclass
class BaselineRun:
    """What the baseline step computed, before it is written out."""

    result: BaselineResult
    model: Any  # the contender saved for review and predict, with its decision threshold
    holdout: pd.DataFrame  # ids, actual value, each contender's prediction and score
    card: dict[str, Any]  # what predict needs to read new rows as training did
    predictions: dict[str, Predictions]  # each policy's holdout predictions (for charts)


@dataclass
class _Setup:
    """The data, the plan and the split, as every later part of the run sees them."""

    frame: pd.DataFrame
    target: fitting.Target
    plan: FeaturePlan
    preprocessor: Callable[[], Any]
    split: Split
    train: np.ndarray  # training rows, in time order under a time split
    quality: dict[str, Any]
    infos: list[Any]
    relabelled: Any
    dataset: Any
    negative: Any


def run_baseline(project: Project, *,
                 progress: Callable[[str], None] = lambda message: None) -> BaselineRun:
    """Fit, evaluate and judge every contender on the project's data.

    Raises:
        DataError: when the data cannot be read or cannot support the task.
        ProjectError: when the project's ``models.py`` lists no valid contender.
    """
    mapping = project.mapping
    settings = mapping.settings
    seed = settings.seed
    setup = _prepare(project, progress)
    target, frame, split = setup.target, setup.frame, setup.split
    task, metric = target.task, mapping.technical.metric
    x = frame[setup.plan.used]
    ordered = split.strategy == "time"

    models = project.user_module("models")
    listed = project_contenders(models, task, setup.preprocessor, seed, settings.contenders,
                                ordered=ordered) if models is not None else []
    if not listed:
        from mvpgen.errors import ProjectError

        msg = (f"src/{project.package}/models.py is missing; restore it (mvpgen update puts "
               "the template's back)")
        raise ProjectError(msg)
    contenders = [no_model(task), *listed]

    sampled = (f" (a random sample of the {split.sampled_from:,} training rows)"
               if split.sampled_from else "")
    progress(f"Fitting {len(contenders)} contenders on {len(setup.train):,} rows{sampled}, "
             f"holding out {len(split.test):,}")
    fitted, seconds = {}, {}
    for c in contenders:
        started = time.perf_counter()
        fitted[c.name] = _fit(c, x, target, setup.train)
        seconds[c.name] = round(time.perf_counter() - started, 3)

    progress("Cross-validating on the training rows")
    folds = cv_folds(split, frame, target.values, task,
                     time_column=mapping.data.time_column,
                     group_column=mapping.data.group_column, folds=settings.folds)
    cv = {c.name: fitting.cross_validate(c.estimator, x, target, folds) for c in contenders}
    thresholds = {c.name: _threshold(cv[c.name], target, mapping) for c in contenders}

    test = split.test
    loaded = {c.name: fitting.predict(fitted[c.name], x.iloc[test], target, test,
                                      _or_default(thresholds[c.name]))
              for c in contenders}
    held, predictions = _Held.loaded(setup, test, mapping), dict(loaded)
    cluster = getattr(setup.dataset.population, "cluster", None)
    if cluster is not None:  # the held-out rows live on the cluster: measured there
        progress(f"Scoring the {cluster.rows:,} held-out rows on the cluster")
        held, predictions = _measured_on_cluster(project, setup, cluster, fitted, thresholds,
                                                 loaded)
    if task == "binary":
        predictions[ACT_ON_ALL] = fitting.constant(held.target, held.rows, True)
        predictions[ACT_ON_NONE] = fitting.constant(held.target, held.rows, False)
    names = reported(task, target.truth(), target.capacity)
    exact = {name: scores(names, p) for name, p in predictions.items()}
    kinds = {c.name: c.kind for c in contenders} | {ACT_ON_ALL: "trivial",
                                                    ACT_ON_NONE: "trivial"}
    best_model = _best_of([n for n, k in kinds.items() if k == "model"], exact, metric)

    progress("Bootstrapping the holdout")
    resampler, resample_note = held.resampler(ordered)
    count = settings.bootstrap_resamples if len(held) <= LARGE_HOLDOUT else min(
        settings.bootstrap_resamples, LARGE_RESAMPLES)
    statistics = {f"metric:{name}": boot.metric_statistic(metric, p)
                  for name, p in predictions.items()}
    if task == "binary" and mapping.costs is not None:
        statistics |= {f"cost:{name}": money.cost_statistic(p, mapping.costs)
                       for name, p in predictions.items()}
    defer_metric = defer.judged_on(metric)
    shares: tuple[float, ...] = ()
    if task != "regression" and best_model is not None:
        # The curve's points are exact; intervals only where the advice stands: the model
        # alone, and the share chosen on the training folds.
        shares = tuple(dict.fromkeys((0.0, *defer.candidate_shares(
            cv[best_model].out_of_fold(), defer_metric, mapping.technical.threshold,
            thresholds.get(best_model)))))
        for share in shares:
            statistics[f"defer:{share}"] = defer.defer_statistic(
                predictions[best_model], defer_metric, share, thresholds.get(best_model))
    values = boot.bootstrap(statistics, resampler, count, seed)

    estimates = {name: boot.metric_estimate(metric, p, exact[name][metric],
                                            values[f"metric:{name}"], resampler)
                 for name, p in predictions.items()}
    described = {c.name: c for c in contenders}
    results = {name: _contender_result(name, kinds[name], described.get(name), p, exact[name],
                                       estimates[name], cv.get(name), thresholds.get(name),
                                       seconds.get(name), fitted.get(name), setup, metric,
                                       mapping.technical.threshold, names)
               for name, p in predictions.items()}
    for c in contenders:
        results[c.name].threshold_spread = _threshold_spread(cv[c.name], target, mapping)
    differences = _differences(results, values, metric)

    progress("Screening for leaks on the training rows")
    leaks = screen_leaks(x.iloc[setup.train], target.values[setup.train], task,
                         numeric=setup.plan.numeric,
                         preprocessor=lambda columns: default_preprocessor(
                             setup.plan.only(columns)),
                         target_name=target_name(mapping), not_leaks=mapping.data.not_leaks,
                         seed=seed, ordered=ordered, progress=progress)
    for name in results:
        if results[name].kind != "trivial" and name in fitted:
            results[name].importance = explain.permutation_importance(
                fitted[name], x, target, test, seed=seed)
            results[name].coefficients = explain.coefficients(fitted[name])
    too_good, too_good_cleared = _too_good(results, leaks, mapping.data.not_leaks, len(held))

    progress("Drawing the learning curve")
    curve = _learning_curve(loaded, contenders, best_model, x, target, setup, metric,
                            thresholds, resampler if cluster is None
                            else _Held.loaded(setup, test, mapping).resampler(ordered)[0], seed)
    goal, recommendation = decide(
        results, metric, mapping.technical.threshold, differences=differences,
        suspects=leaks.columns, too_good=[f["sentence"] for f in too_good],
        test_rows=len(held),
        test_share=settings.test_share, more_data_helps=curve.get("more_data_helps"),
        unfitted_rows=split.sampled_from - len(split.train) if split.sampled_from else 0)

    business = None
    if task == "binary" and mapping.costs is not None:
        business = money.business_case(
            predictions, mapping.costs, {n: values[f"cost:{n}"] for n in predictions},
            trivial=[NO_MODEL, ACT_ON_ALL, ACT_ON_NONE], capacity=target.capacity,
            trusted=not (leaks.columns or too_good))
    defer_policy = None
    if task != "regression" and best_model is not None:
        defer_policy = defer.defer_policy(
            predictions[best_model], cv[best_model].out_of_fold(), defer_metric,
            mapping.technical.threshold, thresholds.get(best_model), model=best_model,
            model_met=results[best_model].verdict == "met",
            values={s: values[f"defer:{s}"] for s in shares},
            estimate=boot.interval, judged=metric)
    drift = _drift(results.get(best_model) if best_model else None, metric, cv, best_model,
                   thresholds)

    saved = _saved_contender(recommendation.code, best_model, results, metric)
    result = BaselineResult(
        task=task, target=setup.dataset.target, positive_label=target.positive,
        primary_metric=metric,
        split={"strategy": split.strategy, "train_rows": len(split.train),
               "test_rows": len(held), "test_share": settings.test_share, "seed": seed,
               "cv_folds": len(folds), "cv_kind": folds.kind, "cv_rows": len(folds.rows),
               "purged_rows": split.purged, "groups_on_both_sides": split.straddling_groups,
               "sampled_from": split.sampled_from},
        contenders=results, goal=goal, recommendation=recommendation,
        bootstrap={"resamples": count, "confidence": boot.CONFIDENCE, "seed": seed,
                   "unit": resampler.unit, "units": resampler.count,
                   "note": resample_note,
                   "method": estimates[saved or NO_MODEL].method},
        differences=differences, leaks=leaks.to_dict(), warnings=[],
        data=_data_entry(setup, project, len(held) if cluster is not None else None),
        features={"used": setup.plan.used, "kinds": setup.plan.kinds,
                  "dropped": setup.plan.dropped, "time_column": setup.plan.time_column,
                  "time_parts": _time_parts(setup.plan)},
        learning_curve=curve, feedback=_feedback_entry(setup),
        capacity=_capacity_entry(target, mapping), business=business, defer=defer_policy,
        drift=drift, saved_model=saved, mvpgen=__version__)
    result.leaks["too_good"] = too_good
    result.leaks["too_good_cleared"] = too_good_cleared
    result.warnings = warnings_for(result, setup.quality, setup.infos, mapping,
                                   resample_note=resample_note)
    model = _deployable(fitted[saved] if saved else None, thresholds.get(saved), target,
                        x.iloc[setup.train[:50]], setup)
    return BaselineRun(result, model, _holdout_table(setup, test, loaded, results),
                       _card(result, setup, saved, thresholds.get(saved), mapping),
                       predictions)


# --- preparing ------------------------------------------------------------------------------


def _prepare(project: Project, progress: Callable[[str], None]) -> _Setup:
    """Read the data, apply reviewers' labels, plan the features and split the rows."""
    mapping = project.mapping
    progress(f"Reading {mapping.data.path}")
    dataset = load_dataset(mapping, project.root)
    task = resolve_task(mapping.technical.task, dataset.frame[dataset.target].unique())
    require_fit_target(dataset, task, mapping)
    relabelled = apply_labels(dataset, mapping, project.root, task)
    dataset = dataclasses.replace(dataset, frame=relabelled.frame,
                                  file_rows=relabelled.file_rows)
    frame, target_column = dataset.frame, dataset.target
    features = project.user_module("features")
    if features is not None and hasattr(features, "derive"):
        frame = features.derive(frame.copy())
        dataset = dataclasses.replace(dataset, frame=frame)
    positive = _positive_label(mapping, frame[target_column], task)
    values = _values(frame[target_column], task)
    negative = (next((v for v in python_values(frame[target_column].unique()) if v != positive),
                     None) if task == "binary" else None)

    progress("Checking the columns")
    group, time_column = mapping.data.group_column, mapping.data.time_column
    infos = describe_columns(frame, id_columns=(*dataset.id_columns, *([group] if group else [])),
                             time_column=time_column)
    candidates = [c for c in frame.columns if c != target_column and c not in dataset.id_columns]
    plan = default_plan(infos, candidates, group_column=group, time_column=time_column)
    if features is not None and hasattr(features, "plan"):
        plan = features.plan(plan)
    if not plan.used:
        msg = (f"{dataset.source.name}: no column can be used as a feature "
               f"({'; '.join(f'{c}: {why}' for c, why in plan.dropped.items())})")
        raise DataError(msg)
    make = (features.preprocessor if features is not None and hasattr(features, "preprocessor")
            else default_preprocessor)
    quality = data_quality(dataset, mapping, task=task, seed=mapping.settings.seed, infos=infos,
                           leaks=False)
    capacity = _capacity(mapping, len(frame)) if task == "binary" else None
    target = fitting.Target(task, values, positive, capacity)
    split = _holdout(frame, _values(relabelled.recorded, task), task, mapping,
                     relabelled.added, dataset.holdout_hint, dataset.population)
    _require_both_sides(frame[target_column], split, task, dataset.source.name)
    if dataset.population is None:  # read out of core, the training rows are a sample already
        split = fit_sample(split, values, task, keep=relabelled.added,
                           groups=frame[group].to_numpy() if group else None,
                           rows=mapping.settings.fit_rows)
    train = split.train
    if split.strategy == "time":
        times = frame[time_column].iloc[train]
        # Rows without a time count as the oldest, never as the most recent.
        train = train[np.argsort(times.fillna(times.min()).to_numpy(), kind="stable")]
    return _Setup(frame, target, plan, lambda: make(plan), split, train, quality, infos,
                  relabelled, dataset, negative)


def target_name(mapping: Any) -> str:
    """Return the target column's name."""
    return mapping.technical.target


def _capacity(mapping: Any, rows: int) -> float | None:
    """Return the share of cases the business can act on, if the mapping says."""
    if mapping.business.capacity is not None:
        return mapping.business.capacity / 1000
    if mapping.humans is not None and mapping.humans.review_budget and rows:
        return min(mapping.humans.review_budget / rows, 1.0)
    return None


def _capacity_entry(target: fitting.Target, mapping: Any) -> dict[str, Any] | None:
    if target.capacity is None:
        return None
    source = ("business.capacity" if mapping.business.capacity is not None else
              "humans.review_budget over the rows with a target")
    return {"per_1000": round(target.capacity * 1000, 3), "share": round(target.capacity, 6),
            "source": source}


def _values(series: pd.Series, task: str) -> np.ndarray:
    """Return the target as the models learn it: numbers, or classes as plain values."""
    if task == "regression":
        return series.astype(float).to_numpy()
    # Plain values in an array of their own kind (whole numbers, text, flags): what
    # scikit-learn recognises as class labels. Each class is converted once.
    import pandas as pd

    codes, classes = pd.factorize(series)
    if len(classes) == 0 or (codes < 0).any():
        return np.asarray(python_values(series))
    return np.asarray(python_values(classes))[codes]


def _positive_label(mapping: Any, target: pd.Series, task: str) -> Any:
    if task != "binary":
        return None
    values = list(target.dropna().unique())
    declared = mapping.technical.positive_label
    label = (find_label(declared, values) if declared is not None
             else infer_positive_label(values))
    if label is None:
        shown = ", ".join(repr(v) for v in values[:10])
        msg = (f"positive_label {declared!r} is not a value of '{target.name}'; use one of: "
               f"{shown}" if declared is not None else
               f"set technical.positive_label in mvp.yaml to one of: {shown}")
        raise DataError(msg)
    return python_values([label])[0]


def _holdout(frame: pd.DataFrame, recorded: np.ndarray, task: str, mapping: Any,
             added: np.ndarray, hint: np.ndarray | None = None,
             population: Any = None) -> Split:
    """Split the data's rows on the target they recorded, then place the added rows.

    Reviewers' labels change neither which of the data's rows are held out nor how the
    classes are stratified: the contenders are judged on the same rows run after run.
    """
    import pandas as pd

    columns = {"time_column": mapping.data.time_column,
               "group_column": mapping.data.group_column}
    base = np.flatnonzero(~added)
    if hint is not None:  # drawn out of core, by the split's own rule, over every row
        hold = hint[: len(base)]
        split = Split(population.strategy, np.flatnonzero(~hold), np.flatnonzero(hold),
                      mapping.settings.seed, purged=getattr(population, "purged", 0))
        return place_added(split, base, np.flatnonzero(added), frame, **columns)
    try:
        split = holdout(frame.iloc[base].reset_index(drop=True),
                        pd.Series(recorded[base]).astype(str) if task != "regression"
                        else pd.Series(recorded[base]), task, seed=mapping.settings.seed,
                        test_share=mapping.settings.test_share, **columns)
    except ValueError as err:
        raise DataError(str(err)) from err
    return place_added(split, base, np.flatnonzero(added), frame, **columns)


def _require_both_sides(target: pd.Series, split: Split, task: str, source: str) -> None:
    """Refuse a split that leaves a class out of training (a model cannot learn it)."""
    if task == "regression":
        return
    train = set(python_values(target.iloc[split.train].unique()))
    missing = [v for v in python_values(target.unique()) if v not in train]
    if missing:
        msg = (f"{source}: after the {split.strategy} split the training rows hold no row of "
               f"{', '.join(repr(m) for m in missing)} (all are held out); a model cannot "
               "learn a class it never sees: add older rows of it, or change the split")
        raise DataError(msg)


@dataclass
class _Held:
    """The held-out rows the contenders are judged on, and how they hang together."""

    target: fitting.Target  # the target of these rows (``rows`` index it)
    rows: np.ndarray
    groups: np.ndarray | None  # each row's group, when the data has groups
    times: pd.Series | None  # each row's time, when the data has a time column

    @classmethod
    def loaded(cls, setup: _Setup, test: np.ndarray, mapping: Any) -> _Held:
        """Return the held-out rows among the rows loaded."""
        group, time_column = mapping.data.group_column, mapping.data.time_column
        frame = setup.frame
        return cls(setup.target, test,
                   frame[group].astype(str).to_numpy()[test] if group else None,
                   frame[time_column].iloc[test] if time_column else None)

    def __len__(self) -> int:
        return len(self.rows)

    def resampler(self, ordered: bool) -> tuple[boot.Resampler, str | None]:
        """Return how to resample these rows, and why not otherwise (see bootstrap)."""
        return boot.resampler_for(
            len(self.rows), groups=self.groups,
            times=self.times if ordered else None,
            positives=self.target.truth(self.rows) if self.target.task == "binary" else None)


def _measured_on_cluster(project: Project, setup: _Setup, cluster: Any,
                         fitted: dict[str, Any], thresholds: dict[str, float | None],
                         loaded: dict[str, Predictions]) -> tuple[_Held, dict[str, Predictions]]:
    """Return the held-out rows scored on the cluster, and each contender's predictions.

    Rows only a reviewer's label made usable are not on the cluster; those the split
    holds out join the measured rows with their predictions from the rows loaded.
    """
    import pandas as pd

    from mvpgen.evaluation.cluster import measure
    from mvpgen.store.labels import latest, read_labels

    mapping, dataset, target = project.mapping, setup.dataset, setup.target
    group, time_column = mapping.data.group_column, mapping.data.time_column
    features = project.user_module("features")
    has_derive = features is not None and hasattr(features, "derive")
    labels = {row: entry["human_label"] for row, entry in latest(read_labels(project.root))
              .items() if row}
    measured = measure(
        cluster, fitted, task=target.task, target=dataset.target, plan=setup.plan,
        package=project.package if has_derive else None,
        package_dir=project.root / "src" / project.package if project.package else None,
        group=group, time_column=time_column, labels=labels,
        classes=None if target.task == "regression" else list(
            dataset.frame[dataset.target].unique()),
        id_columns=list(dataset.id_columns),
        key_columns=[c for c in dataset.frame.columns if c != dataset.target])
    added = np.flatnonzero(setup.relabelled.added[setup.split.test])
    extra = setup.split.test[added]
    values = np.concatenate([_values(measured.target, target.task), target.values[extra]])
    held = _Held(fitting.Target(target.task, values, target.positive, target.capacity),
                 np.arange(len(values)),
                 None if group is None else np.concatenate([
                     measured.groups, setup.frame[group].astype(str).to_numpy()[extra]]),
                 None if time_column is None else pd.concat(
                     [pd.Series(pd.to_datetime(measured.times)),
                      setup.frame[time_column].iloc[extra]], ignore_index=True))
    cluster_rows = np.arange(len(measured))
    predictions = {}
    for name, (output, classes) in measured.outputs.items():
        scored = fitting.from_output(output, classes, held.target, cluster_rows,
                                     _or_default(thresholds[name]))
        predictions[name] = scored if not len(extra) else _joined(
            scored, loaded[name].take(added), held.target.truth(held.rows))
    return held, predictions


def _joined(first: Predictions, second: Predictions, truth: np.ndarray) -> Predictions:
    """Return two sets of predictions of one contender as one, over ``truth``."""
    score = (None if first.score is None else np.concatenate([first.score, second.score]))
    return Predictions(truth, np.concatenate([first.label, second.label]), score,
                       first.classes, first.capacity)


# --- fitting and judging --------------------------------------------------------------------


def _fit(contender: Contender, x: pd.DataFrame, target: fitting.Target,
         rows: np.ndarray) -> Any:
    from sklearn.base import clone

    try:
        return clone(contender.estimator).fit(x.iloc[rows], target.values[rows])
    except ValueError as err:
        msg = f"the contender '{contender.name}' cannot be fitted: {err}"
        raise DataError(msg) from err


def _threshold(folds: fitting.FoldResults, target: fitting.Target,
               mapping: Any) -> float | None:
    """Return a binary contender's decision threshold, chosen on its training folds."""
    return _chosen_threshold(folds.out_of_fold(), target, mapping)


def _chosen_threshold(rows: Predictions | None, target: fitting.Target,
                      mapping: Any) -> float | None:
    if target.task != "binary":
        return None
    if mapping.costs is not None:
        return fitting.cheapest_threshold(rows, mapping.costs, target.capacity)
    if target.capacity is not None:
        return fitting.capacity_threshold(rows, target.capacity)
    return fitting.DEFAULT_THRESHOLD


def _threshold_spread(folds: fitting.FoldResults, target: fitting.Target,
                      mapping: Any) -> float | None:
    """Return the standard deviation of the threshold chosen on each fold alone.

    A threshold that moves this much between folds moves as much by chance; a larger
    move after new labels is the labels' doing, and the report says so.
    """
    if target.task != "binary" or (mapping.costs is None and target.capacity is None):
        return None  # the threshold is fixed, not chosen
    chosen = [_chosen_threshold(p, target, mapping) for p in folds.folds]
    values = [t for t in chosen if t is not None]
    return rounded(float(np.std(values))) if len(values) >= 2 else None


def _best_of(names: list[str], exact: dict[str, dict[str, float]], metric: str) -> str | None:
    """Return the name with the best holdout value of ``metric`` (None for none)."""
    better = METRICS[metric].higher_is_better
    usable = [n for n in names if np.isfinite(exact[n][metric])]
    if not usable:
        return names[0] if names else None
    return max(usable, key=lambda n: exact[n][metric] if better else -exact[n][metric])


def _contender_result(name: str, kind: str, contender: Contender | None, p: Predictions,
                      exact: dict[str, float], estimate: boot.Estimate,
                      cv: fitting.FoldResults | None, threshold: float | None,
                      seconds: float | None, model: Any, setup: _Setup, metric: str,
                      goal: float, names: tuple[str, ...]) -> ContenderResult:
    test = {k: rounded(v) for k, v in exact.items()}
    test[metric] = rounded(estimate.value)
    ci = [rounded(estimate.low), rounded(estimate.high)]
    description = contender.description if contender else {
        ACT_ON_ALL: "act on every case, whatever the data says",
        ACT_ON_NONE: "act on no case, whatever the data says"}[name]
    result = ContenderResult(
        name=name, kind=kind, description=description, test=test, ci=ci,
        verdict=judge(metric, goal, test[metric], *ci),
        cv=({k: {"mean": rounded(v["mean"]), "std": rounded(v["std"])}
             for k, v in cv.summary(names, _or_default(threshold)).items()} if cv else {}),
        fit_seconds=seconds, decision_threshold=threshold,
        interval_method=estimate.method, corrected=estimate.corrected)
    if model is not None and hasattr(_final(model), "describe"):
        rule = _final(model)
        decision = ((setup.target.positive, setup.negative, threshold)
                    if setup.target.task == "binary" else None)
        result.rule = rule.describe(setup.dataset.target, decision)
        alike = (rule.acts_alike(threshold) if hasattr(rule, "acts_alike")
                 and threshold is not None else None)
        result.acts_like = {"all": ACT_ON_ALL, "none": ACT_ON_NONE}.get(alike or "")
    return result


def _too_good(results: dict[str, ContenderResult], leaks: Any, not_leaks: dict[str, str],
              test_rows: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the too-good scores that block the verdict, and those a person cleared.

    A score too good to be true names the columns its contender relies on most, so a
    person who knows them to be available in time can clear them (``data.not_leaks``).
    While the screen names suspects, they are the news: too-good scores wait for them.
    """
    if leaks.suspects:
        return [], []
    blocking, cleared = [], []
    for finding in too_good_findings(results, test_rows):
        contender = results[finding["contender"]]
        columns = [i["column"] for i in contender.importance[:3]]
        shown = ", ".join(quoted(c) for c in columns)
        entry = {**finding, "columns": columns,
                 "sentence": finding["sentence"] + (f"; it relies most on {shown}"
                                                    if columns else "")}
        if columns and all(c in not_leaks for c in columns):
            cleared.append(entry | {"cleared": {c: not_leaks[c] for c in columns}})
        else:
            blocking.append(entry)
    return blocking, cleared


def _or_default(threshold: float | None) -> float:
    """Return a decision threshold, 0.5 where none was chosen (0 is a threshold too)."""
    return fitting.DEFAULT_THRESHOLD if threshold is None else threshold


def _final(model: Any) -> Any:
    steps = getattr(model, "steps", None)
    return steps[-1][1] if steps else model


def _differences(results: dict[str, ContenderResult], values: dict[str, np.ndarray],
                 metric: str) -> dict[str, dict[str, list[float | None]]]:
    """Return paired intervals of every contender minus every other policy."""
    out = {}
    for a, ra in results.items():
        if ra.kind == "trivial":
            continue
        for b in results:
            if a != b:
                ci = boot.interval(values[f"metric:{a}"] - values[f"metric:{b}"])
                out[f"{a} - {b}"] = {metric: [rounded(v) for v in ci]}
    return out


def _learning_curve(loaded: dict[str, Predictions], contenders: list[Contender],
                    best: str | None,
                    x: pd.DataFrame, target: fitting.Target, setup: _Setup, metric: str,
                    thresholds: dict[str, float | None], resampler: boot.Resampler,
                    seed: int) -> dict[str, Any]:
    """Return the best model's holdout metric at growing training sizes, with a band."""
    if best is None:
        return {"metric": metric, "model": None, "points": []}
    model = next(c.estimator for c in contenders if c.name == best)
    points = fitting.learning_curve(model, x, target, setup.train, setup.split.test, metric,
                                    recent_last=setup.split.strategy == "time",
                                    threshold=_or_default(thresholds.get(best)), seed=seed,
                                    whole=loaded[best])
    # Every point on the same resamples, drawn once.
    bands = boot.bootstrap({str(i): boot.metric_statistic(metric, point["predictions"])
                            for i, point in enumerate(points)}, resampler, CURVE_RESAMPLES,
                           seed)
    shown = []
    for i, point in enumerate(points):
        band = boot.interval(bands[str(i)])
        shown.append({"train_rows": point["train_rows"], "value": rounded(point["value"]),
                      "ci": [rounded(v) for v in band]})
    entry: dict[str, Any] = {"metric": metric, "model": best, "points": shown}
    known = [p for p in shown if p["value"] is not None]
    if len(known) >= 2:
        gain = METRICS[metric].gain(known[-1]["value"], known[-2]["value"])
        low, high = known[-1]["ci"]
        noise = max(((high - low) / 4) if low is not None and high is not None else 0, 0.002)
        entry["more_data_helps"] = bool(gain > noise)
        split = setup.split
        unfitted = split.sampled_from - len(split.train) if split.sampled_from else 0
        entry["message"] = (
            f"still improving at full size: more rows are likely to help, and {unfitted:,} "
            "training rows were left out of the fit (settings.fit_rows)"
            if gain > noise and unfitted else
            "still improving at full size: more rows are likely to help" if gain > noise else
            "flat over the last step: more of the same rows alone are unlikely to help much")
    return entry


def _drift(result: ContenderResult | None, metric: str, cv: dict[str, fitting.FoldResults],
           best: str | None, thresholds: dict[str, float | None]) -> dict[str, Any] | None:
    """Return how far the holdout lies from cross-validation, for the best model."""
    if result is None or best is None:
        return None
    folds = result.cv.get(metric)
    value = result.value(metric)
    low, high = result.ci
    if not folds or folds["mean"] is None or value is None or low is None or high is None:
        return None
    spread = 2 * float(np.hypot(folds["std"] or 0.0, (high - low) / (2 * 1.96)))
    gap = METRICS[metric].gain(value, folds["mean"])  # negative: the holdout is worse
    r2 = result.value("r2")
    drifted = abs(gap) > spread or (r2 is not None and r2 < 0)
    return {"model": best, "metric": metric, "cv_mean": folds["mean"], "cv_std": folds["std"],
            "holdout": value, "gap": rounded(gap), "spread": rounded(spread),
            "holdout_r2": r2, "drifted": bool(drifted)}


def _saved_contender(code: str, best_model: str | None, results: dict[str, ContenderResult],
                     metric: str) -> str | None:
    """Return the contender ``predict`` and ``review`` use: what the verdict points at."""
    rules = [n for n, r in results.items() if r.kind == "rule"]
    exact = {n: {metric: r.value(metric) if r.value(metric) is not None else np.nan}
             for n, r in results.items()}
    best_rule = _best_of(rules, exact, metric) if rules else None
    if code == "launch_rule" and best_rule is not None:
        return best_rule
    return best_model or best_rule


def _deployable(model: Any, threshold: float | None, target: fitting.Target,
                sample: pd.DataFrame, setup: _Setup) -> Any:
    """Return the saved contender so that ``model.predict`` decides as evaluated.

    A yes/no classifier carries its decision threshold with it (scikit-learn's
    FixedThresholdClassifier around the fitted model).
    """
    if model is None or target.task != "binary" or threshold is None:
        return model
    from sklearn.frozen import FrozenEstimator
    from sklearn.model_selection import FixedThresholdClassifier

    rows = setup.train
    labels = target.values[rows]
    both = np.r_[np.flatnonzero(labels == target.positive)[:5],
                 np.flatnonzero(labels != target.positive)[:5]]
    x = setup.frame[setup.plan.used].iloc[rows[both]]
    return FixedThresholdClassifier(FrozenEstimator(model), threshold=threshold,
                                    pos_label=target.positive,
                                    response_method="predict_proba").fit(x, labels[both])


def _time_parts(plan: FeaturePlan) -> list[str]:
    if plan.time_column is None or plan.time_column not in plan.datetime:
        return []
    return ["month", "weekday", "hour (when the times hold one)", "years elapsed (a trend)"]


# --- what is written ------------------------------------------------------------------------


def _data_entry(setup: _Setup, project: Project, measured: int | None) -> dict[str, Any]:
    dataset = setup.dataset
    recorded = project.mapping.data
    population = dataset.population
    if population is not None:  # counted over every row; the rest is a stated sample
        return {"notes": dataset.notes,
                "rows": population.rows, "rows_with_target": population.rows_with_target,
                "columns": len(setup.frame.columns), "features": setup.plan.used,
                "fingerprint": dataset.fingerprint, "recorded_fingerprint": recorded.sha256,
                "recorded_rows": recorded.rows, "population": population.to_dict(),
                "coverage": population.notes(measured)}
    return {"notes": dataset.notes,
            "rows": int(len(setup.frame) + dataset.rows_without_target
                        - int(setup.relabelled.added.sum())),
            "rows_with_target": len(setup.frame),
            "columns": len(setup.frame.columns),
            "features": setup.plan.used,
            "fingerprint": dataset.fingerprint,
            "recorded_fingerprint": recorded.sha256,
            "recorded_rows": recorded.rows,
            **({"coverage": [fit_sample_note(setup.split)]} if setup.split.sampled_from
               else {})}


def _feedback_entry(setup: _Setup) -> dict[str, Any]:
    relabelled, split = setup.relabelled, setup.split
    summary = relabelled.summary
    return summary | {"added_rows": summary["added_rows"]
                      | {"train": int(relabelled.added[split.train].sum()),
                         "test": int(relabelled.added[split.test].sum())}}


def _card(result: BaselineResult, setup: _Setup, saved: str | None, threshold: float | None,
          mapping: Any) -> dict[str, Any]:
    """Return what predict needs: the columns, how to read them, what training saw."""
    frame = setup.frame.iloc[setup.train]
    seen, ranges = {}, {}
    for column in setup.plan.categorical:
        seen[column] = sorted({str(v) for v in frame[column].dropna().unique()})[:1000]
    for column in setup.plan.numeric:
        numbers = frame[column].astype(float)
        if numbers.notna().any():
            ranges[column] = [float(numbers.min()), float(numbers.max())]
    classes = [] if setup.target.task == "regression" else python_values(
        sorted(set(python_values(_distinct(setup.target.values))), key=str))
    return {"contender": saved, "task": result.task, "target": result.target,
            "positive_label": result.positive_label, "labels": classes,
            "decision_threshold": threshold, "features": setup.plan.used,
            "feature_kinds": setup.plan.kinds, "categories": seen, "ranges": ranges,
            "id_columns": list(mapping.data.id_columns),
            "trained_rows": len(setup.split.train),
            "data_fingerprint": setup.dataset.fingerprint}


def _distinct(values: np.ndarray) -> np.ndarray:
    """Return each value once (in order of appearance), for sets of classes."""
    import pandas as pd

    return pd.unique(pd.Series(values, dtype=object))


def _holdout_table(setup: _Setup, rows: np.ndarray, predictions: dict[str, Predictions],
                   results: dict[str, ContenderResult]) -> pd.DataFrame:
    import pandas as pd

    dataset, target = setup.dataset, setup.target
    position = setup.relabelled.file_rows[rows]
    # The data row of the file (1 = the first row under the header), to find it again.
    table = pd.DataFrame({"row": pd.array(np.where(position >= 0, position + 1, -1),
                                          dtype="Int64")})
    table.loc[position < 0, "row"] = pd.NA
    for column in dataset.id_columns:
        table[column] = setup.frame[column].to_numpy()[rows]
    table["actual"] = setup.frame[dataset.target].to_numpy()[rows]
    for name, p in predictions.items():
        if results[name].kind == "trivial" and name != NO_MODEL:
            continue
        if target.task == "binary":
            table[f"{name}: prediction"] = np.where(p.label, target.positive, setup.negative)
            table[f"{name}: score"] = np.round(p.score, 6)
        elif target.task == "multiclass":
            table[f"{name}: prediction"] = p.label
            table[f"{name}: score"] = np.round(p.score.max(axis=1), 6)
        else:
            table[f"{name}: prediction"] = np.round(p.label, 6)
    return table

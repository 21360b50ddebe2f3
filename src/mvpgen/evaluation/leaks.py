"""The leak screen: find the columns that give the answer away, before any verdict.

Everything is measured on the training rows (on folds of them, never the holdout), in
rounds: after the columns a round names are set aside, the next round screens what is
left, so dropping one obvious leak cannot reveal a silent second one. A round looks for:

- a column that alone predicts the target almost perfectly, or is filled only for one
  class (a cancellation reason, filled only for churners);
- a few columns that together rebuild the target with a linear formula (parts that sum
  to a total, counts behind an average);
- a flexible screening model that scores too well to be true, and the columns that
  carry that score (dropping them, refitted on the folds, takes it away);
- a column named like something only known afterwards (a duration, a delay, a reason,
  a refund...) or named like the target, that carries much of the screening model's
  score: a post-outcome column is often strong only together with the others.

A suspect blocks the verdict until a person removes the column or clears it in
``mvp.yaml`` (``data.not_leaks: {column: reason}``), which the report then shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from mvpgen.words import listing, quoted

if TYPE_CHECKING:
    import pandas as pd

SCREEN_ROWS = 4_000  # the screening model's sample; a leak shows on far fewer rows
SINGLE_ROWS = 20_000
MAX_ROUNDS = 3
# Alone: balanced accuracy of a one-column lookup (classes), or R² (quantities).
ALONE_CLASSES = 0.97
ALONE_QUANTITY = 0.9
TOGETHER = 0.99  # a linear formula of a few columns
TOO_GOOD = {"binary": 0.99, "multiclass": 0.99, "regression": 0.99}
NAMED_SHARE = 0.2  # a named column carrying this share of the screening model's gain
FAMILY_DROP = 0.05  # what setting aside the rest of a numbered family must cost
MAX_PARTS = 3
POOL = 12  # the columns a quick screen finds strongest compete for a formula
FORMULA_ROWS = 8_000
MAX_SHUFFLED = 15  # columns ranked by shuffling; the quick screen picks them
# Words that name what is only known once the outcome happened.
_AFTER_WORDS = ("duration", "delay", "elapsed", "outcome", "result", "resolution",
                "resolved", "closed", "final", "reason", "refund", "cancel", "returned",
                "after", "post", "followup", "actual")
_AFTER_PREFIXES = ("time_to", "days_to", "hours_to", "minutes_to")
_GENERIC_WORDS = {"id", "date", "time", "day", "days", "count", "number", "num", "total",
                  "value", "amount", "flag", "is", "has", "the", "of", "per", "rate"}


@dataclass
class Suspect:
    """Columns the screen names, why, and the evidence in words."""

    columns: list[str]
    reason: str  # alone | one_class | together | too_good | named_after | named_like_target
    evidence: str
    round: int = 1
    cleared: dict[str, str] = field(default_factory=dict)  # column -> a person's reason


@dataclass
class LeakScreen:
    """What the screen tried, round by round, and what it found."""

    suspects: list[Suspect]
    cleared: list[Suspect]
    rounds: list[dict[str, Any]]
    screen_score: float | None = None  # the screening model's score on training folds

    def to_dict(self) -> dict[str, Any]:
        """Return the screen as ``metrics.json`` keeps it."""
        return {"suspects": [asdict(s) for s in self.suspects],
                "cleared": [asdict(s) for s in self.cleared], "rounds": self.rounds,
                "screen_score": self.screen_score}

    @property
    def columns(self) -> list[str]:
        """Return every column a suspect names, once each."""
        return list(dict.fromkeys(c for s in self.suspects for c in s.columns))


def screen_leaks(x: pd.DataFrame, y: np.ndarray, task: str, *, numeric: list[str],
                 preprocessor: Callable[[list[str]], Any], target_name: str,
                 not_leaks: dict[str, str], seed: int = 0, ordered: bool = False,
                 progress: Callable[[str], None] = lambda message: None) -> LeakScreen:
    """Screen the training rows for leaks, in rounds (see the module's text).

    Args:
        x: the training rows' feature columns (in time order when ``ordered``).
        y: the target's values on those rows.
        task: binary, multiclass or regression.
        numeric: which columns hold numbers (for the formula screen).
        preprocessor: returns a fresh preprocessor for a list of columns.
        target_name: the target column's name (a column named like it is suspicious).
        not_leaks: columns a person cleared, with the reason.
        seed: the seed of the samples and folds.
        ordered: the rows are in time order: folds train on earlier rows.
        progress: called with a sentence before each round.
    """
    from threadpoolctl import threadpool_limits

    # The screening models fit a few thousand rows: threads buy nothing there, and on a
    # busy machine OpenMP's waiting threads can make each fit a hundred times slower.
    with threadpool_limits(1, user_api="openmp"):
        return _screen(x, y, task, numeric=numeric, preprocessor=preprocessor,
                       target_name=target_name, not_leaks=not_leaks, seed=seed,
                       ordered=ordered, progress=progress)


def _screen(x: pd.DataFrame, y: np.ndarray, task: str, *, numeric: list[str],
            preprocessor: Callable[[list[str]], Any], target_name: str,
            not_leaks: dict[str, str], seed: int, ordered: bool,
            progress: Callable[[str], None]) -> LeakScreen:
    rows = _sample(len(x), SINGLE_ROWS, seed, ordered)
    x_single, y_single = x.iloc[rows], y[rows]
    rows = _sample(len(x), SCREEN_ROWS, seed, ordered)
    x_model, y_model = x.iloc[rows], y[rows]
    found: list[Suspect] = []
    rounds: list[dict[str, Any]] = []
    set_aside: list[str] = []
    screen_score = None
    for number in range(1, MAX_ROUNDS + 1):
        columns = [c for c in x.columns if c not in set_aside]
        if not columns:
            break
        progress(f"Screening {len(columns)} columns for leaks (round {number})")
        suspects, score = _round(x_single[columns], y_single, x_model[columns], y_model, task,
                                 [c for c in numeric if c in columns], preprocessor,
                                 target_name, seed, ordered)
        if number == 1:
            screen_score = score
        for suspect in suspects:
            suspect.round = number
        rounds.append({"round": number, "columns": len(columns), "screen_score": score,
                       "set_aside_before": list(set_aside),
                       "named": [c for s in suspects for c in s.columns]})
        found += suspects
        new = [c for s in suspects for c in s.columns if c not in set_aside]
        if not new:
            break
        set_aside += new
    suspects, cleared = [], []
    for suspect in found:
        suspect.cleared = {c: not_leaks[c] for c in suspect.columns if c in not_leaks}
        left = [c for c in suspect.columns if c not in not_leaks]
        if left:
            suspects.append(suspect)
        else:
            cleared.append(suspect)
    return LeakScreen(suspects, cleared, rounds, screen_score)


def _sample(size: int, limit: int, seed: int, ordered: bool) -> np.ndarray:
    if size <= limit:
        return np.arange(size)
    if ordered:
        return np.arange(size - limit, size)
    return np.sort(np.random.default_rng(seed).choice(size, limit, replace=False))


def _round(x_single: pd.DataFrame, y_single: np.ndarray, x: pd.DataFrame, y: np.ndarray,
           task: str, numeric: list[str], preprocessor: Callable[[list[str]], Any],
           target_name: str, seed: int, ordered: bool) -> tuple[list[Suspect], float | None]:
    """Return one round's suspects and the screening model's score on training folds."""
    suspects = _alone(x_single, y_single, task, seed)
    named = {c for s in suspects for c in s.columns}
    together = _together(x_single, y_single, task,
                         [c for c in numeric if c not in named], seed)
    if together is not None:
        suspects.append(together)
        named |= set(together.columns)
    score, carried = _carried(x, y, task, preprocessor, target_name, seed, ordered, named)
    return suspects + carried, score


# --- alone ----------------------------------------------------------------------------------


def _alone(x: pd.DataFrame, y: np.ndarray, task: str, seed: int) -> list[Suspect]:
    """Return columns that alone give the answer away, or are filled for one class."""
    import pandas as pd

    from mvpgen.data.quality import filled_for_one_class, single_column_score

    target = pd.Series(y, index=x.index)
    out = []
    for column in x.columns:
        values = x[column]
        if task != "regression":
            owner = filled_for_one_class(values, target)
            if owner is not None:
                share = values.notna().mean()
                out.append(Suspect([column], "one_class", f"{quoted(column)} is filled in "
                                   f"{share:.0%} of the rows, nearly all of class {owner!r}"))
                continue
        score = single_column_score(values, target, task, seed=seed)
        if task == "regression":
            score = max(score or 0.0, _raw_r2(values, target))
        bar = ALONE_QUANTITY if task == "regression" else ALONE_CLASSES
        if score is not None and score >= bar:
            what = "R²" if task == "regression" else "balanced accuracy"
            out.append(Suspect([column], "alone", f"{quoted(column)} alone predicts the target "
                               f"with {what} {score:.3f} on rows it was not fitted on"))
    return out


def _raw_r2(values: pd.Series, target: pd.Series) -> float:
    """Return the R² of a straight line through one numeric column (0 if not numeric)."""
    import pandas as pd

    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return 0.0
    both = pd.DataFrame({"x": values.astype(float), "y": target.astype(float)}).dropna()
    if len(both) < 30 or both["x"].std() == 0 or both["y"].std() == 0:
        return 0.0
    return float(np.corrcoef(both["x"], both["y"])[0, 1] ** 2)


# --- together -------------------------------------------------------------------------------


def _together(x: pd.DataFrame, y: np.ndarray, task: str, numeric: list[str],
              seed: int) -> Suspect | None:
    """Return a few numeric columns that rebuild the target with a linear formula.

    Forward selection over the strongest columns: each step adds the column that most
    improves a linear model scored on the half of the rows it was not fitted on.
    """
    if len(numeric) < 2 or len(x) < 60 or task == "multiclass":
        return None  # a formula rebuilds a quantity, or a yes/no cut of one
    from mvpgen.data.screening import strongest

    if len(x) > FORMULA_ROWS:  # a formula shows on a few thousand rows
        keep = np.random.default_rng(seed).choice(len(x), FORMULA_ROWS, replace=False)
        x, y = x.iloc[np.sort(keep)], y[np.sort(keep)]
    pool = strongest(x, y, numeric, task, POOL)
    matrix = x[pool].astype(float)
    matrix = matrix.fillna(matrix.median()).fillna(0.0).to_numpy()
    half = np.random.default_rng(seed).random(len(x)) < 0.5
    chosen: list[int] = []
    best = -np.inf
    for _ in range(MAX_PARTS):
        scores = {i: _linear_score(matrix[:, [*chosen, i]], y, task, half)
                  for i in range(len(pool)) if i not in chosen}
        if not scores:
            break
        pick = max(scores, key=lambda i: scores[i])
        if scores[pick] <= best + 1e-4:
            break
        chosen.append(pick)
        best = scores[pick]
        if best >= TOGETHER:
            break
    if best < TOGETHER or len(chosen) < 2:
        return None
    alone = max(_linear_score(matrix[:, [i]], y, task, half) for i in chosen)
    names = [pool[i] for i in chosen]
    what = "R²" if task == "regression" else "balanced accuracy"
    return Suspect(names, "together", f"{listing(names)} together rebuild the target with a "
                   f"linear formula ({what} {best:.3f} on rows it was not fitted on; the "
                   f"best of them alone {alone:.3f})")


def _linear_score(matrix: np.ndarray, y: np.ndarray, task: str, half: np.ndarray) -> float:
    """Return the held-out score of a linear model, fitted on each half in turn."""
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from mvpgen.metrics import METRICS, Predictions

    values = []
    for fit in (half, ~half):
        test = ~fit
        if task == "regression":
            model = LinearRegression().fit(matrix[fit], y[fit].astype(float))
            truth = y[test].astype(float)
            values.append(METRICS["r2"].fast(Predictions(truth, model.predict(matrix[test]))))
        else:
            labels = np.asarray(y).astype(str)
            if len(np.unique(labels[fit])) < 2:
                return -np.inf
            scaler = StandardScaler().fit(matrix[fit])
            # Newton steps: a few columns converge in a handful of them (lbfgs took 6x as long).
            model = LogisticRegression(max_iter=500, C=100.0, solver="newton-cholesky").fit(
                scaler.transform(matrix[fit]), labels[fit])
            predicted = model.predict(scaler.transform(matrix[test]))
            values.append(METRICS["balanced_accuracy"].fast(Predictions(labels[test],
                                                                        predicted)))
    finite = [v for v in values if np.isfinite(v)]
    return float(np.mean(finite)) if finite else -np.inf


# --- carried by a screening model ------------------------------------------------------------


def _carried(x: pd.DataFrame, y: np.ndarray, task: str,
             preprocessor: Callable[[list[str]], Any], target_name: str, seed: int,
             ordered: bool, named: set[str]) -> tuple[float | None, list[Suspect]]:
    """Return the screening model's score, and the columns carrying a suspicious score.

    The screening model is a flexible one (gradient boosting), so a leak a linear model
    would miss still shows. Columns are ranked by permutation on the folds' held-out
    rows; the strongest are then dropped and the model refitted on the folds, which
    measures what each column carries, alone or through the others.
    """
    columns = list(x.columns)
    folds = _folds(len(x), y, task, seed, ordered)
    if len(columns) == 0 or not folds:
        return None, []
    full = _cv_score(x, y, task, preprocessor, columns, folds, seed)
    if full is None:
        return None, []
    trivial = 0.0 if task == "regression" else 0.5
    ranked = _permutation_ranking(x, y, task, preprocessor, columns, folds, seed)
    out: list[Suspect] = []
    what = _score_words(task)
    if full >= TOO_GOOD[task]:
        # Drop the strongest columns one by one until the score is believable again.
        dropped: list[str] = []
        score = full
        for column in ranked[:MAX_PARTS]:
            dropped.append(column)
            kept = [c for c in columns if c not in dropped]
            score = _cv_score(x, y, task, preprocessor, kept, folds, seed) if kept else trivial
            if score is None or score < TOO_GOOD[task] - 0.02:
                break
        family = _family(dropped, columns)
        if family and score is not None:
            kept = [c for c in columns if c not in dropped and c not in family]
            without = _cv_score(x, y, task, preprocessor, kept, folds, seed) if kept else trivial
            # Columns numbered like the named ones (votes_1..votes_5) often carry the
            # rest of the same leak: they join when setting them aside too costs much.
            if without is not None and score - without >= FAMILY_DROP:
                dropped += family
                score = without
        fresh = [c for c in dropped if c not in named]
        if fresh:
            shown = trivial if score is None else score
            out.append(Suspect(fresh, "too_good", f"a flexible screening model scores "
                               f"{what} {full:.3f} on training folds, too good for a business "
                               f"problem; without {listing(dropped)} it scores {shown:.3f}"))
            named |= set(fresh)
    gain = full - trivial
    for column in ranked[:3]:
        hint = _name_hint(column, target_name)
        if hint is None or column in named or gain <= 0.05:
            continue
        kept = [c for c in columns if c != column]
        without = _cv_score(x, y, task, preprocessor, kept, folds, seed) if kept else trivial
        without = trivial if without is None else without
        share = (full - without) / gain
        if share >= NAMED_SHARE:
            out.append(Suspect([column], hint, f"{quoted(column)} is named like "
                               + ("something known only afterwards" if hint == "named_after"
                                  else f"the target {quoted(target_name)}")
                               + f", and carries {share:.0%} of what the screening model "
                               f"learns ({what} {full:.3f} with it, {without:.3f} without): "
                               "is it known when the prediction is made?"))
            named.add(column)
    return full, out


def _family(named: list[str], columns: list[str]) -> list[str]:
    """Return the other columns named like the named ones but for their numbers."""
    keys = {re.sub(r"\d+", "#", c) for c in named if re.search(r"\d", c)}
    return [c for c in columns if c not in named and re.sub(r"\d+", "#", c) in keys]


def _folds(size: int, y: np.ndarray, task: str, seed: int,
           ordered: bool) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import KFold, StratifiedKFold, TimeSeriesSplit

    if size < 60:
        return []
    index = np.zeros(size)
    if ordered:
        return list(TimeSeriesSplit(3).split(index))[1:]  # the last two: enough history
    labels = np.asarray(y).astype(str)
    if task != "regression" and np.unique(labels, return_counts=True)[1].min() >= 2:
        return list(StratifiedKFold(2, shuffle=True, random_state=seed).split(index, labels))
    return list(KFold(2, shuffle=True, random_state=seed).split(index))


def _screening_model(task: str, preprocessor: Callable[[list[str]], Any], columns: list[str],
                     seed: int) -> Any:
    from sklearn.ensemble import (
        ExtraTreesClassifier,
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
    )
    from sklearn.pipeline import make_pipeline

    options = {"max_iter": 40, "learning_rate": 0.2, "early_stopping": False,
               "random_state": seed}
    if task == "multiclass":
        # Boosting fits a tree per class and round; a forest's cost does not grow with
        # the number of classes.
        model: Any = ExtraTreesClassifier(n_estimators=80, min_samples_leaf=2,
                                          random_state=seed)
    elif task == "regression":
        model = HistGradientBoostingRegressor(**options)
    else:
        model = HistGradientBoostingClassifier(**options)
    return make_pipeline(preprocessor(columns), model)


def _fold_score(model: Any, x: pd.DataFrame, y: np.ndarray, task: str) -> float:
    from mvpgen.metrics import METRICS, Predictions

    if task == "regression":
        return METRICS["r2"].fast(Predictions(y.astype(float), model.predict(x)))
    labels = np.asarray(y).astype(str)
    classes = [str(c) for c in model.classes_]
    proba = model.predict_proba(x)
    if task == "binary" and len(classes) == 2:
        positive = labels == classes[1]
        return METRICS["roc_auc"].fast(Predictions(positive, proba[:, 1] >= 0.5, proba[:, 1]))
    predicted = np.asarray(classes, dtype=object)[proba.argmax(axis=1)]
    return METRICS["balanced_accuracy"].fast(Predictions(labels, predicted))


def _cv_score(x: pd.DataFrame, y: np.ndarray, task: str,
              preprocessor: Callable[[list[str]], Any], columns: list[str],
              folds: list[tuple[np.ndarray, np.ndarray]], seed: int) -> float | None:
    values = []
    for fit, test in folds:
        if task != "regression" and len(np.unique(np.asarray(y[fit]).astype(str))) < 2:
            continue
        model = _screening_model(task, preprocessor, columns, seed)
        model.fit(x.iloc[fit][columns], _fit_target(y[fit], task))
        values.append(_fold_score(model, x.iloc[test][columns], y[test], task))
    values = [v for v in values if np.isfinite(v)]
    return float(np.mean(values)) if values else None


def _permutation_ranking(x: pd.DataFrame, y: np.ndarray, task: str,
                         preprocessor: Callable[[list[str]], Any], columns: list[str],
                         folds: list[tuple[np.ndarray, np.ndarray]], seed: int) -> list[str]:
    """Return the columns, the one whose shuffling costs the held-out score most first.

    With many columns, only the strongest by a quick screen are shuffled (the others
    follow in their order): a column that carries a suspicious score is among them.
    """
    rng = np.random.default_rng(seed)
    drops = dict.fromkeys(columns, -np.inf)
    shuffled_columns = columns
    if len(columns) > MAX_SHUFFLED:
        from mvpgen.data.screening import strongest

        shuffled_columns = strongest(x, np.asarray(y), columns, task, MAX_SHUFFLED)
    fit, test = folds[-1]
    model = _screening_model(task, preprocessor, columns, seed)
    model.fit(x.iloc[fit], _fit_target(y[fit], task))
    held = x.iloc[test]
    base = _fold_score(model, held, y[test], task)
    for column in shuffled_columns:
        shuffled = held.copy()
        shuffled[column] = held[column].to_numpy()[rng.permutation(len(held))]
        drops[column] = base - _fold_score(model, shuffled, y[test], task)
    return sorted(columns, key=lambda c: -drops[c])


def _fit_target(y: np.ndarray, task: str) -> np.ndarray:
    return np.asarray(y, dtype=float) if task == "regression" else np.asarray(y).astype(str)


def _score_words(task: str) -> str:
    return {"binary": "ROC AUC", "multiclass": "balanced accuracy", "regression": "R²"}[task]


def _name_hint(column: str, target_name: str) -> str | None:
    """Return why a column's name is suspicious, or None."""
    words = _words(column)
    text = "_".join(words)
    if any(w.startswith(after) for w in words for after in _AFTER_WORDS) or \
            any(text.startswith(p) or f"_{p}" in text for p in _AFTER_PREFIXES):
        return "named_after"
    shared = (set(words) & set(_words(target_name))) - _GENERIC_WORDS
    if any(len(w) >= 3 for w in shared):
        return "named_like_target"
    return None


def _words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", str(name))
    return [w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w]


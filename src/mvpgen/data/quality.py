"""The data-quality summary: what is wrong with the data, before any model is fitted.

Written to ``reports/data_quality.json`` with stable keys; the baseline, the checklist
and ``mvpgen status`` read it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mvpgen.data.columns import ColumnInfo, describe_columns

if TYPE_CHECKING:
    import pandas as pd

    from mvpgen.data.read import Dataset
    from mvpgen.mapping.schema import Mapping

SCHEMA_VERSION = 1
NEAR_CONSTANT_SHARE = 0.99  # one value in at least this share of the rows
MOSTLY_MISSING_SHARE = 0.3
IMBALANCED_SHARE = 0.1  # a class rarer than this makes accuracy misleading
SMALL_DATA_ROWS = 500
LEAK_SCORE = 0.98  # a single column scoring this alone is too good to be true
LEAK_SAMPLE_ROWS = 20_000
LEAK_BINS = 20  # a rule on one column: "if tenure is in this range, then ..."
# With more columns than this, only those a quick screen finds strongest are scored: a
# leak explains nearly all of the target, so it always passes the screen.
LEAK_SCREEN_COLUMNS = 50


def data_quality(dataset: Dataset, mapping: Mapping, *, task: str, seed: int = 0,
                 infos: list[ColumnInfo] | None = None, leaks: bool = True) -> dict[str, Any]:
    """Summarise the data's quality for the mapping's target and task.

    Column statistics cover the rows with a target; rows without one are counted.

    Args:
        dataset: the data.
        mapping: the project's mapping.
        task: the task, declared or inferred.
        seed: the seed of the samples the leakage check uses.
        infos: the columns' roles, when the caller has them already.
        leaks: screen single columns for leaks (the baseline has a screen of its own).

    Returns:
        The summary, ready for JSON.
    """
    frame, target = dataset.frame, dataset.target
    if infos is None:
        group = [mapping.data.group_column] if mapping.data.group_column else []
        infos = describe_columns(frame, id_columns=(*dataset.id_columns, *group),
                                 time_column=mapping.data.time_column)
    by_role: dict[str, list[str]] = {}
    for info in infos:
        if info.name != target:
            by_role.setdefault(info.role, []).append(info.name)
    features = [i for i in infos if i.name != target and i.name not in dataset.id_columns]
    summary: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "rows": len(frame) + dataset.rows_without_target,
        "rows_with_target": len(frame),
        "rows_without_target": dataset.rows_without_target,
        "columns": len(frame.columns),
        "column_info": {i.name: _column_entry(i) for i in infos},
        "constant_columns": by_role.get("constant", []),
        "near_constant_columns": [i.name for i in features if i.role not in ("constant", "id")
                                  and i.top_share >= NEAR_CONSTANT_SHARE],
        "mostly_missing_columns": [i.name for i in features if i.role != "constant"
                                   and _missing(i, dataset) >= MOSTLY_MISSING_SHARE],
        "duplicate_rows": _unexpected_duplicates(frame, infos),
        "id_like_columns": by_role.get("id", []),
        "high_cardinality_text_columns": by_role.get("text", []),
        "datetime_columns": {name: _date_range(frame[name])
                             for name in by_role.get("datetime", [])},
        "target": {"name": target, "task": task, "balance": _balance(frame[target], task)},
        "leakage_suspects": (leakage_suspects(frame, target, task, features, seed=seed)
                             if leaks else []),
        # What was read, so the summary can be matched to the extract mvp.yaml recorded.
        "fingerprint": dataset.fingerprint,
    }
    if dataset.population is not None:
        _over_every_row(summary, dataset.population, task)
    summary["issues"] = [{"code": "encoding", "message": note, "columns": []}
                         for note in dataset.notes] + rank_issues(summary, mapping)
    return summary


def _over_every_row(summary: dict[str, Any], population: Any, task: str) -> None:
    """Put in the figures counted over every row where the rows loaded are a sample.

    The rows, each column's missing values and the target's balance are the whole
    table's; the rest describes the rows loaded, and ``coverage`` says so.
    """
    summary["rows"] = population.rows
    summary["rows_with_target"] = population.rows_with_target
    summary["rows_without_target"] = population.rows - population.rows_with_target
    for name, entry in summary["column_info"].items():
        if name in population.missing:
            entry["missing_share"] = round(population.missing[name], 4)
    if task != "regression" and population.classes:
        summary["target"]["balance"] = {"classes": {
            label: round(n / population.rows_with_target, 4)
            for label, n in population.classes.items()}}
    elif task == "regression" and population.spread:
        summary["target"]["balance"] = dict(population.spread)
    summary["coverage"] = [population.counted_note(), population.loaded_note(
        "the duplicates, the date ranges and the leak screen")]


def _missing(info: ColumnInfo, dataset: Dataset) -> float:
    """Return a column's share of missing values: over every row when counted there."""
    counted = dataset.population.missing if dataset.population is not None else {}
    return counted.get(info.name, info.missing_share)


def _unexpected_duplicates(frame: pd.DataFrame, infos: list[ColumnInfo]) -> int:
    """Count repeated rows, or 0 where so few distinct rows exist that repeats are expected."""
    import math

    possible = math.prod(max(i.unique, 1) + (i.missing_share > 0) for i in infos)
    if possible < 10 * len(frame):
        return 0  # e.g. three yes/no columns: most rows must repeat another
    return int(frame.duplicated().sum())


def _column_entry(info: ColumnInfo) -> dict[str, Any]:
    return {"role": info.role, "dtype": info.dtype,
            "missing_share": round(info.missing_share, 4), "unique": info.unique}


def _date_range(series: pd.Series) -> dict[str, str | None]:
    values = series.dropna()
    if values.empty:
        return {"min": None, "max": None}
    return {"min": values.min().isoformat(), "max": values.max().isoformat()}


def _balance(series: pd.Series, task: str) -> dict[str, Any]:
    if task == "regression":
        numbers = series.astype(float)
        return {key: round(float(getattr(numbers, key)()), 6)
                for key in ("mean", "std", "min", "median", "max")}
    from mvpgen.data.target import python_values

    shares = series.value_counts(normalize=True)
    labels = python_values(shares.index)  # 1, not 1.0, for a 0/1 column with gaps
    return {"classes": {str(label): round(float(share), 4)
                        for label, share in zip(labels, shares, strict=True)}}


# --- leakage -------------------------------------------------------------------------------


def leakage_suspects(frame: pd.DataFrame, target: str, task: str, features: list[ColumnInfo],
                     *, seed: int = 0) -> list[dict[str, Any]]:
    """Find columns that give the answer away.

    Two signs: a column that alone predicts the target almost perfectly (cross-validated,
    so a memorised identifier does not count), and, for classes, a column that is filled
    only in rows of one class (a cancellation reason is filled only for churners).

    Returns:
        One entry per suspect column: its name, the reason, and the evidence.
    """
    from mvpgen.data.screening import strongest

    sample = frame.sample(n=min(len(frame), LEAK_SAMPLE_ROWS), random_state=seed)
    y = sample[target]
    candidates = [info for info in features if info.role not in ("constant", "id")]
    to_score = set(strongest(sample, y.to_numpy(), [info.name for info in candidates], task,
                             LEAK_SCREEN_COLUMNS))
    suspects = []
    for info in candidates:
        column = sample[info.name]
        if task != "regression":
            owner = filled_for_one_class(column, y)
            if owner is not None:
                suspects.append({"column": info.name, "reason": "filled_for_one_class",
                                 "class": str(owner)})
                continue
        if info.name not in to_score:
            continue
        score = single_column_score(column, y, task, seed=seed)
        if score is not None and score >= LEAK_SCORE:
            suspects.append({"column": info.name, "reason": "predicts_target_alone",
                             "score": round(score, 4)})
    return suspects


def filled_for_one_class(column: pd.Series, y: pd.Series) -> Any:
    """Return the class a partly filled column is filled for, if it is one class only.

    Chance alone fills ``n`` rows with the same class with probability ``share ** n``;
    below one in a thousand, the pattern is no coincidence.
    """
    import math

    filled = column.notna()
    if not 0.01 <= filled.mean() <= 0.99:
        return None
    classes = y[filled].value_counts(normalize=True)
    owner, owner_share = classes.index[0], classes.iloc[0]
    base = float((y == owner).mean())
    if owner_share < 0.99 or base > 0.9:
        return None
    return owner if filled.sum() * math.log(base) < math.log(0.001) else None


def single_column_score(column: pd.Series, y: pd.Series, task: str, *,
                        seed: int = 0) -> float | None:
    """Return how well one column alone predicts the target, on rows it has not seen.

    The column becomes bins: its categories, or quantiles of its numbers and dates,
    with any value that fills a bin's share of rows on its own (such as a block of
    zeros) in a bin of its own, and missing values in another. Each bin predicts the
    target seen most in it in one random half of the rows, scored on the other half
    and the other way round: balanced accuracy for classes; for quantities, R² of the
    target's ranks, so a heavy tail cannot hide a copy of the target. An identifier
    memorised this way scores like guessing. None when there are too few rows.
    """
    import numpy as np

    if len(y) < 30 or (task != "regression" and y.value_counts().min() < 3):
        return None
    bins = _bins(column).to_numpy()
    if task == "regression":
        target = y.astype(float).rank(pct=True).to_numpy()
    else:
        target = y.astype(str).astype("category").cat.codes.to_numpy()
    half = np.random.default_rng(seed).random(len(y)) < 0.5
    scores = [_binned_score(bins[fit], target[fit], bins[~fit], target[~fit], task)
              for fit in (half, ~half)]
    return float(np.mean(scores))


def _bins(column: pd.Series) -> pd.Series:
    """Return a bin number per row; missing values get -1."""
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(column):
        column = pd.Series(column.array.asi8, index=column.index).where(column.notna())
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    if not numeric or column.nunique() <= LEAK_BINS:
        return column.astype("category").cat.codes
    shares = column.value_counts(normalize=True)
    heavy = shares.index[shares >= 1 / LEAK_BINS]
    light = column.where(~column.isin(heavy))
    codes = pd.Series(-1, index=column.index)
    if light.notna().any():
        codes = pd.qcut(light, LEAK_BINS, labels=False, duplicates="drop").fillna(-1)
    for offset, value in enumerate(heavy, start=LEAK_BINS):
        codes[column == value] = offset
    return codes.astype(int)


def _binned_score(fit_bins: Any, fit_y: Any, test_bins: Any, test_y: Any, task: str) -> float:
    import numpy as np
    import pandas as pd

    if task == "regression":
        rule = pd.Series(fit_y).groupby(fit_bins).mean()
        predicted = pd.Series(test_bins).map(rule).fillna(float(np.mean(fit_y))).to_numpy()
        total = ((test_y - test_y.mean()) ** 2).sum()
        return float(1 - ((test_y - predicted) ** 2).sum() / total) if total else 0.0
    counts = pd.crosstab(fit_bins, fit_y)  # bins × classes, counted at once
    rule = pd.Series(counts.columns[counts.to_numpy().argmax(axis=1)], index=counts.index)
    majority = int(pd.Series(fit_y).mode()[0])
    predicted = pd.Series(test_bins).map(rule).fillna(majority).to_numpy()
    recalls = [np.mean(predicted[test_y == label] == label) for label in np.unique(test_y)]
    return float(np.mean(recalls))


# --- issues, most important first -----------------------------------------------------------


def rank_issues(summary: dict[str, Any], mapping: Mapping) -> list[dict[str, Any]]:
    """Return the data issues found, the most important first.

    Each issue has a stable ``code``, a sentence for people and the ``columns`` concerned.
    """
    issues: list[tuple[int, dict[str, Any]]] = []

    def add(weight: int, code: str, message: str, columns: list[str] | None = None) -> None:
        issues.append((weight, {"code": code, "message": message, "columns": columns or []}))

    for suspect in summary["leakage_suspects"]:
        why = (f"is filled only for class {suspect['class']!r}"
               if suspect["reason"] == "filled_for_one_class"
               else f"alone scores {suspect['score']:.2f}")
        add(100, "leakage_suspect", f"'{suspect['column']}' {why}: it may give the answer "
            "away; drop it unless it is known before the prediction is made",
            [suspect["column"]])
    changed = data_changed(summary.get("fingerprint"), mapping.data.sha256,
                           rows=summary["rows"], recorded_rows=mapping.data.rows)
    if changed:
        add(95, "data_changed", changed)
    rows = summary["rows_with_target"]
    if rows < SMALL_DATA_ROWS:
        add(90, "small_data", f"only {_rows(rows, 'has', 'have')} a target; estimates will "
            "be rough")
    balance = summary["target"]["balance"].get("classes")
    if balance:
        rare, share = min(balance.items(), key=lambda item: item[1])
        if share < IMBALANCED_SHARE:
            add(80, "imbalanced_target", f"class {rare!r} is only {share:.1%} of the rows; "
                "accuracy would flatter a model that never predicts it")
    if summary["rows_without_target"]:
        missing = summary["rows_without_target"]
        add(70, "missing_target", f"{_rows(missing, 'has', 'have')} no target and "
            f"{'is' if missing == 1 else 'are'} set aside; label them to use them")
    declared = {*mapping.data.id_columns, mapping.data.group_column}
    ids = [c for c in summary["id_like_columns"] if c not in declared]
    if ids:
        add(60, "id_like_columns", f"{_names(ids, 'looks', 'look')} like identifiers; "
            "declare them in data.id_columns so they are never used as features", ids)
    empty = summary["mostly_missing_columns"]
    if empty:
        add(50, "mostly_missing", f"{_names(empty, 'is', 'are')} at least "
            f"{MOSTLY_MISSING_SHARE:.0%} empty", empty)
    if summary["duplicate_rows"]:
        add(45, "duplicate_rows", f"{_rows(summary['duplicate_rows'], 'repeats', 'repeat')} "
            "an earlier row exactly; copies can leak between training and test")
    useless = summary["constant_columns"] + summary["near_constant_columns"]
    if useless:
        add(40, "constant_columns", f"{_names(useless, 'holds', 'hold')} (almost) one value",
            useless)
    text = summary["high_cardinality_text_columns"]
    if text:
        add(30, "high_cardinality_text", f"{_names(text, 'holds', 'hold')} free text with "
            "many distinct values; the baseline drops or encodes them", text)
    dates = list(summary["datetime_columns"])
    if dates and not mapping.data.time_column:
        add(20, "random_split_with_time", f"{_names(dates, 'holds', 'hold')} dates but no "
            "time_column is set: a random split may test on the past with the future", dates)
    return [issue for _, issue in sorted(issues, key=lambda item: -item[0])]


def data_changed(fingerprint: str | None, recorded: str | None, *, rows: int | None,
                 recorded_rows: int | None) -> str | None:
    """Return the sentence saying the data read is not the extract mvp.yaml recorded, if so.

    The EDA summary and the baseline's warnings say it in the same words, so a reader
    finds the same fix in both.
    """
    if not fingerprint or not recorded or fingerprint == recorded:
        return None
    counts = (f", {rows:,} rows instead of {recorded_rows:,}"
              if rows is not None and recorded_rows not in (None, rows) else "")
    return (f"the data is not the file mvp.yaml recorded: fingerprint {fingerprint[:12]}… "
            f"instead of {recorded[:12]}…{counts}; if the new extract is meant, record it "
            "with `mvpgen check --record`")


def dataset_changed(dataset: Any, mapping: Mapping) -> str | None:
    """Return :func:`data_changed`'s sentence for a dataset a step has just read, if any."""
    rows = (None if dataset.population is not None
            else len(dataset.frame) + len(dataset.unlabelled))
    return data_changed(dataset.fingerprint, mapping.data.sha256, rows=rows,
                        recorded_rows=mapping.data.rows)


def _rows(count: int, one: str, many: str) -> str:
    """Return ``1 row is`` or ``3 rows are``: a count with its noun and verb agreeing."""
    return f"{count:,} row {one}" if count == 1 else f"{count:,} rows {many}"


def _names(columns: list[str], one: str, many: str, limit: int = 5) -> str:
    """Return the quoted column names followed by the verb that agrees with them."""
    shown = ", ".join(f"'{c}'" for c in columns[:limit])
    shown += f" and {len(columns) - limit} more" if len(columns) > limit else ""
    return f"{shown} {one if len(columns) == 1 else many}"


# --- the profile's alerts, each with what it means here ------------------------------------


def explain_alerts(alerts: list[dict[str, Any]], summary: dict[str, Any],
                   mapping: Mapping) -> list[dict[str, Any]]:
    """Say what each of the profiling library's alerts means for this project.

    Args:
        alerts: the library's alerts as plain values: ``type`` (its alert type, in lower
            case), ``column`` (None for the whole table) and ``values`` (its figures).
        summary: the data-quality summary of the same data.
        mapping: the project's mapping.

    Returns:
        One entry per alert, those to act on first: ``type``, ``column``, ``message``
        (what the profile says), ``benign`` and ``note`` (why it is harmless here, or
        what to do).
    """
    explained = []
    for alert in alerts:
        column, kind, values = alert["column"], alert["type"], alert["values"]
        benign, note = _alert_note(kind, column, values, summary, mapping)
        explained.append({"type": kind, "column": column,
                          "message": _alert_message(kind, column, values),
                          "benign": benign, "note": note})
    return sorted(explained, key=lambda entry: entry["benign"])  # stable: profile order kept


def _alert_message(kind: str, column: str | None, values: dict[str, Any]) -> str:
    """Return the alert in words, with the profile's own figures, on one line."""
    name = f"'{' '.join(column.split())}'" if column is not None else "the table"

    def count(key: str) -> str:
        return f"{values.get('n_' + key, 0):,} ({values.get('p_' + key, 0):.1%})"

    sentences = {
        "missing": f"{name} has {count('missing')} missing values",
        "zeros": f"{name} has {count('zeros')} zeros",
        "infinite": f"{name} has {count('infinite')} infinite values",
        "unique": f"{name} has unique values",
        "constant": f"{name} has a constant value",
        "high_cardinality": f"{name} has a high cardinality: {values.get('n_distinct', 0):,} "
                            "distinct values",
        "imbalance": f"{name} is highly imbalanced ({values.get('imbalance', 0):.1%})",
        "skewed": f"{name} is highly skewed (γ1 = {values.get('skewness', 0):.1f})",
        "uniform": f"{name} is uniformly distributed",
        "duplicates": f"the table has {count('duplicates')} duplicate rows",
        "high_correlation": f"{name} is highly correlated with "
                            + ", ".join(f"'{' '.join(f.split())}'"
                                        for f in values.get("fields", [])),
        "constant_length": f"{name} has a constant length",
        "type_date": f"{name} holds dates as text",
        "unsupported": f"{name} has values of a type the profile cannot summarise",
        "dirty_category": f"{name} has categories that differ only in spelling",
        "empty": "the table is empty",
    }
    return sentences.get(kind, f"{name}: {kind.replace('_', ' ')}")


def _alert_note(kind: str, column: str | None, values: dict[str, Any],
                summary: dict[str, Any], mapping: Mapping) -> tuple[bool, str]:
    """Return whether the alert is harmless here, and why (or what to do)."""
    entry = summary["column_info"].get(column, {}) if column is not None else {}
    role = entry.get("role")
    target = summary["target"]["name"]
    declared = {*mapping.data.id_columns, mapping.data.group_column}
    if kind in ("unique", "high_cardinality", "constant_length", "uniform") and role == "id":
        if column in declared:
            return True, "expected of an identifier; it is declared, so never a feature"
        return False, ("it looks like an identifier: declare it in data.id_columns so it is "
                       "never a feature")
    if column == target:
        return _target_note(kind, summary, mapping)
    if role in ("id", "text", "constant") and kind != "high_correlation":
        reason = {"id": "an identifier", "text": "free text",
                  "constant": "one value in every row"}[role]
        return True, f"the baseline does not use this column as a feature ({reason})"
    notes: dict[str, tuple[bool, str]] = {
        "missing": _missing_note(column, role, summary),
        "zeros": (True, "zero is an ordinary value of a count or an amount; check it only if "
                        "the export writes 0 for 'unknown'"),
        "infinite": (True, "the reader treats infinite values as missing"),
        "unique": (True, "numbers and dates may differ in every row; the model bins or "
                         "scales them, it does not memorise them"),
        "constant": (True, "one value in every row: the baseline drops it"),
        "high_cardinality": (True, "rare categories share one '(other)' column in the "
                                   "baseline's encoding"),
        "imbalance": (True, "one value is common; the rarer values still count as features"),
        "skewed": (True, "a long tail; its logarithm in features.py may help a model that "
                         "fits straight lines"),
        "uniform": (True, "evenly spread values carry no warning by themselves"),
        "constant_length": (True, "codes of one length are common"),
        "duplicates": _duplicates_note(summary),
        "high_correlation": _correlation_note(column, values, target),
        "type_date": (False, "convert it to dates (or name it data.time_column) so the "
                             "models see dates, not text"),
        "dirty_category": (False, "merge the spellings in features.py, or fix them at the "
                                  "source"),
        "unsupported": (False, "clean the column or drop it in features.py"),
    }
    return notes.get(kind, (False, "see the report's Alerts tab"))


def _target_note(kind: str, summary: dict[str, Any], mapping: Mapping) -> tuple[bool, str]:
    balance = summary["target"]["balance"].get("classes")
    if kind == "imbalance" and balance:
        shares = ", ".join(f"{label!r} {share:.1%}" for label, share in balance.items())
        if any(issue["code"] == "imbalanced_target" for issue in summary["issues"]):
            return False, (f"the classes are {shares}; accuracy would flatter a model that "
                           "never predicts the rare one")
        return True, (f"the classes are {shares}; the goal is judged by "
                      f"{mapping.technical.metric}, and every model is compared with the "
                      "trivial policies that always predict one class")
    if kind in ("zeros", "skewed", "uniform", "high_cardinality", "unique"):
        return True, "a property of the target itself, shown by the profile as it is"
    return False, "a property of the target: see the report's first variable"


def _missing_note(column: str | None, role: str | None,
                  summary: dict[str, Any]) -> tuple[bool, str]:
    if column in summary["mostly_missing_columns"]:
        return False, (f"at least {MOSTLY_MISSING_SHARE:.0%} empty: ask why, and whether "
                       "being empty itself means something")
    if role == "categorical":
        return True, "missing is a category of its own in the baseline's encoding"
    return True, ("the baseline fills gaps with the median and adds a flag that says the "
                  "value was missing")


def _duplicates_note(summary: dict[str, Any]) -> tuple[bool, str]:
    if summary["duplicate_rows"]:
        return False, "copies can leak between training and test; find out why rows repeat"
    return True, ("expected: the columns allow so few distinct rows that some must repeat "
                  "by chance")


def _correlation_note(column: str | None, values: dict[str, Any],
                      target: str) -> tuple[bool, str]:
    fields = values.get("fields", [])
    if column == target or target in fields:
        return False, ("tied closely to the target: check it is known before the prediction "
                       "is made (a leak?)")
    return True, ("columns that move together are redundant, not wrong; each model "
                  "sees both")

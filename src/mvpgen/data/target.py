"""What the target column's values say: the task and, for binary tasks, the positive class."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

_POSITIVE = {"1", "1.0", "yes", "y", "true", "t", "positive", "pos"}
_NEGATIVE = {"0", "0.0", "no", "n", "false", "f", "negative", "neg"}
# Above this many distinct whole numbers a numeric target is a quantity, not a class.
MAX_CLASSES = 20
# Fewer rows of a class than this cannot be split, fitted and measured.
MIN_CLASS_ROWS = 5


def infer_task(values: Iterable[Any]) -> str | None:
    """Return the task that distinct target ``values`` suggest, or None when constant.

    Two values make a binary task; numbers with fractions, or more than
    ``MAX_CLASSES`` distinct whole numbers, a regression; anything else is multiclass.
    """
    distinct = set(values)
    if len(distinct) < 2:
        return None
    if len(distinct) == 2:
        return "binary"
    numeric = all(is_number(v) for v in distinct)
    if numeric and (len(distinct) > MAX_CLASSES or any(float(v) != int(v) for v in distinct)):
        return "regression"
    return "multiclass"


def is_number(value: Any) -> bool:
    """Return whether a value is a number (True and False are not)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def infer_positive_label(values: Iterable[Any]) -> Any:
    """Return the obvious positive class of two values (1, yes, true, ...), or None."""
    distinct = list(dict.fromkeys(values))
    if len(distinct) != 2:
        return None
    words = [str(v).strip().lower() for v in distinct]
    for i, j in ((0, 1), (1, 0)):
        if words[i] in _POSITIVE and words[j] in _NEGATIVE:
            return distinct[i]
    return None


def find_label(label: Any, values: Iterable[Any]) -> Any:
    """Return the value among ``values`` that ``label`` names (``"1"`` names ``1``), or None."""
    for value in values:
        if value == label or str(value) == str(label):
            return value
    return None


def class_named(label: str, classes: list[Any]) -> Any:
    """Return the class among ``classes`` that a reviewer's ``label`` names, or None.

    Classes are named as reviewers see them: ``1`` names a class read as 1.0, and the
    case does not matter (``Yes`` names ``yes``) unless two classes differ only by it.
    """
    text = label.strip()
    shown = [str(v) for v in python_values(classes)]
    for name, value in zip(shown, classes, strict=True):
        if name == text:
            return value
    folded = {name.casefold(): value for name, value in zip(shown, classes, strict=True)}
    return folded.get(text.casefold())


def python_values(values: Iterable[Any]) -> list[Any]:
    """Return values as plain Python scalars that compare and print as users expect.

    numpy scalars become Python ones, and whole floats become ints: a 0/1 column with
    a gap is read as 0.0/1.0, but its classes are still 0 and 1.
    """
    plain = [v.item() if hasattr(v, "item") else v for v in values]
    if all(isinstance(v, float) and v.is_integer() for v in plain):
        return [int(v) for v in plain]
    return plain


def resolve_task(declared: str | None, values: Iterable[Any]) -> str:
    """Return the declared task, or the one the target's values suggest.

    Raises:
        ValueError: when no task is declared and the values suggest none.
    """
    task = declared or infer_task(values)
    if task is None:
        msg = "the target holds a single value, so no task fits; choose another target"
        raise ValueError(msg)
    return task


def too_few_rows(counts: Iterable[tuple[Any, int]]) -> str | None:
    """Return why some classes are too small to hold rows out and learn from, or None.

    Args:
        counts: each class with its number of rows.
    """
    rare = [(label, count) for label, count in counts if count < MIN_CLASS_ROWS]
    if not rare:
        return None
    shown = ", ".join(f"{label!r} ({count} {'row' if count == 1 else 'rows'})"
                      for label, count in rare[:5])
    more = f" and {len(rare) - 5} more classes" if len(rare) > 5 else ""
    return (f"too few rows of {shown}{more} to hold some out and still learn from the rest; "
            f"each class needs at least {MIN_CLASS_ROWS} rows")


def mixed_kinds(values: Iterable[Any]) -> str | None:
    """Return how a class target mixes numbers and words (1, 0, yes, no), or None."""
    numbers, words = [], []
    for value in values:
        (numbers if is_number(value) or _parses_as_number(value) else words).append(value)
    if not numbers or not words:
        return None
    return (f"mixes numbers ({', '.join(map(repr, numbers[:3]))}) and words "
            f"({', '.join(map(repr, words[:3]))})")


def _parses_as_number(value: Any) -> bool:
    try:
        float(str(value))
    except ValueError:
        return False
    return True


# A declared multiclass target with more distinct values than this is a quantity or an
# identifier. (Inference is stricter: it calls more than 20 whole numbers a quantity.)
MAX_DECLARED_CLASSES = 50


def target_problem(task: str | None, target: str, values: tuple[Any, ...],
                   counts: tuple[int, ...], role: str | None,
                   source: str) -> tuple[str, str, str] | None:
    """Return why a target column cannot be predicted as the task says, or None.

    One check for every place that needs it: ``mvpgen check``, ``mvpgen new`` and each
    step of a project refuse the same targets with the same words.

    Args:
        task: the declared task (None: inferred from the values).
        target: the column's name.
        values: its distinct values (missing ones left out), most common first.
        counts: how many rows hold each value.
        role: the column's role (``id`` and ``text`` cannot be targets).
        source: the data file's name, for the message.

    Returns:
        (field, problem, fix) for the first reason, or None when the target fits.
    """
    if len(values) < 2:
        count = "one value" if values else "no values"
        return ("technical.target", f"column '{target}' has {count} in {source}",
                "a model needs a target that varies; choose another column")
    if role in ("id", "text"):
        return ("technical.target", f"column '{target}' looks like "
                f"{'an identifier' if role == 'id' else 'free text'}, with a different "
                "value in almost every row", "choose the column to predict")
    task = task or infer_task(values)
    mixed = mixed_kinds(values) if task != "regression" else None
    if mixed:
        return ("technical.target", f"column '{target}' {mixed}",
                "write every value the same way (e.g. yes/no), then export again")
    numeric = all(is_number(v) for v in values)
    shown = ", ".join(repr(v) for v in values[:3])
    if task == "binary" and len(values) != 2:
        return ("technical.task", f"binary, but '{target}' has {len(values)} distinct values",
                "set task: multiclass or regression, or choose another target")
    if task == "regression" and not numeric:
        return ("technical.task", f"regression needs a numeric target, but '{target}' "
                f"holds {shown}", "set task: binary or multiclass")
    whole = numeric and all(float(v).is_integer() for v in values)
    if task == "multiclass" and (len(values) > MAX_DECLARED_CLASSES or (numeric and not whole)):
        return ("technical.task", f"multiclass, but '{target}' has {len(values)} distinct "
                "values", "if it is a quantity, set task: regression")
    too_few = None if task == "regression" else too_few_rows(zip(values, counts, strict=True))
    if too_few:
        return ("technical.target", too_few,
                "add rows of those classes, or merge them into a broader class")
    return None

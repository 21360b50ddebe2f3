"""Build typed dataclasses from raw YAML data, reporting every problem at once.

Each problem names the field by its dotted path (``technical.threshold``), says what
is wrong with the value received and, from the field's help text, how to fix it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import math
import types
from dataclasses import dataclass
from typing import Any, Union, get_args, get_origin, get_type_hints


def help_text(text: str) -> dict[str, str]:
    """Return dataclass field metadata that explains the field in problems and prompts."""
    return {"help": text}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a mapping: which field, what is wrong, how to fix it."""

    field: str
    problem: str
    fix: str = ""

    def __str__(self) -> str:
        return f"{self.field}: {self.problem}" + (f" — {self.fix}" if self.fix else "")


def build(cls: type, raw: Any, where: str, problems: list[Problem]) -> Any:
    """Build dataclass ``cls`` from ``raw``, appending a problem for everything wrong.

    Returns:
        The instance, or None when a field could not be built.
    """
    if not isinstance(raw, dict):
        got = describe_value(raw)
        problems.append(Problem(where or "file", f"expected a section of keys, got {got}",
                                f"write '{where}:' followed by indented keys"))
        return None
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = get_type_hints(cls)
    for key in raw:
        if key not in fields:
            known = list(fields)
            problems.append(Problem(_join(where, str(key)), "unknown key",
                                    f"known keys here: {', '.join(known)}"
                                    f"{did_you_mean(str(key), known)}"))
    values: dict[str, Any] = {}
    ok = True
    for name, spec in fields.items():
        path = _join(where, name)
        if name not in raw or raw[name] is None:
            required = (spec.default is dataclasses.MISSING
                        and spec.default_factory is dataclasses.MISSING)
            if required:
                fix = _fix_for(spec) or f"add the '{name}:' section"
                problems.append(Problem(path, "missing", fix))
                ok = False
            continue
        problem = None
        try:
            values[name] = _convert(hints[name], raw[name], path, problems)
        except _Invalid as err:
            problem = Problem(path, str(err), err.fix or _fix_for(spec))
        if problem is not None:
            problems.append(problem)
            ok = False
        elif values[name] is None:
            ok = False  # a nested section reported its own problems
    return cls(**values) if ok else None


class _Invalid(ValueError):
    """A value of the wrong kind; the message says what was received."""

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.fix = fix


def _convert(hint: Any, value: Any, path: str, problems: list[Problem]) -> Any:
    """Return ``value`` as the annotated type; raise _Invalid when it is not one."""
    options = _union_members(hint)
    if options is not None:
        options = [o for o in options if o is not type(None)]
        if len(options) == 1:
            return _convert(options[0], value, path, problems)
        if type(value) in options:  # a scalar union such as str | int | bool
            return value
        names = " or ".join(_type_word(o) for o in options)
        raise _Invalid(f"expected {names}, got {describe_value(value)}")
    if dataclasses.is_dataclass(hint):
        return build(hint, value, path, problems)
    if hint is str:
        if isinstance(value, str) and value.strip():
            return value
        got = "an empty text" if isinstance(value, str) else describe_value(value)
        raise _Invalid(f"expected text, got {got}")
    if hint is float:
        return _number(value)
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise _Invalid(f"expected a whole number, got {describe_value(value)}")
    if hint is dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise _Invalid(f"expected a date, got {describe_value(value)}",
                           "write it as YYYY-MM-DD") from None
    if get_origin(hint) is tuple:
        items = [value] if isinstance(value, str) else value
        if isinstance(items, list) and all(isinstance(i, str) and i for i in items):
            return tuple(items)
        odd = next((i for i in items if not (isinstance(i, str) and i)), None) \
            if isinstance(items, list) else None
        got = (f"a list holding {describe_value(odd)}" if isinstance(items, list)
               else describe_value(value))
        raise _Invalid(f"expected a list of names, got {got}", "write it as [first, second]")
    if get_origin(hint) is dict:
        texts = isinstance(value, dict) and all(
            isinstance(k, str) and k and isinstance(v, str) and v.strip()
            for k, v in value.items())
        if texts:
            return dict(value)
        raise _Invalid(f"expected names each with a reason, got {describe_value(value)}",
                       "write it as {column: why it is known in time}")
    msg = f"no conversion to {hint}"
    raise TypeError(msg)


def _number(value: Any) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise _Invalid(f"expected a number, got {describe_value(value)}")
    try:
        finite = math.isfinite(value)
    except OverflowError:
        finite = False
    if not finite:
        shown = value if isinstance(value, float) else "a number this large"
        raise _Invalid(f"{shown} is not a finite number")
    return value  # an int is a fine float, and 5 stays 5 in mvp.yaml


def _union_members(hint: Any) -> list[Any] | None:
    if get_origin(hint) in (Union, types.UnionType):
        return list(get_args(hint))
    return None


def _fix_for(spec: Any) -> str:
    text = spec.metadata.get("help")
    return f"give {text}" if text else ""


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def did_you_mean(word: str, choices: list[str]) -> str:
    """Return `` (did you mean 'x'?)`` for the closest choice, or an empty text."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _type_word(t: Any) -> str:
    return {str: "text", int: "a whole number", float: "a number", bool: "true/false"}.get(
        t, getattr(t, "__name__", str(t)))


def describe_value(value: Any) -> str:
    """Describe a raw value for an error message, quoting short values."""
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, (int, float)):
        text = repr(value) if len(repr(value)) <= 20 else repr(value)[:17] + "..."
        return f"a number ({text})"
    if isinstance(value, str):
        shown = " ".join(value.split())
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        return f"text ('{shown}')"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a section of keys"
    return type(value).__name__

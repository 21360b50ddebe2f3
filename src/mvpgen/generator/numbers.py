"""Read numbers as people type them: ``38%``, ``1,000``, ``1 000``, ``0,7``.

Only unambiguous forms are read: a comma is a thousands separator when it is followed
by exactly three digits in every group (``1,000``, ``12,345,678``), and a decimal
mark when a single comma is followed by one, two or more than three digits (``0,7``).
``1,000`` could be a decimal in some locales, but a KPI of one with three decimals
written that way is far rarer than a thousand; the message names both readings when
a text could be either and is neither of these.
"""

from __future__ import annotations

import math
import re

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([, \u00a0\u202f]\d{3})+(\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,(\d{1,2}|\d{4,})$")


def parse_number(text: str) -> float:
    """Return the number ``text`` writes.

    Raises:
        ValueError: saying how to write it, when ``text`` is not a number.
    """
    raw = text.strip()
    percent = raw.endswith("%")
    body = raw[:-1].strip() if percent else raw
    if _THOUSANDS.match(body):
        body = re.sub(r"[, \u00a0\u202f]", "", body)
    elif _DECIMAL_COMMA.match(body):
        body = body.replace(",", ".")
    try:
        value = float(body)
    except ValueError:
        msg = f"'{text}' is not a number; write it like 0.38, 38% or 1,000"
        raise ValueError(msg) from None
    return value / 100 if percent else value


def parse_capacity(text: str) -> float | int:
    """Return how many cases in every 1,000 ``text`` says the business can act on.

    ``200`` is 200 per 1,000 and ``20%`` the same; a bare number under one is refused,
    as it is most likely a share meant as a percentage.

    Raises:
        ValueError: saying how to write it, when ``text`` is no such number.
    """
    value = parse_number(text)
    percent = text.strip().endswith("%")
    per_thousand = value * 1000 if percent else value
    if not math.isfinite(per_thousand) or not 0 < per_thousand <= 1000:
        msg = (f"'{text}' is not a number of cases in every 1,000; give one from 1 to 1,000 "
               "(e.g. 200), or a percentage (20%)")
        raise ValueError(msg)
    if not percent and per_thousand < 1:
        msg = (f"'{text}' cases in every 1,000 is less than one case; for a share, write it as "
               f"a percentage ({value:.0%}), or as cases per 1,000 ({value * 1000:g})")
        raise ValueError(msg)
    per_thousand = round(per_thousand, 6)
    return int(per_thousand) if per_thousand.is_integer() else per_thousand

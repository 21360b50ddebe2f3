"""Column names and values as sentences show them: quoted, on one line, whatever they hold.

A name is data: it may hold a line break, a tab or an escape sequence, and a sentence
that quotes it must still be one line a person (or a terminal) can read.
"""

from __future__ import annotations

from collections.abc import Iterable


def quoted(name: object) -> str:
    """Return ``'name'`` with line breaks and other control characters made visible."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(name))
    return f"'{text}'"


def listing(names: Iterable[object]) -> str:
    """Return ``'a'``, ``'a' and 'b'`` or ``'a', 'b' and 'c'``."""
    shown = [quoted(n) for n in names]
    if not shown:
        return "no column"
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" and {shown[-1]}"

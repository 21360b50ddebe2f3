"""Column names and values as sentences show them: quoted, on one line, whatever they hold.

A name is data: it may hold a line break, a tab or an escape sequence, and a sentence
that quotes it must still be one line a person (or a terminal) can read.
"""

from __future__ import annotations

from collections.abc import Iterable


def quoted(name: object) -> str:
    """Return ``'name'`` with line breaks and other control characters made visible."""
    return f"'{printable(name, keep='')}'"


def printable(text: object, keep: str = "\n\t") -> str:
    r"""Return text a terminal shows as it is, whatever the data put in it.

    Control characters (an escape sequence that would retitle the window or clear the
    screen, a carriage return, a right-to-left override) are written out as ``\x1b``,
    ``\r``, ``\u202e``; the characters in ``keep`` (line breaks and tabs) stay.
    """
    return "".join(c if c.isprintable() or c in keep else repr(c)[1:-1] for c in str(text))


def printable_json(text: str) -> str:
    r"""Return a JSON document with the control characters inside its strings escaped.

    ``json.dumps(..., ensure_ascii=False)`` keeps C1 controls and format characters raw;
    escaped as ``\u009b``, the document means the same and shows safely.
    """
    import json

    return "".join(c if c.isprintable() or c == "\n" else json.dumps(c)[1:-1] for c in text)


def listing(names: Iterable[object]) -> str:
    """Return ``'a'``, ``'a' and 'b'`` or ``'a', 'b' and 'c'``."""
    shown = [quoted(n) for n in names]
    if not shown:
        return "no column"
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" and {shown[-1]}"

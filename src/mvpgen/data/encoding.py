"""Tell which encoding a text file is in, or say that it cannot be told: never mojibake.

UTF-8 (with or without a byte-order mark) and UTF-16/32 (with one) are read as they
are. Anything else is detected with charset-normalizer; the encoding used is said in
a note, so a file read as Windows-1251 or Shift-JIS is not read silently, and a file
whose encoding cannot be told is refused with the fix: save it as UTF-8.
"""

from __future__ import annotations

import codecs

from mvpgen.errors import DataError

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
# Above this much "chaos" (charset-normalizer's measure of unlikely text) a guess is no
# better than mojibake.
MAX_CHAOS = 0.2
WESTERN_CHAOS = 0.1


def detect(raw: bytes, name: str) -> tuple[str, str | None]:
    """Return the encoding to read ``raw`` with, and a note for people when it is not UTF-8.

    ``raw`` is a file's first bytes, or all of them.

    Raises:
        DataError: when the bytes are no text in any encoding that can be told.
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return encoding, None
    try:
        # A multi-byte character may be cut at the end of the head: ignore the tail.
        codecs.getincrementaldecoder("utf-8")().decode(raw, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8-sig", None
    from charset_normalizer import from_bytes

    # Most non-UTF-8 exports are Western Windows (a spreadsheet's CSV): short texts with a
    # few accents read as well in a dozen code pages, so the common one is preferred
    # whenever it reads cleanly; Cyrillic or Japanese text does not, and is detected.
    western = {r.encoding: r for r in from_bytes(raw, cp_isolation=["cp1252", "latin_1"])}
    best = next((western[name] for name in ("cp1252", "latin_1")
                 if name in western and western[name].chaos <= WESTERN_CHAOS), None)
    best = best or from_bytes(raw).best()
    if best is None or best.chaos > MAX_CHAOS:
        msg = (f"{name} is not UTF-8 and its encoding cannot be told; save it as UTF-8 (in a "
               "spreadsheet: Save as, CSV UTF-8) and try again")
        raise DataError(msg)
    encoding = codecs.lookup(best.encoding).name
    return encoding, (f"{name} is not UTF-8: read as {encoding} (detected); save it as UTF-8 "
                      "to be sure")

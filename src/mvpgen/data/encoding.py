"""Tell which encoding a text file is in, or say that it cannot be told: never mojibake.

UTF-8 (with or without a byte-order mark) and UTF-16/32 (with one) are read as they
are. Anything else is detected with charset-normalizer; the encoding used is said in
a note, so a file read as Windows-1251 or Shift-JIS is not read silently, and a file
whose encoding cannot be told is refused with the fix: save it as UTF-8.
"""

from __future__ import annotations

import codecs
import re

from mvpgen.errors import DataError

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
# Above this much "chaos" (charset-normalizer's measure of unlikely text) a guess is no
# better than mojibake.
MAX_CHAOS = 0.2
WESTERN_CHAOS = 0.1
# Western words put at most two accented letters side by side (Größe, ação); three or
# more in a row is what Cyrillic or Japanese bytes look like read as Windows-1252.
_NOT_WESTERN = re.compile(r"[^\x00-\x7f]{3,}")
# The code pages exports come in beyond Western Europe, tried before every other one so
# a short text is not read in a rare encoding that happens to fit its bytes.
COMMON = ("cp1251", "koi8_r", "cp932", "shift_jis", "euc_jp", "gb18030", "big5", "euc_kr",
          "cp1250", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "iso8859_2")


def detect(raw: bytes, name: str) -> tuple[str, str | None]:
    """Return the encoding to read ``raw`` with, and a note for people when it is not UTF-8.

    ``raw`` is a file's first bytes, or all of them.

    Raises:
        DataError: when the bytes are no text in any encoding that can be told.
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return encoding, None
    utf16 = utf16_without_mark(raw)
    if utf16 is not None:
        return utf16, f"{name} is UTF-16 without a byte-order mark: read as {utf16}"
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
                 if name in western and western[name].chaos <= WESTERN_CHAOS
                 and not _NOT_WESTERN.search(str(western[name]))), None)
    best = best or from_bytes(raw, cp_isolation=list(COMMON)).best() or from_bytes(raw).best()
    if best is None or best.chaos > MAX_CHAOS:
        msg = (f"{name} is not UTF-8 and its encoding cannot be told; save it as UTF-8 (in a "
               "spreadsheet: Save as, CSV UTF-8) and try again")
        raise DataError(msg)
    encoding = codecs.lookup(best.encoding).name
    return encoding, (f"{name} is not UTF-8: read as {encoding} (detected); save it as UTF-8 "
                      "to be sure")


def utf16_without_mark(raw: bytes) -> str | None:
    """Return utf-16-le or utf-16-be when ``raw`` is plainly such text, else None.

    Text in UTF-16 has a zero byte beside nearly every Latin character: on the odd
    bytes (little-endian) or the even ones (big-endian).
    """
    head = raw[:4096]
    pairs = len(head) // 2
    if pairs < 4:
        return None
    odd, even = head[1:2 * pairs:2].count(0), head[0:2 * pairs:2].count(0)
    for zeros, encoding in ((odd, "utf-16-le"), (even, "utf-16-be")):
        if zeros >= 0.6 * pairs:
            try:
                head[:2 * pairs].decode(encoding)
            except UnicodeDecodeError:
                return None
            return encoding
    return None

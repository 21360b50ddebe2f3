"""Machine-written blocks inside files that people also edit.

A block sits between ``<!-- mvpgen:begin NAME -->`` and ``<!-- mvpgen:end NAME -->``.
Only the text between a pair of markers is ever replaced; everything outside them is
the user's and survives byte for byte. A file with a missing or broken marker is
refused rather than guessed at, because a guess could overwrite the user's words.
"""

from __future__ import annotations

import re
from pathlib import Path

from mvpgen.errors import BlockError
from mvpgen.store.files import write_atomically

_MARKER = re.compile(r"<!-- mvpgen:(begin|end) ([a-z0-9_-]+) -->")


def find_blocks(text: str, source: str = "file") -> dict[str, tuple[int, int]]:
    """Locate every block.

    Returns:
        For each block name, the (start, end) offsets of the text between its markers.

    Raises:
        BlockError: when a marker is unpaired, duplicated or nested.
    """
    blocks: dict[str, tuple[int, int]] = {}
    open_name, open_end = None, 0
    for match in _MARKER.finditer(text):
        kind, name = match.groups()
        if kind == "begin":
            if open_name is not None:
                msg = (f"{source}: block '{open_name}' is not closed before '{name}' begins; put "
                       f"back '<!-- mvpgen:end {open_name} -->' before it")
                raise BlockError(msg)
            if name in blocks:
                msg = f"{source}: block '{name}' appears twice; delete one of the two"
                raise BlockError(msg)
            open_name, open_end = name, match.end()
        else:
            if open_name != name:
                msg = (f"{source}: end marker of '{name}' has no matching begin marker; put back "
                       f"'<!-- mvpgen:begin {name} -->' before it")
                raise BlockError(msg)
            blocks[name] = (open_end, match.start())
            open_name = None
    if open_name is not None:
        msg = (f"{source}: block '{open_name}' has no end marker; put back "
               f"'<!-- mvpgen:end {open_name} -->' after it")
        raise BlockError(msg)
    return blocks


def replace_blocks(text: str, contents: dict[str, str], source: str = "file") -> str:
    """Return ``text`` with the named blocks' contents replaced.

    Raises:
        BlockError: when the markers are broken or a named block is missing.
    """
    blocks = find_blocks(text, source)
    missing = [name for name in contents if name not in blocks]
    if missing:
        msg = (f"{source}: block marker '<!-- mvpgen:begin {missing[0]} -->' is missing; "
               "restore it (with its end marker) to let this step update the file")
        raise BlockError(msg)
    out, last = [], 0
    for name, (start, end) in sorted(blocks.items(), key=lambda item: item[1]):
        if name in contents:
            newline = "\r\n" if "\r\n" in text else "\n"
            block = keep_ticks(text[start:end], _inert(contents[name]).strip("\n"))
            block = block.replace("\n", newline)
            out += [text[last:start], newline, block, newline]
            last = end
    out.append(text[last:])
    return "".join(out)


_BOX = re.compile(r"^(\s*[-*] )\[([ xX])\] (.*)$")
# The boxes a step ticked itself, remembered in the block so that a person's ticks can
# be told apart from them: a step's tick goes when its evidence goes, a person's stays.
_STEP_TICKS = re.compile(r"^<!-- mvpgen:ticked (.*) -->\r?$", re.MULTILINE)


def keep_ticks(old: str, new: str) -> str:
    """Return the block ``new`` with every box a person ticked in ``old`` still ticked.

    A box is the same box when its words up to a colon or a bracket are the same:
    "verdict reached: met" is the box "verdict reached", whatever the verdict.
    """
    remembered = _STEP_TICKS.search(old)
    by_step = set(remembered.group(1).split("|")) if remembered else set()
    by_person = {}
    for line in old.splitlines():
        match = _BOX.match(line)
        if match and match.group(2) != " " and _box_key(match.group(3)) not in by_step:
            by_person[_box_key(match.group(3))] = match.group(2)
    lines, ticked_now = [], []
    for line in _STEP_TICKS.sub("", new).strip("\n").splitlines():
        match = _BOX.match(line)
        if match:
            key = _box_key(match.group(3))
            # A person's words after the box's own ("human review done by Ann") still
            # name that box.
            mark = next((m for k, m in by_person.items() if k == key or
                         k.startswith(key + " ")), None)
            if mark is not None:
                # The person's tick is kept, and stays theirs even when a step agrees.
                line = f"{match.group(1)}[{mark}] {match.group(3)}"
            elif match.group(2) != " ":
                ticked_now.append(key)
        lines.append(line)
    if ticked_now:
        lines.append(f"<!-- mvpgen:ticked {'|'.join(ticked_now)} -->")
    return "\n".join(lines)


def _box_key(text: str) -> str:
    words = re.split(r"[:(]", text, maxsplit=1)[0].casefold().replace("|", " ")
    return " ".join(words.replace("--", " ").split())


def _inert(content: str) -> str:
    """Return content that cannot open or close a block, however it was written.

    Free text from mvp.yaml ends up in blocks; a marker inside it would otherwise
    break every later update. ``&lt;!--`` shows as ``<!--`` in rendered Markdown.
    """
    return content.replace("<!--", "&lt;!--")


def update_file(path: Path, contents: dict[str, str]) -> bool:
    """Replace blocks in the file at ``path``, atomically.

    Returns:
        Whether the file changed.

    Raises:
        BlockError: when the markers are broken; the file is then left untouched.
    """
    text = read_keeping_newlines(path)
    new = replace_blocks(text, contents, source=path.name)
    if new == text:
        return False
    write_atomically(path, new)
    return True


def read_keeping_newlines(path: Path) -> str:
    """Return a file's text with its line endings as they are (CRLF stays CRLF)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()

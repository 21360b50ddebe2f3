"""``mvpgen update``: bring a project to this mvpgen's template, keeping the user's edits.

Three versions of each template file meet: the base (the file as the old version
rendered it, kept in the project's record), the user's file as it is now, and the
file as this version renders it from the same answers. Lines only the user changed
stay theirs; lines only the template changed take the template's; lines both changed
get standard conflict markers, and the file is listed. The machine-written blocks of
README.md and CHECKLIST.md are set aside during the merge and written anew after it,
so they never conflict. Everything happens offline, from the record and the installed
template.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mvpgen import __version__
from mvpgen.errors import ProjectError
from mvpgen.project import RECORD_FILE, check_fits, read_record

_BLOCK = re.compile(r"(<!-- mvpgen:begin ([a-z0-9_-]+) -->)(.*?)(<!-- mvpgen:end \2 -->)",
                    re.DOTALL)


@dataclass
class UpdateResult:
    """What an update changed, merged, left in conflict, or would do (dry run)."""

    lines: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def update_project(start: Path, *, dry_run: bool = False, template: Path | None = None,
                   version: str | None = None) -> UpdateResult:
    """Merge the installed template into the project in ``start`` (or above it).

    Args:
        start: the project folder, or a folder inside it.
        dry_run: report the changes as a diff, change nothing.
        template: the template to update to (default: the one mvpgen ships).
        version: the version to record (default: this mvpgen's).

    Raises:
        ProjectError: when there is no project, or it has no record to merge against.
    """
    from mvpgen.mapping import MAPPING_FILE

    root = _find(start, MAPPING_FILE)
    record = read_record(root)
    if not record.get("files"):
        check_fits(root, record)  # a project of mvpgen 0.1 is told how to start anew
        msg = (f"{root.name} has no record of the template it was made from ({RECORD_FILE}); "
               f"make it anew with `mvpgen new NEW_FOLDER --mapping {root / MAPPING_FILE}` and "
               "carry your edits over")
        raise ProjectError(msg)
    version = version or __version__
    base: dict[str, str] = record["files"]
    theirs = _render_anew(record, template, version)
    result = UpdateResult()
    merged: dict[str, str | None] = {}
    made = record.get("mvpgen", "?")
    for path in sorted(set(base) | set(theirs)):
        ours = _read(root / path)
        text, conflict = _merge(path, base.get(path), ours, theirs.get(path), made, version)
        if text != ours:
            merged[path] = text
            result.changed.append(path)
        if conflict:
            result.conflicts.append(path)
    if dry_run:
        for path, text in merged.items():
            before = (_read(root / path) or "").splitlines(keepends=True)
            after = (text or "").splitlines(keepends=True)
            result.lines += [line.rstrip("\n") for line in difflib.unified_diff(
                before, after, f"a/{path}", f"b/{path}")]
        result.lines.append(f"{len(merged)} file(s) would change"
                            + (f", {len(result.conflicts)} with conflicts" if result.conflicts
                               else "") + "; nothing was written (dry run)")
        return result
    for path, text in merged.items():
        _write(root / path, text)
    answers = dict(record.get("answers", {})) | {"mvpgen_version": version}
    record = record | {"mvpgen": version, "answers": answers, "files": theirs}
    (root / RECORD_FILE).write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n",
                                    encoding="utf-8")
    _refresh(root, skip=result.conflicts)
    for path in result.changed:
        kind = "conflict" if path in result.conflicts else "updated"
        result.lines.append(f"{kind}: {path}")
    result.lines.append(f"{root.name} is now on mvpgen {version} (was {made})"
                        + (f"; {len(result.conflicts)} file(s) hold conflict markers: keep the "
                           "lines you want, delete the markers" if result.conflicts else ""))
    return result


def _find(start: Path, name: str) -> Path:
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / name).is_file():
            return folder
    msg = f"there is no {name} in {start} or a folder above it; pass the project's folder"
    raise ProjectError(msg)


def _render_anew(record: dict[str, Any], template: Path | None, version: str) -> dict[str, str]:
    """Return the template's files as this version renders them from the recorded answers."""
    from mvpgen.generator.generate import is_template_file, render, render_context

    answers = record.get("answers", {})
    context = render_context(answers.get("project_slug", "project"), "",
                             tuple(filter(None, answers.get("_findings", "").splitlines())),
                             answers.get("project_name", "Project"), template, version)
    context["cookiecutter"].update({k: v for k, v in answers.items() if k != "mvpgen_version"})
    staging = Path(tempfile.mkdtemp(prefix=".mvpgen-update-"))
    try:
        project = Path(render(context, staging, template))
        return {str(p.relative_to(project)): p.read_text(encoding="utf-8")
                for p in sorted(project.rglob("*"))
                if p.is_file() and is_template_file(p, project) and "__pycache__" not in p.parts}
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _merge(path: str, base: str | None, ours: str | None, theirs: str | None, made: str,
           version: str) -> tuple[str | None, bool]:
    """Return a file's merged text (None: no file) and whether it holds conflicts."""
    import merge3

    if theirs is None:  # the template dropped the file
        return (None, False) if ours == base else (ours, False)
    if ours is None:
        # New in the template: added. Deleted by the user: left deleted, unless the
        # template changed it (then it comes back, and the user sees why in the list).
        return (theirs, False) if base is None or base != theirs else (None, False)
    if base is None:
        base = ""  # the user made a file the template now makes too: merge both in full
    blocks = _blocks(ours)
    merger = merge3.Merge3(_lines(_emptied(base)), _lines(_emptied(ours)),
                           _lines(_emptied(theirs)))
    text = "".join(merger.merge_lines(name_a="yours", name_b=f"mvpgen {version}",
                                      name_base=f"mvpgen {made}"))
    conflict = any(region[0] == "conflict" for region in merger.merge_regions())
    return _restored(text, blocks), conflict


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _blocks(text: str) -> dict[str, str]:
    return {match.group(2): match.group(3) for match in _BLOCK.finditer(text)}


def _emptied(text: str) -> str:
    """Return text with every machine-written block's content set aside."""
    return _BLOCK.sub(lambda m: f"{m.group(1)}\n{m.group(4)}", text)


def _restored(text: str, blocks: dict[str, str]) -> str:
    """Put the user's blocks back (the next refresh writes them anew anyway)."""
    return _BLOCK.sub(lambda m: m.group(1) + blocks.get(m.group(2), "\n") + m.group(4), text)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError):
        return None


def _write(path: Path, text: str | None) -> None:
    from mvpgen.store.files import write_atomically

    if text is None:
        path.unlink(missing_ok=True)
        return
    write_atomically(path, text)


def _refresh(root: Path, skip: list[str]) -> None:
    """Write the machine-written blocks anew, except in files left with conflicts."""
    from mvpgen.errors import MvpgenError
    from mvpgen.project import Project
    from mvpgen.steps.docs import refresh_all

    if {"README.md", "CHECKLIST.md"} & set(skip):
        return
    # The next step refreshes them, and says what is wrong if it cannot.
    with contextlib.suppress(MvpgenError):
        refresh_all(Project.load(root))

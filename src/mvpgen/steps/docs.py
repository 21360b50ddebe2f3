"""Keep the machine-written parts of README.md and CHECKLIST.md in step with mvp.yaml."""

from __future__ import annotations

from pathlib import Path

from mvpgen.mapping import Mapping
from mvpgen.mapping.describe import describe_mapping
from mvpgen.project import Project
from mvpgen.store.blocks import read_keeping_newlines, replace_blocks, update_file
from mvpgen.store.files import write_atomically


def mapping_block(mapping: Mapping) -> str:
    """Return the mapping as a Markdown list, for README.md and question 1 of the checklist."""
    return "\n".join(f"- **{label}:** {_inline(sentence)}"
                     for label, sentence in describe_mapping(mapping))


def refresh_docs(root: Path, mapping: Mapping) -> list[Path]:
    """Rewrite the mapping blocks of the project's README.md and CHECKLIST.md.

    Both files are checked before either is written, so a broken marker in one
    leaves both as they were.

    Returns:
        The files that changed.

    Raises:
        blocks.BlockError: when a file's markers are broken; nothing is written then.
    """
    text = mapping_block(mapping)
    updates = {}
    for name, block in (("README.md", "mapping"), ("CHECKLIST.md", "q1")):
        path = root / name
        if path.exists():
            old = read_keeping_newlines(path)
            new = replace_blocks(old, {block: text}, source=name)
            if new != old:
                updates[path] = new
    for path, new in updates.items():
        write_atomically(path, new)
    return list(updates)


def _inline(text: str) -> str:
    # A value is data, not Markdown layout: keep it on one line of the list.
    return " ".join(str(text).split())


def update_checklist(root: Path, contents: dict[str, str]) -> bool:
    """Replace blocks of the project's CHECKLIST.md; a deleted checklist is left deleted.

    Returns:
        Whether the file changed.

    Raises:
        blocks.BlockError: when its markers are broken; the file is then left untouched.
    """
    path = root / "CHECKLIST.md"
    return path.exists() and update_file(path, contents)


def refresh_all(project: Project) -> list[Path]:
    """Bring README.md's and CHECKLIST.md's blocks up to date with mvp.yaml and the evidence.

    Returns:
        The files that changed.

    Raises:
        BlockError: when a file's markers are broken; that file is then left untouched.
    """
    from mvpgen.steps.checklist import refresh_checklist

    changed = refresh_docs(project.root, project.mapping)
    if refresh_checklist(project) and project.path("CHECKLIST.md") not in changed:
        changed.append(project.path("CHECKLIST.md"))
    return changed


def refresh_after(project: Project, written: str) -> list[Path]:
    """Refresh the blocks after a step wrote its files, saying so if a marker is broken.

    Args:
        project: the project.
        written: what the step wrote, e.g. "the reports were".

    Raises:
        BlockError: naming the marker to mend, and that the step's own files are written.
    """
    from mvpgen.errors import BlockError

    try:
        return refresh_all(project)
    except BlockError as err:
        msg = f"{err}; {written} written, CHECKLIST.md was not"
        raise BlockError(msg) from err

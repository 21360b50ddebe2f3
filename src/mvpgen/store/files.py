"""Write files so that a crash leaves either the old files or the new ones, never half.

One file is written through a temporary file and one rename. A set of files that
belong together (a baseline's metrics, report, model and card) is written with a
journal: every new file is first written beside its place, then the journal naming
them is written (the moment the new set exists), then the files are renamed into
place and the journal removed. A run killed before the journal leaves the old set
(its half-written files are cleaned up); one killed after it is finished by the
next command (``finish_interrupted``), so readers never see a mixed set.
"""

from __future__ import annotations

import json
import os
import shlex
import stat
import tempfile
from pathlib import Path

from mvpgen.errors import ProjectError

JOURNAL = ".mvpgen-journal.json"
_PENDING = ".pending"


def require_writable(root: Path, *folders: str) -> None:
    """Refuse, before any work, a project whose folders this user cannot write.

    The project folder itself holds the lock and the journal; ``folders`` (relative to
    it) are where the step writes. A folder not made yet counts as its nearest parent.

    Raises:
        ProjectError: naming the first folder that cannot be written, and the fix.
    """
    for relative in ("", *folders):
        folder = root / relative
        while not folder.exists() and folder != root:
            folder = folder.parent
        if not os.access(folder, os.W_OK | os.X_OK):
            shown = shlex.quote(str(folder))
            msg = (f"{folder} is read-only, so nothing can be written there; make it "
                   f"writable (chmod -R u+w {shown}) and run the command again; nothing "
                   "was changed")
            raise ProjectError(msg)


def write_atomically(path: Path, text: str | bytes) -> None:
    """Write ``text`` to ``path`` through a temporary file and one rename.

    The temporary file is flushed to disk before the rename, so even a power cut
    leaves the previous file or the complete new one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        _write(fd, tmp, path, text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write(fd: int, tmp: str, path: Path, text: str | bytes) -> None:
    # mkstemp creates the file private (0600); keep the permissions the file had.
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
    os.chmod(tmp, mode)
    data = text.encode("utf-8") if isinstance(text, str) else text
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_together(root: Path, files: dict[str, str | bytes]) -> list[Path]:
    """Replace several files of ``root`` as one set (see the module's text).

    Args:
        root: the project folder (the journal lives there).
        files: each file's path relative to ``root``, with its new content.

    Returns:
        The files written.
    """
    finish_interrupted(root)
    pending = {}
    try:
        for relative, content in files.items():
            final = root / relative
            final.parent.mkdir(parents=True, exist_ok=True)
            temporary = final.with_name(f".{final.name}{_PENDING}")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            _write(fd, str(temporary), final, content)
            pending[str(temporary.relative_to(root))] = relative
        # The commit point: from here on the new set is the one that counts.
        write_atomically(root / JOURNAL, json.dumps(pending, indent=1))
    except BaseException:
        for temporary in pending:
            (root / temporary).unlink(missing_ok=True)
        raise
    finish_interrupted(root)
    return [root / relative for relative in files]


def finish_interrupted(root: Path) -> None:
    """Complete a set of files whose writing was interrupted after its journal.

    Leftovers of a write interrupted before its journal (``.NAME.pending`` files) are
    removed: the old set stands.
    """
    journal = root / JOURNAL
    if journal.is_file():
        try:
            pending = json.loads(journal.read_text(encoding="utf-8"))
        except ValueError:
            pending = {}  # a journal cut short was never the commit point
        for temporary, final in pending.items():
            source = root / temporary
            if source.exists():
                os.replace(source, root / final)
        journal.unlink(missing_ok=True)
    for name in (JOURNAL, "mvp.yaml", "README.md", "CHECKLIST.md", ".mvpgen.json"):
        for leftover in root.glob(f".{name}.*.tmp"):
            leftover.unlink(missing_ok=True)
    for folder in (root / "reports", root / "models", root / "data" / "feedback"):
        if folder.is_dir():
            for leftover in folder.glob(f".*{_PENDING}"):
                leftover.unlink(missing_ok=True)
            for leftover in folder.glob(".*.tmp"):
                leftover.unlink(missing_ok=True)

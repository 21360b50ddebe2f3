"""One writer at a time in a project: a lock file held while a step writes.

Two ``feedback`` runs at once could each read the label log, add their labels and
write it back, and the first batch would be lost; two baselines could mix their
files. The lock makes the second one wait (saying so), or give up after a while
with one line. Work that can wait for a later command (finishing what a killed one
left) takes the lock only when it is free, and is skipped when it is not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from mvpgen.errors import MvpgenError

LOCK_FILE = ".mvpgen.lock"
WAIT_SECONDS = 600
WAITING = "another mvpgen command is writing in this project; waiting for it to finish"


class BusyError(MvpgenError):
    """Raised when another mvpgen command holds the project's lock for too long."""


@contextmanager
def project_lock(root: Path, *, writes: tuple[str, ...] = (), wait: float = WAIT_SECONDS,
                 say: Callable[[str], None] = lambda message: None) -> Iterator[None]:
    """Hold the project's lock while the block runs.

    Args:
        root: the project folder.
        writes: the folders (relative to ``root``) the block writes in; each is checked
            first, so a read-only one is refused before the work, not after it.
        wait: how long to wait for another command's lock.
        say: told when the lock is held by another command.

    Raises:
        BusyError: when another command holds it for more than ``wait`` seconds.
        ProjectError: when the project or one of ``writes`` cannot be written.
    """
    from filelock import FileLock, Timeout

    from mvpgen.store.files import require_writable

    require_writable(root, *writes)
    lock = FileLock(str(root / LOCK_FILE))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        say(WAITING)
        try:
            lock.acquire(timeout=wait)
        except Timeout as err:
            msg = (f"another mvpgen command has been writing in {root} for over {wait:.0f} s; "
                   f"wait for it, or if none is running, delete {root / LOCK_FILE}")
            raise BusyError(msg) from err
    try:
        yield
    finally:
        lock.release()


@contextmanager
def lock_if_free(root: Path) -> Iterator[bool]:
    """Hold the project's lock while the block runs, if no other command holds it now.

    Never waits: another command holding the lock is writing, and the block must then
    leave the project alone.

    Yields:
        True when the lock is held for the block; False when another command holds it.

    Raises:
        OSError: when the lock file cannot be opened (a read-only project).
    """
    from filelock import FileLock, Timeout

    lock = FileLock(str(root / LOCK_FILE))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()

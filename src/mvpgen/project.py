"""One generated project: its folder, its mapping, its files and the user's own code.

Every project command builds one :class:`Project` (found by walking up to ``mvp.yaml``,
as git finds ``.git``) and hands it to the step; the steps never pass ``(mapping,
root)`` pairs around. The project's record, ``.mvpgen.json``, says which mvpgen
made it, so a project and the installed engine that do not fit are told apart in one
line instead of failing half-way.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any

from mvpgen import __version__
from mvpgen.errors import ProjectError
from mvpgen.mapping import MAPPING_FILE, Mapping, load_mapping

RECORD_FILE = ".mvpgen.json"


@dataclass(frozen=True)
class Paths:
    """Where a project keeps each file, relative to its folder."""

    eda_report: str = "reports/eda.html"
    quality: str = "reports/data_quality.json"
    metrics: str = "reports/metrics.json"
    baseline_report: str = "reports/baseline.html"
    holdout: str = "reports/holdout_predictions.csv"
    history: str = "reports/history.csv"
    review_csv: str = "reports/review.csv"
    review_page: str = "reports/review.html"
    model: str = "models/model.skops"
    model_card: str = "models/model.json"
    labels: str = "data/feedback/labels.csv"
    reviewed_rows: str = "data/feedback/reviewed_rows.csv"
    checklist: str = "CHECKLIST.md"
    readme: str = "README.md"


PATHS = Paths()


@dataclass(frozen=True)
class Project:
    """A generated project, as every step sees it."""

    root: Path
    mapping: Mapping
    package: str | None = None
    record: dict[str, Any] = field(default_factory=dict)

    # --- finding and loading -------------------------------------------------------------

    @classmethod
    def find(cls, start: Path | None = None, *, check_version: bool = True) -> Project:
        """Return the project whose ``mvp.yaml`` is in ``start`` or a parent of it.

        Raises:
            ProjectError: when there is none, or it was made by an mvpgen that does not
                fit the installed one (the message says what to run).
            MappingError: when its ``mvp.yaml`` is not a valid mapping.
        """
        here = (start or Path.cwd()).resolve()
        if here.is_file():
            here = here.parent
        for folder in (here, *here.parents):
            if (folder / MAPPING_FILE).is_file():
                return cls.load(folder, check_version=check_version)
        msg = (f"there is no {MAPPING_FILE} in {here} or a folder above it; run this inside a "
               "project, or make one with `mvpgen new`")
        raise ProjectError(msg)

    @classmethod
    def load(cls, root: Path, *, check_version: bool = True) -> Project:
        """Return the project in ``root``.

        Raises:
            ProjectError: when the project does not fit the installed mvpgen.
            MappingError: when its ``mvp.yaml`` is not a valid mapping.
        """
        root = root.resolve()
        _recover(root)
        record = read_record(root)
        if check_version:
            check_fits(root, record)
        mapping = load_mapping(root / MAPPING_FILE)
        package = record.get("package") or _package_in(root)
        return cls(root, mapping, package, record)

    # --- files -----------------------------------------------------------------------------

    def path(self, relative: str) -> Path:
        """Return a project file's path from its path relative to the project."""
        return self.root / relative

    @property
    def mapping_file(self) -> Path:
        """Return the path of ``mvp.yaml``."""
        return self.root / MAPPING_FILE

    @property
    def data_file(self) -> Path | None:
        """Return the data file ``mvp.yaml`` names (relative paths are the project's)."""
        path = self.mapping.data.path
        if path is None:
            return None
        candidate = Path(path).expanduser()
        return candidate if candidate.is_absolute() else self.root / candidate

    # --- the user's code -------------------------------------------------------------------

    def user_module(self, name: str) -> ModuleType | None:
        """Import a module of the project's own package (``features`` or ``models``).

        The project's ``src`` folder goes first on the import path, so the user's code is
        imported like any package; a module of the same name loaded from another project
        earlier in this process is forgotten first. None when the project has no such
        module (mvpgen's defaults apply then).
        """
        if self.package is None:
            return None
        folder = self.root / "src" / self.package
        if not (folder / f"{name}.py").is_file():
            return None
        loaded = sys.modules.get(self.package)
        if loaded is not None and Path(getattr(loaded, "__file__", "") or "").parent != folder:
            for key in [k for k in sys.modules if k == self.package
                        or k.startswith(f"{self.package}.")]:
                del sys.modules[key]
        source = str(self.root / "src")
        if source not in sys.path:
            sys.path.insert(0, source)
        importlib.invalidate_caches()
        return importlib.import_module(f"{self.package}.{name}")

    @cached_property
    def made_with(self) -> str | None:
        """Return the mvpgen version that made (or last updated) the project."""
        return self.record.get("mvpgen")


def read_record(root: Path) -> dict[str, Any]:
    """Return the project's record (``.mvpgen.json``), or an empty one when there is none.

    Raises:
        ProjectError: when the record is there but damaged.
    """
    path = root / RECORD_FILE
    if not path.is_file():
        return {}
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        msg = (f"{path} is damaged ({err}); restore it from version control, or run "
               "`mvpgen update --force` to write it anew")
        raise ProjectError(msg) from err
    if not isinstance(record, dict):
        msg = f"{path} is not a project record; restore it from version control"
        raise ProjectError(msg)
    return record


def check_fits(root: Path, record: dict[str, Any]) -> None:
    """Refuse a project made by an mvpgen whose engine does not fit the installed one.

    Raises:
        ProjectError: saying which version made it and what to run.
    """
    made = record.get("mvpgen")
    if made is None:
        if _carries_old_engine(root):
            msg = (f"{root.name} was made by mvpgen 0.1, which copied its own engine into the "
                   "project; make it anew from its mapping with `mvpgen new NEW_FOLDER "
                   f"--mapping {root / MAPPING_FILE}` and carry your edits over")
            raise ProjectError(msg)
        return  # a plain folder with an mvp.yaml: the defaults apply
    if _release(made) == _release(__version__):
        return
    if _version_key(made) < _version_key(__version__):
        msg = (f"{root.name} was made with mvpgen {made}; this is mvpgen {__version__}: run "
               f"`mvpgen update {root}` to bring it up to date (your edits are kept)")
    else:
        msg = (f"{root.name} was made with mvpgen {made}, newer than this mvpgen "
               f"{__version__}; upgrade: pip install 'mvpgen>={made}'")
    raise ProjectError(msg)


def _release(version: str) -> tuple[int, ...]:
    """Return the part of a version that must match: major and minor."""
    return _version_key(version)[:2]


def _version_key(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split(".")[:3]:
        digits = "".join(c for c in piece if c.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def _package_in(root: Path) -> str | None:
    """Return the package under ``src/`` (the folder with an ``__init__.py``), if one."""
    found = sorted(p.parent.name for p in root.glob("src/*/__init__.py"))
    return found[0] if found else None


def _recover(root: Path) -> None:
    """Finish (or discard) files a killed step left half-switched, before anyone reads them.

    Only under the project's lock, and only when it is free: while another command holds
    it, its half-written files are its work in progress, not leftovers (it finishes
    them, or a later command does).
    """
    from mvpgen.store.files import JOURNAL, finish_interrupted
    from mvpgen.store.lock import LOCK_FILE, lock_if_free

    # Every step that writes takes the lock, which leaves its file behind: a project
    # with neither the lock file nor a journal has nothing half-written, and a command
    # that only reads it does not add a lock file to it.
    if not (root / LOCK_FILE).exists() and not (root / JOURNAL).exists():
        return
    # A read-only project: whoever can write to it will finish the switch.
    with contextlib.suppress(OSError), lock_if_free(root) as held:
        if held:
            finish_interrupted(root)


def _carries_old_engine(root: Path) -> bool:
    return any(root.glob("src/*/baseline.py")) and any(root.glob("src/*/config.py"))


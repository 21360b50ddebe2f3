"""Turn a free-text project name into a safe folder, distribution and package name."""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata
from functools import cache

_MAX_LENGTH = 60
# Names a folder cannot take on Windows, whatever the extension.
_WINDOWS_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                               *(f"lpt{i}" for i in range(10))})
# Module names pytest and the project layout use themselves.
_LAYOUT_NAMES = frozenset({"conftest", "tests", "test", "src", "setup", "mvpgen"})


def project_slug(name: str) -> str:
    """Return a folder name for ``name``: lower-case ASCII letters, digits and dashes.

    Path separators, dots and anything else are dropped, so ``../x`` cannot escape,
    and names Windows reserves (``con``, ``nul``, ...) get a suffix.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    slug = slug[:_MAX_LENGTH].strip("-") or "mvp"
    return f"{slug}-mvp" if slug in _WINDOWS_RESERVED else slug


def distribution_name(slug: str) -> str:
    """Return the name to install the project under, one no installed package has.

    A project called ``pip`` or ``pandas`` would otherwise replace that package, or
    depend on itself, when installed.
    """
    normal = re.sub(r"[-_.]+", "-", slug)
    return f"{slug}-mvp" if normal in _installed_distributions() else slug


def package_name(slug: str) -> str:
    """Return a valid Python package name for a slug that shadows nothing it imports.

    Taken are keywords, the standard library, every module an installed package
    provides (the project's dependencies and theirs), and pytest's own names.
    """
    name = slug.replace("-", "_")
    if name[0].isdigit():
        name = f"mvp_{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in _taken_modules():
        name = f"{name}_mvp"
    return name


def package_problem(name: str) -> str | None:
    """Return why ``name`` cannot be a project's package, or None when it can.

    The rule behind :func:`package_name`, for names a person typed in (plain cookiecutter).
    """
    if not name.isidentifier() or keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return "it must be a Python identifier that starts with a letter and is not a keyword"
    if name in _taken_modules():
        return "it is the name of a standard module or of an installed package"
    return None


@cache
def _installed_distributions() -> frozenset[str]:
    from importlib import metadata

    names = {re.sub(r"[-_.]+", "-", (d.metadata["Name"] or "").lower())
             for d in metadata.distributions()}
    return frozenset(names | {"pip", "setuptools", "wheel"})


@cache
def _taken_modules() -> frozenset[str]:
    from importlib import metadata

    # mvpgen depends on everything a generated project imports, so the modules
    # installed beside it are the ones a project's package must not shadow.
    installed = {name.lower() for name in metadata.packages_distributions()}
    return frozenset(set(sys.stdlib_module_names) | installed | _LAYOUT_NAMES
                     | {"pip", "setuptools", "pkg_resources"})

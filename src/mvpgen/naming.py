"""Turn a free-text project name into a safe folder name and an importable package name."""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata

# Names a generated package must not take: they would shadow what the project imports.
_TAKEN = frozenset(sys.stdlib_module_names) | {
    "click", "cookiecutter", "data_profiling", "matplotlib", "mvpgen", "numpy", "pandas",
    "pyarrow", "pytest", "scipy", "sklearn", "src", "tests", "yaml", "ydata_profiling",
}
_MAX_LENGTH = 60


def project_slug(name: str) -> str:
    """Return a folder name for ``name``: lower-case ASCII letters, digits and dashes.

    Path separators, dots and anything else are dropped, so ``../x`` cannot escape.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:_MAX_LENGTH].strip("-") or "mvp"


def package_name(slug: str) -> str:
    """Return a valid Python package name for a slug that shadows nothing it imports."""
    name = slug.replace("-", "_")
    if name[0].isdigit():
        name = f"mvp_{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in _TAKEN:
        name = f"{name}_mvp"
    return name

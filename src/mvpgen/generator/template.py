"""Where the project template and the bundled examples are, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

from mvpgen.errors import TemplateError

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the installed mvpgen package
# In a checkout (and an editable install) the template sits at the repository's top.
_CHECKOUT_DIR = _PACKAGE_DIR.parents[1]
TEMPLATE_NAME = "cookiecutter-mvp"
PROJECT_DIR = "{{cookiecutter.project_slug}}"
PACKAGE_DIR = "{{cookiecutter.package_name}}"


def _bundled(name: str) -> Path:
    for base in (_PACKAGE_DIR, _CHECKOUT_DIR):
        if (base / name).is_dir():
            return base / name
    msg = f"the {name} folder is missing from the mvpgen installation; reinstall mvpgen"
    raise TemplateError(msg)


def template_dir() -> Path:
    """Return the cookiecutter template's folder.

    Raises:
        TemplateError: when the installation lacks it.
    """
    return _bundled(TEMPLATE_NAME)


def examples_dir() -> Path:
    """Return the folder of bundled examples, one sub-folder with an ``mvp.yaml`` each."""
    return _bundled("examples")

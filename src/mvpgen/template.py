"""Where the project template and the bundled examples are, installed or in a checkout."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

from mvpgen.errors import TemplateError

_PACKAGE_DIR = Path(__file__).resolve().parent
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


def project_module_file(name: str) -> Path:
    """Return the path of a module of the generated project's package inside the template."""
    return template_dir() / PROJECT_DIR / "src" / PACKAGE_DIR / f"{name}.py"


@cache
def _project_package() -> str:
    """Import the template's project package under a private name; return that name.

    mvpgen runs the generated project's own code (the mapping schema, data reading,
    column roles) straight from the template, so what mvpgen accepts and infers is
    exactly what the project will do, and the two cannot drift.
    """
    folder = project_module_file("__init__").parent
    name = "mvpgen._project"
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)])
    if spec is None or spec.loader is None:
        msg = f"cannot load the project template's code from {folder}; reinstall mvpgen"
        raise TemplateError(msg)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return name


def project_module(name: str) -> ModuleType:
    """Return a module of the template's project package, e.g. ``config`` or ``data``."""
    # No __pycache__ inside the template: it would be copied into every project.
    writes_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        return importlib.import_module(f"{_project_package()}.{name}")
    finally:
        sys.dont_write_bytecode = writes_bytecode


def schema() -> ModuleType:
    """Return the template's ``config`` module, which defines the mapping schema."""
    return project_module("config")

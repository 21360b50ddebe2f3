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
def schema() -> ModuleType:
    """Return the generated project's ``config`` module, which defines the mapping schema.

    mvpgen validates a mapping with the very code the generated project runs, so a
    mapping that mvpgen accepts is one the project accepts, and the two cannot drift.
    """
    path = project_module_file("config")
    spec = importlib.util.spec_from_file_location("mvpgen._project_config", path)
    if spec is None or spec.loader is None:
        msg = f"cannot load the mapping schema from {path}; reinstall mvpgen"
        raise TemplateError(msg)
    module = importlib.util.module_from_spec(spec)
    # Registered before running: dataclasses resolve annotations through sys.modules.
    sys.modules[spec.name] = module
    # No __pycache__ inside the template: cookiecutter would copy it into every project.
    writes_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = writes_bytecode
    return module

"""Generate a project from the cookiecutter template: all of it, or nothing at all.

The project is rendered into a hidden folder beside the destination and moved into
place in one rename at the end, so a failure at any step leaves no partial project.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from mvpgen.errors import DestinationError, TemplateError
from mvpgen.generator.naming import distribution_name, package_name, project_slug
from mvpgen.generator.template import template_dir
from mvpgen.mapping import dump_mapping

# Data files up to this size are copied into data/raw/; larger ones are referenced.
COPY_LIMIT_BYTES = 100 * 1000 * 1000


def generate_project(mapping: Any, destination: Path, *, data_file: Path | None = None,
                     findings: tuple[str, ...] = (), copy_limit: int | None = None,
                     template: Path | None = None) -> Path:
    """Render the template for a validated mapping into ``destination``.

    Args:
        mapping: the validated mapping.
        destination: the project folder to create; it must not exist or be empty.
        data_file: the data file to copy in (or reference, above ``copy_limit`` bytes).
        findings: accepted findings, recorded in the checklist.
        copy_limit: the largest data file copied into the project, in bytes
            (default ``COPY_LIMIT_BYTES``).
        template: the cookiecutter template (default: the one mvpgen ships).

    Returns:
        The project folder.

    Raises:
        DestinationError: when the folder exists and is not empty, or cannot be written.
        TemplateError: when the template fails to render.
    """
    destination = Path(os.path.abspath(destination))
    check_destination(destination)
    limit = COPY_LIMIT_BYTES if copy_limit is None else copy_limit
    copy_data = data_file is not None and data_file.stat().st_size <= limit
    if data_file is not None:
        path = f"data/raw/{data_file.name}" if copy_data else str(data_file.resolve())
        mapping = dataclasses.replace(mapping, data=dataclasses.replace(mapping.data, path=path))
    slug = project_slug(mapping.project.name)
    context = render_context(slug, dump_mapping(mapping), findings, mapping.project.name,
                             template)

    # Stage on the destination's own file system, so that moving into place is a rename.
    existing = destination.is_dir()
    staging = None
    try:
        staging = Path(tempfile.mkdtemp(dir=destination if existing else destination.parent,
                                        prefix=".mvpgen-"))
        project = Path(render(context, staging, template))
        if copy_data and data_file is not None:
            shutil.copyfile(data_file, project / mapping.data.path)
        finish_project(project, context)
        if existing:
            _move_contents(project, destination)
        else:
            project.rename(destination)
    except OSError as err:
        msg = f"cannot write the project to {destination}: {err.strerror or err}"
        raise DestinationError(msg) from err
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return destination


def _move_contents(project: Path, destination: Path) -> None:
    """Move a rendered project into an existing empty folder, or leave it empty again.

    The folder itself stays: it may be the user's working directory, a mount point or
    a link, with permissions of its own.
    """
    moved: list[Path] = []
    try:
        for child in sorted(project.iterdir()):
            target = destination / child.name
            child.rename(target)
            moved.append(target)
    except BaseException:
        for target in moved:
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target, ignore_errors=True)
            else:
                target.unlink(missing_ok=True)
        raise


def check_destination(destination: Path) -> None:
    """Refuse a destination that would overwrite anything or cannot be written.

    Raises:
        DestinationError: saying what is wrong and what to do instead.
    """
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        msg = (f"{destination} already exists and is not empty; nothing was changed. "
               "Choose another DIRECTORY, or move that one away first")
        raise DestinationError(msg)
    parent = destination.parent
    if parent.exists() and not parent.is_dir():
        msg = (f"{parent} is a file, so no folder can be made inside it; choose another "
               "DIRECTORY")
        raise DestinationError(msg)
    if not parent.is_dir():
        msg = f"the folder {parent} does not exist; create it first or choose another DIRECTORY"
        raise DestinationError(msg)
    if not os.access(parent, os.W_OK | os.X_OK):
        msg = f"the folder {parent} is not writable; choose another DIRECTORY"
        raise DestinationError(msg)


def finish_project(project: Path, context: dict[str, Any]) -> None:
    """Do what a hook would: drop copied bytecode, record the template, fill the blocks.

    The record (``.mvpgen.json``) keeps the template's files as this version rendered
    them: ``mvpgen update`` merges a later version's changes into the user's edits
    against them.
    """
    for cache in list(project.rglob("__pycache__")):
        shutil.rmtree(cache)
    write_record(project, context)
    from mvpgen.project import Project
    from mvpgen.steps.docs import refresh_all

    refresh_all(Project.load(project))


def write_record(project: Path, context: dict[str, Any]) -> None:
    """Write ``.mvpgen.json``: the version, the answers and the template's own files."""
    import json

    from mvpgen import __version__
    from mvpgen.project import RECORD_FILE

    answers = {k: v for k, v in context["cookiecutter"].items()
               if k in RECORDED_ANSWERS}
    files = {str(p.relative_to(project)): p.read_text(encoding="utf-8")
             for p in sorted(project.rglob("*")) if p.is_file() and is_template_file(p, project)}
    record = {"mvpgen": __version__, "package": answers["package_name"], "answers": answers,
              "files": files}
    (project / RECORD_FILE).write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n",
                                       encoding="utf-8")


# The answers a render needs besides the mapping itself, recorded for `mvpgen update`.
RECORDED_ANSWERS = ("project_name", "project_slug", "package_name", "distribution_name",
                    "mvpgen_version", "_findings")
# What the template makes that the user owns outright (their data, their mapping).
_NOT_MERGED = ("mvp.yaml", ".gitkeep")


def is_template_file(path: Path, project: Path) -> bool:
    """Return whether ``mvpgen update`` merges this file (the template's text files)."""
    relative = path.relative_to(project)
    return (path.name not in _NOT_MERGED and relative.parts[0] not in ("data", "reports",
                                                                        "models")
            and not path.name.startswith(".mvpgen"))


def render_context(slug: str, mapping_yaml: str, findings: tuple[str, ...], name: str,
                   template: Path | None = None, version: str | None = None) -> Any:
    """Return cookiecutter's context for a render: the template's defaults and our answers."""
    from cookiecutter.generate import generate_context

    # Free text travels only as values that are inserted, never rendered: calling
    # generate_files directly skips cookiecutter's prompt step, which would render
    # every value as a Jinja template and so run whatever a requirement contains.
    from mvpgen import __version__

    return generate_context(
        context_file=str((template or template_dir()) / "cookiecutter.json"),
        extra_context={
            "mvpgen_version": version or __version__,
            "project_name": name,
            "project_slug": slug,
            "package_name": package_name(slug),
            "distribution_name": distribution_name(slug),
            "_mvp_yaml": mapping_yaml,
            "_findings": "\n".join(findings),
        },
    )


def render(context: Any, output_dir: Path, template: Path | None = None) -> str:
    """Render the template with ``context`` into ``output_dir``; return the project's path.

    Raises:
        TemplateError: when the template fails to render.
    """
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.generate import generate_files

    try:
        # No hooks: mvpgen finishes the project itself (finish_project), so nothing runs
        # from a temporary script, and nothing is left in the system's temporary folder.
        return generate_files(repo_dir=str(template or template_dir()), context=context,
                              output_dir=str(output_dir), accept_hooks=False)
    except CookiecutterException as err:
        msg = f"the project template failed to render: {err}"
        raise TemplateError(msg) from err

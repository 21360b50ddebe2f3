"""``mvpgen status``: where a generated project stands on the five questions.

The state itself is computed by the project template's own ``status`` module (the
same code behind the project's ``status`` command and its checklist), applied to the
project's files; mvpgen adds its check of the business question, which a project
cannot make about itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mvpgen.answers import read_mapping_file
from mvpgen.checks import business_findings
from mvpgen.errors import MappingFileError
from mvpgen.template import project_module, schema

MAPPING_FILE = "mvp.yaml"


def find_project(project: Path) -> tuple[Path, Path]:
    """Return the project folder and its mapping file.

    Raises:
        MappingFileError: when there is no project there.
    """
    if project.is_file():
        return project.resolve().parent, project
    if not project.exists():
        msg = f"{project} does not exist; pass the folder `mvpgen new` created"
        raise MappingFileError(msg)
    path = project / MAPPING_FILE
    if not path.is_file():
        msg = (f"{project} holds no {MAPPING_FILE}; pass the folder `mvpgen new` created "
               "(or run `mvpgen new` to create one)")
        raise MappingFileError(msg)
    return project.resolve(), path


def project_status(project: Path) -> dict[str, Any]:
    """Return the project's status document (see the template's ``status`` module).

    An invalid mapping is not an error here: question 1 is then open, with the problem,
    and the others wait for it.

    Raises:
        MappingFileError: when there is no project, or its mapping is not YAML at all.
    """
    root, path = find_project(project)
    raw = read_mapping_file(path)
    config = schema()
    status = project_module("status")
    try:
        mapping = config.load_mapping(path)
    except config.MappingError as err:
        return _unloadable(status, raw, err)
    state = status.project_status(root, mapping, _package(root) or "<package>")
    findings = business_findings(raw)
    if findings:
        first = state["questions"][0]
        first["state"] = "open"
        first["figure"] = f"{first['figure']}; {findings[0].problem}"
        first["next"] = f"fix mvp.yaml: {findings[0]}"
        state["next_step"] = first["next"]
    state["findings"] = [str(f) for f in findings]
    return state


def render(state: dict[str, Any]) -> str:
    """Return the status as text: a line per question, then the next step."""
    return project_module("status").render_status(state)


def _unloadable(status: Any, raw: dict[str, Any], err: Exception) -> dict[str, Any]:
    problems = [str(p) for p in getattr(err, "problems", [])] or [str(err)]
    project = raw.get("project")
    name = project.get("name") if isinstance(project, dict) else None
    questions = []
    for number, key, text in status.QUESTIONS:
        first = number == 1
        questions.append({"number": number, "key": key, "question": text, "state": "open",
                          "figure": problems[0] if first else "waits for a valid mvp.yaml",
                          "next": f"fix mvp.yaml: {problems[0]}" if first else None})
    return {"schema_version": status.SCHEMA_VERSION, "project": name or "(unnamed project)",
            "stage": "invalid mapping", "questions": questions,
            "next_step": questions[0]["next"], "findings": problems}


def _package(root: Path) -> str | None:
    """Return the project's package name: the folder under src/ with a __main__.py."""
    found = sorted(p.parent.name for p in root.glob("src/*/__main__.py"))
    return found[0] if found else None

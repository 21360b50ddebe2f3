"""``mvpgen update``: a project made by one template version, edited as a user would,
brought to a changed template; every user line survives, conflicts are marked."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import run, scaffold, tree_digest

from mvpgen import __version__
from mvpgen.generator.template import template_dir
from mvpgen.generator.update import update_project

PACKAGE = "{{cookiecutter.package_name}}"
SLUG = "{{cookiecutter.project_slug}}"


@pytest.fixture
def project(isolated: Path) -> Path:
    made = scaffold("demo", "--example", "churn", "--no-input", "-q")
    assert made.exit_code == 0, made.output
    return isolated / "demo"


@pytest.fixture
def changed_template(isolated: Path) -> Path:
    """The shipped template with the changes a later mvpgen might make."""
    template = isolated / "template-next"
    shutil.copytree(template_dir(), template,
                    ignore=shutil.ignore_patterns("__pycache__"))
    features = template / SLUG / "src" / PACKAGE / "features.py"
    text = features.read_text(encoding="utf-8")
    text = text.replace('    """Return an unfitted scikit-learn transformer',
                        '    """Return an unfitted scikit-learn transformer (changed upstream)')
    features.write_text(text + "\n\n# A helper the next template adds at the end.\n",
                        encoding="utf-8")
    makefile = template / SLUG / "Makefile"
    makefile.write_text(makefile.read_text(encoding="utf-8")
                        + "\ncheck:\n\t$(MVPGEN) check .\n", encoding="utf-8")
    (template / SLUG / "tests" / "test_new_upstream.py").write_text(
        '"""A test the next template ships."""\n\n\ndef test_nothing_to_see() -> None:\n'
        "    assert 1 + 1 == 2\n", encoding="utf-8")
    return template


def package_file(project: Path, name: str) -> Path:
    return next(project.glob(f"src/*/{name}"))


def test_the_record_holds_the_version_and_the_template_files(project: Path) -> None:
    record = json.loads((project / ".mvpgen.json").read_text(encoding="utf-8"))
    assert record["mvpgen"] == __version__
    assert record["package"] == "churn_mvp"
    assert record["answers"]["mvpgen_version"] == __version__
    assert "src/churn_mvp/features.py" in record["files"]
    assert "mvp.yaml" not in record["files"]  # the user's own, never merged
    pin = (project / "pyproject.toml").read_text(encoding="utf-8")
    assert f'dependencies = ["mvpgen~={__version__}"]' in pin


def test_user_edits_survive_an_update_to_a_changed_template(project: Path,
                                                            changed_template: Path) -> None:
    features = package_file(project, "features.py")
    user_lines = [
        '    frame["spend_per_month"] = frame["monthly_charges"] / frame["tenure_months"]',
        "    return frame  # derived by the analytics team",
    ]
    text = features.read_text(encoding="utf-8").replace(
        '    """\n    return frame\n', '    """\n' + "\n".join(user_lines) + "\n", 1)
    features.write_text(text, encoding="utf-8")
    readme = project / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nOur notes: call within a week.\n",
                      encoding="utf-8")
    result = update_project(project, template=changed_template, version="0.3.0")
    assert result.conflicts == []
    # README.md and pyproject.toml name the mvpgen version they run on.
    assert sorted(result.changed) == ["Makefile", "README.md", "pyproject.toml",
                                      "src/churn_mvp/features.py", "tests/test_new_upstream.py"]
    merged = features.read_text(encoding="utf-8")
    for line in user_lines:
        assert line in merged
    assert "(changed upstream)" in merged
    assert merged.endswith("# A helper the next template adds at the end.\n")
    assert "Our notes: call within a week." in readme.read_text(encoding="utf-8")
    assert "check:\n\t$(MVPGEN) check ." in (project / "Makefile").read_text(encoding="utf-8")
    assert (project / "tests" / "test_new_upstream.py").is_file()
    record = json.loads((project / ".mvpgen.json").read_text(encoding="utf-8"))
    assert record["mvpgen"] == "0.3.0"
    assert '"mvpgen~=0.3.0"' in (project / "pyproject.toml").read_text(encoding="utf-8")
    assert result.lines[-1] == "demo is now on mvpgen 0.3.0 (was 0.2.0)"


def test_a_line_both_changed_gets_conflict_markers(project: Path,
                                                   changed_template: Path) -> None:
    features = package_file(project, "features.py")
    text = features.read_text(encoding="utf-8").replace(
        '    """Return an unfitted scikit-learn transformer',
        '    """Return OUR transformer', 1)
    features.write_text(text, encoding="utf-8")
    result = update_project(project, template=changed_template, version="0.3.0")
    assert result.conflicts == ["src/churn_mvp/features.py"]
    merged = features.read_text(encoding="utf-8")
    assert "<<<<<<< yours\n" in merged and ">>>>>>> mvpgen 0.3.0\n" in merged
    assert '    """Return OUR transformer' in merged
    assert "(changed upstream)" in merged
    assert "conflict: src/churn_mvp/features.py" in result.lines


def test_the_command_lists_conflicts_with_exit_code_1(project: Path) -> None:
    # A project made by an older mvpgen, whose features.py the template has changed since.
    record_file = project / ".mvpgen.json"
    record = json.loads(record_file.read_text(encoding="utf-8"))
    path = "src/churn_mvp/features.py"
    record["mvpgen"] = "0.1.9"
    record["files"][path] = record["files"][path].replace("This file is yours.",
                                                          "This file is yours (old words).")
    record_file.write_text(json.dumps(record), encoding="utf-8")
    features = project / path
    features.write_text(features.read_text(encoding="utf-8").replace(
        "This file is yours.", "This file is ours."), encoding="utf-8")
    result = run("update", str(project))
    assert result.exit_code == 1
    assert "conflict: src/churn_mvp/features.py" in result.output
    assert result.output.strip().endswith(
        "Error: 1 file(s) were changed by you and by this mvpgen in the same lines; keep the "
        "lines you want, delete the markers, then `mvpgen run`")


def test_a_dry_run_shows_the_diff_and_changes_nothing(project: Path,
                                                      changed_template: Path) -> None:
    before = tree_digest(project)
    result = update_project(project, dry_run=True, template=changed_template, version="0.3.0")
    assert tree_digest(project) == before
    assert "+# A helper the next template adds at the end." in result.lines
    assert result.lines[-1] == "5 file(s) would change; nothing was written (dry run)"


def test_an_older_project_is_told_to_update_in_one_line(project: Path) -> None:
    record_file = project / ".mvpgen.json"
    record = json.loads(record_file.read_text(encoding="utf-8"))
    record["mvpgen"] = "0.1.9"
    record_file.write_text(json.dumps(record), encoding="utf-8")
    result = run("-C", str(project), "summary")
    assert result.exit_code == 2
    assert result.output == (f"Error: demo was made with mvpgen 0.1.9; this is mvpgen "
                             f"{__version__}: run `mvpgen update {project}` to bring it up to "
                             "date (your edits are kept)\n")
    updated = run("update", str(project))
    assert updated.exit_code == 0, updated.output
    assert run("-C", str(project), "show").exit_code == 0


def test_a_project_that_carries_its_own_engine_is_told_how_to_start_anew(
        isolated: Path) -> None:
    old = isolated / "old"
    (old / "src" / "old_mvp").mkdir(parents=True)
    for name in ("baseline.py", "config.py", "__main__.py"):
        (old / "src" / "old_mvp" / name).write_text("", encoding="utf-8")
    (old / "mvp.yaml").write_text("project: {name: Old}\n", encoding="utf-8")
    for command in (("-C", str(old), "baseline"), ("update", str(old))):
        result = run(*command)
        assert result.exit_code == 2
        assert result.output == (
            "Error: old was made by mvpgen 0.1, which copied its own engine into the project; "
            f"make it anew from its mapping with `mvpgen new NEW_FOLDER --mapping "
            f"{old / 'mvp.yaml'}` and carry your edits over\n")


def test_the_template_default_version_is_this_mvpgen() -> None:
    # Plain `cookiecutter cookiecutter-mvp/` pins the release the template ships with.
    defaults = json.loads((template_dir() / "cookiecutter.json").read_text(encoding="utf-8"))
    assert defaults["mvpgen_version"] == __version__

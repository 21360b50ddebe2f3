"""Shared fixtures: an isolated user environment, mapping files, and a CLI runner."""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from mvpgen.cli import main
from mvpgen.generator.template import examples_dir

CHURN = examples_dir() / "churn"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run every test in its own folder, with its own HOME and no cookiecutter config."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    # cookiecutter's own config and replay files go to the test's home, not the user's.
    rc = home / "cookiecutterrc.yaml"
    rc.write_text(f"cookiecutters_dir: {home / 'cookiecutters'}\n"
                  f"replay_dir: {home / 'replay'}\n", encoding="utf-8")
    monkeypatch.setenv("COOKIECUTTER_CONFIG", str(rc))
    monkeypatch.delenv("MVPGEN_DEBUG", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def churn_raw() -> dict[str, Any]:
    """The churn example's mapping, as raw data; its data path made absolute."""
    raw = yaml.safe_load((CHURN / "mvp.yaml").read_text(encoding="utf-8"))
    raw["data"]["path"] = str(CHURN / raw["data"]["path"])
    return copy.deepcopy(raw)


def write_mapping(path: Path, raw: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def run(*args: str, input: str | None = None) -> Result:
    """Run ``mvpgen ARGS`` in-process, stdout and stderr kept apart.

    ``-C DIR`` changes the working folder, as in a shell; it is restored afterwards.
    """
    here = os.getcwd()
    try:
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False,
                                  prog_name="mvpgen")
    finally:
        os.chdir(here)


def scaffold(*args: str, input: str | None = None) -> Result:
    """Run ``mvpgen new --no-run ARGS``: generate the project, run none of its steps."""
    return run("new", "--no-run", *args, input=input)


def tree_digest(folder: Path) -> dict[str, str]:
    """Return every file below ``folder`` with the SHA-256 of its content."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def holding_lock(project: Path) -> Iterator[Any]:
    """Hold ``project``'s lock while the fixture lives, as another command writing would."""
    from filelock import FileLock

    from mvpgen.store.lock import LOCK_FILE

    lock = FileLock(str(project / LOCK_FILE))
    lock.acquire(timeout=0)
    yield lock
    lock.release()


def small_project(folder: Path, frame: Any) -> Path:
    """Make a binary project on ``frame`` (customer_id, churned, ...) and run its baseline.

    Seconds to make: 200 resamples, no EDA. Returns the project folder.
    """
    frame.to_csv(folder / "small.csv", index=False)
    raw = {"project": {"name": "Small"},
           "business": {"requirement": "Keep customers longer", "kpi": "churn",
                        "current": 0.3, "goal": 0.2},
           "technical": {"task": "binary", "target": "churned", "positive_label": "yes",
                         "metric": "roc_auc", "threshold": 0.6},
           "data": {"path": str(folder / "small.csv"), "id_columns": ["customer_id"]},
           "settings": {"bootstrap_resamples": 200, "eda": "off"}}
    (folder / "small.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    assert scaffold("small", "--mapping", str(folder / "small.yaml"), "--no-input",
                    "-q").exit_code == 0
    project = folder / "small"
    assert run("-C", str(project), "baseline", "-q").exit_code == 0
    return project


def churn_example(folder: Path, *, resamples: int = 200) -> Path:
    """Generate the churn example in ``folder`` without running a step; return the project.

    Fewer bootstrap resamples than the example's: where the intervals do not matter, the
    minutes do.
    """
    assert scaffold("churn", "--example", "churn", "--no-input", "-q").exit_code == 0
    project = folder / "churn"
    mapping = project / "mvp.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace(
        "bootstrap_resamples: 1000", f"bootstrap_resamples: {resamples}"), encoding="utf-8")
    return project


def churn_after_baseline(folder: Path, edit: Any = None) -> Path:
    """Generate the churn example in ``folder`` and run its baseline, for a module to share.

    ``edit`` may change the project (e.g. its mvp.yaml) before the baseline runs. HOME
    and the working folder are the module's own while it is made.
    """
    here = os.getcwd()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(folder))  # matplotlib's and cookiecutter's files go there
        os.chdir(folder)
        try:
            assert scaffold("churn", "--example", "churn", "--no-input", "-q").exit_code == 0
            if edit is not None:
                edit(folder / "churn")
            result = run("-C", str(folder / "churn"), "baseline", "-q")
            assert result.exit_code == 0, result.output
        finally:
            os.chdir(here)
    return folder / "churn"


def run_project(project: Path, *args: str) -> subprocess.CompletedProcess:
    """Run ``mvpgen ARGS`` inside a generated project, in a process of its own."""
    return subprocess.run([sys.executable, "-m", "mvpgen", *args], cwd=project,
                          capture_output=True, text=True, env={**os.environ,
                                                               "PYTHONIOENCODING": "utf-8"})


def in_project(project: Path, *args: str) -> Result:
    """Run ``mvpgen -C PROJECT ARGS`` in-process (fast; for commands that fit no model)."""
    return run("-C", str(project), *args)


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def chromium() -> str:
    """Return Debian's Chromium; skip without it, or fail under MVPGEN_REQUIRE_BROWSER=1."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("MVPGEN_REQUIRE_BROWSER") == "1":
        pytest.fail("chromium is not installed (apt-get install chromium)")
    pytest.skip("chromium is not installed; set MVPGEN_REQUIRE_BROWSER=1 to make this fail")
    return ""


@pytest.fixture
def browser_page(tmp_path: Path) -> Any:
    """A page of headless Chromium, driven by Playwright, that may download files."""
    executable = chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        context = browser.new_context(accept_downloads=True)
        yield context.new_page()
        context.close()
        browser.close()


@pytest.fixture(scope="session")
def installed_mvpgen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build mvpgen's wheel and install it into a folder of its own; return the folder.

    Put the folder on PYTHONPATH to run the installed package, template and examples
    included, instead of this checkout.
    """
    folder = tmp_path_factory.mktemp("installed")
    wheels, site = folder / "wheels", folder / "site"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(wheels), str(REPO)], check=True, capture_output=True)
    wheel = next(wheels.glob("mvpgen-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    "--target", str(site), str(wheel)], check=True, capture_output=True)
    return site

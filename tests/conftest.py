"""Shared fixtures: an isolated user environment, mapping files, and a CLI runner."""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
import subprocess
import sys
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

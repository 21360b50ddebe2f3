"""``mvpgen --help`` starts fast: no command's help imports a heavy library."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("pandas", "sklearn", "scipy", "data_profiling", "ydata_profiling", "matplotlib",
         "numpy", "cookiecutter", "pyarrow", "pyspark", "py4j")
PROBE = """
import sys
from mvpgen.cli import main
try:
    main({args!r})
except SystemExit:
    pass
print("LOADED", sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy!r})))
"""


# The project commands live in mvpgen too now: their help must be as quick as the rest.
PROJECT_COMMANDS = ("eda", "baseline", "review", "feedback", "predict", "status", "summary",
                    "run", "show", "refresh")


@pytest.mark.parametrize("args", [["--help"], ["new", "--help"], ["check", "--help"],
                                  ["--version"], ["init", "--help"], ["update", "--help"],
                                  ["examples", "--help"],
                                  *([name, "--help"] for name in PROJECT_COMMANDS)])
def test_help_imports_no_heavy_library(args):
    code = PROBE.format(args=args, heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.splitlines()[-1] == "LOADED []"


def test_python_dash_m_runs_the_cli():
    out = subprocess.run([sys.executable, "-m", "mvpgen", "--version"], capture_output=True,
                         text=True, check=True).stdout
    assert out.startswith("mvpgen, version ")

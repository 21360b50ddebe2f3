"""Run the project's steps as ``python -m <package>``: the same commands as ``mvpgen``."""

from mvpgen.cli import project_main

project_main(__package__ or "project")

"""Errors mvpgen reports to its users; each message says what is wrong and how to fix it.

Every one of them is printed as one line (``Error: ...``) with its exit code; only a
bug, an error that is none of these, shows as "unexpected" with exit code 3.
"""

from __future__ import annotations

from typing import Any


class MvpgenError(Exception):
    """Root of every error mvpgen reports as one line, without a traceback."""

    exit_code = 2


class DataError(MvpgenError, ValueError):
    """Raised when data cannot be used; the message names the file, the column and the fix."""


DataFileError = DataError  # the generator's older name for the same thing


class MissingColumnError(DataError):
    """Raised when a data file lacks a column the mapping names; lists the columns it has."""


class MappingError(MvpgenError, ValueError):
    """Raised when ``mvp.yaml`` cannot be read or does not describe a valid mapping."""

    def __init__(self, source: str, problems: list[Any]) -> None:
        self.source = source
        self.problems = problems
        first = problems[0] if problems else "no mapping found"
        more = f" (and {len(problems) - 1} more above)" if len(problems) > 1 else ""
        super().__init__(f"{source} is not a valid mapping: {first}{more}")
        # Printed above the message, one per line, by the command line.
        self.findings = [f"  {p}" for p in problems[1:]]


class MappingFileError(MvpgenError):
    """Raised when a mapping file cannot be found, read or parsed as YAML."""


class ProjectError(MvpgenError):
    """Raised when a folder holds no project, or a project this mvpgen cannot run."""


class ModelError(MvpgenError, ValueError):
    """Raised when the saved model is missing, unreadable, or not the one this project wrote."""


class BlockError(MvpgenError, ValueError):
    """Raised when a file's block markers are missing, duplicated or out of order."""


class MissingAnswerError(MvpgenError):
    """Raised when --no-input leaves a required answer missing; names the option to pass."""


class DestinationError(MvpgenError):
    """Raised when the project directory exists and is not empty, or cannot be written."""


class TemplateError(MvpgenError):
    """Raised when the project template cannot be found or fails to render."""


class MappingProblemsError(MvpgenError):
    """Raised when a mapping's answers are wrong (a typo, a wrong type), not merely missing.

    The first problem is the message; the others travel in ``findings``, printed above it.
    """

    def __init__(self, problems: list) -> None:
        more = f" (and {len(problems) - 1} more above)" if len(problems) > 1 else ""
        super().__init__(f"{problems[0]}{more}")
        self.findings = problems[1:]


class FindingsError(MvpgenError):
    """Raised when a mapping has findings and generation was not told to allow them."""

    exit_code = 1

    def __init__(self, message: str, findings: list) -> None:
        super().__init__(message)
        self.findings = findings


class UpdateConflictError(MvpgenError):
    """Raised when ``mvpgen update`` leaves conflict markers in files a user edited."""

    exit_code = 1

    def __init__(self, message: str, files: list) -> None:
        super().__init__(message)
        self.findings = [f"conflict: {name}" for name in files]

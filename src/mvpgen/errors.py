"""Errors mvpgen reports to its users; each message says what is wrong and how to fix it."""

from __future__ import annotations


class MvpgenError(Exception):
    """Root of every error mvpgen reports as one line, without a traceback."""

    exit_code = 2


class MappingFileError(MvpgenError):
    """Raised when a mapping file cannot be found, read or parsed as YAML."""


class DataFileError(MvpgenError):
    """Raised when a data file cannot be found or read."""


class MissingColumnError(DataFileError):
    """Raised when a data file lacks a column the mapping names; lists the columns it has."""


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

"""Errors in other tools' files: the same one-line ``FILE:LINE: field: what (allowed)``
problems as case files, so the CLI reports them alike (exit code 2, no traceback)."""

from __future__ import annotations

from blocs.scenario.load import CaseError, Problem


class FormatError(CaseError):
    """A file in another tool's format that cannot be read; ``problems`` lists why."""


def problem(file: str, line: int, field: str, message: str) -> Problem:
    """One problem: ``field`` names the column or record (``Salience``, ``row 3``)."""
    return Problem(file=file, line=line, path=field, message=message)

"""Errors in other tools' files: the same one-line ``FILE:LINE: field: what (allowed)``
problems as case files, so the CLI reports them alike (exit code 2, no traceback)."""

from __future__ import annotations

from blocs.scenario import CaseError, ErrorLine


class FormatError(CaseError):
    """A file in another tool's format that cannot be read; ``problems`` lists why."""


def problem(file: str, line: int, field: str, message: str) -> ErrorLine:
    """One problem: ``field`` names the column or record (``Salience``, ``row 3``)."""
    return ErrorLine(file=file, line=line, path=field, message=message)


def refused(label: str, prob, refusals, line: int, fields, prefix: str = "") -> list[ErrorLine]:
    """The `blocs.bargaining.problem.check_problem` refusals of ``prob`` as one-line problems.

    An actor's value is reported on its line (``prob.meta["lines"]``), the whole issue's
    (its weight, its scale) on ``line`` with ``prefix`` (e.g. ``"issue 'x': "``) before the
    message; ``fields(refusal)`` names the column or record of each refusal.
    """
    lines = tuple(prob.meta.get("lines") or ())
    out = []
    for r in refusals:
        if r.actor is not None and r.actor < len(lines):
            out.append(problem(label, lines[r.actor], fields(r), r.message))
        else:
            out.append(problem(label, line, fields(r), prefix + r.message))
    return out

"""Pieces several commands share: loading a case with one-line errors, and the help texts of
the arguments that name a case."""

from __future__ import annotations

from typing import Any

from blocs.commands.output import fail, warn

CASE_HELP = ("A built-in case (see 'blocs cases') or a case file; write a local file named "
             "like a built-in case as a path, e.g. ./serbia-2024.yaml.")


def load(case: str) -> Any:
    """The scenario of ``case``; one line per problem and exit code 2 when it is unusable,
    one line per warning on stderr when it is usable but says something it should know."""
    from blocs.scenario import CaseError, load_case

    try:
        scenario = load_case(case)
    except CaseError as exc:
        raise fail([str(p) for p in exc.problems]) from None
    warn(scenario.warnings)
    return scenario

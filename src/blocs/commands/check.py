"""``blocs check FILE...``: validate case files, one line per problem."""

from __future__ import annotations

from typing import Annotated

import typer

from blocs.commands.output import fail, say, warn


def check(
    files: Annotated[list[str], typer.Argument(
        help="Case files (or built-in case names) to validate.", metavar="FILE...",
        show_default=False)],
) -> None:
    """Validate case files; print one line per problem ('FILE:LINE: field: what (allowed)').

    Exit code 0 when every file is valid, 2 otherwise.

    Example:

      blocs check my-case.yaml
    """
    from blocs.scenario import CaseError, load_case

    problems: list[str] = []
    for name in files:
        try:
            s = load_case(name)
        except CaseError as exc:
            problems += [str(p) for p in exc.problems]
            continue
        warn(s.warnings)
        say(f"{name}: ok ({len(s.actors)} actors, {len(s.case.ties)} ties, "
            f"{len(s.case.issues)} issues, {len(s.sources)} sources"
            + (f"; {len(s.warnings)} warnings" if s.warnings else "") + ")")
    if problems:
        raise fail(problems)

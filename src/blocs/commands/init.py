"""``blocs init FILE``: an editable copy of a built-in case."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from blocs.commands.output import fail, say
from blocs.textfile import write_whole


def init(
    file: Annotated[Path, typer.Argument(help="Where to write the new case file.",
                                         metavar="FILE", show_default=False)],
    source: Annotated[str | None, typer.Option(
        "--from", metavar="CASE", help="The built-in case to copy (default: the first listed).",
        show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
) -> None:
    """Write an editable copy of a built-in case as a starting point.

    Example:

      blocs init --from serbia-2024 my-case.yaml
    """
    from blocs.scenario import builtin_cases
    from blocs.scenario.load import builtin_case_text

    names = builtin_cases()
    if source is None:
        source = names[0]
    if source not in names:
        raise fail(f"--from: unknown built-in case '{source}' (allowed: {', '.join(names)})")
    if file.exists() and file.is_dir():
        raise fail(f"{file}: is a folder (allowed: a file name such as my-case.yaml)")
    if file.exists() and not force:
        raise fail(f"{file}: already exists (allowed: a new file, or --force to overwrite)")
    text = builtin_case_text(source)
    try:
        write_whole(file, text.encode("utf-8"))
    except OSError as exc:
        raise fail(f"{file}: cannot write: {exc.strerror or exc}") from None
    say(f"Wrote {file} (a copy of {source}). Edit it, then: blocs check {file}")

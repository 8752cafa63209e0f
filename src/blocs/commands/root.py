"""The options of ``blocs`` itself (before a command): ``--version``, ``--help``."""

from __future__ import annotations

from typing import Annotated

import typer

from blocs import __version__


def _version(value: bool) -> None:
    if value:
        print(f"blocs {__version__}")
        raise typer.Exit()


def root(
    version: Annotated[bool, typer.Option(
        "--version", "-V", callback=_version, is_eager=True,
        help="Print the version and exit.")] = False,
) -> None:
    """Model how a state balances between rival power blocs."""

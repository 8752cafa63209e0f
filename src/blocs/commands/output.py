"""How every command reports: problems to stderr one line each (exit code 2), plain lines to
stdout, and Rich tables sized for a terminal or, when piped, 140 columns."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from blocs.scenario.load import one_line


def console() -> Console:
    """The stdout console for tables."""
    return Console(soft_wrap=False, width=None if sys.stdout.isatty() else 140)


def fail(lines: list[str] | str) -> typer.Exit:
    """Print problem lines verbatim to stderr (no markup, emoji or wrapping); the Exit to raise
    (code 2)."""
    for line in [lines] if isinstance(lines, str) else lines:
        sys.stderr.write(one_line(line) + "\n")
    return typer.Exit(code=2)


def say(line: str) -> None:
    """One plain line to stdout, never wrapped."""
    sys.stdout.write(one_line(line) + "\n")

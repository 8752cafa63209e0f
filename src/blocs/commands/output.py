"""How every command reports.

* Problems go to stderr, one line each, exit code 2 (`fail`).
* Tables go to stdout through `console()`: a Rich console that prints every string as plain
  text.  Names, questions and titles come from users' files, so markup (``[bold]``), emoji
  codes and highlighting are off and unprintable characters are escaped (`blocs.text`):
  a file can neither crash the output nor drive the terminal.  Styles are given as
  ``style=`` arguments, never as markup.
* Width: the terminal's; when piped, ``COLUMNS`` if set, else 140 columns.  ``NO_COLOR``
  turns colours off (Rich reads it).
* Long work shows a progress bar on stderr, only when stderr is a terminal (`progress_bar`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from blocs.text import printable

#: Columns of piped output when COLUMNS is not set: wide enough for every table unwrapped.
PIPED_WIDTH = 140


class SafeConsole(Console):
    """A Rich console that treats every string as text (see the module)."""

    def render_str(self, text: str, **kwargs: Any):  # type: ignore[override]
        kwargs.update(markup=False, emoji=False, highlight=False)
        return super().render_str(printable(text, keep_newlines=True), **kwargs)


def console(stderr: bool = False) -> Console:
    """The console for tables on stdout (or stderr)."""
    stream = sys.stderr if stderr else sys.stdout
    width = None
    if not stream.isatty() and not os.environ.get("COLUMNS", "").strip().isdigit():
        width = PIPED_WIDTH
    return SafeConsole(file=stream, soft_wrap=False, width=width, stderr=stderr)


def table(title: str | None = None, *columns: str | tuple[str, str]) -> Table:
    """A table whose cells wrap rather than being cut short (80 columns stay readable).
    ``columns``: names, or (name, "right") for right-aligned numbers."""
    t = Table(title=title)
    for col in columns:
        name, justify = (col, "left") if isinstance(col, str) else col
        t.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    return t


def fail(lines: list[str] | str, code: int = 2) -> typer.Exit:
    """Print problem lines to stderr, one line each, as plain text; the Exit to raise
    (code 2: bad input; 130: interrupted)."""
    for line in [lines] if isinstance(lines, str) else lines:
        sys.stderr.write(printable(line) + "\n")
    return typer.Exit(code=code)


def warn(lines) -> None:
    """Warnings (`ErrorLine`s a case may keep but should know) to stderr, one line each, as
    compilers write them: ``FILE:LINE: warning: field: what (allowed)``."""
    for w in lines:
        sys.stderr.write(printable(f"{w.file}:{w.line}: warning: {w.path}: {w.message}") + "\n")


def say(line: str) -> None:
    """One plain line to stdout, never wrapped."""
    sys.stdout.write(printable(line) + "\n")


def write(text: str) -> None:
    """Text (e.g. one JSON document) to stdout in one piece."""
    sys.stdout.write(text)
    sys.stdout.flush()


@contextmanager
def progress_bar() -> Iterator[None]:
    """Show the progress of long work (`blocs.progress`) as a Rich bar on stderr, started at
    the first task and only when stderr is a terminal; the bar vanishes when done."""
    from blocs import progress

    if not sys.stderr.isatty():
        yield
        return
    bar: list[Any] = []  # the Rich Progress, once a task starts

    def listen(description: str, total: int | None):
        if not bar:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            bar.append(Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False),
                                BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                console=console(stderr=True), transient=True))
            bar[0].start()
        task = bar[0].add_task(printable(description), total=total)
        return (lambda steps: bar[0].advance(task, steps)), (lambda: bar[0].remove_task(task))

    try:
        with progress.listening(listen):
            yield
    finally:
        if bar:
            bar[0].stop()

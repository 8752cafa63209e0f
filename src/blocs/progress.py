"""Progress of long computations, reported to whoever listens.

The models and analyses say how far they are with `task`; they never draw anything.  The
command line installs a listener (a Rich progress bar on stderr, only on a terminal) with
`listening`; without one, reporting costs a function call.  Kept apart from the models so
that a library user sees nothing unless they ask for it (Mesa's rule: the visualisation stays
outside the model).

>>> with task("rounds", total=3) as advance:
...     for _ in range(3):
...         advance()
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: A listener: called with (description, total) when a task starts; returns the callback
#: that takes the number of steps done since the last call, and a function that ends the task.
Listener = Callable[[str, "int | None"], "tuple[Callable[[int], None], Callable[[], None]]"]

_listener: Listener | None = None


def _nothing(steps: int = 1) -> None:
    return None


@contextmanager
def task(description: str, total: int | None = None) -> Iterator[Callable[..., None]]:
    """Report a task of ``total`` steps (None: unknown); yields ``advance(steps=1)``."""
    if _listener is None:
        yield _nothing
        return
    advance, finish = _listener(description, total)
    try:
        yield lambda steps=1: advance(steps)
    finally:
        finish()


@contextmanager
def listening(listener: Listener | None) -> Iterator[None]:
    """Send every task started inside the block to ``listener`` (None: to nobody)."""
    global _listener
    before, _listener = _listener, listener
    try:
        yield
    finally:
        _listener = before


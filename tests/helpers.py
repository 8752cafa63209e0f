"""Small hand-made cases for model tests."""

from __future__ import annotations

import textwrap

from blocs.scenario import Scenario, load_text

HEAD = """\
format: 1
name: Hand case
focus: TGT
year: 2024
sources:
  s: {title: invented for a test}
"""


def case(body: str, head: str = HEAD) -> Scenario:
    """Load a case from the common head plus ``body`` (YAML, dedented)."""
    return load_text(head + textwrap.dedent(body), "<test>")

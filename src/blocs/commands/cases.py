"""``blocs cases``: the built-in cases."""

from __future__ import annotations

from blocs.commands.output import console, table


def cases() -> None:
    """List the built-in cases.

    Example:

      blocs cases
    """
    from blocs.scenario import builtin_cases, load_case

    t = table("Built-in cases", "case", "name", "focus", ("year", "right"), ("ties", "right"),
              ("sources", "right"))
    for name in builtin_cases():
        s = load_case(name)
        t.add_row(name, s.name, s.focus, str(s.year), str(len(s.case.ties)), str(len(s.sources)))
    console().print(t)

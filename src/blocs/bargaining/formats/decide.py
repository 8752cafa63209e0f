"""Decide's input files (Stokman's exchange model, foarsitter/decide-exchange-model).

Every row starts with an identifier; cells are separated by tabs, ``;`` or ``,`` (the one after
the first identifier) and may be quoted with ``'`` or ``"``:

* ``#A key name [comment]``: an actor;
* ``#P key name [comment]``: an issue;
* ``#M issue position [meaning]``: a point of the issue's scale; the lowest and highest points
  give the scale (none: 0 to 100);
* ``#D actor issue position salience power``: salience in [0, 1] (`SALIENCE_RULE`, as Decide's
  own reader checks it), power >= 0, position on the issue's scale;
* ``#/`` and ``#0`` rows are comments and an ``#O`` row is the title (older files).

A quoted cell may hold a line break: the file is read by one csv reader, as Decide reads it.

One problem per issue (``#P`` order) with the actors that have a ``#D`` row on it, in ``#A``
order; positions stay on the issue's scale (``Problem.scale``), salience and power as given.  An
issue declared without any ``#D`` row (the 2016 ``kopenhagen.csv`` has two) has no stakeholders
and is left out; its key is listed in ``meta["empty_issues"]`` of every problem.

Example (tab-separated)::

    #A  USA     United States
    #A  EU      European Union
    #P  treaty  New treaty vs extension of Kyoto
    #M  treaty  0
    #M  treaty  100
    #D  USA     treaty  10  0.9  0.26
    #D  EU      treaty  50  0.4  0.156
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from blocs.bargaining import formats
from blocs.bargaining.formats import fmt_number, number, raise_problems, show
from blocs.bargaining.formats.errors import FormatError, problem, refused
from blocs.bargaining.problem import Problem, check_problem

ALLOWED_FILE = "a Decide file: rows #A actor, #P issue, #M issue point, #D data, #/ comments"
ALLOWED_TAGS = "#A, #P, #M, #D, #/ or #0 (comment), #O (title)"
LAYOUT = {
    "#A": ("key", "name"),
    "#P": ("key", "name"),
    "#M": ("issue", "position"),
    "#D": ("actor", "issue", "position", "salience", "power"),
}
REQUIRED = {"#A": 1, "#P": 1, "#M": 2, "#D": 5}  # cells needed after the identifier
SALIENCE_RANGE = (0.0, 1.0)
#: The salience rule of the format, as the messages state it.
SALIENCE_RULE = "a number from 0 to 1"


@dataclass
class _Issue:
    key: str
    name: str
    line: int
    points: list[tuple[float, int]] = field(default_factory=list)
    data: dict[str, tuple[float, float, float, int]] = field(default_factory=dict)


_ROW = re.compile(r"""^\s*['"]?#[APMDO]""", re.IGNORECASE)


def _layout(tag: str) -> str:
    return ", ".join((tag, *LAYOUT[tag]))


def _dialect(first: str) -> tuple[str, str]:
    """(delimiter, quote character) from the first row."""
    stripped = first.lstrip()
    quote = stripped[0] if stripped[:1] in ("'", '"') else '"'
    rest = stripped[1:] if stripped[:1] == quote else stripped
    rest = rest[2:]  # past '#X'
    if rest[:1] == quote:
        rest = rest[1:]
    delimiter = rest[:1] if rest[:1] in ("\t", ";", ",") else ""
    if not delimiter:
        delimiter = next((d for d in ("\t", ";", ",") if d in first), "\t")
    return delimiter, quote


def read_decide(path: str | Path) -> list[Problem]:
    """The issues of a Decide input file, one problem each (see the module's description).

    Raises `FormatError` with one line per problem (file, line, cell, what, allowed).
    """
    label, text = formats.read_text(path, ALLOWED_FILE)
    lines = formats.split_lines(text)
    first = next((ln for ln in lines if _ROW.match(ln)), None)
    delimiter, quote = _dialect(first or next(ln for ln in lines if ln.strip()))

    records = formats.csv_records(text, label, delimiter=delimiter, quotechar=quote)
    problems = []
    title: str | None = None
    actors: dict[str, tuple[str, int]] = {}  # key -> (name, line)
    issues: dict[str, _Issue] = {}
    points: list[tuple[str, str, int]] = []  # (issue, position cell, line)
    data: list[tuple[list[str], int]] = []
    tagged = 0
    for record in records:
        lineno = record.line
        cells = [c.strip() for c in record.cells]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        tag = cells[0].upper()
        if tag.startswith("#/") or tag == "#0":
            tagged += 1
            continue
        if tag == "#O":
            tagged += 1
            title = title or (cells[1] if len(cells) > 1 else None)
            continue
        if tag not in LAYOUT:
            problems.append(problem(label, lineno, "(row)", (
                f"unknown row identifier {show(cells[0])} (allowed: {ALLOWED_TAGS})"
            )))
            continue
        tagged += 1
        if len(cells) - 1 < REQUIRED[tag]:
            problems.append(problem(label, lineno, tag, (
                f"{len(cells)} cells (allowed: {_layout(tag)}"
                + (", optional name" if tag == "#M" else "")
                + ")"
            )))
            continue
        if tag == "#A" or tag == "#P":
            key = cells[1]
            seen = actors if tag == "#A" else issues
            what = "actor" if tag == "#A" else "issue"
            if not key:
                problems.append(problem(label, lineno, f"{tag} key", (
                    f"empty {what} key (allowed: a key such as USA)"
                )))
            elif key in seen:
                firstline = seen[key][1] if tag == "#A" else seen[key].line
                problems.append(problem(label, lineno, f"{tag} key", (
                    f"duplicate {what} {show(key)}, first on line {firstline} "
                    f"(allowed: each {what} once)"
                )))
            elif tag == "#A":
                actors[key] = (cells[2] if len(cells) > 2 and cells[2] else key, lineno)
            else:
                issues[key] = _Issue(key, cells[2] if len(cells) > 2 and cells[2] else key,
                                     lineno)
        elif tag == "#M":
            points.append((cells[1], cells[2], lineno))
        else:
            data.append((cells, lineno))

    if tagged == 0:
        raise FormatError([problem(label, 1, "(file)", (
            f"no Decide rows: no line starts with an identifier (allowed: {ALLOWED_TAGS})"
        ))])
    for key, cell, lineno in points:
        if key not in issues:
            problems.append(problem(label, lineno, "#M issue", (
                f"unknown issue {show(key)} (allowed: an issue declared in a #P row)"
            )))
            continue
        x = number(cell)
        if x is None:
            problems.append(problem(label, lineno, "#M position", (
                f"{show(cell)} is not a number (allowed: a number such as 100)"
            )))
        else:
            issues[key].points.append((x, lineno))
    scales: dict[str, tuple[float, float]] = {}
    for issue in issues.values():
        if not issue.points:
            scales[issue.key] = (0.0, 100.0)
            continue
        low = min(x for x, _ in issue.points)
        high = max(x for x, _ in issue.points)
        if low == high:
            problems.append(problem(label, issue.points[-1][1], "#M position", (
                f"the scale of issue {show(issue.key)} has one point, {fmt_number(low)} "
                "(allowed: #M rows for at least its lowest and highest positions)"
            )))
        scales[issue.key] = (low, high)

    for cells, lineno in data:
        _, actor, key, *values = cells
        ok = True
        if actor not in actors:
            ok = False
            problems.append(problem(label, lineno, "#D actor", (
                f"unknown actor {show(actor)} (allowed: an actor declared in an #A row)"
            )))
        if key not in issues:
            ok = False
            problems.append(problem(label, lineno, "#D issue", (
                f"unknown issue {show(key)} (allowed: an issue declared in a #P row)"
            )))
        nums: list[float] = []
        low, high = scales.get(key, (0.0, 100.0))
        for name, cell, allowed, lo, hi in (
            ("position", values[0], f"a number from {fmt_number(low)} to {fmt_number(high)}"
             + (", the issue's #M scale" if key in issues and issues[key].points
                else ", the scale of an issue without #M rows"),
             low, high),
            ("salience", values[1], SALIENCE_RULE, *SALIENCE_RANGE),
            ("power", values[2], "a number >= 0", 0.0, float("inf")),
        ):
            x = number(cell)
            if x is None:
                ok = False
                problems.append(problem(label, lineno, f"#D {name}", (
                    f"{show(cell)} is not a number (allowed: {allowed})"
                )))
            elif not lo <= x <= hi:
                ok = False
                if name != "position" or key in issues:
                    problems.append(problem(label, lineno, f"#D {name}", (
                        f"{fmt_number(x)} is "
                        + ("negative" if name == "power" else "out of range")
                        + f" (allowed: {allowed})"
                    )))
            nums.append(x if x is not None else float("nan"))
        if ok:
            issue = issues[key]
            if actor in issue.data:
                problems.append(problem(label, lineno, "#D", (
                    f"second row for actor {show(actor)} on issue {show(key)}, first on line "
                    f"{issue.data[actor][3]} (allowed: one #D row per actor and issue)"
                )))
            else:
                issue.data[actor] = (nums[0], nums[1], nums[2], lineno)
    if not problems and not data:
        problems.append(problem(label, 1, "(file)", (
            "no #D rows (allowed: #D actor issue position salience power rows)"
        )))
    raise_problems(problems)

    empty = tuple(k for k, issue in issues.items() if not issue.data)
    order = {key: j for j, key in enumerate(actors)}
    out = []
    for issue in issues.values():
        if not issue.data:
            continue
        keys = sorted(issue.data, key=order.__getitem__)
        rows = [issue.data[k] for k in keys]
        out.append(Problem(
            id=issue.key,
            actors=tuple(keys),
            positions=np.array([r[0] for r in rows], dtype=float),
            salience=np.array([r[1] for r in rows], dtype=float),
            capability=np.array([r[2] for r in rows], dtype=float),
            scale=scales[issue.key],
            meta={"format": "decide", "file": label, "name": issue.name, "title": title,
                  "actor_names": tuple(actors[k][0] for k in keys),
                  "points": tuple(sorted({x for x, _ in issue.points})),
                  "lines": tuple(r[3] for r in rows), "empty_issues": empty},
        ))
        # What no model can take (docs/bargaining.md): an actor's value on its #D row; the
        # issue's scale on its widest #M row, its weight on its #P row.
        widest = max(issue.points, key=lambda pt: abs(pt[0]))[1] if issue.points else issue.line
        for r in check_problem(out[-1]):
            problems += refused(label, out[-1], [r], widest if r.field == "scale" else issue.line,
                                lambda r: _REFUSED_FIELD[r.field],
                                prefix=f"issue {show(issue.key)}: ")
    raise_problems(problems)
    return out


# The record of each kind of `blocs.bargaining.problem.Refusal`.
_REFUSED_FIELD = {"capability": "#D power", "salience": "#D salience", "weight": "#D salience",
                  "position": "#D position", "scale": "#M position"}

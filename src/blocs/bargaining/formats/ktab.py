"""KTAB's Spatial Model of Politics CSV (KAPSARC Toolkit for Behavioral Analysis, ``smpc --csv``).

* Line 1: ``scenarioName, scenarioDesc, numActors, numDims,`` (more cells after these ignored);
* line 2: column names: ``Actor, Description, Influence`` then a position and a salience column
  per dimension (the position columns name the dimensions);
* then ``numActors`` rows ``name, description, capability, pos_1, sal_1, ..., pos_D, sal_D``.

Positions are on 0-100, capabilities 0 to 1e8.  Salience (`SALIENCE_RULE`, as KTAB's own
reader ``smpread.cpp`` checks it): each a number from 0 to 100, and an actor's saliences sum to
at most 100 over the dimensions.  Trailing commas, blanks after commas and any line ending are
fine; a quoted cell may hold a line break (Python's csv reads the whole file; KTAB's own reader
goes line by line and would not accept that).

The file is one problem with D dimensions: positions (n, D) on the 0-100 scale (shape (n,) when
D = 1), saliences (n, D) / 100 (each dimension its own salience), capabilities as given.

Example (two actors, two dimensions)::

    China SOE; scen 2, Combined policy and competitive, 2, 2,
    Actor, Description, Influence, Policy Position, Policy Salience, Comp Position, Comp Salience,
    XJ, Xi Jinping, 100.0, 30, 24.0, 20, 48.0,
    LK, Li Keqiang, 60.2, 45, 44.7, 65, 41.3,
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from blocs.bargaining import formats
from blocs.bargaining.formats import fmt_number, number, raise_problems, show
from blocs.bargaining.formats.errors import FormatError, problem, refused
from blocs.bargaining.problem import Problem, check_problem

ALLOWED_FILE = ("a KTAB SMP CSV file: 'name, description, numActors, numDims', a header, then "
                "one row per actor")
MAX_CAPABILITY = 1e8
MAX_SALIENCE = 100.0  # each salience, and the sum of an actor's saliences
SALIENCE_SUM_SLACK = 1e-6  # rounding in the shipped files' saliences
#: The salience rule of the format, as the messages state it.
SALIENCE_RULE = "a number from 0 to 100; an actor's saliences sum to at most 100"


def _cells(cells: list[str]) -> list[str]:
    cells = [c.strip() for c in cells]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _dimension_name(column: str, k: int) -> str:
    name = re.sub(r"\s*position\s*$", "", column, flags=re.IGNORECASE).strip()
    return name or column or f"dim{k + 1}"


def read_ktab(path: str | Path) -> list[Problem]:
    """The scenario of a KTAB SMP CSV file as a one-element list of problems.

    Raises `FormatError` with one line per problem (file, line, column, what, allowed).
    """
    label, text = formats.read_text(path, ALLOWED_FILE)
    records = formats.csv_records(text, label, skipinitialspace=True)
    top = records[0].line
    first = _cells(records[0].cells)
    problems = []
    if len(first) < 4:
        raise FormatError([problem(label, top, "(scenario)", (
            f"{len(first)} cells (allowed: scenarioName, scenarioDesc, numActors, numDims)"
        ))])
    counts = []
    for name, cell in (("numActors", first[2]), ("numDims", first[3])):
        try:
            value = int(cell)
        except ValueError:
            problems.append(problem(label, top, name, (
                f"{show(cell)} is not a whole number (allowed: a whole number >= 1)"
            )))
            continue
        if value < 1:
            problems.append(problem(label, top, name, (
                f"{value} (allowed: a whole number >= 1"
                + ("; a scenario needs actors)" if name == "numActors" else ")")
            )))
        counts.append(value)
    raise_problems(problems)
    n, d = counts
    width = 3 + 2 * d

    rest = records[1:]
    if not rest:
        raise FormatError([problem(label, top, "numActors", (
            f"{n} actors but no header or actor rows follow (allowed: a header line, then "
            f"{n} actor rows)"
        ))])
    header = _cells(rest[0].cells)
    if len(header) != width:
        raise FormatError([problem(label, rest[0].line, "(header)", (
            f"{len(header)} columns for numDims {d} (allowed: {width}: Actor, Description, "
            "Influence, then a position and a salience column per dimension)"
        ))])
    dimensions = tuple(_dimension_name(header[3 + 2 * k], k) for k in range(d))

    actors: list[str] = []
    descriptions: list[str] = []
    rows: list[list[float]] = []
    where: list[int] = []
    first_line: dict[str, int] = {}
    count = 0  # actor rows so far, right or wrong
    for record in rest[1:]:
        lineno = record.line
        if count >= n:
            problems.append(problem(label, lineno, "(row)", (
                f"more actor rows than numActors {n} on line {top} "
                f"(allowed: exactly {n} rows)"
            )))
            break
        count += 1
        cells = _cells(record.cells)
        if len(cells) != width:
            problems.append(problem(label, lineno, "(row)", (
                f"{len(cells)} cells (allowed: {width}: name, description, capability, then "
                f"position and salience for each of {d} dimension{'s' if d > 1 else ''})"
            )))
            continue
        bad = len(problems)
        name = cells[0]
        if not name:
            problems.append(problem(label, lineno, header[0] or "Actor", (
                "empty name (allowed: the actor's name)"
            )))
        elif name in first_line:
            problems.append(problem(label, lineno, header[0] or "Actor", (
                f"duplicate actor {show(name)}, first on line {first_line[name]} "
                "(allowed: each actor once)"
            )))
        else:
            first_line[name] = lineno
        values = []
        for j in range(2, width):
            cell = cells[j]
            column = header[j] or f"column {j + 1}"
            allowed = (f"a number from 0 to {MAX_CAPABILITY:.0e}" if j == 2
                       else SALIENCE_RULE if j % 2 == 0 else "a number from 0 to 100")
            x = number(cell)
            if x is None:
                problems.append(problem(label, lineno, column, (
                    f"{show(cell)} is not a number (allowed: {allowed})"
                )))
            elif not 0 <= x <= (MAX_CAPABILITY if j == 2 else
                                MAX_SALIENCE if j % 2 == 0 else 100):
                problems.append(problem(label, lineno, column, (
                    f"{fmt_number(x)} is out of range (allowed: {allowed})"
                )))
            values.append(x)
        if len(problems) == bad:
            total = sum(values[2::2])
            if total > MAX_SALIENCE + SALIENCE_SUM_SLACK:
                problems.append(problem(label, lineno, "(saliences)", (
                    f"the saliences sum to {total:g} (allowed: at most 100 over the "
                    f"{d} dimensions; {SALIENCE_RULE})"
                )))
        if len(problems) == bad:
            actors.append(name)
            descriptions.append(cells[1])
            rows.append(values)
            where.append(lineno)
    if count < n:
        problems.append(problem(label, top, "numActors", (
            f"{n} actors but {count} actor row{'s' if count != 1 else ''} follow "
            f"(allowed: numActors equal to the number of rows)"
        )))
    raise_problems(problems)

    table = np.array(rows, dtype=float)
    positions = table[:, 1::2]
    salience = table[:, 2::2] / 100.0
    if d == 1:
        positions, salience = positions[:, 0], salience[:, 0]
    out = Problem(
        id=Path(label).stem,
        actors=tuple(actors),
        positions=positions,
        salience=salience,
        capability=table[:, 0].copy(),
        scale=(0.0, 100.0),
        dimensions=dimensions,
        meta={"format": "ktab", "file": label, "scenario": first[0], "description": first[1],
              "actor_descriptions": tuple(descriptions), "columns": tuple(header),
              "lines": tuple(where)},
    )

    def column(r) -> str:
        """The column of a refusal: a dimension's position or salience column."""
        k = r.dimension if r.dimension is not None else 0
        if r.field == "capability":
            return header[2]
        if r.field in ("position", "scale"):
            return header[3 + 2 * k]
        return header[4 + 2 * k] if r.dimension is not None or d == 1 else "(saliences)"

    # What no model can take (docs/bargaining.md): an actor's value on its line, a dimension
    # no actor weighs on the header line.
    raise_problems(refused(label, out, check_problem(out), rest[0].line, column))
    return [out]

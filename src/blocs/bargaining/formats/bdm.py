"""The BDM / Scholz CSV: one issue, one row per actor.

``Actor,Capability,Position,Salience`` (jmckib's and dmasad's expected utility models) or
``Stakeholder,Resources,Position,Salience`` (dmasad's replication notebooks); column names are
matched without regard to case or surrounding blanks, in any order.  Any line ending is read
(the replication files use old-Mac CR endings).

* Capability (Resources) is kept as given (>= 0): only its ratios matter to the models.
* Position is any number; the issue's scale is (min, max) of the positions unless ``scale`` is
  given (then every position must lie on it).
* Salience: `SALIENCE_RULE`.  Every salience is a number from 0 to 100, and a file's
  saliences are all on one scale: 0-1 (jmckib's and dmasad's Scholz files, used as given) or
  0-100 (dmasad's replication files, whose notebooks divide by 100; so does this reader).
  Unless ``salience_scale`` says which, a file whose saliences are all <= 1 is read as 0-1 and
  any other as 0-100; a file that has saliences above 1 *and* strictly between 0 and 1 mixes
  the two scales (``0.8, 0.4, 1.5``) and is refused, on the lines of the smaller group.  The
  choice is in ``Problem.meta["salience_scale"]``.  A 0-100 file whose saliences all happen to
  be 0 or 1 is read as 0-1: pass ``salience_scale="0-100"`` for it.

Example (salience on 0-100, read as 0.8, 0.4, 0.6)::

    Actor,Capability,Position,Salience
    Netherlands,0.08,4,80
    Belgium,0.08,7,40
    France,0.16,10,60
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from blocs.bargaining.formats import (
    csv_records,
    fmt_number,
    number,
    raise_problems,
    read_text,
    show,
    split_lines,
)
from blocs.bargaining.formats.errors import FormatError, problem, refused
from blocs.bargaining.problem import Problem, check_problem

NAME_COLUMNS = ("actor", "stakeholder")
CAPABILITY_COLUMNS = ("capability", "resources")
ALLOWED_HEADER = "Actor,Capability,Position,Salience or Stakeholder,Resources,Position,Salience"
ALLOWED_FILE = f"a BDM CSV file: a header {ALLOWED_HEADER}, then one row per actor"
SALIENCE_SCALES = ("0-1", "0-100")
#: The salience rule of the format, as the messages state it.
SALIENCE_RULE = ("a number from 0 to 1, or from 0 to 100 (divided by 100); one scale for the "
                 "whole file: none strictly between 0 and 1 if any is above 1")


def header_kind(cells: list[str]) -> str | None:
    """'bdm' when a header row (cells lower-cased and stripped) looks like a BDM file's."""
    names = {c.strip().lower() for c in cells}
    if names & set(NAME_COLUMNS) and {"position", "salience"} <= names:
        return "bdm"
    return None


def _delimiter(header: str) -> str:
    for d in (",", ";", "\t"):
        if d in header:
            return d
    return ","


def read_bdm(
    path: str | Path,
    *,
    salience_scale: str | None = None,
    scale: tuple[float, float] | None = None,
) -> list[Problem]:
    """The one issue of a BDM CSV file as a one-element list of problems.

    ``salience_scale``: "0-1", "0-100" or None (detect); ``scale``: the positions' (low, high)
    or None (min and max of the positions).

    Raises `FormatError` with one line per problem (file, line, column, what, allowed).
    """
    if salience_scale not in (None, *SALIENCE_SCALES):
        raise ValueError(f"salience_scale must be one of {SALIENCE_SCALES} or None")
    label, text = read_text(path, ALLOWED_FILE)
    delimiter = _delimiter(next(ln for ln in split_lines(text) if ln.strip()))
    records = csv_records(text, label, delimiter=delimiter, skipinitialspace=True)
    head = records[0].line
    header = [c.strip() for c in records[0].cells]
    while header and not header[-1]:
        header.pop()
    col = _columns(header, label, head)

    problems = []
    actors: list[str] = []
    rows: list[tuple[float, float, float]] = []
    where: list[int] = []
    first_line: dict[str, int] = {}
    width = len(header)
    for record in records[1:]:
        cells, lineno = record.cells, record.line
        while len(cells) > width and not cells[-1].strip():
            cells.pop()
        if len(cells) != width:
            problems.append(problem(label, lineno, "(row)", (
                f"{len(cells)} cells (allowed: {width}: {', '.join(header)})"
            )))
            continue
        name = cells[col["actor"]].strip()
        bad = len(problems)
        if not name:
            problems.append(problem(label, lineno, header[col["actor"]], (
                "empty name (allowed: the actor's name)"
            )))
        elif name in first_line:
            problems.append(problem(label, lineno, header[col["actor"]], (
                f"duplicate actor {show(name)}, first on line {first_line[name]} "
                "(allowed: each actor once)"
            )))
        else:
            first_line[name] = lineno
        values = []
        for role, allowed in (
            ("capability", "a number >= 0"),
            ("position", "a number"),
            ("salience", SALIENCE_RULE),
        ):
            cell = cells[col[role]]
            x = number(cell)
            if x is None:
                problems.append(problem(label, lineno, header[col[role]], (
                    f"{show(cell)} is not a number (allowed: {allowed})"
                )))
            elif role == "capability" and x < 0:
                problems.append(problem(label, lineno, header[col[role]], (
                    f"{fmt_number(x)} is negative (allowed: {allowed})"
                )))
            elif role == "salience" and not 0 <= x <= 100:
                problems.append(problem(label, lineno, header[col[role]], (
                    f"{fmt_number(x)} is out of range (allowed: {allowed})"
                )))
            values.append(x)
        if len(problems) == bad:
            actors.append(name)
            rows.append((values[0], values[1], values[2]))
            where.append(lineno)
    if not problems and not rows:
        problems.append(problem(label, head, "(file)", (
            f"no actor rows after the header (allowed: one row per actor under {ALLOWED_HEADER})"
        )))
    raise_problems(problems)

    cap = np.array([r[0] for r in rows], dtype=float)
    pos = np.array([r[1] for r in rows], dtype=float)
    sal = np.array([r[2] for r in rows], dtype=float)
    salience_scale = _salience_scale(sal, where, salience_scale, label,
                                     header[col["salience"]])
    if salience_scale == "0-100":
        sal = sal / 100.0
    if scale is None:
        scale = (float(pos.min()), float(pos.max()))
    else:
        low, high = float(scale[0]), float(scale[1])
        pos_name = header[col["position"]]
        raise_problems([
            problem(label, ln, pos_name, (
                f"{fmt_number(x)} is off the scale (allowed: {fmt_number(low)} to "
                f"{fmt_number(high)})"
            ))
            for x, ln in zip(pos, where, strict=True) if not low <= x <= high
        ])
        scale = (low, high)
    out = Problem(
        id=Path(label).stem,
        actors=tuple(actors),
        positions=pos,
        salience=sal,
        capability=cap,
        scale=scale,
        meta={"format": "bdm", "file": label, "salience_scale": salience_scale,
              "columns": tuple(header), "lines": tuple(where)},
    )
    # What no model can take (docs/bargaining.md): each actor's value on its line, the whole
    # issue's (no weight, too narrow a range) on the header line.
    column = {"capability": "capability", "salience": "salience", "weight": "salience",
              "position": "position", "scale": "position"}
    raise_problems(refused(label, out, check_problem(out), head,
                           lambda r: header[col[column[r.field]]]))
    return [out]


def _salience_scale(sal: np.ndarray, where: list[int], given: str | None, label: str,
                    column: str) -> str:
    """The file's salience scale, "0-1" or "0-100", by `SALIENCE_RULE` (every salience is
    already known to be a number from 0 to 100); `FormatError` for saliences off the given
    scale or a file that mixes the two."""
    if given == "0-100":
        return given
    high = [(s, ln) for s, ln in zip(sal, where, strict=True) if s > 1]
    if given == "0-1":
        raise_problems([problem(label, ln, column, (
            f"{fmt_number(s)} is out of range (allowed: 0 to 1, as salience_scale is 0-1)"
        )) for s, ln in high])
        return given
    if not high:
        return "0-1"
    low = [(s, ln) for s, ln in zip(sal, where, strict=True) if 0 < s < 1]
    problems = []
    if len(high) <= len(low):
        problems += [problem(label, ln, column, (
            f"{fmt_number(s)} is above 1 while {_saliences(len(low))} of the file "
            f"{'is' if len(low) == 1 else 'are'} between 0 and 1 (allowed: {SALIENCE_RULE})"
        )) for s, ln in high]
    if len(low) <= len(high):
        problems += [problem(label, ln, column, (
            f"{fmt_number(s)} is between 0 and 1 while {_saliences(len(high))} of the file "
            f"{'is' if len(high) == 1 else 'are'} above 1, on 0-100 (allowed: {SALIENCE_RULE})"
        )) for s, ln in low]
    raise_problems(problems)
    return "0-100"


def _saliences(n: int) -> str:
    return f"{n} other salience{'s' if n != 1 else ''}"


def _columns(header: list[str], label: str, lineno: int) -> dict[str, int]:
    """Which column holds what; `FormatError` for missing, unknown or repeated columns."""
    col: dict[str, int] = {}
    problems = []
    for j, name in enumerate(header):
        key = name.lower()
        role = ("actor" if key in NAME_COLUMNS else
                "capability" if key in CAPABILITY_COLUMNS else
                key if key in ("position", "salience") else None)
        if role is None:
            problems.append(problem(label, lineno, f"column {j + 1}", (
                f"unknown column {show(name)} (allowed: {ALLOWED_HEADER})"
            )))
        elif role in col:
            problems.append(problem(label, lineno, f"column {j + 1}", (
                f"second {role} column {show(name)} (allowed: {ALLOWED_HEADER})"
            )))
        else:
            col[role] = j
    missing = [r for r in ("actor", "capability", "position", "salience") if r not in col]
    if missing:
        problems.append(problem(label, lineno, "(header)", (
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(allowed: {ALLOWED_HEADER})"
        )))
    if problems:
        raise FormatError(problems)
    return col

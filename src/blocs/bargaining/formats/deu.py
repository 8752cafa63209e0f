"""Read the DEU data (*Decision-making in the European Union*) into `Problem` objects.

The file (``shared/validation/deu/deu-dev.tsv`` and the ``deu3.csv`` of
``blksv/predictioneers_game`` it follows) is tab-separated, cells optionally in double quotes:

* line 1, the header: ``prnr`` (the proposal), ``isnr`` (the issue), ``rp`` (the reference
  point, i.e. the status quo), ``out`` (the adopted outcome), and for every actor a position
  column ``p<actor>`` with its salience column ``s<actor>`` (``com`` = Commission, ``ep`` =
  Parliament, then the member states by code); any other column is kept as metadata;
* line 2 (optional, recognised by its empty ``prnr`` and ``isnr``): each actor's GDP weight, in
  the ``p<actor>`` columns only;
* then one line per issue.

How the cells become a `Problem` (one per issue line, in file order):

* an actor takes part in an issue when its position is a number in [0, 100]; an empty cell or a
  number outside 0-100 (the data use 999) means the actor is absent from the issue;
* saliences are on 0-100 and become ``salience / 100``; a missing salience (empty or outside
  0-100) of an actor with a position counts as 0 (the DEU README's convention);
* capability is 1.0 for every actor (equal capabilities: the published comparisons' baseline);
  the GDP weights are kept, aligned with ``actors``, in ``meta["gdp"]`` (NaN where the file
  gives none), for models that want them;
* ``rp`` -> ``reference`` and ``out`` -> ``outcome``: ``None`` when empty or outside 0-100;
* ``prnr`` -> ``group`` (cross-validation folds never split a proposal); ``isnr`` -> ``id``,
  or ``prnr/isnr`` when the same ``isnr`` occurs in two proposals;
* every other column is kept as text in ``meta`` (``prname``, ``counvte``, ``proc``, ...),
  with ``meta["line"]``, the issue's line in the file;
* an issue no model can weigh (no actor with a position, or every actor's salience 0;
  `blocs.bargaining.problem.check_problem`) is refused like in the other formats with
  ``refuse=True`` (what ``blocs forecast`` reads); by default (backtests, which leave such
  issues out of the scoring and count them) it is kept, the reason in ``meta["refused"]``.

A malformed file (missing columns, a row with too many or too few cells, a cell that is not a
number where one is needed, a duplicate issue) raises `FormatError`, one line per problem:
``FILE:LINE: column: what is wrong (what is allowed)``.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from blocs.bargaining.formats import raise_problems, read_text, show, split_lines
from blocs.bargaining.formats.errors import problem, refused
from blocs.bargaining.problem import Problem, check_problem

REQUIRED = ("prnr", "isnr", "rp", "out")
# Columns of the DEU data that start with "p" or "s" but are not an actor's position/salience.
NOT_ACTORS = frozenset({"prnrnmc", "prnr", "prname", "proc", "proccde"})
MISSING_TOKENS = frozenset({"", "na", "nan", "."})
SCALE = (0.0, 100.0)
ALLOWED = ("a DEU tab-separated file: a header line with prnr, isnr, rp, out and "
           "p<actor>/s<actor> columns, then one line per issue")


def _number(cell: str) -> float | None:
    """The cell as a float; None when empty/NA; raises ValueError when not a number."""
    text = cell.strip()
    if text.lower() in MISSING_TOKENS:
        return None
    value = float(text)
    if math.isnan(value):
        return None
    return value


def _on_scale(value: float | None) -> float | None:
    return value if value is not None and SCALE[0] <= value <= SCALE[1] else None


def _cells(line: str) -> list[str]:
    return next(csv.reader([line], delimiter="\t", quotechar='"'))


def read_deu(path: str | Path, *, refuse: bool = False) -> list[Problem]:
    """Read a DEU tab-separated file: one `Problem` per issue line (see the module's doc).

    Raises `FormatError` with one ``FILE:LINE: column: message (allowed)`` line per problem;
    ``refuse``: also for an issue no model can weigh (else it is kept, marked in
    ``meta["refused"]``).
    """
    label, text = read_text(path, ALLOWED)
    rows = [(i + 1, line) for i, line in enumerate(split_lines(text)) if line.strip()]

    head_line, head_text = rows[0]
    header = [c.strip() for c in _cells(head_text)]
    problems = []
    seen: dict[str, int] = {}
    for name in header:
        if name in seen:
            problems.append(problem(label, head_line, name or "(header)", (
                "duplicate column (allowed: each column once)")))
        seen[name] = 1
    for name in REQUIRED:
        if name not in seen:
            problems.append(problem(label, head_line, name, (
                "missing column (allowed: a header with prnr, isnr, rp, out and "
                "p<actor>/s<actor> columns)")))
    actors = [c[1:] for c in header
              if c.startswith("p") and len(c) > 1 and c not in NOT_ACTORS and "s" + c[1:] in seen]
    for c in header:
        if (c.startswith("p") and len(c) > 1 and c not in NOT_ACTORS and c[1:].isalpha()
                and "s" + c[1:] not in seen):
            problems.append(problem(label, head_line, c, (
                f"position column without its salience column s{c[1:]} "
                "(allowed: p<actor> and s<actor> in pairs)")))
    if not actors:
        problems.append(problem(label, head_line, "(header)", (
            "no actor columns (allowed: p<actor> and s<actor> pairs such as pcom, scom)")))
    raise_problems(problems)

    col = {name: i for i, name in enumerate(header)}
    actor_cols = {"p" + a for a in actors} | {"s" + a for a in actors}
    meta_cols = [c for c in header if c not in actor_cols and c not in REQUIRED and c]
    ncols = len(header)

    def split(line_no: int, line: str) -> list[str] | None:
        cells = _cells(line)
        if len(cells) > ncols and all(not c.strip() for c in cells[ncols:]):
            cells = cells[:ncols]  # trailing empty cells (tools that pad rows)
        if len(cells) != ncols:
            problems.append(problem(label, line_no, "(row)", (
                f"{len(cells)} cells (allowed: {ncols}, one per header column)")))
            return None
        return cells

    body = rows[1:]
    gdp = {a: math.nan for a in actors}
    if body:
        first_no, first_text = body[0]
        cells = split(first_no, first_text)
        if cells is None:
            body = body[1:]  # reported; do not report it again as an issue
        elif not cells[col["prnr"]].strip() and not cells[col["isnr"]].strip():
            body = body[1:]
            for a in actors:
                try:
                    value = _number(cells[col["p" + a]])
                except ValueError:
                    problems.append(problem(label, first_no, "p" + a, (
                        f"GDP weight {show(cells[col['p' + a]])} is not a number "
                        "(allowed: a number >= 0, or empty)")))
                    continue
                if value is not None and value < 0:
                    problems.append(problem(label, first_no, "p" + a, (
                        f"GDP weight {value:g} is negative (allowed: a number >= 0, or empty)")))
                    continue
                gdp[a] = math.nan if value is None else value

    parsed = []
    for line_no, line in body:
        cells = split(line_no, line)
        if cells is None:
            continue
        bad = False

        def num(name: str, cells=cells, line_no=line_no) -> float | None:
            nonlocal bad
            try:
                return _number(cells[col[name]])
            except ValueError:
                bad = True
                problems.append(problem(label, line_no, name, (
                    f"{show(cells[col[name]])} is not a number "
                    "(allowed: a number, 0-100 on the issue's scale; empty or e.g. 999 "
                    "for missing)")))
                return None

        pos = {a: num("p" + a) for a in actors}
        sal = {a: num("s" + a) for a in actors}
        rp, out = num("rp"), num("out")
        prnr, isnr = cells[col["prnr"]].strip(), cells[col["isnr"]].strip()
        if not isnr:
            bad = True
            problems.append(problem(label, line_no, "isnr", (
                "empty issue id (allowed: an issue id such as d00060i1)")))
        if bad:
            continue
        parsed.append((line_no, prnr, isnr, pos, sal, rp, out, cells))

    by_isnr: dict[str, set[str]] = {}
    for _, prnr, isnr, *_ in parsed:
        by_isnr.setdefault(isnr, set()).add(prnr)
    result: list[Problem] = []
    ids: dict[str, int] = {}
    for line_no, prnr, isnr, pos, sal, rp, out, cells in parsed:
        issue_id = isnr if len(by_isnr[isnr]) == 1 else f"{prnr}/{isnr}"
        if issue_id in ids:
            problems.append(problem(label, line_no, "isnr", (
                f"issue {issue_id} repeats line {ids[issue_id]} "
                "(allowed: each prnr/isnr pair once)")))
            continue
        ids[issue_id] = line_no
        present = [a for a in actors if _on_scale(pos[a]) is not None]
        positions = np.array([pos[a] for a in present], dtype=float)
        salience = np.array([(_on_scale(sal[a]) or 0.0) / 100.0 for a in present], dtype=float)
        meta = {c: cells[col[c]].strip() for c in meta_cols}
        meta["gdp"] = np.array([gdp[a] for a in present], dtype=float)
        meta["line"] = line_no
        result.append(Problem(
            id=issue_id,
            actors=tuple(present),
            positions=positions,
            salience=salience,
            capability=np.ones(len(present)),
            scale=SCALE,
            reference=_on_scale(rp),
            outcome=_on_scale(out),
            group=prnr or None,
            meta=meta,
        ))
        # What no model can take (docs/bargaining.md); positions, saliences and capabilities
        # are on their ranges by construction, so only an issue without weight can be.
        refusals = check_problem(result[-1])
        column = "(saliences)" if present else "(positions)"
        why = refused(label, result[-1], refusals, line_no, lambda r, c=column: c,
                      prefix=f"issue {issue_id}: ")
        if refuse or any(r.field != "weight" for r in refusals):
            problems += why
        elif why:
            meta["refused"] = tuple(str(w) for w in why)
    raise_problems(problems)
    return result

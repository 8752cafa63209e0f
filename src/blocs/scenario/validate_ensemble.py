"""Checks of a case's ``uncertain:``, ``events:`` and ``claims:`` sections
(docs/ensembles.md, docs/report.md).

Like the other checks, each yields ``(path, message)`` findings that the loader turns into
one-line errors.  An uncertainty names an input (``at``) the ensemble can vary, exactly one
distribution that stays within the input's allowed range, and a source or an assumption; an
event names a modelled quantity, one threshold and a year of the period.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from blocs.scenario.paths import QUANTITIES, UNCERTAIN, PathError, parse_path
from blocs.scenario.schema import FROM_LEVERAGE, Case, Event, Measure, Uncertain
from blocs.scenario.validate import FieldPath, Finding, _check_sourced, _ids
from blocs.scenario.validate_dynamics import _check_path, _Known, _unknown_ids

#: The distributions of an ``uncertain:`` entry; exactly one is given.
DISTRIBUTIONS = ("uniform", "triangular", "normal", "choice")

#: Allowed range of each kind of input (None: unbounded); a tie in a share unit is narrowed
#: to 0-1 (percent: 0-100) by `input_range`.
RANGES: dict[str, tuple[float | None, float | None]] = {
    "position": (0, 100), "salience": (0, 100), "status_quo": (0, 100),
    "capability": (0, None), "presence": (0, None), "tie": (0, None),
    "chance": (0, 1), "inertia": (0, 1), "leverage_scale": (0, None),
    "rate": (None, None), "threshold": (None, None),
}


def check_ensemble(case: Case, measures: dict[str, Measure], known: set[str]
                   ) -> Iterator[Finding]:
    """All problems of the ``uncertain:`` and ``events:`` sections, in file order."""
    ctx = _Known(case, measures, known)
    for uid, u in case.uncertain.items():
        yield from _check_uncertain(u, ("uncertain", uid), ctx)
    for eid, ev in case.events.items():
        yield from _check_event(ev, ("events", eid), case, ctx)
    for cid, claim in case.claims.items():
        yield from _check_sourced(claim, ("claims", cid), case.sources)
        for k, text in enumerate(claim.evidence):
            yield from _check_path(text, QUANTITIES, ("claims", cid, "evidence", k), ctx)[1]


def _check_uncertain(u: Uncertain, path: FieldPath, ctx: _Known) -> Iterator[Finding]:
    yield from _check_sourced(u, path, ctx.case.sources)
    try:
        kind, ids = parse_path(u.at, UNCERTAIN)
    except PathError as exc:
        yield (*path, "at"), str(exc)
        return
    problems = list(_target_problems(u.at, kind, ids, ctx))
    for message in problems:
        yield (*path, "at"), message
    given = [d for d in DISTRIBUTIONS if getattr(u, d) is not None]
    if len(given) != 1:
        what = "none" if not given else " and ".join(given)
        yield path, (f"an uncertainty with {what} (allowed: exactly one of uniform: [low, "
                     "high], triangular: [low, mode, high], normal: {mean, sd}, choice: "
                     "[values])")
        return
    yield from _check_shape(u, given[0], path)
    if not problems:
        low, high = input_range(ctx.case, ctx.measures, kind, ids)
        yield from _check_within(u, given[0], path, low, high, u.at)


def _target_problems(text: str, kind: str, ids: tuple[str, ...], ctx: _Known
                     ) -> Iterator[str]:
    """The input named by ``at`` exists and can vary."""
    case = ctx.case
    if kind in ("trend", "shock", "trigger"):
        table = {"trend": case.trends, "shock": case.shocks, "trigger": case.triggers}[kind]
        if ids[0] not in table:
            yield f"unknown {kind} '{ids[0]}' in '{text}' (allowed: {_ids(table)})"
        elif kind == "shock" and case.shocks[ids[0]].chance is None:
            yield (f"shock '{ids[0]}' is scheduled in a year, so it has no chance to vary "
                   "(allowed: a shock with 'chance')")
        elif kind == "trend" and case.trends[ids[0]].rate is None:
            yield (f"trend '{ids[0]}' has no rate to vary (allowed: a trend with 'rate')")
        return
    if kind == "dynamics":
        return
    yield from _unknown_ids(text, kind, ids, ctx)
    if kind == "capability" and ids[0] in case.issues:
        st = case.issues[ids[0]].stakeholders.get(ids[1])
        if st is not None and st.capability == FROM_LEVERAGE:
            yield (f"the capability of {ids[1]} on {ids[0]} comes from its leverage "
                   "(allowed: an uncertain tie of that power, or dynamics/leverage_scale)")
    if kind == "tie" and ids[1] == case.focus and not _has_start_figure(case, ids):
        yield (f"tie {'/'.join(ids)} has no figure known in the start year to vary "
               "(allowed: a tie with a figure dated at or before the start)")


def _has_start_figure(case: Case, ids: tuple[str, ...]) -> bool:
    from blocs.scenario.schema import year_span

    start = case.period.start if case.period is not None else case.year
    return any((t.from_, t.to, t.measure) == ids and year_span(t.year)[1] <= start
               for t in case.ties)


def input_range(case: Case, measures: dict[str, Measure], kind: str, ids: tuple[str, ...]
                ) -> tuple[float | None, float | None]:
    """Where an uncertain input may lie (`RANGES`; None: unbounded), a tie narrowed by the
    unit of its figure known at the start (0-1 for a share, 0-100 for percent)."""
    key = ids[-1] if kind in ("trend", "shock", "trigger", "dynamics") else kind
    low, high = RANGES[key]
    if kind == "tie":
        from blocs.scenario.schema import year_span

        start = case.period.start if case.period is not None else case.year
        known = sorted((year_span(t.year)[1], t.unit) for t in case.ties
                       if (t.from_, t.to, t.measure) == ids and year_span(t.year)[1] <= start)
        unit = known[-1][1] if known else None
        unit = unit or (measures[ids[2]].unit if ids[2] in measures else None)
        high = {"share": 1, "percent": 100}.get(unit or "", high)
    return low, high


def _check_shape(u: Uncertain, dist: str, path: FieldPath) -> Iterator[Finding]:
    """Ranges the right way round; weights that fit the choices."""
    where = (*path, dist)
    if dist == "uniform":
        low, high = u.uniform
        if not low < high:
            yield where, (f"the range [{low:g}, {high:g}] is empty or inverted (allowed: "
                          "[low, high] with low < high)")
    elif dist == "triangular":
        low, mode, high = u.triangular
        if not (low <= mode <= high and low < high):
            yield where, (f"[{low:g}, {mode:g}, {high:g}] is not [low, mode, high] (allowed: "
                          "low <= mode <= high, low < high)")
    elif dist == "normal" and u.normal.between is not None:
        low, high = u.normal.between
        if not low < high:
            yield (*where, "between"), (f"the range [{low:g}, {high:g}] is empty or inverted "
                                        "(allowed: [low, high] with low < high)")
    if u.weights is not None and (dist != "choice" or len(u.weights) != len(u.choice or [])
                                  or sum(u.weights) <= 0):
        yield (*path, "weights"), ("weights that do not fit the choices (allowed: one weight "
                                   "0 or more per choice, not all 0, only with choice)")


def _check_within(u: Uncertain, dist: str, path: FieldPath, low: float | None,
                  high: float | None, at: str) -> Iterator[Finding]:
    """The distribution stays within the input's allowed range (a normal is truncated to it,
    so only its ``between`` is checked)."""
    values = {"uniform": u.uniform, "triangular": u.triangular, "choice": u.choice,
              "normal": None if u.normal is None else u.normal.between}[dist]
    if not values:
        return
    lo = -math.inf if low is None else low
    hi = math.inf if high is None else high
    bad = [v for v in values if not lo <= v <= hi]
    if bad:
        allowed = f"{_num(low)} to {_num(high)}"
        yield (*path, dist), (f"{bad[0]:g} is outside what {at} allows (allowed: values "
                              f"from {allowed})")


def _num(x: float | None) -> str:
    return "any" if x is None else f"{x:g}"


def _check_event(ev: Event, path: FieldPath, case: Case, ctx: _Known) -> Iterator[Finding]:
    yield from _check_path(ev.when, QUANTITIES, (*path, "when"), ctx)[1]
    if (ev.above is None) == (ev.below is None):
        what = "both above and below" if ev.above is not None else "neither above nor below"
        yield path, f"an event with {what} (allowed: exactly one of above or below)"
    start, end = (case.period.start, case.period.end) if case.period else (case.year,
                                                                           case.year)
    if ev.year is not None and not start <= ev.year <= end:
        yield (*path, "year"), (f"{ev.year} is outside the case's period {start}-{end} "
                                f"(allowed: {start} to {end})")

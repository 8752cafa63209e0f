"""A case's dynamics compiled into arrays, once, before any run (docs/dynamics.md).

`compile_plan` reads a `Scenario` and its ``dynamics``, ``trends``, ``shocks``,
``triggers`` and ``observables`` into a `Plan`: the years, the ties into the focus with their
figure in every year (the case's figures and the trends' values, true to time), the
stakeholders of every issue flattened into one axis, the relative-power series, and every
effect as an `Action` on an index.  The yearly step (`blocs.dynamics.engine`) then only does
array arithmetic with a leading run axis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from blocs.influence.capability import leverage_scale
from blocs.scenario.measures import FLAG_UNIT, SHARE_UNITS
from blocs.scenario.paths import INPUTS, QUANTITIES, parse_path
from blocs.scenario.scenario import Scenario, known_from
from blocs.scenario.schema import DOMAINS, FROM_LEVERAGE, Effect, Trend

#: Every (domain, kind) cell of leverage, in the order the tables show them.
CELLS: tuple[tuple[str, str], ...] = tuple((d, k) for d in DOMAINS for k in ("soft", "hard"))


@dataclass(frozen=True)
class Action:
    """One effect, compiled: ``kind`` (an input kind of `blocs.scenario.paths`), ``index``
    (into the plan's axis of that kind), ``op`` (set, add, scale, status or closed) and its
    ``value``; ``ids`` the path's ids (for memberships and borders)."""

    kind: str
    index: int
    op: str
    value: Any
    ids: tuple[str, ...]


@dataclass(frozen=True)
class ShockPlan:
    id: str
    years: np.ndarray
    """(Y,) bool: the years it may happen (scheduled: its year only)."""
    chance: float
    """1 for a scheduled shock."""
    once: bool
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class TriggerPlan:
    id: str
    when: tuple[str, tuple[str, ...]]
    above: float | None
    below: float | None
    once: bool
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class Observable:
    id: str
    quantity: tuple[str, tuple[str, ...]]
    scale: float
    offset: float
    anchor: bool


@dataclass(frozen=True)
class TrendPlan:
    """A trend's path in parts, ``growth(last, rate, n)``, so that its rate can differ run by
    run: ``kind`` and ``index`` say what it moves (a tie, a stakeholder, a power series)."""

    id: str
    kind: str
    index: int
    last: np.ndarray
    n: np.ndarray
    change: str
    rate: float | None
    base: float
    """The stakeholder's value at the start (position, salience, typed capability)."""
    multiplier: bool
    """A from_leverage capability: the path multiplies (anchored at 1)."""


@dataclass
class Plan:
    """Everything the yearly step needs, as arrays (see the module)."""

    scenario: Scenario
    years: np.ndarray
    powers: tuple[str, ...]
    """Actors with a tie into the focus, a troop presence near it, or a from_leverage seat."""
    tie_keys: list[tuple[str, str, str]]
    """(from, to, measure) of every tie into the focus the case or its dynamics name."""
    tie_values: np.ndarray
    """(Y, K) each tie's figure in each year (NaN: none known yet)."""
    tie_meta: list[list[dict | None]]
    """Per year and tie: unit, total, reverse, cell of the figure that counts (None: none)."""
    issues: tuple[str, ...]
    slices: tuple[slice, ...]
    """Per issue, its stakeholders on the flattened stakeholder axis."""
    seats: list[tuple[str, str]]
    """(issue, actor) of every stakeholder, flattened."""
    position0: np.ndarray
    salience0: np.ndarray
    capability0: np.ndarray
    """(S,) typed capability (0 for from_leverage seats)."""
    from_leverage: np.ndarray
    """(S,) bool."""
    seat_power: np.ndarray
    """(S,) index into `powers` (-1: not a power)."""
    seat_cells: np.ndarray
    """(S, C) bool: the cells a from_leverage seat's capability counts."""
    inertia: np.ndarray
    """(S,) the share of last year's position kept."""
    own_inertia: np.ndarray
    """(S,) bool: the stakeholder states its own inertia (not dynamics.inertia)."""
    status_quo0: np.ndarray
    """(I,) NaN where the issue has none."""
    veto: list[np.ndarray]
    cap_path: np.ndarray
    """(Y, S) the capability trend's multiplier relative to the start (1: no trend)."""
    cap_values: np.ndarray
    """(Y, S) a capability trend's own values (NaN: none), replacing the typed value."""
    position_drift: np.ndarray
    """(Y, S) added to positions at the start of each year by position trends."""
    salience_drift: np.ndarray
    power_ids: tuple[str, ...]
    """Blocs and actors with a relative-power series (``power/ID`` trends)."""
    power_ratio: np.ndarray
    """(Y, N): each power series' index(t) / index(start)."""
    series_power: np.ndarray
    """(N,) the `power_ids` index of each series."""
    seat_powers: np.ndarray
    """(S, N) bool: which power series cover each stakeholder's actor."""
    presence_groups: list[tuple[str, str]]
    """(actor, country) of every presence in the case (``presence/ACTOR/COUNTRY``)."""
    trends: list[TrendPlan]
    """Every trend in parts (for rates that vary run by run)."""
    tie_start: np.ndarray
    """(Y, K) bool: the years in which each tie's figure is the one known at the start."""
    shocks: list[ShockPlan]
    triggers: list[TriggerPlan]
    observables: list[Observable]
    model: str
    model_options: dict[str, Any]
    leverage_scale: float
    pillars: tuple[str, ...]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def start(self) -> int:
        return int(self.years[0])

    def group_size(self, g: int, year: int) -> float:
        """The troops of presence group ``g`` (actor, country) there in ``year``."""
        actor, country = self.presence_groups[g]
        return float(sum(p.size or 0.0 for p in self.scenario.presences(year)
                         if p.actor == actor and p.country == country))

    def year_index(self, year: int) -> int:
        return int(year - self.years[0])


def _growth(value: float, rate: float | None, change: str, n: int) -> float:
    """``value`` moved ``n`` years at ``rate``: relative x (1 + r)^n, absolute x + r n."""
    if rate is None or n <= 0:
        return value
    return value * (1.0 + rate) ** n if change == "relative" else value + rate * n


def trend_path(trend: Trend, years: np.ndarray, anchor: tuple[int, float] | None,
               start: int) -> np.ndarray:
    """A trend's value in each year: the latest point known by then (the ``anchor``, a case
    figure (year, value), or the trend's own values, each from its year on), moved at the
    trend's ``rate`` for the years after both that point and the period's start; NaN before
    any point.

    >>> from blocs.scenario.schema import Trend
    >>> t = Trend(on="power/X", rate=0.1, assumption="a")
    >>> trend_path(t, np.arange(2020, 2023), (2019, 1.0), 2020).round(3).tolist()
    [1.0, 1.1, 1.21]
    """
    last, n = trend_points(trend, years, anchor, start)
    return np.array([math.nan if math.isnan(v) else _growth(v, trend.rate, trend.change, int(k))
                     for v, k in zip(last, n, strict=True)])


def trend_points(trend: Trend, years: np.ndarray, anchor: tuple[int, float] | None,
                 start: int) -> tuple[np.ndarray, np.ndarray]:
    """(v, n) per year: the latest point known by then (NaN before any) and the years its
    rate applies for, so that the path is ``growth(v, rate, n)`` (`trend_path`) whatever the
    rate: an ensemble varies it run by run (docs/ensembles.md)."""
    points = sorted(([anchor] if anchor is not None else [])
                    + [(v.year, float(v.value)) for v in trend.values])
    last = np.full(len(years), np.nan)
    n = np.zeros(len(years))
    for i, t in enumerate(years):
        known = [(y, v) for y, v in points if y <= t]
        if not known:
            continue
        y, v = known[-1]
        last[i], n[i] = v, max(int(t) - max(y, start), 0)
    return last, n


def growth(value: np.ndarray, rate: np.ndarray, change: str, n: np.ndarray) -> np.ndarray:
    """`_growth` on arrays (a rate per run against points per year, broadcast)."""
    return value * (1.0 + rate) ** n if change == "relative" else value + rate * n


def compile_plan(scenario: Scenario, until: int | None = None) -> Plan:
    """The case's dynamics as a `Plan` over its period (to ``until``, at most its end)."""
    start, end = scenario.period
    end = end if until is None else min(end, until)
    years = np.arange(start, end + 1)
    case = scenario.case
    trends = case.trends
    parsed = {tid: parse_path(t.on, INPUTS) for tid, t in trends.items()}

    # -- ties into the focus ----------------------------------------------------------------
    focus = scenario.focus
    keys: dict[tuple[str, str, str], None] = {}
    for tie in case.ties:
        if tie.to == focus:
            keys.setdefault((tie.from_, tie.to, tie.measure), None)
    effect_paths = [parse_path(e.on, INPUTS) for e in _all_effects(scenario)]
    for kind, ids in [*parsed.values(), *effect_paths]:
        if kind == "tie" and ids[1] == focus:
            keys.setdefault(ids, None)  # type: ignore[arg-type]
    tie_keys = list(keys)
    kidx = {k: i for i, k in enumerate(tie_keys)}
    values = np.full((len(years), len(tie_keys)), np.nan)
    meta: list[list[dict | None]] = []
    for yi, t in enumerate(years):
        row: list[dict | None] = [None] * len(tie_keys)
        for tie in scenario.ties(int(t)):
            k = kidx.get((tie.from_, tie.to, tie.measure))
            if k is None:
                continue
            measure = scenario.measures[tie.measure]
            values[yi, k] = float(tie.value)
            row[k] = {"unit": tie.unit or measure.unit, "total": tie.total,
                      "reverse": float(tie.reverse or 0.0),
                      "cell": (measure.domain, tie.kind or measure.kind),
                      "weight": float(measure.weight), "since": known_from(tie.year)}
        meta.append(row)
    trend_plans: list[TrendPlan] = []
    for tid, trend in trends.items():
        kind, ids = parsed[tid]
        if kind != "tie" or ids[1] != focus:
            continue
        k = kidx[ids]  # type: ignore[index]
        measure = scenario.measures[ids[2]]
        last, steps = np.full(len(years), np.nan), np.zeros(len(years))
        for yi, t in enumerate(years):
            m = meta[yi][k]
            anchor = None if m is None else (m["since"], values[yi, k])
            pl, pn = trend_points(trend, years[yi:yi + 1], anchor, start)
            last[yi], steps[yi] = pl[0], pn[0]
            path = trend_path(trend, years[yi:yi + 1], anchor, start)[0]
            if math.isnan(path):
                continue
            values[yi, k] = path
            if m is None:
                meta[yi][k] = {"unit": measure.unit, "total": None, "reverse": 0.0,
                               "cell": (measure.domain, measure.kind),
                               "weight": float(measure.weight), "since": int(t)}
        trend_plans.append(TrendPlan(tid, "tie", k, last, steps, trend.change, trend.rate,
                                     math.nan, False))

    # The years in which each tie's figure is the one known at the start: an uncertain
    # figure (docs/ensembles.md) stands for that figure, not for later ones.
    first = [None if m is None else m["since"] for m in meta[0]]
    tie_start = np.array([[m is not None and m["since"] == first[k] for k, m in enumerate(row)]
                          for row in meta], dtype=bool).reshape(len(years), len(tie_keys))

    # A tie without a figure in a year (not yet known, or named only by an effect) keeps a
    # place in the year's structure in its measure's own unit: it counts in the runs where an
    # effect has set a figure for it (`State.tie_set`), nowhere else.
    for yi, t in enumerate(years):
        for k, key in enumerate(tie_keys):
            if meta[yi][k] is None:
                measure = scenario.measures[key[2]]
                meta[yi][k] = {"unit": measure.unit, "total": None, "reverse": 0.0,
                               "cell": (measure.domain, measure.kind),
                               "weight": float(measure.weight), "since": int(t)}

    # -- powers -----------------------------------------------------------------------------
    powers: dict[str, None] = {}
    for f, _, _ in tie_keys:
        powers.setdefault(f, None)
    for p in case.geography.presence:
        if p.unit == "troops" and p.size is not None and scenario.country_of(p.actor) != \
                scenario.focus_country:
            powers.setdefault(p.actor, None)
    for issue in case.issues.values():
        for aid, st in issue.stakeholders.items():
            if st.capability == FROM_LEVERAGE:
                powers.setdefault(aid, None)
    power_list = tuple(powers)
    pidx = {p: i for i, p in enumerate(power_list)}

    # -- stakeholders -----------------------------------------------------------------------
    dyn = case.dynamics
    default_inertia = 1.0 if dyn is None else float(dyn.inertia)
    seats: list[tuple[str, str]] = []
    slices = []
    pos, sal, cap, fl, sp, inertia, cells_of = [], [], [], [], [], [], []
    own_inertia: list[bool] = []
    sq, veto = [], []
    for iid, issue in case.issues.items():
        first = len(seats)
        for aid, st in issue.stakeholders.items():
            seats.append((iid, aid))
            pos.append(float(st.position))
            sal.append(float(st.salience))
            lev = st.capability == FROM_LEVERAGE
            fl.append(lev)
            cap.append(0.0 if lev else float(st.capability))
            sp.append(pidx.get(aid, -1))
            inertia.append(default_inertia if st.inertia is None else float(st.inertia))
            own_inertia.append(st.inertia is not None)
            domains = set(st.domains or DOMAINS)
            cells_of.append([c[0] in domains for c in CELLS])
        slices.append(slice(first, len(seats)))
        sq.append(math.nan if issue.status_quo is None else float(issue.status_quo.position))
        veto.append(np.array([a in (issue.veto or ()) for a in issue.stakeholders]))
    sidx = {s: i for i, s in enumerate(seats)}
    n_seats = len(seats)

    # -- trends on stakeholders ---------------------------------------------------------------
    cap_path = np.ones((len(years), n_seats))
    cap_values = np.full((len(years), n_seats), np.nan)
    pos_drift = np.zeros((len(years), n_seats))
    sal_drift = np.zeros((len(years), n_seats))
    for tid, trend in trends.items():
        kind, ids = parsed[tid]
        if kind not in ("capability", "position", "salience"):
            continue
        s = sidx[ids]  # type: ignore[index]
        base = {"capability": cap, "position": pos, "salience": sal}[kind][s]
        multiplier = kind == "capability" and fl[s]
        anchor = (start, 1.0) if multiplier else (start, base)
        last, steps = trend_points(trend, years, anchor, start)
        trend_plans.append(TrendPlan(tid, kind, s, last, steps, trend.change, trend.rate,
                                     base, bool(multiplier)))
        if multiplier:
            cap_path[:, s] *= trend_path(trend, years, anchor, start)
            continue
        path = trend_path(trend, years, anchor, start)
        if kind == "capability":
            cap_values[:, s] = path
        else:
            drift = np.diff(np.concatenate([[base], path]))
            (pos_drift if kind == "position" else sal_drift)[:, s] = np.nan_to_num(drift)

    # -- relative power ---------------------------------------------------------------------
    ratios, series_of = [], []
    for tid, trend in trends.items():
        kind, ids = parsed[tid]
        if kind != "power":
            continue
        anchor = None if trend.values else (start, 1.0)
        path = trend_path(trend, years, anchor, start)
        known = path[np.isfinite(path)]
        if known.size == 0:
            continue
        last, steps = trend_points(trend, years, anchor, start)
        trend_plans.append(TrendPlan(tid, "power", len(ratios), last, steps, trend.change,
                                     trend.rate, math.nan, False))
        base = path[0] if np.isfinite(path[0]) else known[0]
        ratio = np.where(np.isfinite(path), path / base, 1.0) if base != 0 else np.ones_like(path)
        ratios.append(ratio)
        series_of.append(ids[0])
    power_ids = tuple(dict.fromkeys(series_of))
    series_power = np.array([power_ids.index(x) for x in series_of], dtype=int)
    power_ratio = (np.stack(ratios, axis=1) if ratios else np.ones((len(years), 0)))
    seat_powers = np.zeros((n_seats, len(ratios)), dtype=bool)
    for s, (_, aid) in enumerate(seats):
        mine = set(scenario.blocs_of(aid, start)) | {aid}
        for j, pid in enumerate(series_of):
            seat_powers[s, j] = pid in mine

    presence_groups = list(dict.fromkeys((p.actor, p.country)
                                         for p in case.geography.presence))
    index = {"tie": kidx, "capability": sidx, "position": sidx, "salience": sidx,
             "status_quo": {(iid,): i for i, iid in enumerate(case.issues)},
             "power": {(x,): i for i, x in enumerate(power_ids)},
             "presence": {g: i for i, g in enumerate(presence_groups)}}

    def actions(effects: list[Effect]) -> tuple[Action, ...]:
        out = []
        for e in effects:
            kind, ids = parse_path(e.on, INPUTS)
            op, value = _operation(e)
            out.append(Action(kind, index[kind].get(ids, -1) if kind in index else -1,
                              op, value, ids))
        return tuple(out)

    shocks = []
    for sid, sh in case.shocks.items():
        if sh.year is not None:
            when = years == sh.year
            chance = 1.0
        else:
            lo = start if sh.since is None else sh.since
            hi = end if sh.until is None else sh.until
            when = (years >= lo) & (years <= hi)
            chance = float(sh.chance or 0.0)
        shocks.append(ShockPlan(sid, when, chance, sh.once or sh.year is not None,
                                actions(sh.effects)))
    triggers = [TriggerPlan(tid, parse_path(tr.when, QUANTITIES), tr.above, tr.below, tr.once,
                            actions(tr.effects))
                for tid, tr in case.triggers.items()]
    observables = [Observable(oid, parse_path(o.quantity, QUANTITIES), float(o.scale),
                              float(o.offset), bool(o.anchor))
                   for oid, o in case.observables.items()]
    options: dict[str, Any] = {}
    if dyn is not None and dyn.variant is not None:
        options["variant"] = dyn.variant
    if dyn is not None and dyn.rounds is not None:
        options["rounds"] = dyn.rounds
    pillars = tuple(dyn.pillars) if dyn is not None and dyn.pillars else ()
    return Plan(
        scenario=scenario, years=years, powers=power_list, tie_keys=tie_keys,
        tie_values=values, tie_meta=meta, issues=tuple(case.issues), slices=tuple(slices),
        seats=seats, position0=np.array(pos), salience0=np.array(sal),
        capability0=np.array(cap), from_leverage=np.array(fl, dtype=bool),
        seat_power=np.array(sp, dtype=int),
        seat_cells=np.array(cells_of, dtype=bool).reshape(n_seats, len(CELLS)),
        inertia=np.array(inertia), own_inertia=np.array(own_inertia, dtype=bool),
        status_quo0=np.array(sq), veto=veto,
        cap_path=cap_path, cap_values=cap_values, position_drift=pos_drift,
        salience_drift=sal_drift, power_ids=power_ids, power_ratio=power_ratio,
        series_power=series_power, seat_powers=seat_powers, presence_groups=presence_groups,
        trends=trend_plans, tie_start=tie_start, shocks=shocks, triggers=triggers,
        observables=observables,
        model="default" if dyn is None else dyn.model, model_options=options,
        leverage_scale=leverage_scale(scenario), pillars=pillars)


def _all_effects(scenario: Scenario) -> list[Effect]:
    case = scenario.case
    return [e for s in case.shocks.values() for e in s.effects] + \
        [e for t in case.triggers.values() for e in t.effects]


def _operation(effect: Effect) -> tuple[str, Any]:
    """The one operation an effect states (validation makes it exactly one)."""
    for op in ("set", "add", "scale", "status", "closed"):
        value = getattr(effect, op)
        if value is not None:
            return op, value
    raise ValueError(f"effect on {effect.on} states no change")


def share_rule(meta: dict) -> tuple[str, float]:
    """How a tie's figure becomes a share (`blocs.influence.indicators`): ("fixed", divisor)
    for shares, percents and amounts with a total; ("pool", 0) for flags and amounts
    without one (divided by the sum over the powers)."""
    unit = meta["unit"]
    if unit in SHARE_UNITS:
        return "fixed", SHARE_UNITS[unit]
    if unit == FLAG_UNIT:
        return "pool", 0.0
    if meta["total"] is not None:
        return "fixed", float(meta["total"])
    return "pool", 0.0

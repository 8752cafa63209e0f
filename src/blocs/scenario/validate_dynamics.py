"""Checks of a case's dynamics sections: what moves the case year by year (docs/dynamics.md).

Like `blocs.scenario.validate`, each check yields ``(path, message)`` findings that the loader
turns into ``FILE:LINE: path: what (allowed)`` lines.  `check_dynamics` runs them in file
order: stakeholders (``capability: from_leverage``, ``domains``), ``dynamics``, ``trends``,
``shocks``, ``triggers``, ``observables``.  Paths (``on``, ``when``, ``quantity``) are parsed
with `blocs.scenario.paths.parse_path`, then every id in them is looked up in the case.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import NamedTuple

from blocs.reference import country_names
from blocs.scenario.paths import (
    INPUTS,
    NUMERIC_INPUTS,
    PATH_HELP,
    QUANTITIES,
    TREND_INPUTS,
    PathError,
    parse_path,
)
from blocs.scenario.schema import (
    DOMAINS,
    FROM_LEVERAGE,
    MEMBER_STATUSES,
    Case,
    Dynamics,
    Effect,
    Measure,
    Observable,
    Shock,
    Trend,
    Trigger,
)
from blocs.scenario.validate import (
    FieldPath,
    Finding,
    _check_backed,
    _check_source_ids,
    _check_sourced,
    _check_span,
    _custom_countries,
    _ids,
)

#: Models the yearly step can run on each issue.  The exchange model is not among them: it
#: trades positions across issues at once, so it has no per-issue step to run.
DYNAMICS_MODELS = ("default", "compromise", "median", "nash", "eum", "smp")

#: The inputs a trend may move, in the shape `parse_path` takes.
_TREND_KINDS = {kind: INPUTS[kind] for kind in TREND_INPUTS}

#: What each id of a path names, by the path's kind (`blocs.scenario.paths`).  ``pillars``
#: has none to look up: parse_path already allows only ``pillars/powers``.
_ROLES: dict[str, tuple[str, ...]] = {
    "tie": ("actor", "actor", "measure"),
    "capability": ("issue", "stakeholder"),
    "position": ("issue", "stakeholder"),
    "salience": ("issue", "stakeholder"),
    "status_quo": ("issue",),
    "outcome": ("issue",),
    "power": ("bloc or actor",),
    "presence": ("actor", "country"),
    "membership": ("organization", "country"),
    "border": ("country", "country"),
    "leverage": ("actor", "domain"),
    "share": ("actor",),
    "reach": ("actor",),
    "bloc": ("bloc",),
    "encirclement": ("bloc",),
    "pillars": (),
}

#: The fields of an effect that say what it does, and which of them each kind of input takes.
_EFFECT_FIELDS = ("set", "add", "scale", "status", "closed")
_NUMERIC_FIELDS = ("set", "add", "scale")
_EFFECT_FIELDS_BY_KIND = {"membership": ("status",), "border": ("closed",)}

#: The bounds of a value ``set`` on an input, by kind (None: no upper bound).  Positions,
#: saliences and status quos are on the 0-100 scale of an issue; a capability or a force's
#: size below 0 means nothing to the models.
_SET_RANGES: dict[str, tuple[float, float | None]] = {
    "position": (0, 100), "salience": (0, 100), "status_quo": (0, 100),
    "capability": (0, None), "presence": (0, None),
}

_DEFAULT_INERTIA = 1.0
_DEFAULT_LEVERAGE_SCALE = 100.0


class _Known(NamedTuple):
    """What the ids in a path may name: the case, its measures (built-in and declared) and
    the countries of the map it uses."""

    case: Case
    measures: dict[str, Measure]
    countries: set[str]


def check_dynamics(
    case: Case, measures: dict[str, Measure], known: set[str] | None = None
) -> Iterator[Finding]:
    """All problems of the dynamics sections, in file order.  ``measures`` are the case's
    measures (`blocs.scenario.measures.resolve_measures`); ``known`` the country codes of its
    map (as `check_case` computes them; computed here when None)."""
    if known is None:
        known = set(country_names()) | _custom_countries(case)
    ctx = _Known(case, measures, known)
    yield from _check_leverage_stakeholders(case)
    if case.dynamics is not None:
        yield from _check_dynamics_section(case.dynamics, case)
    for tid, trend in case.trends.items():
        yield from _check_trend(trend, ("trends", tid), ctx)
    for sid, shock in case.shocks.items():
        yield from _check_shock(shock, ("shocks", sid), ctx)
    for gid, trigger in case.triggers.items():
        yield from _check_trigger(trigger, ("triggers", gid), ctx)
    for oid, observable in case.observables.items():
        yield from _check_observable(observable, ("observables", oid), ctx)


# ---------------------------------------------------------------------------------------------
# paths


def _check_path(
    text: str, kinds: dict[str, tuple[int, ...]], where: FieldPath, ctx: _Known
) -> tuple[str | None, list[Finding]]:
    """The kind of the path ``text`` (None when it does not parse) and its problems: its
    shape (`parse_path`), then each id it names."""
    try:
        kind, ids = parse_path(text, kinds)
    except PathError as exc:
        return None, [(where, str(exc))]
    return kind, [(where, message) for message in _unknown_ids(text, kind, ids, ctx)]


def _check_trend_path(text: str, where: FieldPath, ctx: _Known) -> Iterator[Finding]:
    """A trend moves only `TREND_INPUTS`: the others (a status quo, forces, memberships,
    borders) change in steps, through shocks and triggers."""
    head = text.split("/")[0]
    if head in INPUTS and head not in _TREND_KINDS:
        yield where, (
            f"a trend cannot move '{text}': {head} changes only through shocks and triggers "
            "(allowed: " + ", ".join(PATH_HELP[k] for k in _TREND_KINDS) + ")")
    else:
        yield from _check_path(text, _TREND_KINDS, where, ctx)[1]


def _unknown_ids(text: str, kind: str, ids: tuple[str, ...], ctx: _Known) -> Iterator[str]:
    """Every id of a parsed path names something of the case (`_ROLES`); a stakeholder is
    looked up only in a known issue (an unknown issue is reported instead)."""
    for role, value in zip(_ROLES[kind], ids, strict=False):
        if role == "stakeholder":
            issue = ctx.case.issues.get(ids[0])
            if issue is None:
                continue
            allowed: Collection[str] = issue.stakeholders
        else:
            allowed = _allowed_ids(role, ctx)
        if value not in allowed:
            yield f"unknown {role} '{value}' in '{text}' (allowed: {_listing(role, allowed)})"


def _allowed_ids(role: str, ctx: _Known) -> Collection[str]:
    """The ids a path may use for ``role`` (all but stakeholders, which depend on the issue)."""
    case = ctx.case
    return {
        "actor": case.actors,
        "issue": case.issues,
        "measure": ctx.measures,
        "bloc or actor": set(case.blocs) | set(case.actors),
        "bloc": case.blocs,
        "organization": case.organizations,
        "country": ctx.countries,
        "domain": DOMAINS,
    }[role]


def _listing(role: str, allowed: Collection[str]) -> str:
    """The allowed ids of ``role`` in words: the countries of the map are too many to list."""
    if role == "country":
        return "ISO3 codes of the map's countries, such as SRB; Kosovo is XKX"
    if role == "measure":
        return f"{_ids(allowed, 40)}; or declare it under measures:"
    return _ids(allowed)


# ---------------------------------------------------------------------------------------------
# stakeholders


def _check_leverage_stakeholders(case: Case) -> Iterator[Finding]:
    """``domains`` goes only with ``capability: from_leverage``; and that is an outside
    power's leverage over the focus, so the focus itself cannot take it."""
    for iid, issue in case.issues.items():
        for aid, st in issue.stakeholders.items():
            path: FieldPath = ("issues", iid, "stakeholders", aid)
            from_leverage = st.capability == FROM_LEVERAGE
            if st.domains is not None and not from_leverage:
                yield (*path, "domains"), (
                    "domains applies only to capability: from_leverage (allowed: remove "
                    "domains, or set capability: from_leverage)")
            if from_leverage and aid == case.focus:
                yield (*path, "capability"), (
                    f"'{aid}' is the focus: from_leverage is an outside power's leverage over "
                    "the focus (allowed: a number for the focus; from_leverage for other "
                    "actors)")


# ---------------------------------------------------------------------------------------------
# dynamics


def _check_dynamics_section(dyn: Dynamics, case: Case) -> Iterator[Finding]:
    """The model runs per issue; pillars are actors, each once; an inertia or leverage scale
    other than the default is a figure, so it needs a source or an assumption."""
    path: FieldPath = ("dynamics",)
    if dyn.model not in DYNAMICS_MODELS:
        yield (*path, "model"), (
            f"'{dyn.model}' cannot run the yearly step (allowed: {', '.join(DYNAMICS_MODELS)}; "
            "the exchange model trades across issues, so it has no per-issue step)")
    yield from _check_pillars(dyn.pillars or [], case)
    if dyn.inertia != _DEFAULT_INERTIA or dyn.leverage_scale != _DEFAULT_LEVERAGE_SCALE:
        yield from _check_backed(dyn, path)
    yield from _check_source_ids(dyn, path, case.sources)


def _check_pillars(pillars: list[str], case: Case) -> Iterator[Finding]:
    """``pillars`` names actors, each at most once."""
    seen: set[str] = set()
    for k, aid in enumerate(pillars):
        where: FieldPath = ("dynamics", "pillars", k)
        if aid not in case.actors:
            yield where, f"'{aid}' is not an actor (allowed: {_ids(case.actors)})"
        elif aid in seen:
            yield where, f"'{aid}' is listed twice (allowed: each pillar once)"
        seen.add(aid)


# ---------------------------------------------------------------------------------------------
# trends


def _check_trend(trend: Trend, path: FieldPath, ctx: _Known) -> Iterator[Finding]:
    """A trend moves a trend input named by known ids, has values or a rate, one value per
    year, and is sourced."""
    yield from _check_trend_path(trend.on, (*path, "on"), ctx)
    if not trend.values and trend.rate is None:
        yield path, (
            "a trend with neither values nor a rate moves nothing (allowed: values: "
            "[{year, value, source}], rate: a change per year, or both)")
    yield from _check_value_years(trend, path)
    yield from _check_trend_sources(trend, path, ctx.case.sources)


def _check_value_years(trend: Trend, path: FieldPath) -> Iterator[Finding]:
    """Each year has at most one value in a trend."""
    first: dict[int, int] = {}
    for k, value in enumerate(trend.values):
        if value.year in first:
            yield (*path, "values", k, "year"), (
                f"{value.year} already has a value in values[{first[value.year]}] "
                "(allowed: one value per year)")
        else:
            first[value.year] = k


def _check_trend_sources(trend: Trend, path: FieldPath, sources: dict) -> Iterator[Finding]:
    """A trend is sourced or assumed as a whole, or every one of its values is; every source
    cited exists."""
    every_value_backed = bool(trend.values) and all(
        v.source is not None or v.assumption is not None for v in trend.values)
    if not every_value_backed:
        yield from _check_backed(trend, path)
    yield from _check_source_ids(trend, path, sources)
    for k, value in enumerate(trend.values):
        yield from _check_source_ids(value, (*path, "values", k), sources)


# ---------------------------------------------------------------------------------------------
# shocks and triggers


def _check_shock(shock: Shock, path: FieldPath, ctx: _Known) -> Iterator[Finding]:
    """A shock is scheduled or has a chance, falls within the case's period, is sourced, and
    its effects are valid.  ``once`` with a year is redundant, not wrong."""
    if (shock.year is None) == (shock.chance is None):
        where = path if shock.year is None else (*path, "chance")
        given = "neither year nor chance" if shock.year is None else "both year and chance"
        yield where, (
            f"a shock with {given} (allowed: exactly one of year, for an event in that "
            "year, or chance, for an event with that chance each year)")
    for field in ("year", "since", "until"):
        yield from _check_in_period(getattr(shock, field), (*path, field), ctx.case)
    yield from _check_span(shock.since, shock.until, path)
    yield from _check_sourced(shock, path, ctx.case.sources)
    yield from _check_effects(shock.effects, path, ctx)


def _check_in_period(year: int | None, where: FieldPath, case: Case) -> Iterator[Finding]:
    """A year the dynamics act in lies within the case's period (its year when it has no
    period).  A period that ends before it starts is reported once, by validate."""
    if year is None or (case.period is not None and case.period.start > case.period.end):
        return
    if case.period is None:
        if year != case.year:
            yield where, (f"{year} is not the case year {case.year}, and the case has no "
                          f"period (allowed: {case.year}, or add period: {{start, end}})")
    elif not case.period.start <= year <= case.period.end:
        first, last = case.period.start, case.period.end
        yield where, (f"{year} is outside the case's period {first}-{last} "
                      f"(allowed: {first} to {last})")


def _check_trigger(trigger: Trigger, path: FieldPath, ctx: _Known) -> Iterator[Finding]:
    """A trigger watches a known quantity against one threshold, is sourced, and its effects
    are valid."""
    _, problems = _check_path(trigger.when, QUANTITIES, (*path, "when"), ctx)
    yield from problems
    if (trigger.above is None) == (trigger.below is None):
        where = path if trigger.above is None else (*path, "below")
        given = ("neither above nor below" if trigger.above is None
                 else "both above and below")
        yield where, (
            f"a trigger with {given} (allowed: exactly one of above or "
            "below, the threshold)")
    yield from _check_sourced(trigger, path, ctx.case.sources)
    yield from _check_effects(trigger.effects, path, ctx)


def _check_effects(effects: list[Effect], path: FieldPath, ctx: _Known) -> Iterator[Finding]:
    """Each effect names a known input and says what it does to it, as its kind allows."""
    for k, effect in enumerate(effects):
        epath: FieldPath = (*path, "effects", k)
        kind, problems = _check_path(effect.on, INPUTS, (*epath, "on"), ctx)
        yield from problems
        if kind is not None:
            yield from _check_effect_fields(effect, kind, epath)
            yield from _check_set_range(effect, kind, epath)


def _check_effect_fields(effect: Effect, kind: str, path: FieldPath) -> Iterator[Finding]:
    """A number (`NUMERIC_INPUTS`) takes exactly one of set, add or scale; a membership only
    a status; a border only closed.  One finding per effect: a field that does not apply,
    else a wrong count."""
    allowed = _NUMERIC_FIELDS if kind in NUMERIC_INPUTS else _EFFECT_FIELDS_BY_KIND[kind]
    given = [f for f in _EFFECT_FIELDS if getattr(effect, f) is not None]
    words = _effect_words(kind, allowed)
    wrong = [f for f in given if f not in allowed]
    if wrong:
        yield (*path, wrong[0]), f"{wrong[0]} does not apply to '{effect.on}' (allowed: {words})"
    elif len(given) != 1:
        what = "does nothing" if not given else "gives " + " and ".join(given)
        yield path, f"an effect on '{effect.on}' {what} (allowed: {words})"


def _effect_words(kind: str, allowed: tuple[str, ...]) -> str:
    """What an effect on an input of ``kind`` may say, in words."""
    if kind == "membership":
        return f"status: one of {', '.join(MEMBER_STATUSES)}, none"
    if kind == "border":
        return "closed: true or false"
    return "exactly one of " + ", ".join(allowed)


def _check_set_range(effect: Effect, kind: str, path: FieldPath) -> Iterator[Finding]:
    """A value ``set`` lies in its input's range (`_SET_RANGES`)."""
    if effect.set is None or kind not in _SET_RANGES:
        return
    low, high = _SET_RANGES[kind]
    if effect.set < low or (high is not None and effect.set > high):
        span = f"{low:g} to {high:g}" if high is not None else f"{low:g} or more"
        yield (*path, "set"), f"{effect.set:g} is out of range for {kind} (allowed: {span})"


# ---------------------------------------------------------------------------------------------
# observables


def _check_observable(obs: Observable, path: FieldPath, ctx: _Known) -> Iterator[Finding]:
    """An observable maps a known quantity with a scale other than 0; its scale and offset
    are figures, sourced or assumed, unless it is the quantity itself."""
    _, problems = _check_path(obs.quantity, QUANTITIES, (*path, "quantity"), ctx)
    yield from problems
    if obs.scale == 0:
        yield (*path, "scale"), (
            "scale 0 maps every value of the quantity to the offset (allowed: a number "
            "other than 0)")
    identity = obs.scale == 1 and obs.offset == 0 and not obs.anchor
    if identity:
        yield from _check_source_ids(obs, path, ctx.case.sources)
    else:
        yield from _check_sourced(obs, path, ctx.case.sources)

"""Checks that need the whole case: ids cross-checked, sources cited, units and ranges.

The pydantic schema checks each value on its own; these checks look across the file.  Each
yields ``(path, message)`` findings; the loader adds the file and line.  A message says what is
wrong, then in parentheses what is allowed.  `check_case` runs them in file order: period,
sources, actors, focus, organizations, blocs, geography (borders, border lengths, presence,
closed borders, sea routes, hostile states), ties, issues, then the dynamics sections
(`blocs.scenario.validate_dynamics`: stakeholders' capability from leverage, dynamics, trends,
shocks, triggers, observables).  `check_warnings` finds what is questionable but not wrong
(figures dated after the case year or its period, docs/case-format.md, Time): the loader keeps
them in `Scenario.warnings` instead of refusing the file.
"""

from __future__ import annotations

from collections.abc import Iterator

from blocs.limits import capability_refusal
from blocs.reference import country_names, load_borders, load_land
from blocs.scenario.measures import FLAG_UNIT, SHARE_UNITS, is_amount, resolve_measures
from blocs.scenario.schema import (
    FROM_LEVERAGE,
    ORG_KINDS,
    YEAR_RANGE,
    Actor,
    Case,
    Issue,
    Measure,
    Membership,
    Organization,
    Presence,
    Sourced,
    Stakeholder,
    StatusPeriod,
    Tie,
    year_span,
)

#: Where a finding is in the file: keys and list indexes from the top, ``("ties", 3, "to")``.
FieldPath = tuple[str | int, ...]
#: One finding: where, and ``what is wrong (allowed: ...)``.
Finding = tuple[FieldPath, str]


def check_case(case: Case) -> list[Finding]:
    """All cross-file problems of a structurally valid case, in file order."""
    # Imported here: validate_dynamics builds on this module's helpers (_ids, _check_sourced).
    from blocs.scenario.validate_dynamics import check_dynamics
    from blocs.scenario.validate_ensemble import check_ensemble

    known = set(country_names()) | _custom_countries(case)
    measures = resolve_measures(case.measures)
    return [
        *_check_period(case),
        *_check_source_links(case),
        *_check_actors(case, known),
        *_check_focus(case),
        *_check_organizations(case, known),
        *_check_blocs(case),
        *_check_case_borders(case),
        *_check_border_lengths(case),
        *_check_presence(case, known),
        *_check_closed(case, known),
        *_check_sea_routes(case, known),
        *_check_hostile(case, known),
        *_check_ties(case, measures),
        *_check_issues(case),
        *check_dynamics(case, measures, known),
        *check_ensemble(case, measures, known),
    ]


def check_warnings(case: Case) -> list[Finding]:
    """What a structurally valid case may keep but should know, in file order: a tie whose
    figure is known only after the case year (a span's from its last year on) is not seen in
    that year; one known only after the end of the case's ``period`` is seen by no run of it."""
    out: list[Finding] = []
    for k, tie in enumerate(case.ties):
        first, known = year_span(tie.year)
        if known <= case.year or first > known:  # seen in the case year, or already an error
            continue
        crosses = first <= case.year  # a span that starts by the case year and ends after it
        what = f"'{tie.year}' {'ends' if crosses else 'is'} after the"
        span_rule = "a span counts from its last year on, so " if first != known else ""
        if case.period is not None and known > case.period.end:
            message = (
                f"{what} case's period {case.period.start}-{case.period.end}: {span_rule}"
                f"no run of the case sees this figure (allowed: figures known by "
                f"{case.period.end}, the period's end)")
        else:
            message = (
                f"{what} case year {case.year}: {span_rule}this figure is not seen in "
                f"{case.year}, only in runs for {known} or later (allowed: "
                + (f"a span ending by {case.year}, or its first year alone for a figure that "
                   "has held since then)" if crosses else
                   f"figures dated up to {case.year} for the case year)"))
        out.append((("ties", k, "year"), message))
    return out


def _ids(names: object, limit: int = 12) -> str:
    names = sorted(str(n) for n in names)  # type: ignore[union-attr]
    if not names:
        return "none defined"
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def _builtin(case: Case) -> bool:
    return case.geography.borders == "builtin"


# ---------------------------------------------------------------------------------------------
# sources


def _check_backed(item: Sourced, path: FieldPath) -> Iterator[Finding]:
    """Figures need a source or an assumption."""
    if item.source is None and item.assumption is None:
        yield path, (
            "no source for these figures (add source: <id from sources> "
            'or assumption: "why this value")'
        )


def _check_source_ids(item: Sourced, path: FieldPath, sources: dict) -> Iterator[Finding]:
    """Every source id an item cites is in ``sources``."""
    for k, sid in enumerate(item.source_ids):
        if sid not in sources:
            where = (*path, "source") if isinstance(item.source, str) else (*path, "source", k)
            yield where, f"unknown source '{sid}' (allowed: {_ids(sources)})"


def _check_sourced(item: Sourced, path: FieldPath, sources: dict) -> Iterator[Finding]:
    """Figures with a source or an assumption, and only known source ids."""
    yield from _check_backed(item, path)
    yield from _check_source_ids(item, path, sources)


def _check_period(case: Case) -> Iterator[Finding]:
    """The case's period does not end before it starts."""
    if case.period is not None and case.period.start > case.period.end:
        yield ("period", "end"), (
            f"period ends ({case.period.end}) before it starts ({case.period.start}) "
            "(allowed: end >= start)"
        )


def _check_source_links(case: Case) -> Iterator[Finding]:
    """A source's ``url`` is a link: http(s) or doi."""
    for sid, src in case.sources.items():
        if src.url is not None and not src.url.startswith(("http://", "https://", "doi:")):
            yield ("sources", sid, "url"), (
                f"{src.url[:40]!r} is not a link (allowed: an http(s):// address or doi:...)"
            )


# ---------------------------------------------------------------------------------------------
# actors and organisations


def _check_actors(case: Case, known: set[str]) -> Iterator[Finding]:
    """Each actor's kind-specific fields: a faction's state, a state's country, the
    organization entry of a union, alliance or organization."""
    for aid, actor in case.actors.items():
        path: FieldPath = ("actors", aid)
        yield from _check_faction_of(actor, path, case)
        yield from _check_actor_country(aid, actor, path, known, _builtin(case))
        yield from _check_actor_organization(aid, actor, path, case)


def _check_faction_of(actor: Actor, path: FieldPath, case: Case) -> Iterator[Finding]:
    """A faction names the state actor it belongs to in ``of``; nothing else has ``of``."""
    actors = case.actors
    if actor.kind == "faction":
        if actor.of is None:
            yield path, "a faction needs 'of: <state actor id>' (the state it belongs to)"
        elif actor.of not in actors or actors[actor.of].kind != "state":
            states = [a for a, x in actors.items() if x.kind == "state"]
            yield (*path, "of"), f"'{actor.of}' is not a state actor (allowed: {_ids(states)})"
    elif actor.of is not None:
        yield (*path, "of"), f"only factions have 'of' (this actor is a {actor.kind})"


def _check_actor_country(
    aid: str, actor: Actor, path: FieldPath, known: set[str], builtin: bool
) -> Iterator[Finding]:
    """A state is a country of the map (its id or ``country``); organisations have none."""
    if actor.kind == "state":
        code = actor.country or aid
        if code not in known:
            key = (*path, "country") if actor.country else path
            yield key, (
                f"'{code}' is not a country of the "
                f"{'built-in geography' if builtin else 'case borders'} "
                "(allowed: an ISO3 code such as SRB, USA; Kosovo is XKX; "
                "or set country: <code>)"
            )
    elif actor.country is not None and actor.kind != "faction":
        yield (*path, "country"), f"a {actor.kind} has members, not a country (remove it)"


def _check_actor_organization(
    aid: str, actor: Actor, path: FieldPath, case: Case
) -> Iterator[Finding]:
    """Unions, alliances and organizations act for an entry of ``organizations``; no other
    kind names one."""
    if actor.kind in ORG_KINDS:
        org = actor.organization or aid
        if org not in case.organizations:
            key = (*path, "organization") if actor.organization else path
            yield key, (
                f"a {actor.kind} needs an organization entry with its members: "
                f"'{org}' is not in organizations (allowed: {_ids(case.organizations)})"
            )
    elif actor.organization is not None:
        yield (*path, "organization"), (
            f"only unions, alliances and organizations act for an organization "
            f"(this actor is a {actor.kind})"
        )


def _check_focus(case: Case) -> Iterator[Finding]:
    """The focus is a state actor."""
    actors = case.actors
    if case.focus not in actors:
        yield ("focus",), f"'{case.focus}' is not an actor (allowed: {_ids(actors)})"
    elif actors[case.focus].kind != "state":
        yield ("focus",), f"'{case.focus}' is a {actors[case.focus].kind} (allowed: a state actor)"


def _check_organizations(case: Case, known: set[str]) -> Iterator[Finding]:
    """Each organisation is sourced (or each of its members is) and its members are known
    countries with consistent dates."""
    for oid, org in case.organizations.items():
        path: FieldPath = ("organizations", oid)
        every_member_sourced = bool(org.members) and all(
            _member_backed(m) for m in org.members.values()
        )
        if every_member_sourced:
            yield from _check_source_ids(org, path, case.sources)
        else:
            yield from _check_sourced(org, path, case.sources)
        yield from _check_members(org, path, known, case.sources)


def _member_backed(m: int | Membership | list[StatusPeriod]) -> bool:
    """Whether a member entry carries its own source or assumption (every period of a list)."""
    if isinstance(m, int):
        return False
    if isinstance(m, Membership):
        return bool(m.source or m.assumption)
    return all(p.source or p.assumption for p in m)


def _check_members(
    org: Organization, path: FieldPath, known: set[str], sources: dict
) -> Iterator[Finding]:
    """Members are known countries; a member leaves after it joins; status periods are in
    order and do not overlap; their sources are known."""
    for code, m in org.members.items():
        mpath = (*path, "members", code)
        if code not in known:
            yield mpath, f"'{code}' is not a known country (allowed: ISO3 codes; Kosovo is XKX)"
        if isinstance(m, Membership):
            if m.left is not None and m.left < m.joined:
                yield (*mpath, "left"), (
                    f"left ({m.left}) before joining ({m.joined}) (allowed: left >= joined)"
                )
            if m.source is not None:
                yield from _check_source_ids(m, mpath, sources)
        elif isinstance(m, list):
            yield from _check_status_periods(m, mpath, sources)


def _check_status_periods(
    periods: list[StatusPeriod], path: FieldPath, sources: dict
) -> Iterator[Finding]:
    """Status periods follow each other: ``since`` rises, ``until`` is not before ``since``
    and ends before the next period starts."""
    for k, period in enumerate(periods):
        ppath = (*path, k)
        if period.until is not None and period.until < period.since:
            yield (*ppath, "until"), (
                f"until ({period.until}) is before since ({period.since}) "
                "(allowed: until >= since)")
        if k > 0:
            before = periods[k - 1]
            if period.since <= before.since:
                yield (*ppath, "since"), (
                    f"since {period.since} does not follow the period before it (since "
                    f"{before.since}) (allowed: periods in order, each since a later year)")
            elif before.until is not None and before.until >= period.since:
                yield (*path, k - 1, "until"), (
                    f"until {before.until} overlaps the next period (since {period.since}) "
                    f"(allowed: until {period.since - 1} or earlier, or no until)")
        if period.source is not None:
            yield from _check_source_ids(period, ppath, sources)


def _check_blocs(case: Case) -> Iterator[Finding]:
    """Bloc members are actors, each in one bloc at most, never the focus; sources known."""
    actors = case.actors
    seen: dict[str, str] = {}
    for bid, bloc in case.blocs.items():
        for k, member in enumerate(bloc.members):
            if member not in actors:
                yield ("blocs", bid, "members", k), (
                    f"'{member}' is not an actor (allowed: {_ids(actors)})"
                )
            elif member in seen:
                yield ("blocs", bid, "members", k), (
                    f"'{member}' is already in bloc '{seen[member]}' (allowed: one bloc per actor)"
                )
            else:
                seen[member] = bid
            if member == case.focus:
                yield ("blocs", bid, "members", k), (
                    "the focus state cannot be a bloc member (blocs are the rivals it balances)"
                )
        if bloc.source is not None:
            yield from _check_source_ids(bloc, ("blocs", bid), case.sources)


# ---------------------------------------------------------------------------------------------
# geography


def _check_case_borders(case: Case) -> Iterator[Finding]:
    """A case's own borders join two different countries; a length is sourced."""
    if _builtin(case):
        return
    for k, border in enumerate(case.geography.borders):  # type: ignore[arg-type]
        if border.a == border.b:
            yield ("geography", "borders", k), (
                f"a border joins two different countries (both are {border.a})"
            )
        if border.length_km is not None:
            yield from _check_sourced(border, ("geography", "borders", k), case.sources)


def _check_border_lengths(case: Case) -> Iterator[Finding]:
    """Sourced border lengths give one length for each land neighbour of the focus, and
    only for them."""
    bl = case.geography.border_lengths
    if bl is None:
        return
    yield from _check_sourced(bl, ("geography", "border_lengths"), case.sources)
    focus_actor = case.actors.get(case.focus)
    focus_code = (focus_actor.country or case.focus) if focus_actor else case.focus
    graph = load_borders() if _builtin(case) else None
    neighbours = (
        set(graph[focus_code]) if graph is not None and focus_code in graph
        else _custom_neighbours(case, focus_code)
    )
    for code in bl.km:
        if code not in neighbours:
            yield ("geography", "border_lengths", "km", code), (
                f"'{code}' does not border {focus_code} (allowed: {_ids(neighbours)})"
            )
    missing = neighbours - set(bl.km)
    if missing:
        yield ("geography", "border_lengths", "km"), (
            f"no length for {_ids(missing)} (allowed: every land neighbour of "
            f"{focus_code}, or no border_lengths at all)"
        )


def _check_presence(case: Case, known: set[str]) -> Iterator[Finding]:
    """A presence is an actor's in a known country, in a valid year or span (or a year and
    an ``until`` not before it); one entry per mission (actor, country, what) and first year;
    a size is sourced."""
    starts: dict[tuple[str, str, str, int], int] = {}
    for k, pres in enumerate(case.geography.presence):
        path: FieldPath = ("geography", "presence", k)
        if pres.actor not in case.actors:
            yield (*path, "actor"), (
                f"'{pres.actor}' is not an actor (allowed: {_ids(case.actors)})"
            )
        if pres.country not in known:
            yield (*path, "country"), (
                f"'{pres.country}' is not a known country (allowed: ISO3 codes; Kosovo is XKX)"
            )
        yield from _check_year(pres.year, (*path, "year"))
        yield from _check_until(pres, path)
        key = (pres.actor, pres.country, pres.what, year_span(pres.year)[0])
        if key in starts:
            yield (*path, "year"), (
                f"geography.presence[{starts[key]}] already starts {pres.what!r} of "
                f"{pres.actor} in {pres.country} in {key[3]} (allowed: one entry per mission "
                "and first year; "
                "a later entry with the same what replaces an open-ended one)")
        else:
            starts[key] = k
        if pres.size is not None:
            yield from _check_sourced(pres, path, case.sources)


def _check_until(pres: Presence, path: FieldPath) -> Iterator[Finding]:
    """``until`` goes with a single first year, and is not before it."""
    if pres.until is None:
        return
    if isinstance(pres.year, str):
        yield (*path, "until"), (
            f"until {pres.until} with the span '{pres.year}' (allowed: a span "
            "'first-last', or year: first with until: last, not both)")
    elif pres.until < pres.year:
        yield (*path, "until"), (
            f"until ({pres.until}) is before the first year ({pres.year}) "
            "(allowed: until >= year)")


def _check_span(since: int | None, until: int | None, path: FieldPath) -> Iterator[Finding]:
    """``until`` (included) is not before ``since``."""
    if since is not None and until is not None and until < since:
        yield (*path, "until"), (
            f"until ({until}) is before since ({since}) (allowed: until >= since, or no until)")


def _neighbours_of(case: Case, code: str) -> set[str]:
    """The land neighbours of a country on the map the case uses."""
    if _builtin(case):
        graph = load_borders()
        return set(graph[code]) if code in graph else set()
    return _custom_neighbours(case, code)


def _check_closed(case: Case, known: set[str]) -> Iterator[Finding]:
    """A closed border joins two land neighbours of the map in use, over valid years, and
    says why (a source or an assumption)."""
    for k, closed in enumerate(case.geography.closed):
        path: FieldPath = ("geography", "closed", k)
        for side in ("a", "b"):
            code = getattr(closed, side)
            if code not in known:
                yield (*path, side), (
                    f"'{code}' is not a known country (allowed: ISO3 codes; Kosovo is XKX)")
        if closed.a == closed.b:
            yield (*path, "b"), f"a border joins two different countries (both are {closed.a})"
        elif closed.a in known and closed.b in known:
            neighbours = _neighbours_of(case, closed.a)
            if closed.b not in neighbours:
                yield (*path, "b"), (
                    f"{closed.a} and {closed.b} share no land border on the "
                    f"{'built-in map' if _builtin(case) else 'case borders'} (allowed: a land "
                    f"neighbour of {closed.a}: {_ids(neighbours)})")
        yield from _check_span(closed.since, closed.until, path)
        yield from _check_sourced(closed, path, case.sources)


def _check_sea_routes(case: Case, known: set[str]) -> Iterator[Finding]:
    """A sea route joins two different land masses of the map in use (on the built-in map a
    country code or a land mass id such as RUS.1; on the case's own borders a country code),
    over valid years, and is sourced or assumed."""
    masses = set(load_land()) if _builtin(case) else set()
    for k, route in enumerate(case.geography.sea_routes):
        path: FieldPath = ("geography", "sea_routes", k)
        for side in ("a", "b"):
            mass = getattr(route, side)
            code = mass.split(".")[0]
            if code not in known:
                yield (*path, side), (
                    f"'{code}' is not a known country (allowed: ISO3 codes; Kosovo is XKX)")
            elif "." in mass and not _builtin(case):
                yield (*path, side), (
                    f"'{mass}': the case's own borders have one land mass per country "
                    f"(allowed: the country code {code})")
            elif "." in mass and mass not in masses:
                others = sorted(m for m in masses if m.split(".")[0] == code)
                yield (*path, side), (
                    f"'{mass}' is not a land mass of the built-in map (allowed: "
                    f"{_ids(others)}; docs/geography.md)")
        if route.a == route.b:
            yield (*path, "b"), f"a sea route joins two different land masses (both are {route.a})"
        yield from _check_span(route.since, route.until, path)
        yield from _check_sourced(route, path, case.sources)


def _check_hostile(case: Case, known: set[str]) -> Iterator[Finding]:
    """A hostile state is a known country other than the focus's, over valid years, sourced
    or assumed."""
    focus_actor = case.actors.get(case.focus)
    focus_code = (focus_actor.country or case.focus) if focus_actor else case.focus
    for k, hostile in enumerate(case.geography.hostile):
        path: FieldPath = ("geography", "hostile", k)
        if hostile.country not in known:
            yield (*path, "country"), (
                f"'{hostile.country}' is not a known country (allowed: ISO3 codes; Kosovo is XKX)")
        elif hostile.country == focus_code:
            yield (*path, "country"), (
                f"'{hostile.country}' is the focus (allowed: a state hostile to the focus)")
        yield from _check_span(hostile.since, hostile.until, path)
        yield from _check_sourced(hostile, path, case.sources)


def _custom_countries(case: Case) -> set[str]:
    """Countries a case's own borders add (fictional or missing from the built-in map)."""
    codes: set[str] = set()
    if not _builtin(case):
        for border in case.geography.borders:  # type: ignore[union-attr]
            codes.update((border.a, border.b))
    return codes


def _custom_neighbours(case: Case, code: str) -> set[str]:
    out: set[str] = set()
    if not _builtin(case):
        for border in case.geography.borders:  # type: ignore[union-attr]
            if border.a == code:
                out.add(border.b)
            elif border.b == code:
                out.add(border.a)
    return out


# ---------------------------------------------------------------------------------------------
# ties


def _check_ties(case: Case, measures: dict[str, Measure]) -> Iterator[Finding]:
    """Each tie, in file order: actors, source, year, measure, value; then, across ties, one
    unit per pool of amounts and one figure per tie and year."""
    keys: dict[tuple, int] = {}
    pools: dict[tuple[str, str], tuple[str, int]] = {}
    for k, tie in enumerate(case.ties):
        path: FieldPath = ("ties", k)
        yield from _check_tie_actors(tie, path, case)
        yield from _check_sourced(tie, path, case.sources)
        yield from _check_year(tie.year, (*path, "year"))
        measure = measures.get(tie.measure)
        if measure is None:
            yield (*path, "measure"), (
                f"unknown measure '{tie.measure}' (allowed: {_ids(measures, 40)}; "
                "or declare it under measures:)"
            )
            continue
        if tie.domain is not None and tie.domain != measure.domain:
            yield (*path, "domain"), (
                f"measure '{tie.measure}' is in the {measure.domain} domain, not {tie.domain} "
                f"(allowed: {measure.domain}, or leave domain out)"
            )
        unit = tie.unit or measure.unit
        yield from _check_value(tie.value, unit, tie.total, path)
        yield from _check_pool_unit(tie, k, unit, pools)
        yield from _check_duplicate_tie(tie, k, keys)


def _check_tie_actors(tie: Tie, path: FieldPath, case: Case) -> Iterator[Finding]:
    """A tie links two different actors."""
    for field, ref in (("from", tie.from_), ("to", tie.to)):
        if ref not in case.actors:
            yield (*path, field), f"'{ref}' is not an actor (allowed: {_ids(case.actors)})"
    if tie.from_ == tie.to:
        yield (*path, "to"), f"a tie links two different actors (both are '{tie.to}')"


def _check_year(year: int | str, path: FieldPath) -> Iterator[Finding]:
    """A year or span of years lies within `YEAR_RANGE` and does not end before it starts."""
    first, last = year_span(year)
    lo, hi = YEAR_RANGE
    if not (lo <= first <= hi and lo <= last <= hi):
        yield path, f"'{year}' is out of range (allowed: years {lo} to {hi})"
    elif first > last:
        yield path, f"'{year}' ends before it starts (allowed: 'YYYY-YYYY' with start <= end)"


def _check_value(
    value: float, unit: str, total: float | None, path: FieldPath
) -> Iterator[Finding]:
    """A tie's value in its unit's range: a share within its top, a flag 0 or 1, an amount
    not negative and not above its total; only amounts have a total."""
    if unit in SHARE_UNITS:
        top = SHARE_UNITS[unit]
        if not 0 <= value <= top:
            yield (*path, "value"), (
                f"{value:g} is out of range for unit {unit} (allowed: 0 to {top:g})"
            )
        if total is not None:
            yield (*path, "total"), (
                f"a total only goes with amounts, not with unit {unit} "
                "(allowed: remove total, or give the value as an amount with its unit)"
            )
    elif unit == FLAG_UNIT:
        if value not in (0, 1):
            yield (*path, "value"), f"{value:g} is not a flag (allowed: 0 or 1)"
        if total is not None:
            yield (*path, "total"), "a flag has no total (allowed: remove total)"
    else:
        assert is_amount(unit)
        if value < 0:
            yield (*path, "value"), f"{value:g} {unit} is negative (allowed: 0 or more)"
        elif total is not None and value > total:
            yield (*path, "value"), (
                f"{value:g} {unit} is more than the total {total:g} (allowed: value <= total)"
            )


def _check_pool_unit(
    tie: Tie, k: int, unit: str, pools: dict[tuple[str, str], tuple[str, int]]
) -> Iterator[Finding]:
    """Amounts without a total are pooled across powers (same target, same measure): one
    unit per pool.  ``pools`` records each pool's first unit and tie."""
    if not is_amount(unit) or tie.total is not None:
        return
    pool = (tie.to, tie.measure)
    if pool in pools and pools[pool][0] != unit:
        first_unit, first_k = pools[pool]
        yield ("ties", k, "unit"), (
            f"{tie.measure} into {tie.to} is in {first_unit} in ties[{first_k}] and "
            f"has no total here (allowed: the same unit, or a total that makes it a "
            "share)"
        )
    pools.setdefault(pool, (unit, k))


def _check_duplicate_tie(tie: Tie, k: int, keys: dict[tuple, int]) -> Iterator[Finding]:
    """One figure per power, target, measure and year.  ``keys`` records the first tie of
    each."""
    key = (tie.from_, tie.to, tie.measure, year_span(tie.year))
    if key in keys:
        yield ("ties", k), (
            f"duplicate tie: ties[{keys[key]}] already gives {tie.measure} from "
            f"{tie.from_} to {tie.to} for {tie.year} (allowed: one figure per year)"
        )
    else:
        keys[key] = k


# ---------------------------------------------------------------------------------------------
# issues


def _check_issues(case: Case) -> Iterator[Finding]:
    """Stakeholders are sourced actors with a capability every model accepts, and some
    stakeholder of each issue weighs (salience x capability > 0); a status quo is sourced;
    veto players are stakeholders of the issue, with a status quo to keep."""
    for iid, issue in case.issues.items():
        if issue.status_quo is not None:
            yield from _check_sourced(issue.status_quo, ("issues", iid, "status_quo"),
                                      case.sources)
        yield from _check_veto(iid, issue)
        for aid, st in issue.stakeholders.items():
            path: FieldPath = ("issues", iid, "stakeholders", aid)
            if aid not in case.actors:
                yield path, f"'{aid}' is not an actor (allowed: {_ids(case.actors)})"
            yield from _check_sourced(st, path, case.sources)
            # The bound every model accepts (docs/bargaining.md); the schema checks >= 0.  A
            # capability from leverage is computed each year, so there is no number to bound.
            too_large = (None if st.capability == FROM_LEVERAGE
                         else capability_refusal(st.capability))
            if too_large is not None:
                yield (*path, "capability"), too_large
        if not any(_weighs(st) for st in issue.stakeholders.values()):
            yield ("issues", iid, "stakeholders"), (
                "every stakeholder has zero salience or capability, so no forecast is defined "
                "(allowed: at least one with salience > 0 and capability > 0)"
            )


def _check_veto(iid: str, issue: Issue) -> Iterator[Finding]:
    """``veto`` names stakeholders of the issue, each once; it needs a status quo (what a veto
    keeps) and a veto player that weighs (salience x capability > 0), since the Nash model
    bargains among the veto players only (docs/bargaining.md)."""
    if issue.veto is None:
        return
    path: FieldPath = ("issues", iid, "veto")
    seen: set[str] = set()
    for k, aid in enumerate(issue.veto):
        if aid not in issue.stakeholders:
            yield (*path, k), (
                f"'{aid}' is not a stakeholder of this issue "
                f"(allowed: {_ids(issue.stakeholders)})")
        elif aid in seen:
            yield (*path, k), f"'{aid}' is listed twice (allowed: each veto player once)"
        seen.add(aid)
    if issue.status_quo is None:
        yield path, (
            "veto players without a status quo: a veto keeps the status quo, so the issue "
            "needs one (allowed: add status_quo: {position: 0-100, source: ...}, or remove veto)")
    weighs = [aid for aid in seen if aid in issue.stakeholders
              and _weighs(issue.stakeholders[aid])]
    if seen and seen <= set(issue.stakeholders) and not weighs:
        yield path, (
            "every veto player has zero salience or capability, so the Nash model has no one "
            "to bargain (allowed: at least one veto player with salience > 0 and "
            "capability > 0)")


def _weighs(st: Stakeholder) -> bool:
    """Whether a stakeholder weighs in a forecast: salience x capability > 0.  A capability
    from leverage counts as positive: it is computed each year, and a power with leverage
    over the focus has some (docs/dynamics.md)."""
    return st.salience > 0 and (st.capability == FROM_LEVERAGE or st.capability > 0)

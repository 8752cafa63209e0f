"""Checks that need the whole case: ids cross-checked, sources cited, units and ranges.

The pydantic schema checks each value on its own; these checks look across the file.  Each
returns ``(path, message)`` pairs; the loader adds the file and line.  A message says what is
wrong, then in parentheses what is allowed.
"""

from __future__ import annotations

from collections.abc import Iterator

from blocs.bargaining.problem import capability_refusal
from blocs.geography.borders import country_names, load_borders
from blocs.scenario.measures import FLAG_UNIT, SHARE_UNITS, is_amount, resolve_measures
from blocs.scenario.schema import Case, Sourced

Path = tuple[str | int, ...]
Problem = tuple[Path, str]

ORG_KINDS = ("union", "alliance", "organization")


def _ids(names: object, limit: int = 12) -> str:
    names = sorted(str(n) for n in names)  # type: ignore[union-attr]
    if not names:
        return "none defined"
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def year_span(year: int | str) -> tuple[int, int]:
    """(first, last) year of a ``year`` field: ``2023`` or ``'2020-2024'``."""
    if isinstance(year, int):
        return year, year
    first, last = year.split("-")
    return int(first), int(last)


def check_case(case: Case) -> list[Problem]:
    """All cross-file problems of a structurally valid case, in file order."""
    return list(_check(case))


def _check_sourced(item: Sourced, path: Path, sources: dict) -> Iterator[Problem]:
    if item.source is None and item.assumption is None:
        yield path, (
            "no source for these figures (add source: <id from sources> "
            'or assumption: "why this value")'
        )
    for k, sid in enumerate(item.source_ids):
        if sid not in sources:
            where = (*path, "source") if isinstance(item.source, str) else (*path, "source", k)
            yield where, f"unknown source '{sid}' (allowed: {_ids(sources)})"


def _check(case: Case) -> Iterator[Problem]:
    sources = case.sources
    actors = case.actors
    measures = resolve_measures(case.measures)
    builtin = case.geography.borders == "builtin"
    # Case borders may add countries of their own (fictional or missing from the built-in map).
    known_countries = set(country_names()) | _custom_countries(case)

    if case.period is not None and case.period.start > case.period.end:
        yield ("period", "end"), (
            f"period ends ({case.period.end}) before it starts ({case.period.start}) "
            "(allowed: end >= start)"
        )

    for sid, src in sources.items():
        if src.url is not None and not src.url.startswith(("http://", "https://", "doi:")):
            yield ("sources", sid, "url"), (
                f"{src.url[:40]!r} is not a link (allowed: an http(s):// address or doi:...)"
            )

    # actors
    for aid, actor in actors.items():
        path: Path = ("actors", aid)
        if actor.kind == "faction":
            if actor.of is None:
                yield path, "a faction needs 'of: <state actor id>' (the state it belongs to)"
            elif actor.of not in actors or actors[actor.of].kind != "state":
                states = [a for a, x in actors.items() if x.kind == "state"]
                yield (*path, "of"), f"'{actor.of}' is not a state actor (allowed: {_ids(states)})"
        elif actor.of is not None:
            yield (*path, "of"), f"only factions have 'of' (this actor is a {actor.kind})"
        if actor.kind == "state":
            code = actor.country or aid
            if code not in known_countries:
                key = (*path, "country") if actor.country else path
                yield key, (
                    f"'{code}' is not a country of the "
                    f"{'built-in geography' if builtin else 'case borders'} "
                    "(allowed: an ISO3 code such as SRB, USA; Kosovo is XKX; "
                    "or set country: <code>)"
                )
        elif actor.country is not None and actor.kind != "faction":
            yield (*path, "country"), f"a {actor.kind} has members, not a country (remove it)"
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
    if case.focus not in actors:
        yield ("focus",), f"'{case.focus}' is not an actor (allowed: {_ids(actors)})"
    elif actors[case.focus].kind != "state":
        yield ("focus",), f"'{case.focus}' is a {actors[case.focus].kind} (allowed: a state actor)"

    # organizations
    for oid, org in case.organizations.items():
        path = ("organizations", oid)
        every_member_sourced = bool(org.members) and all(
            not isinstance(m, int) and (m.source or m.assumption) for m in org.members.values()
        )
        if not every_member_sourced:
            yield from _check_sourced(org, path, sources)
        else:
            yield from (p for p in _check_sourced(org, path, sources) if "unknown source" in p[1])
        for code, m in org.members.items():
            mpath = (*path, "members", code)
            if code not in known_countries:
                yield mpath, f"'{code}' is not a known country (allowed: ISO3 codes; Kosovo is XKX)"
            if not isinstance(m, int):
                if m.left is not None and m.left < m.joined:
                    yield (*mpath, "left"), (
                        f"left ({m.left}) before joining ({m.joined}) (allowed: left >= joined)"
                    )
                if m.source is not None:
                    yield from (
                        p for p in _check_sourced(m, mpath, sources) if "unknown source" in p[1]
                    )

    # blocs
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
            yield from (
                p for p in _check_sourced(bloc, ("blocs", bid), sources) if "unknown" in p[1]
            )

    # geography
    geo = case.geography
    if not builtin:
        for k, border in enumerate(geo.borders):  # type: ignore[arg-type]
            if border.a == border.b:
                yield ("geography", "borders", k), (
                    f"a border joins two different countries (both are {border.a})"
                )
            if border.length_km is not None:
                yield from _check_sourced(border, ("geography", "borders", k), sources)
    if geo.border_lengths is not None:
        bl = geo.border_lengths
        yield from _check_sourced(bl, ("geography", "border_lengths"), sources)
        focus_actor = actors.get(case.focus)
        focus_code = (focus_actor.country or case.focus) if focus_actor else case.focus
        graph = load_borders() if builtin else None
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
    for k, pres in enumerate(geo.presence):
        path = ("geography", "presence", k)
        if pres.actor not in actors:
            yield (*path, "actor"), f"'{pres.actor}' is not an actor (allowed: {_ids(actors)})"
        if pres.country not in known_countries:
            yield (*path, "country"), (
                f"'{pres.country}' is not a known country (allowed: ISO3 codes; Kosovo is XKX)"
            )
        yield from _check_year(pres.year, (*path, "year"))
        if pres.size is not None:
            yield from _check_sourced(pres, path, sources)

    # ties
    keys: dict[tuple, int] = {}
    pooled_units: dict[tuple[str, str], tuple[str, int]] = {}
    for k, tie in enumerate(case.ties):
        path = ("ties", k)
        for field, ref in (("from", tie.from_), ("to", tie.to)):
            if ref not in actors:
                yield (*path, field), f"'{ref}' is not an actor (allowed: {_ids(actors)})"
        if tie.from_ == tie.to:
            yield (*path, "to"), f"a tie links two different actors (both are '{tie.to}')"
        yield from _check_sourced(tie, path, sources)
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
        if is_amount(unit) and tie.total is None:
            # Amounts without a total are pooled across powers: one unit per pool.
            pool = (tie.to, tie.measure)
            if pool in pooled_units and pooled_units[pool][0] != unit:
                first_unit, first_k = pooled_units[pool]
                yield (*path, "unit"), (
                    f"{tie.measure} into {tie.to} is in {first_unit} in ties[{first_k}] and "
                    f"has no total here (allowed: the same unit, or a total that makes it a "
                    "share)"
                )
            pooled_units.setdefault(pool, (unit, k))
        key = (tie.from_, tie.to, tie.measure, year_span(tie.year))
        if key in keys:
            yield path, (
                f"duplicate tie: ties[{keys[key]}] already gives {tie.measure} from "
                f"{tie.from_} to {tie.to} for {tie.year} (allowed: one figure per year)"
            )
        else:
            keys[key] = k

    # issues
    for iid, issue in case.issues.items():
        for aid, st in issue.stakeholders.items():
            path = ("issues", iid, "stakeholders", aid)
            if aid not in actors:
                yield path, f"'{aid}' is not an actor (allowed: {_ids(actors)})"
            yield from _check_sourced(st, path, sources)
            # The bound every model accepts (docs/bargaining.md); the schema checks >= 0.
            too_large = capability_refusal(st.capability)
            if too_large is not None:
                yield (*path, "capability"), too_large
        weight = sum(st.salience * st.capability for st in issue.stakeholders.values())
        if weight <= 0:
            yield ("issues", iid, "stakeholders"), (
                "every stakeholder has zero salience or capability, so no forecast is defined "
                "(allowed: at least one with salience > 0 and capability > 0)"
            )


def _check_year(year: int | str, path: Path) -> Iterator[Problem]:
    first, last = year_span(year)
    lo, hi = 1800, 2200
    if not (lo <= first <= hi and lo <= last <= hi):
        yield path, f"'{year}' is out of range (allowed: years {lo} to {hi})"
    elif first > last:
        yield path, f"'{year}' ends before it starts (allowed: 'YYYY-YYYY' with start <= end)"


def _check_value(value: float, unit: str, total: float | None, path: Path) -> Iterator[Problem]:
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


def _custom_countries(case: Case) -> set[str]:
    codes: set[str] = set()
    if case.geography.borders != "builtin":
        for border in case.geography.borders:  # type: ignore[union-attr]
            codes.update((border.a, border.b))
    return codes


def _custom_neighbours(case: Case, code: str) -> set[str]:
    out: set[str] = set()
    if case.geography.borders != "builtin":
        for border in case.geography.borders:  # type: ignore[union-attr]
            if border.a == code:
                out.add(border.b)
            elif border.b == code:
                out.add(border.a)
    return out

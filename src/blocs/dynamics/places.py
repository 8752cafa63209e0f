"""The map side of a year: bloc membership, reach and encirclement, per distinct map.

Memberships and border closures are discrete: a shock or trigger that changes one gives the
runs it hits a different map from that year on.  Each run carries an *overlay* id, the
changes made to its map so far; runs that share an overlay share a `Scenario` built from the
case with those changes (`overlay_scenario`).  Reach and encirclement
(`blocs.geography.reach`, graph searches) are computed once per overlay and per distinct
state of the map in a year (`map_quantities`, cached), never once per run.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from blocs.geography.reach import (
    HOSTILE_ROW,
    NEUTRAL_ROW,
    closed_borders,
    encirclement,
    hostile_states,
    reach_all,
)
from blocs.scenario.scenario import Scenario, status_spans
from blocs.scenario.schema import ClosedBorder, StatusPeriod

#: Access that reaches the focus by land without crossing a rival (docs/geography.md).
REACHING = ("own", "direct", "through_friends", "through_neutrals")
#: The encirclement rows besides the blocs' own.
HOSTILE_AND_NEUTRAL = (HOSTILE_ROW, NEUTRAL_ROW)
#: The assumption recorded on a membership or closure that a shock or trigger made.
MADE_BY = "changed by a shock or trigger of the case's dynamics"

#: One change to the map: ("membership", org, country, status, year) or
#: ("border", a, b, closed, year).
Change = tuple


def overlay_scenario(base: Scenario, changes: tuple[Change, ...]) -> Scenario:
    """``base`` with ``changes`` made, in order (see `Change`)."""
    if not changes:
        return base
    case = base.case
    orgs = dict(case.organizations)
    closed = list(case.geography.closed)
    for change in changes:
        if change[0] == "membership":
            _, org, country, status, year = change
            o = orgs[org]
            members = dict(o.members)
            periods = []
            if country in members:
                for span in status_spans(members[country]):
                    if span.first >= year:
                        continue
                    last = year - 1 if span.last is None else min(span.last, year - 1)
                    periods.append(StatusPeriod(status=span.status, since=span.first,
                                                until=last, assumption=MADE_BY))
            if status != "none":
                periods.append(StatusPeriod(status=status, since=year, assumption=MADE_BY))
            if periods:
                members[country] = periods
            else:
                members.pop(country, None)
            orgs[org] = o.model_copy(update={"members": members})
        else:
            _, a, b, shut, year = change
            pair = {a, b}
            kept = []
            for c in closed:
                active = c.until is None or c.until >= year
                if {c.a, c.b} == pair and active and c.since <= year and not shut:
                    if c.since <= year - 1:
                        kept.append(c.model_copy(update={"until": year - 1}))
                    continue
                kept.append(c)
            if shut:
                kept.append(ClosedBorder(a=a, b=b, since=year, assumption=MADE_BY))
            closed = kept
    geography = case.geography.model_copy(update={"closed": closed})
    new = case.model_copy(update={"organizations": orgs, "geography": geography})
    return replace(base, case=new)


@dataclass(frozen=True)
class MapQuantities:
    """A year's map, as the quantities of the step: ``bloc_members`` (B, P) bool,
    ``reach`` (P,) 1 when the power reaches the focus (`REACHING`), ``encirclement``
    {row label: share of the focus's land border}."""

    bloc_members: np.ndarray
    reach: np.ndarray
    encirclement: dict[str, float]


def map_signature(scenario: Scenario, year: int) -> tuple:
    """What the map quantities of ``year`` depend on, as a hashable value."""
    members = tuple((oid, code, scenario.status(oid, code, year))
                    for oid, org in scenario.case.organizations.items() for code in org.members)
    presences = tuple(id(p) for p in scenario.presences(year))
    seas = tuple((s.a, s.b) for s in scenario.case.geography.sea_routes
                 if (s.since is None or s.since <= year) and (s.until is None or year <= s.until))
    return (members, frozenset(closed_borders(scenario, year)),
            frozenset(hostile_states(scenario, year)), presences, seas)


def map_quantities(scenario: Scenario, year: int, powers: tuple[str, ...], key: tuple,
                   cache: dict) -> MapQuantities:
    """The `MapQuantities` of ``year``, kept in ``cache`` under ``key`` (the overlay) and
    the map's signature."""
    signature = (key, map_signature(scenario, year))
    if signature in cache:
        return cache[signature]
    blocs = list(scenario.case.blocs)
    members = np.array([[b in scenario.blocs_of(p, year) for p in powers] for b in blocs],
                       dtype=bool).reshape(len(blocs), len(powers))
    reachable = reach_all(scenario, year=year)
    access = dict(zip(reachable["from"], reachable["access"], strict=True))
    reach = np.array([1.0 if access.get(p) in REACHING else 0.0 if p in access else np.nan
                      for p in powers])
    enc = encirclement(scenario, year=year)
    out = MapQuantities(members, reach, dict(zip(enc["bloc"], enc["share"].astype(float),
                                                 strict=True)))
    cache[signature] = out
    return out

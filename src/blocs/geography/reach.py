"""Reach and encirclement: who can get to the target by land, and whose members surround it.

Model (docs/geography.md).  The land-border graph G has one node per country; each country is
coloured by the blocs that hold it at the date (a bloc holds its member states and the member
states of its member organisations).  For a power P and target T:

* origins(P) = the countries P holds (its own, or its members') plus the countries where P, or
  an organisation P belongs to, has a presence (a base, a mission, a contingent);
* rivals(P)  = the territory of every bloc P is not in (none, for a power in no bloc);
* land_route = a shortest path in G from an origin to T through no rival country (origins and
  T themselves excepted): fewest crossings first, then shortest total border length, then the
  first in alphabetical order (the routes compared country by country); null when there is
  none;
* blocked_by = the rival blocs B such that T cannot be reached at all once B's countries are
  removed (every land route crosses B), computed only when no route avoids the rivals;
* access     = own (T is P's), direct (an origin borders T), through_friends (only countries of
  P's blocs between), through_neutrals (some unaligned country between), blocked (land routes
  exist but all cross a rival) or none (no land connection at all);
* presence   = P's presences (and those of organisations it belongs to) in T or a neighbour.

Encirclement of T by bloc B at a date = the length of T's land border with B's countries over
T's whole land border (the case's sourced lengths when it gives them, else the lengths
measured on the built-in shapes).

The graph is NetworkX's; the route search (`_route`) is a Dijkstra search written out here so
that the tie-break above is exact and does not depend on the order of the borders in a file.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import networkx as nx
import pandas as pd

from blocs.reference import load_borders
from blocs.scenario.scenario import Scenario
from blocs.scenario.schema import year_span


@dataclass(frozen=True)
class Reach:
    """How one power can reach the target by land."""

    power: str
    target: str
    land_route: list[str] | None
    blocked_by: list[str]
    access: str
    presence: list[dict] = field(default_factory=list)

    def as_row(self) -> dict:
        return {"from": self.power, "to": self.target, "land_route": self.land_route,
                "blocked_by": self.blocked_by, "access": self.access,
                "presence": self.presence}


def border_graph(scenario: Scenario) -> nx.Graph:
    """The land-border graph the case uses: built-in, or the case's own list of borders."""
    borders = scenario.case.geography.borders
    if borders == "builtin":
        return load_borders()
    graph = nx.Graph()
    for b in borders:  # type: ignore[union-attr]
        graph.add_edge(b.a, b.b, length_km=b.length_km or 1.0)
    return graph


def presences_of(scenario: Scenario, power: str, year: int | None = None) -> list[dict]:
    """Presences of the power itself and of organisations it is a member of, in ``year``.

    A presence counts from the first year it is recorded for; ``via`` names the organisation
    for a presence the power shares through membership.
    """
    year = scenario.year if year is None else year
    country = scenario.country_of(power)
    own_orgs = set()
    if country is not None and scenario.actors[power].kind == "state":
        own_orgs = {
            actor for actor in scenario.actors
            if (org := scenario.organization_of(actor)) is not None
            and country in scenario.members(org, year)
        }
    out = []
    for p in scenario.case.geography.presence:
        if year_span(p.year)[0] > year:
            continue
        if p.actor == power or p.actor in own_orgs:
            out.append({
                "actor": p.actor, "country": p.country, "what": p.what,
                "size": p.size, "unit": p.unit, "year": str(p.year),
                "via": None if p.actor == power else p.actor,
                "source": ";".join(p.source_ids) if p.source_ids else "assumption",
            })
    return out


def reach(scenario: Scenario, power: str, target: str | None = None,
          year: int | None = None) -> Reach:
    """Whether and how ``power`` reaches ``target`` (default: the focus) by land.

    >>> from blocs.scenario import load_case
    >>> r = reach(load_case("serbia-2024"), "RUS")
    >>> r.land_route is None, r.blocked_by
    (True, ['West'])
    """
    year = scenario.year if year is None else year
    target_actor = scenario.focus if target is None else target
    tgt = scenario.country_of(target_actor)
    if tgt is None:
        raise ValueError(f"{target_actor} is not a state: reach needs a country as target")
    graph = border_graph(scenario)
    own_blocs = set(scenario.blocs_of(power, year))
    rival_blocs = [b for b in scenario.case.blocs if b not in own_blocs] if own_blocs else []
    rival_land = {b: scenario.bloc_territory(b, year) - {tgt} for b in rival_blocs}
    friends = set().union(*(scenario.bloc_territory(b, year) for b in own_blocs)) \
        if own_blocs else set()
    presence_all = presences_of(scenario, power, year)
    origins = (scenario.territory(power, year) | {p["country"] for p in presence_all}) & set(
        graph.nodes)
    near = {tgt} | (set(graph[tgt]) if tgt in graph else set())
    presence = [dict(p, hops=0 if p["country"] == tgt else 1)
                for p in presence_all if p["country"] in near]

    def result(route: list[str] | None, blocked: list[str], access: str) -> Reach:
        return Reach(power, target_actor, route, blocked, access, presence)

    if tgt in origins:
        return result([tgt], [], "own" if tgt in scenario.territory(power, year) else "direct")
    if not origins or tgt not in graph:
        return result(None, [], "none")
    forbidden = set().union(*rival_land.values()) - origins if rival_land else set()
    route = _route(graph, origins, tgt, forbidden)
    if route is not None:
        between = route[1:-1]
        if not between:
            access = "direct"
        elif all(c in friends for c in between):
            access = "through_friends"
        else:
            access = "through_neutrals"
        return result(route, [], access)
    if _route(graph, origins, tgt, set()) is None:
        return result(None, [], "none")
    blocked = [b for b, land in rival_land.items()
               if _route(graph, origins, tgt, land - origins) is None]
    return result(None, blocked, "blocked")


def _route(
    graph: nx.Graph, origins: set[str], target: str, forbidden: set[str]
) -> list[str] | None:
    """The route from any origin to ``target`` through no ``forbidden`` country: fewest
    border crossings, then shortest total border length (``length_km``), then the first in
    alphabetical order (the routes compared country by country, from the origin); None when
    there is none.

    Dijkstra's search from every origin at once, on the key (crossings, km, route): a key
    only grows along a route, and two routes to a country with equal keys are the same route,
    so the result does not depend on the order of the graph's nodes or edges (NetworkX's
    Dijkstra breaks exact ties by that order).

    >>> g = nx.Graph([("A", "B"), ("A", "C"), ("B", "T"), ("C", "T")])
    >>> _route(g, {"A"}, "T", set()), _route(g, {"A"}, "T", {"B"})
    (['A', 'B', 'T'], ['A', 'C', 'T'])
    """
    if target not in graph or target in forbidden:
        return None
    heap = [(0, 0.0, (o,)) for o in sorted(origins) if o in graph and o not in forbidden]
    heapq.heapify(heap)
    done: set[str] = set()
    while heap:
        crossings, km, route = heapq.heappop(heap)
        here = route[-1]
        if here in done:
            continue
        if here == target:
            return list(route)
        done.add(here)
        for there, data in graph[here].items():
            if there not in done and there not in forbidden:
                step = float(data.get("length_km", 0.0))
                heapq.heappush(heap, (crossings + 1, km + step, (*route, there)))
    return None


def reach_all(scenario: Scenario, target: str | None = None, year: int | None = None,
              powers: list[str] | None = None) -> pd.DataFrame:
    """`reach` for every power (default: every actor that is not the target or its faction),
    one row each: from, to, land_route, blocked_by, access, presence."""
    target_actor = scenario.focus if target is None else target
    tgt = scenario.country_of(target_actor)
    if powers is None:
        powers = [a for a, x in scenario.actors.items()
                  if a != target_actor and x.kind != "faction" and scenario.country_of(a) != tgt
                  and (x.kind != "state" or _is_power(scenario, a))]
    rows = [reach(scenario, p, target_actor, year).as_row() for p in powers]
    return pd.DataFrame(rows, columns=["from", "to", "land_route", "blocked_by", "access",
                                       "presence"])


def _is_power(scenario: Scenario, actor: str) -> bool:
    """A state is a power of the case when it holds a tie, a presence or a bloc seat."""
    if any(t.from_ == actor for t in scenario.case.ties):
        return True
    if any(p.actor == actor for p in scenario.case.geography.presence):
        return True
    return any(actor in b.members for b in scenario.case.blocs.values())


def border_lengths(scenario: Scenario, country: str | None = None) -> dict[str, float]:
    """Land border of ``country`` (default: the focus) by neighbour, in km: the case's sourced
    lengths for the focus when given, else the lengths measured on the shapes."""
    country = scenario.focus_country if country is None else country
    bl = scenario.case.geography.border_lengths
    if bl is not None and country == scenario.focus_country:
        return dict(bl.km)
    graph = border_graph(scenario)
    if country not in graph:
        return {}
    return {n: float(graph[country][n].get("length_km", 0.0)) for n in graph[country]}


def encirclement(scenario: Scenario, target: str | None = None,
                 year: int | None = None) -> pd.DataFrame:
    """Share of the target's land border held by each bloc's countries in ``year``.

    Columns: bloc, share, length_km, neighbours (the bloc's neighbouring countries).

    >>> from blocs.scenario import load_case
    >>> enc = encirclement(load_case("serbia-2024")).set_index("bloc")
    >>> round(float(enc.loc["West", "share"]), 3), float(enc.loc["East", "share"])
    (0.684, 0.0)
    """
    target_actor = scenario.focus if target is None else target
    tgt = scenario.country_of(target_actor)
    lengths = border_lengths(scenario, tgt)
    total = sum(lengths.values())
    rows = []
    for bloc in scenario.case.blocs:
        land = scenario.bloc_territory(bloc, year)
        held = sorted(n for n in lengths if n in land)
        km = sum(lengths[n] for n in held)
        rows.append({"bloc": bloc, "share": km / total if total > 0 else 0.0,
                     "length_km": km, "neighbours": held})
    return pd.DataFrame(rows, columns=["bloc", "share", "length_km", "neighbours"])

"""Reach and encirclement: who can get to the target by land, and who holds its border.

Model (docs/geography.md).  Routes follow contiguous land: the graph's nodes are land masses
(a country's separate polygons are separate nodes: Kaliningrad, Nakhchivan, French Guiana,
Alaska), its edges land borders, the built-in bridges and tunnels open in the year (the
Bosphorus, the Channel Tunnel, ...) and the case's stated sea routes.  A border the case
closes is not crossed in the years it is closed.  Each country is coloured by the blocs that
hold it at the date (a bloc holds its member states and the member states of its member
organisations); the focus state is never counted as any bloc's territory.  For a power P and
target T:

* origins(P) = every land mass of the countries P holds (its own, or its members') plus the
  main land mass of each country where P, or an organisation P belongs to, has a presence;
* targets    = the focus state's land masses, all of them (T reached when any is); for another
  target, its main land mass;
* rivals(P)  = the territory of every bloc P is not in (none, for a power in no bloc);
* land_route = the route from an origin to a target through no rival country (origins and
  the target excepted) and across no closed border: fewest sea legs, then fewest border
  crossings, then shortest total border length, then the first in alphabetical order (the
  routes compared land mass by land mass); null when there is none.  ``land_route`` names the
  countries, ``route`` the land masses, ``sea_legs`` the sea routes taken;
* ways_in    = when no route avoids the obstacles but some route exists once they are
  lifted: every minimal set of obstacles (rival blocs, closed borders) whose lifting together
  opens a route, each written with '+' between its obstacles ("Red+Green"); blocked_by = the
  obstacles in any of them (never empty for a blocked power);
* access     = own (T is P's), direct (no third country between), through_friends (only
  countries of P's blocs or P's own between), through_neutrals (some other country between),
  blocked (routes exist but all cross an obstacle) or none (no connection at all);
* presence   = P's presences (and those of organisations it belongs to) in T or a neighbour.

Encirclement of T at a date: T's whole land border divided among its neighbours' standings
(each bloc, several blocs, hostile outside the blocs, neutral), with how much of each is
closed; the shares add up to 1.

The graph is NetworkX's; the route search (`_route`) is a Dijkstra search written out here so
that the tie-break above is exact and does not depend on the order of the borders in a file.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass, field
from itertools import combinations, pairwise

import networkx as nx
import pandas as pd

from blocs.reference import load_borders, load_land
from blocs.scenario.scenario import Scenario

#: Row labels of the encirclement table besides the blocs (they cannot clash with an id).
HOSTILE_ROW = "hostile (outside the blocs)"
NEUTRAL_ROW = "neutral"
#: At most this many obstacles are combined when looking for the ways in (2**n searches).
MAX_OBSTACLES = 16


@dataclass(frozen=True)
class Reach:
    """How one power can reach the target by land (and by the case's sea routes)."""

    power: str
    target: str
    land_route: list[str] | None
    blocked_by: list[str]
    access: str
    presence: list[dict] = field(default_factory=list)
    route: list[str] | None = None
    sea_legs: list[str] = field(default_factory=list)
    ways_in: list[str] = field(default_factory=list)

    def as_row(self) -> dict:
        return {"from": self.power, "to": self.target, "land_route": self.land_route,
                "route": self.route, "sea_legs": self.sea_legs,
                "blocked_by": self.blocked_by, "ways_in": self.ways_in,
                "access": self.access, "presence": self.presence}


REACH_COLUMNS = ["from", "to", "land_route", "route", "sea_legs", "blocked_by", "ways_in",
                 "access", "presence"]


# -- the map of a year ---------------------------------------------------------------------------


def border_graph(scenario: Scenario) -> nx.Graph:
    """The country-level land-border graph the case uses: built-in, or the case's own list of
    borders (neighbours and border lengths; routes use `land_graph`)."""
    borders = scenario.case.geography.borders
    if borders == "builtin":
        return load_borders()
    graph = nx.Graph()
    for b in borders:  # type: ignore[union-attr]
        graph.add_edge(b.a, b.b, length_km=b.length_km or 1.0)
    return graph


def _in_years(since: int | None, until: int | None, year: int) -> bool:
    """Whether ``year`` lies in ``since``..``until`` (both included; None: open)."""
    return (since is None or since <= year) and (until is None or year <= until)


def closure_name(a: str, b: str) -> str:
    """How a closed border is named in ``blocked_by``: ``'closed ARM-TUR'``."""
    x, y = sorted((a, b))
    return f"closed {x}-{y}"


def closed_borders(scenario: Scenario, year: int | None = None) -> set[frozenset[str]]:
    """The pairs of countries whose border the case closes in ``year``."""
    year = scenario.year if year is None else year
    return {frozenset((c.a, c.b)) for c in scenario.case.geography.closed
            if _in_years(c.since, c.until, year)}


def hostile_states(scenario: Scenario, year: int | None = None) -> set[str]:
    """The countries the case states are hostile to the focus in ``year``."""
    year = scenario.year if year is None else year
    return {h.country for h in scenario.case.geography.hostile
            if _in_years(h.since, h.until, year)}


def land_graph(scenario: Scenario, year: int | None = None) -> nx.Graph:
    """The graph routes follow in ``year`` (a new graph each call).

    Nodes are land masses (``iso3`` attribute: the country): on the built-in map those of
    `blocs.reference.load_land` (``RUS`` and ``RUS.1`` Kaliningrad, ...); on a case's own
    borders one per country.  Edges have a ``kind``: ``border``, ``link`` (a built-in bridge or
    tunnel, from its opening year on) or ``sea`` (a sea route of the case in its years);
    ``length_km`` (0 for links and sea routes); ``closed``: the closure's name
    (`closure_name`) when the case closes that border in ``year``, else None.  A sea route
    between land masses that share an open border adds nothing; one alongside a closed border
    replaces it (the sea stays open).
    """
    year = scenario.year if year is None else year
    borders = scenario.case.geography.borders
    if borders == "builtin":
        graph = nx.Graph(load_land())
        graph.remove_edges_from([(a, b) for a, b, d in graph.edges(data=True)
                                 if d["kind"] == "link" and d["since"] > year])
    else:
        graph = nx.Graph()
        for b in borders:  # type: ignore[union-attr]
            for code in (b.a, b.b):
                graph.add_node(code, iso3=code, name="", main=True)
            graph.add_edge(b.a, b.b, kind="border", length_km=b.length_km or 1.0)
    shut = closed_borders(scenario, year)
    for a, b, data in graph.edges(data=True):
        ca, cb = graph.nodes[a]["iso3"], graph.nodes[b]["iso3"]
        data["closed"] = closure_name(ca, cb) if frozenset((ca, cb)) in shut else None
    for route in scenario.case.geography.sea_routes:
        if not _in_years(route.since, route.until, year):
            continue
        for mass in (route.a, route.b):
            if mass not in graph:
                graph.add_node(mass, iso3=mass.split(".")[0], name="", main="." not in mass)
        if graph.has_edge(route.a, route.b) and graph[route.a][route.b]["closed"] is None:
            continue
        graph.add_edge(route.a, route.b, kind="sea", length_km=0.0, closed=None)
    return graph


def _country(graph: nx.Graph, node: str) -> str:
    return graph.nodes[node].get("iso3", node)


def _masses(graph: nx.Graph, countries: set[str]) -> set[str]:
    """Every land mass of the countries."""
    return {n for n in graph if _country(graph, n) in countries}


def geo_territory(scenario: Scenario, bloc: str, year: int | None = None) -> set[str]:
    """A bloc's countries for reach and encirclement: its territory without the focus state,
    which the map rules never count as any bloc's (docs/geography.md)."""
    return scenario.bloc_territory(bloc, year) - {scenario.focus_country}


def focus_memberships(scenario: Scenario, year: int | None = None) -> list[dict]:
    """The focus state's places in the blocs' organisations in ``year``: one dict per
    organisation of a bloc that lists the focus's country (``organization``, ``bloc``,
    ``status``: ``member``, or another status such as ``frozen`` that does not count).  A
    member would make the focus part of that bloc's territory; the map rules do not count it
    (docs/geography.md), and ``blocs run`` says so."""
    year = scenario.year if year is None else year
    country = scenario.focus_country
    out = []
    for bid, bloc in scenario.case.blocs.items():
        for member in bloc.members:
            org = scenario.organization_of(member)
            if org is None or country not in scenario.case.organizations[org].members:
                continue
            status = scenario.status(org, country, year)
            if status is not None:
                out.append({"organization": member, "bloc": bid, "status": status})
    return out


# -- presences -----------------------------------------------------------------------------------


def presences_of(scenario: Scenario, power: str, year: int | None = None) -> list[dict]:
    """Presences of the power itself and of organisations it is a member of, in ``year``
    (those `Scenario.presences` finds there that year).

    ``via`` names the organisation for a presence the power shares through membership.
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
    for p in scenario.presences(year):
        if p.actor == power or p.actor in own_orgs:
            out.append({
                "actor": p.actor, "country": p.country, "what": p.what,
                "size": p.size, "unit": p.unit, "year": str(p.year),
                "via": None if p.actor == power else p.actor,
                "source": ";".join(p.source_ids) if p.source_ids else "assumption",
            })
    return out


# -- reach ---------------------------------------------------------------------------------------


def reach(scenario: Scenario, power: str, target: str | None = None,
          year: int | None = None) -> Reach:
    """Whether and how ``power`` reaches ``target`` (default: the focus) by land.

    >>> from blocs.scenario import load_case
    >>> r = reach(load_case("serbia-2024"), "RUS")
    >>> r.land_route is None, r.blocked_by, r.ways_in
    (True, ['West'], ['West'])
    """
    year = scenario.year if year is None else year
    target_actor = scenario.focus if target is None else target
    tgt = scenario.country_of(target_actor)
    if tgt is None:
        raise ValueError(f"{target_actor} is not a state: reach needs a country as target")
    graph = land_graph(scenario, year)
    targets = _masses(graph, {tgt}) if tgt == scenario.focus_country else (
        {tgt} & set(graph))
    own_blocs = set(scenario.blocs_of(power, year))
    rival_blocs = [b for b in scenario.case.blocs if b not in own_blocs] if own_blocs else []
    held = scenario.territory(power, year)
    friends = held.union(*(geo_territory(scenario, b, year) for b in own_blocs))
    presence_all = presences_of(scenario, power, year)
    origins = _masses(graph, held) | ({p["country"] for p in presence_all} & set(graph))
    countries = border_graph(scenario)
    near = {tgt} | (set(countries[tgt]) if tgt in countries else set())
    presence = [dict(p, hops=0 if p["country"] == tgt else 1)
                for p in presence_all if p["country"] in near]

    def result(access: str, path: list[str] | None = None, ways: list[list[str]] | None = None
               ) -> Reach:
        ways = ways or []
        blocked = _obstacle_order(ways)
        joined = ["+".join(way) for way in ways]
        land = None if path is None else _collapse([_country(graph, n) for n in path])
        legs = [] if path is None else [
            f"{a}-{b}" for a, b in pairwise(path)
            if graph[a][b]["kind"] == "sea"]
        return Reach(power, target_actor, land, blocked, access, presence, path, legs, joined)

    if tgt in held:
        return result("own", [tgt] if tgt in graph else None)
    if origins & targets:
        return result("direct", [min(origins & targets)])
    if not origins or not targets:
        return result("none")
    rival_land = {b: _masses(graph, geo_territory(scenario, b, year) - {tgt}) - origins
                  for b in rival_blocs}
    forbidden = set().union(*rival_land.values())
    path = _route(graph, origins, targets, forbidden)
    if path is not None:
        between = _collapse([_country(graph, n) for n in path])[1:-1]
        if not between:
            access = "direct"
        elif all(c in friends for c in between):
            access = "through_friends"
        else:
            access = "through_neutrals"
        return result(access, path)
    closures = sorted({d["closed"] for _, _, d in graph.edges(data=True) if d["closed"]})
    if not _connected(graph, origins, targets, set(), set(closures)):
        return result("none")
    return result("blocked", ways=_ways_in(graph, origins, targets, rival_land, closures))


def _collapse(codes: list[str]) -> list[str]:
    """Countries along a route, a country once per stretch (a bridge inside a country, such as
    the Bosphorus, is no border crossing)."""
    out: list[str] = []
    for c in codes:
        if not out or out[-1] != c:
            out.append(c)
    return out


def _obstacle_order(ways: list[list[str]]) -> list[str]:
    """The obstacles named in any way in, each once: blocs first (in the order they first
    appear), then closed borders."""
    seen = list(dict.fromkeys(name for way in ways for name in way))
    return [n for n in seen if not n.startswith("closed ")] + sorted(
        n for n in seen if n.startswith("closed "))


def _ways_in(graph: nx.Graph, origins: set[str], targets: set[str],
             rival_land: dict[str, set[str]], closures: list[str]) -> list[list[str]]:
    """Every minimal set of obstacles whose lifting together opens a route, smallest first.

    The obstacles are the rival blocs (their land masses become passable when lifted) and
    the closed borders (they open when lifted).  Only obstacles in the part of the map that
    holds the target once every obstacle is lifted can matter; the sets are found by trying
    combinations of those in order of size and keeping each that opens a route and holds no
    smaller one (exact; at most 2**n searches for n obstacles, n <= MAX_OBSTACLES).
    """
    area: set[str] = set()
    for t in targets:  # the graph holds the closed borders too, marked
        area |= nx.node_connected_component(graph, t)
    obstacles: list[tuple[str, set[str], str | None]] = [
        (b, land, None) for b, land in rival_land.items() if land & area]
    obstacles += [(c, set(), c) for c in closures
                  if any(d["closed"] == c and a in area for a, _, d in graph.edges(data=True))]
    if len(obstacles) > MAX_OBSTACLES:
        raise ValueError(f"{len(obstacles)} obstacles (rival blocs and closed borders) on the "
                         f"way to {sorted(targets)}: more than {MAX_OBSTACLES}, too many to "
                         "combine")
    minimal: list[tuple[int, ...]] = []
    for size in range(1, len(obstacles) + 1):
        for combo in combinations(range(len(obstacles)), size):
            if any(set(m) <= set(combo) for m in minimal):
                continue
            lifted = {obstacles[i][0] for i in combo}
            forbidden = set().union(*(land for name, land, c in obstacles
                                      if c is None and name not in lifted))
            opened = {c for name, _, c in obstacles if c is not None and name in lifted}
            if _connected(graph, origins, targets, forbidden, opened):
                minimal.append(combo)
    return [[obstacles[i][0] for i in combo] for combo in minimal]


def _passable(data: dict, opened: set[str]) -> bool:
    closed = data.get("closed")
    return closed is None or closed in opened


def _connected(graph: nx.Graph, origins: set[str], targets: set[str], forbidden: set[str],
               opened: set[str]) -> bool:
    """Whether some target can be reached from an origin through no forbidden land mass and
    across no closed border but the ``opened`` ones (breadth-first search)."""
    queue = deque(o for o in origins if o in graph and o not in forbidden)
    seen = set(queue)
    while queue:
        here = queue.popleft()
        if here in targets:
            return True
        for there, data in graph[here].items():
            if there not in seen and there not in forbidden and _passable(data, opened):
                seen.add(there)
                queue.append(there)
    return False


def _route(graph: nx.Graph, origins: set[str], target: str | set[str], forbidden: set[str],
           opened: set[str] | None = None) -> list[str] | None:
    """The route from any origin to ``target`` (a node, or any of a set of nodes) through no
    ``forbidden`` node and across no closed edge but the ``opened`` ones: fewest sea legs
    (edges of kind ``sea``), then fewest border crossings (edges between two countries; a
    bridge inside a country is none), then shortest total border length (``length_km``),
    then the first in alphabetical order (the routes compared node by node, from the origin);
    None when there is none.

    Dijkstra's search from every origin at once, on the key (sea legs, crossings, km, route):
    a key only grows along a route, and two routes to a node with equal keys are the same
    route, so the result does not depend on the order of the graph's nodes or edges
    (NetworkX's Dijkstra breaks exact ties by that order).

    >>> g = nx.Graph([("A", "B"), ("A", "C"), ("B", "T"), ("C", "T")])
    >>> _route(g, {"A"}, "T", set()), _route(g, {"A"}, "T", {"B"})
    (['A', 'B', 'T'], ['A', 'C', 'T'])
    """
    targets = {target} if isinstance(target, str) else set(target)
    targets = {t for t in targets if t in graph and t not in forbidden}
    opened = opened or set()
    if not targets:
        return None
    heap = [(0, 0, 0.0, (o,)) for o in sorted(origins) if o in graph and o not in forbidden]
    heapq.heapify(heap)
    done: set[str] = set()
    while heap:
        sea, crossings, km, route = heapq.heappop(heap)
        here = route[-1]
        if here in done:
            continue
        if here in targets:
            return list(route)
        done.add(here)
        for there, data in graph[here].items():
            if there in done or there in forbidden or not _passable(data, opened):
                continue
            kind = data.get("kind", "border")
            cross = _country(graph, here) != _country(graph, there)
            step = float(data.get("length_km", 0.0)) if kind == "border" else 0.0
            heapq.heappush(heap, (sea + (kind == "sea"), crossings + cross, km + step,
                                  (*route, there)))
    return None


def reach_all(scenario: Scenario, target: str | None = None, year: int | None = None,
              powers: list[str] | None = None) -> pd.DataFrame:
    """`reach` for every power (default: every actor that is not the target or its faction),
    one row each: from, to, land_route, route, sea_legs, blocked_by, ways_in, access,
    presence."""
    target_actor = scenario.focus if target is None else target
    tgt = scenario.country_of(target_actor)
    if powers is None:
        powers = [a for a, x in scenario.actors.items()
                  if a != target_actor and x.kind != "faction" and scenario.country_of(a) != tgt
                  and (x.kind != "state" or _is_power(scenario, a))]
    rows = [reach(scenario, p, target_actor, year).as_row() for p in powers]
    return pd.DataFrame(rows, columns=REACH_COLUMNS)


def _is_power(scenario: Scenario, actor: str) -> bool:
    """A state is a power of the case when it holds a tie, a presence or a bloc seat."""
    if any(t.from_ == actor for t in scenario.case.ties):
        return True
    if any(p.actor == actor for p in scenario.case.geography.presence):
        return True
    return any(actor in b.members for b in scenario.case.blocs.values())


# -- encirclement --------------------------------------------------------------------------------


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


STANDING_COLUMNS = ["neighbour", "standing", "blocs", "length_km", "share", "closed", "hostile"]


def standings(scenario: Scenario, target: str | None = None,
              year: int | None = None) -> pd.DataFrame:
    """Every land neighbour of the target (default: the focus) in ``year``, one row each,
    longest border first: ``standing`` (``bloc``: in one bloc; ``several blocs``;
    ``hostile``: outside the blocs and stated hostile to the focus; ``neutral``: the rest),
    ``blocs`` (the blocs that hold it), ``length_km``, ``share`` of the whole border,
    ``closed`` (the border is closed that year), ``hostile`` (stated hostile to the focus,
    whatever its blocs).

    >>> from blocs.scenario import load_case
    >>> st = standings(load_case("serbia-2024")).set_index("neighbour")
    >>> st.loc["BIH", "standing"], st.loc["HUN", "blocs"]
    ('neutral', ['West'])
    """
    year = scenario.year if year is None else year
    target_actor = scenario.focus if target is None else target
    tgt = scenario.country_of(target_actor)
    lengths = border_lengths(scenario, tgt)
    total = sum(lengths.values())
    shut = closed_borders(scenario, year)
    hostile = hostile_states(scenario, year) if tgt == scenario.focus_country else set()
    lands = {b: geo_territory(scenario, b, year) for b in scenario.case.blocs}
    rows = []
    for n, km in sorted(lengths.items(), key=lambda kv: (-kv[1], kv[0])):
        held_by = [b for b, land in lands.items() if n in land]
        standing = ("bloc" if len(held_by) == 1 else "several blocs" if held_by
                    else "hostile" if n in hostile else "neutral")
        rows.append({"neighbour": n, "standing": standing, "blocs": held_by,
                     "length_km": km, "share": km / total if total > 0 else 0.0,
                     "closed": frozenset((tgt, n)) in shut, "hostile": n in hostile})
    return pd.DataFrame(rows, columns=STANDING_COLUMNS)


ENCIRCLEMENT_COLUMNS = ["bloc", "standing", "share", "length_km", "neighbours", "closed_km",
                        "closed", "hostile"]


def encirclement(scenario: Scenario, target: str | None = None,
                 year: int | None = None) -> pd.DataFrame:
    """The target's whole land border in ``year``, divided by its neighbours' standing.

    One row per bloc (the neighbours that bloc alone holds), then one per combination of
    blocs that holds a neighbour together (``West+East``, standing ``several blocs``; only
    when there is one), then ``hostile (outside the blocs)``, then ``neutral``.  Columns:
    bloc (the row's label), standing, share (of the whole border; the rows add up to 1),
    length_km, neighbours, closed_km (the part of the row's border that is closed), closed
    (those neighbours), hostile (the row's neighbours stated hostile to the focus).

    >>> from blocs.scenario import load_case
    >>> enc = encirclement(load_case("serbia-2024")).set_index("bloc")
    >>> round(float(enc.loc["West", "share"]), 3), float(enc.loc["East", "share"])
    (0.684, 0.0)
    >>> round(float(enc.loc["neutral", "share"]), 3), enc.loc["neutral", "neighbours"]
    (0.316, ['BIH', 'XKX'])
    """
    st = standings(scenario, target, year)
    groups: dict[str, tuple[str, list[dict]]] = {
        b: ("bloc", []) for b in scenario.case.blocs}
    for row in st.to_dict("records"):
        if row["standing"] == "several blocs":
            label = "+".join(row["blocs"])
            groups.setdefault(label, ("several blocs", []))[1].append(row)
        elif row["standing"] == "bloc":
            groups[row["blocs"][0]][1].append(row)
    groups[HOSTILE_ROW] = ("hostile", [r for r in st.to_dict("records")
                                       if r["standing"] == "hostile"])
    groups[NEUTRAL_ROW] = ("neutral", [r for r in st.to_dict("records")
                                       if r["standing"] == "neutral"])
    total = float(st["length_km"].sum()) if len(st) else 0.0
    rows = []
    for label, (standing, members) in groups.items():
        km = float(sum(r["length_km"] for r in members))
        shut = [r for r in members if r["closed"]]
        rows.append({
            "bloc": label, "standing": standing, "share": km / total if total > 0 else 0.0,
            "length_km": km, "neighbours": sorted(r["neighbour"] for r in members),
            "closed_km": float(sum(r["length_km"] for r in shut)),
            "closed": sorted(r["neighbour"] for r in shut),
            "hostile": sorted(r["neighbour"] for r in members if r["hostile"])})
    return pd.DataFrame(rows, columns=ENCIRCLEMENT_COLUMNS)

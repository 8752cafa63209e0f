"""The map rules (docs/geography.md, issue 10): separate land masses, closed borders, sea
routes, every neighbour's standing, exact blockers, the focus in no bloc.

Each fixture is a small case written so that the rule decides the answer: the map as it was
before (countries as single nodes, borders always open, only the blocs in the encirclement)
gives another one.
"""

from __future__ import annotations

import csv
import json
import re
from importlib import resources

import networkx as nx
import pandas as pd
import pytest

import blocs
from blocs.geography.reach import (
    HOSTILE_ROW,
    NEUTRAL_ROW,
    encirclement,
    focus_memberships,
    land_graph,
    reach,
    standings,
)
from blocs.reference import load_borders, load_land
from blocs.scenario import CaseError
from tests.conftest import run_blocs
from tests.helpers import HEAD, case


def _head(focus: str) -> str:
    return HEAD.replace("focus: TGT", f"focus: {focus}")


def _masses(graph: nx.Graph, countries: set[str]) -> set[str]:
    return {n for n in graph if graph.nodes[n]["iso3"] in countries}


# ---------------------------------------------------------------------------------------------
# the derived data: land masses, their borders, fixed links


def _data(name: str) -> list[dict[str, str]]:
    text = (resources.files("blocs") / "geography" / "data" / name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def test_land_borders_add_up_to_the_country_borders():
    iso = {r["id"]: r["iso3"] for r in _data("land_masses.csv")}
    by_pair: dict[tuple[str, str], float] = {}
    for r in _data("land_borders.csv"):
        pair = tuple(sorted((iso[r["a"]], iso[r["b"]])))
        assert pair[0] != pair[1], r  # a land border joins two countries
        by_pair[pair] = by_pair.get(pair, 0.0) + float(r["length_km"])
    countries = load_borders()
    assert set(by_pair) == {tuple(sorted(e)) for e in countries.edges}
    for (a, b), km in by_pair.items():
        assert km == pytest.approx(countries[a][b]["length_km"], abs=0.15 * 4), (a, b)


def test_every_country_has_one_main_land_mass_named_by_its_code():
    g = load_land()
    mains = [n for n in g if g.nodes[n]["main"]]
    assert sorted(mains) == sorted(load_borders())
    assert all(g.nodes[n]["iso3"] == n for n in mains)
    others = [n for n in g if not g.nodes[n]["main"]]
    assert all(g.nodes[n]["name"] and n.startswith(g.nodes[n]["iso3"] + ".") for n in others)
    # The capital's polygon, where it is not the largest: Copenhagen is on Zealand.
    assert g.nodes["DNK.1"]["name"] == "Jutland"
    assert g.nodes["DNK"]["area_km2"] < g.nodes["DNK.1"]["area_km2"]


def test_kaliningrad_is_reached_from_russia_only_through_other_countries():
    g = load_land()
    assert g.nodes["RUS.1"]["name"] == "Kaliningrad"
    assert not g.has_edge("RUS", "RUS.1")
    path = nx.shortest_path(g, "RUS", "RUS.1")
    assert {g.nodes[n]["iso3"] for n in path[1:-1]} - {"RUS"}  # other countries between
    without = g.subgraph(set(g) - _masses(g, {"LTU", "POL"}))
    assert not nx.has_path(without, "RUS", "RUS.1")
    # The country graph, where Russia is one node, says otherwise.
    assert load_borders().has_edge("RUS", "POL")


def test_nakhchivan_touches_armenia_iran_and_turkey_not_mainland_azerbaijan():
    g = load_land()
    assert g.nodes["AZE.1"]["name"] == "Nakhchivan"
    assert sorted(g["AZE.1"]) == ["ARM", "IRN", "TUR"]
    assert "TUR" not in g["AZE"] and not g.has_edge("AZE", "AZE.1")


def test_french_guiana_is_not_france_and_no_land_route_crosses_the_atlantic():
    g = load_land()
    assert sorted(g["FRA.1"]) == ["BRA", "SUR"] and "BRA" not in g["FRA"]
    assert not nx.has_path(g, "USA", "TUR")
    assert nx.has_path(load_borders(), "USA", "TUR")  # the country graph bridged the ocean
    assert g.has_edge("USA.1", "CAN") and g.nodes["USA.1"]["name"] == "Alaska"


def test_fixed_links_open_in_their_year():
    s = case("""
    actors:
      TUR: {name: Turkey, kind: state}
    """, _head("TUR"))
    assert land_graph(s, 1973).has_edge("TUR", "TUR.1")  # the Bosphorus Bridge
    assert not land_graph(s, 1972).has_edge("TUR", "TUR.1")
    assert land_graph(s, 1994)["FRA"]["GBR"]["kind"] == "link"  # the Channel Tunnel
    assert not land_graph(s, 1993).has_edge("FRA", "GBR")


# ---------------------------------------------------------------------------------------------
# separate land masses and sea routes in reach

OCEAN = """
actors:
  TUR: {name: Turkey, kind: state}
  USA: {name: United States, kind: state}
  FRA: {name: France, kind: state}
blocs:
  West: {members: [USA, FRA]}
geography:
  borders: builtin
"""


def test_no_land_route_from_the_united_states_to_turkey():
    # Before: USA > MEX > ... > BRA > FRA > ... > TUR, through French Guiana.
    r = reach(case(OCEAN, _head("TUR")), "USA")
    assert r.access == "none" and r.land_route is None and r.blocked_by == []
    # France itself reaches Turkey from its main land mass, not from French Guiana.
    fra = reach(case(OCEAN, _head("TUR")), "FRA")
    assert fra.route[0] == "FRA" and fra.access == "through_neutrals"


def test_a_stated_sea_route_carries_the_power_across():
    body = OCEAN + "  sea_routes:\n    - {a: USA, b: FRA, assumption: transatlantic shipping}\n"
    r = reach(case(body, _head("TUR")), "USA")
    assert r.sea_legs == ["USA-FRA"]
    assert r.route[:2] == ["USA", "FRA"] and r.land_route[:2] == ["USA", "FRA"]
    # The focus is reached at any of its land masses: East Thrace, from Bulgaria or Greece.
    assert r.route[-1] == "TUR.1" and r.land_route[-1] == "TUR"
    direct = OCEAN + "  sea_routes:\n    - {a: USA, b: TUR, since: 2030, source: s}\n"
    assert reach(case(direct, _head("TUR")), "USA").access == "none"  # not yet in 2024
    later = reach(case(direct, _head("TUR")), "USA", year=2030)
    assert (later.route, later.sea_legs, later.access) == (["USA", "TUR"], ["USA-TUR"], "direct")


KALININGRAD = """
actors:
  POL: {name: Poland, kind: state}
  KAZ: {name: Kazakhstan, kind: state}
  RUS: {name: Russia, kind: state}
  LTU: {name: Lithuania, kind: state}
  BLR: {name: Belarus, kind: state}
  UKR: {name: Ukraine, kind: state}
  SVK: {name: Slovakia, kind: state}
  CZE: {name: Czechia, kind: state}
  DEU: {name: Germany, kind: state}
blocs:
  Steppe: {members: [KAZ]}
  Ring: {members: [LTU, BLR, UKR, SVK, CZE, DEU]}
"""


def test_russia_is_no_bridge_to_kaliningrad():
    s = case(KALININGRAD, _head("POL"))
    # Before: KAZ > RUS > POL, Russia being one node bordering Poland.  Poland's only
    # neighbour outside the Ring is Kaliningrad, which mainland Russia does not touch.
    kaz = reach(s, "KAZ")
    assert kaz.land_route is None and kaz.access == "blocked"
    assert kaz.blocked_by == ["Ring"] and kaz.ways_in == ["Ring"]
    # Russia holds Kaliningrad: it borders Poland from there.
    rus = reach(s, "RUS")
    assert (rus.route, rus.land_route, rus.access) == (["RUS.1", "POL"], ["RUS", "POL"],
                                                        "direct")


def test_nakhchivan_counts_for_the_focus_but_not_for_another_target():
    s = case("""
    actors:
      AZE: {name: Azerbaijan, kind: state}
      TUR: {name: Turkey, kind: state}
      GEO: {name: Georgia, kind: state}
    """, _head("AZE"))
    r = reach(s, "TUR")
    assert (r.route, r.access) == (["TUR", "AZE.1"], "direct")  # the focus, at Nakhchivan
    g = case("""
    actors:
      GEO: {name: Georgia, kind: state}
      AZE: {name: Azerbaijan, kind: state}
      TUR: {name: Turkey, kind: state}
    """, _head("GEO"))
    other = reach(g, "TUR", target="AZE")  # another target: its main land mass
    assert len(other.land_route) == 3 and other.route[-1] == "AZE"
    assert other.access == "through_neutrals"


# ---------------------------------------------------------------------------------------------
# closed borders

CLOSED = """
actors:
  TGT: {name: Target, kind: state}
  WST: {name: Western power, kind: state}
  GEO: {name: Corridor, kind: state}
  RDP: {name: Red power, kind: state}
blocs:
  West: {members: [WST]}
  Red: {members: [RDP]}
geography:
  borders:
    - {a: WST, b: CLS}
    - {a: CLS, b: TGT}
    - {a: WST, b: FRI}
    - {a: FRI, b: GEO}
    - {a: GEO, b: TGT}
    - {a: RDP, b: ISL}
  closed:
    - {a: TGT, b: CLS, since: 1993, source: s}
"""


def test_a_closed_border_is_not_crossed_from_its_year_on():
    s = case(CLOSED)
    r = reach(s, "WST")
    assert r.land_route == ["WST", "FRI", "GEO", "TGT"]  # around the closed border
    assert r.access == "through_neutrals"
    assert reach(s, "WST", year=1992).land_route == ["WST", "CLS", "TGT"]


def test_until_is_the_last_year_closed():
    s = case(CLOSED.replace("since: 1993,", "since: 1993, until: 2000,"))
    assert reach(s, "WST", year=2000).land_route == ["WST", "FRI", "GEO", "TGT"]
    assert reach(s, "WST", year=2001).land_route == ["WST", "CLS", "TGT"]
    null = case(CLOSED.replace("since: 1993,", "since: 1993, until: null,"))
    assert reach(null, "WST", year=2100).land_route == ["WST", "FRI", "GEO", "TGT"]


def test_closed_borders_and_blocs_named_as_blockers():
    two = CLOSED + "    - {a: GEO, b: TGT, since: 2010, source: s}\n"
    r = reach(case(two), "WST")
    assert (r.land_route, r.access) == (None, "blocked")
    assert r.blocked_by == ["closed CLS-TGT", "closed GEO-TGT"]
    assert r.ways_in == ["closed CLS-TGT", "closed GEO-TGT"]
    # The corridor joins the rival bloc instead: either consent opens a way.
    red = case(CLOSED.replace("Red: {members: [RDP]}", "Red: {members: [RDP, GEO]}"))
    r = reach(red, "WST")
    assert r.access == "blocked"
    assert r.ways_in == ["Red", "closed CLS-TGT"]
    assert r.blocked_by == ["Red", "closed CLS-TGT"]


def test_sea_route_beside_a_closed_border_stays_open():
    # A land route comes first (fewest sea legs); with both borders closed, the ferry is
    # the way in.
    body = CLOSED + "  sea_routes:\n    - {a: CLS, b: TGT, assumption: a ferry}\n"
    assert reach(case(body), "WST").land_route == ["WST", "FRI", "GEO", "TGT"]
    shut = body.replace("  sea_routes:", "    - {a: GEO, b: TGT, since: 2010, source: s}\n"
                                          "  sea_routes:")
    r = reach(case(shut), "WST")
    assert (r.route, r.sea_legs, r.access) == (["WST", "CLS", "TGT"], ["CLS-TGT"],
                                               "through_neutrals")


# ---------------------------------------------------------------------------------------------
# blocked_by is never empty for a blocked power

RIVALS = """
actors:
  TGT: {name: Target, kind: state}
  BLU: {name: Blue, kind: state}
  RDA: {name: Red, kind: state}
  GRN: {name: Green, kind: state}
blocs:
  Blue: {members: [BLU]}
  Red: {members: [RDA]}
  Green: {members: [GRN]}
geography:
  borders:
%s
"""


def test_two_rival_blocs_each_on_one_route():
    # Before: blocked_by == [] (neither bloc alone is on every route).
    s = case(RIVALS % "\n".join(f"    - {{a: {a}, b: {b}}}" for a, b in
                                [("BLU", "RDA"), ("RDA", "TGT"), ("BLU", "GRN"),
                                 ("GRN", "TGT")]))
    r = reach(s, "BLU")
    assert r.access == "blocked"
    assert r.blocked_by == ["Red", "Green"]
    assert r.ways_in == ["Red", "Green"]


def test_two_rival_blocs_in_a_row():
    s = case(RIVALS % "\n".join(f"    - {{a: {a}, b: {b}}}" for a, b in
                                [("BLU", "RDA"), ("RDA", "GRN"), ("GRN", "TGT")]))
    r = reach(s, "BLU")
    assert r.blocked_by == ["Red", "Green"] and r.ways_in == ["Red+Green"]


# ---------------------------------------------------------------------------------------------
# encirclement: every neighbour's standing, the whole border

ARMENIA = """
actors:
  ARM: {name: Armenia, kind: state}
  RUS: {name: Russia, kind: state}
  FRA: {name: France, kind: state}
  EAEU: {name: Eurasian Economic Union, kind: union}
organizations:
  EAEU: {name: Eurasian Economic Union, members: {ARM: 2015, RUS: 2015, BLR: 2015,
         KAZ: 2015, KGZ: 2015}, source: s}
blocs:
  West: {members: [FRA]}
  East: {members: [RUS, EAEU]}
geography:
  borders: builtin
  border_lengths:
    km: {AZE: 787, GEO: 164, IRN: 35, TUR: 268}
    source: s
  closed:
    - {a: TUR, b: ARM, since: 1993, source: s}
    - {a: AZE, b: ARM, since: 1991, until: null, source: s}
  hostile:
    - {country: TUR, since: 1993, source: s}
    - {country: AZE, source: s}
"""


def test_hostile_closed_neighbours_outside_the_blocs():
    s = case(ARMENIA, _head("ARM"))
    enc = encirclement(s).set_index("bloc")
    # Before: West 0%, East 0%, and nothing else.
    assert list(enc.index) == ["West", "East", HOSTILE_ROW, NEUTRAL_ROW]
    assert enc["share"].sum() == pytest.approx(1.0)
    hostile = enc.loc[HOSTILE_ROW]
    assert hostile["neighbours"] == ["AZE", "TUR"]
    assert hostile["share"] == pytest.approx((787 + 268) / 1254)  # 84%
    assert hostile["closed_km"] == pytest.approx(1055) and hostile["closed"] == ["AZE", "TUR"]
    assert enc.loc[NEUTRAL_ROW, "neighbours"] == ["GEO", "IRN"]
    assert enc.loc[NEUTRAL_ROW, "closed_km"] == 0
    st = standings(s).set_index("neighbour")
    assert st.loc["AZE", "standing"] == "hostile" and bool(st.loc["AZE", "closed"])
    assert st.loc["GEO", "standing"] == "neutral" and not st.loc["GEO", "closed"]


def test_a_hostile_bloc_member_stays_in_its_bloc_row_and_is_flagged():
    body = ARMENIA.replace("West: {members: [FRA]}", "West: {members: [FRA, TURS]}").replace(
        "  FRA: {name: France, kind: state}\n",
        "  FRA: {name: France, kind: state}\n  TURS: {name: Turkey, kind: state, country: TUR}\n")
    enc = encirclement(case(body, _head("ARM"))).set_index("bloc")
    assert enc.loc["West", "neighbours"] == ["TUR"] and enc.loc["West", "hostile"] == ["TUR"]
    assert enc.loc["West", "closed"] == ["TUR"]
    assert enc.loc[HOSTILE_ROW, "neighbours"] == ["AZE"]
    assert enc["share"].sum() == pytest.approx(1.0)


def test_armenia_routes_avoid_the_closed_borders():
    s = case(ARMENIA, _head("ARM"))
    for power in ("FRA", "RUS"):
        r = reach(s, power)
        assert r.land_route[-2] in ("GEO", "IRN"), r.land_route
    assert reach(s, "RUS").land_route == ["RUS", "GEO", "ARM"]
    # Before the closures (1990) the shortest way from Russia ran through Azerbaijan or
    # Georgia alike; with them only Georgia is left, and closing it too blocks Russia unless
    # it goes round through Iran.
    upper_lars = ARMENIA.replace(
        "  hostile:", "    - {a: GEO, b: ARM, since: 2024, assumption: a test}\n  hostile:")
    r = reach(case(upper_lars, _head("ARM")), "RUS")
    assert r.land_route == ["RUS", "AZE", "IRN", "ARM"]


def test_serbia_encirclement_covers_the_whole_border():
    s = blocs.load_case("serbia-2024")
    enc = encirclement(s).set_index("bloc")
    assert enc["share"].sum() == pytest.approx(1.0)
    assert enc.loc[NEUTRAL_ROW, "neighbours"] == ["BIH", "XKX"]
    assert enc.loc[NEUTRAL_ROW, "share"] == pytest.approx(752.5 / 2384.1)  # 31.6%
    assert enc.loc[HOSTILE_ROW, "share"] == 0.0
    assert enc.loc["West", "share"] == pytest.approx(1631.6 / 2384.1)


# ---------------------------------------------------------------------------------------------
# the focus in a rival bloc

FOCUS_IN_BLOC = """
actors:
  TGT: {name: Target, kind: state}
  BLU: {name: Blue, kind: state}
  OTH: {name: Other, kind: state}
  REDU: {name: Red union, kind: union}
organizations:
  REDU: {name: Red union, members: {TGT: 2000, RDX: 2000}, source: s}
blocs:
  Blue: {members: [BLU]}
  Red: {members: [REDU]}
geography:
  borders:
    - {a: BLU, b: TGT}
    - {a: TGT, b: OTH}
    - {a: BLU, b: RDX}
    - {a: RDX, b: OTH}
"""


def test_the_focus_is_never_bloc_territory():
    s = case(FOCUS_IN_BLOC)
    assert focus_memberships(s) == [{"organization": "REDU", "bloc": "Red", "status": "member"}]
    # Before: the focus was Red territory, so Blue could not cross it to reach OTH.
    r = reach(s, "BLU", target="OTH")
    assert (r.land_route, r.access) == (["BLU", "TGT", "OTH"], "through_neutrals")
    # OTH's border with the focus is neutral, not Red.
    enc = encirclement(s, target="OTH").set_index("bloc")
    assert enc.loc["Red", "neighbours"] == ["RDX"]
    assert enc.loc[NEUTRAL_ROW, "neighbours"] == ["TGT"]
    assert reach(s, "BLU").access == "direct"


def test_blocs_run_says_the_focus_is_a_member(tmp_path):
    from tests.helpers import HEAD as head

    path = tmp_path / "focus.yaml"
    path.write_text(head + FOCUS_IN_BLOC.lstrip("\n"), encoding="utf-8")
    done = run_blocs("run", str(path))
    assert done.returncode == 0, done.stderr
    assert "focus TGT is a member of REDU (bloc Red)" in " ".join(done.stdout.split())


# ---------------------------------------------------------------------------------------------
# JSON and files


def test_json_rows_blocked_by_never_empty_and_shares_add_up(tmp_path):
    for s in (case(ARMENIA, _head("ARM")), case(KALININGRAD, _head("POL")),
              blocs.load_case("serbia-2024")):
        data = json.loads(blocs.analyse(s).to_json())
        for row in data["reach"]:
            assert {"land_route", "route", "sea_legs", "blocked_by", "ways_in"} <= set(row)
            if row["access"] == "blocked":
                assert row["blocked_by"] and row["ways_in"], row
        shares = [row["share"] for row in data["encirclement"]]
        assert sum(shares) == pytest.approx(1.0)
        assert [r["standing"] for r in data["encirclement"]][-2:] == ["hostile", "neutral"]
    written = blocs.analyse(case(KALININGRAD, _head("POL"))).write(tmp_path)
    assert tmp_path / "reach.csv" in written
    table = pd.read_csv(tmp_path / "reach.csv").set_index("from")
    assert table.loc["KAZ", "ways_in"] == "Ring"
    assert table.loc["KAZ", "blocked_by"] == "Ring"
    blocs.analyse(case(ARMENIA, _head("ARM"))).write(tmp_path)
    table = pd.read_csv(tmp_path / "reach.csv").set_index("from")
    assert table.loc["RUS", "route"] == "RUS;GEO;ARM"
    assert pd.read_parquet(tmp_path / "encirclement.parquet")["share"].sum() == pytest.approx(1)


# ---------------------------------------------------------------------------------------------
# validation of the new fields


@pytest.mark.parametrize("geography, message", [
    ("  closed:\n    - {a: TGT, b: FAR, since: 1993, source: s}\n",
     "TGT and FAR share no land border"),
    ("  closed:\n    - {a: TGT, b: CLS, since: 1993}\n", "no source"),
    ("  closed:\n    - {a: TGT, b: CLS, since: 1993, until: 1990, source: s}\n",
     "until (1990) is before since (1993)"),
    ("  sea_routes:\n    - {a: TGT, b: TGT.1, source: s}\n", "one land mass per country"),
    ("  sea_routes:\n    - {a: TGT, b: CLS}\n", "no source"),
    ("  hostile:\n    - {country: TGT, source: s}\n", "is the focus"),
    ("  hostile:\n    - {country: ZZZ, source: s}\n", "'ZZZ' is not a known country"),
])
def test_bad_map_rules_are_refused(geography, message):
    body = """
    actors:
      TGT: {name: Target, kind: state}
    geography:
      borders:
        - {a: TGT, b: CLS}
        - {a: FAR, b: OTH}
    """
    with pytest.raises(CaseError, match=re.escape(message)):
        case(body.rstrip() + "\n"
             + "".join("    " + line + "\n" for line in geography.splitlines()))


def test_unknown_land_mass_on_the_builtin_map():
    body = OCEAN + "  sea_routes:\n    - {a: RUS.7, b: TUR, source: s}\n"
    with pytest.raises(CaseError, match=re.escape("'RUS.7' is not a land mass of the built-in")):
        case(body, _head("TUR"))
    ok = OCEAN + "  sea_routes:\n    - {a: RUS, b: RUS.1, assumption: Baltic ferries}\n"
    assert case(ok, _head("TUR")).case.geography.sea_routes[0].b == "RUS.1"

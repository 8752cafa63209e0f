"""Reach and encirclement on hand-drawn maps (docs/geography.md).

The map (case borders, lengths in km):

    RDA - RDB - MID - TGT - BLA
                   |     |
                  NEU - BLB - BLC
    FAR (an island)

RED holds RDA, RDB and MID; BLUE holds BLA, BLB, BLC (an alliance); NEU is unaligned.
"""

from __future__ import annotations

import pytest

from blocs import encirclement, reach, reach_all
from tests.helpers import case

MAP = """
actors:
  TGT: {name: Target, kind: state}
  RDA: {name: Red capital, kind: state}
  NEU: {name: Neutral, kind: state}
  FAR: {name: Island, kind: state}
  BLU: {name: Blue alliance, kind: alliance}
  BLC: {name: Blue leader, kind: state}
organizations:
  BLU: {name: Blue alliance, members: {BLA: 1990, BLB: {joined: 2020}, BLC: 1990},
        source: s}
  REDU: {name: Red union, members: {RDA: 1990, RDB: 1990, MID: 1995}, source: s}
blocs:
  Blue: {members: [BLU]}
  Red: {members: [RDA]}
geography:
  borders:
    - {a: RDA, b: RDB, length_km: 10, source: s}
    - {a: RDB, b: MID, length_km: 10, source: s}
    - {a: MID, b: TGT, length_km: 100, source: s}
    - {a: TGT, b: BLA, length_km: 200, source: s}
    - {a: MID, b: NEU, length_km: 10, source: s}
    - {a: TGT, b: BLB, length_km: 300, source: s}
    - {a: NEU, b: BLB, length_km: 10, source: s}
    - {a: BLB, b: BLC, length_km: 10, source: s}
    - {a: FAR, b: FAB, length_km: 10, source: s}
  presence:
    - {actor: BLU, country: BLA, what: Blue base, size: 1000, year: 2021, source: s}
    - {actor: FAR, country: NEU, what: Island mission, size: 50, year: 2024, source: s}
"""


def test_red_power_with_only_its_own_capital_goes_through_neutral_then_blocked():
    # RDA is a bloc member itself; MID and RDB belong to an organisation that is not in
    # the Red bloc, so they are unaligned: RDA > RDB > MID > TGT avoids Blue.
    s = case(MAP)
    r = reach(s, "RDA")
    assert r.land_route == ["RDA", "RDB", "MID", "TGT"]
    assert r.access == "through_neutrals"
    assert r.blocked_by == []


def test_blocked_when_every_route_crosses_the_rival():
    # Cut MID-TGT: Red's only ways in are through BLB (a Blue member from 2020).
    s = case(MAP.replace("    - {a: MID, b: TGT, length_km: 100, source: s}\n", ""))
    r = reach(s, "RDA")
    assert r.land_route is None
    assert r.blocked_by == ["Blue"]
    assert r.access == "blocked"
    # In 2019 BLB had not joined: the route through NEU and BLB is open.
    early = reach(s, "RDA", year=2019)
    assert early.land_route == ["RDA", "RDB", "MID", "NEU", "BLB", "TGT"]
    assert early.access == "through_neutrals"


def test_alliance_reaches_directly_and_lists_its_presence_near_the_target():
    s = case(MAP)
    r = reach(s, "BLU")
    assert r.access == "direct"
    assert r.land_route[-1] == "TGT" and len(r.land_route) == 2
    assert [p["what"] for p in r.presence] == ["Blue base"]
    assert r.presence[0]["hops"] == 1
    # Through membership, BLC shares the alliance's presence, and the base in BLA (from 2021)
    # is one of its origins: fewest crossings first, so one crossing from BLA rather than two
    # from BLC through its friend BLB (docs/geography.md, land_route).
    r3 = reach(s, "BLC")
    assert r3.presence[0]["via"] == "BLU"
    assert r3.land_route == ["BLA", "TGT"]
    assert r3.access == "direct"


def test_friends_route_and_presence_as_origin():
    s = case(MAP)
    r3 = reach(s, "BLC", year=2020)
    # The base (from 2021) does not exist yet in 2020: BLC goes through its friend BLB.
    assert r3.land_route == ["BLC", "BLB", "TGT"]
    assert r3.access == "through_friends"
    # The island's mission in NEU makes it a land origin next to the target's neighbours.
    # FAR is in no bloc, so no country is a rival: both two-crossing routes are open, and the
    # shorter border length decides (NEU-MID 10 + MID-TGT 100 = 110 km against NEU-BLB 10 +
    # BLB-TGT 300 = 310 km).
    far = reach(s, "FAR")
    assert far.land_route == ["NEU", "MID", "TGT"]
    assert far.access == "through_neutrals"


EVEN = """
actors:
  TGT: {name: Target, kind: state}
  ORG: {name: Origin, kind: state}
geography:
  borders:
%s
"""
# Two routes of two crossings each from ORG to TGT, through PAS or QUE, equal in length.
EVEN_BORDERS = ["{a: ORG, b: QUE}", "{a: QUE, b: TGT}", "{a: ORG, b: PAS}", "{a: PAS, b: TGT}"]


@pytest.mark.parametrize("order", [EVEN_BORDERS, EVEN_BORDERS[::-1]])
def test_equal_routes_are_broken_alphabetically_whatever_the_file_order(order):
    # Same crossings and the same length (no length_km: 1 each), so the third rule decides:
    # ORG > PAS > TGT comes before ORG > QUE > TGT, in either order of the borders.
    body = EVEN % "\n".join(f"    - {b}" for b in order)
    r = reach(case(body), "ORG")
    assert r.land_route == ["ORG", "PAS", "TGT"]
    assert r.access == "through_neutrals"


def test_no_land_connection_at_all():
    s = case(MAP.replace(
        "    - {actor: FAR, country: NEU, what: Island mission, size: 50, year: 2024, source: s}\n",
        ""))
    r = reach(s, "FAR")
    assert r.land_route is None and r.blocked_by == [] and r.access == "none"


def test_reach_all_lists_every_power_but_the_target():
    s = case(MAP)
    table = reach_all(s)
    assert "TGT" not in set(table["from"])
    # A state counts as a power when it holds a tie, a presence or a bloc seat of its own;
    # BLC is in the Blue bloc only through the alliance, so it is left out unless asked for.
    assert set(table["from"]) == {"RDA", "BLU", "FAR"}
    asked = reach_all(s, powers=["BLC"])
    assert list(asked["from"]) == ["BLC"] and asked.iloc[0]["access"] == "direct"


def test_encirclement_by_length_and_date():
    s = case(MAP)
    enc = encirclement(s).set_index("bloc")
    # TGT's border: MID 100, BLA 200, BLB 300 = 600 km; Blue holds 500.
    assert enc.loc["Blue", "share"] == pytest.approx(500 / 600)
    assert enc.loc["Blue", "length_km"] == pytest.approx(500)
    assert enc.loc["Red", "share"] == 0.0
    early = encirclement(s, year=2019).set_index("bloc")
    assert early.loc["Blue", "share"] == pytest.approx(200 / 600)
    assert early.loc["Blue", "neighbours"] == ["BLA"]


def test_sourced_border_lengths_take_precedence():
    body = MAP.replace("  presence:", "  border_lengths:\n    km: {MID: 1, BLA: 1, BLB: 2}\n"
                                       "    source: s\n  presence:")
    enc = encirclement(case(body)).set_index("bloc")
    assert enc.loc["Blue", "share"] == pytest.approx(3 / 4)

"""A second real case, written by us from public facts (tests/cases/armenia-2024.md): a state
with a foreign base inside it, two closed borders with hostile neighbours, a frozen
membership, and one open corridor to Russia.  Everything the map and time rules promise must
hold here as it does for Serbia: no route crosses water or a closed border, every neighbour's
standing is reported, and nothing counts outside its years."""

from __future__ import annotations

from itertools import pairwise

import pytest

import blocs
from tests.paths import REPO

CASE = REPO / "tests" / "cases" / "armenia-2024.yaml"


@pytest.fixture(scope="module")
def armenia():
    return blocs.load_case(CASE)


def _reach(scenario, year=None):
    return {r["from"]: r for r in blocs.reach_all(scenario, year=year).to_dict("records")}


def test_it_validates_without_warnings(armenia):
    assert armenia.focus == "ARM" and armenia.warnings == ()
    sourced, assumed, _ = armenia.tie_counts()
    assert sourced > assumed


def test_no_route_crosses_water_or_a_closed_border(armenia):
    reach = _reach(armenia)
    # No sea route is stated: the USA has no land route (once it ran via French Guiana).
    assert reach["USA"]["land_route"] is None and reach["USA"]["access"] == "none"
    for power, r in reach.items():
        route = r["land_route"] or []
        for a, b in pairwise(route):
            assert {a, b} not in ({"TUR", "ARM"}, {"AZE", "ARM"}), (power, route)
    # Russia's organisation gets there only through Georgia (the Upper Lars corridor).
    assert reach["CSTO"]["land_route"] == ["RUS", "GEO", "ARM"]
    # The base inside the country: Russia is there already.
    assert reach["RUS"]["access"] == "direct" and reach["RUS"]["land_route"] == ["ARM"]


def test_hostile_closed_neighbours_are_reported(armenia):
    enc = blocs.encirclement(armenia).set_index("bloc")
    assert enc["share"].sum() == pytest.approx(1.0)
    hostile = enc.loc["hostile (outside the blocs)"]
    assert hostile["neighbours"] == ["AZE"] and hostile["closed_km"] == hostile["length_km"]
    west = enc.loc["West"]  # Turkey is in NATO: counted with the West, flagged hostile, closed
    assert west["neighbours"] == ["TUR"] and west["hostile"] == ["TUR"]
    assert west["closed"] == ["TUR"]
    assert set(enc.loc["neutral", "neighbours"]) == {"GEO", "IRN"}


def test_the_frozen_membership_and_ended_presences(armenia):
    assert armenia.status("CSTO", "ARM", 2023) == "member"
    assert armenia.status("CSTO", "ARM", 2024) == "frozen"
    assert "ARM" in armenia.members("CSTO", 2023) and "ARM" not in armenia.members("CSTO", 2024)
    where = {(p.actor, p.country) for p in armenia.presences(2025)}
    assert ("RUS", "AZE") not in where and ("RUS", "ARM") in where  # peacekeepers left in 2024


def test_the_balance_sheet_runs(armenia):
    balance = blocs.analyse(armenia)
    assert balance.powers.iloc[0]["power"] == "RUS"  # gas, trade, the base
    assert set(balance.forecasts["model"]) == {"default"}


def test_the_focus_inside_a_bloc_is_said_not_counted(armenia):
    # docs/geography.md: the focus is never bloc territory; the balance sheet says where it sits.
    assert blocs.analyse(armenia, year=2023).focus_memberships == [
        {"organization": "CSTO", "bloc": "East", "status": "member"}]
    assert blocs.analyse(armenia, year=2024).focus_memberships == [
        {"organization": "CSTO", "bloc": "East", "status": "frozen"}]

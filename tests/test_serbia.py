"""The Serbia 2024 findings, computed from the built-in case's sourced data.

Nothing here asserts a number typed into the code: each check runs the models on the case and
compares rankings, or compares with a figure the case's own sources give (tolerance stated).
"""

from __future__ import annotations

from importlib import resources

import pytest
from ruamel.yaml import YAML

import blocs
from blocs.influence.leverage import by_domain

FOUR_PILLARS = ["EU", "RUS", "CHN", "USA"]


@pytest.fixture(scope="module")
def serbia():
    return blocs.load_case("serbia-2024")


@pytest.fixture(scope="module")
def lev(serbia):
    return blocs.leverage(serbia)


@pytest.fixture(scope="module")
def ind(serbia):
    return blocs.indicators(serbia)


def test_case_content_is_complete(serbia):
    actors = serbia.actors
    for a in ("SRB", "EU", "USA", "NATO", "RUS", "CHN", "XKX", "SRB.gov", "SRB.opp", "SRB.pub"):
        assert a in actors
    for neighbour in ("HUN", "ROU", "BGR", "HRV", "MNE", "MKD", "BIH"):
        assert neighbour in actors
    for org in ("NATO", "EU", "CSTO", "SCO", "BRICS", "EAEU"):
        assert org in serbia.case.organizations
        assert serbia.case.organizations[org].source_ids  # every list has a source
    assert {"alignment", "sanctions", "kosovo"} <= set(serbia.case.issues)
    measures = {t.measure for t in serbia.case.ties}
    for m in ("trade", "investment", "gas", "energy_ownership", "arms", "troops",
              "un_protection", "foreign_policy_alignment", "accession", "public_partner"):
        assert m in measures, m
    # Every tie cites a source of the fact table or the article.
    for tie in serbia.case.ties:
        assert tie.source_ids, tie


def test_membership_by_date(serbia):
    nato_2024 = serbia.members("NATO", 2024)
    assert len(nato_2024) == 32
    assert {"MKD", "MNE", "FIN", "SWE"} <= nato_2024
    assert "MKD" not in serbia.members("NATO", 2019)
    assert "SWE" not in serbia.members("NATO", 2023)
    eu = serbia.members("EU", 2024)
    assert len(eu) == 27 and "GBR" not in eu and "HRV" in eu
    assert "GBR" in serbia.members("EU", 2019)


def test_eu_first_in_economic_leverage(lev):
    econ = by_domain(lev)["economic"]
    assert econ.idxmax() == "EU"
    assert econ["EU"] > 2 * econ.drop("EU").max()


def test_russia_first_in_energy(lev):
    energy = by_domain(lev)["energy"]
    assert energy.idxmax() == "RUS"


def test_china_first_in_arms_supply(ind):
    arms = ind[ind["measure"] == "arms"].set_index("from")["share"]
    assert arms.idxmax() == "CHN"
    assert arms["CHN"] > arms["RUS"] > arms.get("FRA", 0)


def test_us_last_of_the_four_pillars_in_trade(ind):
    trade = ind[ind["measure"] == "trade"].set_index("from")["share"]
    assert set(FOUR_PILLARS) <= set(trade.index)
    assert trade[FOUR_PILLARS].idxmin() == "USA"
    # The computed shares against the sources' own words: the EU ~59% (RZS), China's USD 6 bn
    # of USD 70.8 bn total trade; tolerance 0.5 points for the rounding of the quoted figures.
    assert trade["EU"] == pytest.approx(0.589, abs=0.005)
    assert trade["CHN"] == pytest.approx(6.0 / 70.772, abs=0.005)


def test_bloc_totals_and_effective_pillars(serbia, lev):
    totals = blocs.power_totals(lev)
    n_eff = blocs.effective_number(totals["value"])
    assert 1.0 < n_eff <= len(totals)
    bl = blocs.bloc_totals(serbia, lev).set_index("bloc")
    assert set(bl.index) == {"West", "East"}
    assert "FRA" in bl.loc["West", "powers"]  # through its EU and NATO membership
    assert sorted(bl.loc["East", "powers"]) == ["CHN", "RUS"]
    # Two blocs hold all the leverage of the six powers here: the effective number of blocs
    # lies between 1 and 2 and below the effective number of pillars.
    n_blocs = blocs.effective_number(bl["value"])
    assert 1.0 < n_blocs <= 2.0 < n_eff


def test_russia_has_no_land_route_avoiding_nato(serbia):
    r = blocs.reach(serbia, "RUS")
    assert r.land_route is None
    assert r.blocked_by == ["West"]
    assert r.access == "blocked"
    china = blocs.reach(serbia, "CHN")
    assert china.land_route is None and china.blocked_by == ["West"]


def test_the_land_route_closed_with_the_2004_enlargement(serbia):
    # Computed from the membership dates: in 2003 Russia could reach Serbia through Ukraine
    # and Romania (Romania and Bulgaria joined NATO in 2004); from 2004 on every route crosses
    # NATO, so North Macedonia's accession in 2020 changed the encirclement, not reach.  The
    # route is the one of fewest crossings (docs/geography.md): three, through Ukraine and
    # Romania; a way through Bulgaria takes at least four (Bulgaria borders neither Ukraine
    # nor Russia).
    r = blocs.reach(serbia, "RUS", year=2003)
    assert r.land_route == ["RUS", "UKR", "ROU", "SRB"]
    assert r.access == "through_neutrals"
    assert blocs.reach(serbia, "RUS", year=2004).land_route is None


def test_nato_is_present_in_kosovo(serbia):
    r = blocs.reach(serbia, "NATO")
    kosovo = [p for p in r.presence if p["country"] == "XKX"]
    assert kosovo and kosovo[0]["size"] >= 4500
    assert r.access == "direct"
    us = blocs.reach(serbia, "USA")
    assert any(p["country"] == "XKX" for p in us.presence)
    assert us.land_route is not None  # the US reaches Serbia from its KFOR contingent


def test_encirclement_six_of_eight_neighbours(serbia):
    enc = blocs.encirclement(serbia).set_index("bloc")
    west = enc.loc["West"]
    assert sorted(west["neighbours"]) == ["BGR", "HRV", "HUN", "MKD", "MNE", "ROU"]
    # The case's sourced lengths (RZS via G01): 1,631.6 of 2,384.1 km.
    assert west["share"] == pytest.approx(1631.6 / 2384.1, abs=1e-9)
    assert enc.loc["East", "share"] == 0.0
    # Before Montenegro (2017) and North Macedonia (2020) joined NATO, the West held less.
    assert blocs.encirclement(serbia, year=2016).set_index("bloc").loc["West", "share"] < (
        west["share"])


def test_forecasts_are_the_weighted_means_of_the_positions(serbia):
    # The expected outcome of each issue computed here from the case file's own numbers, read
    # with a plain YAML parser (not blocs' loader or model): sum(c s x) / sum(c s) over the
    # stakeholders, capability c, salience s, position x (docs/bargaining.md, compromise).
    text = (resources.files("blocs.scenario") / "cases" / "serbia-2024.yaml").read_text("utf-8")
    data = YAML(typ="safe", pure=True).load(text)
    issues = data["issues"]
    table = blocs.forecast(serbia, model="compromise").set_index("issue")
    assert sorted(table.index) == sorted(issues)
    # A 'from_leverage' capability is the case's leverage_scale times the power's leverage in
    # its domains (docs/dynamics.md); the leverage itself is checked in test_leverage.py.
    lev = blocs.leverage(serbia)
    scale = data["dynamics"]["leverage_scale"]

    def capability(actor, st):
        if st["capability"] != "from_leverage":
            return st["capability"]
        mine = lev[(lev["from"] == actor) & lev["domain"].isin(st["domains"])]
        return scale * mine["value"].sum()

    for issue, spec in issues.items():
        stakeholders = list(spec["stakeholders"].values())
        weights = [capability(a, st) * st["salience"] for a, st in spec["stakeholders"].items()]
        expected = sum(w * st["position"] for w, st in zip(weights, stakeholders, strict=True))
        expected /= sum(weights)
        # Tolerance 1e-9 points of the 0-100 scale: the same formula in float64, summed in
        # another order (numpy's, after salience / 100 and the 0-100 mapping) differs by a few
        # units in the last place (~1e-14); anything larger is a different formula.
        assert table.loc[issue, "outcome"] == pytest.approx(expected, abs=1e-9), issue

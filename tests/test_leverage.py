"""Leverage on small cases computed by hand (docs/leverage.md)."""

from __future__ import annotations

import math

import pytest

from blocs import bloc_totals, effective_number, indicators, leverage, power_totals
from tests.helpers import case

# Two powers, one cell (economic, soft): A trade 0.6 and investment 0.4; B trade 0.2 with
# reverse 0.1, no investment.  By hand: A b = d = l = 0.5; B b = 0.1, d = 0.05,
# l = sqrt(0.005).
TWO_POWERS = """
actors:
  TGT: {name: Target, kind: state, country: SRB}
  A: {name: Power A, kind: state, country: DEU}
  B: {name: Power B, kind: state, country: RUS}
blocs:
  AB: {members: [A]}
ties:
  - {from: A, to: TGT, measure: trade, value: 0.6, year: 2024, source: s}
  - {from: A, to: TGT, measure: investment, value: 0.4, year: 2024, source: s}
  - {from: B, to: TGT, measure: trade, value: 0.2, reverse: 0.1, year: 2024, source: s}
"""


def test_hand_example_bandwidth_dependence_leverage():
    s = case(TWO_POWERS)
    lev = leverage(s).set_index("from")
    assert set(lev["domain"]) == {"economic"} and set(lev["kind"]) == {"soft"}
    assert lev.loc["A", "bandwidth"] == pytest.approx(0.5, abs=1e-12)
    assert lev.loc["A", "dependence"] == pytest.approx(0.5, abs=1e-12)
    assert lev.loc["A", "value"] == pytest.approx(0.5, abs=1e-12)
    assert lev.loc["B", "bandwidth"] == pytest.approx(0.1, abs=1e-12)
    assert lev.loc["B", "dependence"] == pytest.approx(0.05, abs=1e-12)
    assert lev.loc["B", "value"] == pytest.approx(math.sqrt(0.005), abs=1e-12)


def test_effective_number_of_pillars_by_hand():
    s = case(TWO_POWERS)
    totals = power_totals(leverage(s))
    a, b = 0.5, math.sqrt(0.005)
    expected = 1 / ((a / (a + b)) ** 2 + (b / (a + b)) ** 2)
    assert effective_number(totals["value"]) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(1.2773, abs=1e-4)  # the figure quoted in docs/leverage.md
    assert effective_number([1, 1, 1, 1]) == 4.0
    assert effective_number([5]) == 1.0
    assert math.isnan(effective_number([0, 0]))


def test_symmetric_interdependence_gives_no_lever():
    s = case("""
    actors:
      TGT: {name: Target, kind: state, country: SRB}
      A: {name: Power A, kind: state, country: DEU}
    ties:
      - {from: A, to: TGT, measure: gas, value: 0.3, reverse: 0.3, year: 2024, source: s}
    """)
    row = leverage(s).iloc[0]
    assert row["bandwidth"] == pytest.approx(0.3)
    assert row["dependence"] == 0.0
    assert row["value"] == 0.0


def test_amounts_become_shares_of_total_or_among_powers():
    s = case("""
    actors:
      TGT: {name: Target, kind: state, country: SRB}
      A: {name: Power A, kind: state, country: DEU}
      B: {name: Power B, kind: state, country: RUS}
    ties:
      - {from: A, to: TGT, measure: trade, value: 30, unit: EUR, total: 120, year: 2024, source: s}
      - {from: A, to: TGT, measure: troops, value: 300, year: 2024, source: s}
      - {from: B, to: TGT, measure: troops, value: 100, year: 2024, source: s}
      - {from: A, to: TGT, measure: un_protection, value: 1, year: 2024, source: s}
      - {from: B, to: TGT, measure: un_protection, value: 1, year: 2024, source: s}
      - {from: B, to: TGT, measure: public_partner, value: 40, unit: percent, year: 2024,
         source: s}
    """)
    ind = indicators(s).set_index(["from", "measure"])
    assert ind.loc[("A", "trade"), "share"] == pytest.approx(0.25)
    assert ind.loc[("A", "trade"), "basis"] == "of total"
    assert ind.loc[("A", "troops"), "share"] == pytest.approx(0.75)  # 300 / (300 + 100)
    assert ind.loc[("B", "troops"), "basis"] == "among powers"
    assert ind.loc[("A", "un_protection"), "share"] == pytest.approx(0.5)  # shared flag
    assert ind.loc[("B", "public_partner"), "share"] == pytest.approx(0.4)


def test_missing_measure_counts_as_zero_in_its_cell():
    # Security/hard holds arms (A 0.8) and troops (B only): A = 0.8/2, B = 1/2.
    s = case("""
    actors:
      TGT: {name: Target, kind: state, country: SRB}
      A: {name: Power A, kind: state, country: DEU}
      B: {name: Power B, kind: state, country: RUS}
    ties:
      - {from: A, to: TGT, measure: arms, value: 0.8, year: 2024, source: s}
      - {from: B, to: TGT, measure: troops, value: 10, year: 2024, source: s}
    """)
    lev = leverage(s).set_index("from")
    assert lev.loc["A", "value"] == pytest.approx(0.4)
    assert lev.loc["B", "value"] == pytest.approx(0.5)


def test_measure_weights_from_the_case():
    s = case("""
    actors:
      TGT: {name: Target, kind: state, country: SRB}
      A: {name: Power A, kind: state, country: DEU}
    measures:
      trade: {domain: economic, kind: soft, unit: share, weight: 3}
    ties:
      - {from: A, to: TGT, measure: trade, value: 0.5, year: 2024, source: s}
      - {from: A, to: TGT, measure: investment, value: 0.1, year: 2024, source: s}
    """)
    value = leverage(s).iloc[0]["value"]
    assert value == pytest.approx((3 * 0.5 + 1 * 0.1) / 4)


def test_year_selection_takes_the_latest_known_figure():
    # docs/case-format.md, "Time": a figure counts from its year on (a span from its last
    # year), until a later one replaces it; before the first there is none.
    s = case("""
    actors:
      TGT: {name: Target, kind: state, country: SRB}
      A: {name: Power A, kind: state, country: DEU}
    ties:
      - {from: A, to: TGT, measure: gas, value: 0.1, year: 2019, source: s}
      - {from: A, to: TGT, measure: gas, value: 0.2, year: 2022, source: s}
      - {from: A, to: TGT, measure: gas, value: 0.9, year: 2026, source: s}
      - {from: A, to: TGT, measure: oil, value: 0.7, year: 2026, source: s}
      - {from: A, to: TGT, measure: oil, value: 0.6, year: "2020-2023", source: s}
    """)
    ind = indicators(s).set_index("measure")
    assert ind.loc["gas", "share"] == pytest.approx(0.2)  # latest known by 2024
    assert ind.loc["oil", "share"] == pytest.approx(0.6)  # the span, known from 2023
    later = indicators(s, year=2030).set_index("measure")
    assert later.loc["gas", "share"] == pytest.approx(0.9)
    earlier = indicators(s, year=2010).set_index("measure")
    assert "gas" not in earlier.index  # no figure yet: the 2019 one is not seen in 2010


def test_bloc_totals_count_members_through_organisations():
    s = case("""
    actors:
      TGT: {name: Target, kind: state, country: SRB}
      U: {name: Union, kind: union}
      HUN: {name: Hungary, kind: state}
      RUS: {name: Russia, kind: state}
      CHE: {name: Switzerland, kind: state}
    organizations:
      U: {name: Union, members: {HUN: 2004}, source: s}
    blocs:
      West: {members: [U]}
      East: {members: [RUS]}
    ties:
      - {from: U, to: TGT, measure: trade, value: 0.5, year: 2024, source: s}
      - {from: HUN, to: TGT, measure: arms, value: 0.2, year: 2024, source: s}
      - {from: RUS, to: TGT, measure: gas, value: 0.8, year: 2024, source: s}
      - {from: CHE, to: TGT, measure: investment, value: 0.1, year: 2024, source: s}
    """)
    lev = leverage(s)
    blocs = bloc_totals(s, lev).set_index("bloc")
    # economic/soft holds trade and investment: U = 0.5/2; security/hard: HUN = 0.2
    assert blocs.loc["West", "value"] == pytest.approx(0.25 + 0.2)
    assert sorted(blocs.loc["West", "powers"]) == ["HUN", "U"]
    assert blocs.loc["East", "value"] == pytest.approx(0.8)
    # Switzerland is in no bloc: the bloc shares add up to less than one.
    # (CHE = 0.1/2 in economic/soft.)
    assert blocs["share"].sum() == pytest.approx((0.45 + 0.8) / (0.45 + 0.8 + 0.05))
    # Before Hungary joined, it counts for no bloc.
    early = bloc_totals(s, lev, year=2000).set_index("bloc")
    assert early.loc["West", "powers"] == ["U"]


def test_kind_override_on_a_tie():
    s = case("""
    actors:
      TGT: {name: Target, kind: state, country: SRB}
      A: {name: Power A, kind: state, country: DEU}
    ties:
      - {from: A, to: TGT, measure: gas, value: 0.4, kind: hard, year: 2024, source: s}
    """)
    assert leverage(s).iloc[0]["kind"] == "hard"


def test_pooled_amounts_must_share_a_unit():
    from blocs import CaseError

    with pytest.raises(CaseError) as err:
        case("""
        actors:
          TGT: {name: Target, kind: state, country: SRB}
          A: {name: Power A, kind: state, country: DEU}
          B: {name: Power B, kind: state, country: RUS}
        ties:
          - {from: A, to: TGT, measure: troops, value: 300, year: 2024, source: s}
          - {from: B, to: TGT, measure: troops, value: 2, unit: battalions, year: 2024, source: s}
        """)
    (problem,) = err.value.problems
    assert problem.path == "ties[1].unit"
    assert "troops" in problem.message and "(allowed: the same unit" in problem.message

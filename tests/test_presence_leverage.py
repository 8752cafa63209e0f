"""Forces stationed in or next to the target as hard security leverage, and reverse shares
(docs/leverage.md, "Forces stationed in or next to the target"; project issue 10)."""

from __future__ import annotations

import pytest

import blocs
from blocs.influence.leverage import (
    NEIGHBOUR_WEIGHT,
    leverage_table,
    power_totals,
    presence_indicators,
)
from tests.helpers import case

# docs/leverage.md's worked example.  Target in Serbia's place (Kosovo, XKX, is a land
# neighbour); alliance AL with a mission of 4,500 troops in XKX, 635 of them member USA's
# contingent; RUS with a base of 500 inside.  Sum of N_C = 4500 + 500 = 5000.
WORKED = """
actors:
  TGT: {name: Target, kind: state, country: SRB}
  AL: {name: Alliance, kind: alliance}
  USA: {name: United States, kind: state}
  RUS: {name: Russia, kind: state}
  FRA: {name: France, kind: state}
organizations:
  AL: {name: Alliance, members: {USA: 1949, FRA: 1949}, source: s}
geography:
  presence:
    - {actor: AL, country: XKX, what: mission, size: 4500, year: 2023, source: s}
    - {actor: USA, country: XKX, what: contingent, size: 635, year: 2022, source: s}
    - {actor: RUS, country: SRB, what: base, size: 500, year: 2020, source: s}
    - {actor: FRA, country: DEU, what: far away, size: 9000, year: 2020, source: s}
    - {actor: FRA, country: XKX, what: a base without a size, year: 2020}
"""


def test_presence_rule_worked_example():
    s = case(WORKED)
    assert NEIGHBOUR_WEIGHT == 0.5
    rows = presence_indicators(s).set_index("from")
    assert sorted(rows.index) == ["AL", "RUS", "USA"]  # FRA: not near, or no size
    assert set(rows["total"]) == {5000.0}
    assert rows.loc["AL", "share"] == pytest.approx(0.5 * 4500 / 5000)  # 0.45
    assert rows.loc["USA", "share"] == pytest.approx(0.5 * 635 / 5000)  # 0.0635
    assert rows.loc["RUS", "share"] == pytest.approx(500 / 5000)  # 0.1
    assert set(rows["measure"]) == {"troops"} and set(rows["basis"]) == {"presence"}
    # troops alone in the (security, hard) cell: leverage = the share
    lev = blocs.leverage(s).set_index("from")
    assert set(lev["domain"]) == {"security"} and set(lev["kind"]) == {"hard"}
    assert lev.loc["AL", "value"] == pytest.approx(0.45)
    assert lev.loc["USA", "value"] == pytest.approx(0.0635)
    assert lev.loc["RUS", "value"] == pytest.approx(0.1)


def test_presences_replace_troops_ties_and_keep_the_other_measures():
    s = case(WORKED + """
ties:
  - {from: AL, to: TGT, measure: troops, value: 4500, year: 2023, source: s}
  - {from: RUS, to: TGT, measure: arms, value: 0.6, year: 2023, source: s}
""")
    table = leverage_table(s)
    troops = table[table["measure"] == "troops"]
    assert set(troops["basis"]) == {"presence"}  # the tie's 'among powers' 1.0 is replaced
    lev = blocs.leverage(s).set_index("from")
    # (security, hard) = arms and troops: RUS (0.6 + 0.1) / 2, AL 0.45 / 2, USA 0.0635 / 2
    assert lev.loc["RUS", "value"] == pytest.approx(0.35)
    assert lev.loc["AL", "value"] == pytest.approx(0.225)
    assert lev.loc["USA", "value"] == pytest.approx(0.03175)
    # Passing the indicator table (as blocs.analyse does) gives the same.
    again = blocs.leverage(s, table=blocs.indicators(s)).set_index("from")
    assert again.loc["USA", "value"] == pytest.approx(0.03175)


def test_without_presences_troops_ties_count_as_before():
    s = case("""
    actors:
      TGT: {name: Target, kind: state, country: SRB}
      A: {name: Power A, kind: state, country: DEU}
    ties:
      - {from: A, to: TGT, measure: troops, value: 300, year: 2024, source: s}
    """)
    assert presence_indicators(s).empty
    assert blocs.leverage(s).iloc[0]["value"] == pytest.approx(1.0)


def test_a_contingent_counts_only_for_members():
    # DEU is not a member of AL: its troops in XKX are its own, added to the total.
    s = case(WORKED.replace("    - {actor: FRA, country: DEU, what: far away, size: 9000, "
                            "year: 2020, source: s}\n",
                            "    - {actor: DEU, country: XKX, what: own, size: 500, "
                            "year: 2020, source: s}\n")
             .replace("  FRA: {name: France, kind: state}\n",
                      "  FRA: {name: France, kind: state}\n  DEU: {name: Germany, kind: state}\n"))
    rows = presence_indicators(s).set_index("from")
    assert set(rows["total"]) == {5500.0}
    assert rows.loc["DEU", "share"] == pytest.approx(0.5 * 500 / 5500)
    assert rows.loc["USA", "share"] == pytest.approx(0.5 * 635 / 5500)


def test_serbia_us_hard_security_leverage_from_its_kfor_contingent():
    s = blocs.load_case("serbia-2024")
    rows = presence_indicators(s).set_index("from")
    # KFOR 4,500 (S15) in Kosovo, a neighbour; the US contingent 635 of it (S16).
    assert rows.loc["NATO", "share"] == pytest.approx(0.5 * 4500 / 4500)
    assert rows.loc["USA", "share"] == pytest.approx(0.5 * 635 / 4500)
    lev = blocs.leverage(s)
    hard = lev[(lev["domain"] == "security") & (lev["kind"] == "hard")].set_index("from")
    # (security, hard) holds arms and troops
    assert hard.loc["USA", "value"] == pytest.approx(0.5 * 635 / 4500 / 2)  # 0.0353, was 0
    assert hard.loc["NATO", "value"] == pytest.approx(0.5 / 2)
    assert power_totals(lev).set_index("power").loc["USA", "hard"] > 0


def test_reverse_shares_split_dependence_from_bandwidth():
    s = case("""
    actors:
      TGT: {name: Target, kind: state, country: SRB}
      A: {name: Power A, kind: state, country: DEU}
      B: {name: Power B, kind: state, country: RUS}
    ties:
      - {from: A, to: TGT, measure: trade, value: 0.6, reverse: 0.01, year: 2024, source: s}
      - {from: B, to: TGT, measure: trade, value: 0.1, year: 2024, source: s}
      - {from: B, to: TGT, measure: gas, value: 0.8, reverse: 0.2, year: 2024, source: s}
    """)
    lev = blocs.leverage(s).set_index(["from", "domain"])
    a = lev.loc[("A", "economic")]
    assert a["bandwidth"] == pytest.approx(0.6) and a["dependence"] == pytest.approx(0.59)
    assert a["value"] == pytest.approx((0.6 * 0.59) ** 0.5)
    b = lev.loc[("B", "energy")]
    assert b["bandwidth"] == pytest.approx(0.8) and b["dependence"] == pytest.approx(0.6)
    # Rows without a reverse share keep dependence = bandwidth.
    b_econ = lev.loc[("B", "economic")]
    assert b_econ["dependence"] == b_econ["bandwidth"] == pytest.approx(0.1)

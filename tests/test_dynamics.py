"""The yearly step of `blocs.simulate`, mechanism by mechanism, by hand (docs/dynamics.md).

Every expected number below is worked out by hand (the arithmetic is in the comments) or by a
formula written in the test, never read back from the code under test.  The cases use the
compromise model (docs/bargaining.md), whose outcome is the weighted mean

    y = sum_i c_i s_i x_i / sum_i c_i s_i

so that each year's outcome can be computed on paper.  Ties are share-unit ties with no
reverse, one measure per (domain, kind) cell, so a power's leverage in a cell is its share
there (bandwidth = dependence = s, leverage = sqrt(s * s) = s; docs/leverage.md).

Unless said otherwise, comparisons use ``rel=1e-12``: the engine and the hand arithmetic
sum and multiply the same few numbers in a different order, so only float rounding (a few
ulps) separates them.
"""

from __future__ import annotations

import dataclasses
import json
import textwrap
from fractions import Fraction

import numpy as np
import pytest

import blocs
from blocs.dynamics.draws import uniforms
from blocs.geography.reach import border_lengths
from blocs.influence.leverage import by_domain
from blocs.scenario.schema import DOMAINS

#: Float rounding only (see the module docstring).
REL = 1e-12

# -------------------------------------------------------------------------------------------
# The tiny case: Serbia, three outside powers (EU in the West; Russia and China in the East),
# one issue with three stakeholders.  Its pieces are replaced test by test.

HEAD = """\
format: 1
name: Tiny
focus: SRB
year: 2024
period: PERIOD
sources:
  s1: {title: A source, url: "https://example.org"}
actors:
  SRB: {name: Serbia, kind: state}
  EU: {name: European Union, kind: union}
  RUS: {name: Russia, kind: state}
  CHN: {name: China, kind: state}
MORE_ACTORS\
organizations:
  EU: {name: European Union, members: {HUN: 2004, HRV: 2013, ROU: 2007, BGR: 2007}, source: s1}
blocs:
  West: {members: [EU]}
  East: {members: [RUS, CHN]}
"""

#: EU trade 0.6 (economic, soft), Russia gas 0.8 (energy, soft), China trade 0.2.
TIES = """\
  - {from: EU, to: SRB, measure: trade, value: 0.6, year: 2024, source: s1}
  - {from: RUS, to: SRB, measure: gas, value: 0.8, year: 2024, source: s1}
  - {from: CHN, to: SRB, measure: trade, value: 0.2, year: 2024, source: s1}
"""

#: Weights c x s: SRB 40 x 80 = 3200, EU 30 x 60 = 1800, RUS 20 x 50 = 1000 (total 6000).
#: Outcome with these positions: (3200 x 50 + 1800 x 0 + 1000 x 100) / 6000 = 260000 / 6000
#: = 130/3 = 43.33...
STAKEHOLDERS = """\
      SRB: {position: 50, salience: 80, capability: 40, source: s1}
      EU: {position: 0, salience: 60, capability: 30, source: s1}
      RUS: {position: 100, salience: 50, capability: 20, source: s1}
"""

COMPROMISE = "{model: compromise}"


def tiny(*, ties: str = TIES, stakeholders: str = STAKEHOLDERS, dynamics: str = COMPROMISE,
         period: str = "{start: 2024, end: 2026}", extra: str = "",
         more_actors: str = "") -> blocs.Scenario:
    """The tiny case with its pieces replaced; ``extra`` adds top-level sections (trends,
    shocks, triggers), written at any indentation."""
    text = (HEAD.replace("PERIOD", period).replace("MORE_ACTORS", more_actors)
            + "ties:\n" + ties
            + "issues:\n  align:\n    question: West (0) or East (100)?\n"
            + "    stakeholders:\n" + stakeholders
            + f"dynamics: {dynamics}\n"
            + textwrap.dedent(extra))
    return blocs.load_text(text, "<tiny>")


def path(sim: blocs.Simulation, table: str, name: str, run: int = 0) -> np.ndarray:
    """One quantity of one run, year by year."""
    return sim.series(table, name)[:, run]


def approx(values) -> object:
    return pytest.approx([float(v) for v in values], rel=REL)


def compromise_by_hand(x, s, c) -> float:
    """sum c s x / sum c s, written out (the compromise model of docs/bargaining.md)."""
    w = [ci * si for ci, si in zip(c, s, strict=True)]
    return sum(wi * xi for wi, xi in zip(w, x, strict=True)) / sum(w)


# -------------------------------------------------------------------------------------------
# a. Inertia: x(t+1) = lambda x(t) + (1 - lambda) y(t)


def test_inertia_moves_positions_part_of_the_way_to_the_outcome():
    """Partial adjustment (docs/dynamics.md, step 6): with dynamics.inertia 0.5 each
    stakeholder keeps half its position and moves half the way to last year's outcome; one
    with its own ``inertia: 1.0`` keeps its position.  The outcome is recomputed each year
    from the moved positions."""
    s = tiny(dynamics="{model: compromise, inertia: 0.5, assumption: a test value}",
             stakeholders=STAKEHOLDERS.replace("capability: 20,", "capability: 20, inertia: 1.0,"))
    sim = blocs.simulate(s, seed=1)
    assert sim.years.tolist() == [2024, 2025, 2026]
    # 2024: y = 130/3 (see STAKEHOLDERS).
    # 2025: SRB 0.5 x 50 + 0.5 x 130/3 = 140/3, EU 0.5 x 0 + 0.5 x 130/3 = 65/3, RUS 100;
    #       y = (3200 x 140/3 + 1800 x 65/3 + 1000 x 100) / 6000
    #         = (448000 + 117000 + 300000) / 3 / 6000 = 865/18 = 48.06
    # 2026: SRB 0.5 x 140/3 + 0.5 x 865/18 = 840/36 + 865/36 = 1705/36,
    #       EU 0.5 x 65/3 + 0.5 x 865/18 = 390/36 + 865/36 = 1255/36, RUS 100;
    #       y = (3200 x 1705 + 1800 x 1255 + 1000 x 100 x 36) / 36 / 6000
    #         = (5456000 + 2259000 + 3600000) / 216000 = 11315/216 = 52.38
    F = Fraction
    assert path(sim, "positions", "align/SRB") == approx([50, F(140, 3), F(1705, 36)])
    assert path(sim, "positions", "align/EU") == approx([0, F(65, 3), F(1255, 36)])
    assert path(sim, "positions", "align/RUS").tolist() == [100.0, 100.0, 100.0]
    assert path(sim, "outcomes", "align") == approx([F(130, 3), F(865, 18), F(11315, 216)])


def test_inertia_zero_moves_every_position_onto_the_outcome():
    """Inertia 0: every stakeholder takes last year's outcome as its position, so the
    outcome repeats (a fixed point of the compromise model)."""
    s = tiny(dynamics="{model: compromise, inertia: 0, assumption: a test value}")
    sim = blocs.simulate(s, seed=1)
    y = Fraction(130, 3)  # see STAKEHOLDERS
    for who in ("SRB", "EU", "RUS"):
        assert path(sim, "positions", f"align/{who}")[1:] == approx([y, y])
    assert path(sim, "outcomes", "align") == approx([y, y, y])


def test_default_inertia_keeps_positions():
    """Without dynamics.inertia (default 1) and with a one-shot model, positions stay."""
    sim = blocs.simulate(tiny(), seed=1)
    assert path(sim, "positions", "align/SRB").tolist() == [50.0] * 3
    assert path(sim, "positions", "align/EU").tolist() == [0.0] * 3
    assert path(sim, "outcomes", "align") == approx([Fraction(130, 3)] * 3)


# -------------------------------------------------------------------------------------------
# b. Tie trends: values from their year on, rates relative and absolute


TIE_TRENDS = """\
trends:
  eu_trade: {on: tie/EU/SRB/trade, values: [{year: 2025, value: 0.5}], rate: 0.1, source: s1}
  rus_gas: {on: tie/RUS/SRB/gas, rate: -0.1, assumption: a test rate}
  chn_trade: {on: tie/CHN/SRB/trade, rate: 0.05, change: absolute, assumption: a test rate}
  chn_gas: {on: tie/CHN/SRB/gas, values: [{year: 2025, value: 0.1}], source: s1}
"""


def test_tie_trends_shares_and_leverage():
    """A tie's path (docs/dynamics.md, Trends): the latest point known by t (the case's
    figure from its year on, the trend's values from theirs, never before), moved at the
    rate for the years after both that point and the start.  The shares feed leverage: with
    one share measure per cell and no reverse, leverage = the share."""
    ties = TIES.replace("value: 0.6, year: 2024", "value: 0.6, year: 2023") + \
        "  - {from: RUS, to: SRB, measure: trade, value: 0.1, year: 2026, source: s1}\n"
    sim = blocs.simulate(tiny(ties=ties, extra=TIE_TRENDS), seed=1)
    nan = float("nan")
    # EU trade: 2024 the 2023 figure 0.6, n = 2024 - max(2023, 2024) = 0; 2025 the trend's
    # value 0.5 (n = 0); 2026: 0.5 x 1.1 = 0.55.
    eu_trade = [0.6, 0.5, 0.55]
    # Russia gas, relative rate -0.1 from the 2024 figure: 0.8, 0.8 x 0.9 = 0.72, 0.8 x 0.81.
    rus_gas = [0.8, 0.72, 0.648]
    # China trade, absolute rate +0.05: 0.2, 0.25, 0.30.
    chn_trade = [0.2, 0.25, 0.30]
    # China gas: no case figure, the trend's value from 2025 on (nothing before).
    chn_gas = [nan, 0.1, 0.1]
    # Russia trade: the case figure is dated 2026, so it counts only from 2026.
    rus_trade = [nan, nan, 0.1]
    got = sim.tables()["ties"]
    for name, want in (("EU/SRB/trade", eu_trade), ("RUS/SRB/gas", rus_gas),
                       ("CHN/SRB/trade", chn_trade), ("CHN/SRB/gas", chn_gas),
                       ("RUS/SRB/trade", rus_trade)):
        np.testing.assert_allclose(got[name].to_numpy(), want, rtol=REL, atol=0,
                                   err_msg=name)  # NaN positions must match too

    zero = [0.0, 0.0, 0.0]
    # Leverage per domain = the shares (one measure per cell, no reverse).
    lev = {("EU", "economic"): eu_trade, ("CHN", "economic"): chn_trade,
           ("RUS", "economic"): [0.0, 0.0, 0.1],
           ("RUS", "energy"): rus_gas, ("CHN", "energy"): [0.0, 0.1, 0.1],
           ("EU", "energy"): zero, ("EU", "security"): zero}
    for (p, d), want in lev.items():
        assert path(sim, "leverage", f"{p}/{d}") == approx(want), (p, d)
    total = {"EU": np.array(eu_trade),
             "RUS": np.add(rus_gas, [0.0, 0.0, 0.1]),             # 0.8, 0.72, 0.748
             "CHN": np.add(chn_trade, [0.0, 0.1, 0.1])}           # 0.2, 0.35, 0.40
    grand = total["EU"] + total["RUS"] + total["CHN"]             # 1.6, 1.57, 1.698
    for p in total:
        assert path(sim, "powers", f"{p}/total") == approx(total[p])
        assert path(sim, "powers", f"{p}/soft") == approx(total[p])  # every measure soft
        assert path(sim, "powers", f"{p}/hard").tolist() == zero
        assert path(sim, "powers", f"{p}/share") == approx(total[p] / grand)
    assert path(sim, "blocs", "West") == approx(total["EU"] / grand)
    assert path(sim, "blocs", "East") == approx((total["RUS"] + total["CHN"]) / grand)
    herfindahl = sum((total[p] / grand) ** 2 for p in total)
    assert path(sim, "pillars", "powers") == approx(1 / herfindahl)


def test_position_and_salience_trends_add_their_yearly_change():
    """A position or salience trend adds its path's yearly change (docs/dynamics.md)."""
    extra = """\
    trends:
      srb_pos: {on: position/align/SRB, rate: 5, change: absolute, assumption: a test rate}
      eu_sal: {on: salience/align/EU, rate: -0.5, assumption: a test rate}
    """
    sim = blocs.simulate(tiny(extra=extra), seed=1)
    # SRB: 50, 55, 60 (absolute +5 a year); EU salience 60, 30, 15 (relative -50% a year).
    assert path(sim, "positions", "align/SRB") == approx([50, 55, 60])
    assert path(sim, "saliences", "align/EU") == approx([60, 30, 15])
    # 2026: (40 x 80 x 60 + 0 + 20 x 50 x 100) / (3200 + 30 x 15 + 1000)
    #     = (192000 + 100000) / 4650 = 62.8
    assert path(sim, "outcomes", "align")[2] == pytest.approx(292000 / 4650, rel=REL)


# -------------------------------------------------------------------------------------------
# c. Power trends: capability x index(t) / index(start), mean over a bloc's series


POWER_TRENDS = """\
trends:
  west_gdp:
    on: power/West
    values: [{year: 2024, value: 30}, {year: 2025, value: 27}]
    rate: -1.5
    change: absolute
    source: s1
  east_gdp:
    on: power/East
    values: [{year: 2023, value: 20}]
    rate: 0.1
    source: s1
  east_milex:
    on: power/East
    values: [{year: 2024, value: 10}, {year: 2026, value: 13}]
    source: s1
"""


def test_power_trend_scales_the_blocs_capabilities():
    """A relative-power series (``power/BLOC``) scales the capability of the bloc's
    stakeholders by index(t) / index(start); two series on one bloc are averaged (docs/
    dynamics.md, step 4).  A stakeholder in no bloc keeps its capability."""
    sim = blocs.simulate(tiny(extra=POWER_TRENDS), seed=1)
    # West GDP: 30, 27, 27 - 1.5 = 25.5 -> ratios 1, 0.9, 0.85.
    west = np.array([1.0, 0.9, 0.85])
    # East GDP: the 2023 value 20 holds in 2024 (n = 2024 - max(2023, 2024) = 0), then x 1.1
    # a year: 20, 22, 24.2 -> 1, 1.1, 1.21.  East milex: 10, 10, 13 -> 1, 1, 1.3.
    # Their mean: 1, 1.05, 1.255.
    east = (np.array([1.0, 1.1, 1.21]) + np.array([1.0, 1.0, 1.3])) / 2
    assert path(sim, "power", "West") == approx(west)
    assert path(sim, "power", "East") == approx(east)
    cap_eu = 30 * west                                   # 30, 27, 25.5
    cap_rus = 20 * east                                  # 20, 21, 25.1
    assert path(sim, "capabilities", "align/EU") == approx(cap_eu)
    assert path(sim, "capabilities", "align/RUS") == approx(cap_rus)
    assert path(sim, "capabilities", "align/SRB").tolist() == [40.0] * 3
    # 2024: 130/3; 2025: (3200 x 50 + 50 x 21 x 100) / (3200 + 60 x 27 + 50 x 21)
    #                  = 265000 / 5870;
    # 2026: (160000 + 50 x 25.1 x 100) / (3200 + 60 x 25.5 + 50 x 25.1) = 285500 / 5985.
    assert path(sim, "outcomes", "align") == approx([Fraction(130, 3), 265000 / 5870,
                                                     285500 / 5985])


def test_power_effect_scales_the_series_factor():
    """A ``power/ID`` effect changes the factor of the ID's power series (docs/dynamics.md,
    effects table): the East's ratio, and so Russia's capability, doubles from 2025."""
    extra = POWER_TRENDS + """\
shocks:
  east_boom:
    year: 2025
    assumption: a test shock
    effects: [{on: power/East, scale: 2}]
"""
    sim = blocs.simulate(tiny(extra=extra), seed=1)
    # East ratio (test above) 1, 1.05, 1.255; times the factor 1, 2, 2.
    assert path(sim, "power", "East") == approx([1.0, 2.1, 2.51])
    assert path(sim, "capabilities", "align/RUS") == approx([20, 42, 50.2])
    assert path(sim, "capabilities", "align/EU") == approx([30, 27, 25.5])  # the West's


def test_power_ratio_is_the_mean_over_every_series_covering_the_actor():
    """docs/dynamics.md, step 4: m_i(t) is "the mean, over the power/ID series that cover
    the stakeholder's actor (ID is the actor, or a bloc it belongs to), of index(t) /
    index(start)" - an equal-weight mean over series.  Russia is covered by the East's two
    series and by one series of its own: three series, each weighing a third."""
    extra = POWER_TRENDS + """\
  rus_gdp:
    on: power/RUS
    values: [{year: 2024, value: 4}, {year: 2025, value: 6}]
    source: s1
"""
    sim = blocs.simulate(tiny(extra=extra), seed=1)
    # 2025: East GDP 1.1, East milex 1.0, Russia's own 6 / 4 = 1.5;
    # mean over the three series: (1.1 + 1.0 + 1.5) / 3 = 1.2 -> capability 20 x 1.2 = 24.
    assert path(sim, "capabilities", "align/RUS")[1] == pytest.approx(20 * 3.6 / 3, rel=REL)


# -------------------------------------------------------------------------------------------
# d. capability: from_leverage, and a scheduled shock on a tie


def test_from_leverage_capability_follows_a_scheduled_tie_shock():
    """``capability: from_leverage``: c = leverage_scale x the power's leverage summed over
    its ``domains`` (default all five).  A scheduled shock in 2025 halves Russia's gas tie:
    its energy leverage, hence its capability and the outcome, change from 2025 on."""
    ties = TIES + """\
  - {from: EU, to: SRB, measure: gas, value: 0.1, year: 2024, source: s1}
  - {from: RUS, to: SRB, measure: trade, value: 0.1, year: 2024, source: s1}
"""
    stakeholders = """\
      SRB: {position: 50, salience: 80, capability: 40, source: s1}
      EU: {position: 0, salience: 60, capability: from_leverage, assumption: a test}
      RUS: {position: 100, salience: 50, capability: from_leverage, domains: [energy],
            assumption: a test}
"""
    extra = """\
    shocks:
      gas_cut:
        year: 2025
        assumption: a test shock
        effects: [{on: tie/RUS/SRB/gas, scale: 0.5}]
    """
    s = tiny(ties=ties, stakeholders=stakeholders, extra=extra,
             dynamics="{model: compromise, leverage_scale: 50, assumption: a test scale}")
    sim = blocs.simulate(s, seed=1)
    assert path(sim, "events", "gas_cut").tolist() == [0.0, 1.0, 0.0]
    # Russia's gas share 0.8, then 0.8 x 0.5 = 0.4 from 2025 (the scale stays).
    assert path(sim, "ties", "RUS/SRB/gas") == approx([0.8, 0.4, 0.4])
    assert path(sim, "leverage", "RUS/energy") == approx([0.8, 0.4, 0.4])
    assert path(sim, "leverage", "RUS/economic") == approx([0.1] * 3)
    # EU (all domains): 50 x (economic 0.6 + energy 0.1) = 35 every year.
    assert path(sim, "capabilities", "align/EU") == approx([35] * 3)
    # Russia (energy only; its trade 0.1 does not count): 50 x 0.8 = 40, then 50 x 0.4 = 20.
    assert path(sim, "capabilities", "align/RUS") == approx([40, 20, 20])
    # 2024: (3200 x 50 + 60 x 35 x 0 + 50 x 40 x 100) / (3200 + 2100 + 2000) = 360000 / 7300
    # 2025-: (160000 + 50 x 20 x 100) / (3200 + 2100 + 1000) = 260000 / 6300
    assert path(sim, "outcomes", "align") == approx([360000 / 7300, 260000 / 6300,
                                                     260000 / 6300])


# -------------------------------------------------------------------------------------------
# e. Chance shocks under a seed


CHANCE_SHOCKS = """\
shocks:
  flare:
    chance: 0.4
    assumption: a test chance
    effects: [{on: position/align/SRB, add: 5}]
  deal:
    chance: 0.3
    since: 2026
    until: 2030
    once: true
    assumption: a test chance
    effects: [{on: position/align/EU, set: 20}]
"""


def test_chance_shocks_fire_where_the_runs_draw_falls_below_the_chance():
    """A chance shock fires in run r and year t when u(seed, t, j, r) < chance (j its
    number among the case's shocks; `blocs.dynamics.draws.uniforms`), within its since-until
    window; its effect counts from that year.  ``once: true`` fires at most once per run.
    The same seed gives the same paths."""
    s = tiny(period="{start: 2024, end: 2031}", extra=CHANCE_SHOCKS)
    seed, runs = 2024, 30
    sim = blocs.simulate(s, seed=seed, runs=runs)
    years = list(range(2024, 2032))
    window = np.array([2026 <= y <= 2030 for y in years])
    several_hits = 0  # runs where `deal` drew below its chance in two window years or more
    for r in range(runs):
        u_flare = np.array([uniforms(seed, y, 0, r, 1)[0] for y in years])
        u_deal = np.array([uniforms(seed, y, 1, r, 1)[0] for y in years])
        flare = u_flare < 0.4
        assert path(sim, "events", "flare", r).tolist() == flare.astype(float).tolist()
        # Each firing adds 5 to Serbia's position (inertia 1, one-shot model: it stays).
        x_srb = 50 + 5 * np.cumsum(flare)
        assert path(sim, "positions", "align/SRB", r).tolist() == x_srb.astype(float).tolist()
        hits = window & (u_deal < 0.3)
        several_hits += hits.sum() >= 2
        deal = np.zeros(len(years))
        x_eu = np.zeros(len(years))
        if hits.any():
            first = int(np.argmax(hits))
            deal[first] = 1.0
            x_eu[first:] = 20.0
        assert path(sim, "events", "deal", r).tolist() == deal.tolist()
        assert path(sim, "positions", "align/EU", r).tolist() == x_eu.tolist()
        y = [compromise_by_hand([xs, xe, 100], [80, 60, 50], [40, 30, 20])
             for xs, xe in zip(x_srb, x_eu, strict=True)]
        assert path(sim, "outcomes", "align", r) == approx(y)
    # The seed gives runs where `once` matters and where flare both fires and does not.
    assert several_hits > 0
    flares = sim.series("events", "flare")
    assert 0 < flares.sum() < flares.size
    again = blocs.simulate(s, seed=seed, runs=runs)
    assert np.array_equal(sim.values, again.values, equal_nan=True)


# -------------------------------------------------------------------------------------------
# f. Triggers: fire on year t's quantities, act from t + 1


TRIGGERS = """\
triggers:
  lift:
    when: outcome/align
    above: 40
    assumption: a test trigger
    effects: [{on: position/align/SRB, add: 20}]
  squeeze:
    when: outcome/align
    above: 40
    once: false
    assumption: a test trigger
    effects: [{on: tie/RUS/SRB/gas, scale: 0.5}]
  answer:
    when: tie/RUS/SRB/gas
    below: 0.5
    assumption: a test trigger
    effects: [{on: position/align/EU, set: 10}]
"""


def test_triggers_fire_in_year_t_and_act_from_the_next_year():
    """A trigger compares a quantity of year t with its threshold; its effects change the
    inputs of t + 1 only.  ``once`` (the default) fires at most once per run; ``once:
    false`` every year the condition holds."""
    sim = blocs.simulate(tiny(extra=TRIGGERS), seed=1)
    # 2024: y = 130/3 > 40: lift and squeeze fire; gas share 0.8 is not below 0.5.
    # 2025: SRB 50 + 20 = 70, so y = (3200 x 70 + 1000 x 100) / 6000 = 324000 / 6000 = 54;
    #       gas 0.8 x 0.5 = 0.4 < 0.5: answer fires; squeeze again (once: false); lift done.
    # 2026: EU set to 10: y = (224000 + 1800 x 10 + 100000) / 6000 = 342000 / 6000 = 57;
    #       gas 0.4 x 0.5 = 0.2; squeeze fires once more (no later year); answer done.
    assert path(sim, "events", "lift").tolist() == [1.0, 0.0, 0.0]
    assert path(sim, "events", "squeeze").tolist() == [1.0, 1.0, 1.0]
    assert path(sim, "events", "answer").tolist() == [0.0, 1.0, 0.0]
    assert path(sim, "positions", "align/SRB").tolist() == [50.0, 70.0, 70.0]
    assert path(sim, "positions", "align/EU").tolist() == [0.0, 0.0, 10.0]
    assert path(sim, "ties", "RUS/SRB/gas") == approx([0.8, 0.4, 0.2])
    assert path(sim, "leverage", "RUS/energy") == approx([0.8, 0.4, 0.2])
    assert path(sim, "outcomes", "align") == approx([Fraction(130, 3), 54, 57])


def test_a_triggers_position_change_is_made_after_the_inertia_step():
    """Step 7 comes after step 6: a position a trigger changes for t + 1 is not moved again
    by the partial adjustment towards y(t)."""
    extra = TRIGGERS.split("  squeeze:")[0]
    s = tiny(extra=extra, dynamics="{model: compromise, inertia: 0.5, assumption: a test}")
    sim = blocs.simulate(s, seed=1)
    # 2024: y = 130/3.  Carried: SRB 0.5 x 50 + 0.5 x 130/3 = 140/3, then + 20 = 200/3;
    # EU 0.5 x 0 + 65/3 = 65/3; RUS 0.5 x 100 + 65/3 = 215/3.
    F = Fraction
    assert path(sim, "positions", "align/SRB")[1] == pytest.approx(float(F(200, 3)), rel=REL)
    assert path(sim, "positions", "align/EU")[1] == pytest.approx(float(F(65, 3)), rel=REL)
    assert path(sim, "positions", "align/RUS")[1] == pytest.approx(float(F(215, 3)), rel=REL)


# -------------------------------------------------------------------------------------------
# g. Effects: each operation


def test_position_salience_capability_effects_each_op_clipped():
    """Effects on positions and saliences: set, add, scale on the current value, kept
    within 0-100; on a capability: set, add, scale of factor and offset."""
    stakeholders = STAKEHOLDERS.replace("position: 0,", "position: 5,") \
        .replace("position: 100,", "position: 80,")
    extra = """\
    shocks:
      first:
        year: 2025
        assumption: a test shock
        effects:
          - {on: position/align/SRB, set: 30}
          - {on: position/align/EU, add: -10}
          - {on: position/align/RUS, scale: 1.5}
          - {on: salience/align/SRB, scale: 0.5}
      second:
        year: 2026
        assumption: a test shock
        effects:
          - {on: position/align/SRB, add: 15}
          - {on: position/align/RUS, scale: 0.5}
          - {on: capability/align/EU, add: 10}
    """
    sim = blocs.simulate(tiny(stakeholders=stakeholders, extra=extra), seed=1)
    # SRB: 50; set 30; 30 + 15 = 45.
    assert path(sim, "positions", "align/SRB").tolist() == [50.0, 30.0, 45.0]
    # EU: 5; 5 - 10 = -5 kept at 0; 0.
    assert path(sim, "positions", "align/EU").tolist() == [5.0, 0.0, 0.0]
    # RUS: 80; 80 x 1.5 = 120 kept at 100; 100 x 0.5 = 50.
    assert path(sim, "positions", "align/RUS").tolist() == [80.0, 100.0, 50.0]
    assert path(sim, "saliences", "align/SRB").tolist() == [80.0, 40.0, 40.0]
    assert path(sim, "capabilities", "align/EU").tolist() == [30.0, 30.0, 40.0]
    # 2024: (3200 x 50 + 1800 x 5 + 1000 x 80) / 6000 = 249000 / 6000 = 41.5
    # 2025: (40 x 40 x 30 + 0 + 1000 x 100) / (1600 + 1800 + 1000) = 148000 / 4400
    # 2026: (1600 x 45 + 60 x 40 x 0 + 1000 x 50) / (1600 + 2400 + 1000) = 122000 / 5000
    assert path(sim, "outcomes", "align") == approx([41.5, 148000 / 4400, 24.4])


def test_tie_effects_set_add_scale():
    """Tie effects: v = max(0, b f + o).  scale multiplies f and o and keeps acting on a
    figure the case gives later; add raises o; set replaces the figure (f = 0, o = v).  A
    capability ``set`` replaces the value."""
    ties = TIES + "  - {from: EU, to: SRB, measure: trade, value: 0.7, year: 2026, source: s1}\n"
    extra = """\
    shocks:
      changes:
        year: 2025
        assumption: a test shock
        effects:
          - {on: tie/EU/SRB/trade, scale: 0.5}
          - {on: tie/RUS/SRB/gas, add: -0.2}
          - {on: tie/CHN/SRB/trade, set: 0.05}
          - {on: capability/align/RUS, set: 10}
    """
    sim = blocs.simulate(tiny(ties=ties, extra=extra), seed=1)
    # EU trade: 0.6; 0.6 x 0.5 = 0.3; the 2026 figure 0.7 x 0.5 = 0.35.
    assert path(sim, "ties", "EU/SRB/trade") == approx([0.6, 0.3, 0.35])
    # Russia gas: 0.8; 0.8 - 0.2 = 0.6; 0.6.
    assert path(sim, "ties", "RUS/SRB/gas") == approx([0.8, 0.6, 0.6])
    # China trade: 0.2; set to 0.05 (0.2 x 0 + 0.05).
    assert path(sim, "ties", "CHN/SRB/trade") == approx([0.2, 0.05, 0.05])
    assert path(sim, "leverage", "EU/economic") == approx([0.6, 0.3, 0.35])
    assert path(sim, "leverage", "CHN/economic") == approx([0.2, 0.05, 0.05])
    assert path(sim, "leverage", "RUS/energy") == approx([0.8, 0.6, 0.6])
    assert path(sim, "capabilities", "align/RUS").tolist() == [20.0, 10.0, 10.0]
    # 2025: (3200 x 50 + 0 + 50 x 10 x 100) / (3200 + 1800 + 500) = 210000 / 5500
    assert path(sim, "outcomes", "align") == approx([Fraction(130, 3), 210000 / 5500,
                                                     210000 / 5500])


def test_tie_effect_set_gives_a_tie_without_a_figure_one():
    """docs/dynamics.md, step 3: "a tie with no figure yet counts only once an effect
    ``set``s one".  China has no gas tie in the case; a 2025 shock sets it to 0.3, so from
    2025 its share is 0.3 and China has energy leverage 0.3 (Russia's 0.8 unchanged: share
    units have a fixed divisor)."""
    extra = """\
    shocks:
      new_pipeline:
        year: 2025
        assumption: a test shock
        effects: [{on: tie/CHN/SRB/gas, set: 0.3}]
    """
    sim = blocs.simulate(tiny(extra=extra), seed=1)
    assert path(sim, "events", "new_pipeline").tolist() == [0.0, 1.0, 0.0]
    np.testing.assert_allclose(path(sim, "ties", "CHN/SRB/gas"), [np.nan, 0.3, 0.3],
                               rtol=REL, atol=0)  # empty in 2024: no figure yet
    assert path(sim, "leverage", "CHN/energy") == approx([0.0, 0.3, 0.3])
    assert path(sim, "leverage", "RUS/energy") == approx([0.8, 0.8, 0.8])


def test_membership_effects_change_blocs_and_encirclement():
    """A ``membership/ORG/COUNTRY`` effect changes the run's map from its year on: Bosnia
    and Turkey join the EU in 2025 (the West's border with Serbia grows by Bosnia's; Turkey,
    a power with a tie, counts in the West's leverage), Hungary leaves in 2026.  Expected
    border shares come from the case's border lengths (`border_lengths`, no dynamics)."""
    ties = TIES + "  - {from: TUR, to: SRB, measure: trade, value: 0.1, year: 2024, source: s1}\n"
    extra = """\
    shocks:
      enlargement:
        year: 2025
        assumption: a test shock
        effects:
          - {on: membership/EU/BIH, status: member}
          - {on: membership/EU/TUR, status: member}
      hungary_leaves:
        year: 2026
        assumption: a test shock
        effects: [{on: membership/EU/HUN, status: none}]
    """
    s = tiny(ties=ties, extra=extra, more_actors="  TUR: {name: Turkey, kind: state}\n")
    sim = blocs.simulate(s, seed=1)
    km = border_lengths(s)
    assert {"HUN", "HRV", "ROU", "BGR", "BIH"} <= set(km)
    whole = sum(km.values())
    west = [km["HUN"] + km["HRV"] + km["ROU"] + km["BGR"],
            km["HUN"] + km["HRV"] + km["ROU"] + km["BGR"] + km["BIH"],
            km["HRV"] + km["ROU"] + km["BGR"] + km["BIH"]]
    assert path(sim, "encirclement", "West") == approx(np.array(west) / whole)
    assert path(sim, "encirclement", "East").tolist() == [0.0] * 3
    # Neither bloc nor stated hostile: the rest of the border is neutral.
    assert path(sim, "encirclement", "neutral") == approx(1 - np.array(west) / whole)
    # Leverage: EU 0.6, Russia 0.8, China 0.2, Turkey 0.1 (one measure per cell): 1.7 in all.
    # West: EU alone in 2024 (0.6 / 1.7), with Turkey from 2025 (0.7 / 1.7).
    assert path(sim, "blocs", "West") == approx([0.6 / 1.7, 0.7 / 1.7, 0.7 / 1.7])
    assert path(sim, "blocs", "East") == approx([1.0 / 1.7] * 3)


# -------------------------------------------------------------------------------------------
# Batches, the reference leverage, until, shapes


def test_batched_runs_equal_single_runs():
    """Run r of a batch equals the same run alone (`first_run=r`), and a chunk of runs
    equals its slice of the batch: a run's draws do not depend on its batch (docs/
    dynamics.md, Random draws).  serbia-2024 has chance shocks, so the runs differ."""
    s = blocs.load_case("serbia-2024")
    seed, runs = 11, 50
    batch = blocs.simulate(s, seed=seed, runs=runs)
    assert batch.values.shape[2] == runs
    events = batch.series("events", "kosovo_crisis")
    assert 0 < events.sum() < events.size  # the runs do differ
    for r in range(runs):
        one = blocs.simulate(s, seed=seed, runs=1, first_run=r)
        assert one.first_run == r
        assert np.array_equal(one.values[:, :, 0], batch.values[:, :, r], equal_nan=True), r
    chunk = blocs.simulate(s, seed=seed, runs=10, first_run=20)
    assert np.array_equal(chunk.values, batch.values[:, :, 20:30], equal_nan=True)


def _without_tie_changes(s: blocs.Scenario) -> blocs.Scenario:
    """The case with no shocks, no triggers and no tie trends: its ties are then exactly the
    case's figures of each year, which `blocs.leverage(s, year=y)` reads."""
    trends = {k: t for k, t in s.case.trends.items() if not t.on.startswith("tie/")}
    case = s.case.model_copy(update={"shocks": {}, "triggers": {}, "trends": trends})
    return dataclasses.replace(s, case=case)


@pytest.mark.parametrize("case_id", blocs.builtin_cases())
def test_leverage_equals_the_reference_every_year(case_id):
    """With no effect on the ties, the batched leverage of every year equals the reference
    model `blocs.leverage(scenario, year=y)` (docs/leverage.md): each power's soft, hard,
    total and share, its leverage by domain, and the effective numbers of powers and of the
    case's pillars.  rel 1e-12: the two sum the same terms in another order."""
    s = blocs.load_case(case_id)
    sim = blocs.simulate(_without_tie_changes(s), seed=0)
    tables = sim.tables()
    powers = sorted({n.split("/")[0] for n in tables["powers"].columns})
    pillars = s.case.dynamics.pillars if s.case.dynamics and s.case.dynamics.pillars else None
    for y in sim.years.tolist():
        lev = blocs.leverage(s, year=y)
        ref = blocs.power_totals(lev).set_index("power")
        dom = by_domain(lev)
        for p in powers:
            for col, name in (("soft", "soft"), ("hard", "hard"), ("value", "total"),
                              ("share", "share")):
                want = float(ref[col].get(p, 0.0))
                got = tables["powers"].loc[y, f"{p}/{name}"]
                assert got == pytest.approx(want, rel=REL, abs=1e-15), (y, p, name)
            for d in DOMAINS:
                want = float(dom.loc[p, d]) if p in dom.index and d in dom.columns else 0.0
                got = tables["leverage"].loc[y, f"{p}/{d}"]
                assert got == pytest.approx(want, rel=REL, abs=1e-15), (y, p, d)
        assert tables["pillars"].loc[y, "powers"] == pytest.approx(
            blocs.effective_number(ref["value"]), rel=REL), y
        if pillars:
            kept = ref["value"].reindex(pillars).fillna(0.0)
            assert tables["pillars"].loc[y, "pillars"] == pytest.approx(
                blocs.effective_number(kept), rel=REL), y


def test_until_stops_early_and_is_checked_against_the_period():
    """``until`` ends the path early without changing the years before it; a year outside
    the period is a ValueError that names the period."""
    s = blocs.load_case("serbia-2024")
    full = blocs.simulate(s, seed=5, runs=3)
    short = blocs.simulate(s, seed=5, runs=3, until=2027)
    assert short.years.tolist() == [2024, 2025, 2026, 2027]
    assert short.names == full.names
    assert np.array_equal(short.values, full.values[:4], equal_nan=True)
    assert blocs.simulate(s, seed=5, until=2024).years.tolist() == [2024]
    for bad in (2023, 2036):
        with pytest.raises(ValueError, match=r"period.*2024 to 2035"):
            blocs.simulate(s, seed=5, until=bad)


def test_values_are_years_by_quantities_by_runs():
    """``values`` has shape (years, quantities, runs), each quantity named once."""
    s = blocs.load_case("serbia-2024")
    sim = blocs.simulate(s, seed=3, runs=7, until=2030)
    assert sim.values.shape == (7, len(sim.names), 7)
    assert sim.runs == 7
    assert len(set(sim.names)) == len(sim.names)
    assert sim.series("outcomes", "alignment").shape == (7, 7)
    small = blocs.simulate(tiny(), seed=3, runs=4)
    assert small.values.shape == (3, len(small.names), 4)
    # The tiny case: 1 outcome, 1 status quo, 3 positions, saliences, capabilities, 3 powers x
    # 5 domains, 3 x 4 power columns, 2 blocs, 2 pillars rows, 3 ties, 2 blocs + 2
    # encirclement rows, 3 reach rows.
    assert len(small.names) == 1 + 1 + 3 * 3 + 15 + 12 + 2 + 2 + 3 + 4 + 3


def test_status_quo_becomes_last_years_outcome():
    """Step 6: the decision of year t is the status quo of year t + 1 (the reference point the
    models that use one see); the first year's is the case's own."""
    s = tiny()
    text = s.case.model_dump(mode="json", by_alias=True, exclude_none=True)
    text["issues"]["align"]["status_quo"] = {"position": 20.0, "source": "s1"}
    s2 = blocs.load_text(json.dumps(text), "<tiny with a status quo>")
    sim = blocs.simulate(s2, seed=1)
    y = Fraction(130, 3)  # the compromise ignores the status quo: see STAKEHOLDERS
    assert path(sim, "status_quos", "align") == approx([20, y, y])
    # Without a status quo the issue has none in any year.
    assert np.isnan(path(blocs.simulate(s, seed=1), "status_quos", "align")).all()

"""Sensitivity analysis and scenario discovery (docs/sensitivity.md): SALib's Sobol' indices
against the Ishigami function's analytic values, Morris' mu* against a linear function's known
effects, PRIM's box against a region drawn by hand, the condition grammar, and the two
commands end to end on a small case whose outcome depends on one input only."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from blocs.analysis.discover import Box, Condition, Limit, discover, parse_condition
from blocs.analysis.discover import summary as discovery_summary
from blocs.analysis.sensitivity import morris, sobol, summary
from tests.cli_helpers import invoke, json_of, one_error
from tests.conftest import VALID_CASE

# ---------------------------------------------------------------------------------------------
# Sobol' indices


def ishigami(u: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """Ishigami & Homma (1990) on x = -pi + 2 pi u, x uniform on [-pi, pi]^3."""
    x = -math.pi + 2 * math.pi * u
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


# Analytic indices for a = 7, b = 0.1 (Saltelli et al. 2008, Global Sensitivity Analysis:
# The Primer, 4.5; Sobol' & Levitan 1999): V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2.
ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)


def test_sobol_recovers_the_ishigami_indices():
    t = sobol(["x1", "x2", "x3"], ishigami, n=2**13, seed=0)
    assert list(t.columns) == ["input", "S1", "S1_conf", "ST", "ST_conf"]
    assert t["input"].tolist() == ["x1", "x2", "x3"]
    # Tolerance 0.03: at n = 2^13 (40,960 runs) SALib's bootstrap puts the 95% half-width of
    # every index below 0.04 (checked just below; the bootstrap treats the points as plain
    # Monte Carlo, a conservative bound for a scrambled Sobol' design, whose errors over ten
    # seeds were all under 0.01).  A wrong estimator (e.g. the Sobol' 1993 S1 on centred Y,
    # or ST without the 1/2) is off by 0.1 or more.
    for got, want in zip(t["S1"], ISHIGAMI_S1, strict=True):
        assert got == pytest.approx(want, abs=0.03)
    for got, want in zip(t["ST"], ISHIGAMI_ST, strict=True):
        assert got == pytest.approx(want, abs=0.03)
    assert (t[["S1_conf", "ST_conf"]].to_numpy() < 0.04).all()


def test_sobol_second_order_gives_the_ishigami_interaction():
    t = sobol(["x1", "x2", "x3"], ishigami, n=2**13, seed=1, calc_second_order=True)
    s2 = t.attrs["S2"]
    # The only interaction of Ishigami is x1 with x3: S13 = ST3 = 0.2437, S12 = S23 = 0.
    # Tolerance 0.05: the bootstrap half-width of S2 at this n is about 0.035.
    assert s2.loc["x1", "x3"] == pytest.approx(0.2437, abs=0.05)
    assert s2.loc["x1", "x2"] == pytest.approx(0.0, abs=0.05)
    assert s2.loc["x2", "x3"] == pytest.approx(0.0, abs=0.05)


def test_sobol_of_a_product_shows_interaction():
    # y = u1 u2 with u uniform: V = 1/9 - 1/16 = 7/144, V1 = V2 = Var(u/2) = 3/144, so
    # S1 = 3/7 each and ST = 1 - 3/7 = 4/7 each.  Tolerance 0.03 as for Ishigami (n = 2^12,
    # bootstrap half-width about 0.03).
    t = sobol(["a", "b"], lambda u: u[:, 0] * u[:, 1], n=2**12, seed=2)
    assert t["S1"].tolist() == pytest.approx([3 / 7, 3 / 7], abs=0.03)
    assert t["ST"].tolist() == pytest.approx([4 / 7, 4 / 7], abs=0.03)
    text = summary(t, "y")
    assert text.startswith("y depends mostly on ")
    # The first-order indices add to 6/7: 1/7 = 0.14 of the variance from the two together.
    assert re.search(r"add up to 0\.8\d: 0\.1\d of the variance comes from inputs acting "
                     r"together\.$", text), text


def test_sobol_ignored_inputs_are_exactly_zero_and_summary_names_the_right_ones():
    # y = 4 u1 + 2.5 u2 (+ nothing from u3): variance shares 16 : 6.25 : 0, i.e. 0.719 and
    # 0.281; u3 changes no output, so f(A_B^3) = f(A) row by row and its indices are exactly 0.
    t = sobol(["gas", "inertia", "noise"], lambda u: 4 * u[:, 0] + 2.5 * u[:, 1], n=2**12,
              seed=3)
    assert t["ST"].tolist()[:2] == pytest.approx([16 / 22.25, 6.25 / 22.25], abs=0.03)
    assert t.loc[2, ["S1", "ST", "S1_conf", "ST_conf"]].tolist() == [0.0, 0.0, 0.0, 0.0]
    text = summary(t, "outcome/alignment", 2035)
    assert re.fullmatch(r"outcome/alignment in 2035 depends mostly on gas \(total 0\.7\d\) and "
                        r"inertia \(0\.2\d\); the other input matters little \(total < 0\.05\)\.",
                        text), text


def test_sobol_of_a_constant_output():
    t = sobol(["a", "b"], lambda u: np.full(len(u), 7.0), n=16, seed=0)
    assert t.attrs["constant"] is True
    assert (t[["S1", "S1_conf", "ST", "ST_conf"]].to_numpy() == 0).all()
    assert summary(t, "pillars", 2030) == ("pillars in 2030 is the same in every run: none of "
                                           "the inputs changes it.")


def test_sobol_gives_rows_of_a_pair_the_same_random_draws():
    # A model whose row r of each call takes random draw r (as blocs.ensemble.runner.evaluate
    # does with the chance shocks): y = 5 u1 + e_r, Var(e) = 25/12 = Var(5 u1).  With A and
    # each A_B^i evaluated in calls of their own, A's row j and A_B^i's row j share e_j: u2,
    # which the model ignores, gets exactly 0 (not the noise's share), and u1's indices are
    # its share of the variance, 0.5.
    noise = np.random.default_rng(7).normal(0.0, math.sqrt(25 / 12), 10_000)
    calls = []

    def noisy(u):
        calls.append(len(u))
        return 5 * u[:, 0] + noise[: len(u)]

    n = 2**12
    t = sobol(["u1", "u2"], noisy, n=n, seed=0)
    assert calls == [2 * n, n, n]  # [A; B], then A_B^1, A_B^2
    assert t.loc[1, ["S1", "ST", "S1_conf", "ST_conf"]].tolist() == [0.0, 0.0, 0.0, 0.0]
    # Tolerance 0.05: the noise is plain Monte Carlo; the bootstrap half-width at n = 2^12 is
    # about 0.03 (over six seeds the estimates fell within 0.02 of 0.5).
    assert t.loc[0, "S1"] == pytest.approx(0.5, abs=0.05)
    assert t.loc[0, "ST"] == pytest.approx(0.5, abs=0.05)
    text = summary(t, "y", chance=True)
    assert text.endswith("of the variance comes from chance or inputs acting together.")


@pytest.mark.parametrize("n", [1000, 1, 0, 3])
def test_sobol_refuses_a_base_sample_that_is_not_a_power_of_two(n):
    with pytest.raises(ValueError, match=r"not a power of 2 \(allowed: 2, 4, 8"):
        sobol(["a"], lambda u: u[:, 0], n=n, seed=0)


def test_sobol_refuses_outputs_that_are_not_numbers():
    with pytest.raises(ValueError, match=r"not a finite number in \d+ of \d+ runs"):
        sobol(["a"], lambda u: np.where(u[:, 0] > 0.5, np.nan, 1.0), n=8, seed=0)
    with pytest.raises(ValueError, match="one value per row"):
        sobol(["a"], lambda u: np.ones(3), n=8, seed=0)
    with pytest.raises(ValueError, match="named twice"):
        sobol(["a", "a"], lambda u: u[:, 0], n=8, seed=0)


# ---------------------------------------------------------------------------------------------
# Morris


def test_morris_mu_star_of_a_linear_function_is_the_coefficient_times_the_range():
    # y = sum a_i x_i with x_i uniform on [lo_i, hi_i]: every elementary effect of input i, per
    # unit of u, is a_i (hi_i - lo_i); so mu* = |a_i| (hi_i - lo_i) and sigma = 0.
    a = np.array([2.0, -3.0, 0.5, 0.0])
    lo = np.array([0.0, 10.0, -1.0, 0.0])
    hi = np.array([1.0, 12.0, 3.0, 5.0])

    def linear(u):
        return (lo + u * (hi - lo)) @ a

    t = morris(["a", "b", "c", "d"], linear, trajectories=20, levels=4, seed=5)
    assert list(t.columns) == ["input", "mu_star", "mu_star_conf", "sigma"]
    # Exact up to floating-point rounding of sums of ~10 terms of size 10: 1e-9.
    assert t["mu_star"].tolist() == pytest.approx([2.0, 6.0, 2.0, 0.0], abs=1e-9)
    assert t["sigma"].tolist() == pytest.approx([0.0] * 4, abs=1e-9)
    assert t["mu_star_conf"].tolist() == pytest.approx([0.0] * 4, abs=1e-9)
    # The levels are the midpoints (k + 1/2) / p: never 0 or 1, where a quantile function
    # may be infinite.
    seen = []
    morris(["a"], lambda u: seen.append(u.copy()) or u[:, 0], trajectories=10, levels=4, seed=0)
    assert set(np.round(np.concatenate(seen).ravel(), 12)) <= {0.125, 0.375, 0.625, 0.875}


def test_morris_gives_a_trajectory_the_same_random_draws():
    # y = 3 u1 + e_r with row r of each call taking draw r: each call holds step k of every
    # trajectory, so a trajectory keeps its draw and the noise cancels from every effect.
    noise = np.random.default_rng(8).normal(0.0, 10.0, 1000)
    calls = []

    def noisy(u):
        calls.append(len(u))
        return 3 * u[:, 0] + noise[: len(u)]

    t = morris(["u1", "u2"], noisy, trajectories=10, levels=4, seed=0)
    assert calls == [10, 10, 10]  # d + 1 steps, the 10 trajectories each
    # Exact but for rounding (1e-9), however large the noise.
    assert t["mu_star"].tolist() == pytest.approx([3.0, 0.0], abs=1e-9)
    assert t["sigma"].tolist() == pytest.approx([0.0, 0.0], abs=1e-9)


def test_morris_summary_names_the_inputs_and_the_spread():
    t = pd.DataFrame({"input": ["a", "b", "c"], "mu_star": [10.0, 4.0, 0.2],
                      "mu_star_conf": [1.0, 1.0, 0.1], "sigma": [6.0, 0.5, 0.0]})
    assert summary(t, "bloc/West", 2030) == (
        "bloc/West in 2030 moves mostly with a (mu* 10) and b (4); the other input "
        "matters little (mu* < 0.5, under 5% of the largest). The effect of a changes across "
        "the inputs' ranges (sigma >= 0.5 mu*): nonlinear, or acting together with other "
        "inputs.")


@pytest.mark.parametrize(("trajectories", "levels", "message"), [
    (1, 4, r"1 trajectories \(allowed: 2 or more"),
    (10, 3, r"3 levels \(allowed: an even number"),
    (10, 0, r"0 levels \(allowed: an even number"),
])
def test_morris_refuses_bad_designs(trajectories, levels, message):
    with pytest.raises(ValueError, match=message):
        morris(["a"], lambda u: u[:, 0], trajectories=trajectories, levels=levels, seed=0)


def test_sobol_summary_rules_by_hand():
    t = pd.DataFrame({"input": ["a", "b", "c", "d"], "S1": [0.5, 0.2, 0.08, 0.0],
                      "S1_conf": [0.02] * 4, "ST": [0.6, 0.2, 0.1, 0.01],
                      "ST_conf": [0.02] * 4})
    # b: 0.2 >= 0.25 x 0.6 = 0.15, so among the main inputs; c: 0.1 < 0.15 but >= 0.05.
    assert summary(t, "pillars", 2030) == (
        "pillars in 2030 depends mostly on a (total 0.60) and b (0.20); c (0.10) matters "
        "less; the other input matters little (total < 0.05). The first-order indices add up "
        "to 0.78: 0.22 of the variance comes from inputs acting together.")


# ---------------------------------------------------------------------------------------------
# Scenario discovery


def _uniform_inputs(seed: int, n: int = 2000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.random((n, 4)), columns=["x1", "x2", "x3", "x4"])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_prim_finds_the_box_drawn_by_hand(seed):
    x = _uniform_inputs(seed)
    happened = ((x.x1 > 0.7) & (x.x2 < 0.3)).to_numpy()
    boxes = discover(x, happened)
    assert len(boxes) == 1  # nothing is left to find once the region is boxed
    box = boxes[0]
    limits = {lim.input: lim for lim in box.limits}
    assert set(limits) == {"x1", "x2"}  # x3 and x4 play no part and are not restricted
    # Tolerance 0.05: PRIM peels 5% (alpha) of the runs in the box per step, so its bound on
    # an input stops within about one such slice, 0.05 of a uniform input's range, of 0.7.
    assert limits["x1"].low == pytest.approx(0.7, abs=0.05)
    assert limits["x1"].high is None
    assert limits["x2"].high == pytest.approx(0.3, abs=0.05)
    assert limits["x2"].low is None
    # The box kept holds every run where it happens (the highest coverage at density >= 0.8)
    # and, among those, is the densest: about one peel from the region on each restricted
    # side, so density >= 0.9.
    assert box.coverage == 1.0
    assert box.density >= 0.9
    assert box.mass == pytest.approx(box.coverage * happened.mean() / box.density, rel=1e-12)
    np.testing.assert_array_equal(box.contains(x).sum(), round(box.mass * len(x)))


def test_prim_with_label_noise():
    x = _uniform_inputs(4)
    rng = np.random.default_rng(40)
    happened = ((x.x1 > 0.7) & (x.x2 < 0.3)).to_numpy() ^ (rng.random(len(x)) < 0.05)
    [box, *_] = discover(x, happened, threshold=0.9)
    limits = {lim.input: lim for lim in box.limits}
    assert set(limits) == {"x1", "x2"}
    # 5% of the labels flipped: inside the region 95% happen, outside 5%.  A box reaching
    # density 0.9 can take in a strip of outside runs of at most (0.95 - 0.9) / (0.9 - 0.05)
    # = 6% of the region's mass, i.e. 0.02 of x1's range; with a peel's 0.05, tolerance 0.07.
    assert limits["x1"].low == pytest.approx(0.7, abs=0.07)
    assert limits["x2"].high == pytest.approx(0.3, abs=0.07)
    assert box.density >= 0.9
    # About 5% of the 1,820 runs outside the region happen by noise (~90 of ~270 events) and
    # no box of them is dense: the coverage is near 180 / 270.
    assert 0.55 <= box.coverage <= 0.75


def test_prim_has_nothing_to_find():
    x = _uniform_inputs(5)
    assert discover(x, np.zeros(len(x), dtype=bool)) == []
    assert discover(x, np.ones(len(x), dtype=bool)) == []
    # Labels that no input explains: no box reaches density 0.8 when 30% happen at random.
    random = np.random.default_rng(50).random(len(x)) < 0.3
    assert discover(x, random) == []
    text = discovery_summary("e > 1", random, [])
    assert text.startswith("e > 1 happens in 3") and "no box of the inputs reaches a density of "\
        "80%" in text
    # Rarer than 80% of PRIM's least mass (5%): no box can be dense enough, and it says why.
    rare = np.arange(1000) < 20
    assert discovery_summary("e > 1", rare, []) == (
        "e > 1 happens in 2.0% of runs; too rare for a box: a box holds at least 5.0% of the "
        "runs, so with 20 runs where it happens its density is at most 40%, below the "
        "threshold of 80%.")
    assert discovery_summary("e > 1", np.zeros(10, bool), []) == (
        "e > 1 happens in none of the 10 runs: there is no box to find.")
    assert discovery_summary("e > 1", np.ones(10, bool), []) == (
        "e > 1 happens in all 10 runs: there is no box to find.")


def test_discovery_summary_and_box_text():
    boxes = [Box((Limit("gas", None, 0.71, 1e-9), Limit("inertia", 0.84, None, 1e-3)),
                 coverage=0.64, density=0.83, mass=0.18),
             Box((Limit("shock", 0.2, 0.6, 1e-4),), coverage=0.2, density=0.9, mass=0.05)]
    happened = np.arange(100) < 23
    assert discovery_summary("outcome/alignment > 60 in 2030", happened, boxes) == (
        "outcome/alignment > 60 in 2030 happens in 23% of runs; in the box gas <= 0.71, "
        "inertia >= 0.84 it happens in 83% of runs (coverage 64%); box 2, 0.2 <= shock <= 0.6, "
        "adds 20% of them (density 90%); together the boxes hold 84% of the runs where it "
        "happens.")


def test_discover_checks_its_arguments():
    x = _uniform_inputs(6, n=10)
    with pytest.raises(ValueError, match="one outcome per run"):
        discover(x, np.zeros(9, bool))
    with pytest.raises(ValueError, match="density threshold 0 "):
        discover(x, np.arange(10) < 5, threshold=0)


# ---------------------------------------------------------------------------------------------
# The condition grammar


@pytest.mark.parametrize(("expr", "want"), [
    ("outcome/alignment > 60 in 2030", Condition("outcome/alignment", ">", 60.0, 2030)),
    ("pillars < 2.5", Condition("pillars", "<", 2.5, 2035)),
    ("bloc/West>=0.5", Condition("bloc/West", ">=", 0.5, 2035)),
    ("  leverage/RUS <= -1e3 in 2024 ", Condition("leverage/RUS", "<=", -1000.0, 2024)),
    ("encirclement/West > .25 in 2035", Condition("encirclement/West", ">", 0.25, 2035)),
    ("pillars/powers < 3", Condition("pillars/powers", "<", 3.0, 2035)),
])
def test_parse_condition_accepts(expr, want):
    assert parse_condition(expr, (2024, 2035)) == want


@pytest.mark.parametrize(("expr", "message"), [
    ("outcome/alignment", "cannot read the condition"),
    ("outcome/alignment = 60", "cannot read the condition"),
    ("outcome/alignment > sixty", "cannot read the condition"),
    ("outcome/alignment > 60 in", "cannot read the condition"),
    ("outcome/alignment > 60 by 2030", "cannot read the condition"),
    ("", "cannot read the condition"),
    ("outcome/alignment > 60 in 2040", "the year 2040 is outside the case's period (allowed: "
                                       "2024 to 2035)"),
    ("outcome/alignment > 60 in 2023", "outside the case's period"),
    ("nothing/x > 1", "unknown path 'nothing/x'"),
    ("outcome/a/b > 1", "has 2 ids after 'outcome'"),
    ("outcome/x > 1e999", "not finite"),
])
def test_parse_condition_refuses(expr, message):
    with pytest.raises(ValueError) as err:
        parse_condition(expr, (2024, 2035))
    assert message in str(err.value)
    assert "\n" not in str(err.value)
    if "cannot read" in message:
        assert "QUANTITY > NUMBER" in str(err.value)  # the allowed forms


def test_condition_holds():
    c = Condition("x", ">=", 1.0, 2030)
    np.testing.assert_array_equal(c.holds(np.array([0.5, 1.0, 2.0, np.nan])),
                                  [False, True, True, False])
    assert str(Condition("x", "<", 2.5, 2030)) == "x < 2.5 in 2030"


# ---------------------------------------------------------------------------------------------
# The commands, end to end on a small case
#
# Compromise model (the weighted mean of positions, weights capability x salience): the
# outcome of `align` is (1 x 80 x P + 2 x 50 x 100 + 1 x 40 x 0) / (80 + 100 + 40)
# = (80 P + 10,000) / 220, P the uncertain position of SRB (uniform 0-100), in every year
# (inertia 1: positions are kept).  The EU's position on `other` and Russia's gas tie are
# uncertain too but move no capability (typed numbers) and no position on `align`.

CASE = """\
format: 1
name: Sensitivity test
focus: SRB
year: 2024
period: {start: 2024, end: 2026}
sources:
  s1: {title: A source, url: "https://example.org"}
actors:
  SRB: {name: Serbia, kind: state}
  RUS: {name: Russia, kind: state}
  EU: {name: European Union, kind: union}
organizations:
  EU: {name: European Union, members: {HUN: 2004, HRV: 2013, ROU: 2007, BGR: 2007}, source: s1}
blocs:
  West: {members: [EU]}
  East: {members: [RUS]}
ties:
  - {from: RUS, to: SRB, measure: gas, value: 0.8, year: 2024, source: s1}
  - {from: EU, to: SRB, measure: trade, value: 0.5, year: 2024, source: s1}
issues:
  align:
    question: where?
    stakeholders:
      SRB: {position: 50, salience: 80, capability: 1, source: s1}
      RUS: {position: 100, salience: 50, capability: 2, source: s1}
      EU: {position: 0, salience: 40, capability: 1, source: s1}
  other:
    question: something else?
    stakeholders:
      SRB: {position: 30, salience: 50, capability: 1, source: s1}
      EU: {position: 80, salience: 50, capability: 1, source: s1}
dynamics:
  model: compromise
  assumption: a weighted mean, so that the outcome is linear in one input
uncertain:
  srb_position: {at: position/align/SRB, uniform: [0, 100], assumption: test}
  other_position: {at: position/other/EU, uniform: [0, 100], assumption: test}
  gas: {at: tie/RUS/SRB/gas, triangular: [0.5, 0.8, 0.9], assumption: test}
"""
#: d outcome / d P.
WEIGHT = 80 / 220



def as_json(*args) -> dict:
    return json_of(*args)


@pytest.fixture()
def case_file(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text(CASE, encoding="utf-8")
    return str(path)








def test_the_case_outcome_is_the_weighted_mean():
    import blocs

    sim = blocs.simulate(blocs.load_text(CASE, "mini.yaml"))
    assert sim.tables()["outcomes"]["align"].tolist() == pytest.approx(
        [(80 * 50 + 10_000) / 220] * 3, abs=1e-9)


def test_sensitivity_sobol_on_the_case(case_file):
    doc = as_json("sensitivity", case_file, "--outcome", "outcome/align")
    assert {k: doc[k] for k in ("case", "outcome", "year", "method", "runs", "seed")} == {
        "case": "mini", "outcome": "outcome/align", "year": 2026, "method": "sobol",
        "runs": 1024, "seed": 0}
    assert doc["model_runs"] == 1024 * (3 + 2)
    by = {row["input"]: row for row in doc["indices"]}
    assert list(by) == ["srb_position", "other_position", "gas"]
    assert by["srb_position"]["at"] == "position/align/SRB"
    # The outcome depends on srb_position alone: S1 = ST = 1.  Tolerance 0.02: the estimators'
    # error at n = 1024 for a one-input linear function (the bootstrap half-width is ~0.05;
    # the scrambled Sobol' design does much better, ~0.005 over seeds).
    assert by["srb_position"]["S1"] == pytest.approx(1.0, abs=0.02)
    assert by["srb_position"]["ST"] == pytest.approx(1.0, abs=0.02)
    # The other two change no outcome, bit for bit: their indices are exactly 0.
    for name in ("other_position", "gas"):
        assert by[name]["S1"] == 0.0 and by[name]["ST"] == 0.0
    assert doc["summary"] == ("outcome/align in 2026 depends mostly on srb_position (total "
                              f"{by['srb_position']['ST']:.2f}); the other inputs matter "
                              "little (total < 0.05 each).")
    # Same seed, same answer; another seed, another design.
    assert as_json("sensitivity", case_file, "--outcome", "outcome/align") == doc
    other = as_json("sensitivity", case_file, "--outcome", "outcome/align", "--seed", "9")
    assert other["indices"][0]["S1"] != by["srb_position"]["S1"]


def test_sensitivity_morris_on_the_case(case_file):
    doc = as_json("sensitivity", case_file, "--outcome", "outcome/align", "--year", "2025",
                  "--method", "morris", "--runs", "12", "--levels", "6")
    assert (doc["method"], doc["runs"], doc["levels"], doc["year"]) == ("morris", 12, 6, 2025)
    assert doc["model_runs"] == 12 * (3 + 1)
    by = {row["input"]: row for row in doc["indices"]}
    # Linear in P with slope 80/220 over P's range of 100: mu* = 36.36..., sigma = 0; exact
    # up to rounding (1e-9).
    assert by["srb_position"]["mu_star"] == pytest.approx(100 * WEIGHT, abs=1e-9)
    assert by["srb_position"]["sigma"] == pytest.approx(0.0, abs=1e-9)
    for name in ("other_position", "gas"):
        assert by[name]["mu_star"] == 0.0
    assert doc["summary"].startswith("outcome/align in 2025 moves mostly with srb_position "
                                     "(mu* 36.4); the other inputs matter little")


def test_sensitivity_with_chance_shocks(tmp_path):
    # A shock with chance 0.5 a year moves Russia's position on `align` by -50 (kept within
    # 0-100, carried over): the outcome in 2026 depends on srb_position and on chance.  The
    # runs an estimator compares share their draws (the runner gives row r of each call the
    # draws of run r), so the inputs that move nothing keep indices of exactly 0 and chance
    # shows only as first-order indices that add up to less than 1.
    text = CASE + """\
shocks:
  crisis:
    chance: 0.5
    effects:
      - {on: position/align/RUS, add: -50}
    assumption: test
"""
    path = tmp_path / "chance.yaml"
    path.write_text(text, encoding="utf-8")
    doc = as_json("sensitivity", path, "--outcome", "outcome/align", "--runs", "512")
    by = {row["input"]: row for row in doc["indices"]}
    for name in ("other_position", "gas"):
        assert (by[name]["S1"], by[name]["ST"]) == (0.0, 0.0)
    # Chance takes a large share: the outcome swings by 100 x 100 / 220 = 45 points between no
    # crisis and two, against 36 points over srb_position's whole range.
    assert by["srb_position"]["S1"] < 0.8
    assert "(crisis)" in doc["note"] and "common random numbers" in doc["note"]
    assert doc["summary"].endswith("of the variance comes from chance or inputs acting "
                                   "together.")
    morris_doc = as_json("sensitivity", path, "--outcome", "outcome/align", "--method",
                         "morris", "--runs", "10")
    by = {row["input"]: row for row in morris_doc["indices"]}
    # Within a trajectory the draws are the same: srb_position's effect is its slope x 100
    # in every step that does not push Russia's position past a bound (none here: only RUS
    # moves), i.e. exactly the weight; the others' effects are 0.
    assert by["srb_position"]["mu_star"] == pytest.approx(100 * WEIGHT, abs=1e-9)
    assert by["other_position"]["mu_star"] == 0.0 and by["gas"]["mu_star"] == 0.0


def test_sensitivity_prints_a_table(case_file):
    result = invoke("sensitivity", case_file, "--outcome", "outcome/align", "--runs", "256")
    assert result.exit_code == 0, result.output
    text = result.stdout
    # The title wraps to the table's width: compare with the spaces collapsed.
    assert "mini: sensitivity of outcome/align in 2026 (Sobol', base sample 256, 1,280 runs, " \
           "seed 0)" in " ".join(text.split())
    rows = [ln for ln in text.splitlines() if ln.startswith("│ ")]
    assert [r.split("│")[1].strip() for r in rows] == ["srb_position", "other_position", "gas"]
    assert re.search(r"│ +0\.000 ± 0\.000 │ +0\.000 ± 0\.000 │", rows[1])
    assert text.rstrip().splitlines()[-1].startswith(
        "outcome/align in 2026 depends mostly on srb_position")


def test_discover_on_the_case(case_file):
    doc = as_json("discover", case_file, "--outcome", "outcome/align > 60")
    assert doc["event"] == "outcome/align > 60 in 2026"
    assert doc["condition"] == {"quantity": "outcome/align", "op": ">", "value": 60.0,
                                "year": 2026}
    # (80 P + 10,000) / 220 > 60  <=>  P > 40  <=>  u > 0.4.  The Latin hypercube puts one of
    # the 2,000 points in each stratum [k / 2000, (k + 1) / 2000): exactly 1,200 lie above 0.4.
    assert (doc["runs"], doc["happened"], doc["probability"]) == (2000, 1200, 0.6)
    [box] = doc["boxes"]
    [limit] = box["limits"]
    assert (limit["input"], limit["at"], limit["high"]) == ("srb_position",
                                                             "position/align/SRB", None)
    # Tolerance 5 points: PRIM peels 5% of the runs in the box per step, at most 5 of P's 100.
    assert limit["low"] == pytest.approx(40.0, abs=5.0)
    assert box["coverage"] == 1.0 and box["density"] >= 0.9
    assert doc["summary"].startswith("outcome/align > 60 in 2026 happens in 60% of runs; in "
                                     "the box srb_position >= ")


def test_discover_prints_the_boxes(case_file):
    result = invoke("discover", case_file, "--outcome", "outcome/align <= 60 in 2025",
                    "--runs", "500", "--method", "sobol", "--seed", "3")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("mini: outcome/align <= 60 in 2025 happens in ")
    assert lines[0].endswith(" runs (40.0%; sobol design, seed 3).")
    assert any(re.match(r"│ srb_position +│ position/align/SRB │ +- │ +\d+\.?\d* │", ln)
               for ln in lines), result.stdout
    assert lines[-1].startswith("outcome/align <= 60 in 2025 happens in ")


@pytest.mark.parametrize(("expr", "words"), [
    ("outcome/align > 200", "happens in none of the 300 runs: there is no box to find."),
    ("outcome/align >= 0", "happens in all 300 runs: there is no box to find."),
])
def test_discover_when_the_event_never_or_always_happens(case_file, expr, words):
    result = invoke("discover", case_file, "--outcome", expr, "--runs", "300")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].endswith(words)
    doc = as_json("discover", case_file, "--outcome", expr, "--runs", "300")
    assert doc["boxes"] == [] and doc["summary"].endswith(words)


@pytest.mark.parametrize(("args", "fragments"), [
    (["sensitivity", "{case}"], ["--outcome: missing"]),
    (["sensitivity", "{case}", "--outcome", "outcome/nope"], ["--outcome:",
                                                                "unknown quantity 'outcome/nope'"]),
    (["sensitivity", "{case}", "--outcome", "nothing/x"], ["--outcome: unknown path"]),
    (["sensitivity", "{case}", "--outcome", "outcome/align", "--year", "2030"],
     ["--year: 2030 is outside the period of mini (allowed: 2024 to 2026)"]),
    (["sensitivity", "{case}", "--outcome", "outcome/align", "--runs", "1000"],
     ["--runs: 1000 is not a power of 2 (allowed: 2, 4, 8"]),
    (["sensitivity", "{case}", "--outcome", "outcome/align", "--runs", "1"],
     ["--runs: 1 is not a power of 2"]),
    (["sensitivity", "{case}", "--outcome", "outcome/align", "--method", "fast"],
     ["--method: unknown method 'fast' (allowed: sobol, morris)"]),
    (["sensitivity", "{case}", "--outcome", "outcome/align", "--method", "morris", "--runs",
      "1"], ["--runs: 1 trajectories (allowed: 2 or more)"]),
    (["sensitivity", "{case}", "--outcome", "outcome/align", "--method", "morris", "--levels",
      "5"], ["--levels: 5 (allowed: an even number"]),
    (["sensitivity", "{case}", "--outcome", "outcome/align", "--levels", "4"],
     ["--levels: only for --method morris"]),
    (["sensitivity", "{case}", "--outcome", "outcome/align", "--seed", "-1"],
     ["--seed: -1 is out of range"]),
    (["sensitivity", "{case}", "--outcome", "outcome/align", "--runs", str(2**19)],
     ["would make 2,621,440 model runs with 3 inputs (allowed: at most 1,000,000"]),
    (["sensitivity", "{plain}", "--outcome", "outcome/align"],
     ["the case has no uncertain inputs to vary"]),
    (["discover", "{case}"], ["--outcome: missing (allowed: QUANTITY > NUMBER"]),
    (["discover", "{case}", "--outcome", "outcome/align"], ["--outcome: cannot read the "
                                                            "condition 'outcome/align'"]),
    (["discover", "{case}", "--outcome", "outcome/align > 50 in 2040"],
     ["the year 2040 is outside the case's period (allowed: 2024 to 2026)"]),
    (["discover", "{case}", "--outcome", "outcome/nope > 50"], ["unknown quantity"]),
    (["discover", "{case}", "--outcome", "outcome/align > 50", "--runs", "1"],
     ["--runs: 1 is out of range (allowed: 2 to 1,000,000)"]),
    (["discover", "{case}", "--outcome", "outcome/align > 50", "--method", "grid"],
     ["--method: unknown method 'grid' (allowed: lhs, sobol)"]),
    (["discover", "{case}", "--outcome", "outcome/align > 50", "--density", "0"],
     ["--density: 0.0 is out of range"]),
    (["discover", "{case}", "--outcome", "outcome/align > 50", "--boxes", "0"],
     ["--boxes: 0 is out of range (allowed: 1 to 10)"]),
    (["discover", "{plain}", "--outcome", "outcome/align > 50"],
     ["the case has no uncertain inputs to vary"]),
])
def test_bad_options_are_one_line(case_file, tmp_path, args, fragments):
    plain = tmp_path / "plain.yaml"
    plain.write_text(VALID_CASE, encoding="utf-8")
    args = [a.format(case=case_file, plain=plain) for a in args]
    one_error(invoke(*args), *fragments)

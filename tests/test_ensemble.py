"""Ensembles (docs/ensembles.md): the design reproduces SciPy's, every kind of uncertain input
reaches the yearly step, quantiles and event probabilities on cases whose answer is known in
closed form, and the answers do not depend on chunks, order or workers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.stats import qmc

import blocs
from blocs.dynamics.plan import compile_plan
from blocs.dynamics.simulate import dynamics_model
from blocs.ensemble.runner import evaluate, run_chunk, run_ensemble
from blocs.ensemble.sample import unit_design
from blocs.ensemble.summary import event_probabilities, quantiles
from blocs.ensemble.uncertain import uncertainties

HEAD = """\
format: 1
name: One voice
focus: SRB
year: 2024
period: {start: 2024, end: 2026}
sources:
  s1: {title: A source}
actors:
  SRB: {name: Serbia, kind: state}
  RUS: {name: Russia, kind: state}
  EU: {name: European Union, kind: union}
organizations:
  EU: {name: European Union, members: {HUN: 2004}, source: s1}
blocs:
  West: {members: [EU]}
  East: {members: [RUS]}
ties:
  - {from: RUS, to: SRB, measure: gas, value: 0.8, year: 2024, source: s1}
  - {from: EU, to: SRB, measure: trade, value: 0.6, year: 2024, source: s1}
issues:
  align:
    question: where?
    status_quo: {position: 50, source: s1}
    stakeholders:
      SRB: {position: 50, salience: 80, capability: 40, source: s1}
      EU: {position: 0, salience: 60, capability: 30, source: s1}
      RUS: {position: 100, salience: 50, capability: 20, source: s1}
dynamics: {model: compromise}
"""


def case(extra: str) -> blocs.Scenario:
    return blocs.load_text(HEAD + extra, "<test>")


# ---------------------------------------------------------------------------------------------
# the design


@pytest.mark.parametrize("method", ["lhs", "sobol"])
def test_design_is_scipys(method):
    """The unit design is SciPy's engine seeded from the seed, row for row."""
    rng = np.random.default_rng(11)
    engine = (qmc.LatinHypercube(d=3, rng=rng) if method == "lhs"
              else qmc.Sobol(d=3, scramble=True, rng=rng))
    want = engine.random(64)
    assert np.array_equal(unit_design(3, 64, 11, method), want)


def test_inputs_are_the_distributions_quantiles():
    """Each column goes through its distribution's inverse CDF (SciPy's ppf)."""
    s = case("""uncertain:
  a: {at: position/align/SRB, uniform: [20, 80], assumption: t}
  b: {at: salience/align/SRB, triangular: [10, 30, 90], assumption: t}
  c: {at: capability/align/SRB, normal: {mean: 5, sd: 10}, assumption: t}
  d: {at: status_quo/align, choice: [10, 20, 30], weights: [1, 1, 2], assumption: t}
""")
    us = uncertainties(s)
    u = np.array([0.1, 0.5, 0.74, 0.76, 0.99])
    assert us[0].ppf(u) == pytest.approx(20 + 60 * u, rel=1e-12)
    assert us[1].ppf(u) == pytest.approx(stats.triang(1 / 4, 10, 80).ppf(u), rel=1e-12)
    # The normal is truncated to a capability's allowed range, 0 and more.
    a = (0 - 5) / 10
    assert us[2].ppf(u) == pytest.approx(stats.truncnorm(a, np.inf, 5, 10).ppf(u), rel=1e-12)
    assert (us[2].ppf(np.linspace(0, 0.999, 50)) >= 0).all()
    # Cumulative weights 0.25, 0.5, 1: u in [0, 0.25) -> 10, [0.25, 0.5) -> 20, else 30.
    assert us[3].ppf(u).tolist() == [10, 30, 30, 30, 30]
    assert us[3].ppf(np.array([0.2499, 0.25, 0.4999])).tolist() == [10, 20, 20]


# ---------------------------------------------------------------------------------------------
# closed-form answers


ONE_INPUT = """uncertain:
  pos: {at: position/align/SRB, uniform: [20, 80], assumption: t}
"""


def only_srb(text: str) -> str:
    """The case with the EU and Russia weighing nothing: the outcome is SRB's position."""
    return (text.replace("EU: {position: 0, salience: 60", "EU: {position: 0, salience: 0")
            .replace("RUS: {position: 100, salience: 50", "RUS: {position: 100, salience: 0"))


def test_quantiles_and_events_in_closed_form():
    """Outcome = SRB's position ~ U(20, 80).  A Latin hypercube of N runs puts exactly one
    run in each 1/N stratum, so each empirical quantile is within 60/N of the true one
    (20 + 60 q); P(outcome > 65) = 0.25 within 1/N."""
    s = blocs.load_text(only_srb(HEAD) + ONE_INPUT + """events:
  high: {when: outcome/align, above: 65, year: 2025}
  low_ever: {when: outcome/align, below: 32}
""", "<test>")
    n = 1000
    ens = run_ensemble(s, n, seed=5)
    q = quantiles(ens.outcomes, ens.years, ens.names).set_index(["name", "year"])
    row = q.loc[("outcome/align", 2026)]
    for col, level in (("median", 0.5), ("q025", 0.025), ("q10", 0.1), ("q25", 0.25),
                       ("q75", 0.75), ("q90", 0.9), ("q975", 0.975)):
        assert row[col] == pytest.approx(20 + 60 * level, abs=60 / n + 1e-9), col
    ev = event_probabilities(s, ens.outcomes, ens.years, ens.names).set_index("name")
    assert ev.loc["high", "probability"] == pytest.approx(0.25, abs=1 / n + 1e-12)
    # Below 32 in any year: (32 - 20) / 60 = 0.2 (the position does not move: inertia 1).
    assert ev.loc["low_ever", "probability"] == pytest.approx(0.2, abs=1 / n + 1e-12)
    assert ev.loc["high", "event"] == "outcome/align above 65 in 2025"


def test_every_kind_of_input_reaches_the_step():
    """One run per row of a hand-made design; each input's effect computed by hand."""
    s = case("""trends:
  east: {on: power/East, rate: 0.1, change: absolute, assumption: t}
shocks:
  jolt: {chance: 0.5, effects: [{on: position/align/SRB, add: -10}], assumption: t}
triggers:
  cut: {when: outcome/align, above: 45, effects: [{on: tie/RUS/SRB/gas, scale: 0.5}],
        assumption: t}
uncertain:
  gas: {at: tie/RUS/SRB/gas, uniform: [0, 1], assumption: t}
  sal: {at: salience/align/SRB, uniform: [0, 100], assumption: t}
  sq: {at: status_quo/align, uniform: [0, 100], assumption: t}
  rate: {at: trend/east/rate, uniform: [0, 1], assumption: t}
  chance: {at: shock/jolt/chance, uniform: [0, 1], assumption: t}
  level: {at: trigger/cut/threshold, uniform: [0, 100], assumption: t}
  inertia: {at: dynamics/inertia, uniform: [0, 1], assumption: t}
""")
    plan = compile_plan(s)
    model = dynamics_model(plan)
    us = uncertainties(s)
    # Row 0: gas 0.4, salience 50, status quo 30, rate 0.5, chance 0 (never), threshold 100
    # (never), inertia 1.  Row 1: gas 0.9, salience 80, status quo 70, rate 0, chance 1
    # (every year), threshold 0 (fires in 2024), inertia 0.
    unit = np.array([[0.4, 0.5, 0.3, 0.5, 0.0, 1.0, 1.0],
                     [0.9, 0.8, 0.7, 0.0, 1.0 - 1e-15, 0.0, 0.0]])
    got = run_chunk(plan, model, us, unit, seed=1, first_run=0,
                    names=["outcome/align", "leverage/RUS"])
    out = got.outcomes                                   # (runs, years, 2)
    # Russia's leverage = its gas share (one measure in the energy/soft cell, no reverse).
    assert out[0, :, 1] == pytest.approx([0.4, 0.4, 0.4], rel=1e-12)
    # Run 1: the trigger fires in 2024 (outcome > 0), halving the gas share from 2025.
    assert out[1, :, 1] == pytest.approx([0.9, 0.45, 0.45], rel=1e-12)
    # Run 0 outcomes: capabilities x the East ratio for RUS (1, 1.5, 2: rate 0.5 a year from
    # 1); weights SRB 40 x 50, EU 30 x 60, RUS 20 r x 50; positions fixed (inertia 1).
    for yi, r in enumerate((1.0, 1.5, 2.0)):
        w = (40 * 50, 30 * 60, 20 * r * 50)
        want = (w[0] * 50 + w[1] * 0 + w[2] * 100) / sum(w)
        assert out[0, yi, 0] == pytest.approx(want, rel=1e-12)
    # Run 1: SRB's position drops by 10 each year before bargaining (chance 1) and, with
    # inertia 0, every position becomes last year's outcome.
    w = (40 * 80, 30 * 60, 20 * 50)
    y0 = (w[0] * 40 + w[1] * 0 + w[2] * 100) / sum(w)
    y1 = (w[0] * (y0 - 10) + (w[1] + w[2]) * y0) / sum(w)
    assert out[1, 0, 0] == pytest.approx(y0, rel=1e-12)
    assert out[1, 1, 0] == pytest.approx(y1, rel=1e-12)
    # The sampled values come back as the experiments.
    assert got.inputs[0].tolist() == pytest.approx([0.4, 50, 30, 0.5, 0, 100, 1.0])


def test_leverage_scale_input():
    """dynamics/leverage_scale varies a from_leverage capability run by run."""
    s2 = blocs.load_text(HEAD.replace("RUS: {position: 100, salience: 50, capability: 20,",
                                      "RUS: {position: 100, salience: 50, capability: "
                                      "from_leverage,") + """uncertain:
  k: {at: dynamics/leverage_scale, choice: [50, 200], assumption: t}
""", "<test>")
    ens = run_ensemble(s2, 4, seed=2)
    k = ens.inputs[:, 0]
    # RUS capability = k x its leverage (0.8, gas): the outcome from the weights by hand.
    for run in range(4):
        w = (40 * 80, 30 * 60, k[run] * 0.8 * 50)
        want = (w[0] * 50 + w[2] * 100) / sum(w)
        assert ens.outcomes[run, 0, 0] == pytest.approx(want, rel=1e-12)
    assert set(k) == {50.0, 200.0}


# ---------------------------------------------------------------------------------------------
# the same answers however the runs are cut


def test_chunks_and_resume_order_change_nothing():
    s = blocs.load_case("serbia-2024")
    a = run_ensemble(s, 300, seed=9, chunk=300)
    b = run_ensemble(s, 300, seed=9, chunk=7)
    assert np.array_equal(a.outcomes, b.outcomes, equal_nan=True)
    assert np.array_equal(a.inputs, b.inputs)
    # A different seed gives a different ensemble.
    c = run_ensemble(s, 300, seed=10, chunk=300)
    assert not np.array_equal(a.inputs, c.inputs)


def test_evaluate_is_the_ensemble_outcome():
    s = blocs.load_case("serbia-2024")
    unit = unit_design(len(uncertainties(s)), 50, 4, "lhs")
    v = evaluate(s, unit, 4, "outcome/alignment", 2030)
    ens = run_ensemble(s, 50, seed=4)
    assert np.array_equal(v, ens.outcomes[:, list(ens.years).index(2030),
                                          ens.names.index("outcome/alignment")])
    with pytest.raises(ValueError, match="allowed: 2024 to 2035"):
        evaluate(s, unit, 4, "outcome/alignment", 2040)
    with pytest.raises(ValueError, match="unknown path"):
        evaluate(s, unit, 4, "nothing/here")


def test_dask_local_cluster_gives_the_same_numbers():
    """A real local Dask cluster (two worker processes) runs the chunks: identical
    outcomes and inputs to the run in this process."""
    from blocs.ensemble.cluster import connect

    s = blocs.load_case("serbia-2024")
    here = run_ensemble(s, 400, seed=3, chunk=100)
    with connect("local", workers=2) as client:
        there = run_ensemble(s, 400, seed=3, chunk=100, scheduler=client)
        assert len(client.scheduler_info()["workers"]) == 2
    assert np.array_equal(here.outcomes, there.outcomes, equal_nan=True)
    assert np.array_equal(here.inputs, there.inputs)

"""The weighted median and the Nash bargaining solution: by hand, batched, against the peers'
reference values (shared/peers/ALGORITHMS.md section 4) and against brute force."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest

from blocs.bargaining.baselines import Constant, Mean
from blocs.bargaining.compromise import compromise
from blocs.bargaining.median import WeightedMedian, weighted_median
from blocs.bargaining.nash import NashBargaining, nash_bargaining
from tests.paths import SHARED, require

PEERS = SHARED / "peers"


# ---------------------------------------------------------------------------------------------
# weighted median by hand


def test_lower_weighted_median_by_hand():
    # sorted 4, 7, 10 with weights .3 .2 .5: cumulative .3 .5 1.0 -> .5 >= half at 7
    assert float(weighted_median([10, 4, 7], [0.5, 0.3, 0.2])) == 7.0
    # one heavy actor is the median whatever the others do
    assert float(weighted_median([0, 50, 100], [1, 10, 1])) == 50.0
    # exactly half at the first position: the lower median is that position
    assert float(weighted_median([0, 100], [1, 1])) == 0.0
    assert float(weighted_median([0, 100], [1, 1], rule="upper")) == 100.0
    assert float(weighted_median([0, 100], [1, 1], rule="mid")) == 50.0


def test_mid_rule_is_the_ordinary_median_for_equal_weights():
    rng = np.random.default_rng(7)
    for n in range(1, 12):
        x = rng.integers(0, 101, size=n).astype(float)
        assert float(weighted_median(x, np.ones(n), rule="mid")) == float(np.median(x))


def test_exact_half_survives_rounding():
    # 0.1 + 0.2 != 0.3 in floating point; 3 x 0.1 against 0.1 + 0.2 is still exactly half
    x = [10.0, 20.0, 30.0, 40.0, 50.0]
    w = [0.1, 0.1, 0.1, 0.1, 0.2]
    assert float(weighted_median(x, w)) == 30.0
    assert float(weighted_median(x, w, rule="mid")) == 35.0


def test_zero_weights_never_median_and_all_zero_is_nan():
    assert float(weighted_median([0, 40, 100], [1, 0, 1])) == 0.0
    assert float(weighted_median([0, 40, 100], [1, 0, 1], rule="upper")) == 100.0
    assert np.isnan(weighted_median([1, 2], [0, 0]))


def test_nan_positions_are_absent():
    assert float(weighted_median([np.nan, 10, 20, np.nan], [5, 1, 2, 5])) == 20.0


def test_negative_weights_and_unknown_rule_rejected():
    with pytest.raises(ValueError, match=">= 0"):
        weighted_median([1, 2], [1, -1])
    with pytest.raises(ValueError, match="allowed: lower, upper, mid"):
        WeightedMedian(rule="average")


def test_median_model_batched_equals_single_runs():
    rng = np.random.default_rng(2024)
    v, n = 5000, 9
    x = rng.integers(0, 101, size=(v, n)).astype(float)  # many ties
    s = rng.uniform(0, 1, size=(v, n))
    c = rng.uniform(0, 2, size=(v, n))
    for model in (WeightedMedian(), WeightedMedian(rule="mid", weighted=False)):
        traj = model.run(x, s, c)
        assert traj.outcome.shape == (1, v) and traj.positions.shape == (1, v, n)
        assert traj.rounds == 0
        for i in rng.choice(v, size=40, replace=False):
            single = model.run(x[i:i + 1], s[i:i + 1], c[i:i + 1]).final[0]
            assert single == traj.final[i]
            w = s[i] * c[i] if model.weighted else np.ones(n)
            order = np.argsort(x[i])
            cum = np.cumsum(w[order])
            if model.rule == "lower":
                assert traj.final[i] == x[i][order][np.searchsorted(cum, cum[-1] / 2)]
            else:
                assert traj.final[i] == np.median(x[i])


def test_median_several_dimensions_per_dimension():
    x = np.array([[[0.0, 90.0], [50.0, 10.0], [100.0, 50.0]]])   # (V=1, n=3, d=2)
    s = np.array([[[0.1, 0.9], [0.5, 0.1], [0.6, 0.2]]])         # per-dimension saliences
    c = np.array([[1.0, 1.0, 1.0]])
    out = WeightedMedian().run(x, s, c).final[0]
    assert out.tolist() == [float(weighted_median(x[0, :, k], s[0, :, k])) for k in range(2)]
    # dim 1: 0 (.1), 50 (.5), 100 (.6): cumulative .1, .6 >= 1.2 / 2 at 50
    # dim 2: 10 (.1), 50 (.2), 90 (.9): cumulative .1, .3, 1.2 -> 90
    assert out.tolist() == [50.0, 90.0]
    # one salience per actor (V, n) applies to every dimension: 10 (.5), 50 (.6) -> 50
    out1 = WeightedMedian().run(x, s[..., 0], c).final[0]
    assert out1.tolist() == [50.0, 50.0]


# ---------------------------------------------------------------------------------------------
# the peers' values (ALGORITHMS.md section 4: lower median with capability x salience weights)


def _rows(path: Path) -> list[list[str]]:
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\r", "\n")
    return [r for r in csv.reader(io.StringIO(text)) if r]


def _bdm(path: Path, cap: str):
    rows = _rows(path)
    head, body = rows[0], rows[1:]
    col = {k: head.index(k) for k in (cap, "Position", "Salience")}
    get = lambda k: np.array([float(r[col[k]]) for r in body])  # noqa: E731
    return get("Position"), get("Salience"), get(cap)


def _ktab(path: Path):
    rows = [[v.strip() for v in r] for r in _rows(path)]
    body = rows[2:]
    dims = (len([v for v in rows[1] if v]) - 3) // 2
    c = np.array([float(r[2]) for r in body])
    return [(np.array([float(r[3 + 2 * k]) for r in body]),
             np.array([float(r[4 + 2 * k]) for r in body]), c) for k in range(dims)]


BDM_CASES = [
    ("BDM_DecisionModel_Replication/ExampleActors.csv", "Capability", 7.0, 7.389955686853767),
    ("bdm-scholz-expected-utility-model/ExampleActors.csv", "Capability", 7.0,
     7.389955686853767),
    ("bdm-scholz-expected-utility-model/Sultan.csv", "Capability", 13.9, 13.619912134884823),
    ("BDM_DecisionModel_Replication/ChinaData.csv", "Resources", 20.0, 30.72153991497402),
    ("BDM_DecisionModel_Replication/HondurasCrisisData.csv", "Resources", 0.5,
     0.5008503306692198),
]
KTAB_CASES = [
    ("SOE-Policy.csv", [30.0]),
    ("SOE-Competitive.csv", [40.0]),
    ("SOE-Pol-Comp.csv", [45.0, 40.0]),
    ("dummyData-a040.csv", [64.52]),
    ("dummyData-a080.csv", [68.29]),
    ("dummyData-a160.csv", [68.55]),
]


@pytest.mark.parametrize(("file", "cap", "median", "mean"), BDM_CASES,
                         ids=[c[0].split("/")[-1] for c in BDM_CASES])
def test_peer_bdm_files(file, cap, median, mean):
    path = require(PEERS / file)
    x, s, c = _bdm(path, cap)
    traj = WeightedMedian().run(x[None], s[None], c[None])
    assert float(traj.final[0]) == median  # a position: exact
    # the compromise on the same inputs, as a check of the reading (ALGORITHMS.md: ~1e-12)
    assert float(compromise(x, s, c)) == pytest.approx(mean, rel=1e-12)


@pytest.mark.parametrize(("file", "medians"), KTAB_CASES, ids=[c[0] for c in KTAB_CASES])
def test_peer_ktab_files(file, medians):
    path = require(PEERS / "KTAB" / file)
    dims = _ktab(path)
    x = np.stack([d[0] for d in dims], axis=-1)[None]   # (1, n, d)
    s = np.stack([d[1] for d in dims], axis=-1)[None]   # per-dimension saliences
    out = WeightedMedian().run(x, s, dims[0][2][None]).final[0]
    assert np.atleast_1d(out).tolist() == medians


# ---------------------------------------------------------------------------------------------
# Nash bargaining


def _nash_brute(x, w, q):
    """argmax of sum w log(gain) by a grid over the feasible interval, refined twice."""
    x, w = np.asarray(x, float), np.asarray(w, float)
    act = w > 0
    d = x[act] - q
    lo, hi = (q, q + 2 * d.min()) if np.all(d > 0) else (q + 2 * d.max(), q)
    for _ in range(3):
        grid = np.linspace(lo, hi, 20001)[1:-1]
        gain = (q - x[act, None]) ** 2 - (grid - x[act, None]) ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            f = (w[act, None] * np.log(gain)).sum(axis=0)
        k = int(np.nanargmax(f))
        step = grid[1] - grid[0]
        lo, hi = grid[k] - step, grid[k] + step
    return grid[k]


def objective(x, w, q, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.sum(w * np.log((q - x) ** 2 - (y - x) ** 2)))


def test_nash_by_hand():
    # one actor: its own position (gain t(a - t) is largest at t = a/2)
    assert float(nash_bargaining([60.0], [1.0], 0.0)) == pytest.approx(60.0, abs=1e-9)
    # two equal actors at 40 and 100, q = 0: 4t^2 - 3(a1+a2)t + 2a1a2 = 0 with a = 80, 200
    assert float(nash_bargaining([40.0, 100.0], [1, 1], 0.0)) == pytest.approx(50.0, abs=1e-9)
    # the same mirrored: actors below the status quo
    assert float(nash_bargaining([60.0, 0.0], [1, 1], 100.0)) == pytest.approx(50.0, abs=1e-9)
    # weights are exponents: only their ratios matter
    a = float(nash_bargaining([40.0, 100.0], [2, 5], 0.0))
    assert float(nash_bargaining([40.0, 100.0], [0.2, 0.5], 0.0)) == pytest.approx(a, abs=1e-9)


def test_nash_rules_status_quo_and_fallbacks():
    # actors on both sides of q: no outcome improves on q for all -> q
    assert float(nash_bargaining([20.0, 80.0], [1, 1], 50.0)) == 50.0
    # an actor with power sitting on q blocks every move -> q
    assert float(nash_bargaining([0.0, 80.0], [1, 1], 0.0)) == 0.0
    # ... unless it has no power (salience 0): it does not count
    assert float(nash_bargaining([0.0, 80.0], [0, 1], 0.0)) == pytest.approx(80.0, abs=1e-9)
    # no reference point: the compromise model (the limit of a very costly breakdown)
    assert float(nash_bargaining([0.0, 100.0], [3, 1], None)) == pytest.approx(25.0)
    # NaN reference for one variant only
    out = nash_bargaining([[0.0, 100.0], [40.0, 100.0]], [[3, 1], [1, 1]], [np.nan, 0.0])
    assert out.tolist() == pytest.approx([25.0, 50.0], abs=1e-9)
    # nobody with power: no forecast
    assert np.isnan(nash_bargaining([10.0, 20.0], [0, 0], 0.0))
    with pytest.raises(ValueError, match=">= 0"):
        nash_bargaining([10.0, 20.0], [1, -1], 0.0)


def test_nash_far_status_quo_tends_to_the_compromise():
    x, w = np.array([10.0, 30.0, 70.0]), np.array([0.5, 0.3, 0.9])
    far = float(nash_bargaining(x, w, -1e7))
    assert far == pytest.approx(float(compromise(x, w, 1.0)), abs=1e-3)


def test_nash_against_brute_force():
    rng = np.random.default_rng(11)
    for _ in range(30):
        n = int(rng.integers(1, 9))
        x = rng.uniform(0, 100, n)
        w = rng.uniform(0.05, 1, n)
        side = rng.choice([-1, 1])
        q = x.min() * rng.uniform(0, 0.95) if side > 0 else x.max() + (100 - x.max()) * \
            rng.uniform(0.05, 1)
        got = float(nash_bargaining(x, w, q))
        brute = _nash_brute(x, w, q)
        # The objective is flat to float precision within a few 1e-6 of its maximum, so the
        # grid search itself is only good to ~1e-5; the bisection is checked exactly below.
        assert got == pytest.approx(brute, abs=1e-5)
        assert objective(x, w, q, got) >= objective(x, w, q, brute) - 1e-12
        # the first-order condition W / t = sum w_i / (a_i - t) holds at the solution, and
        # moving 1e-6 either way worsens the objective: exact to 1e-6 on the 0-100 scale
        t, a = abs(got - q), 2 * np.abs(x - q)
        assert w.sum() / t == pytest.approx((w / (a - t)).sum(), rel=1e-9)
        assert objective(x, w, q, got) >= max(objective(x, w, q, got - 1e-6),
                                              objective(x, w, q, got + 1e-6))


def test_nash_model_batched_equals_single_runs():
    rng = np.random.default_rng(5)
    v, n = 4000, 7
    x = rng.uniform(0, 100, (v, n))
    s = rng.uniform(0, 1, (v, n))
    c = rng.uniform(0.5, 2, (v, n))
    q = np.where(rng.uniform(size=v) < 0.5, 0.0, 100.0)
    q[::10] = np.nan  # some variants without a reference
    q[1::10] = 50.0   # some where actors sit on both sides
    x[1::10, 0], x[1::10, 1] = 10.0, 90.0
    traj = NashBargaining().run(x, s, c, reference=q)
    assert traj.outcome.shape == (1, v) and traj.rounds == 0
    for i in rng.choice(v, size=40, replace=False):
        single = NashBargaining().run(x[i:i + 1], s[i:i + 1], c[i:i + 1],
                                      reference=q[i:i + 1]).final[0]
        assert single == pytest.approx(traj.final[i], abs=1e-9)
    assert np.all(traj.final[1::10] == 50.0)
    no_ref = NashBargaining().run(x[::10], s[::10], c[::10]).final
    assert no_ref == pytest.approx(compromise(x[::10], s[::10], c[::10]))


def test_nash_several_dimensions():
    x = np.array([[[40.0, 20.0], [100.0, 60.0]]])        # (V=1, n=2, d=2)
    s, c = np.ones((1, 2)), np.ones((1, 2))
    out = NashBargaining().run(x, s, c, reference=np.array([[0.0, 40.0]])).final[0]
    assert out[0] == pytest.approx(50.0, abs=1e-9)    # the by-hand case
    assert out[1] == 40.0                             # actors on both sides of 40: q stays
    # a reference per variant (V,) applies to every dimension
    out2 = NashBargaining().run(x, s, c, reference=np.array([0.0])).final[0]
    assert out2[0] == pytest.approx(50.0, abs=1e-9)
    assert out2[1] == pytest.approx(float(nash_bargaining([20.0, 60.0], [1, 1], 0.0)))


# ---------------------------------------------------------------------------------------------
# the plain baselines


def test_mean_and_constant_models():
    x = np.array([[0.0, 20.0, 100.0], [10.0, 10.0, 40.0]])
    s = np.array([[1.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    assert Mean().run(x, s, np.ones_like(x)).final.tolist() == pytest.approx([40.0, 20.0])
    const = Constant(50)
    assert const.name == "constant-50"
    assert const.run(x, s, np.ones_like(x)).final.tolist() == [50.0, 50.0]
    x3 = np.zeros((2, 3, 4))
    assert const.run(x3, s, np.ones_like(s)).final.shape == (2, 4)
    assert Mean().run(x3, s, np.ones_like(s)).final.shape == (2, 4)

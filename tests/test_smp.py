"""KTAB's Spatial Model of Politics (``blocs.bargaining.smp``) against KTAB's own runs.

References (shared/peers/KTAB, SOURCES.md there): the 2017 smpc logs of SOE-Pol-Comp and
dummyData_3Dim (every intermediate matrix of every turn, printed to 3-4 decimals) and the
position / win-probability histories that smpc (default settings) wrote for eight input files
(``generated/``).
"""

from __future__ import annotations

import csv
import re
from functools import cache

import numpy as np
import pytest

from blocs.bargaining.formats import read_problems
from blocs.bargaining.problem import Model
from blocs.bargaining.smp import (
    SpatialModel,
    challenge_estimate,
    challenges,
    distances,
    estimated_utilities,
    run_one,
    s2p2,
    state_risk,
    unique_positions,
    utility,
)
from tests.paths import SHARED, require

KTAB = SHARED / "peers" / "KTAB"
LOGGED = ("SOE-Pol-Comp", "dummyData_3Dim")  # the two files with a full 2017 log
OTHERS = ("SOE-Policy", "SOE-Competitive", "dummyData_6Dim", "dummyData-a040",
          "dummyData-a080", "dummyData-a160")
# Positions: KTAB rounds every bargain to 1e-4 on [0, 1] and we mirror its arithmetic, so the
# histories agree to the last bit (observed: 0.0).  1e-6 on the 0-100 scale only absorbs the
# CSV's decimal round trip; any real divergence (a flipped rounding or argmax) moves an actor
# by >= 0.01 and fails.
POS_TOL = 1e-6
# Win probabilities are printed with 4 decimals: half a unit of the last digit, plus float slack.
WIN_TOL = 0.5e-4 + 1e-9


@cache
def problem(name: str):
    return read_problems(require(KTAB / f"{name}.csv"))[0]


def arrays(name: str):
    """Positions (n, d) on [0, 1], salience (n, d), capability (n,) as SMP uses them."""
    p = problem(name)
    x = np.asarray(p.positions, float)
    s = np.asarray(p.salience, float)
    if x.ndim == 1:
        x, s = x[:, None], s[:, None]
    return x / 100.0, s, np.asarray(p.capability, float)


@cache
def history(name: str):
    x, s, c = arrays(name)
    return run_one(x, s, c)


@cache
def reference(name: str):
    """KTAB's positions (T + 1, n, d) on 0-100 and win probabilities (T + 1, n)."""
    path = require(KTAB / "generated" / f"{name}_positions_by_turn.csv")
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    shape = tuple(max(int(r[k]) for r in rows) + 1 for k in ("turn", "actor_index", "dim_index"))
    pos = np.full(shape, np.nan)
    for r in rows:
        pos[int(r["turn"]), int(r["actor_index"]), int(r["dim_index"])] = float(
            r["position_0_100"])
    with open(KTAB / "generated" / f"{name}_winprob_by_turn.csv", newline="") as f:
        win = np.array([[float(v) for v in r[1:]] for r in list(csv.reader(f))[1:]]).T
    return pos, win


# ---------------------------------------------------------------------------------------------
# The 2017 logs: every turn's intermediates


def _matrix(lines: list[str], start: int, n: int) -> np.ndarray:
    return np.array([[float(v) for v in lines[start + 1 + r].split()] for r in range(n)])


@cache
def log_turns(name: str) -> list[dict]:
    """Per turn t of the 2017 log: state t's raw and objective utilities, risk attitudes and
    each h's estimated utilities; turn t's best targets with their four estimates and the
    initiators' bargains.

    The state matrices are printed once per state, in order (state 0 at the start of the first
    iteration, state t + 1 at the end of iteration t + 1); targets and bargains per iteration.
    """
    text = require(KTAB / f"20170530_ref-{name}.txt").read_text()
    n = problem(name).n
    lines = text.splitlines()
    states: dict[str, list] = {"raw": [], "risk": [], "objective": [], "estimate": []}
    turns: list[dict] = []
    for ix, line in enumerate(lines):
        if line.startswith("Starting Model::run iteration"):
            turns.append({"targets": {}, "bargains": {}})
        elif line.startswith("Raw actor-pos value matrix"):
            states["raw"].append(_matrix(lines, ix, n))
            states["estimate"].append({})
        elif line.startswith("Inferred risk attitudes"):
            states["risk"].append(_matrix(lines, ix, n)[:, 0])
        elif line.startswith("Risk-aware actor-pos utility matrix (objective)"):
            states["objective"].append(_matrix(lines, ix, n))
        elif m := re.match(r"Estimate by (\d+) of risk-aware utility matrix", line):
            states["estimate"][-1][int(m[1])] = _matrix(lines, ix, n)
        elif m := re.match(r"In turn \d+ actor (\d+) has most advantageous target (\d+)", line):
            ests = []
            k = ix + 1
            while len(ests) < 4:  # (a debug line may come first)
                e = re.match(r"Est by\s+(\d+) of prob ([\d.]+) that \[\s*(\d+)>\s*(\d+)\], "
                             r"with expected gain to\s+(\d+) of ([-+\d.]+)", lines[k])
                if e:
                    ests.append((int(e[1]), float(e[2]), int(e[5]), float(e[6])))
                k += 1
            turns[-1]["targets"][int(m[1])] = (int(m[2]), ests)
        elif m := re.match(r"Bargain \[\d+, (\d+):(\d+)\] from (\d+)'s perspective", line):
            i, h = int(m[1]), int(m[3])
            if h == i:
                sides = [ln for ln in lines[ix + 1: ix + 8] if re.match(r"\s*\d+ proposes", ln)]
                turns[-1]["bargains"][i] = tuple(
                    np.array([float(v) for v in ln.split("adopt:")[1].split()])
                    for ln in sides[:2])
    for t, turn in enumerate(turns):
        for key, seq in states.items():
            turn[key] = seq[t]
    return turns


def test_model_protocol():
    assert isinstance(SpatialModel(), Model)
    assert SpatialModel.name == "smp"


@pytest.mark.parametrize("name", LOGGED)
def test_turn0_intermediates_from_2017_log(name):
    """Turn 0 of the 2017 logs: utilities, risk attitudes, estimates, targets, bargains."""
    x, s, c = arrays(name)
    log = log_turns(name)[0]
    n = len(c)
    d = distances(x, s)
    # raw (risk-neutral) value matrix, printed to 3 decimals; risk attitudes to 3 decimals
    np.testing.assert_allclose(1.0 - d, log["raw"], atol=0.5e-3 + 1e-9)
    risk = state_risk(x, s, c)
    np.testing.assert_allclose(risk, log["risk"], atol=0.5e-3 + 1e-9)
    # objective risk-aware utilities u(d_ij, R_i), and each h's estimates: 4 decimals
    np.testing.assert_allclose(utility(d, risk[:, None]), log["objective"], atol=0.5e-4 + 1e-9)
    est = estimated_utilities(d, risk)
    assert sorted(log["estimate"]) == list(range(n))
    for h, mat in log["estimate"].items():
        np.testing.assert_allclose(est[h], mat, atol=0.5e-4 + 1e-9)
    # every actor's best target, and the four estimates printed with it (prob, gain: 4 decimals)
    ssum = s.sum(axis=1)
    w = ssum * c
    p, gain = challenges(d, risk, w, ssum)
    first = history(name).turns[0]
    assert {i: int(first.targets[i]) for i in range(n) if first.targets[i] >= 0} == {
        i: j for i, (j, _) in log["targets"].items()}
    for i, (j, ests) in log["targets"].items():
        assert first.gains[i] == pytest.approx(ests[0][3], abs=0.5e-4 + 1e-9)
        assert first.p_win[i] == pytest.approx(ests[0][1], abs=0.5e-4 + 1e-9)
        assert (p[i, j], gain[i, j]) == (first.p_win[i], first.gains[i])
        for h, prob, k, g in ests:
            ph, gh = challenge_estimate(est[h], w, ssum, k, i, j)
            assert ph == pytest.approx(prob, abs=0.5e-4 + 1e-9)
            assert gh == pytest.approx(g, abs=0.5e-4 + 1e-9)
        # the initiator's S2P2 bargain, printed to 3 decimals on 0-100 (KTAB rounds to 1e-4)
        bi, bj = s2p2(x[i], x[j], s[i], s[j], p[i, j])
        np.testing.assert_allclose(bi * 100, log["bargains"][i][0], atol=0.5e-3)
        np.testing.assert_allclose(bj * 100, log["bargains"][i][1], atol=0.5e-3)
    # the headline example of ALGORITHMS.md
    if name == "SOE-Pol-Comp":
        assert int(first.targets[2]) == 10
        assert round(first.p_win[2], 4) == 0.7913
        assert round(first.gains[2], 4) == 0.2639


@pytest.mark.parametrize("name", LOGGED)
def test_every_turn_matches_2017_log(name):
    """All later turns too: risk attitudes, targets with probability and gain."""
    h = history(name)
    log = log_turns(name)
    assert len(log) == len(h.turns)
    for t, (ours, theirs) in enumerate(zip(h.turns, log, strict=True)):
        np.testing.assert_allclose(ours.risk, theirs["risk"], atol=0.5e-3 + 1e-9,
                                   err_msg=f"turn {t}")
        got = {i: int(j) for i, j in enumerate(ours.targets) if j >= 0}
        assert got == {i: j for i, (j, _) in theirs["targets"].items()}, f"turn {t}"
        for i, (_, ests) in theirs["targets"].items():
            assert ours.p_win[i] == pytest.approx(ests[0][1], abs=0.5e-4 + 1e-9)
            assert ours.gains[i] == pytest.approx(ests[0][3], abs=0.5e-4 + 1e-9)


@pytest.mark.parametrize("name", LOGGED)
def test_full_history(name):
    """SOE-Pol-Comp (28 states) and dummyData_3Dim (11 states), turn by turn."""
    pos, win = reference(name)
    ours = np.array(history(name).states) * 100
    assert ours.shape == pos.shape
    for t in range(len(pos)):
        np.testing.assert_allclose(ours[t], pos[t], rtol=0, atol=POS_TOL, err_msg=f"turn {t}")
    np.testing.assert_allclose(np.array(history(name).win_probability), win, rtol=0,
                               atol=WIN_TOL)


@pytest.mark.parametrize("name", OTHERS)
def test_turn_count_final_positions_and_win_probabilities(name):
    """The larger files: same number of turns, final positions, every turn's win
    probabilities (and in fact every position: checked too, it costs nothing more)."""
    pos, win = reference(name)
    h = history(name)
    assert len(h.states) == len(pos)
    np.testing.assert_allclose(h.states[-1] * 100, pos[-1], rtol=0, atol=POS_TOL)
    np.testing.assert_allclose(np.array(h.states) * 100, pos, rtol=0, atol=POS_TOL)
    np.testing.assert_allclose(np.array(h.win_probability), win, rtol=0, atol=WIN_TOL)


def test_trajectory_interface_and_events():
    p = problem("SOE-Pol-Comp")
    tr = SpatialModel().run(*p.batch(1))
    pos, win = reference("SOE-Pol-Comp")
    assert tr.positions.shape == (28, 1, 13, 2)
    assert tr.outcome.shape == (28, 1, 2)
    np.testing.assert_allclose(tr.positions[:, 0], pos, rtol=0, atol=POS_TOL)
    ev = tr.events[5][0][0]
    assert ev["turn"] == 5 and ev["turns"] == 27 and not ev["padded"]
    np.testing.assert_allclose(ev["win_probability"], win[5], atol=WIN_TOL)
    # outcome = win-probability weighted mean over the distinct positions (KTAB's classes:
    # positions within 1e-3 on [0, 1] of a representative count as one)
    wp = np.asarray(tr.events[-1][0][0]["win_probability"])
    final = tr.positions[-1, 0]
    reps, _ = unique_positions(final / 100)
    assert wp[reps].sum() == pytest.approx(1.0)
    expect = (wp[reps][:, None] * final[reps]).sum(axis=0)
    np.testing.assert_allclose(tr.outcome[-1, 0], expect, atol=1e-9)
    # 1-D problems keep (R + 1, V, n) / (R + 1, V)
    tr1 = SpatialModel().run(*problem("SOE-Policy").batch(1))
    assert tr1.positions.shape == (20, 1, 26) and tr1.outcome.shape == (20, 1)


def test_batch_equals_single_runs_and_pads_finished_variants():
    p = problem("SOE-Policy")
    x, s, c = p.batch(4)
    rng = np.random.default_rng(7)
    c = c * rng.uniform(0.7, 1.3, size=c.shape)
    x = np.clip(x + rng.normal(0, 3, size=x.shape), 0, 100)
    model = SpatialModel()
    tr = model.run(x, s, c)
    # Each variant's turns: the turn its stopping rule ended it (all do here, well before 100).
    turns = tr.converged
    assert (turns > 0).all()
    assert tr.rounds == turns.max()
    assert len(set(turns.tolist())) > 1, "variants meant to stop at different turns"
    for v in range(4):
        one = SpatialModel().run(x[v:v + 1], s[v:v + 1], c[v:v + 1])
        nt = turns[v]
        assert one.rounds == nt
        np.testing.assert_array_equal(tr.positions[: nt + 1, v], one.positions[:, 0])
        np.testing.assert_array_equal(tr.outcome[: nt + 1, v], one.outcome[:, 0])
        # padding: the final state repeated, flagged in the events
        for t in range(nt + 1, tr.rounds + 1):
            np.testing.assert_array_equal(tr.positions[t, v], one.positions[-1, 0])
            assert tr.events[t][v][0]["padded"]
        assert tr.events[nt][v][0]["turns"] == nt and not tr.events[nt][v][0]["padded"]


def test_stochastic_mode_is_reproducible():
    p = problem("dummyData_3Dim")
    x, s, c = p.batch(3)
    a = SpatialModel("stochastic", seed=2024).run(x, s, c)
    b = SpatialModel("stochastic", seed=2024).run(x, s, c)
    np.testing.assert_array_equal(a.positions, b.positions)
    np.testing.assert_array_equal(a.outcome, b.outcome)
    # variants draw from their own streams: a batch's variant 0 equals a run of it alone
    one = SpatialModel("stochastic", seed=2024).run(x[:1], s[:1], c[:1])
    np.testing.assert_array_equal(a.positions[: one.rounds + 1, 0], one.positions[:, 0])
    # other seeds give other histories, and stochastic differs from deterministic
    others = [SpatialModel("stochastic", seed=k).run(x[:1], s[:1], c[:1]) for k in range(4)]
    finals = {o.positions[-1, 0].round(4).tobytes() for o in others}
    assert len(finals) > 1
    # every stochastic state is made of bargain positions (multiples of 0.01 on 0-100) or inputs
    moved = a.positions[1:] != a.positions[:1]
    vals = a.positions[1:][moved]
    np.testing.assert_allclose(vals * 100, np.round(vals * 100), atol=1e-6)


def test_degenerate_inputs():
    # one actor: nothing to bargain, stops after turn 2 (the rule is first tested there)
    tr = SpatialModel().run(np.array([[40.0]]), np.array([[0.5]]), np.array([[1.0]]))
    assert tr.rounds == 2
    np.testing.assert_array_equal(tr.positions[:, 0, 0], 40.0)
    # everyone on one position: nobody moves
    tr = SpatialModel().run(np.full((1, 3), 70.0), np.full((1, 3), 0.5), np.ones((1, 3)))
    np.testing.assert_array_equal(tr.positions, 70.0)
    assert tr.outcome[-1, 0] == pytest.approx(70.0)
    with pytest.raises(ValueError):
        SpatialModel().run(np.zeros((1, 3)), np.zeros((1, 4)), np.ones((1, 3)))
    with pytest.raises(ValueError):
        SpatialModel(rounds=-1)
    assert SpatialModel(rounds=0).run(*problem("SOE-Policy").batch(1)).rounds == 0


def test_options():
    m = SpatialModel("stochastic", rounds=5, seed=3)
    assert (m.rounds, m.stochastic, m.seed, m.variant) == (5, True, 3, "stochastic")
    m = SpatialModel()
    assert (m.rounds, m.stochastic, m.variant) == (100, False, "deterministic")
    with pytest.raises(ValueError, match="allowed: deterministic, stochastic"):
        SpatialModel("markov")
    tr = SpatialModel(rounds=3).run(*problem("SOE-Pol-Comp").batch(1))
    assert tr.rounds == 3
    np.testing.assert_allclose(tr.positions[:, 0], reference("SOE-Pol-Comp")[0][:4], atol=POS_TOL)

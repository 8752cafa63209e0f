"""`Trajectory.converged`: the round from which a model changes nothing (EUM, the exchange
model) or at which KTAB's stopping rule ends the run (SMP), per variant; -1 when the run was
still changing after the last round run.  Hand-made problems whose histories are short enough
to check by eye."""

from __future__ import annotations

import numpy as np
import pytest

from blocs.bargaining.eum import ExpectedUtility, reference_run
from blocs.bargaining.exchange import ExchangeModel, run_exchange, run_tables, run_variants
from blocs.bargaining.problem import Problem
from blocs.bargaining.smp import SpatialModel

# ---------------------------------------------------------------------------------------------
# EUM

# Scholz variant: two rounds of moves (actor 1 to 10, then back to 8.17...), then none.
SETTLES = ([0.0, 4.0, 10.0], [0.9, 0.5, 0.6], [1.0, 1.0, 2.0])
# Scholz variant: actor 0 swings between two positions forever (a cycle of two rounds).
SWINGS = ([51.0, 95.0, 14.0], [0.4, 0.5, 0.8], [4.0, 2.0, 3.0])


def _eum(problem, rounds, variant="scholz"):
    x, s, c = ([row] for row in problem)
    return ExpectedUtility(variant, rounds=rounds, workers=1).run(x, s, c)


def test_eum_converged_round_and_later_rounds_repeat_it():
    t = _eum(SETTLES, 10)
    assert t.converged.tolist() == [3]
    assert t.converged.dtype.kind == "i"
    # round 3 left every position as round 2 had it; rounds 3-10 are that state, no moves
    np.testing.assert_array_equal(t.positions[2:], np.broadcast_to(t.positions[2], (9, 1, 3)))
    assert all(t.events[r][0] == [] for r in range(3, 11))
    assert [len(t.events[r][0]) for r in (1, 2)] == [1, 1]
    # more rounds asked, the same state; fewer, the same rounds
    long = _eum(SETTLES, 200)
    assert long.converged.tolist() == [3]
    np.testing.assert_array_equal(long.positions[-1], t.positions[3])
    np.testing.assert_array_equal(_eum(SETTLES, 3).positions, t.positions[:4])
    # the NumPy rounds (no early stop) say the same
    ref = reference_run(*([row] for row in SETTLES), "scholz", rounds=10)
    assert ref.converged.tolist() == [3]
    np.testing.assert_allclose(ref.positions, t.positions, rtol=0, atol=1e-9)


def test_eum_not_converged():
    t = _eum(SWINGS, 20)
    assert t.converged.tolist() == [-1]
    assert not (t.positions[-1] == t.positions[-2]).all()  # still moving in the last round
    assert _eum(SETTLES, 2).converged.tolist() == [-1]  # stopped before round 3
    assert _eum(SETTLES, 0).converged.tolist() == [-1]  # no round run


def test_eum_nobody_moves():
    t = ExpectedUtility("default", rounds=5).run([[20.0, 20.0]], [[0.5, 0.9]], [[1.0, 3.0]])
    assert t.converged.tolist() == [1]
    assert (t.positions == 20.0).all()


@pytest.mark.parametrize("variant", ["scholz", "default"])
def test_eum_batch_per_variant_equals_single_runs(variant):
    rng = np.random.default_rng(11)
    x = np.vstack([SETTLES[0], SWINGS[0], rng.uniform(0, 100, (6, 3)).round()])
    s = np.vstack([SETTLES[1], SWINGS[1], rng.uniform(0.1, 1, (6, 3)).round(1)])
    c = np.vstack([SETTLES[2], SWINGS[2], rng.uniform(1, 5, (6, 3)).round()])
    batch = ExpectedUtility(variant, rounds=15, workers=1).run(x, s, c)
    if variant == "scholz":
        assert batch.converged[:2].tolist() == [3, -1]
    assert len(set(batch.converged.tolist())) > 1  # variants converge at different rounds
    for v in range(len(x)):
        one = ExpectedUtility(variant, rounds=15).run(x[v:v + 1], s[v:v + 1], c[v:v + 1])
        assert one.converged.tolist() == [batch.converged[v]]
        np.testing.assert_array_equal(one.positions[:, 0], batch.positions[:, v])
        assert one.events.tolist() == [[r[v]] for r in batch.events.tolist()]
        assert batch.variant(v).converged.tolist() == [batch.converged[v]]


def test_eum_blocks_of_rounds_and_threads_change_nothing(monkeypatch):
    """A long run goes in blocks of rounds (to report progress) and chunks of variants on
    threads; variants that converge in one block are skipped in the next: the same run as in
    one piece."""
    import blocs.bargaining.eum as eum

    rng = np.random.default_rng(4)
    v, n = 400, 6
    x = rng.uniform(0, 100, (v, n)).round()
    s = rng.uniform(0.1, 1, (v, n)).round(1)
    c = rng.uniform(1, 5, (v, n)).round()
    monkeypatch.setattr(eum, "_REPORT_FROM", 0)  # report (and so cut into blocks) at any size
    monkeypatch.setattr(eum, "_THREADS_FROM", 0)
    blocks = ExpectedUtility("scholz", rounds=40, workers=3).run(x, s, c)
    monkeypatch.setattr(eum, "_REPORT_FROM", 1 << 62)
    monkeypatch.setattr(eum, "_THREADS_FROM", 1 << 62)
    whole = ExpectedUtility("scholz", rounds=40, workers=1).run(x, s, c)
    assert (whole.converged > 0).any() and (whole.converged == -1).any()
    np.testing.assert_array_equal(blocks.converged, whole.converged)
    np.testing.assert_array_equal(blocks.positions, whole.positions)
    assert blocks.events == whole.events


# ---------------------------------------------------------------------------------------------
# the exchange model

# Three actors, two issues: one exchange in each of rounds 1-3, none in round 4.
SETTLES_X = (np.array([[0.0, 0.0], [60.0, 40.0], [60.0, 80.0]]),
             np.array([[0.4, 0.2], [0.8, 0.4], [1.0, 0.2]]),
             np.array([[3.0, 3.0], [1.0, 1.0], [1.0, 2.0]]))
# One exchange a round for 17 rounds, none in round 18.
SLOW_X = (np.array([[80.0, 60.0], [20.0, 80.0], [60.0, 100.0]]),
          np.array([[0.4, 0.4], [1.0, 0.2], [0.4, 0.4]]),
          np.array([[3.0, 3.0], [3.0, 2.0], [2.0, 2.0]]))


def _problems(tables) -> list[Problem]:
    x, s, c = tables
    return [Problem(id=f"issue{p}", actors=("a", "b", "c"), positions=x[:, p].copy(),
                    salience=s[:, p].copy(), capability=c[:, p].copy())
            for p in range(x.shape[1])]


@pytest.mark.parametrize("arithmetic", ["hybrid", "float", "decimal"])
def test_exchange_stops_after_a_round_without_exchange(arithmetic):
    res = run_exchange(_problems(SETTLES_X), rounds=10, arithmetic=arithmetic)
    assert res.converged == 4
    assert [len(r) for r in res.exchanges] == [1, 1, 1, 0]
    assert res.outcome.shape == (5, 2) and res.start.shape == (5, 3, 2)
    # round 4 changed nothing: its voting positions and the next start are where it started
    np.testing.assert_array_equal(res.voting[4], res.start[3])
    np.testing.assert_array_equal(res.start[4], res.start[3])
    for traj in res.trajectories:
        assert traj.converged.tolist() == [4] and traj.rounds == 4
    # running on from the converged state: nothing is realised, nothing moves
    again = run_tables(res.start[4], SETTLES_X[1], SETTLES_X[2], None, 5,
                       arithmetic=arithmetic)
    assert again["converged"] == 1 and again["rows"] == [[]]
    np.testing.assert_array_equal(again["outcome"][-1], res.outcome[-1])
    # rounds asked up to the converged one: the same rounds; fewer: not converged
    exact = run_exchange(_problems(SETTLES_X), rounds=4, arithmetic=arithmetic)
    assert exact.converged == 4
    np.testing.assert_array_equal(exact.outcome, res.outcome)
    short = run_exchange(_problems(SETTLES_X), rounds=3, arithmetic=arithmetic)
    assert short.converged == -1 and len(short.exchanges) == 3
    np.testing.assert_array_equal(short.outcome, res.outcome[:4])


def test_exchange_not_converged_within_the_rounds():
    res = run_exchange(_problems(SLOW_X), rounds=10)
    assert res.converged == -1 and len(res.exchanges) == 10
    assert all(len(r) == 1 for r in res.exchanges)
    assert run_exchange(_problems(SLOW_X), rounds=30).converged == 18


def test_exchange_rex_stops_only_without_candidates():
    """REX draws each candidate's rates anew every round: a round that realised nothing
    may be followed by one that does, so only a round without any candidate ends the run."""
    rng = np.random.default_rng(1)
    out = run_tables(*SETTLES_X, None, 10, arithmetic="float", p=1.0, rng=rng,
                     tie_break="random")
    assert out["converged"] == -1 and len(out["rows"]) == 10
    assert min(out["candidates"]) > 0
    one = [Problem(id="only", actors=("a", "b"), positions=np.array([0.0, 100.0]),
                   salience=np.array([0.5, 0.5]), capability=np.array([1.0, 1.0]))]
    res = run_exchange(one, rounds=5, p=1.0, seed=3, tie_break="random", arithmetic="float")
    assert res.converged == 1 and res.candidates == [0]


def test_exchange_model_entries_say_converged():
    entries = ExchangeModel(rounds=10).run_problems(_problems(SETTLES_X))
    assert [e["converged"] for e in entries] == [4, 4]
    assert all(len(e["rounds"]) == 5 for e in entries)
    entries = ExchangeModel(rounds=3).run_problems(_problems(SETTLES_X))
    assert [e["converged"] for e in entries] == [None, None]
    assert all(len(e["rounds"]) == 4 for e in entries)


def test_exchange_variants_per_variant_equal_single_runs():
    """run_variants: variant 0 converges in round 4, variant 1 runs all 10 rounds; the
    converged one is padded with its last round (no exchanges)."""
    probs = _problems(SETTLES_X)
    pos = np.stack([SETTLES_X[0], SLOW_X[0]])
    sal = np.stack([SETTLES_X[1], SLOW_X[1]])
    cap = np.stack([SETTLES_X[2], SLOW_X[2]])
    out = run_variants(probs, positions=pos, salience=sal, capability=cap, rounds=10)
    assert out["converged"].tolist() == [4, -1]
    assert out["outcome"].shape == (2, 11, 2)
    assert out["exchanges"].tolist() == [[1, 1, 1, 0, 0, 0, 0, 0, 0, 0], [1] * 10]
    for v, tables in enumerate((SETTLES_X, SLOW_X)):
        alone = run_exchange(_problems(tables), rounds=10)
        r = alone.outcome.shape[0]
        np.testing.assert_array_equal(out["outcome"][v, :r], alone.outcome)
        np.testing.assert_array_equal(out["outcome"][v, r:],
                                      np.broadcast_to(alone.outcome[-1], (11 - r, 2)))


# ---------------------------------------------------------------------------------------------
# SMP: KTAB's stopping rule


def test_smp_converged_is_the_stopping_turn():
    # everyone at one point: no bargain; the rule is first tested after turn 2
    one_point = (np.array([[50.0, 50.0, 50.0]]), np.array([[0.5, 0.6, 0.7]]),
                 np.array([[1.0, 2.0, 3.0]]))
    t = SpatialModel().run(*one_point)
    assert t.converged.tolist() == [2] and t.rounds == 2
    longer = SpatialModel(rounds=1000).run(*one_point)
    np.testing.assert_array_equal(longer.positions, t.positions)
    rng = np.random.default_rng(3)
    x, s, c = rng.uniform(0, 100, (1, 6)), rng.uniform(0.2, 1, (1, 6)), rng.uniform(1, 10, (1, 6))
    t = SpatialModel().run(x, s, c)
    stop = int(t.converged[0])
    assert stop == t.rounds > 2
    np.testing.assert_array_equal(SpatialModel(rounds=stop).run(x, s, c).positions,
                                  t.positions)
    capped = SpatialModel(rounds=stop - 1).run(x, s, c)
    assert capped.converged.tolist() == [-1] and capped.rounds == stop - 1
    assert SpatialModel(rounds=0).run(x, s, c).converged.tolist() == [-1]


def test_smp_batch_per_variant_equals_single_runs():
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 100, (3, 6))
    x[0] = 50.0  # stops at turn 2
    s, c = rng.uniform(0.2, 1, (3, 6)), rng.uniform(1, 10, (3, 6))
    model = SpatialModel(rounds=6)
    batch = model.run(x, s, c)
    assert batch.converged[0] == 2 and (batch.converged == -1).any()
    for v in range(3):
        one = SpatialModel(rounds=6).run(x[v:v + 1], s[v:v + 1], c[v:v + 1])
        assert one.converged.tolist() == [batch.converged[v]]
        np.testing.assert_array_equal(one.positions[:, 0], batch.positions[:one.rounds + 1, v])
        assert batch.variant(v).converged.tolist() == [batch.converged[v]]

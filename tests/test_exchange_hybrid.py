"""The hybrid arithmetic against the all-Decimal one on random problems on coarse grids.

``arithmetic="hybrid"`` (float64 with Decimal where Decide's digits decide) must realise the
same exchanges as ``arithmetic="decimal"`` (Decide's order of operations in Decimal), to the
bit, and reach the same outcomes (docs/exchange.md, section 3).  On coarse grids of
positions, saliences and capabilities a position often lies exactly on an issue's NBS in
Decimal while the float64 NBS lands a rounding error beside it (49.99999999999999 for 50):
the side of the NBS the actor stands on, and so the candidate exchanges, must then be
decided in Decimal (`pairs.opposed_pairs`).
"""

from __future__ import annotations

import decimal

import numpy as np
import pytest

from blocs.bargaining.exchange import merged_actors, run_exchange
from blocs.bargaining.exchange.arithmetic import Numbers, decimal_context
from blocs.bargaining.exchange.pairs import candidate_exchanges, opposed_pairs
from blocs.bargaining.exchange.tables import problem_tables, start_tables, sum_order
from blocs.bargaining.problem import Problem

# seeds of `_grid_problems` on which the hybrid's round 1 (2206, 5105: round 2) differed from
# the decimal arithmetic when only a float position *equal* to the float NBS was sided in
# Decimal; 767 is the case 50 vs 49.99999999999999
SIDE_SEEDS = [134, 305, 767, 1220, 1390, 2206, 5105]

# seeds of `_grid_problems` on which the hybrid dropped an exchange the decimal arithmetic
# makes while it kept a side's earlier proposed moves as floats: in 3282 an earlier move
# 85.93750000000003 (Decimal 85.9375) and a new one of 14.0625 totalled just over 100
TOTAL_SEEDS = [3282, 12170]


def _grid_problems(seed: int) -> list[Problem]:
    """2-4 issues, 4-8 actors: positions on multiples of 10 or 25 (0-100), saliences and
    capabilities on multiples of 0.1."""
    rng = np.random.default_rng(seed)
    A, P = int(rng.integers(4, 9)), int(rng.integers(2, 5))
    step = float(rng.choice([10.0, 25.0]))
    names = tuple(f"a{k}" for k in range(A))
    probs = []
    for p in range(P):
        x = rng.integers(0, int(100 / step) + 1, A) * step
        s = rng.integers(1, 11, A) / 10
        c = rng.integers(1, 11, A) / 10
        probs.append(Problem(f"i{p}", names, x.astype(float), s, c, (0.0, 100.0)))
    return probs


def _assert_hybrid_is_decimal(probs: list[Problem], rounds: int = 3) -> None:
    hyb = run_exchange(probs, rounds, arithmetic="hybrid")
    dec = run_exchange(probs, rounds, arithmetic="decimal")
    assert len(hyb.exchanges) == len(dec.exchanges)
    for t, (h, d) in enumerate(zip(hyb.exchanges, dec.exchanges, strict=True), start=1):
        assert [e.as_list() for e in h] == [e.as_list() for e in d], f"round {t}"
    assert hyb.outcome.tolist() == dec.outcome.tolist()
    assert hyb.nbs_start.tolist() == dec.nbs_start.tolist()
    assert hyb.converged == dec.converged


def _start_tables(probs):
    x, s, c, has, order = problem_tables(probs, merged_actors(probs))
    tables = [start_tables(Numbers(exact), x, s, c, has, sum_order(has, order),
                           [p.scale for p in probs]) for exact in (False, True)]
    return tables


def test_side_of_the_nbs_decided_in_decimal_near_it():
    """Seed 767: an actor at 50 on an issue whose NBS is exactly 50 in Decimal and
    49.99999999999999 in float64.  Decide counts it left (x <= NBS); float64 alone right."""
    with decimal.localcontext(decimal_context()):
        tf, td = _start_tables(_grid_problems(767))
        assert td.nbs[1] == 50 and float(tf.nbs[1]) == 49.99999999999999
        assert tf.x[4, 1] == 50.0
        for got, want in zip(opposed_pairs(tf, td), opposed_pairs(td), strict=True):
            assert got.tolist() == want.tolist()
        assert [a.tolist() for a in candidate_exchanges(tf, td)] == [
            a.tolist() for a in candidate_exchanges(td)]
        # float64 alone (arithmetic="float") sides it by its own NBS, as documented
        assert [a.tolist() for a in opposed_pairs(tf)] != [a.tolist() for a in opposed_pairs(td)]


@pytest.mark.parametrize("seed", SIDE_SEEDS)
def test_hybrid_equals_decimal_where_a_position_is_on_the_nbs(seed):
    _assert_hybrid_is_decimal(_grid_problems(seed))


def test_hybrid_equals_decimal_on_a_sweep_of_grid_problems():
    """150 seeded grid problems and the `TOTAL_SEEDS`, 3 rounds each: exchanges and outcomes
    equal to the bit.  (About 1 in 160 of them differed before the sides were settled in
    Decimal near the NBS; this range holds one, seed 134.)"""
    for seed in [*range(150), *TOTAL_SEEDS]:
        probs = _grid_problems(seed)
        try:
            _assert_hybrid_is_decimal(probs)
        except AssertionError as err:
            raise AssertionError(f"seed {seed}: {err}") from None


@pytest.mark.parametrize("seed", TOTAL_SEEDS)
def test_hybrid_equals_decimal_at_a_move_total_of_100(seed):
    """The Decimal validity test of a move at a knife edge sums the side's earlier moves in
    Decimal, as Decide does (`float_round.FloatRound.exact`)."""
    _assert_hybrid_is_decimal(_grid_problems(seed), rounds=1)

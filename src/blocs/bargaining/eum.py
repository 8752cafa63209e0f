"""Bueno de Mesquita's expected utility model (EUM), as reconstructed by Scholz et al. (2011).

Model and references: docs/eum.md.  Each round every actor i

1. takes a risk exponent r_i from how threatened its position is ("danger": the expected
   utility others would draw from challenging it, computed risk-neutrally, r = 1);
2. estimates, with its own r_i, its expected utility of challenging each other actor j
   (eu_ij) and j's of challenging it (eu_ji); P(i beats j) comes from a capability x salience
   weighted vote of all actors;
3. reads an offer from each pair (confrontation, compromise, capitulation) and takes one;
   all moves are applied at once.

``variant="scholz"`` reproduces the reference run of the Scholz reconstruction exactly
(jmckib/bdm-scholz-expected-utility-model, Example.log), quirks included; ``variant="default"``
repairs the ones that are bugs (docs/eum.md lists each).

Cost.  The reference code is O(n^6) per round (a P with an O(n^3) denominator inside O(n^3)
loops).  Here, per round and variant: the denominator is the sum of the matrix of pairwise
vote totals N (sum_k |v| = sum_k max(0, v) + sum_k max(0, -v)); N itself is O(n^2): the voters
who prefer x_a to x_b (x_a < x_b) are those left of the midpoint, a prefix of the voters
sorted by position (the sign of (|x_k - x_b|/R)^r - (|x_k - x_a|/R)^r does not depend on
r > 0), so N[a, b] is a difference of prefix sums of w_k (|x_k - x|/R)^{r_k} taken at the
midpoint's rank.  `ExpectedUtility.run` computes the rounds in a compiled loop, variant by
variant, on threads (`_eum_kernel.py`); `reference_run` computes the same rounds vectorised
in NumPy, the readable statement of the model that the kernel is tested against.  Written by
hand: no maintained library implements this model.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from itertools import pairwise
from typing import Any

import numpy as np

from blocs import progress
from blocs.bargaining.compromise import compromise
from blocs.bargaining.problem import ModelBase, Trajectory

VARIANTS = ("scholz", "default")
KINDS = ("confrontation", "compromise", "capitulation")
_CONF, _COMP, _CAPIT = 1, 2, 3  # kind codes in the move arrays (0 = did not move)

# Variants per chunk of the NumPy rounds (`reference_run`, `explain_round`): about this many
# (variant, actor, actor) cells per chunk keeps a chunk's temporaries in cache.
_CELLS_PER_CHUNK = 1 << 15
# Below this many (variant, actor, actor, round) cells a run stays on one thread.
_THREADS_FROM = 1 << 20
# From this many cells (about half a second) a run reports its progress (`blocs.progress`),
# in about this many steps.
_REPORT_FROM = 1 << 24
_STEPS = 50
_TASK = "expected utility model: rounds"


def _cores() -> int:
    """The cores this process may run on (the affinity mask, where the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


class ExpectedUtility(ModelBase):
    """Bueno de Mesquita's expected utility model behind the common `Model` interface.

    ``variant``: ``"default"`` (the default: the model with the reconstruction's bugs fixed,
    docs/eum.md) or ``"scholz"`` (Scholz, Calbert & Smith 2011 as implemented in their code,
    reproduced exactly).  ``rounds``: how many rounds to run at most (the model has no
    stopping rule of its own; a variant stops being computed after a round that changed no
    position, since every later round would repeat it: ``converged``, below).
    ``workers``: threads for large batches (chunks of variants run in parallel; the results
    do not depend on it); ``None``, the default, uses every core the process may run on.

    ``run(positions, salience, capability)`` takes (V, n) arrays: positions on any scale,
    salience in [0, 1] (it is used as a probability), capability >= 0.  It returns a
    `Trajectory` with positions (rounds + 1, V, n), outcome (rounds + 1, V) = the capability x
    salience weighted mean of each round's positions (what Scholz et al. report), and
    ``events[t][v]``: the moves of round t in variant v, one dict per actor that moved, in actor
    order: ``{"actor", "kind", "with", "eu_ij", "eu_ji", "new_position"}`` (eu_ij: the mover's
    expected utility of challenging its partner, eu_ji: of the partner challenging it, both from
    the mover's perspective).  ``events[0]`` (the input) is empty.  The events are built when
    read, so 10,000 variants cost nothing until one is looked at.  ``converged`` (V,): the
    first round that left every position of the variant as it was (its later rounds, copies
    of it, list the same moves: none, unless an actor "moved" onto its own position), or -1.
    Long runs report their progress (`blocs.progress`); the first run after installation
    compiles the rounds (`blocs.bargaining.kernels`).

    >>> m = ExpectedUtility(rounds=2)
    >>> t = m.run([[0.0, 4.0, 10.0]], [[0.9, 0.5, 0.6]], [[1.0, 1.0, 2.0]])
    >>> t.positions.shape, t.outcome.shape, len(t.events)
    ((3, 1, 3), (3, 1), 3)
    """

    name = "eum"

    def __init__(self, variant: str = "default", rounds: int = 10, workers: int | None = None):
        if variant not in VARIANTS:
            raise ValueError(f"unknown EUM variant '{variant}' (allowed: {', '.join(VARIANTS)})")
        if int(rounds) != rounds or rounds < 0:
            raise ValueError(f"rounds must be a whole number >= 0 (got {rounds!r})")
        if workers is None:
            workers = _cores()
        if int(workers) != workers or workers < 1:
            raise ValueError(f"workers must be a whole number >= 1 (got {workers!r})")
        self.variant = variant
        self.rounds = int(rounds)
        self.workers = int(workers)

    def __repr__(self) -> str:
        return (f"ExpectedUtility(variant={self.variant!r}, rounds={self.rounds}, "
                f"workers={self.workers})")

    def run(self, positions: Any, salience: Any, capability: Any,
            reference: Any = None) -> Trajectory:
        """Run ``rounds`` rounds on (V, n) arrays (see the class); ``reference`` is ignored."""
        x0, s, c = _check(positions, salience, capability)
        n_var, n = x0.shape
        rounds = self.rounds
        xs = np.empty((rounds + 1, n_var, n))
        xs[0] = x0
        shape = (rounds, n_var, n)
        kind = np.zeros(shape, dtype=np.int8)
        partner = np.empty(shape, dtype=np.intp)
        eu_ij, eu_ji, new = np.empty(shape), np.empty(shape), np.empty(shape)
        converged = np.full(n_var, -1, dtype=np.intp)
        span = x0.max(axis=1) - x0.min(axis=1)  # the range of the initial positions, fixed
        span = np.where(span > 0, span, 1.0)  # one point: nobody moves
        run_chunk = _kernel()
        scholz = self.variant == "scholz"

        def job(bounds: tuple[int, int, int, int]) -> None:  # chunks write disjoint variants
            lo, hi, t0, t1 = bounds
            run_chunk(xs, s, c, span, scholz, not scholz, lo, hi, t0, t1, kind, partner,
                      eu_ij, eu_ji, new, converged)

        # Threads pay off from about a million pair-rounds; each thread gets several chunks
        # so that one slow chunk does not hold up the rest.
        work = n_var * n * n * rounds
        pieces = min(n_var, 8 * self.workers) if self.workers > 1 and work >= _THREADS_FROM else 1
        chunks = _cuts(n_var, pieces)
        # A long run reports its progress, one step per chunk and block of rounds (the rounds
        # inside a call cannot report): blocks of rounds so that there are some 50 steps.
        report = work >= _REPORT_FROM
        spans = _cuts(rounds, min(rounds, max(1, _STEPS // len(chunks)))) if report else \
            [(0, rounds)]
        pool = ThreadPoolExecutor(max_workers=self.workers) if len(chunks) > 1 else None
        try:
            with progress.task(_TASK, total=len(spans) * len(chunks)) if report else \
                    nullcontext(_quiet) as advance:
                for t0, t1 in spans:
                    if t0 and (converged >= 0).all():  # every variant converged: all done
                        advance(len(chunks))
                        continue
                    todo = [(lo, hi, t0, t1) for lo, hi in chunks]
                    for _ in (pool.map(job, todo) if pool else map(job, todo)):
                        advance()  # the kernel frees the GIL: chunks run in parallel
        finally:
            if pool is not None:
                pool.shutdown()
        moves = [_Moves.empty()]
        for t in range(rounds):
            v_idx, a_idx = np.nonzero(kind[t])
            moves.append(_Moves(v_idx, a_idx, kind[t, v_idx, a_idx], partner[t, v_idx, a_idx],
                                eu_ij[t, v_idx, a_idx], eu_ji[t, v_idx, a_idx],
                                new[t, v_idx, a_idx]))
        outcome = compromise(xs, s, c)  # the capability x salience weighted mean, every round
        return Trajectory(model=self.name, positions=xs, outcome=outcome,
                          events=MoveLog(moves, n_var), converged=converged)


def _quiet(steps: int = 1) -> None:
    return None


def _cuts(size: int, pieces: int) -> list[tuple[int, int]]:
    """0 .. size in ``pieces`` near-equal, non-empty (lo, hi) ranges (one: [(0, size)])."""
    if pieces <= 1:
        return [(0, size)]
    edges = np.linspace(0, size, pieces + 1).astype(int).tolist()
    return [(a, b) for a, b in pairwise(edges) if b > a]


def _kernel():
    """The compiled rounds (`_eum_kernel.run_chunk`), compiled on first use (numba; a few
    seconds once after installation, then loaded from numba's cache, `kernels.py`)."""
    from blocs.bargaining import kernels

    return kernels.eum_kernel()


def explain_round(
    positions: Any,
    salience: Any,
    capability: Any,
    variant: str = "scholz",
    span: float | None = None,
) -> dict[str, Any]:
    """Every intermediate of one round for one problem (1-D arrays of n actors).

    ``span`` is the range that scales distances: the run's initial max - min (default: that of
    these positions).  Returns ``p_danger`` (n, n): P[a, b] = P(a beats b) with every r = 1;
    ``danger`` (n,): sum over the others o of EU_k(o challenges k); ``r`` (n,): the risk
    exponents; ``p`` (n, n): P with those exponents; ``eu_ij`` / ``eu_ji`` (n, n): [i, j] =
    EU_i(i challenges j) / EU_i(j challenges i), both from i's perspective; and the move of
    each actor: ``kind`` (a name or None), ``with`` (partner index or -1), ``new_position``.

    >>> e = explain_round([0.0, 1.0, 2.0], [1.0, 0.5, 1.0], [1.0, 1.0, 2.0])
    >>> [round(float(v), 6) for v in e["r"]]
    [1.625, 0.5, 2.0]
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown EUM variant '{variant}' (allowed: {', '.join(VARIANTS)})")
    x, s, c = _check(np.atleast_1d(np.asarray(positions, dtype=float))[None],
                     np.atleast_1d(salience), np.atleast_1d(capability))
    detail: dict[str, Any] = {}
    ch = _Chunk(s, c, x, variant, span=span)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        kind, j, new, _, _ = _round(ch, x, detail)
    out = {k: v[0] for k, v in detail.items()}
    moved = kind[0] > 0
    out["kind"] = [KINDS[k - 1] if k else None for k in kind[0].tolist()]
    out["with"] = np.where(moved, j[0], -1)
    out["new_position"] = np.where(moved, new[0], x[0])
    return out


# --------------------------------------------------------------------------------------------
# Inputs


def _check(positions: Any, salience: Any, capability: Any):
    x = np.asarray(positions, dtype=float)
    if x.ndim == 1:
        raise ValueError("positions must be (variants, actors); wrap one problem as [positions]")
    if x.ndim != 2:
        raise ValueError(
            f"the expected utility model is one-dimensional: positions must be (variants, "
            f"actors), got shape {x.shape} (run each dimension as its own issue)"
        )
    if x.shape[1] == 0:
        raise ValueError("an issue needs at least one actor")
    s = np.broadcast_to(np.asarray(salience, dtype=float), x.shape).copy()
    c = np.broadcast_to(np.asarray(capability, dtype=float), x.shape).copy()
    for name, a in (("positions", x), ("salience", s), ("capability", c)):
        if not np.isfinite(a).all():
            raise ValueError(f"{name} must be finite numbers")
    if ((s < 0) | (s > 1)).any():
        raise ValueError(
            "salience must lie in [0, 1]: the EUM uses it as the probability that an actor "
            "resists a challenge (divide 0-100 saliences by 100)"
        )
    if (c < 0).any():
        raise ValueError("capability must be >= 0")
    return np.ascontiguousarray(x), s, c


# --------------------------------------------------------------------------------------------
# The rounds, on one chunk of variants
#
# Arrays are (V, n, n) with [v, i, j] = actor i's view of its relation to actor j, in the
# input's actor order (so argmin's "first" is Python's min(): the first actor in the input).
# Expected utilities and danger levels are kept divided by 4 (U = 2 - 4 u^r), which changes no
# sign, ratio or comparison; reported values are multiplied back.


class _Chunk:
    """What stays fixed over a run for a chunk of V variants of n actors."""

    def __init__(self, s: np.ndarray, c: np.ndarray, x0: np.ndarray, variant: str, span=None):
        n_var, n = s.shape
        self.variant = variant
        self.s = s
        self.w = c * s  # voting weight c_k s_k
        if span is None:
            span = x0.max(axis=1) - x0.min(axis=1)  # range of the initial positions, fixed
        span = np.broadcast_to(np.asarray(span, dtype=float), (n_var,))
        self.span = np.where(span > 0, span, 1.0)[:, None, None]  # one point: nobody moves
        self.rows = np.arange(n_var)[:, None]  # fancy-index helpers
        self.cols = np.arange(n)[None, :]
        self.iu, self.ju = np.triu_indices(n, 1)
        self.square = (np.arange(n_var) * (n * n))[:, None, None]
        # flat index of pre[v, 0, b] in the (V, n + 1, n) table of prefix sums in `_votes`
        self.base = (np.arange(n_var) * ((n + 1) * n))[:, None, None] + np.arange(n)
        shape = (n_var, n, n)
        self.s_row = np.broadcast_to(s[:, None, :], shape).copy()  # [i, j] = s_j
        self.s_col = np.broadcast_to(s[:, :, None], shape).copy()  # [i, j] = s_i
        self.two_s = 2 * s
        self.one_minus_two_s = 1 - 2 * s


def reference_run(
    positions: Any, salience: Any, capability: Any, variant: str = "scholz", rounds: int = 10
) -> Trajectory:
    """The run of `ExpectedUtility.run`, computed by the vectorised NumPy rounds below.

    These rounds are the plain statement of the model (and what `explain_round` shows); the
    compiled kernel that `ExpectedUtility` runs is tested against them.  Slower (about 10x for
    30 actors), the same moves, positions equal to rounding.

    >>> t = reference_run([[0.0, 4.0, 10.0]], [[0.9, 0.5, 0.6]], [[1.0, 1.0, 2.0]], rounds=2)
    >>> t.positions[-1, 0].round(4).tolist()
    [0.0, 8.1716, 10.0]
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown EUM variant '{variant}' (allowed: {', '.join(VARIANTS)})")
    x0, s, c = _check(positions, salience, capability)
    n_var, n = x0.shape
    xs = np.empty((rounds + 1, n_var, n))
    xs[0] = x0
    step = max(1, _CELLS_PER_CHUNK // max(1, n * n))
    per_chunk = []
    for lo in range(0, n_var, step):
        hi = min(n_var, lo + step)
        moves = _run_chunk(xs[:, lo:hi], s[lo:hi], c[lo:hi], variant, rounds)
        per_chunk.append([m.shifted(lo) for m in moves])
    moves = [_Moves.empty()] + [_Moves.concat([ch[t] for ch in per_chunk])
                                for t in range(rounds)]
    return Trajectory(model="eum", positions=xs, outcome=compromise(xs, s, c),
                      events=MoveLog(moves, n_var), converged=first_unchanged(xs))


def first_unchanged(xs: np.ndarray) -> np.ndarray:
    """Per variant of positions (R + 1, V, n): the first round t >= 1 that left every position
    as it was in round t - 1, or -1 (`Trajectory.converged`)."""
    same = (xs[1:] == xs[:-1]).all(axis=2)  # (R, V)
    return np.where(same.any(axis=0), same.argmax(axis=0) + 1, -1).astype(np.intp)


def _run_chunk(xs: np.ndarray, s: np.ndarray, c: np.ndarray, variant: str, rounds: int):
    """Run ``rounds`` rounds from xs[0] (a (V, n) chunk), writing xs[1:]; return the moves."""
    ch = _Chunk(s, c, xs[0], variant)
    out = []
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for t in range(1, rounds + 1):
            x = xs[t - 1]
            kind, j, new, eu_ij, eu_ji = _round(ch, x)
            moved = kind > 0
            xs[t] = np.where(moved, new, x)  # all moves at once
            v_idx, a_idx = np.nonzero(moved)
            b_idx = j[v_idx, a_idx]
            out.append(_Moves(
                v=v_idx, actor=a_idx, kind=kind[v_idx, a_idx], partner=b_idx,
                eu_ij=4 * eu_ij[v_idx, a_idx, b_idx], eu_ji=4 * eu_ji[v_idx, a_idx, b_idx],
                new=new[v_idx, a_idx],
            ))
    return out


def _round(ch: _Chunk, x: np.ndarray, detail: dict | None = None):
    """One round on positions x (V, n): (kind, partner, new position) per actor, and the
    eu_ij, eu_ji matrices (divided by 4).  ``detail``, if given, receives the intermediates.
    Call under np.errstate(divide="ignore", invalid="ignore")."""
    rows = ch.rows
    order = np.argsort(x, axis=1, kind="stable")
    y = x[rows, order]
    w_sorted = ch.w[rows, order][:, :, None]
    diff = x[:, :, None] - x[:, None, :]
    left = diff < 0  # x_i < x_j
    dist = np.abs(diff)
    d = dist / ch.span  # Scholz: abs(x_k - x) / range
    h = 0.5 * d  # Scholz: 0.5 * abs(x_i - x_j) / range (the same number: x 0.5 is exact)
    d_sorted = d[rows, order]  # [k, a]: voter k (sorted by position) to actor a
    index = ch.base + _midpoint_ranks(ch, y, order)

    # (1)-(2) Risk exponents from the danger levels, every r = 1 (x ** 1.0 == x):
    # EU_k(o challenges k) / 4 = h_ok - s_k (1 - P_ok) 2 h_ok, summed over the others o.
    p = _win_probability(_votes(w_sorted * d_sorted, index, left), ch.variant)
    hp = h * p.swapaxes(1, 2)
    danger = ch.one_minus_two_s * h.sum(axis=2) + ch.two_s * hp.sum(axis=2)
    top = danger.max(axis=1, keepdims=True)
    bottom = danger.min(axis=1, keepdims=True)
    spread = top - bottom
    big_r = (2 * danger - top - bottom) / spread
    big_r[(spread == 0)[:, 0]] = 0.0  # all equally safe: risk neutral
    r = (1 - big_r / 3.0) / (1 + big_r / 3.0)
    if detail is not None:
        detail.update(p_danger=p, danger=4 * danger, r=r)

    # (3) Each actor's view of each pair, with its own r (U = 2 - 4 u^r, status quo sure, Q = 1):
    # eu_ij / 4 = (0.5^r_i - u_s) - s_j (1 - P_ij) (u_f - u_s), u_s,f = (0.5 -+ h_ij)^r_i.
    r_col = r[:, :, None]
    p = _win_probability(_votes(w_sorted * d_sorted ** r[rows, order][:, :, None], index, left),
                         ch.variant)
    u_s = (0.5 - h) ** r_col
    gain = (0.5**r_col) - u_s  # (U_s - U_sq) / 4
    risk = (0.5 + h) ** r_col
    risk -= u_s  # (U_s - U_f) / 4
    q = 1 - p
    q *= ch.s_row
    q *= risk
    eu_ij = gain - q
    q = 1 - p.swapaxes(1, 2)
    q *= ch.s_col
    q *= risk
    eu_ji = gain - q
    if detail is not None:
        detail.update(p=p, eu_ij=4 * eu_ij, eu_ji=4 * eu_ji)
    kind, j, new = _choose(x, dist, eu_ij, eu_ji, ch.variant)
    return kind, j, new, eu_ij, eu_ji


def _midpoint_ranks(ch: _Chunk, y: np.ndarray, order: np.ndarray) -> np.ndarray:
    """n p[v, a, b], p = #{k : 2 y_k < x_a + x_b} with y = x sorted: the number of voters (in
    position order) strictly left of the midpoint of a and b, who are those closer to the left
    one, times n (the row offset in `_votes`' table).  Searched per variant for the pairs a < b
    of sorted positions, mirrored (p is symmetric) and put in the actors' order; the diagonal
    is 0 (never used)."""
    n_var, n = y.shape
    z = 2 * y
    mids = y[:, ch.iu] + y[:, ch.ju]
    tri = np.empty(mids.shape, dtype=np.intp)
    for v in range(n_var):
        tri[v] = np.searchsorted(z[v], mids[v], side="left")
    tri *= n  # the row offset in the prefix-sum table of `_votes`
    full = np.zeros((n_var, n, n), dtype=np.intp)
    full[:, ch.iu, ch.ju] = tri
    full[:, ch.ju, ch.iu] = tri
    rank = np.empty_like(order)
    rank[ch.rows, order] = ch.cols
    return full.reshape(-1).take(ch.square + rank[:, :, None] * n + rank[:, None, :])


def _votes(e: np.ndarray, index: np.ndarray, left: np.ndarray) -> np.ndarray:
    """N[a, b] = sum_k max(0, e[k, b] - e[k, a]): the votes for a against b, (V, n, n).

    ``e[k, a]`` = c_k s_k (|x_k - x_a| / range)^r_k with voters k sorted by position, so
    e[k, b] - e[k, a] is voter k's vote for a over b (Scholz's ``compare``).  Its sign does not
    depend on r_k: the voters for a are those closer to a, a prefix (a left of b) or suffix
    (a right of b) of the sorted voters, cut at the midpoint rank p.  With pre[p] = sum_{k<p} e[k]
    and M[a, b] = pre[p, b] - pre[p, a]: N[a, b] = M[a, b] if x_a < x_b, else
    (total_b - total_a) - M[a, b] (the suffix); 0 when x_a = x_b (equal columns).
    """
    n_var, n, _ = e.shape
    pre = np.empty((n_var, n + 1, n))
    pre[:, 0] = 0.0
    # Sequential sums over k (both ways give the same numbers; the loop is faster on big chunks)
    if n_var * n <= 1024:
        np.cumsum(e, axis=1, out=pre[:, 1:])
    else:
        for k in range(n):
            np.add(pre[:, k], e[:, k], out=pre[:, k + 1])
    g = pre.reshape(-1).take(index)  # [a, b] = pre[p_ab, b]; p is symmetric
    m = g - g.swapaxes(1, 2)
    total = pre[:, n]
    return np.where(left, m, (total[:, None, :] - total[:, :, None]) - m)


def _win_probability(votes: np.ndarray, variant: str) -> np.ndarray:
    """P[a, b]: a's probability of prevailing over b.

    scholz: N[a, b] / the sum of all |votes| of every voter on every ordered pair of actors
    (= twice the sum of N, as sum_k |v| = sum_k max(0, v) + sum_k max(0, -v)); default:
    N[a, b] / (N[a, b] + N[b, a]), Bueno de Mesquita's share of the votes on the pair (1/2
    when no voter cares; pairs at one position never matter).
    """
    if variant == "scholz":
        total = 2 * votes.reshape(votes.shape[0], -1).sum(axis=1)
        scale = 1 / total
        scale[total == 0] = 0.0  # nobody has any weight
        return votes * scale[:, None, None]
    both = votes + votes.swapaxes(1, 2)
    p = votes / both
    p[both == 0] = 0.5
    return p


def _choose(x, dist, eu_ij, eu_ji, variant):
    """Each actor's move: (kind code, partner, new position), (V, n) each.

    Partners at the actor's own position have eu_ij = eu_ji = 0 exactly (u_s = u_f = 0.5^r),
    so they never make an offer, as in Scholz's code, which skips them.
    """
    n_var, n = x.shape
    rows, cols = np.arange(n_var)[:, None], np.arange(n)[None, :]
    conf = eu_ij > 0
    conf &= eu_ji > eu_ij
    comp = eu_ij < 0
    comp &= eu_ji > -eu_ij  # eu_ji > 0 > eu_ij and eu_ji > |eu_ij|
    if variant == "scholz":
        # Confrontations first, the nearest; else the compromise with the lowest
        # (|eu_ij| x_i + |eu_ji| x_j) / (|eu_ij| + |eu_ji|).  Scholz's capitulation test
        # (eu_ji < |eu_ji|) is never true: no capitulations.
        key = np.where(conf, dist, np.inf)
        j = key.argmin(axis=2)
        kind = (key[rows, cols, j] < np.inf).view(np.int8)  # _CONF == 1
        rest = comp.any(axis=2)
        rest &= kind == 0  # the others, if offered a compromise
        if rest.any():
            v_idx, i_idx = np.nonzero(rest)
            a_ij = -eu_ij[v_idx, i_idx]  # |eu_ij| on compromise cells
            a_ji = eu_ji[v_idx, i_idx]
            key = (a_ij * x[v_idx, i_idx][:, None] + a_ji * x[v_idx]) / (a_ij + a_ji)
            key[~comp[v_idx, i_idx]] = np.inf
            j[v_idx, i_idx] = key.argmin(axis=1)
            kind[v_idx, i_idx] = _COMP
    else:
        # Any offer; the one that moves the actor least (worth most to it), ties to the
        # partner with most to gain (largest eu_ji), then the first.
        capit = (eu_ij < 0) & (eu_ji > 0) & (eu_ji < -eu_ij)
        offer = conf | comp | capit
        with np.errstate(divide="ignore", invalid="ignore"):
            move = np.where(comp, dist * np.abs(eu_ij / eu_ji), dist)
        move[~offer] = np.inf
        tied = offer & (move == move.min(axis=2, keepdims=True))
        j = np.where(tied, eu_ji, -np.inf).argmax(axis=2)
        c, m, k = conf[rows, cols, j], comp[rows, cols, j], capit[rows, cols, j]
        kind = np.where(c, _CONF, np.where(m, _COMP, np.where(k, _CAPIT, 0))).astype(np.int8)
    x_j = x[rows, j]
    new = x_j.copy()
    at = kind == _COMP
    if at.any():  # Scholz: x_i + (x_j - x_i) * abs(eu_ij / eu_ji) (the same ratio divided by 4)
        ratio = np.abs(eu_ij[rows, cols, j][at] / eu_ji[rows, cols, j][at])
        new[at] = x[at] + (x_j[at] - x[at]) * ratio
    return kind, j, new


# --------------------------------------------------------------------------------------------
# Events, built when read


class _Moves:
    """One round's moves in flat arrays, sorted by (variant, actor)."""

    __slots__ = ("actor", "eu_ij", "eu_ji", "kind", "new", "partner", "v")

    def __init__(self, v, actor, kind, partner, eu_ij, eu_ji, new):
        self.v = np.asarray(v, dtype=np.intp)
        self.actor = np.asarray(actor, dtype=np.intp)
        self.kind = np.asarray(kind, dtype=np.int8)
        self.partner = np.asarray(partner, dtype=np.intp)
        self.eu_ij = np.asarray(eu_ij, dtype=float)
        self.eu_ji = np.asarray(eu_ji, dtype=float)
        self.new = np.asarray(new, dtype=float)

    @classmethod
    def empty(cls) -> _Moves:
        z = np.zeros(0)
        return cls(z, z, z, z, z, z, z)

    def _apply(self, f) -> _Moves:
        return _Moves(*(f(getattr(self, k)) for k in
                        ("v", "actor", "kind", "partner", "eu_ij", "eu_ji", "new")))

    def shifted(self, lo: int) -> _Moves:
        m = self._apply(lambda a: a)
        m.v = m.v + lo
        return m

    @classmethod
    def concat(cls, parts: list[_Moves]) -> _Moves:
        if not parts:
            return cls.empty()
        return cls(*(np.concatenate([getattr(p, k) for p in parts]) for k in
                     ("v", "actor", "kind", "partner", "eu_ij", "eu_ji", "new")))


class _RoundEvents(Sequence):
    """events[t]: per variant, the list of move dicts of round t."""

    __hash__ = None  # type: ignore[assignment]

    def __init__(self, moves: _Moves, n_var: int):
        self._m = moves
        self._n = n_var
        self._starts = np.searchsorted(moves.v, np.arange(n_var + 1))

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, v):
        if isinstance(v, slice):
            return [self[i] for i in range(*v.indices(self._n))]
        v = int(v)
        if v < 0:
            v += self._n
        if not 0 <= v < self._n:
            raise IndexError("variant index out of range")
        m = self._m
        lo, hi = int(self._starts[v]), int(self._starts[v + 1])
        return [
            {
                "actor": int(m.actor[k]),
                "kind": KINDS[int(m.kind[k]) - 1],
                "with": int(m.partner[k]),
                "eu_ij": float(m.eu_ij[k]),
                "eu_ji": float(m.eu_ji[k]),
                "new_position": float(m.new[k]),
            }
            for k in range(lo, hi)
        ]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __repr__(self) -> str:
        return f"<EUM moves of one round: {len(self._m.v)} in {self._n} variants>"


class MoveLog(Sequence):
    """``events`` of an EUM trajectory: ``log[t][v]`` is the list of moves of round t in variant
    v (dicts, built on access); ``log[0]`` is the input, with no moves.  ``log.arrays(t)`` gives
    round t's moves as flat arrays (variant, actor, kind code 1-3, partner, eu_ij, eu_ji,
    new_position) for bulk analysis, ``log.tolist()`` everything as plain lists."""

    __hash__ = None  # type: ignore[assignment]

    def __init__(self, moves: list[_Moves], n_var: int):
        self._moves = moves
        self._rounds = [_RoundEvents(m, n_var) for m in moves]

    def __len__(self) -> int:
        return len(self._rounds)

    def __getitem__(self, t):
        if isinstance(t, slice):
            return [self._rounds[i] for i in range(*t.indices(len(self)))]
        return self._rounds[t]

    def __iter__(self) -> Iterator[_RoundEvents]:
        return iter(self._rounds)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def tolist(self) -> list[list[list[dict]]]:
        """Every round's and variant's moves as plain lists (e.g. for JSON)."""
        return [list(r) for r in self._rounds]

    def arrays(self, t: int) -> dict[str, np.ndarray]:
        m = self._moves[t]
        return {"variant": m.v, "actor": m.actor, "kind": m.kind, "with": m.partner,
                "eu_ij": m.eu_ij, "eu_ji": m.eu_ji, "new_position": m.new}

    def __repr__(self) -> str:
        return f"<EUM move log: {len(self)} rounds (round 0 = input)>"

"""KTAB's Spatial Model of Politics (SMP), ``--model smp``.

The model of the KAPSARC Toolkit for Behavioral Analysis (Wise, Lester & Efird 2015), run with
KTAB's default settings (Deterministic transitions, Linear victory probability, Prop voting,
Conditional PCE, SemiCommit third parties, S2P2 bargains, InitOnlyInterp, BigRRange Mid,
BigRAdjust OneThird) and its stopping rule.  Equations, defaults and references: docs/smp.md.

Each turn every actor

1. infers risk attitudes from how likely each position is to win a risk-neutral, capability
   weighted vote (the Conditional PCE), and forms its own estimate of every actor's risk-aware
   utility;
2. picks the target whose challenge gains it most (the third parties join the side they expect
   to gain from, SemiCommit), and proposes an S2P2 bargain to it (positions rounded to 1e-4 on
   [0, 1], as KTAB does);
3. takes, among the status quo and the bargains it proposed or received, the one most likely to
   win a vote of all actors; every actor moves to its side of that bargain at once.

The turns run until the state stops moving (after turn t >= 2: the summed move of the last
turn < 2% of the first turn's, at most 100 turns).

Exactness.  The arithmetic mirrors KTAB's order where a last-bit difference could flip the 1e-4
rounding of a bargain or a first-max choice: the coalition sums run over voters in index order
from their floor (1e-8, 1e-10 in challenges), the PCE products over options in index order, a
bargain's value to a voter sums the actors' utilities in index order.  Checked against the
position histories that KTAB's smpc writes (tests/test_smp.py).

Cost.  O(N^3) per turn and variant (N initiators x N targets x N third parties, and the
risk-aware utility estimates of every actor), vectorised with NumPy over all (i, j) pairs; the
variants of a batch run one after another (each runs to its own stopping turn).  Written by
hand from KTAB's documented algorithm: no maintained Python library implements it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np

from blocs import progress
from blocs.bargaining.problem import ModelBase, Trajectory

SCALE = 100.0  # the model takes positions on 0-100 and works on [0, 1]
MAX_TURNS = 100  # KTAB: at most 100 turns
STOP_RATIO = 0.02  # KTAB: stop when a turn moves < 2% of what the first turn moved
STOP_FLOOR = 1e-4  # added to the first turn's move in the ratio's denominator
MIN_TURNS_BEFORE_STOP = 2  # the rule is tested after turn 2 and later
MIN_GAIN = 1e-5  # a challenge must be worth more than this to be made
VOTE_FLOOR = 1e-8  # coalition strength floor in votes over options
CHALLENGE_FLOOR = 1e-10  # coalition strength floor in challenges
S2P2_EPS = 1e-6  # S2P2's tilt of a bargain towards the proposer's side
BARGAIN_DIGITS = 1e4  # bargain positions are rounded to 1e-4 on [0, 1]
SAME_POSITION = 1e-3  # positions closer than this (on [0, 1]) count as one in win probabilities
_BLOCK_CELLS = 1 << 16  # elements per vectorised block (a block's temporaries stay ~512 kB each)
# A run reports its progress (`blocs.progress`) from this many variants x actors^3 x max_turns
# (a turn costs O(n^3): 100 actors over up to 100 turns, several seconds)
_REPORT_FROM = 1 << 26


@dataclass
class _Turn:
    """What one turn gives for one variant."""

    positions: np.ndarray  # (n, d) on [0, 1]
    risk: np.ndarray  # (n,) inferred risk attitudes R_i (of the turn's starting state)
    win_probability: np.ndarray  # (n,) win probability of each actor's position (start state)
    outcome: np.ndarray  # (d,) PCE-expected position of the start state
    targets: np.ndarray  # (n,) target of each actor, -1 for none
    gains: np.ndarray  # (n,) the target's expected gain to the initiator
    p_win: np.ndarray  # (n,) P(initiator beats target), initiator's estimate
    chosen: list  # per actor: (initiator, receiver) of its chosen bargain, None = status quo


# ---------------------------------------------------------------------------------------------
# Building blocks (single variant, positions on [0, 1])


def distances(x: np.ndarray, s: np.ndarray) -> np.ndarray:
    """d[i, j]: salience-weighted normalised distance from i's ideal (= x_i) to x_j.

    d_ij = sqrt(sum_k (s_ik (x_ik - x_jk))^2 / sum_k s_ik^2)  (in 1-D: |x_i - x_j|).
    """
    return distances_to(x, s, x)


def distances_to(x: np.ndarray, s: np.ndarray, y: np.ndarray) -> np.ndarray:
    """d[k, b]: k's distance (as `distances`) to points y (B, d)."""
    diff = s[:, None, :] * (x[:, None, :] - y[None, :, :])
    num = (diff * diff).sum(axis=-1)
    den = (s * s).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.sqrt(num / den[:, None])
    return np.where(den[:, None] > 0, d, 0.0)


def utility(d: np.ndarray, r: np.ndarray) -> np.ndarray:
    """KTAB's spatial utility u(d, R) = (1 - d)(1 + d R) (d <= 1; beyond, (1 - d)(1 + R))."""
    dd = np.minimum(d, 1.0)
    return (1.0 - d) * (1.0 + dd * r)


def _seq_add(acc: np.ndarray, terms: np.ndarray) -> np.ndarray:
    """acc + terms[0] + terms[1] + ..., added strictly in that order (like a C loop)."""
    acc = np.array(acc, dtype=float)
    for term in terms:
        acc += term
    return acc


def _block(n: int, cells: int) -> int:
    """How many slices of ``cells`` elements to process at once (temporaries stay ~512 kB)."""
    return max(1, _BLOCK_CELLS // max(cells, 1))


def coalitions(u: np.ndarray, w: np.ndarray, floor: float = VOTE_FLOOR) -> np.ndarray:
    """c[a, b] = floor + sum_k max(0, w_k (u_ka - u_kb)), voters k summed in index order."""
    n, m = u.shape
    c = np.full((m, m), floor)
    step = _block(n, m * m)
    for k0 in range(0, n, step):
        uk = u[k0:k0 + step]
        v = w[k0:k0 + step, None, None] * (uk[:, :, None] - uk[:, None, :])
        c = _seq_add(c, np.maximum(v, 0.0))
    return c


def conditional_pce(u: np.ndarray, w: np.ndarray) -> np.ndarray:
    """KTAB's Conditional PCE over options: Prop votes, Linear victory, p_a ~ prod_b P(a > b).

    ``u`` (voters, options) utilities, ``w`` (voters,) vote weights.
    """
    m = u.shape[1]
    c = coalitions(u, w)
    p2 = c / (c + c.T)
    np.fill_diagonal(p2, 0.5)
    p = np.ones(m)
    for b in range(m):
        p = p * p2[:, b]
    return p / p.sum()


def risk_attitudes(p: np.ndarray) -> np.ndarray:
    """BigRRange Mid: R_i = (3 p_i - (pmax + 2 pmin)) / (2 (pmax - pmin)), in [-0.5, 1]."""
    pmax, pmin = p.max(), p.min()
    if pmax - pmin <= 0:
        return np.zeros_like(p)
    return (3.0 * p - (pmax + 2.0 * pmin)) / (2.0 * (pmax - pmin))


def unique_positions(x: np.ndarray, tol: float = SAME_POSITION) -> tuple[np.ndarray, np.ndarray]:
    """KTAB's distinct positions: representatives and each actor's class.

    An actor starts a new class unless it lies within ``tol`` (Euclidean, on [0, 1]) of an
    earlier representative; each actor then belongs to the *last* representative within
    ``tol`` of it (KTAB's rule: it decides the class of a position lying between two
    representatives, and reproduces KTAB's win probabilities where 'first' does not).
    """
    n = x.shape[0]
    diff = x[:, None, :] - x[None, :, :]
    near = np.sqrt((diff * diff).sum(axis=-1)) < tol
    is_rep = np.zeros(n, dtype=bool)
    for i in range(n):
        if not (near[i] & is_rep).any():
            is_rep[i] = True
    reps = np.flatnonzero(is_rep)
    m = near[:, reps]  # (n, classes)
    last = m.shape[1] - 1 - np.argmax(m[:, ::-1], axis=1)
    return reps, last


def win_probabilities(x: np.ndarray, s: np.ndarray, cap: np.ndarray,
                      risk: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each actor's position's probability of winning (KTAB's per-turn 'winning probabilities').

    Conditional PCE over the distinct positions (`unique_positions`), every actor voting with
    its capability and its risk-aware utility u(d_ij, R_i); actors that share a position share
    its probability.  Returns (per actor, representatives, per distinct position).
    """
    reps, cls = unique_positions(x)
    d = distances(x, s)[:, reps]
    p = conditional_pce(utility(d, risk[:, None]), cap)
    return p[cls], reps, p


def state_risk(x: np.ndarray, s: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """The risk attitudes R_i KTAB infers in a state (risk-neutral utilities, capability
    weighted Conditional PCE over all actors' positions, BigRRange Mid)."""
    return risk_attitudes(conditional_pce(1.0 - distances(x, s), cap))


def estimated_utilities(d: np.ndarray, risk: np.ndarray) -> np.ndarray:
    """a[h, i, j]: h's estimate of i's risk-aware utility of j's position (KTAB's aUtil[h]).

    h estimates i's risk attitude as r^h_i = (2 R_h + R_i) / 3 (BigRAdjust OneThird), and
    a[h, i, j] = u(d_ij, r^h_i).  (n^3 memory: for tests and inspection; `turn` computes the
    slices it needs.)
    """
    rh = (2.0 * risk[:, None] + risk[None, :]) / 3.0
    return (1.0 - d)[None, :, :] * (1.0 + np.minimum(d, 1.0)[None, :, :] * rh[:, :, None])


def challenges(d: np.ndarray, risk: np.ndarray, w: np.ndarray, ssum: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Each initiator's own estimate of challenging each target: P[i, j] and gain[i, j].

    Everything is seen from i's perspective (h = k = i), with i's estimates of the risk-aware
    utilities a[i] (`estimated_utilities`): i's and j's own votes start the coalitions, every
    third party m votes by SemiCommit with p_im from that start plus its own direct vote, and
    the coalitions add the third parties' votes in index order.
    """
    n = d.shape[0]
    rh = (2.0 * risk[:, None] + risk[None, :]) / 3.0  # rh[h, i]
    dd = np.minimum(d, 1.0)
    one_d = 1.0 - d

    def est(rows: np.ndarray) -> np.ndarray:
        # est(ms)[b, h, j] = a[h, ms[b], j] = u(d[m, j], rh[h, m])
        return one_d[rows][:, None, :] * (1.0 + dd[rows][:, None, :] * rh.T[rows][:, :, None])

    diag = np.arange(n)
    uij = one_d * (1.0 + dd * np.diagonal(rh)[:, None])  # a[i, i, j]
    uii = uij[diag, diag][:, None]  # a[i, i, i]
    uji = one_d.T * (1.0 + dd.T * rh)  # a[i, j, i]
    ujj = np.diagonal(one_d)[None, :] * (1.0 + np.diagonal(dd)[None, :] * rh)  # a[i, j, j]
    wi = w[:, None]
    wj = w[None, :]
    chij = CHALLENGE_FLOOR + wi * (uii - uij)
    chji = CHALLENGE_FLOOR - wj * (uji - ujj)
    c0i = chij.copy()
    c0j = chji.copy()
    step = _block(n, n * n)
    rht = np.ascontiguousarray(rh.T)
    for m0 in range(0, n, step):
        # Third parties m (n in KTAB's notation) for every pair (i, j), m not in {i, j}.  In
        # place, but every value is the same expression, in the same order, as
        # `challenge_estimate`: v = w_m (u_mi - u_mj); a = c_i + max(v, 0);
        # b = c_j + max(-v, 0); p_im = a / (a + b); p_jm = 1 - p_im;
        # vote = w_m ((p_im (2 u_mi + u_mm) + p_jm 3 u_mj) - (p_im 3 u_mi + p_jm (2 u_mj + u_mm))).
        ms = np.arange(m0, min(n, m0 + step))
        um_i = uji[:, ms].T[:, :, None]  # (m, i, 1): a[i, m, i]
        um_m = ujj[:, ms].T[:, :, None]  # (m, i, 1): a[i, m, m]
        wm = w[ms][:, None, None]
        um_j = dd[ms][:, None, :] * rht[ms][:, :, None]  # (m, i, j): a[i, m, j]
        um_j += 1.0
        um_j *= one_d[ms][:, None, :]
        v = um_i - um_j
        v *= wm
        a = np.maximum(v, 0.0)
        a += c0i
        b = np.negative(v)
        np.maximum(b, 0.0, out=b)
        b += c0j
        np.add(a, b, out=v)
        pin = np.divide(a, v, out=a)
        pjn = np.subtract(1.0, pin, out=b)
        t1 = np.multiply(um_j, 3.0, out=v)
        t1 *= pjn
        vote = pin * (2.0 * um_i + um_m)
        vote += t1
        t2 = np.multiply(um_j, 2.0, out=um_j)
        t2 += um_m
        t2 *= pjn
        np.multiply(pin, 3.0 * um_i, out=t1)
        t1 += t2
        vote -= t1
        vote *= wm
        bx = np.arange(len(ms))
        vote[bx, ms, :] = 0.0
        vote[bx, :, ms] = 0.0
        pos = np.maximum(vote, 0.0, out=t1)
        for row in pos:
            chij += row
        neg = np.negative(vote, out=vote)
        np.maximum(neg, 0.0, out=neg)
        for row in neg:
            chji += row
    p = chij / (chij + chji)
    sj = ssum[None, :]
    uki = uii
    ukj = uij
    eu = (1.0 - sj) * (2.0 * uki) + sj * (p * (2.0 * uki) + (1.0 - p) * (2.0 * ukj))
    gain = eu - (uki + ukj)
    return p, gain


def challenge_estimate(a_h: np.ndarray, w: np.ndarray, ssum: np.ndarray,
                       k: int, i: int, j: int) -> tuple[float, float]:
    """h's estimate (``a_h`` = `estimated_utilities`[h]) that i beats j when i challenges j,
    and the expected gain to k: (P_ij, EU_k(challenge) - (u_ki + u_kj)).

    The plain-loop form of KTAB's ``probEduChlg`` for any perspective h and beneficiary k
    (`challenges` computes h = k = i for all pairs at once, in the same arithmetic order).
    """
    u = a_h
    chij = CHALLENGE_FLOOR + w[i] * (u[i, i] - u[i, j])
    chji = CHALLENGE_FLOOR - w[j] * (u[j, i] - u[j, j])
    c0i, c0j = chij, chji
    for m in range(len(w)):
        if m in (i, j):
            continue
        v = w[m] * (u[m, i] - u[m, j])
        a = c0i + max(v, 0.0)
        b = c0j + max(-v, 0.0)
        pin = a / (a + b)
        pjn = 1.0 - pin
        vote = w[m] * ((pin * (2.0 * u[m, i] + u[m, m]) + pjn * (3.0 * u[m, j]))
                       - (pin * (3.0 * u[m, i]) + pjn * (2.0 * u[m, j] + u[m, m])))
        chij += max(vote, 0.0)
        chji += max(-vote, 0.0)
    p = chij / (chij + chji)
    sj = ssum[j]
    eu = (1.0 - sj) * (2.0 * u[k, i]) + sj * (p * (2.0 * u[k, i]) + (1.0 - p) * (2.0 * u[k, j]))
    return float(p), float(eu - (u[k, i] + u[k, j]))


def s2p2(xi: np.ndarray, xj: np.ndarray, si: np.ndarray, sj: np.ndarray, p: float
         ) -> tuple[np.ndarray, np.ndarray]:
    """S2P2 bargain between initiator i and target j, i's estimate p that i wins, per dimension;
    both sides rounded to 1e-4 on [0, 1]."""
    wi = si * si * (p * p)
    wj = sj * sj * ((1.0 - p) * (1.0 - p))
    bi = ((wi + S2P2_EPS) * xi + wj * xj) / (wi + S2P2_EPS + wj)
    bj = (wi * xi + (wj + S2P2_EPS) * xj) / (wi + wj + S2P2_EPS)
    return _round(bi), _round(bj)


def _round(v: np.ndarray) -> np.ndarray:
    return np.floor(v * BARGAIN_DIGITS + 0.5) / BARGAIN_DIGITS


def turn(x: np.ndarray, s: np.ndarray, cap: np.ndarray,
         rng: np.random.Generator | None = None) -> _Turn:
    """One turn of the model for one variant (positions x (n, d) on [0, 1])."""
    n = x.shape[0]
    ssum = s.sum(axis=1)
    w = ssum * cap
    d = distances(x, s)
    # 1. risk attitudes: risk-neutral utilities, capability-weighted Conditional PCE
    risk = risk_attitudes(conditional_pce(1.0 - d, cap))
    winp, reps, prep = win_probabilities(x, s, cap, risk)
    # 2. best targets
    p, gain = challenges(d, risk, w, ssum)
    np.fill_diagonal(gain, -np.inf)
    gmask = np.where(gain > MIN_GAIN, gain, -np.inf)
    best = np.argmax(gmask, axis=1)
    has = np.isfinite(gmask[np.arange(n), best])
    targets = np.where(has, best, -1)
    # bargains, in initiator order (S2P2 from the initiator's estimate that it wins)
    init = np.flatnonzero(targets >= 0)
    rcvr = targets[init]
    nb = len(init)
    pw = p[init, rcvr][:, None]
    pos_i, pos_j = s2p2(x[init], x[rcvr], s[init], s[rcvr], pw)
    # 3. each actor's choice among the status quo and its bargains
    # own[k, m] = a[k, k, m] = u(d_km, R_k) (k's own risk: (2 R_k + R_k) / 3)
    rk = (2.0 * risk + risk) / 3.0
    own = (1.0 - d) * (1.0 + np.minimum(d, 1.0) * rk[:, None])
    sq = _seq_add(np.zeros(n), own.T) / n
    new = x.copy()
    chosen: list = [None] * n
    if nb:
        ui = utility(distances_to(x, s, pos_i), risk[:, None])  # (k, b)
        uj = utility(distances_to(x, s, pos_j), risk[:, None])
        # terms[m, k, b]: k's utility of actor m's position once bargain b is struck
        terms = np.repeat(own.T[:, :, None], nb, axis=2)
        bs = np.arange(nb)
        terms[init, :, bs] = ui.T
        terms[rcvr, :, bs] = uj.T
        val = _seq_add(np.zeros((n, nb)), terms) / n  # summed over actors m in index order
        owner, opt_b = _choose(sq, val, init, rcvr, cap, rng)
        for a, b in zip(owner, opt_b, strict=True):
            if b < 0:
                continue
            chosen[a] = (int(init[b]), int(rcvr[b]))
            new[a] = pos_i[b] if init[b] == a else pos_j[b]
    ar = np.arange(n)
    return _Turn(
        positions=new, risk=risk, targets=targets, win_probability=winp,
        outcome=prep @ x[reps],
        gains=np.where(has, gain[ar, best], np.nan), p_win=np.where(has, p[ar, best], np.nan),
        chosen=chosen,
    )


def _choose(sq: np.ndarray, val: np.ndarray, init: np.ndarray, rcvr: np.ndarray,
            cap: np.ndarray, rng: np.random.Generator | None):
    """Every actor's pick among its status quo and the bargains it is part of.

    Actor a's options are [status quo] + the bargains it initiated or received, in initiator
    order; all actors vote on them with their capabilities (Prop, Linear, Conditional PCE), all
    actors' PCEs computed at once.  Returns (the actors with at least one bargain, the bargain
    each took or -1 for the status quo).
    """
    n = val.shape[0]
    member = (init[None, :] == np.arange(n)[:, None]) | (rcvr[None, :] == np.arange(n)[:, None])
    owners = np.flatnonzero(member.any(axis=1))
    # global option table: for each owner its status quo then its bargains
    cols, slots_of = [], []
    for a in owners:
        bs = np.flatnonzero(member[a])
        slots_of.append(np.concatenate(([-1], bs)))
        cols.append(sq[:, None])
        cols.append(val[:, bs])
    u = np.concatenate(cols, axis=1)  # (voters, G)
    sizes = np.array([len(sl) for sl in slots_of])
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    mmax = int(sizes.max())
    # all ordered option pairs within each owner, as global column indices
    pair_base = np.concatenate(([0], np.cumsum(sizes * sizes)[:-1]))
    g1, g2, rev = [], [], []
    for a_ix, m in enumerate(sizes):
        s1, s2 = np.divmod(np.arange(m * m), m)
        g1.append(starts[a_ix] + s1)
        g2.append(starts[a_ix] + s2)
        rev.append(pair_base[a_ix] + s2 * m + s1)
    g1 = np.concatenate(g1)
    g2 = np.concatenate(g2)
    rev = np.concatenate(rev)
    c = np.full(len(g1), VOTE_FLOOR)
    nv = u.shape[0]
    step = _block(nv, len(g1))
    for k0 in range(0, nv, step):
        uk = u[k0:k0 + step]
        c = _seq_add(c, np.maximum(cap[k0:k0 + step, None] * (uk[:, g1] - uk[:, g2]), 0.0))
    pv = c / (c + c[rev])
    pv[g1 == g2] = 0.5
    pv = np.append(pv, 1.0)  # padding entry: multiplies by one
    # p[g] = prod_b P(g > b) in option order; padded per owner to mmax options
    owner_of = np.repeat(np.arange(len(sizes)), sizes)
    slot = np.arange(len(owner_of)) - starts[owner_of]
    prob = np.ones(len(owner_of))
    for b in range(mmax):
        ok = b < sizes[owner_of]
        ix = np.where(ok, pair_base[owner_of] + slot * sizes[owner_of] + b, len(pv) - 1)
        prob = prob * pv[ix]
    # normalise per owner (options summed in order) and pick
    grid = np.full((len(sizes), mmax), np.nan)
    grid[owner_of, slot] = prob
    total = np.zeros(len(sizes))
    for b in range(mmax):
        total = total + np.where(b < sizes, np.nan_to_num(grid[:, b]), 0.0)
    grid = grid / total[:, None]
    if rng is None:
        pick = np.argmax(np.where(np.isnan(grid), -np.inf, grid), axis=1)
    else:
        pick = np.empty(len(sizes), dtype=int)
        for a_ix in range(len(sizes)):
            pr = grid[a_ix, : sizes[a_ix]]
            cum = np.cumsum(pr)
            pick[a_ix] = min(int(np.searchsorted(cum, rng.random() * cum[-1], side="right")),
                             sizes[a_ix] - 1)
    chosen_b = np.array([slots_of[a_ix][pick[a_ix]] for a_ix in range(len(sizes))])
    return owners, chosen_b


def state_distance(x: np.ndarray, y: np.ndarray) -> float:
    """Sum over actors of the Euclidean distance between their positions in two states."""
    return float(np.sqrt(((x - y) ** 2).sum(axis=1)).sum())


@dataclass
class History:
    """One variant's run on [0, 1]: states 0..T, their win probabilities and outcomes."""

    states: list  # T + 1 arrays (n, d)
    win_probability: list  # T + 1 arrays (n,)
    outcome: list  # T + 1 arrays (d,): PCE-expected position
    risk: list  # T + 1 arrays (n,)
    turns: list  # T _Turn records (turn t produced state t + 1)
    stopped: int = -1  # the turn T at which the stopping rule ended the run; -1: max_turns


def run_one(x0: np.ndarray, s: np.ndarray, cap: np.ndarray, *,
            rng: np.random.Generator | None = None, max_turns: int = MAX_TURNS,
            advance: Callable[[], None] | None = None) -> History:
    """One variant (positions (n, d) on [0, 1]) run until KTAB's stopping rule (at most
    ``max_turns`` turns); ``advance()``, when given, is called after each turn."""
    states = [np.array(x0, dtype=float)]
    turns: list[_Turn] = []
    d01 = 0.0
    stopped = -1
    while len(turns) < max_turns:
        t = turn(states[-1], s, cap, rng)
        turns.append(t)
        states.append(t.positions)
        if advance is not None:
            advance()
        k = len(turns)
        if k == 1:
            d01 = state_distance(states[0], states[1]) + STOP_FLOOR
        if k >= MIN_TURNS_BEFORE_STOP and state_distance(states[-1], states[-2]) / d01 < STOP_RATIO:
            stopped = k
            break
    last = states[-1]
    risk = state_risk(last, s, cap)
    winp, reps, prep = win_probabilities(last, s, cap, risk)
    return History(
        states=states,
        win_probability=[t.win_probability for t in turns] + [winp],
        outcome=[t.outcome for t in turns] + [prep @ last[reps]],
        risk=[t.risk for t in turns] + [risk],
        turns=turns,
        stopped=stopped,
    )


# ---------------------------------------------------------------------------------------------
# The model behind the common interface


class SpatialModel(ModelBase):
    """KTAB's Spatial Model of Politics behind the common `Model` interface (``"smp"``).

    ``run(positions, salience, capability)`` takes positions (V, n) or (V, n, d) on the 0-100
    scale (the CLI maps every issue to 0-100; the model works on [0, 1] = positions / 100),
    salience (V, n[, d]) in [0, 1] (one per dimension; a (V, n) salience with (V, n, d)
    positions is used on every dimension) and capability (V, n) >= 0 (KTAB's raw
    'Influence', not normalised).

    It returns a `Trajectory` whose round t is KTAB's turn t (round 0 = the input), on 0-100:

    * ``positions`` (R + 1, V, n[, d]); R is the largest number of turns any variant ran.
      Each variant runs until KTAB's stopping rule; a variant that stopped after T < R turns
      is padded with its final state (rounds T + 1 .. R repeat round T);
    * ``outcome`` (R + 1, V[, d]): the forecast of each state, the PCE-expected position
      sum_c p_c x_c over the distinct positions c with their win probabilities p_c (the
      probabilities KTAB prints per turn);
    * ``events[t][v]``: one dict per round and variant: ``turn`` (t), ``turns`` (the variant's
      number of turns T), ``padded`` (t > T), ``win_probability`` (per actor: its position's
      probability of winning, shared by actors on one position), ``most_probable`` (the actor
      index of the most probable position, first on ties), ``risk`` (the risk attitudes
      inferred in state t), and for t >= 1 what the turn t - 1 -> t did: ``targets`` (each
      actor's target or -1), ``gains``, ``p_win`` (the initiator's estimate it beats its
      target) and ``bargains`` (per actor, the (initiator, receiver) of the bargain it took,
      or None for the status quo).

    ``converged`` (V,): the turn T at which KTAB's stopping rule ended each variant, or -1
    when ``rounds`` ended it first (so a variant ran ``converged`` turns, or ``rounds``).
    Long runs report their progress in turns (`blocs.progress`).

    ``variant="stochastic"`` draws each actor's bargain from its PCE distribution instead of
    taking the most probable one (KTAB's Stochastic transitions); the draws come from
    ``numpy.random.default_rng`` streams spawned from ``seed`` (variant v uses child v of
    ``SeedSequence(seed)``), one uniform number per actor with at least one bargain, actors in
    index order, so a run is reproducible.  ``rounds`` caps the turns (KTAB: 100; the stopping
    rule usually ends the run earlier; 0 returns the input).
    """

    name = "smp"

    VARIANTS = ("deterministic", "stochastic")

    def __init__(self, variant: str = "deterministic", rounds: int = MAX_TURNS,
                 seed: int | None = None) -> None:
        if variant not in self.VARIANTS:
            raise ValueError(f"unknown smp variant '{variant}' (allowed: "
                             f"{', '.join(self.VARIANTS)})")
        if int(rounds) != rounds or rounds < 0:
            raise ValueError(f"rounds: {rounds} (allowed: a whole number >= 0)")
        self.variant = variant
        self.stochastic = variant == "stochastic"
        self.seed = seed
        self.rounds = int(rounds)

    def run(self, positions: np.ndarray, salience: np.ndarray, capability: np.ndarray,
            reference: np.ndarray | None = None) -> Trajectory:
        x = np.asarray(positions, dtype=float)
        s = np.asarray(salience, dtype=float)
        c = np.asarray(capability, dtype=float)
        multidim = x.ndim == 3
        if not multidim:
            x = x[..., None]
        if s.ndim == 2:
            s = np.broadcast_to(s[..., None], x.shape)
        if x.shape != s.shape or c.shape != x.shape[:2]:
            raise ValueError(
                f"shapes do not fit: positions {np.shape(positions)}, salience "
                f"{np.shape(salience)}, capability {np.shape(capability)} (allowed: (V, n[, d]), "
                "(V, n[, d]), (V, n))")
        nv = x.shape[0]
        rngs: list = [None] * nv
        if self.stochastic:
            rngs = [np.random.default_rng(ss)
                    for ss in np.random.SeedSequence(self.seed).spawn(nv)]
        # Progress in turns, at most max_turns per variant (a variant that stops earlier
        # skips the rest of its share); reported when the run can be long: O(n^3) per turn.
        n = x.shape[1]
        report = nv * n ** 3 * self.rounds >= _REPORT_FROM
        runs = []
        with progress.task("spatial model of politics: turns", total=nv * self.rounds) \
                if report else nullcontext(None) as advance:
            for v in range(nv):
                h = run_one(x[v] / SCALE, np.ascontiguousarray(s[v]), c[v], rng=rngs[v],
                            max_turns=self.rounds, advance=advance)
                if advance is not None:
                    advance(self.rounds - len(h.turns))
                runs.append(h)
        turns = np.array([len(h.turns) for h in runs], dtype=int)
        rounds = int(turns.max()) if nv else 0
        pos = np.empty((rounds + 1, *x.shape))
        out = np.empty((rounds + 1, nv, x.shape[2]))
        events: list[list[list[dict]]] = [[[] for _ in range(nv)] for _ in range(rounds + 1)]
        for v, h in enumerate(runs):
            nt = len(h.turns)
            for t in range(rounds + 1):
                k = min(t, nt)
                pos[t, v] = h.states[k] * SCALE
                out[t, v] = h.outcome[k] * SCALE
                wp = h.win_probability[k]
                ev = {
                    "turn": t,
                    "turns": nt,
                    "padded": t > nt,
                    "win_probability": wp.tolist(),
                    "most_probable": int(np.argmax(wp)),
                    "risk": h.risk[k].tolist(),
                }
                if 1 <= t <= nt:
                    tr = h.turns[t - 1]
                    ev["targets"] = tr.targets.tolist()
                    ev["gains"] = tr.gains.tolist()
                    ev["p_win"] = tr.p_win.tolist()
                    ev["bargains"] = list(tr.chosen)
                events[t][v].append(ev)
        if not multidim:
            pos = pos[..., 0]
            out = out[..., 0]
        converged = np.array([h.stopped for h in runs], dtype=np.intp)
        return Trajectory(model=self.name, positions=pos, outcome=out, events=events,
                          converged=converged)

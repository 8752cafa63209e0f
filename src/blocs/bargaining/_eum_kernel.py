"""The EUM's rounds as one compiled loop per chunk of variants (numba).

The vectorised NumPy rounds in `eum.py` (``_round``) are the readable statement of the model
and what `explain_round` reports; this kernel computes the same numbers, variant by variant,
in one pass over small arrays that stay in the L1 cache.  Why compiled: a round of the model is
some sixty array operations on (variants, n, n) arrays, and for the sizes the model is used at
(10-100 actors) NumPy spends more time dispatching and writing temporaries than computing; a
loop fused by a compiler does each pair once.  No maintained library implements the model, so
the loop is ours.  Differences from the NumPy rounds are in the last bits only (sums are
accumulated in another order); the tests hold the two to 1e-9 and to the same moves.

Everything here works on one variant at a time; see `eum.py` for the model and docs/eum.md for
the equations.  Expected utilities are kept divided by 4, as in `eum.py`.  A variant whose
round changed no position is not computed further (its later rounds repeat that round).
`eum.py` always passes the same argument types, so numba compiles `run_chunk` once
(`warm_up`, `kernels.py`); the code avoids what compiles slowly (numba's sorts).
"""

from __future__ import annotations

import numpy as np
from numba import njit

CONF, COMP, CAPIT = 1, 2, 3  # kind codes, as in eum.py


@njit(nogil=True, cache=True)
def _vote_totals(x, e, rank_mid, pre, n_out):
    """N[a, b] = sum_k max(0, e[k, b] - e[k, a]) (``eum._votes``): the votes for a against b.

    ``e[k, a]``: voter k (k-th by position) to actor a, c_k s_k (|x_k - x_a| / range)^r_k.
    ``rank_mid[a, b]``: how many voters lie strictly left of the midpoint of a and b.
    """
    n = x.shape[0]
    for a in range(n):
        pre[0, a] = 0.0
    for k in range(n):
        for a in range(n):
            pre[k + 1, a] = pre[k, a] + e[k, a]
    for a in range(n):
        n_out[a, a] = 0.0
        for b in range(a + 1, n):
            p = rank_mid[a, b]
            m = pre[p, b] - pre[p, a]  # votes of the voters left of the midpoint
            if x[a] < x[b]:
                n_out[a, b] = m
                n_out[b, a] = (pre[n, a] - pre[n, b]) + m
            elif x[a] > x[b]:
                n_out[a, b] = (pre[n, b] - pre[n, a]) - m
                n_out[b, a] = -m
            else:  # one position: equal columns, no votes either way
                n_out[a, b] = 0.0
                n_out[b, a] = 0.0


@njit(nogil=True, cache=True)
def _win_probability(n_votes, scholz, p_out):
    """P[a, b] from the vote totals (``eum._win_probability``)."""
    n = n_votes.shape[0]
    if scholz:
        total = 0.0
        for a in range(n):
            for b in range(n):
                total += n_votes[a, b]
        total *= 2.0
        scale = 0.0 if total == 0.0 else 1.0 / total
        for a in range(n):
            for b in range(n):
                p_out[a, b] = n_votes[a, b] * scale
    else:
        for a in range(n):
            p_out[a, a] = 0.5
            for b in range(a + 1, n):
                both = n_votes[a, b] + n_votes[b, a]
                if both == 0.0:
                    p_out[a, b] = 0.5
                    p_out[b, a] = 0.5
                else:
                    p_out[a, b] = n_votes[a, b] / both
                    p_out[b, a] = n_votes[b, a] / both


@njit(nogil=True, cache=True)
def run_chunk(xs, s, c, span, scholz, fast_pow, lo, hi, t0, t1, kind, partner, eu_ij_out,
              eu_ji_out, new_out, converged):
    """Run rounds t0 .. t1 - 1 (of ``kind.shape[0]``) for the variants lo..hi-1 (whole arrays
    are passed so that one compiled version serves every chunk and block of rounds).

    ``xs`` (rounds + 1, V, n): xs[t0] holds the positions to start from; rounds are written
    into xs[t0 + 1:t1 + 1].  ``s``, ``c`` (V, n); ``span`` (V,): the range that scales
    distances (> 0).  Per round and variant, for every actor: ``kind`` (0 = stays),
    ``partner``, ``eu_ij`` and ``eu_ji`` (x 4, the reported scale) of the chosen pair, ``new``
    position.

    ``converged`` (V,): -1 while a variant still changes; the first round t >= 1 that left
    every position as it was.  The model is deterministic and the span fixed, so every later
    round would repeat that round: it is copied into all the remaining rounds (to the end of
    the arrays, not only to t1) and the variant is not computed again (a variant whose
    ``converged`` is already >= 0 on entry is skipped).

    ``fast_pow``: the powers b^r as exp(r log b), with the logarithms of the (symmetric)
    bases taken once per pair: 1.5 logarithms and 3 exponentials per pair instead of 3 calls
    to ``pow``, about 40% less time, results within a few ulps of ``pow``'s.  Off, the
    powers are the C library's ``pow``, which the reference code calls too.
    """
    rounds = kind.shape[0]
    n = s.shape[1]
    d = np.empty((n, n))
    log_d = np.empty((n, n))  # fast_pow: log d, log(1/2 - d/2), log(1/2 + d/2)
    log_lo = np.empty((n, n))
    log_hi = np.empty((n, n))
    log_half = np.log(0.5)
    e = np.empty((n, n))
    pre = np.empty((n + 1, n))
    rank_mid = np.zeros((n, n), dtype=np.intp)
    n_votes = np.empty((n, n))
    p = np.empty((n, n))
    danger = np.empty(n)
    r = np.empty(n)
    half_r = np.empty(n)
    y = np.empty(n)
    eu_ij = np.empty(n)
    eu_ji = np.empty(n)
    order = np.empty(n, dtype=np.intp)
    for v in range(lo, hi):
        if converged[v] >= 0:
            continue
        w = c[v] * s[v]
        sv = s[v]
        width = span[v]
        for k in range(n):
            order[k] = k
        for t in range(t0, t1):
            x = xs[t, v]
            # The actors by (position, index), the order of eum.py's stable argsort: an
            # insertion sort from the last round's order, which is nearly sorted (and compiles
            # in a fraction of the time of np.argsort's merge sort)
            for k in range(1, n):
                o = order[k]
                xo = x[o]
                b = k - 1
                while b >= 0 and (x[order[b]] > xo or (x[order[b]] == xo and order[b] > o)):
                    order[b + 1] = order[b]
                    b -= 1
                order[b + 1] = o
            for k in range(n):
                y[k] = x[order[k]]
            for i in range(n):
                d[i, i] = 0.0
                for j in range(i + 1, n):
                    dij = abs(x[i] - x[j]) / width
                    d[i, j] = dij
                    d[j, i] = dij
            if fast_pow:
                for i in range(n):
                    log_d[i, i] = -np.inf
                    log_lo[i, i] = log_half
                    log_hi[i, i] = log_half
                    for j in range(i + 1, n):
                        h = 0.5 * d[i, j]
                        a, b, g = np.log(d[i, j]), np.log(0.5 - h), np.log(0.5 + h)
                        log_d[i, j], log_lo[i, j], log_hi[i, j] = a, b, g
                        log_d[j, i], log_lo[j, i], log_hi[j, i] = a, b, g
            # voters strictly left of each midpoint (searchsorted 'left' on 2 y), by sorted pairs
            for a in range(n):
                q = 0
                for b in range(a + 1, n):
                    mid = y[a] + y[b]
                    while q < n and 2 * y[q] < mid:
                        q += 1
                    oa, ob = order[a], order[b]
                    rank_mid[oa, ob] = q
                    rank_mid[ob, oa] = q

            # (1)-(2) danger with every r = 1, then the risk exponents
            for k in range(n):
                ok = order[k]
                for a in range(n):
                    e[k, a] = w[ok] * d[ok, a]
            _vote_totals(x, e, rank_mid, pre, n_votes)
            _win_probability(n_votes, scholz, p)
            top = -np.inf
            bottom = np.inf
            for i in range(n):
                hsum = 0.0
                hpsum = 0.0
                for j in range(n):
                    h = 0.5 * d[i, j]
                    hsum += h
                    hpsum += h * p[j, i]
                dg = (1 - 2 * sv[i]) * hsum + (2 * sv[i]) * hpsum
                danger[i] = dg
                top = max(top, dg)
                bottom = min(bottom, dg)
            spread = top - bottom
            for i in range(n):
                big_r = 0.0 if spread == 0 else (2 * danger[i] - top - bottom) / spread
                r[i] = (1 - big_r / 3.0) / (1 + big_r / 3.0)
                half_r[i] = np.exp(r[i] * log_half) if fast_pow else 0.5 ** r[i]

            # (3) votes and expected utilities with each actor's own exponent
            for k in range(n):
                ok = order[k]
                rk = r[ok]
                if fast_pow:
                    for a in range(n):
                        e[k, a] = w[ok] * np.exp(rk * log_d[ok, a])
                else:
                    for a in range(n):
                        e[k, a] = w[ok] * d[ok, a] ** rk
            _vote_totals(x, e, rank_mid, pre, n_votes)
            _win_probability(n_votes, scholz, p)
            same = True
            for i in range(n):
                ri = r[i]
                for j in range(n):
                    if fast_pow:
                        u_s = np.exp(ri * log_lo[i, j])
                        u_f = np.exp(ri * log_hi[i, j])
                    else:
                        h = 0.5 * d[i, j]
                        u_s = (0.5 - h) ** ri
                        u_f = (0.5 + h) ** ri
                    gain = half_r[i] - u_s
                    risk = u_f - u_s
                    eu_ij[j] = gain - ((1 - p[i, j]) * sv[j]) * risk
                    eu_ji[j] = gain - ((1 - p[j, i]) * sv[i]) * risk
                kd, jj, new = _choose(i, x, eu_ij, eu_ji, scholz)
                kind[t, v, i] = kd
                if kd:
                    partner[t, v, i] = jj
                    eu_ij_out[t, v, i] = 4 * eu_ij[jj]
                    eu_ji_out[t, v, i] = 4 * eu_ji[jj]
                    new_out[t, v, i] = new
                    xs[t + 1, v, i] = new
                    same = same and new == x[i]
                else:
                    partner[t, v, i] = -1
                    xs[t + 1, v, i] = x[i]
            if same:  # nothing changed: every later round repeats this one
                converged[v] = t + 1
                for later in range(t + 1, rounds):
                    for i in range(n):
                        kind[later, v, i] = kind[t, v, i]
                        partner[later, v, i] = partner[t, v, i]
                        eu_ij_out[later, v, i] = eu_ij_out[t, v, i]
                        eu_ji_out[later, v, i] = eu_ji_out[t, v, i]
                        new_out[later, v, i] = new_out[t, v, i]
                        xs[later + 1, v, i] = xs[t + 1, v, i]
                break


@njit(nogil=True, cache=True)
def _choose(i, x, eu_ij, eu_ji, scholz):
    """Actor i's move (``eum._choose``): (kind code, partner, new position)."""
    n = x.shape[0]
    best = -1
    kd = 0
    if scholz:
        best_d = np.inf
        for j in range(n):
            if eu_ij[j] > 0 and eu_ji[j] > eu_ij[j] and abs(x[i] - x[j]) < best_d:
                best_d = abs(x[i] - x[j])
                best = j
        if best >= 0:
            kd = CONF
        else:
            best_key = np.inf
            for j in range(n):
                if eu_ij[j] < 0 and eu_ji[j] > -eu_ij[j]:
                    a_ij = -eu_ij[j]
                    a_ji = eu_ji[j]
                    key = (a_ij * x[i] + a_ji * x[j]) / (a_ij + a_ji)
                    if key < best_key or best < 0:
                        best_key = key
                        best = j
            if best >= 0:
                kd = COMP
    else:
        best_move = np.inf
        best_eu = -np.inf
        for j in range(n):
            a, b = eu_ij[j], eu_ji[j]
            if a > 0 and b > a:
                k = CONF
                move = abs(x[i] - x[j])
            elif a < 0 and b > -a:
                k = COMP
                move = abs(x[i] - x[j]) * abs(a / b)
            elif a < 0 and 0 < b < -a:
                k = CAPIT
                move = abs(x[i] - x[j])
            else:
                continue
            if best < 0 or move < best_move or (move == best_move and b > best_eu):
                best, kd, best_move, best_eu = j, k, move, b
    if best < 0:
        return 0, -1, x[i]
    new = x[best]
    if kd == COMP:
        new = x[i] + (x[best] - x[i]) * abs(eu_ij[best] / eu_ji[best])
    return kd, best, new


def warm_up() -> None:
    """Compile `run_chunk` (or load it from numba's cache) for the argument types that
    `eum.ExpectedUtility.run` passes, on a one-actor problem and no rounds."""
    xs = np.zeros((1, 1, 1))
    one = np.ones((1, 1))
    shape = (0, 1, 1)
    run_chunk(xs, one, one.copy(), np.ones(1), False, True, 0, 1, 0, 0,
              np.zeros(shape, dtype=np.int8), np.empty(shape, dtype=np.intp), np.empty(shape),
              np.empty(shape), np.empty(shape), np.full(1, -1, dtype=np.intp))

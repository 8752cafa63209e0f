"""The exchange model's float64 recalculation and realisation, compiled (numba).

`float_round.FloatRound` keeps every candidate exchange of a round in two tables, constants
``C`` and state ``st`` (rows: `table_rows`), one column per exchange.  After each realised
exchange some 30 dependent exchanges are recalculated; done with NumPy that is about 70 array
operations on arrays of 30 elements, where NumPy's dispatching costs more than the
arithmetic.  `calculate` is the compiled copy of `gain.equal_gain` (the one statement of the
calculation, in Decide's order of operations) with the formulas rearranged for speed: the
ratios that do not change during a round precomputed per exchange, and the NBS tests on the
issue's numerator kept up to date rather than summed anew.  It therefore agrees with
`gain.equal_gain` on float64 to rounding, and in every decision (validity, cuts) away from a
knife edge, where it says so (``edge``) for the hybrid to settle in Decimal;
tests/test_exchange.py holds it to that.  `_side_ok` is the compiled copy of
`gain.move_valid`, tested equal.  No library computes Stokman's exchange model; the loops
are ours.  The model: docs/exchange.md.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from blocs.bargaining.exchange.table_rows import (
    BI,
    CONSTANT_ROWS,
    DI,
    DJ,
    FI,
    FJ,
    GAIN,
    HMAX,
    HMIN,
    HSUM,
    KI,
    KJ,
    OWN,
    RIJ,
    RJI,
    SI,
    SID,
    SIS,
    SJ,
    STATE_ROWS,
    TI,
    WI,
    WJ,
    XS,
    G,
    M,
    U,
)


@njit(nogil=True, cache=True, inline="always")
def _side_ok(m, xs, hsum, hmin, hmax, min_move):
    """Decide's is_move_valid for one side: the move, the position after it, and the side's
    earlier moves (same direction, at most 100 in all; none: hmin inf, hmax -inf, hsum 0).
    The compiled copy of `gain.move_valid`."""
    mag = abs(m)
    y = xs + m
    ok = (mag <= 100) and (mag > min_move) and (y >= 0) and (y <= 100)
    lo = min(hmin, m)
    hi = max(hmax, m)
    return ok and not (hsum + m > 100) and ((hi < 0) or (lo > 0))


@njit(nogil=True, cache=True, inline="always")
def _near(v, at, edge):
    d = abs(v - at)
    return d < edge and d > 0


@njit(nogil=True, cache=True)
def calculate(C, st, valid, e, hybrid, min_move, min_gain, edge_width, flags, edge):
    """Recalculate exchanges ``e``: write their moves (st rows M, M + 1), gains (GAIN) and
    validity; ``flags[k]``: bit 0 / 1 when side I / J's move was cut by the NBS test;
    ``edge[k]`` (hybrid): a quantity lies within ``edge_width`` of a threshold, where the
    float64 and Decimal results may differ (the caller settles those in Decimal)."""
    m = e.shape[0]
    any_ok = False
    any_hist = False
    for k in range(m):
        j = e[k]
        flags[k] = 0
        edge[k] = False
        if np.isfinite(st[HMIN, j]) or np.isfinite(st[HMIN + 1, j]):
            any_hist = True
    # first the plain exchange: J moves to I's position, I moves what equal gain asks
    M0 = np.empty(m)
    M1 = np.empty(m)
    gain = np.empty(m)
    ok = np.empty(m, dtype=np.bool_)
    towI_ = np.empty(m)
    towJ_ = np.empty(m)
    distI_ = np.empty(m)
    distJ_ = np.empty(m)
    for k in range(m):
        j = e[k]
        xsI, xsJ = st[XS, j], st[XS + 1, j]
        towI = C[DJ, j] - xsI
        towJ = C[DI, j] - xsJ
        distJ = abs(towJ)
        distI = abs(towI)
        dp = distJ * C[FJ, j]
        mI = C[RIJ, j] * dp * C[KI, j]
        if mI > distI:  # I would overshoot: I moves all the way, J what that is worth
            dp2 = C[RJI, j] * (distI * C[FI, j])
            dp = dp2
            mI = distI
            mJ = dp2 * C[KJ, j]
        else:
            mJ = distJ
        M0[k] = np.copysign(mI, towI)
        M1[k] = np.copysign(mJ, towJ)
        g = dp * C[G, j]
        gain[k] = g
        good = (_side_ok(M0[k], xsI, st[HSUM, j], st[HMIN, j], st[HMAX, j], min_move)
                and _side_ok(M1[k], xsJ, st[HSUM + 1, j], st[HMIN + 1, j], st[HMAX + 1, j],
                             min_move)
                and g >= min_gain)
        ok[k] = good
        any_ok = any_ok or good
        towI_[k], towJ_[k], distI_[k], distJ_[k] = towI, towJ, distI, distJ
    # then Decide's check_nbs, I's side first: a move that carries the NBS past the
    # other's position is cut to reach it, and the other's move recomputed from the cut
    if any_ok:
        for k in range(m):
            j = e[k]
            A0 = _numerator(C, st, j, 0)
            A1 = _numerator(C, st, j, 1)
            W0, W1 = C[WI, j], C[WJ, j]
            B0 = A0 - W0 * M0[k]
            B1 = A1 - W1 * M1[k]
            cut0 = (A0 * B0 < 0) and ok[k]
            cut1 = (A1 * B1 < 0) and ok[k]
            if hybrid:
                es0 = edge_width * C[SI, j]
                es1 = edge_width * C[SJ, j]
                if abs(A0) < es0 or abs(B0) < es0 or abs(A1) < es1 or abs(B1) < es1:
                    edge[k] = True
            if cut0:
                flags[k] |= 1
                M0[k], M1[k], gain[k] = _cut(C, st, j, 0, A0, W0, towI_[k], towJ_[k])
                after = A1 - W1 * M1[k]  # J's test after I's cut
                cut1 = (A1 * after < 0) and ok[k]
                if hybrid and abs(after) < edge_width * C[SJ, j]:
                    edge[k] = True
            if cut1:
                flags[k] |= 2
                M1[k], M0[k], gain[k] = _cut(C, st, j, 1, A1, W1, towJ_[k], towI_[k])
    for k in range(m):
        j = e[k]
        if flags[k]:
            ok[k] = ok[k] and (
                _side_ok(M0[k], st[XS, j], st[HSUM, j], st[HMIN, j], st[HMAX, j], min_move)
                and _side_ok(M1[k], st[XS + 1, j], st[HSUM + 1, j], st[HMIN + 1, j],
                             st[HMAX + 1, j], min_move))
        if hybrid:
            # position on a bound, move or gain at its threshold, the supply position on the
            # target, an earlier total at 100: where Decimal's last digits decide
            for side in range(2):
                mv = M0[k] if side == 0 else M1[k]
                d = abs(abs(st[XS + side, j] + mv - 50) - 50)
                mag = abs(mv)
                if (d < edge_width and d > 0) or (mag > min_move / 10 and mag < min_move * 10):
                    edge[k] = True
                if (any_hist and np.isfinite(st[HMIN + side, j])
                        and _near(st[HSUM + side, j] + mv, 100.0, edge_width)):
                    edge[k] = True
            if (_near(distI_[k], 0.0, edge_width) or _near(distJ_[k], 0.0, edge_width)
                    or (gain[k] > min_gain / 10 and gain[k] < min_gain * 10)):
                edge[k] = True
        st[M, j] = M0[k]
        st[M + 1, j] = M1[k]
        st[GAIN, j] = gain[k]
        valid[j] = ok[k]


@njit(nogil=True, cache=True, inline="always")
def _cut(C, st, j, side, a, w, tow, tow_other):
    """check_nbs's cut of ``side``'s move (``a``: `_numerator`, ``w``: the side's weight):
    the move that puts the NBS on the target, pointing along ``tow``; the other side's move
    from equal gain, along ``tow_other``; and the gain.  (Rows come in pairs, side I's
    first: the other side's rows are those of side I plus ``other``.)"""
    other = 1 - side
    delta = abs(_target_gap(C, st, j, side, a) / w)
    r = delta * C[FI + side, j]  # the side's NBS shift
    r_other = r * C[RIJ + other, j]  # the other's: equal gain
    gain = abs(r_other * C[SIS + 2 * other, j] - r * C[SID + 2 * other, j])
    return np.copysign(delta, tow), np.copysign(r_other * C[KI + other, j], tow_other), gain


@njit(nogil=True, cache=True, inline="always")
def _numerator(C, st, j, side):
    """The NBS numerator's distance to the side's target, before the move: (t - NBS) S."""
    T = C[TI + side, j] * C[SI + side, j] - C[BI + side, j] - st[U + side, j]
    return T - C[WI + side, j] * st[XS + side, j]


@njit(nogil=True, cache=True, inline="always")
def _target_gap(C, st, j, side, a):
    """As `_numerator`, from the side actor's own updated position where it has one."""
    own = st[OWN + side, j]
    if own != own:
        return a
    T = C[TI + side, j] * C[SI + side, j] - C[BI + side, j] - st[U + side, j]
    return T - C[WI + side, j] * own


# The lookups of a realisation: which exchanges share an actor-issue key with the realised
# one.  ``orders[w]`` sorts the exchanges by key ``w`` (0: I's supply, 1: J's supply, 2: I's
# demand, 3: J's demand), ``bounds[w, key]`` .. ``bounds[w, key + 1]`` is the run of one key.
# What each realisation touches, in the order the updates are made:
#   supply: (side 0, key kIs), (0, kJs), (1, kIs), (1, kJs): the side's supply position moved;
#   demand: (index 3 -> slot 0, kJd), (2 -> 1, kJd) for actor I, (3 -> 0, kId), (2 -> 1, kId)
#   for actor J: the actor's voting position on the other's supply issue changed.


@njit(nogil=True, cache=True)
def affected(orders, bounds, alive, kIs, kJs, kId, kJd, mark):
    """The alive exchanges a realisation touches, sorted, each once.

    Each run of one key in ``orders[w]`` is in ascending order (a stable argsort of the keys),
    so the result is a merge of at most eight ascending runs, merged one at a time as they
    are collected (no general sort: numba's np.sort alone took about a second to compile)."""
    total = 0
    for which in range(4):
        for key in (kIs, kJs) if which < 2 else (kJd, kId):
            total += bounds[which, key + 1] - bounds[which, key]
    found = np.empty(total, dtype=np.intp)
    merged = np.empty(total, dtype=np.intp)
    count = 0
    for which in range(4):
        for key in (kIs, kJs) if which < 2 else (kJd, kId):
            start = count
            for q in range(bounds[which, key], bounds[which, key + 1]):
                i = orders[which, q]
                if alive[i] and not mark[i]:
                    mark[i] = True
                    found[count] = i
                    count += 1
            if start == 0 or count == start:
                continue
            # merge the sorted found[:start] with the new ascending run found[start:count]
            a, b, o = 0, start, 0
            while a < start and b < count:
                if found[a] < found[b]:
                    merged[o] = found[a]
                    a += 1
                else:
                    merged[o] = found[b]
                    b += 1
                o += 1
            while a < start:
                merged[o] = found[a]
                a += 1
                o += 1
            while b < count:
                merged[o] = found[b]
                b += 1
                o += 1
            for k in range(count):
                found[k] = merged[k]
    e = found[:count]
    for i in e:
        mark[i] = False
    return e


@njit(nogil=True, cache=True)
def apply_realised(orders, bounds, alive, kIs, kJs, kId, kJd, st, yI, yJ, code, track, src,
                   uI, uJ, usrcI, usrcJ, aI, aJ, actorI, actorJ, x0I, x0J, colI, colJ, w, xz):
    """Apply a realised exchange (actors ``actorI`` / ``actorJ`` now at ``yI`` / ``yJ`` on
    their supply issues ``colI`` / ``colJ``) to the exchanges it touches: new supply
    positions with the superseded move kept (Decide's move history), then the updates of
    the voting positions (`update`).  ``code`` (hybrid, ``track``): where the positions came
    from."""
    for side in range(2):
        for key, y, cd in ((kIs, yI, code), (kJs, yJ, code + 1)):
            for q in range(bounds[side, key], bounds[side, key + 1]):
                i = orders[side, q]
                if not alive[i]:
                    continue
                if track:
                    src[side, i] = cd
                mv = st[M + side, i]
                st[HSUM + side, i] += mv
                st[HMIN + side, i] = min(st[HMIN + side, i], mv)
                st[HMAX + side, i] = max(st[HMAX + side, i], mv)
                st[XS + side, i] = y
    for key, actor, x0, y, col, cd in ((kJd, actorI, x0I, yI, colI, code),
                                       (kId, actorJ, x0J, yJ, colJ, code + 1)):
        for which, slot in ((3, 0), (2, 1)):
            lo, hi = bounds[which, key], bounds[which, key + 1]
            if slot == 0:
                update(orders[which, lo:hi], alive, uI, st[U], st[OWN], aI, actor, x0, y,
                       w[actor, col], xz[actor, col], usrcI, cd, track)
            else:
                update(orders[which, lo:hi], alive, uJ, st[U + 1], st[OWN + 1], aJ, actor,
                       x0, y, w[actor, col], xz[actor, col], usrcJ, cd, track)


@njit(nogil=True, cache=True)
def update(idx, alive, u, others, own, owners, actor, x0, y, w, xa, usrc, code, track):
    """The alive exchanges of ``idx`` note that ``actor`` (start ``x0``) now votes ``y`` on
    their side's supply issue; an update already there stays when it lies between the start
    and ``y`` (Decide's update_updates).  ``others`` (the side's state row U) holds the sum
    of the others' updates times their weight ``w``, ``own`` the side actor's own update;
    ``usrc`` (when ``track``) where each update came from."""
    for i in idx:
        if not alive[i]:
            continue
        old = u[i, actor]
        if old == old:  # an earlier update
            if (x0 <= old and old < y) or (y < old and old < x0):
                continue
            prev = old
        else:
            prev = xa
        u[i, actor] = y
        if track:
            usrc[i, actor] = code
        if owners[i] == actor:
            own[i] = y
        else:
            others[i] += w * (y - prev)


@njit(nogil=True, cache=True)
def gather_sources(src, usrcI, usrcJ, e):
    """Copies of src[:, e], usrcI[e], usrcJ[e] (hybrid: where exchanges e's positions came
    from before a realisation changes them).  Element by element: numba compiles row
    assignment and fancy indexing slowly."""
    m = e.shape[0]
    actors = usrcI.shape[1]
    a = np.empty((2, m), dtype=np.intp)
    b = np.empty((m, actors), dtype=np.intp)
    c = np.empty((m, actors), dtype=np.intp)
    for k in range(m):
        j = e[k]
        a[0, k] = src[0, j]
        a[1, k] = src[1, j]
        for q in range(actors):
            b[k, q] = usrcI[j, q]
            c[k, q] = usrcJ[j, q]
    return a, b, c


@njit(nogil=True, cache=True)
def realise(r, yI, yJ, code, C, st, valid, gain_top, alive, orders, bounds, mark, keys,
            actors, supply, x0, w, xz, uI, uJ, track, src, usrcI, usrcJ, min_move, min_gain,
            edge_width):
    """Realise exchange r (its actors now at ``yI`` / ``yJ``) and recalculate the exchanges it
    touches, in one call: `affected`, the sources before (hybrid), `apply_realised`,
    `calculate`, and the touched exchanges' entries of ``alive`` and ``gain_top`` (their gain
    when valid, else -inf).  ``keys`` (4, m): kIs, kJs, kId, kJd; ``actors`` (2, m): aI, aJ;
    ``supply`` (2, m): sI, sJ; ``x0`` (2, m): x0I, x0J.  Returns (e, gains before, sources
    before (3 arrays; empty unless hybrid), flags, edge) as `calculate` leaves them.
    ``track``: a hybrid run (sources kept, knife edges flagged)."""
    kIs, kJs, kId, kJd = keys[0, r], keys[1, r], keys[2, r], keys[3, r]
    e = affected(orders, bounds, alive, kIs, kJs, kId, kJd, mark)
    n = e.shape[0]
    if track:
        s0, s1, s2 = gather_sources(src, usrcI, usrcJ, e)
    else:
        s0 = np.empty((2, 0), dtype=np.intp)
        s1 = np.empty((0, 0), dtype=np.intp)
        s2 = np.empty((0, 0), dtype=np.intp)
    apply_realised(orders, bounds, alive, kIs, kJs, kId, kJd, st, yI, yJ, code, track, src,
                   uI, uJ, usrcI, usrcJ, actors[0], actors[1], actors[0, r], actors[1, r],
                   x0[0, r], x0[1, r], supply[0, r], supply[1, r], w, xz)
    old = np.empty(n)
    for k in range(n):
        old[k] = st[GAIN, e[k]]
    flags = np.empty(n, dtype=np.int8)
    edge = np.empty(n, dtype=np.bool_)
    if n:
        calculate(C, st, valid, e, track, min_move, min_gain, edge_width, flags, edge)
    for k in range(n):
        j = e[k]
        alive[j] = valid[j]
        gain_top[j] = st[GAIN, j] if valid[j] else -np.inf
    return e, old, s0, s1, s2, flags, edge


def warm_up() -> None:
    """Compile `calculate` and `realise` (or load them from numba's cache) for the argument
    types `float_round.FloatRound` passes: C-ordered float64, intp, int8 and bool arrays, Python
    ints, floats and bools.  One exchange, not alive: nothing is computed."""
    m, actors, keys = 1, 1, 1
    C = np.zeros((CONSTANT_ROWS, m))
    st = np.zeros((STATE_ROWS, m))
    valid = np.zeros(m, dtype=np.bool_)
    e = np.zeros(0, dtype=np.intp)
    calculate(C, st, valid, e, True, 1e-10, 1e-10, 1e-9, np.empty(0, dtype=np.int8),
              np.empty(0, dtype=np.bool_))
    ints = np.zeros((4, m), dtype=np.intp)
    bounds = np.zeros((4, keys + 1), dtype=np.intp)
    bounds[:, 1] = 1
    u = np.full((m, actors), np.nan)
    src = np.full((2, m), -1, dtype=np.intp)
    usrc = np.full((m, actors), -1, dtype=np.intp)
    realise(0, 0.0, 0.0, 0, C, st, valid, np.full(m, -np.inf), np.zeros(m, dtype=np.bool_),
            ints, bounds, np.zeros(m, dtype=np.bool_), ints.copy(), ints[:2].copy(),
            ints[:2].copy(), np.zeros((2, m)), np.zeros((actors, 1)), np.zeros((actors, 1)), u,
            u.copy(), True, src, usrc, usrc.copy(), 1e-10, 1e-10, 1e-9)

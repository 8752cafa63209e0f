"""Which exchanges a round considers: Decide's candidate pairs and their roles.

For every pair of issues (p, q), p before q in file order, the actors with a position on both
fall into four groups by their side of each issue's NBS (left: x <= NBS): a (right on both),
b (left on p only), c (left on q only), d (left on both).  The candidates are every actor of
a with every actor of d, then every actor of b with every actor of c, in actor order: two
actors on opposite sides of both NBS.  Of such a pair the actor with the lower s_p / s_q gives
way on q: it is side I (supplies q, demands p), the other side J (supplies p, demands q).
docs/exchange.md, section 2; Decide's ``determine_groups_and_calculate_exchanges`` and
``AbstractExchange.__init__``.
"""

from __future__ import annotations

import numpy as np

SIDE_EDGE = 1e-12  # hybrid: a position this close to the NBS (relative) is sided in Decimal


def opposed_pairs(t, td=None):
    """The candidate exchanges of tables ``t`` (`tables.Tables`) in the order Decide builds
    them, as arrays (i, j, p, q).  ``td``: the Decimal tables of a hybrid run, which decide
    the side of every position within `SIDE_EDGE` (relative, at least 1e-12 on the 0-100
    scale) of the float NBS: the float NBS of a position that is exactly on the Decimal NBS
    may fall a rounding error either side of it (49.99999999999999 for 50)."""
    x, has = t.x, t.has
    P = has.shape[1]
    nbs = t.nbs[None, :]
    left = has & np.asarray(x <= nbs, dtype=bool)
    if td is not None:  # hybrid: where the floats are (nearly) equal, Decimal decides
        with np.errstate(invalid="ignore"):
            near = has & (np.abs(x - nbs) <= SIDE_EDGE * np.maximum(np.abs(nbs), 1.0))
        for a, p in zip(*np.nonzero(near), strict=True):
            left[a, p] = td.x[a, p] <= td.nbs[p]
    pairs = [(p, q) for p in range(P) for q in range(p + 1, P)]
    pp = np.array([p for p, _ in pairs], dtype=np.intp)
    qq = np.array([q for _, q in pairs], dtype=np.intp)
    both = has[:, pp] & has[:, qq]  # (A, pairs)
    code = left[:, pp].astype(np.int8) + 2 * left[:, qq].astype(np.int8)
    code = np.where(both, code, -1).T  # (pairs, A)
    # (pair, block, i, j): block 0 = groups a x d, block 1 = b x c
    ad = (code[:, :, None] == 0) & (code[:, None, :] == 3)
    bc = (code[:, :, None] == 1) & (code[:, None, :] == 2)
    kk, _, ii, jj = np.nonzero(np.stack([ad, bc], axis=1))
    return ii, jj, pp[kk], qq[kk]


def candidate_exchanges(t, td=None):
    """The candidate exchanges of tables ``t`` with their roles: arrays (aI, aJ, sI, sJ),
    actor aI supplying issue sI (= q) and aJ supplying sJ (= p), in Decide's order.
    ``td``: the Decimal tables of a hybrid run, which decide where the float positions are
    within `SIDE_EDGE` of the NBS (`opposed_pairs`) and where the two actors' salience
    ratios are within 1e-12 of each other."""
    ii, jj, p, q = opposed_pairs(t, td)
    sal = t.s
    with np.errstate(divide="ignore", invalid="ignore"):
        ri, rj = sal[ii, p] / sal[ii, q], sal[jj, p] / sal[jj, q]
        swap = np.asarray(ri < rj, dtype=bool)
        if td is not None:  # near-equal ratios: Decimal decides
            ds = td.s
            for k in np.flatnonzero(np.abs(ri - rj) <= 1e-12 * np.abs(ri)):
                i_, j_, p_, q_ = ii[k], jj[k], p[k], q[k]
                swap[k] = ds[i_, p_] / ds[i_, q_] < ds[j_, p_] / ds[j_, q_]
    aI = np.where(swap, jj, ii)  # supplies q
    aJ = np.where(swap, ii, jj)  # supplies p
    return aI, aJ, q, p

"""Decide's order among exchanges of equal gain.

Decide sorts its list of exchanges by gain before every realisation (Python's stable sort,
highest first) and makes the first.  So two exchanges of equal gain stand in the order of
their gains at the realisation before, and so on back to the order they were built in
(docs/exchange.md, section 3).  `ranked` reproduces that order for a group of (near-)tied
candidates from the log of the round's realisations, without keeping Decide's list.

>>> ranked([3, 5], {3: 1.0, 5: 1.0}, [(np.array([5]), np.array([2.0]), None)], {5: [0]})
[5, 3]
"""

from __future__ import annotations

import numpy as np


def ranked(cands, gains, log, touched: dict[int, list[int]], now: dict | None = None,
            rd=None) -> list[int]:
    """``cands`` in the order of Decide's list of exchanges.  Decide sorts the list by gain
    (stable sort, highest first) before each realisation, so two exchanges stand by their
    gain now, then by their gain at the realisation before, and so on back to the order
    they were built in.  ``log`` holds, per realisation, the exchanges recalculated and their
    gains before; ``touched[c]`` the realisations (indices into ``log``) that recalculated
    exchange c; ``now`` overrides the current gains (the Decimal ones of a hybrid run),
    where ``rd`` recomputes the earlier ones in Decimal from the sources the log keeps."""
    cands = [int(c) for c in cands]
    vals = {c: (now[c] if now is not None else gains[c]) for c in cands}
    keys = {c: [vals[c]] for c in cands}
    # the candidates whose keys are still equal, refined as the keys grow: the keys are all
    # distinct when every group is a singleton
    groups = refine([cands], vals)
    # Only the realisations that recalculated a candidate can tell candidates apart: at the
    # others every candidate's key repeats its last value, which orders nothing.
    times = sorted({i for c in cands for i in touched.get(c, ())}, reverse=True)

    for i in times:
        if not groups:
            break
        e, old, snap = log[i]
        if len(e):
            pos = np.searchsorted(e, cands)
            for c, p_ in zip(cands, pos, strict=True):
                if p_ < len(e) and e[p_] == c:
                    if rd is not None:
                        src, uI, uJ = snap
                        vals[c] = rd.exact(c, (src[0, p_], src[1, p_], uI[p_], uJ[p_]))[0]
                    else:
                        vals[c] = old[p_]
        for c in cands:
            keys[c].append(vals[c])
        groups = refine(groups, vals)
    return sorted(cands, key=lambda c: ([-v for v in keys[c]], c))


def refine(groups: list[list[int]], vals: dict) -> list[list[int]]:
    """Split each group by ``vals``; keep the parts of more than one candidate."""
    out = []
    for grp in groups:
        parts: dict = {}
        for c in grp:
            parts.setdefault(vals[c], []).append(c)
        out += [g for g in parts.values() if len(g) > 1]
    return out

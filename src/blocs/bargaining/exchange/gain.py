"""One exchange's moves, gain and validity: the Equal Gain calculation, stated once.

Stokman & Van Oosten's exchange of voting positions in Decide's Equal Gain form
(``EqualGainExchange.calculate``; docs/exchange.md, section 2).  Side I supplies issue q and
demands p, side J supplies p and demands q; each moves its supply position towards the
other's position there (its *target* t).  A move m of an actor of weight w = c s shifts the
issue's NBS by r = m w / S.  First J moves all the way to I's position on p and I moves what
gives both the same gain; if I would then pass J's position on q, I moves all the way and J
what that is worth.  Then Decide's ``check_nbs``, I's side first: a move that would carry its
issue's NBS past the other actor's position is cut to put the NBS exactly there, and the
other's move follows from equal gain.  Both moves must pass ``is_move_valid``
(`move_valid`), and the gain must reach `MIN_GAIN`.

`equal_gain` is written in Decide's order of operations and computes in the numbers it is
given: Decimal for the "decimal" arithmetic (`decimal_round`) and for the hybrid's exact
recomputations (`float_round`), so that each intermediate is the Decimal Decide computes.
The float64 engine runs a compiled copy (`kernel.calculate`, formulas rearranged for speed)
that tests/test_exchange.py holds to this statement.

Two actors, power 1: I at 20 on q (salience 0.4; 0.6 on p), J at 80 on p (salience 0.8;
0.2 on q); J stands at 100 on q, I at 0 on p.  I moves all the way (to 100), J from 80 to 40:

>>> sides = ((100.0, 0.4, 0.6, 1.0, 0.6), (0.0, 0.8, 0.2, 1.0, 1.4))
>>> def numerator(side, own, own_update_wins):  # own x s c + the other actor's x s c
...     return own * (0.4, 0.8)[side] + (100.0 * 0.2, 0.0)[side]
>>> none = (0, float("inf"), float("-inf"))  # no earlier moves
>>> gain, m_i, m_j, valid = equal_gain(sides, 20.0, 80.0, numerator, history=(none, none))
>>> round(gain, 6), round(m_i, 6), round(m_j, 6), valid
(7.619048, 80.0, -40.0, True)
"""

from __future__ import annotations

from collections.abc import Callable

from blocs.bargaining.exchange.tables import Tables

MIN_MOVE = 1e-10  # moves of at most this size are no moves (Decide: is_move_valid)
MIN_GAIN = 1e-10  # exchanges that gain less are not made (Decide: EqualGainExchange.calculate)


def move_valid(move, xs, hsum, hmin, hmax) -> bool:
    """Decide's ``is_move_valid`` for one side: a real move of at most 100, its voting
    position ``xs + move`` inside [0, 100], and with the side's earlier proposed moves in this
    exchange (their sum, min and max; none: 0, inf, -inf) at most 100 in all and all in one
    direction.  In the numbers given: the hybrid's Decimal checks pass the earlier moves in
    Decimal too (`float_round.FloatRound.exact`).  The compiled copy: `kernel._side_ok`."""
    mag = abs(move)
    y = xs + move
    return bool(mag <= 100 and mag > MIN_MOVE and y >= 0 and y <= 100 and not hsum + move > 100
                and (max(hmax, move) < 0 or min(hmin, move) > 0))


def equal_gain(sides, xsI, xsJ, numerator: Callable, history=None, cuts=None):
    """One exchange from its supply positions ``xsI``, ``xsJ``: (gain, move I, move J, valid).

    ``sides``: per side (I, J) its (target, supply salience, demand salience, power on the
    supply issue, S of the supply issue); I's target is J's position on q, J's is I's
    position on p.  ``numerator(side, own, own_update_wins)``: Decide's adjusted NBS
    numerator of the side's supply issue with the side's actor at ``own``, the other actors
    at the positions this exchange has learnt of (or their round-start ones); where the
    side's own actor has a learnt position too, ``own`` wins unless ``own_update_wins``
    (Decide's adjusted_nbs and adjusted_nbs_by_position).  ``history``: per side the earlier
    moves (sum, min, max) for `move_valid`; None: the exchange is taken to pass the first
    validity test and ``valid`` is None.
    ``cuts`` (cut I, cut J): check_nbs's decisions where they are known (the hybrid's floats,
    away from a knife edge), which spares the sums that would test them."""
    (tI, sIs, sId, cIs, SI), (tJ, sJs, sJd, cJs, SJ) = sides
    # J moves all the way to I's position on p; I's move on q gives the same gain ...
    distJ = abs(tJ - xsJ)
    dp = distJ * sJs * cJs / SJ
    dq = (sJs + sId) / (sJd + sIs) * dp
    mI = dq * SI / (cIs * sIs)
    mJ = distJ
    # ... unless I would pass J's position on q: then I moves all the way
    distI = abs(tI - xsI)
    if abs(mI) > distI:
        dq = distI * sIs * cIs / SI
        dp = (sIs + sJd) / (sId + sJs) * dq
        mI = distI
        mJ = dp * SJ / (cJs * sJs)
    if xsI > tI:
        mI = -mI
    if xsJ > tJ:
        mJ = -mJ
    gain = abs(dq * sIs - dp * sId)
    if history is not None and not (_both_valid(mI, mJ, xsI, xsJ, history)
                                    and not gain < MIN_GAIN):
        return gain, mI, mJ, False
    # check_nbs, for I then for J: the side's move may not carry the NBS of its supply issue
    # past the other actor's position there; if it would, it is cut to put the NBS exactly on
    # that position and the other side's move follows from equal gain.
    for side in (0, 1):
        other = 1 - side
        t, sX, sXd, cX, S = sides[side]
        tO, sO, sOd, cO, SO = sides[other]
        xs, m = (xsI, mI) if side == 0 else (xsJ, mJ)
        xsO = xsJ if side == 0 else xsI
        if cuts is not None:
            if not cuts[side]:
                continue
        else:
            a = t - numerator(side, xs, False) / S
            b = t - numerator(side, xs + m, False) / S
            if (a >= 0 and b >= 0) or (a <= 0 and b <= 0):
                continue
        delta = abs((t * S - numerator(side, xs, True)) / (sX * cX))
        rX = delta * sX * cX / S
        rO = (sX + sOd) / (sXd + sO) * rX
        mO = abs(rO * SO / (cO * sO))
        if xsO > tO:
            mO = -mO
        mX = -delta if xs > t else delta
        gain = abs(rO * sO - rX * sOd)
        mI, mJ = (mX, mO) if side == 0 else (mO, mX)
    valid = None if history is None else _both_valid(mI, mJ, xsI, xsJ, history)
    return gain, mI, mJ, valid


def _both_valid(mI, mJ, xsI, xsJ, history) -> bool:
    """`move_valid` for both sides (``history``: the sides' earlier moves)."""
    (hsI, loI, hiI), (hsJ, loJ, hiJ) = history
    return move_valid(mI, xsI, hsI, loI, hiI) and move_valid(mJ, xsJ, hsJ, loJ, hiJ)


class Calculator:
    """A round's tables (`tables.Tables`) as Python lists, to calculate single exchanges
    with `equal_gain` in the tables' numbers (Decimal in the decimal and hybrid arithmetic).
    """

    def __init__(self, t: Tables):
        self.td = t
        A, P = t.has.shape
        self.x = t.x.tolist()
        self.s = t.s.tolist()
        self.c = t.c.tolist()
        self.S = list(t.S)
        self.order = [list(map(int, o)) for o in t.order]
        self.term = [[self.x[a][p] * self.s[a][p] * self.c[a][p] for p in range(P)]
                     for a in range(A)]

    def numerator(self, issue: int, me: int, own, updates: dict, own_update_wins: bool):
        """Decide's adjusted NBS numerator of ``issue``: sum x s c over its actors in #D
        order, each at its round-start position or its learnt one (``updates``: actor ->
        position), the actor ``me`` at ``own`` (at its learnt position instead when it has
        one and ``own_update_wins``)."""
        tot = 0
        s, c, term = self.s, self.c, self.term
        for a in self.order[issue]:
            if a == me and not (own_update_wins and a in updates):
                pos = own
            elif a in updates:
                pos = updates[a]
            else:
                tot = tot + term[a][issue]
                continue
            tot = tot + pos * s[a][issue] * c[a][issue]
        return tot

    def calc(self, aI: int, aJ: int, q: int, p: int, xsI, xsJ, uI: dict, uJ: dict,
             history=None, cuts=None):
        """`equal_gain` of the exchange in which actor aI supplies q and aJ supplies p, from
        supply positions xsI, xsJ and the positions learnt on q (``uI``) and p (``uJ``)."""
        x, s, c = self.x, self.s, self.c
        sides = ((x[aJ][q], s[aI][q], s[aI][p], c[aI][q], self.S[q]),
                 (x[aI][p], s[aJ][p], s[aJ][q], c[aJ][p], self.S[p]))
        who = ((aI, q, uI), (aJ, p, uJ))

        def numerator(side, own, own_update_wins):
            me, issue, updates = who[side]
            return self.numerator(issue, me, own, updates, own_update_wins)

        return equal_gain(sides, xsI, xsJ, numerator, history, cuts)

"""REX: Decide's randomised exchange rates (``--p``), on the float64 engine.

Decide's ``EqualGainModel(randomized_value=p)``: with p > 0 every exchange that is
(re)calculated and found valid gets its exchange rates redrawn, one side's gain drawn above or
below the equal gain (docs/exchange.md, section 4, has the equations and Decide's quirks,
which this follows).  `Rex` reads an exchange's column of the float engine's tables
(`table_rows`); `float_round.FloatRound` calls `Rex.apply` after each recalculation.
tools/decide_rex_reference.py runs Decide's own REX with given draws for comparison.
"""

from __future__ import annotations

import numpy as np

from blocs.bargaining.exchange.gain import move_valid
from blocs.bargaining.exchange.table_rows import (
    BI,
    DI,
    HMAX,
    HMIN,
    HSUM,
    OWN,
    SI,
    SID,
    SIS,
    TI,
    WI,
    XS,
    U,
)


class Rex:
    """Decide's randomised Equal Gain (REX, ``randomized_value`` p > 0): after an exchange
    is (re)calculated and found valid, three numbers u, v, z ~ U(0, 1) are drawn (in that
    order, from ``rng``); u < 0.5 picks side I, else side J, as the actor X whose gain is
    drawn: with probability 1/2 (v < 0.5) it wins a share p z of the room up to its maximum
    gain, else it loses a share p z of the equal gain.  X moves all the way to the other's
    position; the other's move follows from X's drawn gain.  The exchange keeps its equal
    gain for the order of realisation (Decide sorts on it); the moves, the voting positions
    and the validity are the drawn ones.  docs/exchange.md, section 4, has the equations
    and Decide's quirks, which this follows."""

    def __init__(self, p: float, rng: np.random.Generator):
        self.p, self.rng = float(p), rng

    @staticmethod
    def _side(c, s, x):
        """Side x's numbers: supply position, target (the other's position on the supply
        issue), own position on the demand issue, saliences (supply, demand), W = s c, the
        NBS denominator S, the NBS numerator without the own actor (start + updates), and
        the own actor's update (NaN: none)."""
        return (float(s[XS + x]), float(c[TI + x]), float(c[DI + x]),
                float(c[SIS + 2 * x]), float(c[SID + 2 * x]), float(c[WI + x]),
                float(c[SI + x]), float(c[BI + x] + s[U + x]), float(s[OWN + x]))

    @staticmethod
    def max_eu(c, s, mI: float, mJ: float) -> tuple[float, float]:
        """Decide's calculate_maximum_utility: the maximum gains (eu_max) of sides I, J."""
        xsI, tI, dI, sIs, sId, wI, S_I, rI, _ = Rex._side(c, s, 0)
        xsJ, tJ, dJ, sJs, sJd, wJ, S_J, rJ, _ = Rex._side(c, s, 1)
        yI, yJ = xsI + mI, xsJ + mJ
        # Decide compares the demand position with the voting position on the supply issue
        i_par, j_par = dI == yI, dJ == yJ
        dnI = abs((rI + wI * xsI) / S_I - (rI + wI * (yI if i_par else tI)) / S_I)
        dnJ = abs((rJ + wJ * xsJ) / S_J - (rJ + wJ * (yJ if j_par else tJ)) / S_J)
        loss1, gain2 = dnJ * sJs, dnJ * sId  # "actor 1" is J, "actor 2" is I
        loss2, gain1 = dnI * sIs, dnI * sJd
        over = None
        if i_par and gain1 - loss1 > 0:
            over = gain2 - (loss1 / sJd) * sIs
        if j_par and gain2 - loss2 > 0:
            over = gain1 - (loss2 / sId) * sJs
        if gain2 > gain1:  # the actor is J, its opposite I
            gain, loss, a_s, o_d = gain1, loss2, sJs, sId
        else:
            gain, loss, a_s, o_d = gain2, loss1, sIs, sJd
        sh = a_s / (a_s + o_d)
        d2u1 = loss / (sh * o_d)
        d2u2 = gain / (sh * a_s)
        eu_opp = over if over else sh * o_d * d2u2 - loss
        eu_act = gain - sh * a_s * d2u1
        return (eu_opp, eu_act) if gain2 > gain1 else (eu_act, eu_opp)

    def apply(self, c, s, mI: float, mJ: float, eu: float) -> tuple[bool, float, float]:
        """One (re)calculated, valid exchange: draw u, v, z; (valid, move I, move J)."""
        u, v, z = self.rng.random(3).tolist()
        return self.randomised(c, s, mI, mJ, eu, self.p, u, v, z)

    @staticmethod
    def randomised(c, s, mI, mJ, eu, p, u, v, z) -> tuple[bool, float, float]:
        """Decide's randomized_gain for given u, v, z."""
        eu_max = Rex.max_eu(c, s, mI, mJ)
        x = 0 if u < 0.5 else 1  # the side whose gain is drawn; o the other
        o = 1 - x
        xs, tX, _, sXs, sXd, wX, SX, rX, ownX = Rex._side(c, s, x)
        xo, tO, _, _, _, wO, SO, _, _ = Rex._side(c, s, o)
        if v < 0.5:  # wins
            eui = eu + p * z * (eu_max[x] - eu)
        else:  # loses
            eui = eu - p * z * eu
        dist_x = abs(xs - tX)
        move_x = dist_x
        rq = move_x * wX / SX  # X's exchange ratio on its supply issue
        rp = (eui + rq * sXs) / sXd  # the other's, from X's drawn gain
        move_o = rp * SO / wO
        dist_o = abs(xo - tO)
        if abs(move_o) > dist_o:  # the other would overshoot: it moves all the way
            rp = dist_o * wO / SO
            rq = abs((eui - rp * sXd) / sXs)
            move_o = dist_o
            move_x = rq * SX / wX
            # Decide then checks the other's NBS against a copy of itself: it always passes
        else:
            # X's move may not carry the NBS of its supply issue past the other's position
            move_xa = -move_x if xs > tX else move_x
            nbs0 = (rX + wX * xs) / SX
            nbs1 = (rX + wX * (xs + move_xa)) / SX
            if not ((tX >= nbs0 and tX >= nbs1) or (tX <= nbs0 and tX <= nbs1)):
                xpos = ownX if ownX == ownX else xs
                delta = abs((tX * SX - rX - wX * xpos) / wX)
                rq = delta * wX / SX
                rp = (eui + rq * sXs) / sXd
                move_o = rp * SO / wO
                # Decide keeps X's signed uncut move here (and signs it once more below)
                move_x = move_xa
        if xs > tX:
            move_x = -move_x
        if xo > tO:
            move_o = -move_o
        hist = [(float(s[HSUM + k]), float(s[HMIN + k]), float(s[HMAX + k]))
                for k in (0, 1)]
        ok = move_valid(move_x, xs, *hist[x]) and move_valid(move_o, xo, *hist[o])
        return (ok, move_x, move_o) if x == 0 else (ok, move_o, move_x)

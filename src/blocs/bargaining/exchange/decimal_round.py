"""The Decimal engine: a round's candidate exchanges, all in Decimal as Decide computes them.

``arithmetic="decimal"``: every calculation is `gain.equal_gain` in Decimal with Decide's
order of operations, so each number is the one Decide computes (slow; the reference the
hybrid arithmetic is checked against).  Roles as Decide names them: side I supplies issue q
(moves on q towards J's position) and demands p; side J supplies p and demands q.  Per side
the engine keeps its actor and supply issue, its current supply position ``xs``, the move now
proposed (``m``; voting position ``y = xs + m``), its earlier proposed moves (Decide's
``moves`` list less its last entry: sum, min, max, which the validity test reads), and the
positions this exchange has learnt of other actors on its supply issue (*updates*).  Each
realisation changes the exchanges that share an actor-issue with it (docs/exchange.md,
section 2, "Realisation") and recalculates them.
"""

from __future__ import annotations

from decimal import Decimal
from math import inf

import numpy as np

from blocs.bargaining.exchange.gain import Calculator
from blocs.bargaining.exchange.pairs import candidate_exchanges
from blocs.bargaining.exchange.tables import Tables


def keeps_update(x0, old, y) -> bool:
    """Decide's update_updates: a learnt position ``old`` of an actor that moves from ``x0``
    to ``y`` stays when it lies between the two (`kernel.update` has the compiled copy)."""
    return bool(old < y) if x0 <= old else bool(old > y)


class DecimalRound:
    """The candidate exchanges of one round (``t``: the round's Decimal `tables.Tables`), in
    Decide's order, with their moves, gains and validity; `realise` makes one."""

    decimal_gains = True  # the gains are Decimals (ties: `rounds.play`)
    snap = None  # (the hybrid's record of sources: none here)

    def __init__(self, t: Tables):
        self.t = t
        self.calc = Calculator(t)
        aI, aJ, q, p = candidate_exchanges(t)
        self.count = m = len(aI)
        P = t.has.shape[1]
        self.aI, self.aJ, self.sI, self.sJ = aI, aJ, q, p
        self._ids = list(zip(aI.tolist(), aJ.tolist(), q.tolist(), p.tolist(), strict=True))
        self.x0I, self.x0J = t.x[aI, q], t.x[aJ, p]
        self.kIs, self.kJs = aI * P + q, aJ * P + p  # actor-issue keys: supply ...
        self.kId, self.kJd = aI * P + p, aJ * P + q  # ... and demand of each side
        self.xsI, self.xsJ = self.x0I.tolist(), self.x0J.tolist()
        self.hI = [[Decimal(0), inf, -inf] for _ in range(m)]  # earlier moves: sum, min, max
        self.hJ = [[Decimal(0), inf, -inf] for _ in range(m)]
        self.uI: list[dict] = [{} for _ in range(m)]  # learnt positions on the supply issue
        self.uJ: list[dict] = [{} for _ in range(m)]
        self.mI, self.mJ = np.empty(m, dtype=object), np.empty(m, dtype=object)
        self.yI, self.yJ = np.empty(m, dtype=object), np.empty(m, dtype=object)
        self.gain = np.empty(m, dtype=object)
        self.valid = np.zeros(m, dtype=bool)
        self.calculate(np.arange(m))

    def calculate(self, e: np.ndarray) -> None:
        """(Re)compute exchanges ``e`` from their current supply positions and updates."""
        for j in np.asarray(e).tolist():
            aI, aJ, q, p = self._ids[j]
            xsI, xsJ = self.xsI[j], self.xsJ[j]
            gain, mI, mJ, ok = self.calc.calc(aI, aJ, q, p, xsI, xsJ, self.uI[j], self.uJ[j],
                                              (self.hI[j], self.hJ[j]))
            self.mI[j], self.mJ[j], self.yI[j], self.yJ[j] = mI, mJ, xsI + mI, xsJ + mJ
            self.gain[j], self.valid[j] = gain, ok

    def realise(self, r: int, alive: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Realise exchange ``r``: recalculate the live exchanges it touches and renew their
        entries of ``alive`` and ``g`` (gain as a float when valid, else -inf).  Returns
        (the touched exchanges, their gains before)."""
        kIs, kJs, kId, kJd = self.kIs[r], self.kJs[r], self.kId[r], self.kJd[r]
        yI, yJ = self.yI[r], self.yJ[r]
        # a side whose actor-issue r's side supplied: its position is now r's voting position
        sI_I = alive & (self.kIs == kIs)
        sI_J = alive & (self.kIs == kJs)
        sJ_I = alive & (self.kJs == kIs)
        sJ_J = alive & (self.kJs == kJs)
        # a side with r's side's actor and demand issue: notes the new position of r's other
        # actor on that issue (the issue this exchange's other side supplies)
        dA_I = alive & (self.kJd == kJd)
        dA_J = alive & (self.kId == kJd)
        dB_I = alive & (self.kJd == kId)
        dB_J = alive & (self.kId == kId)
        touched = sI_I | sI_J | sJ_I | sJ_J | dA_I | dA_J | dB_I | dB_J
        e = np.flatnonzero(touched)
        if len(e) == 0:
            return e, self.gain[e]
        # Decide keeps the superseded move of a side whose supply position changed
        for hist, xs, moves, masks in ((self.hI, self.xsI, self.mI, (sI_I, sI_J)),
                                       (self.hJ, self.xsJ, self.mJ, (sJ_I, sJ_J))):
            for mask, y in zip(masks, (yI, yJ), strict=True):
                for j in np.flatnonzero(mask).tolist():
                    h, move = hist[j], moves[j]
                    h[0], h[1], h[2] = h[0] + move, min(h[1], move), max(h[2], move)
                    xs[j] = y
        aI, aJ = int(self.aI[r]), int(self.aJ[r])
        for mask, learnt, actor, x0, y in ((dA_I, self.uI, aI, self.x0I[r], yI),
                                           (dA_J, self.uJ, aI, self.x0I[r], yI),
                                           (dB_I, self.uI, aJ, self.x0J[r], yJ),
                                           (dB_J, self.uJ, aJ, self.x0J[r], yJ)):
            for j in np.flatnonzero(mask).tolist():
                u = learnt[j]
                if not (actor in u and keeps_update(x0, u[actor], y)):
                    u[actor] = y
        old = self.gain[e].copy()
        self.calculate(e)
        alive[e] = self.valid[e]
        g[e] = [float(self.gain[j]) if self.valid[j] else -np.inf for j in e.tolist()]
        return e, old

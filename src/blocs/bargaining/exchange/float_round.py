"""The float64 engine: a round's candidate exchanges in two tables, recalculated compiled.

The same model as `decimal_round` (Decide's Equal Gain round: docs/exchange.md, section 2),
arranged for speed: every candidate's constants and state in one column of the tables ``C``
and ``st`` (`table_rows`), each realisation one compiled call (`kernel.realise`: the touched
exchanges found through an index of actor-issue keys, their supply positions, move histories
and learnt positions updated, and their moves and gains recalculated).  In the hybrid
arithmetic (``shadow``) it also records where every supply position and learnt position came
from, so that `gain.equal_gain` can recompute in Decimal, as Decide computes, each realised
exchange, each near tie, and each exchange whose floats land at a knife edge (within `EDGE`
of a threshold).  With ``rex`` it draws REX's rates (`rex`).
"""

from __future__ import annotations

from decimal import Decimal
from math import inf

import numpy as np

from blocs.bargaining.exchange import table_rows as row
from blocs.bargaining.exchange.gain import MIN_GAIN, MIN_MOVE, Calculator
from blocs.bargaining.exchange.pairs import candidate_exchanges
from blocs.bargaining.exchange.rex import Rex
from blocs.bargaining.exchange.tables import Tables

EDGE = 1e-9  # hybrid: float quantities this close to a threshold are settled in Decimal


def compiled_kernel():
    """The compiled float64 work (`kernel`), compiled on first use (numba: a few seconds
    once after installation, then loaded from numba's cache; `blocs.bargaining.kernels`)."""
    from blocs.bargaining import kernels

    return kernels.exchange_kernels()


class FloatRound:
    """The candidate exchanges of one round in float64 (``arithmetic="float"``), or in float64
    with the Decimal recomputations of the hybrid (``shadow``: a `gain.Calculator` on the
    round's Decimal tables), or with REX's draws (``rex``).  Roles and keys as in
    `decimal_round.DecimalRound`; the numbers in the tables ``C`` and ``st`` (`table_rows`).
    """

    decimal_gains = False  # the gains are floats (ties: `rounds.play`)

    def __init__(self, t: Tables, shadow: Calculator | None = None, rex: Rex | None = None):
        self.t = t
        self.shadow = shadow
        self.rex = rex
        x, sal, pw, has = t.x, t.s, t.c, t.has
        A, P = has.shape
        self.A, self.P = A, P
        aI, aJ, q, p = candidate_exchanges(t, shadow.td if shadow else None)
        self.count = m = len(aI)
        self.aI, self.aJ, self.sI, self.sJ = aI, aJ, q, p
        sIs, sId, cIs = sal[aI, q], sal[aI, p], pw[aI, q]
        sJs, sJd, cJs = sal[aJ, p], sal[aJ, q], pw[aJ, p]
        S_I, S_J = t.S[q], t.S[p]
        wI, wJ = t.w[aI, q], t.w[aJ, p]
        self.x0I, self.x0J = x[aI, q], x[aJ, p]
        C = np.empty((row.CONSTANT_ROWS, m))
        C[row.DI], C[row.DJ] = x[aI, p], x[aJ, q]
        C[row.TI], C[row.TJ] = C[row.DJ], C[row.DI]  # each side's target: the other's position
        with np.errstate(divide="ignore", invalid="ignore"):
            C[row.FI], C[row.FJ] = sIs * cIs / S_I, sJs * cJs / S_J
            C[row.KI], C[row.KJ] = S_I / (cIs * sIs), S_J / (cJs * sJs)
            C[row.RIJ] = (sJs + sId) / (sJd + sIs)
            C[row.RJI] = (sIs + sJd) / (sId + sJs)
        C[row.SIS], C[row.SID], C[row.SJS], C[row.SJD] = sIs, sId, sJs, sJd
        C[row.BI], C[row.BJ] = t.N[q] - wI * self.x0I, t.N[p] - wJ * self.x0J
        C[row.WI], C[row.WJ], C[row.SI], C[row.SJ] = wI, wJ, S_I, S_J
        # gain per unit of dp: |dq s_Iq - dp s_Ip| = dp |s_Jp s_Iq - s_Ip s_Jq| / (s_Iq + s_Jq)
        C[row.G] = np.abs(sJs * sIs - sId * sJd) / (sIs + sJd)
        self.C = C
        st = np.zeros((row.STATE_ROWS, m))
        st[row.XS], st[row.XS + 1] = self.x0I, self.x0J
        st[row.HMIN:row.HMIN + 2] = np.inf
        st[row.HMAX:row.HMAX + 2] = -np.inf
        st[row.OWN:row.OWN + 2] = np.nan
        self.st = st
        self.uI = np.full((m, A), np.nan)  # updates of I's supply issue, by actor
        self.uJ = np.full((m, A), np.nan)
        self.valid = np.zeros(m, dtype=bool)
        if shadow is not None:
            # where each supply position and update came from: -1 the round's start, else
            # 2 t + side of the t-th realised exchange (its Decimal value in ``ydec``)
            self.src = np.full((2, m), -1, dtype=np.intp)
            self.usrc = (np.full((m, A), -1, dtype=np.intp), np.full((m, A), -1, dtype=np.intp))
            self.ydec: list = []
            self.dec: dict[int, tuple] = {}  # realised: (gain, xI, yI, xJ, yJ) in Decimal
            self.flags = np.zeros(m, dtype=np.int8)  # which sides the floats cut (4: unsure)
            # per realisation: (the exchange, the exchanges it touched, their sources before)
            self.log: list[tuple] = []
            self._moves: dict[tuple[int, int], tuple] = {}  # (step, k): k's moves in Decimal
        self._k = compiled_kernel()  # numba: compiled on first use
        self._no_src = np.empty((0, 0), dtype=np.intp)
        self._no_src2 = np.empty((2, 0), dtype=np.intp)
        self.step = 0
        self._mark = np.zeros(m, dtype=bool)
        self._ids: list | None = None
        # where each actor-issue key occurs: supply of I / J, demand of I / J
        self.kIs, self.kJs = aI * P + q, aJ * P + p
        self.kId, self.kJd = aI * P + p, aJ * P + q
        K = A * P
        self._orders = np.empty((4, m), dtype=np.intp)
        self._bounds = np.empty((4, K + 1), dtype=np.intp)
        for which, key in enumerate((self.kIs, self.kJs, self.kId, self.kJd)):
            self._orders[which] = np.argsort(key, kind="stable")
            self._bounds[which] = np.searchsorted(key[self._orders[which]], np.arange(K + 1))
        # per exchange, for the compiled realisation: its keys, actors, supply issues, starts
        self._keys = np.stack([self.kIs, self.kJs, self.kId, self.kJd]).astype(np.intp)
        self._actors = np.stack([aI, aJ]).astype(np.intp)
        self._supply = np.stack([q, p]).astype(np.intp)
        self._x0 = np.stack([self.x0I, self.x0J]).astype(float)
        self.calculate(np.arange(m))

    @property
    def gain(self):
        return self.st[row.GAIN]

    @property
    def xsI(self):
        return self.st[row.XS]

    @property
    def xsJ(self):
        return self.st[row.XS + 1]

    @property
    def yI(self):
        return self.st[row.XS] + self.st[row.M]

    @property
    def yJ(self):
        return self.st[row.XS + 1] + self.st[row.M + 1]

    def exact(self, k: int, state: tuple | None = None, history=None) -> tuple:
        """Exchange k recomputed in Decimal (hybrid): (gain, xI, yI, xJ, yJ); from its
        sources now, or from ``state`` = (source of xsI, of xsJ, update sources I, J).
        With ``history`` (its gathered float state), also whether it is valid."""
        sh, yd = self.shadow, self.ydec
        if self._ids is None:
            self._ids = list(zip(self.aI.tolist(), self.aJ.tolist(), self.sI.tolist(),
                                 self.sJ.tolist(), strict=True))
        aI, aJ, q, p = self._ids[k]
        state_now = state is None
        if state is None:
            state = (self.src[0, k], self.src[1, k], self.usrc[0][k], self.usrc[1][k])
        cI, cJ, rowI, rowJ = state
        xsI = sh.x[aI][q] if cI < 0 else yd[cI]
        xsJ = sh.x[aJ][p] if cJ < 0 else yd[cJ]
        f = int(self.flags[k]) if state_now and history is None else 4
        hint = None if f & 4 else (bool(f & 1), bool(f & 2))
        # the updates, where a sum needs them
        uI = ({int(a): yd[rowI[a]] for a in (rowI >= 0).nonzero()[0]}
              if hint is None or hint[0] else {})
        uJ = ({int(a): yd[rowJ[a]] for a in (rowJ >= 0).nonzero()[0]}
              if hint is None or hint[1] else {})
        if history is None:
            gain, mI, mJ, _ = sh.calc(aI, aJ, q, p, xsI, xsJ, uI, uJ, cuts=hint)
            return gain, xsI, xsI + mI, xsJ, xsJ + mJ
        hist = [self._earlier_moves(k, side) if np.isfinite(history[row.HMIN + side])
                else (Decimal(0), inf, -inf) for side in (0, 1)]
        gain, mI, mJ, valid = sh.calc(aI, aJ, q, p, xsI, xsJ, uI, uJ, hist)
        return gain, xsI, xsI + mI, xsJ, xsJ + mJ, valid

    def _earlier_moves(self, k: int, side: int) -> tuple:
        """Exchange k's earlier proposed moves on ``side`` in Decimal, as Decide keeps them:
        (sum, min, max).  The float engine keeps them as floats (st rows HSUM, HMIN, HMAX),
        which may miss Decide's total of exactly 100 by a rounding error; here each move
        the side gave up (at each realisation that moved its supply position) is recomputed
        in Decimal from the sources it had then (hybrid)."""
        key = int((self.kIs if side == 0 else self.kJs)[k])
        total, lo, hi = Decimal(0), inf, -inf
        for t, (r, e, s0, s1, s2) in enumerate(self.log):
            if key != self.kIs[r] and key != self.kJs[r]:
                continue
            i = int(np.searchsorted(e, k))
            if i == len(e) or e[i] != k:
                continue
            moves = self._moves.get((t, k))
            if moves is None:
                _, xI, yI, xJ, yJ = self.exact(k, (s0[0, i], s0[1, i], s1[i], s2[i]))
                moves = self._moves[t, k] = (yI - xI, yJ - xJ)
            mv = moves[side]
            total, lo, hi = total + mv, min(lo, mv), max(hi, mv)
        return total, lo, hi

    def calculate(self, e: np.ndarray) -> None:
        """Recalculate exchanges ``e`` (moves, gains, validity; `kernel.calculate` does the
        float64 work), then settle in Decimal those at a knife edge (hybrid) and
        draw REX's rates."""
        e = np.asarray(e, dtype=np.intp)
        flags = np.empty(len(e), dtype=np.int8)  # bit 0/1: side I/J cut, 4: settled
        edge = np.empty(len(e), dtype=bool)
        self._k.calculate(self.C, self.st, self.valid, e, self.shadow is not None, MIN_MOVE,
                          MIN_GAIN, EDGE, flags, edge)
        self._finish(e, flags, edge)

    def _finish(self, e, flags, edge, alive=None, g=None) -> None:
        """After the float64 recalculation of ``e``: settle the knife edges in Decimal
        (hybrid), draw REX's rates; keep ``alive`` and ``g`` (when given) in step."""
        st, valid = self.st, self.valid
        changed = []
        if self.shadow is not None:
            for k in edge.nonzero()[0].tolist():
                j = int(e[k])
                settled = self._settle(j, st[:, j])
                valid[j], st[row.GAIN, j], st[row.M, j], st[row.M + 1, j] = settled
                flags[k] = 4
                changed.append(j)
            self.flags[e] = flags
        if self.rex is not None:  # REX: each valid exchange's rates redrawn (docs, section 4)
            # (REX reads the positions, updates and earlier moves, which the recalculation
            # leaves as they were)
            rex = self.rex
            sel = e[valid[e]]
            drawn = zip(sel.tolist(), self.C[:, sel].T.tolist(), st[:, sel].T.tolist(),
                        st[row.M, sel].tolist(), st[row.M + 1, sel].tolist(),
                        st[row.GAIN, sel].tolist(), strict=True)
            for j, ck, sk, mI_, mJ_, g_ in drawn:  # plain floats: the same operations
                valid[j], st[row.M, j], st[row.M + 1, j] = rex.apply(ck, sk, mI_, mJ_, g_)
            changed += sel.tolist()
        if g is not None:
            for j in changed:
                alive[j] = valid[j]
                g[j] = st[row.GAIN, j] if valid[j] else -np.inf

    def _settle(self, k: int, s: np.ndarray) -> tuple:
        """Exchange k at a knife edge of the floats: computed in Decimal, with validity
        (hybrid).  Returns (valid, gain, move I, move J) as floats."""
        gain, xsI, yI, xsJ, yJ, valid = self.exact(k, history=s)
        return valid, float(gain), float(yI - xsI), float(yJ - xsJ)

    def realise(self, r: int, alive: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Realise exchange r: the exchanges it touches are recalculated, and their entries
        of ``alive`` and ``g`` (gain when valid, else -inf) renewed.  Returns (the touched
        exchanges, their gains before); ``self.snap``: their sources before (hybrid)."""
        st = self.st
        code = 2 * self.step
        self.step += 1
        if self.shadow is not None:
            dec = self.exact(r)
            self.dec[r] = dec
            self.ydec += [dec[2], dec[4]]
            yI, yJ = float(dec[2]), float(dec[4])
        else:
            yI = float(st[row.XS, r] + st[row.M, r])
            yJ = float(st[row.XS + 1, r] + st[row.M + 1, r])
        track = self.shadow is not None
        if track:
            src, usrc = self.src, self.usrc
        else:
            src, usrc = self._no_src2, (self._no_src, self._no_src)
        e, old, s0, s1, s2, flags, edge = self._k.realise(
            r, yI, yJ, code, self.C, st, self.valid, g, alive, self._orders, self._bounds,
            self._mark, self._keys, self._actors, self._supply, self._x0, self.t.w, self.t.xz,
            self.uI, self.uJ, track, src, usrc[0], usrc[1], MIN_MOVE, MIN_GAIN, EDGE)
        self.snap = (s0, s1, s2) if track and len(e) else None
        if track:
            self.log.append((r, e, s0, s1, s2))
        if len(e):
            self._finish(e, flags, edge, alive, g)
        return e, old

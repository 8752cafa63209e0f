"""Stokman's exchange model, Equal Gain variant, as implemented in Decide.

Model, equations and references: docs/exchange.md.  Actors trade positions *across* issues:
on a pair of issues (p, q) two actors on opposite sides of both issues' NBS (the capability x
salience weighted mean) each give way on the issue that matters less to them, by amounts that
give both the same gain in expected utility.  Each round all candidate exchanges are built,
then realised one at a time, highest gain first; after each realisation every remaining
exchange that shares an actor-issue with it is recalculated (or dropped).  The round's
outcome is the NBS of the voting positions; actors that exchanged move part of the way towards
their voting position for the next round.

``run_exchange(problems, rounds=10)`` runs the issues of one file (the `Problem` list of
``blocs.bargaining.formats.read_problems``) together and returns an `ExchangeResult`: one
`Trajectory` per issue (0-100 scale, as Decide computes) plus every realised exchange.

Reproduces Decide (foarsitter/decide-exchange-model, ``EqualGainModel`` with
``ALLOW_RANDOM = False``) exchange by exchange (docs/exchange.md, sections 2-3).  Decide
computes in ``decimal.Decimal`` and orders exchanges of mathematically equal gain by their 28th
digit, so the default arithmetic is a hybrid: float64, vectorised over the exchanges a
realisation touches (`_FastRound`), with every realised exchange, near-tie and knife edge
recomputed in Decimal in Decide's order of operations (`_Shadow`).  ``arithmetic="decimal"``
runs all in Decimal (`_Round`), ``"float"`` all in float64.  ``p > 0`` (float64 only) is
Decide's REX, randomised exchange rates (`_Rex`; ``ExchangeModel(variant="rex")``).
Written from the model's description (ALGORITHMS.md section 2 and the papers); no code of
Decide is used.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from blocs import progress
from blocs.bargaining.problem import Problem, Trajectory

SALIENCE_WEIGHT = 0.4  # Decide's AbstractModel.SALIENCE_WEIGHT
FIXED_WEIGHT = 0.1  # Decide's AbstractModel.FIXED_WEIGHT
MIN_MOVE = 1e-10  # moves of at most this size are no moves (Decide: is_move_valid)
MIN_GAIN = 1e-10  # exchanges that gain less are not made (Decide: EqualGainExchange.calculate)
TIE_BREAKS = ("first", "random")
ARITHMETIC = ("hybrid", "float", "decimal")
EDGE = 1e-9  # hybrid: float quantities this close to a threshold are settled in Decimal
TIE_EPS = Decimal("1e-20")  # Decide: gains closer than this are a tie (random mode)
MODEL_SCALE = (0.0, 100.0)


@dataclass(frozen=True)
class Exchange:
    """One realised exchange: actor ``i`` gives way on ``supply_i`` (from ``x_i`` to ``y_i``)
    and in return actor ``j`` gives way on ``supply_j`` (``x_j`` to ``y_j``); both gain
    ``gain``.  Positions on the 0-100 scale; ``x`` is the supply position when realised (it
    may already reflect an earlier exchange of the round)."""

    i: str
    supply_i: str
    j: str
    supply_j: str
    gain: float
    x_i: float
    y_i: float
    x_j: float
    y_j: float

    def as_list(self) -> list:
        """In Decide's order: [i, supply_i, j, supply_j, gain, x_i, y_i, x_j, y_j]."""
        return [self.i, self.supply_i, self.j, self.supply_j, self.gain,
                self.x_i, self.y_i, self.x_j, self.y_j]


@dataclass
class ExchangeResult:
    """What `run_exchange` gives.

    ``trajectories[k]``: issue ``issues[k]`` as a `Trajectory` (V = 1) on the 0-100 scale:
    ``positions[0]`` the input, ``positions[t]`` the *voting* positions of round t (after its
    exchanges), ``outcome[t]`` their NBS (capability x salience weighted mean; round 0 = the
    compromise model); ``events[t][0]`` the moves on the issue in round t, in the order made:
    {actor, from_position, to_position, with (the partner), in_return_on (the issue the
    partner gave way on), gain}.
    ``start[t]`` (A, P): every actor's position at the start of round t + 1 (round 0 = input;
    NaN where an actor has no position); ``nbs_start[t]`` (P): the NBS of ``start[t]``.
    ``exchanges[t - 1]``: the exchanges of round t in the order realised.
    ``candidates[t - 1]``: how many exchanges were built at the start of round t.
    ``scales``: each issue's own scale (for mapping back: x * (high - low) / 100 + low).
    ``converged``: the round in which no exchange was realised (under REX: no exchange was
    even a candidate), after which every round would be the same again, so the run stopped
    there (R = converged); -1 when the last round asked for still realised exchanges.
    """

    actors: tuple[str, ...]
    issues: tuple[str, ...]
    scales: tuple[tuple[float, float], ...]
    trajectories: list[Trajectory]
    start: np.ndarray
    nbs_start: np.ndarray
    voting: np.ndarray
    outcome: np.ndarray
    exchanges: list[list[Exchange]] = field(default_factory=list)
    candidates: list[int] = field(default_factory=list)
    ties: int = 0
    converged: int = -1

    def trajectory(self, issue: str) -> Trajectory:
        return self.trajectories[self.issues.index(issue)]


# ---------------------------------------------------------------------------------------------
# inputs


def merged_actors(problems: Sequence[Problem]) -> tuple[str, ...]:
    """All actors of the problems, in an order consistent with each problem's own order
    (Decide's #A order when the problems come from one Decide file)."""
    order: list[str] = []
    for prob in problems:
        pos = 0
        for a in prob.actors:
            if a in order:
                pos = order.index(a) + 1
            else:
                order.insert(pos, a)
                pos += 1
    return tuple(order)


def normalise(x: np.ndarray, scale: tuple[float, float]) -> np.ndarray:
    """Decide's normalisation of an issue onto 0-100: (x - low) * (100 / (high - low))."""
    low, high = float(scale[0]), float(scale[1])
    if high == low:
        return np.zeros_like(np.asarray(x, dtype=float))
    return (np.asarray(x, dtype=float) - low) * (100.0 / (high - low))


def denormalise(y: np.ndarray, scale: tuple[float, float]) -> np.ndarray:
    """The inverse of `normalise` (onto the issue's own scale)."""
    low, high = float(scale[0]), float(scale[1])
    return np.asarray(y, dtype=float) * (high - low) / 100.0 + low


def _tables(problems: Sequence[Problem], actors: Sequence[str]):
    """(positions on each issue's own scale, salience, capability, has) as (A, P) arrays,
    and per issue its actors in the order of the file's rows (``meta["lines"]`` of a Decide
    file; else the problem's order): the order Decide sums them in."""
    index = {a: k for k, a in enumerate(actors)}
    A, P = len(actors), len(problems)
    x = np.full((A, P), np.nan)
    s = np.zeros((A, P))
    c = np.zeros((A, P))
    has = np.zeros((A, P), dtype=bool)
    order = []
    for p, prob in enumerate(problems):
        if prob.multidim:
            raise ValueError(f"issue {prob.id}: the exchange model takes one-dimensional issues")
        rows = [index[a] for a in prob.actors]
        x[rows, p] = prob.positions
        s[rows, p] = prob.salience
        c[rows, p] = prob.capability
        has[rows, p] = True
        lines = prob.meta.get("lines")
        if lines is not None and len(lines) == len(rows):
            rows = [r for _, r in sorted(zip(lines, rows, strict=True))]
        order.append(rows)
    return x, s, c, has, order


# ---------------------------------------------------------------------------------------------
# numbers: float64, or Decimal (28 digits, as Decide) for exact reproduction


class _Numbers:
    """The arithmetic of a run: float64 arrays, or object arrays of `decimal.Decimal` with
    Decide's context (28 digits, half-even) for ``exact=True``.  Every formula below is
    written in Decide's order of operations, so that in exact mode each intermediate is the
    Decimal Decide computes."""

    def __init__(self, exact: bool):
        self.exact = exact

    def array(self, values) -> np.ndarray:
        """Floats as working numbers: Decimal of their shortest repr (the text of the input
        file) in exact mode."""
        v = np.asarray(values, dtype=float)
        if not self.exact:
            return v.copy()
        out = np.empty(v.shape, dtype=object)
        flat = out.reshape(-1)
        for k, x in enumerate(v.reshape(-1)):
            flat[k] = Decimal(repr(float(x))) if np.isfinite(x) else Decimal(0)
        return out

    def zeros(self, shape) -> np.ndarray:
        if not self.exact:
            return np.zeros(shape)
        out = np.empty(shape, dtype=object)
        out.fill(Decimal(0))
        return out

    def full(self, shape, value: float) -> np.ndarray:
        if not self.exact:
            return np.full(shape, value)
        out = np.empty(shape, dtype=object)
        out.fill(value)  # +-inf stay floats: only compared, never added
        return out

    def const(self, x: float):
        return Decimal(repr(x)) if self.exact else x

    def exact_const(self, x: float):
        """``Decimal(x)`` of the binary float, as Decide's Decimal(0.4)."""
        return Decimal(x) if self.exact else x


def _context():
    ctx = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN)
    # Decide would stop on a zero salience (division by zero); here it gives inf/NaN as floats
    ctx.traps[decimal.DivisionByZero] = False
    ctx.traps[decimal.InvalidOperation] = False
    return ctx


# ---------------------------------------------------------------------------------------------
# the engine


class _Tables:
    """A round's data, in working numbers: positions x (A, P), salience s, power c, has;
    per issue the actors in summation order (Decide sums in its #D row order), the
    denominator S = sum s c and numerator N = sum x s c of the NBS."""

    def __init__(self, num, x, s, c, has, order):
        self.num, self.x, self.s, self.c, self.has, self.order = num, x, s, c, has, order
        P = has.shape[1]
        self.S = num.zeros(P)
        self.N = num.zeros(P)
        for p in range(P):
            tot, wsum = 0, 0
            for a in order[p]:
                tot = tot + s[a, p] * c[a, p]
                wsum = wsum + x[a, p] * s[a, p] * c[a, p]
            self.S[p], self.N[p] = tot, wsum
        nbs = num.zeros(P)
        for p in range(P):
            nbs[p] = self.N[p] / self.S[p] if self.S[p] != 0 else 0
        self.nbs = nbs
        if not num.exact:
            self.w = np.where(has, s * c, 0.0)
            self.xz = np.where(has, x, 0.0)


def _candidates(t: _Tables, td: _Tables | None = None):
    """Decide's candidate exchanges, in the order it builds them: for each pair of issues
    (p, q), p before q in file order, the actors with a position on both are grouped by their
    side of each issue's NBS (left: x <= NBS); every actor right of both (group a) with every
    actor left of both (d), then every actor left on p only (b) with every actor left on q
    only (c), in actor order.  Returns (i, j, p, q) arrays.  ``td``: the Decimal tables of a
    hybrid run, which decide where the float positions equal the NBS."""
    x, has = t.x, t.has
    P = has.shape[1]
    left = has & np.asarray(x <= t.nbs[None, :], dtype=bool)
    if td is not None:  # hybrid: where the floats are equal, Decimal decides
        for a, p in zip(*np.nonzero(has & (x == t.nbs[None, :])), strict=True):
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


class _Round:
    """The candidate exchanges of one round as flat arrays, one entry per exchange, in
    Decimal with Decide's order of operations (``arithmetic="decimal"``; `_FastRound` is
    the float64 engine).

    Roles as Decide names them: side I supplies issue q (moves on q towards J's position)
    and demands p; side J supplies p and demands q.  Per side: actor, supply issue,
    saliences on the supply and demand issue, power on the supply issue, start, current and
    demand position, the move now proposed (``m``), the voting position ``y = xs + m``, and
    the earlier proposed moves (Decide's ``moves`` list less its last entry) as
    sum/min/max, which the validity test reads; and the *updates*: the positions of other
    actors on the side's supply issue as this exchange has learnt them.
    """

    def __init__(self, t: _Tables):
        self.t = t
        num = t.num
        x, sal, pw, has = t.x, t.s, t.c, t.has
        A, P = has.shape
        self.P = P
        ii, jj, p, q = _candidates(t)
        self.count = m = len(ii)
        with np.errstate(divide="ignore", invalid="ignore"):
            swap = np.asarray(sal[ii, p] / sal[ii, q] < sal[jj, p] / sal[jj, q], dtype=bool)
        aI = np.where(swap, jj, ii)  # supplies q
        aJ = np.where(swap, ii, jj)  # supplies p
        self.aI, self.aJ, self.sI, self.sJ = aI, aJ, q, p
        self.sIs, self.sId, self.cIs = sal[aI, q], sal[aI, p], pw[aI, q]
        self.sJs, self.sJd, self.cJs = sal[aJ, p], sal[aJ, q], pw[aJ, p]
        self.SI, self.SJ = t.S[q], t.S[p]
        self.x0I, self.x0J = x[aI, q], x[aJ, p]
        self.dI, self.dJ = x[aI, p], x[aJ, q]  # I demands p, J demands q
        self.kIs, self.kJs = aI * P + q, aJ * P + p  # actor-issue keys: supply ...
        self.kId, self.kJd = aI * P + p, aJ * P + q  # ... and demand of each side
        self.xsI, self.xsJ = self.x0I.copy(), self.x0J.copy()
        self.hI = [num.zeros(m), num.full(m, np.inf), num.full(m, -np.inf)]
        self.hJ = [num.zeros(m), num.full(m, np.inf), num.full(m, -np.inf)]
        self.uI, self.uJ = num.zeros((m, A)), num.zeros((m, A))  # updates (values)
        self.hasI = np.zeros((m, A), dtype=bool)
        self.hasJ = np.zeros((m, A), dtype=bool)
        self.mI, self.mJ = num.zeros(m), num.zeros(m)
        self.yI, self.yJ = num.zeros(m), num.zeros(m)
        self.gain = num.zeros(m)
        self.valid = np.zeros(m, dtype=bool)
        self.calculate(np.arange(m))

    @staticmethod
    def _valid(h, xs, move):
        """Decide's is_move_valid: a real move of at most 100, inside [0, 100], earlier moves
        plus this one not above 100, all in one direction."""
        mag = np.abs(move)
        y = xs + move
        total = h[0] + move
        lo = np.minimum(h[1], move)
        hi = np.maximum(h[2], move)
        ok = ((mag <= 100) & (mag > MIN_MOVE) & (y >= 0) & (y <= 100) & ~(total > 100)
              & (((lo < 0) & (hi < 0)) | ((lo > 0) & (hi > 0))))
        return np.asarray(ok, dtype=bool)

    # -- the NBS of a side's supply issue with this exchange's updates ---------------------

    def _sums_exact(self, e, side, own_pos, updates_last):
        """Decide's adjusted_nbs numerator, in its order: every actor of the issue, in #D
        order, at its round-start position, or its update, and the side's own actor at
        ``own_pos`` (after the updates; before them when ``updates_last``, as in
        adjusted_nbs_by_position)."""
        t = self.t
        issue = self.sI if side == 0 else self.sJ
        actor = self.aI if side == 0 else self.aJ
        u, hv = (self.uI, self.hasI) if side == 0 else (self.uJ, self.hasJ)
        out = np.empty(len(e), dtype=object)
        for k, ex in enumerate(e):
            p, me = issue[ex], actor[ex]
            tot = 0
            for a in t.order[p]:
                if a == me and not (updates_last and hv[ex, a]):
                    pos = own_pos[k]
                elif hv[ex, a]:
                    pos = u[ex, a]
                else:
                    pos = t.x[a, p]
                tot = tot + pos * t.s[a, p] * t.c[a, p]
            out[k] = tot
        return out

    def calculate(self, e: np.ndarray) -> None:
        """(Re)compute exchanges ``e`` from their current supply positions and updates."""
        xsI, xsJ, dI, dJ = self.xsI[e], self.xsJ[e], self.dI[e], self.dJ[e]
        sIs, sId, cIs = self.sIs[e], self.sId[e], self.cIs[e]
        sJs, sJd, cJs = self.sJs[e], self.sJd[e], self.cJs[e]
        SI, SJ = self.SI[e], self.SJ[e]
        with np.errstate(divide="ignore", invalid="ignore"):
            # J moves all the way to I's position on p; I's move on q gives the same gain
            distJ = np.abs(dI - xsJ)
            dp = distJ * sJs * cJs / SJ
            dq = (sJs + sId) / (sJd + sIs) * dp
            mI = dq * SI / (cIs * sIs)
            mJ = distJ
            # ... unless I would overshoot J's position on q: then I moves all the way
            distI = np.abs(dJ - xsI)
            over = np.asarray(np.abs(mI) > distI, dtype=bool)
            if over.any():
                dq2 = distI * sIs * cIs / SI
                dp2 = (sIs + sJd) / (sId + sJs) * dq2
                mJ2 = dp2 * SJ / (cJs * sJs)
                dp = np.where(over, dp2, dp)
                dq = np.where(over, dq2, dq)
                mI = np.where(over, distI, mI)
                mJ = np.where(over, mJ2, mJ)
        mI = np.where(xsI > dJ, -mI, mI)
        mJ = np.where(xsJ > dI, -mJ, mJ)
        yI, yJ = xsI + mI, xsJ + mJ
        gain = np.abs(dq * sIs - dp * sId)
        hI = [h[e] for h in self.hI]
        hJ = [h[e] for h in self.hJ]
        ok = (self._valid(hI, xsI, mI) & self._valid(hJ, xsJ, mJ)
              & np.asarray(~(gain < MIN_GAIN), dtype=bool))
        # check_nbs, for I then for J: the side's move may not carry the NBS of its supply
        # issue past the other actor's position there; if it would, it is cut to put the NBS
        # exactly on that position and the other side's move follows from equal gain.
        for side in (0, 1):
            if not ok.any():
                break
            sel = np.flatnonzero(ok)
            es = e[sel]
            if side == 0:
                S, xs, y, target = SI[sel], xsI[sel], yI[sel], dJ[sel]
                sX, cX, sXd, sO, cO, sOd, SO = (sIs[sel], cIs[sel], sId[sel], sJs[sel],
                                               cJs[sel], sJd[sel], SJ[sel])
                u, own_has = self.uI, self.hasI[es, self.aI[es]]
                xsO, dX = xsJ[sel], dI[sel]
            else:
                S, xs, y, target = SJ[sel], xsJ[sel], yJ[sel], dI[sel]
                sX, cX, sXd, sO, cO, sOd, SO = (sJs[sel], cJs[sel], sJd[sel], sIs[sel],
                                               cIs[sel], sId[sel], SI[sel])
                u, own_has = self.uJ, self.hasJ[es, self.aJ[es]]
                xsO, dX = xsI[sel], dJ[sel]
            nbs0 = self._sums_exact(es, side, xs, False) / S
            nbs1 = self._sums_exact(es, side, y, False) / S
            a, b = target - nbs0, target - nbs1
            cut = ~np.asarray(((a >= 0) & (b >= 0)) | ((a <= 0) & (b <= 0)), dtype=bool)
            if not cut.any():
                continue
            c_ = np.flatnonzero(cut)
            ec, S, xs, target = es[c_], S[c_], xs[c_], target[c_]
            sX, cX, sXd, sO, cO, sOd, SO = sX[c_], cX[c_], sXd[c_], sO[c_], cO[c_], sOd[c_], SO[c_]
            xsO, dX = xsO[c_], dX[c_]
            # the move that puts the NBS on the target, from the current supply position (an
            # update of the side's own actor takes its place here, as in Decide)
            actor = self.aI[ec] if side == 0 else self.aJ[ec]
            xpos = np.where(own_has[c_], u[ec, actor], xs)
            with np.errstate(divide="ignore", invalid="ignore"):
                nominator = self._sums_exact(ec, side, xpos, True)
                delta = np.abs((target * S - nominator) / (sX * cX))
                rX = delta * sX * cX / S
                rO = (sX + sOd) / (sXd + sO) * rX
                mO = np.abs(rO * SO / (cO * sO))
            mO = np.where(xsO > dX, -mO, mO)
            mX = np.where(xs > target, -delta, delta)
            g = np.abs(rO * sO - rX * sOd)
            rows = sel[c_]
            if side == 0:
                mI[rows], mJ[rows] = mX, mO
            else:
                mJ[rows], mI[rows] = mX, mO
            gain[rows] = g
            yI, yJ = xsI + mI, xsJ + mJ
        ok = ok & self._valid(hI, xsI, mI) & self._valid(hJ, xsJ, mJ)
        self.mI[e], self.mJ[e], self.yI[e], self.yJ[e] = mI, mJ, yI, yJ
        self.gain[e] = gain
        self.valid[e] = ok

    # -- realising one exchange ------------------------------------------------------------

    def _update(self, e, slot, actor, r_x0, r_y):
        """Exchanges ``e`` learn that ``actor`` (start ``r_x0``) votes ``r_y`` on the supply
        issue of their side ``slot`` (0: I, 1: J).  An update already there stays when it
        lies between the start and the new voting position (Decide's update_updates)."""
        if len(e) == 0:
            return
        u, hv = (self.uI, self.hasI) if slot == 0 else (self.uJ, self.hasJ)
        old = u[e, actor]
        have = hv[e, actor]
        keep = have & np.asarray(np.where(r_x0 <= old, old < r_y, old > r_y), dtype=bool)
        new = np.where(keep, old, r_y)
        u[e, actor] = new
        hv[e, actor] = True

    def realise(self, r: int, alive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Recalculate the live exchanges that exchange ``r`` touches: their indices and
        their gains before."""
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
        for mask, val in ((sI_I, yI), (sI_J, yJ)):
            idx = np.flatnonzero(mask)
            if len(idx):
                self._push(self.hI, idx, self.mI[idx])
                self.xsI[idx] = val
        for mask, val in ((sJ_I, yI), (sJ_J, yJ)):
            idx = np.flatnonzero(mask)
            if len(idx):
                self._push(self.hJ, idx, self.mJ[idx])
                self.xsJ[idx] = val
        aI, aJ = self.aI[r], self.aJ[r]
        self._update(np.flatnonzero(dA_I), 0, aI, self.x0I[r], yI)
        self._update(np.flatnonzero(dA_J), 1, aI, self.x0I[r], yI)
        self._update(np.flatnonzero(dB_I), 0, aJ, self.x0J[r], yJ)
        self._update(np.flatnonzero(dB_J), 1, aJ, self.x0J[r], yJ)
        old = self.gain[e].copy()
        self.calculate(e)
        return e, old

    @staticmethod
    def _push(h, idx, move):
        """Decide keeps the superseded move of a side whose supply position changed."""
        h[0][idx] = h[0][idx] + move
        h[1][idx] = np.minimum(h[1][idx], move)
        h[2][idx] = np.maximum(h[2][idx], move)


# ---------------------------------------------------------------------------------------------
# the float64 engine: the same model as `_Round`, arranged for speed (one gather of the
# constants and the state per recalculation, both sides of a test at once)

# rows of the constants table
_DI, _DJ, _FI, _FJ, _KI, _KJ, _RIJ, _RJI, _SIS, _SID, _SJS, _SJD, _BI, _BJ, _WI, _WJ, _SI, \
    _SJ, _G, _TI, _TJ = range(21)
# rows of the state table (side I then side J for each quantity)
_XS, _HSUM, _HMIN, _HMAX, _U, _OWN, _M = 0, 2, 4, 6, 8, 10, 12
_GAIN = 14


class _FastRound:
    """The candidate exchanges of one round, float64 (see `_Round` for the roles)."""

    def __init__(self, t: _Tables, shadow: _Shadow | None = None, rex: _Rex | None = None):
        self.t = t
        self.shadow = shadow
        self.rex = rex
        x, sal, pw, has = t.x, t.s, t.c, t.has
        A, P = has.shape
        self.A, self.P = A, P
        ii, jj, p, q = _candidates(t, shadow.td if shadow else None)
        self.count = m = len(ii)
        with np.errstate(divide="ignore", invalid="ignore"):
            ri, rj = sal[ii, p] / sal[ii, q], sal[jj, p] / sal[jj, q]
            swap = ri < rj
            if shadow is not None:  # near-equal ratios: Decimal decides
                ds = shadow.td.s
                for k in np.flatnonzero(np.abs(ri - rj) <= 1e-12 * np.abs(ri)):
                    i_, j_, p_, q_ = ii[k], jj[k], p[k], q[k]
                    swap[k] = ds[i_, p_] / ds[i_, q_] < ds[j_, p_] / ds[j_, q_]
        aI = np.where(swap, jj, ii)  # supplies q
        aJ = np.where(swap, ii, jj)  # supplies p
        self.aI, self.aJ, self.sI, self.sJ = aI, aJ, q, p
        sIs, sId, cIs = sal[aI, q], sal[aI, p], pw[aI, q]
        sJs, sJd, cJs = sal[aJ, p], sal[aJ, q], pw[aJ, p]
        SI, SJ = t.S[q], t.S[p]
        wI, wJ = t.w[aI, q], t.w[aJ, p]
        self.x0I, self.x0J = x[aI, q], x[aJ, p]
        C = np.empty((21, m))
        C[_DI], C[_DJ] = x[aI, p], x[aJ, q]
        C[_TI], C[_TJ] = C[_DJ], C[_DI]  # each side's target: the other's position
        with np.errstate(divide="ignore", invalid="ignore"):
            C[_FI], C[_FJ] = sIs * cIs / SI, sJs * cJs / SJ
            C[_KI], C[_KJ] = SI / (cIs * sIs), SJ / (cJs * sJs)
            C[_RIJ] = (sJs + sId) / (sJd + sIs)
            C[_RJI] = (sIs + sJd) / (sId + sJs)
        C[_SIS], C[_SID], C[_SJS], C[_SJD] = sIs, sId, sJs, sJd
        C[_BI], C[_BJ] = t.N[q] - wI * self.x0I, t.N[p] - wJ * self.x0J
        C[_WI], C[_WJ], C[_SI], C[_SJ] = wI, wJ, SI, SJ
        # gain per unit of dp: |dq s_Iq - dp s_Ip| = dp |s_Jp s_Iq - s_Ip s_Jq| / (s_Iq + s_Jq)
        C[_G] = np.abs(sJs * sIs - sId * sJd) / (sIs + sJd)
        self.C = C
        st = np.zeros((15, m))
        st[_XS], st[_XS + 1] = self.x0I, self.x0J
        st[_HMIN:_HMIN + 2] = np.inf
        st[_HMAX:_HMAX + 2] = -np.inf
        st[_OWN:_OWN + 2] = np.nan
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
        self._k = _kernels()  # numba: compiled on first use
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
        return self.st[_GAIN]

    @property
    def xsI(self):
        return self.st[_XS]

    @property
    def xsJ(self):
        return self.st[_XS + 1]

    @property
    def yI(self):
        return self.st[_XS] + self.st[_M]

    @property
    def yJ(self):
        return self.st[_XS + 1] + self.st[_M + 1]

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
            gain, yI, yJ, _ = sh.calc(aI, aJ, q, p, xsI, xsJ, uI, uJ, hint=hint)
            return gain, xsI, yI, xsJ, yJ
        hist = [tuple(float(history[r + side]) for r in (_HSUM, _HMIN, _HMAX))
                for side in (0, 1)]
        gain, yI, yJ, valid = sh.calc(aI, aJ, q, p, xsI, xsJ, uI, uJ, hist)
        return gain, xsI, yI, xsJ, yJ, valid

    def calculate(self, e: np.ndarray) -> None:
        """Recalculate exchanges ``e`` (moves, gains, validity; `_exchange_kernel.calculate`
        does the float64 work), then settle in Decimal those at a knife edge (hybrid) and
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
                valid[j], st[_GAIN, j], st[_M, j], st[_M + 1, j] = self._settle(j, st[:, j])
                flags[k] = 4
                changed.append(j)
            self.flags[e] = flags
        if self.rex is not None:  # REX: each valid exchange's rates redrawn (docs, section 4)
            # (REX reads the positions, updates and earlier moves, which the recalculation
            # leaves as they were)
            rex = self.rex
            sel = e[valid[e]]
            rows = zip(sel.tolist(), self.C[:, sel].T.tolist(), st[:, sel].T.tolist(),
                       st[_M, sel].tolist(), st[_M + 1, sel].tolist(), st[_GAIN, sel].tolist(),
                       strict=True)
            for j, ck, sk, mI_, mJ_, g_ in rows:  # plain floats: the same operations
                valid[j], st[_M, j], st[_M + 1, j] = rex.apply(ck, sk, mI_, mJ_, g_)
            changed += sel.tolist()
        if g is not None:
            for j in changed:
                alive[j] = valid[j]
                g[j] = st[_GAIN, j] if valid[j] else -np.inf

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
            yI = float(st[_XS, r] + st[_M, r])
            yJ = float(st[_XS + 1, r] + st[_M + 1, r])
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
        if len(e):
            self._finish(e, flags, edge, alive, g)
        return e, old


# ---------------------------------------------------------------------------------------------
# REX: Decide's randomised exchange rates (``--p``), on the float engine


def _move_ok(m: float, xs: float, hsum: float, hmin: float, hmax: float) -> bool:
    """Decide's is_move_valid for one side (float; no earlier moves: hmin inf, hmax -inf)."""
    mag, y = abs(m), xs + m
    return bool(mag <= 100 and mag > MIN_MOVE and 0 <= y <= 100 and not hsum + m > 100
                and (max(hmax, m) < 0 or min(hmin, m) > 0))


class _Rex:
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
        self.draws = 0

    @staticmethod
    def _side(c, s, x):
        """Side x's numbers: supply position, target (the other's position on the supply
        issue), own position on the demand issue, saliences (supply, demand), W = s c, the
        NBS denominator S, the NBS numerator without the own actor (start + updates), and
        the own actor's update (NaN: none)."""
        return (float(s[_XS + x]), float(c[_TI + x]), float(c[_DI + x]),
                float(c[_SIS + 2 * x]), float(c[_SID + 2 * x]), float(c[_WI + x]),
                float(c[_SI + x]), float(c[_BI + x] + s[_U + x]), float(s[_OWN + x]))

    @staticmethod
    def max_eu(c, s, mI: float, mJ: float) -> tuple[float, float]:
        """Decide's calculate_maximum_utility: the maximum gains (eu_max) of sides I, J."""
        xsI, tI, dI, sIs, sId, wI, SI, rI, _ = _Rex._side(c, s, 0)
        xsJ, tJ, dJ, sJs, sJd, wJ, SJ, rJ, _ = _Rex._side(c, s, 1)
        yI, yJ = xsI + mI, xsJ + mJ
        # Decide compares the demand position with the voting position on the supply issue
        i_par, j_par = dI == yI, dJ == yJ
        dnI = abs((rI + wI * xsI) / SI - (rI + wI * (yI if i_par else tI)) / SI)
        dnJ = abs((rJ + wJ * xsJ) / SJ - (rJ + wJ * (yJ if j_par else tJ)) / SJ)
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
        self.draws += 1
        return self.randomised(c, s, mI, mJ, eu, self.p, u, v, z)

    @staticmethod
    def randomised(c, s, mI, mJ, eu, p, u, v, z) -> tuple[bool, float, float]:
        """Decide's randomized_gain for given u, v, z."""
        eu_max = _Rex.max_eu(c, s, mI, mJ)
        x = 0 if u < 0.5 else 1  # the side whose gain is drawn; o the other
        o = 1 - x
        xs, tX, _, sXs, sXd, wX, SX, rX, ownX = _Rex._side(c, s, x)
        xo, tO, _, _, _, wO, SO, _, _ = _Rex._side(c, s, o)
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
        hist = [(float(s[_HSUM + k]), float(s[_HMIN + k]), float(s[_HMAX + k]))
                for k in (0, 1)]
        ok = (_move_ok(move_x, xs, *hist[x]) and _move_ok(move_o, xo, *hist[o]))
        return (ok, move_x, move_o) if x == 0 else (ok, move_o, move_x)


# ---------------------------------------------------------------------------------------------
# hybrid arithmetic: float64 for the search, Decimal for what Decide's order depends on


class _Shadow:
    """Decimal copies of a round's tables, to recompute single exchanges as Decide does.

    Used by the hybrid arithmetic: the float engine finds the candidates and tracks where
    each supply position and update came from (a realised exchange's voting position, or
    the round's start); this recomputes the realised exchanges (their voting positions feed
    the next exchanges and rounds) and the near-tied candidates (whose order in Decide is
    decided by the 28th digit) in Decimal.
    """

    def __init__(self, td: _Tables):
        self.td = td
        A, P = td.has.shape
        self.x = td.x.tolist()
        self.s = td.s.tolist()
        self.c = td.c.tolist()
        self.S = list(td.S)
        self.order = [list(map(int, o)) for o in td.order]
        self.term = [[self.x[a][p] * self.s[a][p] * self.c[a][p] for p in range(P)]
                     for a in range(A)]

    def _sum(self, issue, me, own, upd, updates_last):
        tot = 0
        s, c, term = self.s, self.c, self.term
        for a in self.order[issue]:
            if a == me and not (updates_last and a in upd):
                pos = own
            elif a in upd:
                pos = upd[a]
            else:
                tot = tot + term[a][issue]
                continue
            tot = tot + pos * s[a][issue] * c[a][issue]
        return tot

    @staticmethod
    def _ok(m, xs, hist) -> bool:
        """Decide's is_move_valid with Decimal move and position, float earlier moves."""
        hsum, hmin, hmax = hist
        mag, y, mf = abs(m), xs + m, float(m)
        return bool(mag <= 100 and mag > MIN_MOVE and y >= 0 and y <= 100
                    and not hsum + mf > 100 and (max(hmax, mf) < 0 or min(hmin, mf) > 0))

    def calc(self, aI, aJ, q, p, xsI, xsJ, uI, uJ, hist=None, hint=None):
        """(gain, yI, yJ, valid) of exchange (I = aI supplies q, J = aJ supplies p) from
        supply positions xsI, xsJ and updates uI (issue q), uJ (issue p): `_Round.calculate`
        for one exchange, in Decimal.  Without ``hist`` (the sides' earlier moves: sum, min,
        max) the exchange is taken to pass the first validity test and valid is None.
        ``hint`` (cut I, cut J): check_nbs's decisions, known from the floats (not at a knife
        edge), which spares the sums that test them."""
        x, s, c = self.x, self.s, self.c
        dI, dJ = x[aI][p], x[aJ][q]
        sIs, sId, cIs = s[aI][q], s[aI][p], c[aI][q]
        sJs, sJd, cJs = s[aJ][p], s[aJ][q], c[aJ][p]
        SI, SJ = self.S[q], self.S[p]
        distJ = abs(dI - xsJ)
        dp = distJ * sJs * cJs / SJ
        dq = (sJs + sId) / (sJd + sIs) * dp
        mI = dq * SI / (cIs * sIs)
        mJ = distJ
        distI = abs(dJ - xsI)
        if abs(mI) > distI:
            dq = distI * sIs * cIs / SI
            dp = (sIs + sJd) / (sId + sJs) * dq
            mI = distI
            mJ = dp * SJ / (cJs * sJs)
        if xsI > dJ:
            mI = -mI
        if xsJ > dI:
            mJ = -mJ
        gain = abs(dq * sIs - dp * sId)
        if hist is not None and not (self._ok(mI, xsI, hist[0]) and self._ok(mJ, xsJ, hist[1])
                                     and not gain < MIN_GAIN):
            return gain, xsI + mI, xsJ + mJ, False
        for side in (0, 1):
            if side == 0:
                me, issue, S, xs, m, target, u = aI, q, SI, xsI, mI, dJ, uI
                sX, cX, sXd, sO, cO, sOd, SO, xsO, dX = sIs, cIs, sId, sJs, cJs, sJd, SJ, xsJ, dI
            else:
                me, issue, S, xs, m, target, u = aJ, p, SJ, xsJ, mJ, dI, uJ
                sX, cX, sXd, sO, cO, sOd, SO, xsO, dX = sJs, cJs, sJd, sIs, cIs, sId, SI, xsI, dJ
            if hint is not None:
                if not hint[side]:
                    continue
            else:
                a = target - self._sum(issue, me, xs, u, False) / S
                b = target - self._sum(issue, me, xs + m, u, False) / S
                if (a >= 0 and b >= 0) or (a <= 0 and b <= 0):
                    continue
            xpos = u.get(me, xs)
            delta = abs((target * S - self._sum(issue, me, xpos, u, True)) / (sX * cX))
            rX = delta * sX * cX / S
            rO = (sX + sOd) / (sXd + sO) * rX
            mO = abs(rO * SO / (cO * sO))
            if xsO > dX:
                mO = -mO
            mX = -delta if xs > target else delta
            gain = abs(rO * sO - rX * sOd)
            if side == 0:
                mI, mJ = mX, mO
            else:
                mJ, mI = mX, mO
        valid = None
        if hist is not None:
            valid = self._ok(mI, xsI, hist[0]) and self._ok(mJ, xsJ, hist[1])
        return gain, xsI + mI, xsJ + mJ, valid


def _ranked(cands, gains, log, touched: dict[int, list[int]], now: dict | None = None,
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
    groups = _refine([cands], vals)
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
        groups = _refine(groups, vals)
    return sorted(cands, key=lambda c: ([-v for v in keys[c]], c))


def _refine(groups: list[list[int]], vals: dict) -> list[list[int]]:
    """Split each group by ``vals``; keep the parts of more than one candidate."""
    out = []
    for grp in groups:
        parts: dict = {}
        for c in grp:
            parts.setdefault(vals[c], []).append(c)
        out += [g for g in parts.values() if len(g) > 1]
    return out


def _play(rd, tie_break: str, rng, tol: float, hybrid: bool):
    """Realise the exchanges of round ``rd`` (a `_Round` or `_FastRound`): the indices in
    the order realised and the number of ties met."""
    exact = isinstance(rd, _Round) and rd.t.num.exact
    alive = rd.valid.copy()
    g = np.full(rd.count, -np.inf)  # floats (of the Decimals in exact mode) to find the top
    g[alive] = np.asarray(rd.gain[alive], dtype=float)
    log: list[tuple[np.ndarray, np.ndarray]] = []
    touched: dict[int, list[int]] = {}  # exchange -> the realisations that recalculated it
    order: list[int] = []
    ties = 0
    while rd.count:
        k = int(np.argmax(g))
        top = g[k]
        if top == -np.inf:
            break
        if hybrid:
            # Decide orders by Decimal gains: where floats are within ``tol``, ask Decimal
            near = (g >= top - abs(top) * tol).nonzero()[0]
            if len(near) > 1:
                dg = {int(c): rd.exact(int(c))[0] for c in near}
                ranked = _ranked(near, rd.gain, log, touched, now=dg, rd=rd)
                k = ranked[0]
                tied = abs(dg[ranked[0]] - dg[ranked[1]]) < TIE_EPS
                ties += int(tied)
                if tie_break == "random" and tied and rng.random() >= 0.5:
                    k = ranked[1]
        elif tie_break == "first":
            near = (g == top).nonzero()[0]
            if len(near) > 1:
                ranked = _ranked(near, rd.gain, log, touched)
                k = ranked[0]
                ties += 1
        else:
            near = (g >= top - abs(top) * tol).nonzero()[0]
            if len(near) > 1:
                ranked = _ranked(near, rd.gain, log, touched)
                k = ranked[0]
                # Decide: a tie when the first two differ by < 1e-20 (exact); in float mode
                # when they are equal up to ``tol`` (relative)
                if not exact or abs(rd.gain[ranked[0]] - rd.gain[ranked[1]]) < TIE_EPS:
                    ties += 1
                    if rng.random() >= 0.5:
                        k = ranked[1]
        order.append(k)
        alive[k] = False
        g[k] = -np.inf
        if isinstance(rd, _Round):
            e, old = rd.realise(k, alive)
            if len(e):
                alive[e] = rd.valid[e]
                g[e] = np.where(rd.valid[e], np.asarray(rd.gain[e], dtype=float), -np.inf)
        else:  # the float engine renews alive and g itself
            e, old = rd.realise(k, alive, g)
        log.append((e, old, rd.snap if hybrid else None))
        for c in e.tolist():
            touched.setdefault(c, []).append(len(log) - 1)
    return order, ties


def _kernels():
    """The compiled float64 work (`_exchange_kernel`), compiled on first use (numba: a few
    seconds once after installation, then loaded from numba's cache; `kernels.py`)."""
    from blocs.bargaining import kernels

    return kernels.exchange_kernels()


def _sum_order(has: np.ndarray, order) -> list[np.ndarray]:
    P = has.shape[1]
    if order is None:
        return [np.flatnonzero(has[:, p]) for p in range(P)]
    return [np.asarray(o, dtype=np.intp) for o in order]


def run_tables(x, salience, power, has=None, rounds: int = 10, *, tie_break: str = "first",
               rng: np.random.Generator | None = None, arithmetic: str = "hybrid",
               order: Sequence[Sequence[int]] | None = None,
               scales: Sequence[tuple[float, float]] | None = None, tol: float = 1e-11,
               salience_weight: float = SALIENCE_WEIGHT,
               fixed_weight: float = FIXED_WEIGHT, p: float = 0.0) -> dict[str, Any]:
    """The model on (A, P) tables: positions on 0-100, or on each issue's ``scales[p]`` =
    (low, high), normalised here as Decide does (NaN or ``has`` False: no position); salience
    and power in [0, 1].  ``order[p]``: the actors of issue p in the order Decide sums them
    (its #D rows; default actor order; it matters to the last Decimal digit only).
    ``arithmetic``: "hybrid", "float" or "decimal" (see `run_exchange`).  ``p`` > 0: REX,
    Decide's randomised exchange rates (draws from ``rng``; float arithmetic only).

    Returns a dict: ``start`` (R + 1, A, P) the positions at the start of each round and
    after the last; ``voting`` (R + 1, A, P) the voting positions of each round (0: input);
    ``nbs_start`` and ``outcome`` (R + 1, P), their NBS; ``rows``: per round the realised
    exchanges as tuples (aI, sI, aJ, sJ, gain, xI, yI, xJ, yJ); ``candidates``; ``ties``;
    ``converged``: the first round that realised no exchange, or -1.  Such a round leaves
    every position where it started, so every later round would be the same round again:
    the run stops after it (R = converged < rounds; the arrays hold the rounds run).  Under
    REX (p > 0) the rates are drawn anew each round, so a round without a realised exchange
    may be followed by one with: the run stops only after a round without any candidate
    exchange.  All floats (Decimals converted at the end).  Reports one progress step per
    round (`blocs.progress`).
    """
    if tie_break not in TIE_BREAKS:
        raise ValueError(f"tie_break '{tie_break}' (allowed: {', '.join(TIE_BREAKS)})")
    if arithmetic not in ARITHMETIC:
        raise ValueError(f"arithmetic '{arithmetic}' (allowed: {', '.join(ARITHMETIC)})")
    if tie_break == "random" and rng is None:
        raise ValueError("tie_break 'random' needs rng (a numpy Generator)")
    if rounds < 0:
        raise ValueError(f"rounds {rounds} (allowed: >= 0)")
    if not p >= 0:
        raise ValueError(f"p {p} (allowed: >= 0)")
    if p > 0 and (rng is None or arithmetic != "float"):
        raise ValueError("REX (p > 0) needs rng (a numpy Generator) and arithmetic 'float'")
    rex = _Rex(p, rng) if p > 0 else None
    xf = np.asarray(x, dtype=float)
    if has is None:
        has = np.isfinite(xf)
    has = np.asarray(has, dtype=bool)
    sums = _sum_order(has, order)
    # the tables the rounds' positions are computed in: Decimal unless pure float
    num = _Numbers(arithmetic != "float")
    fnum = _Numbers(False)
    with decimal.localcontext(_context()), np.errstate(divide="ignore", invalid="ignore",
                                                      over="ignore"):
        X = num.array(np.where(has, xf, 0.0))
        if scales is not None:  # Decide: (x - low) * (100 / (high - low)), per issue
            for p, (low, high) in enumerate(scales):
                lo, hi = num.const(float(low)), num.const(float(high))
                step = 100 / (hi - lo) if hi != lo else 0 * lo
                X[:, p] = np.where(has[:, p], (X[:, p] - lo) * step, 0 * lo)
        S_ = num.array(np.where(has, salience, 0.0))
        C_ = num.array(np.where(has, power, 0.0))
        Sf, Cf = np.where(has, salience, 0.0), np.where(has, power, 0.0)
        sw, fw = num.exact_const(salience_weight), num.exact_const(fixed_weight)
        t = _Tables(num, X, S_, C_, has, sums)
        starts, votes, nbs_s, outs = [X.copy()], [X.copy()], [t.nbs.copy()], [t.nbs.copy()]
        rows_all, cands, ties = [], [], 0
        converged = -1
        if arithmetic != "decimal" and rounds:
            _kernels()  # compiled once after installation, and said so
        with progress.task("exchange model: rounds", total=rounds) as advance:
            for r in range(1, rounds + 1):
                rd, rows, nt = _one_round(t, arithmetic, rex, fnum, Sf, Cf, has, sums, tie_break,
                                          rng, tol)
                ties += nt
                cands.append(rd.count)
                y = t.x.copy()
                new = t.x.copy()
                for aI, sI, aJ, sJ, _g, _xi, yi, _xj, yj in rows:
                    for a, s_, yy in ((aI, sI, yi), (aJ, sJ, yj)):
                        y[a, s_] = yy
                        s = t.s[a, s_]
                        new[a, s_] = ((1 - s) * sw * yy + fw * yy
                                      + (1 - (1 - s) * sw - fw) * t.x[a, s_])
                votes.append(y)
                outs.append(_Tables(num, y, S_, C_, has, sums).nbs)
                t = _Tables(num, new, S_, C_, has, sums)
                starts.append(new)
                nbs_s.append(t.nbs.copy())
                rows_all.append([r_[:4] + tuple(float(v) for v in r_[4:]) for r_ in rows])
                advance()
                # No exchange realised: the positions are those the round started from, and
                # every later round would be this one again (the same candidates, no draws;
                # under REX only when there was no candidate at all: the rates of the
                # candidates are drawn anew each round, so a later round might realise one).
                if (rd.count == 0) if rex is not None else not rows:
                    converged = r
                    break

    def f(a):
        return np.where(has, np.asarray(a, dtype=float), np.nan)

    return {"start": np.array([f(a) for a in starts]),
            "voting": np.array([f(a) for a in votes]),
            "nbs_start": np.array(nbs_s, dtype=float), "outcome": np.array(outs, dtype=float),
            "rows": rows_all, "candidates": cands, "ties": ties, "converged": converged}


def _one_round(t, arithmetic, rex, fnum, Sf, Cf, has, sums, tie_break, rng, tol):
    """One round from the tables ``t``: (the round's candidates, the realised exchanges as
    (aI, sI, aJ, sJ, gain, xI, yI, xJ, yJ) in the order realised, the ties met)."""
    if arithmetic == "decimal":
        rd = _Round(t)
    elif arithmetic == "float":
        rd = _FastRound(t, rex=rex)
    else:
        tf = _Tables(fnum, np.asarray(t.x, dtype=float), Sf, Cf, has, sums)
        rd = _FastRound(tf, _Shadow(t))
    order_, nt = _play(rd, tie_break, rng, tol, arithmetic == "hybrid")
    if arithmetic == "hybrid":
        rows = [(int(rd.aI[k]), int(rd.sI[k]), int(rd.aJ[k]), int(rd.sJ[k]), *rd.dec[k])
                for k in order_]
    else:
        rows = [(int(rd.aI[k]), int(rd.sI[k]), int(rd.aJ[k]), int(rd.sJ[k]),
                 rd.gain[k], rd.xsI[k], rd.yI[k], rd.xsJ[k], rd.yJ[k])
                for k in order_]
    return rd, rows, nt


def run_exchange(
    problems: Sequence[Problem],
    rounds: int = 10,
    *,
    tie_break: str = "first",
    seed: int | np.random.Generator | None = None,
    actors: Sequence[str] | None = None,
    arithmetic: str = "hybrid",
    p: float = 0.0,
) -> ExchangeResult:
    """Stokman's exchange model (Equal Gain) over all ``problems`` (the issues of one file).

    Every issue is normalised onto 0-100 as Decide does ((x - low) * 100 / (high - low), from
    ``Problem.scale``); all positions and outcomes of the result are on that scale
    (`denormalise` maps them back).  ``tie_break="first"``: exchanges of equal gain are
    realised in the order of Decide's list (deterministic, Decide's ``ALLOW_RANDOM = False``);
    ``"random"``: Decide's coin between the first two, from ``seed`` (an int or a numpy
    Generator; the same seed gives the same run).  ``actors``: the actor order (default: the
    problems' actors merged in order), which fixes the order exchanges are built in.
    ``arithmetic``: "hybrid" (default; reproduces Decide's Decimal run), "float" (float64
    only: fastest; exchanges of mathematically equal gain may come in another order than in
    Decide) or "decimal" (all in Decimal, slow).  ``p`` > 0: REX, Decide's randomised
    exchange rates (``--p``; docs/exchange.md section 4), drawn from ``seed``; needs
    ``arithmetic="float"``.  ``Exchange.gain`` stays the equal gain (the order of
    realisation); the positions are the drawn ones.  The run stops early after a round that
    realised no exchange (``ExchangeResult.converged``; `run_tables`).
    """
    problems = list(problems)
    if not problems:
        raise ValueError("no issues")
    names = tuple(actors) if actors is not None else merged_actors(problems)
    x, s, c, has, order = _tables(problems, names)
    rng = seed if isinstance(seed, np.random.Generator) else (
        np.random.default_rng(seed) if tie_break == "random" or p > 0 else None)
    out = run_tables(x, s, c, has, rounds, tie_break=tie_break, rng=rng, arithmetic=arithmetic,
                     order=order, scales=[prob.scale for prob in problems], p=p)
    ids = tuple(p.id for p in problems)
    exchanges = [[Exchange(names[aI], ids[sI], names[aJ], ids[sJ], g, xi, yi, xj, yj)
                  for aI, sI, aJ, sJ, g, xi, yi, xj, yj in rows] for rows in out["rows"]]
    trajectories = []
    for k, prob in enumerate(problems):
        rows = [names.index(a) for a in prob.actors]
        pos = out["voting"][:, rows, k][:, None, :]
        outc = out["outcome"][:, k][:, None]
        events: list[list[list[dict[str, Any]]]] = [[[]]]
        for rnd in exchanges:
            evs = []
            for ex in rnd:
                if ex.supply_i == prob.id:
                    evs.append({"actor": ex.i, "from_position": ex.x_i, "to_position": ex.y_i,
                                "with": ex.j, "in_return_on": ex.supply_j, "gain": ex.gain})
                if ex.supply_j == prob.id:
                    evs.append({"actor": ex.j, "from_position": ex.x_j, "to_position": ex.y_j,
                                "with": ex.i, "in_return_on": ex.supply_i, "gain": ex.gain})
            events.append([evs])
        trajectories.append(Trajectory(model="exchange", positions=pos, outcome=outc,
                                       events=events,
                                       converged=np.array([out["converged"]], dtype=np.intp)))
    return ExchangeResult(
        actors=names, issues=ids, scales=tuple(tuple(map(float, p.scale)) for p in problems),
        trajectories=trajectories, start=out["start"], nbs_start=out["nbs_start"],
        voting=out["voting"], outcome=out["outcome"], exchanges=exchanges,
        candidates=out["candidates"], ties=out["ties"], converged=out["converged"])


def _setup(problems, actors):
    problems = list(problems)
    if not problems:
        raise ValueError("no issues")
    names = tuple(actors) if actors is not None else merged_actors(problems)
    return problems, names, *_tables(problems, names)


def candidates(problems: Sequence[Problem], *, arithmetic: str = "decimal",
               actors: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The candidate exchanges of the first round, in the order Decide builds them, each as
    {i, supply_i, j, supply_j, gain, y_i, y_j, valid} (Decimal gains and positions with
    ``arithmetic="decimal"``, floats with "float"); the exchanges realised first are the
    valid ones of highest gain."""
    if arithmetic not in ("decimal", "float"):
        raise ValueError(f"arithmetic '{arithmetic}' (allowed: decimal, float)")
    problems, names, x, s, c, has, order = _setup(problems, actors)
    exact = arithmetic == "decimal"
    num = _Numbers(exact)
    ids = [p.id for p in problems]
    with decimal.localcontext(_context()), np.errstate(divide="ignore", invalid="ignore",
                                                      over="ignore"):
        X = num.array(np.where(has, x, 0.0))
        for p, (low, high) in enumerate(prob.scale for prob in problems):
            lo, hi = num.const(float(low)), num.const(float(high))
            step = 100 / (hi - lo) if hi != lo else 0 * lo
            X[:, p] = np.where(has[:, p], (X[:, p] - lo) * step, 0 * lo)
        t = _Tables(num, X, num.array(np.where(has, s, 0.0)), num.array(np.where(has, c, 0.0)),
                    has, _sum_order(has, order))
        rd = _Round(t) if exact else _FastRound(t)
        return [{"i": names[rd.aI[k]], "supply_i": ids[rd.sI[k]], "j": names[rd.aJ[k]],
                 "supply_j": ids[rd.sJ[k]], "gain": rd.gain[k], "y_i": rd.yI[k],
                 "y_j": rd.yJ[k], "valid": bool(rd.valid[k])} for k in range(rd.count)]


def run_variants(problems: Sequence[Problem], positions=None, salience=None, capability=None,
                 rounds: int = 10, *, tie_break: str = "first",
                 seed: int | np.random.Generator | None = None, arithmetic: str = "hybrid",
                 actors: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """V perturbed variants of the issues of ``problems``: ``positions`` (V, A, P) on each
    issue's own scale, ``salience`` and ``capability`` (V, A, P) (None: the problems' own,
    repeated; A actors in `merged_actors` order, P issues in problem order; NaN positions:
    no position).  The variants run one after another (the exchange model is a sequence of
    dependent steps), each with vectorised inner work, and each equals `run_exchange` on
    that variant alone; with ``tie_break="random"`` variant v draws from its own generator,
    spawned from ``seed``.

    Returns ``outcome`` (V, rounds + 1, P) on 0-100, ``voting`` (V, rounds + 1, A, P),
    ``exchanges`` (V, rounds): how many exchanges each round realised, and ``converged``
    (V,): the round from which a variant realised no exchange, or -1 (`run_tables`; the
    rounds after it, which were not run, repeat it: its outcome and voting positions, no
    exchanges).
    """
    problems, _, x, s, c, has, order = _setup(problems, actors)
    arrays = [np.asarray(a, dtype=float) if a is not None else None
              for a in (positions, salience, capability)]
    V = next((a.shape[0] for a in arrays if a is not None), 1)
    base = (x, s, c)
    full = []
    for a, b in zip(arrays, base, strict=True):
        if a is None:
            a = np.broadcast_to(b, (V, *b.shape))
        if a.shape != (V, *b.shape):
            raise ValueError(f"variant arrays must be (V, {b.shape[0]}, {b.shape[1]}), "
                             f"got {a.shape}")
        full.append(a)
    rngs: list = [None] * V
    if tie_break == "random":
        root = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        rngs = list(root.spawn(V))
    scales = [p.scale for p in problems]
    outs, votes, counts, conv = [], [], [], []

    def padded(a: np.ndarray) -> np.ndarray:  # a converged run: its last round repeats
        return np.concatenate([a, np.repeat(a[-1:], rounds + 1 - len(a), axis=0)])

    for v in range(V):
        hv = has & np.isfinite(full[0][v])
        out = run_tables(full[0][v], full[1][v], full[2][v], hv, rounds, tie_break=tie_break,
                         rng=rngs[v], arithmetic=arithmetic, order=order, scales=scales)
        outs.append(padded(out["outcome"]))
        votes.append(padded(out["voting"]))
        done = [len(r) for r in out["rows"]]
        counts.append(done + [0] * (rounds - len(done)))
        conv.append(out["converged"])
    return {"outcome": np.array(outs), "voting": np.array(votes),
            "exchanges": np.array(counts, dtype=int).reshape(V, rounds),
            "converged": np.array(conv, dtype=np.intp)}


# ---------------------------------------------------------------------------------------------
# for `blocs forecast --model exchange`

VARIANTS = {
    "deterministic": {"tie_break": "first", "arithmetic": "hybrid"},
    "random": {"tie_break": "random", "arithmetic": "hybrid"},
    "float": {"tie_break": "first", "arithmetic": "float"},
    "decimal": {"tie_break": "first", "arithmetic": "decimal"},
    # Decide's --p (REX) with its CLI's random tie-breaking (ALLOW_RANDOM = True)
    "rex": {"tie_break": "random", "arithmetic": "float"},
}
REX_P = 1.0  # p of variant "rex" unless given (Decide's test_rex; its CLI default 0.0 is off)


def _plain(v):
    v = float(v)
    return v if np.isfinite(v) else None


class ExchangeModel:
    """Stokman's exchange model for the forecast command.  It works across the issues of a
    file, so it has ``run_problems(problems)`` instead of the per-issue ``run``.

    ``variant``: "deterministic" (default: Decide with ``ALLOW_RANDOM = False``, exchange by
    exchange), "random" (Decide's random tie-breaking, from ``seed``), "float" (float64
    only: fastest, may order exchanges of mathematically equal gain differently from
    Decide), "decimal" (all in Decimal, the slow reference), "rex" (Decide's randomised
    exchange rates, ``--p``, strength ``p`` (default 1.0), drawn from ``seed``, with random
    tie-breaking; float64).
    """

    name = "exchange"
    multi_issue = True

    def __init__(self, rounds: int = 10, variant: str | None = None, seed: int | None = None,
                 p: float | None = None):
        variant = variant or "deterministic"
        if variant not in VARIANTS:
            raise ValueError(f"unknown variant '{variant}' (allowed: {', '.join(VARIANTS)})")
        if rounds < 0:
            raise ValueError(f"rounds {rounds} (allowed: >= 0)")
        if p is not None and variant != "rex":
            raise ValueError("p is the strength of variant 'rex' only")
        p = (REX_P if p is None else float(p)) if variant == "rex" else 0.0
        if not 0 <= p:
            raise ValueError(f"p {p} (allowed: >= 0)")
        self.rounds, self.variant, self.seed, self.p = rounds, variant, seed, p

    def run(self, positions, salience, capability, reference=None):
        raise ValueError("the exchange model trades across issues: it needs all issues of a "
                         "file at once (ExchangeModel.run_problems)")

    def run_problems(self, problems: Sequence[Problem]) -> list[dict[str, Any]]:
        """One entry per problem in the forecast JSON contract (``id``, ``actors``,
        ``rounds`` [{positions, outcome, events}], ``outcome``), on each issue's own scale:
        round 0 the input, round t the voting positions of round t and their NBS (the
        capability x salience weighted mean), events the exchanges of round t on the issue;
        ``converged``: the round that realised no exchange, where the run stopped (the rounds
        end there), or None (`run_tables`).
        """
        res = run_exchange(problems, self.rounds, seed=self.seed, p=self.p,
                           **VARIANTS[self.variant])
        entries = []
        for k, prob in enumerate(problems):
            traj = res.trajectories[k]
            pos = denormalise(traj.positions[:, 0], prob.scale)
            # positions that never moved are printed exactly as read
            pos = np.where(traj.positions[:, 0] == traj.positions[0, 0][None],
                           np.asarray(prob.positions, dtype=float)[None], pos)
            out = denormalise(traj.outcome[:, 0], prob.scale)
            rounds = []
            for t in range(traj.positions.shape[0]):
                evs = [{**ev,
                        "from_position": _plain(denormalise(ev["from_position"], prob.scale)),
                        "to_position": _plain(denormalise(ev["to_position"], prob.scale))}
                       for ev in (traj.events[t][0] if traj.events else [])]
                rounds.append({"positions": [_plain(v) for v in pos[t]],
                               "outcome": _plain(out[t]), "events": evs})
            entries.append({"id": prob.id, "actors": list(prob.actors), "rounds": rounds,
                            "outcome": rounds[-1]["outcome"],
                            "converged": res.converged if res.converged >= 0 else None})
        return entries

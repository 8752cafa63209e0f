"""The rounds of the exchange model: candidates built, exchanges realised, positions moved.

Each round (docs/exchange.md, section 2) builds every candidate exchange from the positions
the round starts with (`pairs`), calculates them (`gain`, in the engine of the arithmetic:
`decimal_round` or `float_round`), and realises them one at a time, highest gain first
(`play`; ties in Decide's order, `ranking`), each realisation recalculating the exchanges it
touches.  The round's outcome is the NBS of the voting positions; every actor-issue that was
supplied starts the next round part of the way towards its voting position (Decide's
SALIENCE_WEIGHT and FIXED_WEIGHT).  A round that realises nothing ends the run
(`run_tables`).
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from contextlib import nullcontext
from decimal import Decimal
from typing import Any

import numpy as np

from blocs import progress
from blocs.bargaining.exchange import ranking
from blocs.bargaining.exchange.arithmetic import Numbers, decimal_context
from blocs.bargaining.exchange.decimal_round import DecimalRound
from blocs.bargaining.exchange.float_round import FloatRound, compiled_kernel
from blocs.bargaining.exchange.gain import Calculator
from blocs.bargaining.exchange.rex import Rex
from blocs.bargaining.exchange.tables import Tables, start_tables, sum_order

#: Rounds x actors x issues from which a run reports its progress: about 100 rounds of a
#: cop21-sized file (15 actors x 13 issues), a few seconds.
_REPORT_FROM = 20_000


def _no_progress(steps: int = 1) -> None:
    return None


SALIENCE_WEIGHT = 0.4  # Decide's AbstractModel.SALIENCE_WEIGHT
FIXED_WEIGHT = 0.1  # Decide's AbstractModel.FIXED_WEIGHT
TIE_BREAKS = ("first", "random")
ARITHMETIC = ("hybrid", "float", "decimal")
TIE_EPS = Decimal("1e-20")  # Decide: gains closer than this are a tie (random mode)


def play(rd, tie_break: str, rng, tol: float, hybrid: bool):
    """Realise the exchanges of round ``rd`` (a `DecimalRound` or `FloatRound`) one at a
    time, highest gain first, ties in Decide's order (`ranking.ranked`) or, with
    ``tie_break="random"``, by Decide's coin between the first two: the indices in the order
    realised and the number of ties met.  ``hybrid``: the float gains of ``rd`` within
    ``tol`` (relative) of the top are compared in Decimal (`FloatRound.exact`)."""
    exact = rd.decimal_gains
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
                ranked = ranking.ranked(near, rd.gain, log, touched, now=dg, rd=rd)
                k = ranked[0]
                tied = abs(dg[ranked[0]] - dg[ranked[1]]) < TIE_EPS
                ties += int(tied)
                if tie_break == "random" and tied and rng.random() >= 0.5:
                    k = ranked[1]
        elif tie_break == "first":
            near = (g == top).nonzero()[0]
            if len(near) > 1:
                ranked = ranking.ranked(near, rd.gain, log, touched)
                k = ranked[0]
                ties += 1
        else:
            near = (g >= top - abs(top) * tol).nonzero()[0]
            if len(near) > 1:
                ranked = ranking.ranked(near, rd.gain, log, touched)
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
        e, old = rd.realise(k, alive, g)  # renews alive and g of the exchanges it touches
        log.append((e, old, rd.snap if hybrid else None))
        for c in e.tolist():
            touched.setdefault(c, []).append(len(log) - 1)
    return order, ties


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
    rex = Rex(p, rng) if p > 0 else None
    xf = np.asarray(x, dtype=float)
    if has is None:
        has = np.isfinite(xf)
    has = np.asarray(has, dtype=bool)
    sums = sum_order(has, order)
    # the tables the rounds' positions are computed in: Decimal unless pure float
    num = Numbers(arithmetic != "float")
    with decimal.localcontext(decimal_context()), np.errstate(divide="ignore", invalid="ignore",
                                                             over="ignore"):
        t = start_tables(num, xf, salience, power, has, sums, scales)
        X, S_, C_ = t.x, t.s, t.c
        floats = (np.where(has, salience, 0.0), np.where(has, power, 0.0))
        sw, fw = num.exact_const(salience_weight), num.exact_const(fixed_weight)
        starts, votes, nbs_s, outs = [X.copy()], [X.copy()], [t.nbs.copy()], [t.nbs.copy()]
        rows_all, cands, ties = [], [], 0
        converged = -1
        if arithmetic != "decimal" and rounds:
            compiled_kernel()  # compiled once after installation, and said so
        # Only long runs report (many rounds on a large file): a bar per 0.1 s run, as in a
        # backtest of 94 proposals, would only flicker.
        long = rounds * has.size >= _REPORT_FROM
        with (progress.task("exchange model: rounds", total=rounds) if long
              else nullcontext(_no_progress)) as advance:
            for r in range(1, rounds + 1):
                rd, rows, nt = one_round(t, arithmetic, rex, floats, tie_break, rng, tol)
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
                outs.append(Tables(num, y, S_, C_, has, sums).nbs)
                t = Tables(num, new, S_, C_, has, sums)
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


def new_round(t: Tables, arithmetic: str, rex: Rex | None = None, floats=None):
    """The engine of ``arithmetic`` on the round's tables ``t``, its candidates calculated:
    `DecimalRound` ("decimal"), `FloatRound` ("float"; with REX's draws when ``rex``), or
    `FloatRound` on float copies of ``t`` with a Decimal `gain.Calculator` on ``t``
    ("hybrid"; ``floats``: the salience and power tables as floats).  Under
    `arithmetic.decimal_context` unless "float"."""
    if arithmetic == "decimal":
        return DecimalRound(t)
    if arithmetic == "float":
        return FloatRound(t, rex=rex)
    tf = Tables(Numbers(False), np.asarray(t.x, dtype=float), *floats, t.has, t.order)
    return FloatRound(tf, Calculator(t))


def one_round(t, arithmetic, rex, floats, tie_break, rng, tol):
    """One round from the tables ``t``: (the round's candidates, the realised exchanges as
    (aI, sI, aJ, sJ, gain, xI, yI, xJ, yJ) in the order realised, the ties met)."""
    rd = new_round(t, arithmetic, rex, floats)
    order_, nt = play(rd, tie_break, rng, tol, arithmetic == "hybrid")
    if arithmetic == "hybrid":
        rows = [(int(rd.aI[k]), int(rd.sI[k]), int(rd.aJ[k]), int(rd.sJ[k]), *rd.dec[k])
                for k in order_]
    else:
        rows = [(int(rd.aI[k]), int(rd.sI[k]), int(rd.aJ[k]), int(rd.sJ[k]),
                 rd.gain[k], rd.xsI[k], rd.yI[k], rd.xsJ[k], rd.yJ[k])
                for k in order_]
    return rd, rows, nt

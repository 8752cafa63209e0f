"""The asymmetric Nash bargaining solution with the status quo as the disagreement point.

Model (docs/baselines.md).  Stakeholder i has the quadratic utility u_i(x) = -(x - x_i)^2 over
outcomes x, and bargaining power w_i = c_i s_i (capability x salience).  If the actors do not
agree, the reference point q (the status quo; DEU's ``rp``) stays.  The asymmetric Nash
bargaining solution (Nash 1950; Kalai 1977) maximises the weighted Nash product over the
outcomes that every actor with power prefers to q:

    x* = argmax_x  sum_i w_i log(u_i(x) - u_i(q))
         subject to u_i(x) > u_i(q) for every i with w_i > 0.

This is the NBS of the EU bargaining literature (Achen 2006, "Institutional realism and
bargaining models" and "Evaluating political decision-making models", in Thomson et al.,
*The European Union Decides*; Schneider, Finke & Bailer 2010), with salience entering as
bargaining power: a salience that only scaled u_i would cancel out of the maximiser.  Achen
derives the compromise model as an approximation to this solution: when breakdown is very
costly for everyone (u_i(q) = -K with K -> inf) the first-order condition becomes
sum_i w_i (x_i - x) = 0, the compromise model; the NBS proper is what a real status quo adds.

**Veto players** (``veto``, a case issue's ``veto:``): only the actors whose consent a change
from q needs have q as their disagreement point; for the others breakdown is not a threat they
hold (the change goes ahead without them), i.e. u_i(d_i) = -K with K -> inf, and their terms
drop out of the maximiser as in Achen's limit.  So the forecast is the NBS among the veto
players V:

    x* = argmax_x  sum_{i in V} w_i log(u_i(x) - u_i(q))
         subject to u_i(x) > u_i(q) for every i in V with w_i > 0,

which lies in the veto players' winset of q (Tsebelis 2002): every veto player is better off
than at q.  Without ``veto`` every actor with power can block (V = all: unanimity, the NBS
above).

Rules:

* **No reference point** (``reference`` None, or NaN for a variant): that limit, i.e. the
  compromise model (capability x salience weighted mean) over every actor; veto players are
  then ignored (a veto keeps the status quo, and there is none).
* **No outcome improves on q for every veto player with power** (veto players on both sides
  of q, or one at q: q is in their core): the bargaining set is {q} and the forecast is q
  itself — the disagreement point.
* No veto player with power (all w_i = 0 in V): NaN.

Solution in one dimension: with all actors on one side of q, write t = |x - q| and
a_i = 2 |x_i - q|; then u_i(x) - u_i(q) = t (a_i - t) and the maximiser solves the strictly
decreasing first-order condition W / t = sum_i w_i / (a_i - t) on (0, min_i a_i), W = sum w_i.
It is found by bisection, vectorised over variants (64 halvings: exact to float precision,
far below 1e-6 on a 0-100 scale).  One actor gives its own position; several dimensions are
solved one by one, each with its own reference coordinate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from blocs.bargaining.compromise import compromise
from blocs.bargaining.problem import ModelBase

_ITERATIONS = 64

if TYPE_CHECKING:
    from blocs.bargaining.problem import Problem, Trajectory


def nash_bargaining(
    positions: ArrayLike, weights: ArrayLike, reference: ArrayLike | None,
    veto: ArrayLike | None = None,
) -> np.ndarray:
    """The weighted NBS over the last axis of ``positions`` (..., n); ``reference`` (...).

    ``weights`` (bargaining powers, >= 0) broadcast against the positions.  ``veto`` (bool,
    broadcast against the positions): the actors whose consent a change needs; None: every
    actor.  Reference None (or NaN entries) falls back to the weighted mean of every actor.

    >>> float(nash_bargaining([60.0], [1.0], 0.0))         # one actor: its own position
    60.0
    >>> float(nash_bargaining([20.0, 80.0], [1, 1], 50.0))  # actors on both sides: q stays
    50.0
    >>> round(float(nash_bargaining([40.0, 100.0], [1, 1], 0.0)), 6)
    50.0
    >>> float(nash_bargaining([20.0, 80.0], [1, 1], 50.0, veto=[False, True]))  # only 80
    80.0
    """
    x = np.asarray(positions, dtype=float)
    w = np.broadcast_to(np.asarray(weights, dtype=float), x.shape)
    if np.any(w < 0):
        raise ValueError("weights must be >= 0")
    mean = compromise(x, w, 1.0)
    if reference is None:
        return mean
    q = np.broadcast_to(np.asarray(reference, dtype=float), x.shape[:-1])
    if veto is not None:  # the others cannot block: their terms drop out (module's doc)
        w = np.where(np.broadcast_to(np.asarray(veto, dtype=bool), x.shape), w, 0.0)
    active = w > 0
    d = x - q[..., None]                       # signed distance of each ideal point from q
    up = np.all(~active | (d > 0), axis=-1)    # every actor with power wants more than q
    down = np.all(~active | (d < 0), axis=-1)  # ... or every one wants less
    has = active.any(axis=-1)
    a = np.where(active, 2.0 * np.abs(d), np.inf)
    m = np.min(a, axis=-1)                     # the largest t every actor still prefers
    total = w.sum(axis=-1)
    feasible = has & (up | down) & np.isfinite(m) & (m > 0)
    m_safe = np.where(feasible, m, 1.0)
    lo = np.zeros_like(m_safe)
    hi = np.ones_like(m_safe)                  # t = u * m, u in (0, 1)
    for _ in range(_ITERATIONS):
        u = 0.5 * (lo + hi)
        t = (u * m_safe)[..., None]
        with np.errstate(divide="ignore", invalid="ignore"):
            g = total / t[..., 0] - np.sum(np.where(active, w / (a - t), 0.0), axis=-1)
        pos = g > 0
        lo = np.where(pos, u, lo)
        hi = np.where(pos, hi, u)
    t = 0.5 * (lo + hi) * m_safe
    solved = np.where(up, q + t, q - t)
    out = np.where(feasible, solved, q)
    out = np.where(has, out, np.nan)
    return np.where(np.isnan(q), mean, out)


class NashBargaining(ModelBase):
    """The asymmetric Nash bargaining solution behind the common `Model` interface.

    Bargaining powers are capability x salience; ``reference`` is the status quo, (V,) or
    (V, d); without it the forecast is the compromise model (see the module's doc).  ``veto``
    (V, n) or (n,) bool: the actors whose consent a change needs (default: all);
    `blocs.bargaining.run` passes a problem's ``veto`` to the models with ``uses_veto``.
    """

    name = "nash"
    #: `run` takes ``veto`` (the only built-in model that does).
    uses_veto = True

    def run(self, positions: np.ndarray, salience: np.ndarray, capability: np.ndarray,
            reference: np.ndarray | None = None, veto: np.ndarray | None = None
            ) -> Trajectory:
        from blocs.bargaining.problem import dimensions_first, model_arrays, one_round

        x, s, c, q = model_arrays(positions, salience, capability, reference)
        v = None if veto is None else np.asarray(veto, dtype=bool)
        if x.ndim == 3:
            if v is not None:  # (V, n) or (n,) -> (V, 1, n) against (V, d, n)
                v = np.broadcast_to(v, x.shape[:2])[:, None, :]
            out = nash_bargaining(dimensions_first(x), dimensions_first(s * c), q, v)
        else:
            out = nash_bargaining(x, s * c, q, v)
        return one_round(self.name, x, out)

    def forecast_note(self, problem: Problem) -> str | None:
        """Why the forecast on ``problem`` is what it is, when the model fell back on a rule:
        no status quo (the compromise), or no change that every veto player prefers (the
        status quo); None when the Nash solution proper applies."""
        if problem.reference is None:
            return ("no status quo: nash gives the compromise (the capability x salience "
                    "weighted mean)")
        x = np.asarray(problem.positions, dtype=float).reshape(problem.n, -1)
        s = np.asarray(problem.salience, dtype=float).reshape(problem.n, -1)
        w = s * np.asarray(problem.capability, dtype=float)[:, None]
        who = "stakeholder (no veto players named: each can block)"
        if problem.veto:
            mask = np.array([a in problem.veto for a in problem.actors])
            w = np.where(mask[:, None], w, 0.0)
            who = "veto player (" + ", ".join(problem.veto) + ")"
        d = x - float(problem.reference)
        active = w > 0
        up = np.all(~active | (d > 0), axis=0)
        down = np.all(~active | (d < 0), axis=0)
        if np.all(up | down):
            return None
        return (f"no outcome is better than the status quo for every {who}: nash gives the "
                "status quo")

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

Rules:

* **No reference point** (``reference`` None, or NaN for a variant): that limit, i.e. the
  compromise model (capability x salience weighted mean).
* **No outcome improves on q for every actor with power** (actors on both sides of q, or one
  at q): the bargaining set is {q} and the forecast is q itself — the disagreement point.
* No actor with power (all w_i = 0): NaN.

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
    from blocs.bargaining.problem import Trajectory

def nash_bargaining(
    positions: ArrayLike, weights: ArrayLike, reference: ArrayLike | None
) -> np.ndarray:
    """The weighted NBS over the last axis of ``positions`` (..., n); ``reference`` (...).

    ``weights`` (bargaining powers, >= 0) broadcast against the positions.  Reference None
    (or NaN entries) falls back to the weighted mean.

    >>> float(nash_bargaining([60.0], [1.0], 0.0))         # one actor: its own position
    60.0
    >>> float(nash_bargaining([20.0, 80.0], [1, 1], 50.0))  # actors on both sides: q stays
    50.0
    >>> round(float(nash_bargaining([40.0, 100.0], [1, 1], 0.0)), 6)
    50.0
    """
    x = np.asarray(positions, dtype=float)
    w = np.broadcast_to(np.asarray(weights, dtype=float), x.shape)
    if np.any(w < 0):
        raise ValueError("weights must be >= 0")
    mean = compromise(x, w, 1.0)
    if reference is None:
        return mean
    q = np.broadcast_to(np.asarray(reference, dtype=float), x.shape[:-1])
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
    (V, d); without it the forecast is the compromise model (see the module's doc).
    """

    name = "nash"

    def run(self, positions: np.ndarray, salience: np.ndarray, capability: np.ndarray,
            reference: np.ndarray | None = None) -> Trajectory:
        from blocs.bargaining.problem import dimensions_first, model_arrays, one_round

        x, s, c, q = model_arrays(positions, salience, capability, reference)
        if x.ndim == 3:
            out = nash_bargaining(dimensions_first(x), dimensions_first(s * c), q)
        else:
            out = nash_bargaining(x, s * c, q)
        return one_round(self.name, x, out)

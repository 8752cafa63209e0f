"""The weighted median model: the position that a weighted majority cannot move.

Model (docs/baselines.md): sort the stakeholders by position, x_(1) <= ... <= x_(n), with weights
w_i = c_i s_i (capability x salience) and total W.  The *lower* weighted median is the first
sorted position at which the cumulative weight reaches half the total,

    x* = x_(k),  k = min { k : w_(1) + ... + w_(k) >= W / 2 },

the median voter's position when each stakeholder votes with weight c_i s_i (Black 1948; the
"median voter" baseline of Achen 2006).  No stakeholder with zero weight is ever the median.
The *upper* weighted median uses ``> W / 2``; ``rule="mid"`` averages the two, which for equal
weights and an even number of stakeholders is the ordinary median (NumPy's ``np.median``).

Batched with NumPy like `blocs.bargaining.compromise`: positions (V, n) sort along the
stakeholder axis; with several dimensions (V, n, d) each dimension has its own median.  NaN
positions (padding) count as absent.  A variant whose weights are all zero gives NaN.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import ArrayLike

from blocs.bargaining.problem import ModelBase

# Relative tolerance on "cumulative weight >= half the total", so that sums of weights that
# are exactly half in real arithmetic (e.g. 2 of 4 equal weights) are not lost to rounding.
_TOL = 1e-12

Rule = Literal["lower", "upper", "mid"]



if TYPE_CHECKING:
    from blocs.bargaining.problem import Trajectory

def weighted_median(positions: ArrayLike, weights: ArrayLike, rule: Rule = "lower") -> np.ndarray:
    """Weighted median over the last axis of ``positions`` (..., n); weights broadcast.

    >>> float(weighted_median([4, 7, 10], [0.3, 0.2, 0.5]))
    7.0
    >>> float(weighted_median([1, 2, 3, 4], [1, 1, 1, 1])), float(
    ...     weighted_median([1, 2, 3, 4], [1, 1, 1, 1], rule="mid"))
    (2.0, 2.5)
    >>> weighted_median([[0, 100], [0, 100]], [[3, 1], [1, 3]]).tolist()
    [0.0, 100.0]
    """
    if rule not in ("lower", "upper", "mid"):
        raise ValueError(f"unknown rule '{rule}' (allowed: lower, upper, mid)")
    x = np.asarray(positions, dtype=float)
    w = np.asarray(weights, dtype=float)
    shape = np.broadcast_shapes(x.shape, w.shape)
    x = np.broadcast_to(x, shape)
    w = np.where(np.isnan(x), 0.0, np.broadcast_to(w, shape))
    if np.any(w < 0):
        raise ValueError("weights must be >= 0")
    order = np.argsort(np.where(np.isnan(x), np.inf, x), axis=-1, kind="stable")
    xs = np.take_along_axis(x, order, axis=-1)
    cum = np.cumsum(np.take_along_axis(w, order, axis=-1), axis=-1)
    total = cum[..., -1:]
    ok = total[..., 0] > 0
    lower = np.take_along_axis(
        xs, np.argmax(cum >= total * (0.5 - _TOL), axis=-1)[..., None], axis=-1)[..., 0]
    if rule == "lower":
        out = lower
    else:
        upper = np.take_along_axis(
            xs, np.argmax(cum > total * (0.5 + _TOL), axis=-1)[..., None], axis=-1)[..., 0]
        out = upper if rule == "upper" else 0.5 * (lower + upper)
    return np.where(ok, out, np.nan)


class WeightedMedian(ModelBase):
    """The weighted median behind the common `Model` interface (one round: the input).

    ``weighted=True`` weighs each stakeholder by capability x salience (the "median" model);
    ``weighted=False`` gives every stakeholder with a position one vote (the median position).
    ``rule``: ``"lower"`` (default), ``"upper"`` or ``"mid"`` (see `weighted_median`).
    """

    def __init__(self, rule: Rule = "lower", weighted: bool = True, name: str = "median"):
        if rule not in ("lower", "upper", "mid"):
            raise ValueError(f"unknown rule '{rule}' (allowed: lower, upper, mid)")
        self.rule = rule
        self.weighted = weighted
        self.name = name

    def run(self, positions: np.ndarray, salience: np.ndarray, capability: np.ndarray,
            reference: np.ndarray | None = None) -> Trajectory:
        from blocs.bargaining.problem import dimensions_first, model_arrays, one_round

        x, s, c, _ = model_arrays(positions, salience, capability)
        w = s * c if self.weighted else np.ones(c.shape)
        if x.ndim == 3:  # one median per dimension
            out = weighted_median(dimensions_first(x), dimensions_first(w), self.rule)
        else:
            out = weighted_median(x, w, self.rule)
        return one_round(self.name, x, out)

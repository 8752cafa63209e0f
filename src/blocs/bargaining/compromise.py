"""The compromise model: the capability x salience weighted mean of the positions.

Model (docs/bargaining.md): for stakeholders i with position x_i, salience s_i and capability
c_i, the forecast outcome is

    x* = sum_i c_i s_i x_i / sum_i c_i s_i

the baseline of the bargaining literature, which richer models must beat on real outcomes
(Achen 2006, "Evaluating political decision-making models", in Thomson, Stokman, Achen &
Koenig, *The European Union Decides*, Cambridge UP; van den Bos 1991).

Arrays may carry any leading batch dimensions (variants, ...) before the stakeholder axis, and
positions may carry a trailing dimension axis, so 10,000 perturbed variants run as one call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from blocs.bargaining.problem import ModelBase, dimensions_first, model_arrays, one_round

if TYPE_CHECKING:
    from blocs.bargaining.problem import Trajectory

def compromise(
    positions: ArrayLike,
    salience: ArrayLike,
    capability: ArrayLike,
    multidim: bool = False,
) -> np.ndarray:
    """Capability x salience weighted mean of positions over the stakeholder axis.

    ``salience`` and ``capability`` have shape (..., n) and broadcast against the positions'
    leading (batch) shape.  ``positions`` is (..., n), or (..., n, dims) with
    ``multidim=True``.  Returns shape (...) or (..., dims).  A variant whose weights are all
    zero has no defined outcome and gives NaN.

    >>> float(compromise([0, 100], [50, 50], [3, 1]))
    25.0
    >>> compromise([[0, 100], [0, 100]], [[1, 1], [1, 3]], [1, 1]).tolist()
    [50.0, 75.0]
    >>> compromise([[0, 10], [100, 30]], [1, 1], [1, 3], multidim=True).tolist()
    [75.0, 25.0]
    """
    x = np.asarray(positions, dtype=float)
    w = np.asarray(salience, dtype=float) * np.asarray(capability, dtype=float)
    if multidim:
        w = w[..., None]
        axis = -2
    else:
        axis = -1
    w = np.broadcast_to(w, np.broadcast_shapes(w.shape, x.shape))
    total = w.sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (w * x).sum(axis=axis) / np.where(total > 0, total, np.nan)


class Compromise(ModelBase):
    """The compromise model behind the common `Model` interface (one round: the input)."""

    name = "compromise"

    def run(self, positions: np.ndarray, salience: np.ndarray, capability: np.ndarray,
            reference: np.ndarray | None = None) -> Trajectory:
        x, s, c, _ = model_arrays(positions, salience, capability)
        if x.ndim == 3:  # each dimension's own weighted mean, with its own saliences
            out = compromise(dimensions_first(x), dimensions_first(s), dimensions_first(c))
        else:
            out = compromise(x, s, c)
        return one_round(self.name, x, out)

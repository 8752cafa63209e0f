"""Baseline models every forecaster must beat (docs/baselines.md): the unweighted mean of the
positions and a constant.  They take the same `Model` interface as the bargaining models, so
a backtest scores them alike.

>>> Mean().run([[0.0, 50.0, 100.0]], [[1, 1, 1]], [[9, 1, 1]]).final.tolist()
[50.0]
>>> Constant(50).run([[0.0, 100.0]], [[1, 1]], [[1, 1]]).final.tolist()
[50.0]
"""

from __future__ import annotations

import numpy as np

from blocs.bargaining.problem import ModelBase, Trajectory, one_round


class Mean(ModelBase):
    """The unweighted mean of the positions (every stakeholder with a position counts once)."""

    name = "mean"

    def run(self, positions: np.ndarray, salience: np.ndarray, capability: np.ndarray,
            reference: np.ndarray | None = None) -> Trajectory:
        x = np.asarray(positions, dtype=float)
        return one_round(self.name, x, np.nanmean(x, axis=-2 if x.ndim == 3 else -1))


class Constant(ModelBase):
    """The same forecast for every issue (``Constant(50)``: the middle of a 0-100 scale)."""

    def __init__(self, value: float = 50.0, name: str | None = None):
        self.value = float(value)
        self.name = name or f"constant-{self.value:g}"

    def run(self, positions: np.ndarray, salience: np.ndarray, capability: np.ndarray,
            reference: np.ndarray | None = None) -> Trajectory:
        x = np.asarray(positions, dtype=float)
        shape = x.shape[:-2] + x.shape[-1:] if x.ndim == 3 else x.shape[:-1]
        return one_round(self.name, x, np.full(shape, self.value))

"""The one mapping between an issue's own scale and the 0-100 scale the models run on.

Scale-dependent models (KTAB's utilities, Decide's thresholds) were written for 0-100, so every
issue is mapped linearly onto it, run, and mapped back: ``(x - low) * 100 / (high - low)`` and
its inverse.  An issue already on 0-100, or whose scale is a single point, is passed through
unchanged.

>>> to_model_scale([4.0, 7.0, 10.0], (4.0, 10.0)).tolist()
[0.0, 50.0, 100.0]
>>> from_model_scale([50.0], (4.0, 10.0)).tolist()
[7.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np

MODEL_SCALE = (0.0, 100.0)


def rescaled(scale: tuple[float, float]) -> bool:
    """Whether an issue on ``scale`` is mapped at all (not 0-100, not a single point)."""
    low, high = scale
    return (low, high) != MODEL_SCALE and high > low


def to_model_scale(x: Any, scale: tuple[float, float]) -> np.ndarray:
    """Positions on the issue's scale mapped linearly onto 0-100 (unchanged when the issue is
    already on 0-100 or has a degenerate scale)."""
    if not rescaled(scale):
        return np.asarray(x, dtype=float)
    low, high = scale
    return (np.asarray(x, dtype=float) - low) * 100.0 / (high - low)


def from_model_scale(y: Any, scale: tuple[float, float]) -> np.ndarray:
    """The inverse of `to_model_scale`."""
    if not rescaled(scale):
        return np.asarray(y, dtype=float)
    low, high = scale
    return np.asarray(y, dtype=float) * (high - low) / 100.0 + low

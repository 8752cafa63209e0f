"""blocs' default forecaster: a calibrated compromise model, frozen (docs/backtest.md).

The formula (every parameter read from ``default_params.json``, shipped with the package and
written once by ``tools/fit_default.py``, which chose it by cross-validation by proposal on
the DEU development file; nothing here ever refits):

1. **Weights** w_i = c_i^a s_i^k over the actors with a position, capability c_i > 0 and
   salience s_i > 0 (a = ``capability_exponent``, k = ``salience_exponent``).  For a DEU
   problem the capabilities are the GDP weights of ``meta["gdp"]`` (an actor without one
   weighs 0); for any other problem, its ``capability``.  With a = 0 and k = 1 this is the
   compromise model with equal capabilities.
2. **Compromise** x0 = sum_i w_i x_i / sum_i w_i (no positive weight: the plain mean of the
   positions).
3. **Status quo** x1 = x0 + g (x0 - q) with g = ``reference_shift`` when the problem has a
   reference point q; without one, x1 = x0.
4. **Snap** to the options on the table: u = the actor position (of an actor with positive
   weight) nearest to x1; when |u - x1| <= D (``snap_distance``, in points of a 0-100 scale,
   scaled to the problem's own scale), x2 = x1 + f (u - x1) (f = ``snap_fraction``),
   else x2 = x1.  (In the DEU data 60% of the outcomes are one of the actors' positions.)
5. The forecast is x2 clipped to the problem's scale.

**Intervals** (level 0.8 by default): x2 +/- h clipped to the scale, h the split-conformal
half-width by proposal, i.e. the ceil((m + 1) level)-th smallest of the m out-of-fold absolute
errors stored in the parameters (scaled like D).

It runs on any `Problem` (`predict`, `interval`) and behind the batched `Model` interface
(`run`: the capability array is used as given, so pass DEU's GDP weights as capabilities to get
the same numbers as `predict`; several dimensions are forecast one by one).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from blocs.bargaining.problem import (
    ModelBase,
    Problem,
    Trajectory,
    dimensions_first,
    gdp_capability,
    model_arrays,
    one_round,
)

PARAMS_FILE = "default_params.json"
NEUTRAL = {"capability_exponent": 0.0, "salience_exponent": 1.0, "reference_shift": 0.0,
           "snap_distance": 0.0, "snap_fraction": 0.0}


@lru_cache(maxsize=1)
def shipped_params() -> dict[str, Any]:
    """The frozen parameters shipped with blocs (``default_params.json``)."""
    text = (resources.files("blocs.bargaining") / PARAMS_FILE).read_text("utf-8")
    return json.loads(text)


def calibrated_compromise(
    positions: np.ndarray,
    salience: np.ndarray,
    capability: np.ndarray,
    reference: np.ndarray | None,
    params: dict[str, float],
    span: np.ndarray | float = 100.0,
) -> np.ndarray:
    """Steps 1-4 of the module's formula over the last axis (..., n), unclipped.

    NaN positions are absent actors (padding).  ``reference`` (...) may hold NaN (none);
    ``span`` is the width of each problem's scale (100 for 0-100).

    >>> p = dict(NEUTRAL, snap_distance=10.0, snap_fraction=1.0)
    >>> float(calibrated_compromise(np.array([0.0, 50.0]), np.array([0.2, 0.8]),
    ...                             np.ones(2), None, p))
    50.0
    """
    x = np.asarray(positions, dtype=float)
    s = np.broadcast_to(np.asarray(salience, dtype=float), x.shape)
    c = np.broadcast_to(np.asarray(capability, dtype=float), x.shape)
    a, k = float(params["capability_exponent"]), float(params["salience_exponent"])
    present = np.isfinite(x)
    usable = present & (c > 0) & (s > 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        w = np.where(usable, np.where(usable, c, 1.0) ** a * np.where(usable, s, 1.0) ** k, 0.0)
    xz = np.where(present, x, 0.0)
    total = w.sum(axis=-1)
    count = present.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        plain = xz.sum(axis=-1) / np.where(count > 0, count, np.nan)
        x0 = np.where(total > 0, (w * xz).sum(axis=-1) / np.where(total > 0, total, 1.0), plain)
    x1 = x0
    g = float(params["reference_shift"])
    if reference is not None and g != 0.0:
        q = np.broadcast_to(np.asarray(reference, dtype=float), x0.shape)
        x1 = np.where(np.isfinite(q), x0 + g * (x0 - q), x0)
    d = float(params["snap_distance"]) * np.asarray(span, dtype=float) / 100.0
    f = float(params["snap_fraction"])
    if f != 0.0 and np.any(d > 0):
        # Nearest option among the positions of actors that carry weight (all, if none do).
        candidates = np.where(total[..., None] > 0, w > 0, present)
        dist = np.where(candidates, np.abs(xz - x1[..., None]), np.inf)
        j = np.argmin(dist, axis=-1)
        u = np.take_along_axis(xz, j[..., None], axis=-1)[..., 0]
        near = np.take_along_axis(dist, j[..., None], axis=-1)[..., 0] <= d
        x1 = np.where(near, x1 + f * (u - x1), x1)
    return np.where(count > 0, x1, np.nan)


def conformal_halfwidth(abs_errors: Sequence[float], level: float) -> float:
    """Split-conformal half-width: the ceil((m + 1) level)-th smallest of m absolute errors
    (infinite when that rank exceeds m).

    >>> conformal_halfwidth(range(1, 10), 0.8)
    8.0
    """
    e = np.sort(np.asarray(abs_errors, dtype=float))
    if not 0 < level < 1:
        raise ValueError(f"level: {level} (allowed: between 0 and 1)")
    rank = math.ceil((len(e) + 1) * level)
    return float(e[rank - 1]) if rank <= len(e) else math.inf


class DefaultForecaster(ModelBase):
    """The default forecaster with its frozen, shipped parameters (name "default").

    ``params`` (a dict shaped like ``default_params.json``) replaces the shipped ones — for
    tools/fit_default.py and tests; blocs itself always uses the shipped file.
    """

    name = "default"

    def __init__(self, params: dict[str, Any] | None = None):
        self.spec = shipped_params() if params is None else params
        self.params = {**NEUTRAL, **self.spec["params"]}
        self.abs_errors = np.asarray(self.spec.get("cv_abs_errors", ()), dtype=float)
        cv = self.spec.get("cv", {})
        self.note = (
            f"frozen; fitted on {self.spec.get('trained_on', '?')} (in-sample there); "
            f"out-of-sample CV by proposal MAE {cv['mae']:.2f}" if "mae" in cv else "frozen")

    def capabilities(self, problem: Problem) -> np.ndarray:
        """The capabilities this model weighs by: DEU's GDP weights where the problem has
        them (`gdp_capability`), else its own; `blocs forecast` passes them to `run`, so it
        gives the same numbers as `predict`."""
        return gdp_capability(problem)

    # -- the Model interface ---------------------------------------------------------------
    def run(self, positions: np.ndarray, salience: np.ndarray, capability: np.ndarray,
            reference: np.ndarray | None = None) -> Trajectory:
        x, s, c, q = model_arrays(positions, salience, capability, reference)
        if x.ndim == 3:
            x3, s3, c3 = (dimensions_first(a) for a in (x, s, c))
            out = calibrated_compromise(x3, s3, c3, q, self.params)
        else:
            out = calibrated_compromise(x, s, c, q, self.params)
        # Clipped to the 0-100 model scale, widened to the positions where they lie off it:
        # an issue of one point (every position equal) reaches the models unmapped.
        axis = -2 if x.ndim == 3 else -1
        present = np.isfinite(x)
        lo = np.minimum(0.0, np.where(present, x, np.inf).min(axis=axis, initial=np.inf))
        hi = np.maximum(100.0, np.where(present, x, -np.inf).max(axis=axis, initial=-np.inf))
        return one_round(self.name, x, np.clip(out, lo, hi))

    # -- the forecaster interface ----------------------------------------------------------
    def predict(self, problems: Sequence[Problem]) -> np.ndarray:
        """One forecast per problem (NaN for a problem without actors or on several
        dimensions)."""
        out = np.full(len(problems), np.nan)
        for i, p in enumerate(problems):
            if p.n == 0 or p.multidim:
                continue
            lo, hi = p.scale
            q = None if p.reference is None else np.array(float(p.reference))
            x = calibrated_compromise(np.asarray(p.positions, dtype=float),
                                      np.asarray(p.salience, dtype=float), gdp_capability(p),
                                      q, self.params, span=hi - lo)
            out[i] = float(np.clip(x, lo, hi))
        return out

    def interval(
        self, problems: Sequence[Problem], level: float = 0.8
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ``level`` prediction interval (lo, hi) of each problem (see the module)."""
        centre = self.predict(problems)
        h = conformal_halfwidth(self.abs_errors, level) if len(self.abs_errors) else math.nan
        span = np.array([p.scale[1] - p.scale[0] for p in problems], dtype=float)
        lo_s = np.array([p.scale[0] for p in problems], dtype=float)
        hi_s = np.array([p.scale[1] for p in problems], dtype=float)
        half = h * span / 100.0
        return np.clip(centre - half, lo_s, hi_s), np.clip(centre + half, lo_s, hi_s)

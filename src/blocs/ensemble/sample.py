"""Designs of experiments: points in the unit hypercube, one row per run (docs/ensembles.md).

SciPy's quasi-Monte Carlo engines (`scipy.stats.qmc`): a Latin hypercube by default (McKay,
Beckman & Conover 1979: each variable's range cut into n equal strata, one point in each), a
scrambled Sobol' sequence on request (Sobol' 1967; Owen scrambling; its balance holds for n a
power of 2).  The whole design of an ensemble is drawn once from the seed; run r always takes
row r, so chunks, resumed runs and Dask workers all see the same inputs.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.stats import qmc

METHODS = ("lhs", "sobol")


def unit_design(d: int, n: int, seed: int, method: str = "lhs") -> np.ndarray:
    """(n, d) points in [0, 1)^d from ``method`` under ``seed``.

    >>> unit_design(2, 4, seed=1).shape
    (4, 2)
    """
    if method not in METHODS:
        raise ValueError(f"unknown sampling method '{method}' (allowed: {', '.join(METHODS)})")
    if d == 0:
        return np.empty((n, 0))
    rng = np.random.default_rng(seed)
    if method == "lhs":
        return qmc.LatinHypercube(d=d, rng=rng).random(n)
    with warnings.catch_warnings():
        # SciPy warns when n is not a power of 2; the design is still a valid sample, and
        # docs/ensembles.md says so.
        warnings.simplefilter("ignore", UserWarning)
        return qmc.Sobol(d=d, scramble=True, rng=rng).random(n)

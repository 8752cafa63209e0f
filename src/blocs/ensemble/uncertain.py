"""The case's uncertainties as distributions over the unit interval (docs/ensembles.md).

Each ``uncertain:`` entry of a case puts a distribution on one input.  An ensemble samples
points u in [0, 1)^d (Latin hypercube or Sobol', `blocs.ensemble.sample`) and maps each
coordinate through its distribution's quantile function (inverse CDF), SciPy's ``ppf``:

* ``uniform: [a, b]``             -> ``scipy.stats.uniform(a, b - a)``
* ``triangular: [a, m, b]``       -> ``scipy.stats.triang((m - a) / (b - a), a, b - a)``
* ``normal: {mean, sd, between}`` -> ``scipy.stats.truncnorm`` on ``between`` or the input's
  allowed range (`blocs.scenario.validate_ensemble.input_range`), a plain normal when that
  range is unbounded
* ``choice: [v1, v2, ...]``       -> the value whose cumulative weight first exceeds u
  (``weights``, default equal)

The inverse-CDF map keeps the design's stratification (a Latin hypercube stays one in each
variable), and Sobol' indices computed on u are those of the mapped inputs, since each input
is a monotone function of its own coordinate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from blocs.scenario.paths import UNCERTAIN, parse_path
from blocs.scenario.scenario import Scenario
from blocs.scenario.schema import Uncertain
from blocs.scenario.validate_ensemble import input_range


@dataclass(frozen=True)
class Uncertainty:
    """One ``uncertain:`` entry, ready to map unit samples (`ppf`)."""

    name: str
    at: str
    kind: str
    ids: tuple[str, ...]
    spec: Uncertain
    low: float | None
    high: float | None

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The values at unit points ``u`` (the inverse CDF; see the module)."""
        u = np.asarray(u, dtype=float)
        s = self.spec
        if s.uniform is not None:
            a, b = s.uniform
            return stats.uniform(a, b - a).ppf(u)
        if s.triangular is not None:
            a, m, b = s.triangular
            return stats.triang((m - a) / (b - a), a, b - a).ppf(u) if b > a else np.full_like(
                u, a)
        if s.normal is not None:
            lo, hi = s.normal.between or (self.low, self.high)
            lo = -math.inf if lo is None else lo
            hi = math.inf if hi is None else hi
            mu, sd = s.normal.mean, s.normal.sd
            return stats.truncnorm((lo - mu) / sd, (hi - mu) / sd, loc=mu, scale=sd).ppf(u)
        values = np.asarray(s.choice, dtype=float)
        w = np.ones(len(values)) if s.weights is None else np.asarray(s.weights, dtype=float)
        cum = np.cumsum(w) / w.sum()
        return values[np.minimum(np.searchsorted(cum, u, side="right"), len(values) - 1)]

    @property
    def support(self) -> tuple[float, float]:
        """(lowest, highest) value the distribution gives."""
        s = self.spec
        if s.uniform is not None:
            return min(s.uniform), max(s.uniform)
        if s.triangular is not None:
            return s.triangular[0], s.triangular[2]
        if s.normal is not None:
            lo, hi = s.normal.between or (self.low, self.high)
            return (-math.inf if lo is None else lo), (math.inf if hi is None else hi)
        return min(s.choice), max(s.choice)


def uncertainties(scenario: Scenario) -> list[Uncertainty]:
    """The case's ``uncertain:`` entries, in file order."""
    out = []
    for name, spec in scenario.case.uncertain.items():
        kind, ids = parse_path(spec.at, UNCERTAIN)
        low, high = input_range(scenario.case, scenario.measures, kind, ids)
        out.append(Uncertainty(name, spec.at, kind, ids, spec, low, high))
    return out

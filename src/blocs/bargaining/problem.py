"""The data every bargaining model takes and gives: a `Problem` in, a `Trajectory` out.

A *problem* is one contested issue: stakeholders with positions on the issue's scale,
saliences in [0, 1] and capabilities (>= 0).  Readers of the various file formats
(`blocs.bargaining.formats`) and of case files all produce problems; models never read files.

Every model has one interface (`Model`): ``model.run(positions, salience, capability)`` on
arrays with a leading *variants* axis — positions (V, n) or (V, n, d), salience (V, n) or
(V, n, d), capability (V, n) — returning a `Trajectory` whose ``positions`` are
(R + 1, V, n[, d]) and ``outcome`` (R + 1, V[, d]): round 0 is the input and each later round
the state after it.  One-shot models (compromise, median, Nash) return R = 0.  Running 10,000
perturbed variants is one call, and each variant's result equals running it alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np


@dataclass(frozen=True)
class Problem:
    """One issue: ``n`` stakeholders on ``d`` dimensions (d = 1 stores positions as (n,)).

    ``scale`` is the issue's (low, high) scale; ``reference`` the status quo or reference point
    when known (DEU's ``rp``); ``outcome`` the real outcome when known (for backtests);
    ``group`` what the issue belongs to (DEU's proposal), for cross-validation folds.
    """

    id: str
    actors: tuple[str, ...]
    positions: np.ndarray
    salience: np.ndarray
    capability: np.ndarray
    scale: tuple[float, float] = (0.0, 100.0)
    dimensions: tuple[str, ...] = ()
    reference: float | None = None
    outcome: float | None = None
    group: str | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def n(self) -> int:
        return len(self.actors)

    @property
    def multidim(self) -> bool:
        return self.positions.ndim == 2

    def batch(self, variants: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The problem as arrays with a leading variants axis (copies, safe to perturb)."""
        rep = (variants,) + (1,) * self.positions.ndim
        return (
            np.tile(self.positions, rep).astype(float),
            np.tile(self.salience, (variants,) + (1,) * self.salience.ndim).astype(float),
            np.tile(self.capability, (variants, 1)).astype(float),
        )


@dataclass(frozen=True)
class Trajectory:
    """What a model run gives: every round's positions and outcome, per variant.

    ``positions``: (R + 1, V, n[, d]); ``outcome``: (R + 1, V[, d]); ``events``: per round, a
    list (per variant) of model-specific records (e.g. who moved and why), or empty.
    """

    model: str
    positions: np.ndarray
    outcome: np.ndarray
    events: list[list[list[dict]]] = field(default_factory=list)

    @property
    def rounds(self) -> int:
        return self.positions.shape[0] - 1

    @property
    def final(self) -> np.ndarray:
        """The outcome after the last round, one per variant: (V[, d])."""
        return self.outcome[-1]

    def variant(self, v: int) -> Trajectory:
        """The trajectory of one variant (V = 1)."""
        return Trajectory(
            model=self.model,
            positions=self.positions[:, v : v + 1],
            outcome=self.outcome[:, v : v + 1],
            events=[[r[v]] for r in self.events] if self.events else [],
        )


@runtime_checkable
class Model(Protocol):
    """The interface every bargaining model implements."""

    name: str

    def run(
        self,
        positions: np.ndarray,
        salience: np.ndarray,
        capability: np.ndarray,
        reference: np.ndarray | None = None,
    ) -> Trajectory:  # pragma: no cover - a protocol
        """Run on batched arrays; ``reference`` (V[, d]) is the status quo where a model
        uses one (Nash), ignored by the others."""
        ...


def model_arrays(
    positions: np.ndarray,
    salience: np.ndarray,
    capability: np.ndarray,
    reference: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """A model's inputs as float arrays on one footing: ``x`` as given, (V, n) or (V, n, d);
    salience and capability broadcast to x's shape (per-dimension weights when d > 1);
    ``reference`` broadcast to the outcome's shape, (V,) or (V, d), or None.

    The one-shot models share this, so each only says what it computes.
    """
    x = np.asarray(positions, dtype=float)
    s = np.asarray(salience, dtype=float)
    c = np.asarray(capability, dtype=float)
    q = None if reference is None else np.asarray(reference, dtype=float)
    if x.ndim == 3:
        s = s if s.ndim == 3 else np.broadcast_to(s[..., None], x.shape)
        c = np.broadcast_to(c[..., None], x.shape)
        if q is not None:
            q = np.broadcast_to(q if q.ndim == 2 else q[..., None], x.shape[:-2] + x.shape[-1:])
    elif q is not None:
        q = np.broadcast_to(q, x.shape[:-1])
    return x, s, c, q


def dimensions_first(a: np.ndarray) -> np.ndarray:
    """(V, n, d) to (V, d, n): kernels that reduce over the last (stakeholder) axis then run on
    every dimension at once."""
    return np.swapaxes(a, -1, -2)


def one_round(model: str, x: np.ndarray, outcome: np.ndarray) -> Trajectory:
    """The trajectory of a one-shot model: the input positions and the forecast."""
    return Trajectory(model=model, positions=x[None], outcome=np.asarray(outcome)[None])

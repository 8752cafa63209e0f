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

# The bounds and the per-value checks (capability, position) live in `blocs.limits`, below
# both this module and case-file validation; importable from here under their old names.
from blocs.limits import BOUND_TEXT as _BOUND  # noqa: F401
from blocs.limits import (
    MAX_CAPABILITY,  # noqa: F401
    MAX_POSITION,  # noqa: F401
    MIN_RELATIVE_SPAN,
    capability_refusal,
    position_refusal,
)
from blocs.limits import show_number as _show


@dataclass(frozen=True)
class Problem:
    """One issue: ``n`` stakeholders on ``d`` dimensions (d = 1 stores positions as (n,)).

    ``scale`` is the issue's (low, high) scale; ``reference`` the status quo or reference point
    when known (DEU's ``rp``, a case issue's ``status_quo``); ``outcome`` the real outcome
    when known (for backtests); ``group`` what the issue belongs to (DEU's proposal), for
    cross-validation folds; ``veto`` the actors whose consent any change from ``reference``
    needs (a case issue's ``veto``; empty: not stated — the Nash model then needs everyone's).
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
    veto: tuple[str, ...] = ()

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

    ``converged`` (V,) int, or None (models that do not tell; one-shot models): per variant,
    the first round r >= 1 in which the model changed nothing, so that every later round
    would repeat it; -1 when the variant was still changing after the last round run.  A
    model may stop there (the exchange model: R = r) or fill the later rounds with copies of
    round r (EUM: the arrays keep the R + 1 rounds asked for).  "Changed nothing": EUM, a
    round that left every position as it was; the exchange model, a round in which no
    exchange was realised (under REX, p > 0: a round without any candidate exchange).  SMP:
    the turn at which KTAB's stopping rule ended the run (that turn moved the actors less
    than 2% of what the first turn moved; the later rounds repeat its state).
    """

    model: str
    positions: np.ndarray
    outcome: np.ndarray
    events: list[list[list[dict]]] = field(default_factory=list)
    converged: np.ndarray | None = None

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
            converged=None if self.converged is None else self.converged[v : v + 1],
        )


@runtime_checkable
class Model(Protocol):
    """The interface of a bargaining model that forecasts one issue at a time
    (docs/bargaining.md, "Writing a model").

    Required:

    * ``name``: the name it reports (and is registered under);
    * ``run(positions, salience, capability, reference=None) -> Trajectory`` on arrays with a
      leading variants axis (the module's doc); ``reference`` is the status quo where a model
      uses one (Nash), ignored by the others.  ``run`` changes nothing on the model object:
      the same call gives the same trajectory.

    Hooks, with the defaults of `ModelBase` (which every built-in model extends):

    * ``capabilities(problem)``: the capability of each actor the model weighs by (default:
      the problem's own; the default forecaster reads DEU's GDP weights where given).
    """

    name: str

    def capabilities(self, problem: Problem) -> np.ndarray:  # pragma: no cover - a protocol
        ...

    def run(self, positions: np.ndarray, salience: np.ndarray, capability: np.ndarray,
            reference: np.ndarray | None = None) -> Trajectory:
        ...


@runtime_checkable
class MultiIssueModel(Protocol):
    """The interface of a model that works across the issues of a file at once (Stokman's
    exchange model trades positions between issues): ``name`` and ``run_problems(problems)``,
    which returns one forecast entry per problem (the JSON contract of docs/forecast.md:
    ``id``, ``actors``, ``rounds``, ``outcome``, ``converged``), each on its issue's own
    scale."""

    name: str

    def run_problems(self, problems: list[Problem]) -> list[dict[str, Any]]:  # pragma: no cover
        ...


class ModelBase:
    """The defaults of the `Model` hooks; a model extends it and writes ``name`` and ``run``.

    >>> class Middle(ModelBase):
    ...     name = "middle"
    ...     def run(self, positions, salience, capability, reference=None):
    ...         x = np.asarray(positions, dtype=float)
    ...         return one_round(self.name, x, (x.min(axis=-1) + x.max(axis=-1)) / 2)
    >>> isinstance(Middle(), Model)
    True
    >>> Middle().run([[0.0, 40.0, 100.0]], [[1, 1, 1]], [[1, 1, 1]]).final.tolist()
    [50.0]
    """

    name: str = "model"

    def capabilities(self, problem: Problem) -> np.ndarray:
        """The problem's own capabilities."""
        return np.asarray(problem.capability, dtype=float)


def gdp_capability(problem: Problem) -> np.ndarray:
    """The problem's capabilities, or DEU's GDP weights (``meta["gdp"]``) where it has them:
    an actor without one weighs 0; a problem without any keeps its own capabilities.

    >>> p = Problem("i", ("a", "b"), np.zeros(2), np.ones(2), np.ones(2),
    ...             meta={"gdp": [3.0, float("nan")]})
    >>> gdp_capability(p).tolist()
    [3.0, 0.0]
    """
    gdp = np.asarray(problem.meta.get("gdp", ()), dtype=float)
    if gdp.shape == (problem.n,) and np.isfinite(gdp).any():
        return np.nan_to_num(gdp, nan=0.0)
    return np.asarray(problem.capability, dtype=float)


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


# ---------------------------------------------------------------------------------------------
# Inputs every model accepts (docs/bargaining.md): checked once, here, by every reader.

WEIGHT_RULE = "at least one actor with capability > 0 and salience > 0"


@dataclass(frozen=True)
class Refusal:
    """Why no model can take a problem, one line: ``field`` is "capability", "position",
    "salience", "scale" (the positions' range) or "weight" (capability x salience of every
    actor); ``actor`` the index of the actor whose value it is (None: the whole problem);
    ``dimension`` the index of the dimension (None: all, or one-dimensional); ``message`` what
    is wrong, then in parentheses what is allowed."""

    field: str
    message: str
    actor: int | None = None
    dimension: int | None = None

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def scale_refusal(low: float, high: float) -> str | None:
    """What is wrong with an issue's scale (low, high) (None: nothing): ends beyond
    `MAX_POSITION` or a range too narrow for its magnitude (`MIN_RELATIVE_SPAN`).  A scale of
    one point (low == high: every position equal) is fine: there is nothing to map."""
    low, high = float(low), float(high)
    for end in (low, high):
        bad = position_refusal(end)
        if bad is not None:
            return f"the scale end {bad}"
    if high < low:
        return (f"the scale runs from {_show(low)} down to {_show(high)} "
                "(allowed: low <= high)")
    size = max(abs(low), abs(high))
    if high > low and high - low < MIN_RELATIVE_SPAN * size:
        return (f"the issue's scale, {_show(low)} to {_show(high)}, is too narrow for the size "
                "of its numbers: the differences between positions would be lost when mapped "
                "onto the models' 0-100 scale (allowed: high - low at least "
                f"{MIN_RELATIVE_SPAN:g} x the largest magnitude, here "
                f"{MIN_RELATIVE_SPAN * size:g}; subtract a common offset from every position)")
    return None


def check_problem(problem: Problem) -> list[Refusal]:
    """Every reason no model can take ``problem`` (empty: every model can), one line each.

    The rule every reader applies before any model runs (docs/bargaining.md, "Inputs every
    model accepts"): capabilities finite, 0 to `MAX_CAPABILITY`; saliences 0 to 1; positions
    and scale ends finite, at most `MAX_POSITION` in magnitude, the scale not narrower than
    `MIN_RELATIVE_SPAN` of its magnitude; and at least one actor with capability x salience
    > 0 (on each dimension of a multi-dimensional issue).  Values a reader already refused are
    not reported twice as long as it refuses them first.

    >>> p = Problem("x", ("a", "b"), np.array([4.0, 7.0]), np.zeros(2), np.ones(2), (4.0, 7.0))
    >>> [r.field for r in check_problem(p)]
    ['weight']
    """
    out: list[Refusal] = []
    c = np.asarray(problem.capability, dtype=float).reshape(-1)
    n = len(c)
    if n == 0:
        return [Refusal("weight", f"the issue has no actors, so no model can weigh them "
                                  f"(allowed: {WEIGHT_RULE})")]
    multi = problem.multidim
    # (n, d) positions and saliences (one salience column when it is the same on every
    # dimension); the weight checked per column.
    x = np.asarray(problem.positions, dtype=float).reshape(n, -1)
    s = np.asarray(problem.salience, dtype=float).reshape(n, -1)
    for i, ci in enumerate(c):
        bad = capability_refusal(ci)
        if bad is not None:
            out.append(Refusal("capability", bad, actor=i))
    for (i, k), v in np.ndenumerate(s):
        if not (np.isfinite(v) and 0.0 <= v <= 1.0):
            out.append(Refusal("salience", (
                f"{_show(v)} is not a number from 0 to 1 (allowed: a salience from 0 to 1, or "
                "0 to 100 where the format says so)"), actor=i, dimension=k if multi else None))
    far = len(out)
    for (i, k), v in np.ndenumerate(x):
        bad = position_refusal(v)
        if bad is not None:
            out.append(Refusal("position", bad, actor=i, dimension=k if multi else None))
    bad = scale_refusal(*problem.scale) if len(out) == far else None
    if bad is not None:
        out.append(Refusal("scale", bad))
    if out:
        return out
    with np.errstate(under="ignore"):
        weight = s * c[:, None]  # (n, d), or (n, 1) for one salience on every dimension
    per_dimension = multi and weight.shape[1] > 1
    dims = problem.dimensions
    for k in range(weight.shape[1]):
        if not (weight[:, k] > 0).any():
            where = ""
            if per_dimension:
                where = f"on dimension {dims[k] if k < len(dims) else k + 1}, "
            out.append(Refusal("weight", (
                f"{where}every actor has capability x salience 0, so no model can weigh them "
                f"(allowed: {WEIGHT_RULE})"), dimension=k if per_dimension else None))
    return out

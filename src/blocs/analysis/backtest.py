"""Backtests: forecasts of issues with known outcomes, scored (docs/backtest.md).

``backtest(problems, models)`` forecasts every *scored* issue with every model and reports,
per model, the number of issues, the mean and median absolute error, the share of forecasts
within 5 and within 10 points of the outcome, and the coverage of the 80% intervals of the
models that give intervals; with the table of every forecast.

* **Scoring convention** (that of the published DEU comparisons): an issue counts when its
  outcome is on the issue's scale (0-100) and at least 3 actors have positions.  Problems on
  several dimensions are not scored, nor issues no model can weigh (every actor's capability
  x salience 0): those are counted (`BacktestResult.refused`), not forecast.
* **Models that fit nothing** (the bargaining models, the baselines, the frozen default) are
  run on every scored issue directly.
* **Models that fit** (anything with a ``fit(problems)`` method returning a fitted forecaster)
  are cross-validated *by proposal*: the issues' groups (``Problem.group``, DEU's proposal;
  the issue itself when it has none) are dealt into ``folds`` folds, and each fold is forecast
  by the model fitted on the other folds' scored issues, so no issue of a test fold's proposal
  is ever seen in training.  The folds are deterministic given ``seed`` (`group_folds`).

A *forecaster* has a ``name`` and ``predict(problems) -> array`` (one forecast per problem,
NaN when it has none), and optionally ``interval(problems, level) -> (lo, hi)`` and
``fit(problems) -> forecaster``.  Any bargaining `Model` (``run(positions, salience,
capability, reference)``) is wrapped by `ModelForecaster`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from blocs import progress
from blocs.bargaining.problem import MultiIssueModel, Problem, check_problem, gdp_capability

LEVEL = 0.8
MIN_ACTORS = 3


@runtime_checkable
class Forecaster(Protocol):
    """What `backtest` scores: a name and one forecast per problem."""

    name: str

    def predict(self, problems: Sequence[Problem]) -> np.ndarray:  # pragma: no cover
        ...


Capability = Literal["problem", "gdp"]


class ModelForecaster:
    """A bargaining `Model` as a forecaster: each problem run alone (V = 1).

    ``capability="gdp"`` replaces the capabilities by ``problem.meta["gdp"]`` (DEU's GDP
    weights; an actor without one weighs 0; a problem without any keeps its capabilities).
    The problem's ``reference`` is passed to the model (Nash uses it).
    """

    def __init__(self, model: Any, capability: Capability = "problem", name: str | None = None):
        if capability not in ("problem", "gdp"):
            raise ValueError(f"unknown capability '{capability}' (allowed: problem, gdp)")
        self.model = model
        self.capability = capability
        self.name = name or model.name

    def predict(self, problems: Sequence[Problem]) -> np.ndarray:
        if isinstance(self.model, MultiIssueModel):
            return self._predict_by_group(problems)
        out = np.full(len(problems), np.nan)
        for k, p in enumerate(problems):
            if p.n == 0 or p.multidim:
                continue
            x, s, _ = p.batch(1)
            c = (gdp_capability(p) if self.capability == "gdp" else self.model.capabilities(p))
            ref = None if p.reference is None else np.array([float(p.reference)])
            with np.errstate(invalid="ignore", divide="ignore"):
                out[k] = float(np.asarray(
                    self.model.run(x, s, np.asarray(c, dtype=float)[None], reference=ref)
                    .final)[0])
        return out

    def _predict_by_group(self, problems: Sequence[Problem]) -> np.ndarray:
        """Models that trade across issues (the exchange model) run once per group of issues
        decided together (DEU: the issues of one proposal), on all of the group's issues;
        the final round's outcome is the forecast, on each issue's own scale."""
        out = np.full(len(problems), np.nan)
        groups: dict[str, list[int]] = {}
        for k, p in enumerate(problems):
            if p.n and not p.multidim:
                groups.setdefault(group_of(p), []).append(k)
        for members in groups.values():
            batch = [problems[k] for k in members]
            entries = {e["id"]: e for e in self.model.run_problems(batch)}
            for k in members:
                value = entries[problems[k].id]["outcome"]
                out[k] = np.nan if value is None else float(value)
        return out


def as_forecaster(model: Any) -> Forecaster:
    """A forecaster (``predict``, or only ``fit``) as is; a bargaining `Model` wrapped in
    `ModelForecaster`."""
    if hasattr(model, "predict") or hasattr(model, "fit"):
        return model
    if hasattr(model, "run"):
        return ModelForecaster(model)
    raise TypeError(f"{model!r} is neither a forecaster (predict) nor a model (run)")


def standard_models() -> dict[str, Forecaster]:
    """The baselines and models every backtest reports, by name, the default first.

    ``compromise`` (capability x salience mean), ``compromise-gdp`` (the same with DEU's GDP
    weights as capabilities), ``mean`` (unweighted), ``median`` (lower capability x salience
    weighted median), ``median-position`` (the ordinary median of the positions), ``nash``
    (asymmetric Nash bargaining from the status quo), ``constant-50``.
    """
    from blocs.bargaining.baselines import Constant, Mean
    from blocs.bargaining.compromise import Compromise
    from blocs.bargaining.default import DefaultForecaster
    from blocs.bargaining.median import WeightedMedian
    from blocs.bargaining.nash import NashBargaining

    models: list[Forecaster] = [
        DefaultForecaster(),
        ModelForecaster(Compromise()),
        ModelForecaster(Compromise(), capability="gdp", name="compromise-gdp"),
        ModelForecaster(Mean()),
        ModelForecaster(WeightedMedian()),
        ModelForecaster(WeightedMedian(rule="mid", weighted=False, name="median-position")),
        ModelForecaster(NashBargaining()),
        ModelForecaster(Constant(50.0)),
    ]
    return {m.name: m for m in models}


# ---------------------------------------------------------------------------------------------
# scoring and folds


def scored(problem: Problem, min_actors: int = MIN_ACTORS) -> bool:
    """Whether an issue counts: a known outcome on its scale, >= 3 actors with positions, and
    inputs every model accepts (`blocs.bargaining.problem.check_problem`: e.g. not every
    actor's capability x salience 0; such issues are counted in `BacktestResult.refused`)."""
    return _countable(problem, min_actors) and not check_problem(problem)


def _countable(problem: Problem, min_actors: int = MIN_ACTORS) -> bool:
    if problem.outcome is None or problem.multidim:
        return False
    lo, hi = problem.scale
    outcome = float(problem.outcome)
    if not (math.isfinite(outcome) and lo <= outcome <= hi):
        return False
    return int(np.isfinite(np.asarray(problem.positions, dtype=float)).sum()) >= min_actors


def group_of(problem: Problem) -> str:
    """The cross-validation group: the proposal (``group``), else the issue itself."""
    return problem.group if problem.group is not None else f"issue:{problem.id}"


def group_folds(problems: Sequence[Problem], folds: int = 5, seed: int = 0) -> np.ndarray:
    """The fold (0 .. folds-1) of each problem; every group (proposal) lies in one fold.

    The groups are shuffled with ``seed``, then dealt, largest first (ties in shuffled
    order), each to the fold with the fewest issues so far (ties: the lowest fold) — balanced
    like scikit-learn's GroupKFold, and deterministic given the seed.

    >>> from blocs.bargaining.problem import Problem
    >>> ps = [Problem(str(i), ("a",), np.zeros(1), np.ones(1), np.ones(1), group=g)
    ...       for i, g in enumerate("aabbbc")]
    >>> group_folds(ps, 2).tolist()
    [1, 1, 0, 0, 0, 1]
    """
    groups = [group_of(p) for p in problems]
    unique = list(dict.fromkeys(groups))
    if folds < 2:
        raise ValueError(f"folds: {folds} (allowed: 2 or more)")
    if folds > len(unique):
        raise ValueError(f"folds: {folds} is more than the {len(unique)} proposals "
                         f"(allowed: 2 to {len(unique)})")
    size = {g: 0 for g in unique}
    for g in groups:
        size[g] += 1
    rank = np.random.default_rng(seed).permutation(len(unique))
    order = sorted(range(len(unique)), key=lambda i: (-size[unique[i]], rank[i]))
    load = np.zeros(folds, dtype=int)
    fold_of: dict[str, int] = {}
    for i in order:
        f = int(np.argmin(load))
        fold_of[unique[i]] = f
        load[f] += size[unique[i]]
    return np.array([fold_of[g] for g in groups], dtype=int)


# ---------------------------------------------------------------------------------------------
# the backtest


@dataclass(frozen=True)
class BacktestResult:
    """Per-model figures (``summary``) and every forecast (``predictions``).

    ``summary``: model, n, mae, median_ae, within5, within10, coverage80 (NaN for models
    without intervals), evaluation ("direct" or "cv"), note.  ``predictions``: issue, group,
    model, forecast, outcome, lo, hi, fold (-1 for direct evaluation).
    """

    summary: pd.DataFrame
    predictions: pd.DataFrame
    issues: int
    folds: int
    seed: int
    #: Issues that would count but that no model can weigh (every actor's capability x
    #: salience 0, `blocs.bargaining.problem.check_problem`): left out of the scoring.
    refused: int = 0

    def row(self, model: str) -> dict[str, Any]:
        """The summary row of one model, as a dict."""
        rows = self.summary[self.summary["model"] == model]
        if rows.empty:
            raise KeyError(model)
        return rows.iloc[0].to_dict()

    def to_dict(self, default: str | None = None) -> dict[str, Any]:
        """The JSON form: ``{"default", "models": [...], "predictions": [...]}``."""

        def num(v):
            return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else v

        models = [{"model": r.model, "n": int(r.n), "mae": num(float(r.mae)),
                   "median_ae": num(float(r.median_ae)), "within5": num(float(r.within5)),
                   "within10": num(float(r.within10)), "coverage80": num(float(r.coverage80))}
                  for r in self.summary.itertuples(index=False)]
        preds = [{"issue": r.issue, "model": r.model, "forecast": num(float(r.forecast)),
                  "outcome": num(float(r.outcome))}
                 for r in self.predictions.itertuples(index=False)]
        return {"default": default, "models": models, "predictions": preds}


def _intervals(model: Any, problems: Sequence[Problem], level: float):
    if not hasattr(model, "interval") or not problems:
        return np.full(len(problems), np.nan), np.full(len(problems), np.nan)
    lo, hi = model.interval(problems, level)
    return np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)


def _figures(forecast: np.ndarray, outcome: np.ndarray, lo: np.ndarray, hi: np.ndarray):
    ok = np.isfinite(forecast)
    err = np.abs(forecast[ok] - outcome[ok])
    n = int(ok.sum())
    has = ok & np.isfinite(lo) & np.isfinite(hi)
    inside = (lo[has] <= outcome[has]) & (outcome[has] <= hi[has])
    return {
        "n": n,
        "mae": float(err.mean()) if n else math.nan,
        "median_ae": float(np.median(err)) if n else math.nan,
        "within5": float((err <= 5).mean()) if n else math.nan,
        "within10": float((err <= 10).mean()) if n else math.nan,
        "coverage80": float(inside.mean()) if has.any() else math.nan,
    }


def backtest(
    problems: Iterable[Problem],
    models: Any = None,
    folds: int = 5,
    seed: int = 0,
    level: float = LEVEL,
) -> BacktestResult:
    """Score ``models`` (a forecaster, a bargaining model, or a list or dict of them) on the
    scored ``problems``; cross-validate by proposal those that fit (see the module's doc).

    The coverage column is that of ``level`` intervals (0.8 unless told).  Without
    ``models``: the default forecaster and the standard baselines (`standard_models`).
    """
    if models is None:
        models = standard_models()
    if isinstance(models, dict):
        items = list(models.values())
    elif isinstance(models, list | tuple):
        items = list(models)
    else:
        items = [models]
    forecasters = [as_forecaster(m) for m in items]
    names = [f.name for f in forecasters]
    if len(set(names)) != len(names):
        raise ValueError(f"models: duplicate names {names} (allowed: distinct names)")
    problems = list(problems)
    issues = [p for p in problems if scored(p)]
    refused = sum(1 for p in problems if _countable(p) and check_problem(p))
    if not issues:
        raise ValueError("no issue to score (allowed: issues with an outcome on their scale "
                         f"and at least {MIN_ACTORS} actors with positions, one of them with "
                         "capability x salience > 0)")
    outcome = np.array([float(p.outcome) for p in issues])
    fold = None
    if any(hasattr(f, "fit") for f in forecasters):
        fold = group_folds(issues, folds, seed)
    rows, tables = [], []
    # progress: one step per fold of a model that fits, one per model that does not
    steps = sum(folds if hasattr(f, "fit") else 1 for f in forecasters)
    with progress.task("backtest: models x folds", total=steps) as advance:
        for f in forecasters:
            if hasattr(f, "fit"):
                pred = np.full(len(issues), np.nan)
                lo, hi = pred.copy(), pred.copy()
                for k in range(folds):
                    test = np.flatnonzero(fold == k)
                    train = [issues[i] for i in np.flatnonzero(fold != k)]
                    fitted = f.fit(train)
                    part = [issues[i] for i in test]
                    pred[test] = np.asarray(fitted.predict(part), dtype=float)
                    lo[test], hi[test] = _intervals(fitted, part, level)
                    advance()
                evaluation, where = "cv", fold
            else:
                pred = np.asarray(f.predict(issues), dtype=float)
                lo, hi = _intervals(f, issues, level)
                evaluation, where = "direct", np.full(len(issues), -1)
                advance()
            rows.append({"model": f.name, **_figures(pred, outcome, lo, hi),
                         "evaluation": evaluation, "note": getattr(f, "note", "")})
            tables.append(pd.DataFrame({
                "issue": [p.id for p in issues], "group": [group_of(p) for p in issues],
                "model": f.name, "forecast": pred, "outcome": outcome, "lo": lo, "hi": hi,
                "fold": where,
            }))
    columns = ["model", "n", "mae", "median_ae", "within5", "within10", "coverage80",
               "evaluation", "note"]
    return BacktestResult(
        summary=pd.DataFrame(rows, columns=columns),
        predictions=pd.concat(tables, ignore_index=True),
        issues=len(issues), folds=folds, seed=seed, refused=refused,
    )

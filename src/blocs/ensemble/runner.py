"""Ensembles: N futures of a case, in chunks, on one machine or a Dask cluster.

`run_ensemble` draws the design of experiments once from the seed (`blocs.ensemble.sample`),
maps it through the case's uncertainties (`blocs.ensemble.uncertain`), and runs the batched
yearly step (`blocs.dynamics`) chunk by chunk: run r always takes design row r and its own
random draws (`blocs.dynamics.draws`), so the answers do not depend on the chunk size, on the
order chunks finish in, on how many workers ran them, or on an interruption and ``--resume``.
Each chunk's outcomes go to the results store when there is one (`blocs.ensemble.store`) and
stay in memory as one (runs, years, outcomes) float64 array for the summary
(`blocs.ensemble.summary`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from blocs.dynamics.engine import quantity_key, quantity_names
from blocs.dynamics.plan import Plan, compile_plan
from blocs.dynamics.simulate import dynamics_model, simulate_plan
from blocs.ensemble.sample import unit_design
from blocs.ensemble.uncertain import Uncertainty, uncertainties
from blocs.progress import task
from blocs.scenario.paths import PATH_HELP, QUANTITIES, PathError, parse_path
from blocs.scenario.scenario import Scenario

#: Runs per chunk by default: about 20 MB of yearly quantities for the Serbia case.
DEFAULT_CHUNK = 2000


def outcome_names(plan: Plan) -> list[str]:
    """The quantities an ensemble keeps per run and year, as paths (docs/dynamics.md):
    every issue's outcome, the effective numbers of pillars and powers, every bloc's share,
    every power's total leverage, every bloc's share of the border; then the quantities of
    the case's declared events that are not among them."""
    case = plan.scenario.case
    names = [f"outcome/{i}" for i in plan.issues] + ["pillars", "pillars/powers"]
    names += [f"bloc/{b}" for b in case.blocs]
    names += [f"leverage/{p}" for p in plan.powers]
    names += [f"encirclement/{b}" for b in case.blocs]
    for ev in case.events.values():
        if ev.when not in names:
            names.append(ev.when)
    return names


def quantity_rows(sim_names: list[tuple[str, str]], names: list[str]) -> list[int]:
    """The rows of a `blocs.dynamics.Simulation`'s quantities that hold ``names``; ValueError
    (one line) for a quantity the case does not have."""
    index = {n: q for q, n in enumerate(sim_names)}
    out = []
    for name in names:
        key = quantity_key(*parse_path(name, QUANTITIES))
        if key not in index:
            raise ValueError(f"unknown quantity '{name}' in this case (allowed: "
                             + ", ".join(PATH_HELP[k] for k in QUANTITIES)
                             + ", with the case's own ids)")
        out.append(index[key])
    return out


@dataclass(frozen=True)
class Chunk:
    """One chunk's results: runs ``first_run`` .. + n; ``inputs`` (n, d) the sampled values,
    ``outcomes`` (n, years, outcomes)."""

    index: int
    first_run: int
    inputs: np.ndarray
    outcomes: np.ndarray


def run_chunk(plan: Plan, model: Any, us: list[Uncertainty], unit: np.ndarray, seed: int,
              first_run: int, names: list[str], index: int = 0) -> Chunk:
    """Runs ``first_run`` .. ``first_run + len(unit) - 1`` in one batched call."""
    values = np.column_stack([u.ppf(unit[:, j]) for j, u in enumerate(us)]) if us else \
        np.empty((len(unit), 0))
    overrides = [(u.kind, u.ids, values[:, j]) for j, u in enumerate(us)]
    sim = simulate_plan(plan, runs=len(unit), seed=seed, first_run=first_run, model=model,
                        overrides=overrides)
    rows = quantity_rows(sim.names, names)
    outcomes = np.transpose(sim.values[:, rows, :], (2, 0, 1)).copy()      # (n, Y, O)
    return Chunk(index, first_run, values, outcomes)


@dataclass
class Ensemble:
    """An ensemble's results: ``inputs`` (runs, d) the sampled values, ``outcomes`` (runs,
    years, outcomes) float64, named by ``names`` and ``years``."""

    case: str
    seed: int
    method: str
    runs: int
    years: np.ndarray
    names: list[str]
    input_names: list[str]
    inputs: np.ndarray
    outcomes: np.ndarray
    resumed: int = 0
    """Runs read back from the store rather than run here."""


def design_values(scenario: Scenario, runs: int, seed: int, method: str
                  ) -> tuple[list[Uncertainty], np.ndarray]:
    """The uncertainties and the (runs, d) unit design of an ensemble."""
    us = uncertainties(scenario)
    return us, unit_design(len(us), runs, seed, method)


def run_ensemble(scenario: Scenario, runs: int, seed: int, method: str = "lhs",
                 chunk: int = DEFAULT_CHUNK, store: Any = None,
                 scheduler: Any = None, until: int | None = None) -> Ensemble:
    """Run ``runs`` futures of the case (see the module).  ``store``: an open
    `blocs.ensemble.store.Store` (its finished chunks are read back, not run again);
    ``scheduler``: a `distributed.Client` to run the chunks on.  Progress is reported
    through `blocs.progress` (runs done)."""
    plan = compile_plan(scenario, until)
    model = dynamics_model(plan)
    us, unit = design_values(scenario, runs, seed, method)
    names = outcome_names(plan)
    n_chunks = math.ceil(runs / chunk)
    inputs = np.full((runs, len(us)), np.nan)
    outcomes = np.full((runs, len(plan.years), len(names)), np.nan)
    done = set(store.done_chunks()) if store is not None else set()
    resumed = 0
    if done:
        got_out = store.read_outcomes()
        got_in = store.read_inputs()
        finished = sorted(done)
        order = np.concatenate([np.arange(c * chunk, min((c + 1) * chunk, runs))
                                for c in finished])
        outcomes[order] = got_out
        inputs[order] = got_in[[u.name for u in us]].to_numpy(dtype=float)
        resumed = len(order)
    pending = [c for c in range(n_chunks) if c not in done]

    def take(result: Chunk, advance: Callable[..., None]) -> None:
        lo = result.first_run
        hi = lo + len(result.inputs)
        inputs[lo:hi] = result.inputs
        outcomes[lo:hi] = result.outcomes
        if store is not None:
            store.write_chunk(result.index, lo, result.inputs, result.outcomes)
        advance(hi - lo)

    bounds = {c: (c * chunk, min((c + 1) * chunk, runs)) for c in pending}
    with task(f"{runs} runs of {scenario.case_id}", total=runs) as advance:
        advance(resumed)
        if scheduler is None:
            for c in pending:
                lo, hi = bounds[c]
                take(run_chunk(plan, model, us, unit[lo:hi], seed, lo, names, c), advance)
        else:
            from blocs.ensemble.cluster import map_chunks

            for result in map_chunks(scheduler, scenario, until, unit, seed, names, bounds):
                take(result, advance)
    return Ensemble(case=scenario.case_id, seed=seed, method=method, runs=runs,
                    years=plan.years, names=names, input_names=[u.name for u in us],
                    inputs=inputs, outcomes=outcomes, resumed=resumed)


def evaluate(scenario: Scenario, unit: np.ndarray, seed: int, quantity: str,
             year: int | None = None, progress: Callable[[int, int], None] | None = None,
             chunk: int = DEFAULT_CHUNK) -> np.ndarray:
    """The (N,) values of ``quantity`` (a path, docs/dynamics.md) in ``year`` (default: the
    period's last) for the N rows of a unit design ``unit`` (N, d), one column per
    uncertainty of the case, run r taking row r (sensitivity analysis, scenario discovery).
    ValueError (one line) for an unknown quantity or a year outside the period."""
    try:
        parse_path(quantity, QUANTITIES)
    except PathError as exc:
        raise ValueError(str(exc)) from None
    start, end = scenario.period
    year = end if year is None else year
    if not start <= year <= end:
        raise ValueError(f"year {year} is outside the case's period (allowed: {start} to "
                         f"{end})")
    plan = compile_plan(scenario, year)
    quantity_rows(quantity_names(plan), [quantity])  # refused before anything runs
    model = dynamics_model(plan)
    us = uncertainties(scenario)
    unit = np.asarray(unit, dtype=float)
    if unit.ndim != 2 or unit.shape[1] != len(us):
        raise ValueError(f"the design has {unit.shape[-1] if unit.ndim else 0} columns "
                         f"(allowed: {len(us)}, one per uncertainty of the case)")
    out = np.empty(len(unit))
    for lo in range(0, len(unit), chunk):
        hi = min(lo + chunk, len(unit))
        part = run_chunk(plan, model, us, unit[lo:hi], seed, lo, [quantity])
        out[lo:hi] = part.outcomes[:, -1, 0]
        if progress is not None:
            progress(hi, len(unit))
    return out

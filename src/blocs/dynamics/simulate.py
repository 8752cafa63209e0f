"""`simulate`: a case year by year over its period, for one run or many at once.

>>> from blocs.scenario import load_case
>>> sim = simulate(load_case("serbia-2024"), until=2026, seed=1)
>>> sim.years.tolist(), sorted(sim.tables())[:3]
([2024, 2025, 2026], ['blocs', 'capabilities', 'encirclement'])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from blocs.dynamics.draws import new_seed
from blocs.dynamics.engine import Stepper
from blocs.dynamics.plan import Plan, compile_plan
from blocs.dynamics.runinputs import RunInputs
from blocs.scenario.scenario import Scenario

#: The tables of a simulation, in the order they are printed and written.
TABLES = ("outcomes", "status_quos", "positions", "saliences", "capabilities", "leverage",
          "powers", "blocs", "pillars", "ties", "power", "encirclement", "reach", "events",
          "observables")


@dataclass(frozen=True)
class Simulation:
    """The yearly quantities of R runs: ``values`` (years, quantities, runs), named by
    ``names`` ((table, name) pairs; docs/dynamics.md, "Outputs")."""

    case: str
    model: str
    seed: int
    first_run: int
    years: np.ndarray
    names: list[tuple[str, str]]
    values: np.ndarray

    @property
    def runs(self) -> int:
        return self.values.shape[2]

    def rows(self, run: int = 0) -> pd.DataFrame:
        """One run as long rows: year, table, name, value (the JSON ``years`` rows)."""
        y, q = len(self.years), len(self.names)
        tables = [t for t, _ in self.names]
        names = [n for _, n in self.names]
        return pd.DataFrame({
            "year": np.repeat(self.years, q), "table": tables * y, "name": names * y,
            "value": self.values[:, :, run].reshape(-1)})

    def tables(self, run: int = 0) -> dict[str, pd.DataFrame]:
        """One run as wide tables, one per kind of quantity: index year, a column per name."""
        out = {}
        for table in TABLES:
            cols = [q for q, (t, _) in enumerate(self.names) if t == table]
            if not cols:
                continue
            out[table] = pd.DataFrame(self.values[:, cols, run],
                                      index=pd.Index(self.years, name="year"),
                                      columns=[self.names[q][1] for q in cols])
        return out

    def series(self, table: str, name: str) -> np.ndarray:
        """(years, runs) of one quantity."""
        return self.values[:, self.names.index((table, name)), :]


def dynamics_model(plan: Plan) -> Any:
    """The bargaining model of the case's ``dynamics`` (default: the default forecaster);
    ValueError (one line, what is allowed) for a model the yearly step cannot run."""
    from blocs.bargaining.problem import MultiIssueModel
    from blocs.bargaining.registry import get_model

    model = get_model(plan.model, **plan.model_options)
    if isinstance(model, MultiIssueModel):
        raise ValueError(f"dynamics.model: '{plan.model}' works across issues, so the yearly "
                         "step cannot run it issue by issue (allowed: default, compromise, "
                         "median, nash, eum, smp)")
    return model


def simulate_plan(plan: Plan, runs: int = 1, seed: int | None = None,
                  first_run: int = 0, model: Any = None,
                  overrides: list[tuple[str, tuple[str, ...], np.ndarray]] | None = None
                  ) -> Simulation:
    """Run a compiled `Plan` for runs ``first_run`` .. ``first_run + runs - 1`` in one batched
    call.  Run r gives the same numbers whatever batch it is in (`blocs.dynamics.draws`).
    ``overrides``: (kind, ids, values per run) of inputs that differ run by run
    (`blocs.dynamics.runinputs`)."""
    seed = new_seed() if seed is None else int(seed)
    model = dynamics_model(plan) if model is None else model
    stepper = Stepper(plan, model)
    inputs = None if not overrides else RunInputs.build(plan, runs, overrides)
    values = stepper.run(runs, seed, first_run, inputs)
    return Simulation(case=plan.scenario.case_id, model=model.name, seed=seed,
                      first_run=first_run, years=plan.years, names=stepper.names,
                      values=values)


def simulate(scenario: Scenario, until: int | None = None, seed: int | None = None,
             runs: int = 1, first_run: int = 0) -> Simulation:
    """The case year by year from the start of its ``period`` to its end (or ``until``):
    trends, shocks, triggers, leverage, capabilities, bargaining, positions carried over
    (docs/dynamics.md).  ``seed`` fixes the chance shocks (drawn and reported when None);
    ``runs`` > 1 runs that many futures in one batched call."""
    start, end = scenario.period
    if until is not None and not start <= until <= end:
        raise ValueError(f"until: {until} is outside the case's period (allowed: {start} to "
                         f"{end})")
    return simulate_plan(compile_plan(scenario, until), runs=runs, seed=seed,
                         first_run=first_run)

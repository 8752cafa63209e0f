"""Forecast a case's issues with a bargaining model.

The case's issues become arrays (one row per stakeholder, in file order); a model maps them to
an outcome on the issue's 0-100 scale.  Models are plain functions of
``(positions, salience, capability)`` arrays registered in `MODELS`, so every model batches the
same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from blocs.bargaining.compromise import compromise
from blocs.scenario.scenario import Scenario

Model = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]

MODELS: dict[str, Model] = {
    "compromise": compromise,
}


@dataclass(frozen=True)
class IssueArrays:
    """One issue as arrays: stakeholder ids and their positions, saliences, capabilities."""

    issue: str
    actors: tuple[str, ...]
    positions: np.ndarray
    salience: np.ndarray
    capability: np.ndarray


def issue_arrays(scenario: Scenario, issue: str) -> IssueArrays:
    """The stakeholders of one issue as arrays, in file order."""
    st = scenario.case.issues[issue].stakeholders
    return IssueArrays(
        issue=issue,
        actors=tuple(st),
        positions=np.array([s.position for s in st.values()], dtype=float),
        salience=np.array([s.salience for s in st.values()], dtype=float),
        capability=np.array([s.capability for s in st.values()], dtype=float),
    )


def forecast(scenario: Scenario, issues: list[str] | None = None,
             model: str = "compromise") -> pd.DataFrame:
    """Forecast each issue (default: all) with ``model``; columns issue, model, outcome,
    question.

    >>> from blocs.scenario import load_case
    >>> table = forecast(load_case("serbia-2024"))
    >>> sorted(table["issue"])
    ['alignment', 'kosovo', 'sanctions']
    """
    if model not in MODELS:
        raise ValueError(f"unknown model '{model}' (allowed: {', '.join(MODELS)})")
    run = MODELS[model]
    rows = []
    for issue in issues if issues is not None else list(scenario.case.issues):
        if issue not in scenario.case.issues:
            raise ValueError(
                f"unknown issue '{issue}' (allowed: {', '.join(scenario.case.issues)})")
        arr = issue_arrays(scenario, issue)
        outcome = float(run(arr.positions, arr.salience, arr.capability))
        rows.append({"issue": issue, "model": model, "outcome": outcome,
                     "question": scenario.case.issues[issue].question})
    return pd.DataFrame(rows, columns=["issue", "model", "outcome", "question"])

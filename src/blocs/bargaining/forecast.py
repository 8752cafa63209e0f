"""Forecast a case's issues with a bargaining model.

The case's issues become problems (one row per stakeholder, in file order, salience / 100;
the issue's ``status_quo`` as the reference point, its ``veto`` players as ``Problem.veto``);
any model of `blocs.bargaining.registry` maps them to an outcome on the issue's 0-100 scale,
through the same `blocs.bargaining.run` path as ``blocs forecast``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from blocs.bargaining.problem import Problem
from blocs.influence.capability import issue_capabilities
from blocs.scenario.scenario import Scenario


@dataclass(frozen=True)
class IssueArrays:
    """One issue as arrays: stakeholder ids and their positions, saliences, capabilities."""

    issue: str
    actors: tuple[str, ...]
    positions: np.ndarray
    salience: np.ndarray
    capability: np.ndarray


def issue_arrays(scenario: Scenario, issue: str, year: int | None = None) -> IssueArrays:
    """The stakeholders of one issue as arrays, in file order; capabilities as typed, or
    from leverage in ``year`` (default: the case year) for ``capability: from_leverage``
    (`blocs.influence.capability`)."""
    st = scenario.case.issues[issue].stakeholders
    return IssueArrays(
        issue=issue,
        actors=tuple(st),
        positions=np.array([s.position for s in st.values()], dtype=float),
        salience=np.array([s.salience for s in st.values()], dtype=float),
        capability=issue_capabilities(scenario, issue, year),
    )


def forecast(scenario: Scenario, issues: list[str] | None = None,
             model: str | None = None, year: int | None = None) -> pd.DataFrame:
    """Forecast each issue (default: all) with ``model`` (default: the frozen default
    forecaster, as everywhere in blocs); columns issue, model (the name of the model that
    produced the number), outcome, lo80 and hi80 (the 80% interval, where the model gives
    one: the default forecaster's; NaN otherwise), note (why the model fell back on a rule,
    e.g. the Nash model without a status quo gives the compromise; None otherwise), question.
    The same numbers as ``blocs forecast`` (its JSON's ``outcome``, ``interval80``, ``note``).

    >>> from blocs.scenario import load_case
    >>> table = forecast(load_case("serbia-2024"))
    >>> sorted(table["issue"]), set(table["model"])
    (['alignment', 'kosovo', 'sanctions'], {'default'})
    """
    # The registry loads every model; importing it here keeps `import blocs` light.
    from blocs.bargaining.registry import get_model
    from blocs.bargaining.run import default_model, run_problems

    engine = get_model(model if model is not None else default_model())
    problems = case_problems(scenario, year)
    wanted = problems
    if issues is not None:
        unknown = [i for i in issues if i not in scenario.case.issues]
        if unknown:
            raise ValueError(
                f"unknown issue '{unknown[0]}' (allowed: {', '.join(scenario.case.issues)})")
        wanted = [p for i in issues for p in problems if p.id == i]
    entries = run_problems(problems, engine, wanted)
    rows = []
    for p, e in zip(wanted, entries, strict=True):
        lo, hi = e["interval80"] if e.get("interval80") is not None else (np.nan, np.nan)
        rows.append({"issue": p.id, "model": engine.name,
                     "outcome": np.nan if e["outcome"] is None else e["outcome"],
                     "lo80": lo, "hi80": hi, "note": e.get("note"),
                     "question": p.meta["question"]})
    return pd.DataFrame(rows, columns=["issue", "model", "outcome", "lo80", "hi80", "note",
                                       "question"])


def case_problems(scenario: Scenario, year: int | None = None) -> list[Problem]:
    """The case's issues as problems, in file order: positions on 0-100, salience / 100,
    capability as given (or from leverage in ``year``, `issue_arrays`); ``reference`` the
    issue's status quo (None without one), ``veto`` its veto players; ``meta`` holds the
    question and what 0 and 100 mean."""
    out = []
    for key, issue in scenario.case.issues.items():
        arr = issue_arrays(scenario, key, year)
        sq = issue.status_quo
        out.append(Problem(
            id=key, actors=arr.actors, positions=arr.positions, salience=arr.salience / 100.0,
            capability=arr.capability, scale=(0.0, 100.0),
            reference=None if sq is None else float(sq.position),
            veto=tuple(issue.veto or ()),
            meta={"format": "blocs", "file": scenario.label, "case": scenario.case_id,
                  "question": issue.question, "low": issue.low, "high": issue.high},
        ))
    return out

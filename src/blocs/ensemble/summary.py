"""What an ensemble says: quantiles of every outcome by year, and the probability of each
event the case declares (docs/ensembles.md).

Quantiles are NumPy's (``method="linear"``, Hyndman & Fan's type 7) over the runs that have a
value; an event's probability is the share of runs in which its quantity is above (or below)
its threshold in its year, or in any year of the period when it names none.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from blocs.scenario.scenario import Scenario

#: The quantile columns of the ``outcomes`` rows and the levels they stand for.
QUANTILES = {"median": 0.5, "q025": 0.025, "q10": 0.1, "q25": 0.25, "q75": 0.75,
             "q90": 0.9, "q975": 0.975}
OUTCOME_COLUMNS = ["name", "year", *QUANTILES]
EVENT_COLUMNS = ["name", "event", "probability"]


def quantiles(outcomes: np.ndarray, years: np.ndarray, names: list[str]) -> pd.DataFrame:
    """One row per outcome and year: name, year, median, q025, q10, q25, q75, q90, q975.

    >>> x = np.arange(101, dtype=float).reshape(101, 1, 1)
    >>> quantiles(x, np.array([2030]), ["a"]).iloc[0]["q90"]
    np.float64(90.0)
    """
    levels = np.array(list(QUANTILES.values()))
    with np.errstate(invalid="ignore"):
        q = np.nanquantile(outcomes, levels, axis=0) if len(outcomes) else np.full(
            (len(levels), len(years), len(names)), np.nan)                  # (L, Y, O)
    rows = []
    for o, name in enumerate(names):
        for y, year in enumerate(years):
            rows.append({"name": name, "year": int(year),
                         **{k: float(q[i, y, o]) for i, k in enumerate(QUANTILES)}})
    return pd.DataFrame(rows, columns=OUTCOME_COLUMNS)


def event_probabilities(scenario: Scenario, outcomes: np.ndarray, years: np.ndarray,
                        names: list[str]) -> pd.DataFrame:
    """One row per declared event: name (its id), event (its words), probability."""
    rows = []
    for eid, ev in scenario.case.events.items():
        happened = event_happened(ev, outcomes, years, names)
        words = ev.name or describe(ev)
        rows.append({"name": eid, "event": words,
                     "probability": float(happened.mean()) if len(happened) else float("nan")})
    return pd.DataFrame(rows, columns=EVENT_COLUMNS)


def event_happened(ev, outcomes: np.ndarray, years: np.ndarray, names: list[str]
                   ) -> np.ndarray:
    """(runs,) bool: whether the event happened in each run (in its year, or in any year of
    the period when it names none)."""
    values = outcomes[:, :, names.index(ev.when)]                              # (N, Y)
    if ev.year is not None:
        values = values[:, [int(np.flatnonzero(years == ev.year)[0])]] \
            if ev.year in years else np.full((len(values), 1), np.nan)
    with np.errstate(invalid="ignore"):
        hit = values > ev.above if ev.above is not None else values < ev.below
    return hit.any(axis=1)


def describe(ev) -> str:
    """An event in words when the case gives it no name: "pillars below 2.5 in 2035"."""
    side = f"above {ev.above:g}" if ev.above is not None else f"below {ev.below:g}"
    when = f"in {ev.year}" if ev.year is not None else "in some year of the period"
    return f"{ev.when} {side} {when}"

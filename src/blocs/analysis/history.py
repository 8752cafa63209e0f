"""Backtest a case's dynamics against what happened: observed series, two naive baselines.

A case declares *observables* (how a modelled quantity maps onto a measured series,
docs/dynamics.md); an observed file gives the measured values, one row per series and year:

    series,year,value,source

`history_backtest` runs the case from the start of its period (the case's year) to its end
and scores, per series, the mean absolute error over the observed years after the start
(start < year <= end) of

* the model's path (the observable; with ``anchor``, shifted so that its value in the first
  year equals the last value observed by then),
* **persistence**: the last value observed at or before the start, carried forward,
* the **linear trend**: the least-squares line through every value observed at or before the
  start (at least two), extended (NumPy's ``polyfit``).

Only values dated at or before the start are used to anchor or fit: a run for year Y sees
nothing dated after Y.  A case whose shocks happen by chance is scored on the mean path of
`CHANCE_RUNS` runs under the seed.
"""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from blocs.dynamics.simulate import simulate
from blocs.scenario import CaseError, ErrorLine
from blocs.scenario.scenario import Scenario
from blocs.textfile import NotReadable, read_limited

OBSERVED_COLUMNS = ("series", "year", "value", "source")
#: Largest observed file read (bytes).
MAX_OBSERVED_BYTES = 20_000_000
#: Runs averaged for a case with chance shocks.
CHANCE_RUNS = 200
SERIES_COLUMNS = ["name", "n", "mae", "mae_persistence", "mae_trend"]


class ObservedError(CaseError):
    """An observed file that cannot be used; one `ErrorLine` per problem."""


def read_observed(path: str | os.PathLike[str], label: str | None = None) -> pd.DataFrame:
    """The rows of an observed file (columns series, year, value, source), checked: a header
    naming the four columns, a series name, a whole year 1800-2200, a finite number, one row
    per series and year.  Raises `ObservedError` (every problem, one line each)."""
    label = str(path) if label is None else label
    try:
        data = read_limited(path, MAX_OBSERVED_BYTES)
    except NotReadable as exc:
        allowed = {"too-large": f"up to {MAX_OBSERVED_BYTES} bytes",
                   "missing": "an existing CSV file"}.get(exc.kind, "a regular CSV file")
        raise ObservedError([ErrorLine(label, 1, "(file)", f"{exc.reason} (allowed: "
                                       f"{allowed})")]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ObservedError([ErrorLine(label, line, "(file)", "is not UTF-8 text (allowed: "
                                       "a UTF-8 CSV file)")]) from None
    return parse_observed(text, label)


def parse_observed(text: str, label: str) -> pd.DataFrame:
    """`read_observed` on text already read."""
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[ErrorLine] = []
    header = next(reader, None)
    if header is None or [h.strip() for h in header] != list(OBSERVED_COLUMNS):
        got = ", ".join(h.strip() for h in header) if header else "nothing"
        raise ObservedError([ErrorLine(label, 1, "(header)", f"the header is {got} (allowed: "
                                       f"{', '.join(OBSERVED_COLUMNS)})")])
    rows, seen = [], {}
    for fields in reader:
        line = reader.line_num
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(OBSERVED_COLUMNS):
            problems.append(ErrorLine(label, line, "(row)", f"{len(fields)} fields (allowed: "
                                      f"{len(OBSERVED_COLUMNS)}: {', '.join(OBSERVED_COLUMNS)})"))
            continue
        series, year, value, source = (f.strip() for f in fields)
        row_problems = []
        if not series:
            row_problems.append(("series", "empty (allowed: a series name)"))
        try:
            y = int(year)
            if not 1800 <= y <= 2200:
                raise ValueError
        except ValueError:
            row_problems.append(("year", f"'{year}' is not a year (allowed: 1800 to 2200)"))
            y = None
        try:
            v = float(value)
            if not math.isfinite(v):
                raise ValueError
        except ValueError:
            row_problems.append(("value", f"'{value}' is not a number (allowed: a finite "
                                 "number)"))
            v = None
        if y is not None and series and (series, y) in seen:
            row_problems.append(("year", f"{series} {y} is already on line "
                                 f"{seen[(series, y)]} (allowed: one value per series and "
                                 "year)"))
        for column, message in row_problems:
            problems.append(ErrorLine(label, line, column, message))
        if not row_problems:
            seen[(series, y)] = line
            rows.append({"series": series, "year": y, "value": v, "source": source})
    if problems:
        raise ObservedError(problems)
    return pd.DataFrame(rows, columns=list(OBSERVED_COLUMNS))


def trend_forecast(years: np.ndarray, values: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The least-squares line through (years, values), at ``target`` years (NaN with fewer
    than two distinct years).

    >>> trend_forecast(np.array([2014, 2015, 2016]), np.array([0., 2., 6.]),
    ...                np.array([2017])).round(6).tolist()
    [8.666667]
    """
    if len(np.unique(years)) < 2:
        return np.full(len(target), np.nan)
    slope, intercept = np.polyfit(years.astype(float), values.astype(float), 1)
    return intercept + slope * target.astype(float)


@dataclass(frozen=True)
class HistoryResult:
    """`history_backtest`: ``series`` (one row per scored series: name, n, mae,
    mae_persistence, mae_trend), ``predictions`` (series, year, observed, model,
    persistence, trend), ``unscored`` (series in the file the case has no observable for,
    or observables with no value after the start) and how the run was made."""

    case: str
    start: int
    end: int
    seed: int
    runs: int
    model: str
    series: pd.DataFrame
    predictions: pd.DataFrame
    unscored: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        from blocs.results import plain

        return plain({"case": self.case, "start": self.start, "end": self.end,
                      "model": self.model, "seed": self.seed, "runs": self.runs,
                      "series": self.series.to_dict(orient="records"),
                      "predictions": self.predictions.to_dict(orient="records"),
                      "unscored": list(self.unscored)})


def history_backtest(scenario: Scenario, observed: pd.DataFrame,
                     seed: int | None = None) -> HistoryResult:
    """Score the case's observables against ``observed`` (see the module)."""
    start, end = scenario.period
    chance = any(s.chance is not None for s in scenario.case.shocks.values())
    runs = CHANCE_RUNS if chance else 1
    seed = 0 if seed is None else int(seed)
    sim = simulate(scenario, seed=seed, runs=runs)
    years = sim.years
    rows, preds, unscored = [], [], []
    declared = scenario.case.observables
    for name in dict.fromkeys(observed["series"]):
        if name not in declared:
            unscored.append(name)
    for name, obs in declared.items():
        mine = observed[observed["series"] == name].sort_values("year")
        known = mine[mine["year"] <= start]
        target = mine[(mine["year"] > start) & (mine["year"] <= end)]
        if target.empty:
            unscored.append(name)
            continue
        path = sim.series("observables", name).mean(axis=1)                     # (Y,)
        model_path = path.copy()
        if obs.anchor and not known.empty:
            model_path = path - path[0] + float(known["value"].iloc[-1])
        t_years = target["year"].to_numpy()
        model = model_path[t_years - years[0]]
        truth = target["value"].to_numpy(dtype=float)
        persistence = np.full(len(t_years), float(known["value"].iloc[-1])
                              if not known.empty else np.nan)
        trend = trend_forecast(known["year"].to_numpy(), known["value"].to_numpy(dtype=float),
                               t_years)
        rows.append({"name": name, "n": len(t_years), "mae": _mae(model, truth),
                     "mae_persistence": _mae(persistence, truth), "mae_trend": _mae(trend, truth)})
        preds += [{"series": name, "year": int(y), "observed": float(o), "model": float(m),
                   "persistence": float(p), "trend": float(t)}
                  for y, o, m, p, t in zip(t_years, truth, model, persistence, trend, strict=True)]
    return HistoryResult(
        case=scenario.case_id, start=start, end=end, seed=seed, runs=runs, model=sim.model,
        series=pd.DataFrame(rows, columns=SERIES_COLUMNS),
        predictions=pd.DataFrame(preds, columns=["series", "year", "observed", "model",
                                                 "persistence", "trend"]),
        unscored=unscored)


def _mae(pred: np.ndarray, truth: np.ndarray) -> float:
    err = np.abs(np.asarray(pred, dtype=float) - truth)
    return float(np.mean(err)) if np.isfinite(err).all() else math.nan

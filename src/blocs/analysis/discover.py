"""Scenario discovery: which ranges of the uncertain inputs make an event happen
(docs/sensitivity.md).

An ensemble runs the case for many input points; an event ("the alignment outcome is above
60 in 2030", `parse_condition`) happens in some runs and not in others.  PRIM, the Patient
Rule Induction Method (Friedman & Fisher 1999), looks for a *box* (a range for a few inputs)
inside which the event is much more frequent than overall; scenario discovery (Bryant &
Lempert 2010) reads such a box as a policy-relevant scenario.  PRIM starts from the box of
all runs and *peels*: of every input's lowest and highest ``peel_alpha`` share (5%) of the
runs still in the box, it removes the slice whose removal raises the event's share the most
per run removed (the package's default objective, Friedman & Fisher's eq. 14.5), until the
box would hold less than ``mass_min`` of the runs; then it *pastes* slices back while that
raises the share.  Each step gives one box of the *peeling trajectory*, with:

* coverage = runs in the box where it happens / all runs where it happens,
* density  = runs in the box where it happens / runs in the box,
* mass     = runs in the box / all runs.

Of the trajectory, the box kept is the one with the highest coverage among those with density
at least ``threshold`` (0.8 by default; Bryant & Lempert's trade-off of coverage against
density and interpretability).  The runs in it are then set aside and PRIM looks for the next
box in the rest, up to ``max_boxes``; it stops when no box of a trajectory reaches the
threshold.  The peeling and pasting are those of the ``prim`` package (Project Platypus,
after Kwakkel's EMA Workbench and RAND's sdtoolkit), not reimplemented here; each restricted
input also carries PRIM's quasi-p value (Bryant & Lempert 2010: a one-sided binomial test of
whether the restriction adds density by chance).

Example: with two inputs uniform on [0, 1) and the event x1 > 0.7 and x2 < 0.3, the box found
is about x1 >= 0.70, x2 <= 0.30, with density 1 and coverage near 1:

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(1)
>>> x = pd.DataFrame(rng.random((1000, 2)), columns=["x1", "x2"])
>>> [box] = discover(x, ((x.x1 > 0.7) & (x.x2 < 0.3)).to_numpy(), max_boxes=1)
>>> [(lim.input, round(lim.low or lim.high, 2)) for lim in box.limits]
[('x1', 0.7), ('x2', 0.3)]
>>> round(box.density, 1), round(box.coverage, 1)
(1.0, 1.0)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from blocs.scenario.paths import QUANTITIES, PathError, parse_path

OPERATORS = (">=", "<=", ">", "<")

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_CONDITION = re.compile(
    rf"^\s*(?P<quantity>[^\s<>=]+)\s*(?P<op>>=|<=|>|<)\s*(?P<value>{_NUMBER})"
    r"(?:\s+in\s+(?P<year>[-+]?\d+))?\s*$")

CONDITION_FORMS = ("QUANTITY > NUMBER, QUANTITY >= NUMBER, QUANTITY < NUMBER or "
                   "QUANTITY <= NUMBER, optionally followed by 'in YEAR', e.g. "
                   "'outcome/alignment > 60 in 2030' or 'pillars < 2.5'")


@dataclass(frozen=True)
class Condition:
    """An event on one modelled quantity: ``quantity op value`` in ``year``."""

    quantity: str
    op: str
    value: float
    year: int

    def holds(self, values: np.ndarray) -> np.ndarray:
        """Where the event happens, for each run's value of the quantity (NaN: never)."""
        v = np.asarray(values, dtype=float)
        with np.errstate(invalid="ignore"):
            if self.op == ">":
                return v > self.value
            if self.op == ">=":
                return v >= self.value
            if self.op == "<":
                return v < self.value
            return v <= self.value

    @property
    def text(self) -> str:
        """The condition as written back: ``outcome/alignment > 60 in 2030``."""
        return f"{self.quantity} {self.op} {self.value:g} in {self.year}"

    def __str__(self) -> str:
        return self.text


def parse_condition(expr: str, period: tuple[int, int]) -> Condition:
    """The `Condition` written ``QUANTITY (>|>=|<|<=) NUMBER [in YEAR]``; the year defaults
    to the end of ``period`` (start, end) and must lie in it.  QUANTITY is a path of
    docs/dynamics.md (its shape is checked here; whether its ids exist, by the model).
    Raises ValueError with the allowed forms otherwise.

    >>> parse_condition("outcome/alignment > 60 in 2030", (2024, 2035)).text
    'outcome/alignment > 60 in 2030'
    >>> parse_condition("pillars<2.5", (2024, 2035))
    Condition(quantity='pillars', op='<', value=2.5, year=2035)
    """
    start, end = period
    m = _CONDITION.match(expr or "")
    if m is None:
        raise ValueError(f"cannot read the condition '{expr}' (allowed: {CONDITION_FORMS})")
    quantity = m["quantity"]
    try:
        parse_path(quantity, QUANTITIES)
    except PathError as exc:
        raise ValueError(f"condition '{expr}': {exc}") from None
    value = float(m["value"])
    if not math.isfinite(value):
        raise ValueError(f"condition '{expr}': the number {m['value']} is not finite "
                         "(allowed: a finite number)")
    year = end if m["year"] is None else int(m["year"])
    if not start <= year <= end:
        raise ValueError(f"condition '{expr}': the year {year} is outside the case's period "
                         f"(allowed: {start} to {end})")
    return Condition(quantity, m["op"], value, year)


@dataclass(frozen=True)
class Limit:
    """One restricted input of a box: ``low <= input <= high`` (None: that side is not
    restricted); ``qp`` PRIM's quasi-p value of the restriction."""

    input: str
    low: float | None
    high: float | None
    qp: float

    def describe(self) -> str:
        """``x >= 0.7``, ``x <= 0.3`` or ``0.2 <= x <= 0.6`` (3 significant digits)."""
        if self.low is not None and self.high is not None:
            return f"{_num(self.low)} <= {self.input} <= {_num(self.high)}"
        if self.low is not None:
            return f"{self.input} >= {_num(self.low)}"
        return f"{self.input} <= {_num(self.high)}"


@dataclass(frozen=True)
class Box:
    """A box found by PRIM: its limits (restricted inputs only, the most significant
    first), coverage, density and mass (see the module)."""

    limits: tuple[Limit, ...]
    coverage: float
    density: float
    mass: float

    def describe(self) -> str:
        """The limits as one line: ``x1 >= 0.7, x2 <= 0.3``."""
        return ", ".join(lim.describe() for lim in self.limits) or "(every run)"

    def contains(self, inputs: pd.DataFrame) -> np.ndarray:
        """Which rows of ``inputs`` lie in the box."""
        inside = np.ones(len(inputs), dtype=bool)
        for lim in self.limits:
            col = inputs[lim.input].to_numpy(dtype=float)
            if lim.low is not None:
                inside &= col >= lim.low
            if lim.high is not None:
                inside &= col <= lim.high
        return inside


def _num(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 1e4 else f"{x:,.0f}"


def discover(inputs: pd.DataFrame, happened: np.ndarray, threshold: float = 0.8,
             max_boxes: int = 3, peel_alpha: float = 0.05, paste_alpha: float = 0.05,
             mass_min: float = 0.05) -> list[Box]:
    """The boxes of ``inputs`` (one row per run, one numeric column per input) in which
    ``happened`` (one bool per run) is frequent: PRIM with the ``prim`` package (see the
    module).  Returns no box when the event never or always happens (nothing to separate)
    or when no box reaches density ``threshold``.
    """
    happened = np.asarray(happened, dtype=bool).reshape(-1)
    if len(inputs) != happened.shape[0]:
        raise ValueError(f"{len(inputs)} input rows but {happened.shape[0]} outcomes "
                         "(allowed: one outcome per run)")
    if inputs.shape[1] == 0:
        raise ValueError("no inputs to look for a box in (allowed: at least one input)")
    if not 0 < threshold <= 1:
        raise ValueError(f"density threshold {threshold} (allowed: above 0, at most 1)")
    if max_boxes < 1:
        raise ValueError(f"{max_boxes} boxes (allowed: 1 or more)")
    if not happened.any() or happened.all():
        return []
    x = inputs.astype(float).reset_index(drop=True)
    x.columns = [str(c) for c in x.columns]
    lowest, highest = x.min(), x.max()
    prim = _prim()
    finder = prim.Prim(x, happened, threshold=None, peel_alpha=peel_alpha,
                       paste_alpha=paste_alpha, mass_min=mass_min)
    boxes: list[Box] = []
    while len(boxes) < max_boxes:
        found = finder.find_box()
        if found is None:
            break
        trajectory = found.peeling_trajectory.reset_index(drop=True)
        dense = trajectory[trajectory["density"] >= threshold]
        if dense.empty:
            break
        # Highest coverage; among equals, fewer restricted inputs, then higher density.
        best = dense.sort_values(["coverage", "res dim", "density"],
                                 ascending=[False, True, False], kind="stable").index[0]
        found.select(int(best))
        limits = []
        for name, row in found.limits.iterrows():
            low, high = float(row["min"]), float(row["max"])
            limits.append(Limit(
                str(name),
                None if low <= lowest[name] else low,
                None if high >= highest[name] else high,
                float(row["qp values"])))
        boxes.append(Box(tuple(limits), float(found.coverage), float(found.density),
                         float(found.mass)))
    return boxes


def _prim():
    """The ``prim`` package, imported with Matplotlib's non-interactive backend unless one
    is chosen (it imports pyplot for its plots, which blocs never draws)."""
    import os

    os.environ.setdefault("MPLBACKEND", "Agg")
    import prim

    return prim


def _pct(x: float) -> str:
    """A share as a percentage: whole numbers, one decimal under 10%, '<0.1%' below."""
    if x == 0 or x == 1:
        return f"{x:.0%}"
    if x < 0.001:
        return "<0.1%"
    if x < 0.1:
        return f"{100 * x:.1f}%"
    if x > 0.999:
        return ">99.9%"
    return f"{100 * x:.0f}%"


def summary(condition: Condition | str, happened: np.ndarray, boxes: list[Box],
            threshold: float = 0.8, mass_min: float = 0.05) -> str:
    """What the boxes say about the event, in one or two sentences.

    >>> b = Box((Limit("gas", None, 0.71, 0.0), Limit("inertia", 0.84, None, 0.0)),
    ...         coverage=0.64, density=0.83, mass=0.18)
    >>> print(summary("outcome/alignment > 60 in 2030", np.arange(100) < 23, [b]))
    ... # doctest: +NORMALIZE_WHITESPACE
    outcome/alignment > 60 in 2030 happens in 23% of runs; in the box gas <= 0.71,
    inertia >= 0.84 it happens in 83% of runs (coverage 64%).
    """
    happened = np.asarray(happened, dtype=bool)
    n, k = happened.shape[0], int(happened.sum())
    head = f"{condition} happens in {_pct(k / n)} of runs" if n else f"{condition}: no runs"
    if k == 0:
        return f"{condition} happens in none of the {n:,} runs: there is no box to find."
    if k == n:
        return f"{condition} happens in all {n:,} runs: there is no box to find."
    if not boxes and k / n < threshold * mass_min:
        return (f"{head}; too rare for a box: a box holds at least {_pct(mass_min)} of the "
                f"runs, so with {k:,} runs where it happens its density is at most "
                f"{_pct(k / n / mass_min)}, below the threshold of {_pct(threshold)}.")
    if not boxes:
        return (f"{head}; no box of the inputs reaches a density of {_pct(threshold)}: it is "
                "spread over the inputs' ranges (or needs a lower density threshold).")
    first, *rest = boxes
    text = (f"{head}; in the box {first.describe()} it happens in {_pct(first.density)} of "
            f"runs (coverage {_pct(first.coverage)})")
    for i, box in enumerate(rest, start=2):
        text += (f"; box {i}, {box.describe()}, adds {_pct(box.coverage)} of them "
                 f"(density {_pct(box.density)})")
    if rest:
        total = sum(b.coverage for b in boxes)
        text += f"; together the boxes hold {_pct(total)} of the runs where it happens"
    return text + "."

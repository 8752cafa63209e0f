"""``blocs discover CASE --outcome "QUANTITY > NUMBER [in YEAR]"``: in which ranges of a
case's uncertain inputs an event happens, found by PRIM (docs/sensitivity.md).

The command samples the case's uncertainties (`blocs.ensemble.sample.unit_design`), runs the
case for every point (`blocs.ensemble.runner.evaluate`), marks the runs where the event
happens, maps the design to the inputs' own values (each uncertainty's quantile function, so
that a box's limits are in the inputs' units) and looks for boxes with
`blocs.analysis.discover`.  Bad options exit 2 with one line on stderr.
"""

from __future__ import annotations

import json as jsonlib
from typing import Annotated, Any

import typer

from blocs.commands.common import CASE_HELP, load
from blocs.commands.output import console, fail, progress_bar, say, table, write
from blocs.commands.sensitivity import MAX_RUNS, SEED_HELP, case_inputs, check_seed, model_runs

DEFAULT_RUNS = 2000
DEFAULT_DENSITY = 0.8
DEFAULT_BOXES = 3
MAX_BOXES = 10


def discover(
    case: Annotated[str, typer.Argument(help=CASE_HELP, metavar="CASE", show_default=False)],
    outcome: Annotated[str | None, typer.Option(
        metavar="EXPR", help="The event: 'QUANTITY > NUMBER [in YEAR]' (or >=, <, <=), e.g. "
                             "'outcome/alignment > 60 in 2030' or 'pillars < 2.5'; the year "
                             "defaults to the period's last.", show_default=False)] = None,
    runs: Annotated[int, typer.Option(
        metavar="N", help=f"Runs of the case (2 to {MAX_RUNS:,}).")] = DEFAULT_RUNS,
    seed: Annotated[int, typer.Option(
        metavar="S", help=f"Seed of the design and the chance shocks {SEED_HELP}.")] = 0,
    method: Annotated[str, typer.Option(
        metavar="METHOD", help="The design: lhs (Latin hypercube) or sobol (scrambled "
                               "Sobol' points).")] = "lhs",
    density: Annotated[float, typer.Option(
        metavar="D", help="The least share of the runs in a box where the event happens "
                          "(above 0, at most 1).")] = DEFAULT_DENSITY,
    boxes: Annotated[int, typer.Option(
        metavar="K", help=f"The most boxes to look for (1 to {MAX_BOXES}).")] = DEFAULT_BOXES,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print one JSON object: case, event, runs, probability, boxes, "
                       "summary.")] = False,
) -> None:
    """In which ranges of the case's uncertain inputs does an event happen?  Runs the case
    for a design over its 'uncertain:' entries and finds boxes of the inputs where the event
    is frequent (PRIM, scenario discovery), each with its coverage and density.  See
    docs/sensitivity.md.

    Examples:

      blocs discover serbia-2024 --outcome "outcome/alignment > 50"

      blocs discover serbia-2024 --outcome "pillars > 3.47 in 2030" --runs 5000 --seed 2

      blocs discover my-case.yaml --outcome "outcome/kosovo < 55 in 2030" --method sobol --json
    """
    import numpy as np
    import pandas as pd

    from blocs.analysis import discover as sd
    from blocs.ensemble.sample import METHODS, unit_design

    if outcome is None or not outcome.strip():
        raise fail("--outcome: missing (allowed: " + sd.CONDITION_FORMS + ")")
    if not 2 <= runs <= MAX_RUNS:
        raise fail(f"--runs: {runs} is out of range (allowed: 2 to {MAX_RUNS:,})")
    check_seed(seed)
    if method not in METHODS:
        raise fail(f"--method: unknown method '{method}' (allowed: {', '.join(METHODS)})")
    if not 0 < density <= 1:
        raise fail(f"--density: {density} is out of range (allowed: above 0, at most 1)")
    if not 1 <= boxes <= MAX_BOXES:
        raise fail(f"--boxes: {boxes} is out of range (allowed: 1 to {MAX_BOXES})")
    scenario = load(case)
    us = case_inputs(case, scenario)
    try:
        condition = sd.parse_condition(outcome, scenario.period)
    except ValueError as exc:
        raise fail(f"--outcome: {exc}") from None

    unit = unit_design(len(us), runs, seed, method)
    from blocs import progress

    with progress_bar(), progress.task(f"{runs:,} runs of {scenario.case_id}",
                                       total=runs) as advance:
        values = model_runs(scenario, condition.quantity, condition.year, seed, advance)(unit)
    bad = int(np.count_nonzero(~np.isfinite(values)))
    if bad:
        raise fail(f"--outcome: {condition.quantity} is not a number in {bad} of {runs} runs in "
                   f"{condition.year} (allowed: a quantity defined in every run)")
    happened = condition.holds(values)
    inputs = pd.DataFrame({u.name: u.ppf(unit[:, j]) for j, u in enumerate(us)})
    found = sd.discover(inputs, happened, threshold=density, max_boxes=boxes)
    text = sd.summary(condition, happened, found, threshold=density)
    at = {u.name: u.at for u in us}
    k = int(happened.sum())

    if as_json:
        doc: dict[str, Any] = {
            "case": scenario.case_id, "event": condition.text,
            "condition": {"quantity": condition.quantity, "op": condition.op,
                          "value": condition.value, "year": condition.year},
            "runs": runs, "seed": seed, "method": method, "density_threshold": density,
            "happened": k, "probability": k / runs,
            "boxes": [{"limits": [{"input": lim.input, "at": at[lim.input], "low": lim.low,
                                   "high": lim.high, "qp": lim.qp} for lim in box.limits],
                       "coverage": box.coverage, "density": box.density, "mass": box.mass}
                      for box in found],
            "summary": text}
        write(jsonlib.dumps(doc, allow_nan=False, ensure_ascii=False) + "\n")
        return

    say(f"{scenario.case_id}: {condition.text} happens in {k:,} of {runs:,} runs "
        f"({k / runs:.1%}; {method} design, seed {seed}).")
    if found:
        out = console()
        for i, box in enumerate(found, start=1):
            t = table(f"Box {i}: coverage {box.coverage:.1%}, density {box.density:.1%}, mass "
                      f"{box.mass:.1%}", "input", "at", ("from", "right"), ("to", "right"),
                      ("quasi-p", "right"))
            for lim in box.limits:
                t.add_row(lim.input, at[lim.input], "-" if lim.low is None else f"{lim.low:.4g}",
                          "-" if lim.high is None else f"{lim.high:.4g}", f"{lim.qp:.2g}")
            out.print(t)
        out.print("coverage: the share of the runs where it happens that lie in the box; "
                  "density: the share of the runs in the box where it happens; mass: the "
                  "share of all runs in the box; '-': that side is not restricted; quasi-p: "
                  "how likely the box's count would be at the density it has without that "
                  "restriction (small: the restriction matters; Bryant & Lempert 2010).")
    say(text)

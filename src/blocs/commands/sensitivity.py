"""``blocs sensitivity CASE --outcome PATH``: which uncertain inputs of a case move one of
its quantities, by Sobol' indices or Morris' elementary effects (docs/sensitivity.md).

The command reads the options, runs the case for SALib's design through
`blocs.ensemble.runner.evaluate`, computes the indices with `blocs.analysis.sensitivity` and
prints them (or one JSON object).  Bad options exit 2 with one line on stderr.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Callable
from typing import Annotated, Any

import typer

from blocs.commands.common import CASE_HELP, load
from blocs.commands.output import console, fail, progress_bar, table, write

METHODS = ("sobol", "morris")
#: Defaults of --runs: Saltelli's base sample (Sobol'), trajectories (Morris).
DEFAULT_RUNS = {"sobol": 1024, "morris": 50}
DEFAULT_LEVELS = 4
#: The most model runs one command makes (as ``blocs run --runs``): the design and the
#: outputs stay far below 1 GiB for any case.
MAX_RUNS = 1_000_000
SEED_HELP = "(0 to 2**63 - 1)"


def check_seed(seed: int) -> None:
    if not 0 <= seed < 2**63:
        raise fail(f"--seed: {seed} is out of range (allowed: 0 to 2**63 - 1)")


def case_inputs(case: str, scenario: Any) -> list[Any]:
    """The case's uncertainties; one line and exit 2 when it has none."""
    from blocs.ensemble.uncertain import uncertainties

    us = uncertainties(scenario)
    if not us:
        raise fail(f"{case}: the case has no uncertain inputs to vary (allowed: a case with an "
                   "'uncertain:' section, e.g. uncertain: {inertia: {at: dynamics/inertia, "
                   "uniform: [0.6, 0.95], assumption: ...}}; docs/sensitivity.md)")
    return us


def check_quantity(flag: str, quantity: str) -> None:
    """The shape of a quantity path (whether its ids exist is the model's to say)."""
    from blocs.scenario.paths import QUANTITIES, PathError, parse_path

    try:
        parse_path(quantity, QUANTITIES)
    except PathError as exc:
        raise fail(f"{flag}: {exc}") from None


def check_year(scenario: Any, year: int | None) -> int:
    """``year`` (default: the period's end), within the case's period."""
    start, end = scenario.period
    if year is None:
        return end
    if not start <= year <= end:
        raise fail(f"--year: {year} is outside the period of {scenario.case_id} (allowed: "
                   f"{start} to {end})")
    return year


def model_runs(scenario: Any, quantity: str, year: int, seed: int,
               advance: Callable[[int], None] | None = None
               ) -> Callable[[Any], Any]:
    """``evaluate(unit) -> values``: the case run for each row of a unit design, the value of
    ``quantity`` in ``year`` (`blocs.ensemble.runner.evaluate`; row r of each call takes the
    random draws of run r); ``advance(runs)`` is told of the runs done.  One line and exit 2
    when the model refuses the quantity, checked on one run before the first design runs."""
    from blocs.ensemble.runner import evaluate

    checked = [False]

    def run(unit: Any) -> Any:
        if not checked[0]:
            try:
                evaluate(scenario, unit[:1], seed, quantity, year)
            except ValueError as exc:
                raise fail(f"--outcome: {exc}") from None
            checked[0] = True
        done = [0]

        def report(finished: int, total: int) -> None:
            if advance is not None:
                advance(finished - done[0])
            done[0] = finished

        try:
            return evaluate(scenario, unit, seed, quantity, year, progress=report)
        except ValueError as exc:
            raise fail(f"{scenario.label}: {exc}") from None

    return run


def chance_note(scenario: Any, method: str) -> str | None:
    """A line when the case has shocks that happen by chance: the runs an estimator compares
    share their draws, so chance is one more input that no row of the table shows."""
    chance = [k for k, s in scenario.case.shocks.items() if s.chance is not None]
    if not chance:
        return None
    shows = ("in the first-order indices adding up to less than 1" if method == "sobol" else
             "in no effect, but it changes which effects the inputs have")
    return (f"The case's chance shocks ({', '.join(chance)}) draw the same in the runs each "
            f"estimate compares (common random numbers): chance is an input of its own, which "
            f"shows {shows}.")


def sensitivity(
    case: Annotated[str, typer.Argument(help=CASE_HELP, metavar="CASE", show_default=False)],
    outcome: Annotated[str | None, typer.Option(
        metavar="PATH", help="The quantity to explain, a path of docs/dynamics.md: "
                             "outcome/ISSUE, pillars, bloc/BLOC, leverage/POWER, "
                             "encirclement/BLOC, ...", show_default=False)] = None,
    year: Annotated[int | None, typer.Option(
        metavar="YEAR", help="The year of the quantity, within the case's period (default: "
                             "the period's last year).", show_default=False)] = None,
    method: Annotated[str, typer.Option(
        metavar="METHOD", help="sobol (first- and total-order indices) or morris "
                               "(elementary effects, fewer runs).")] = "sobol",
    runs: Annotated[int | None, typer.Option(
        metavar="N", help="Sobol': the base sample, a power of 2 (default 1024; the model "
                          "runs N x (inputs + 2) times).  Morris: trajectories, 2 or more "
                          "(default 50; N x (inputs + 1) runs).", show_default=False)] = None,
    levels: Annotated[int | None, typer.Option(
        metavar="P", help="Morris only: levels of the grid, even, 2 or more (default 4).",
        show_default=False)] = None,
    seed: Annotated[int, typer.Option(
        metavar="S", help=f"Seed of the design, the bootstrap and the chance shocks "
                          f"{SEED_HELP}.")] = 0,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print one JSON object: case, outcome, year, method, runs, seed, "
                       "indices, summary.")] = False,
) -> None:
    """Which uncertain inputs of a case move one of its quantities: Sobol' first- and
    total-order indices (shares of the variance), or Morris' elementary effects, computed by
    SALib over the case's 'uncertain:' entries; with a one-line summary.  See
    docs/sensitivity.md.

    Examples:

      blocs sensitivity serbia-2024 --outcome outcome/alignment

      blocs sensitivity serbia-2024 --outcome pillars --year 2030 --runs 2048 --seed 3

      blocs sensitivity my-case.yaml --outcome bloc/West --method morris --json
    """
    from blocs.analysis import sensitivity as sa

    if method not in METHODS:
        raise fail(f"--method: unknown method '{method}' (allowed: {', '.join(METHODS)})")
    if outcome is None or not outcome.strip():
        raise fail("--outcome: missing (allowed: a quantity path such as outcome/ISSUE, "
                   "pillars, bloc/BLOC, leverage/POWER; docs/dynamics.md)")
    outcome = outcome.strip()
    check_quantity("--outcome", outcome)
    check_seed(seed)
    if method == "sobol":
        if levels is not None:
            raise fail("--levels: only for --method morris (allowed: without --levels)")
        n = DEFAULT_RUNS["sobol"] if runs is None else runs
        if not sa.is_power_of_two(n) or n < 2:
            raise fail(f"--runs: {n} is not a power of 2 (allowed: 2, 4, 8, ..., e.g. 1024; "
                       "Saltelli's design from a Sobol' sequence needs one)")
    else:
        n = DEFAULT_RUNS["morris"] if runs is None else runs
        if n < 2:
            raise fail(f"--runs: {n} trajectories (allowed: 2 or more)")
        levels = DEFAULT_LEVELS if levels is None else levels
        if levels < 2 or levels % 2:
            raise fail(f"--levels: {levels} (allowed: an even number, 2 or more, e.g. 4)")
    scenario = load(case)
    us = case_inputs(case, scenario)
    year = check_year(scenario, year)
    d = len(us)
    total = n * (d + 2) if method == "sobol" else n * (d + 1)
    if total > MAX_RUNS:
        raise fail(f"--runs: {n} would make {total:,} model runs with {d} inputs (allowed: at "
                   f"most {MAX_RUNS:,} runs)")
    names = [u.name for u in us]
    from blocs import progress

    with progress_bar(), progress.task(f"{total:,} runs of {scenario.case_id}",
                                       total=total) as advance:
        evaluate = model_runs(scenario, outcome, year, seed, advance)
        if method == "sobol":
            result = sa.sobol(names, evaluate, n, seed)
        else:
            result = sa.morris(names, evaluate, n, levels, seed)
    note = chance_note(scenario, method)
    text = sa.summary(result, outcome, year, chance=note is not None)
    at = {u.name: u.at for u in us}

    if as_json:
        indices = []
        for row in result.to_dict(orient="records"):
            item: dict[str, Any] = {"input": row["input"], "at": at[row["input"]]}
            item.update({k: sa.finite_or_none(v) for k, v in row.items() if k != "input"})
            indices.append(item)
        doc = {"case": scenario.case_id, "outcome": outcome, "year": year, "method": method,
               "runs": n, "model_runs": total, "seed": seed, "indices": indices,
               "summary": text}
        if method == "morris":
            doc["levels"] = levels
        if note:
            doc["note"] = note
        write(jsonlib.dumps(doc, allow_nan=False, ensure_ascii=False) + "\n")
        return

    out = console()
    if method == "sobol":
        t = table(f"{scenario.case_id}: sensitivity of {outcome} in {year} (Sobol', base "
                  f"sample {n}, {total:,} runs, seed {seed})", "input", "at",
                  ("first order S1", "right"), ("total ST", "right"))
        for row in result.sort_values("ST", ascending=False, kind="stable").itertuples():
            t.add_row(row.input, at[row.input], f"{row.S1:.3f} ± {row.S1_conf:.3f}",
                      f"{row.ST:.3f} ± {row.ST_conf:.3f}")
        foot = ("S1: the share of the variance the input explains alone; ST: alone and "
                "together with other inputs; ± the 95% bootstrap interval.")
    else:
        t = table(f"{scenario.case_id}: sensitivity of {outcome} in {year} (Morris, {n} "
                  f"trajectories, {levels} levels, {total:,} runs, seed {seed})", "input",
                  "at", ("mu*", "right"), ("sigma", "right"))
        scale = float(result["mu_star"].abs().max())
        for row in result.sort_values("mu_star", ascending=False, kind="stable").itertuples():
            t.add_row(row.input, at[row.input],
                      f"{_effect(row.mu_star, scale)} ± "
                      f"{_effect(row.mu_star_conf, scale, 2)}", _effect(row.sigma, scale))
        foot = (f"mu*: the mean absolute change of {outcome} when the input moves across its "
                "whole range (its quantiles 0 to 1), ± the 95% bootstrap interval; sigma: how "
                "much that change differs from point to point.")
    out.print(t)
    out.print(foot)
    if note:
        out.print(note)
    out.print(text)


def _effect(x: float, scale: float, digits: int = 4) -> str:
    """An effect to ``digits`` significant digits; rounding noise (below 1e-9 of the largest
    mu*) shown as 0."""
    return "0" if abs(x) <= 1e-9 * scale else f"{x:.{digits}g}"

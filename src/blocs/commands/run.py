"""``blocs run CASE``: the balance sheet of a case, as tables, JSON or files."""

from __future__ import annotations

import itertools
import math
import shlex
from pathlib import Path
from typing import Annotated, Any

import typer

from blocs.commands.common import CASE_HELP, load
from blocs.commands.output import console, fail, say, table, write

DOMAIN_ABBR = {"economic": "econ", "energy": "energy", "security": "security",
               "diplomatic": "diplo", "societal": "society"}

#: Below this many columns the leverage table is printed as two tables (soft, then hard),
#: so that no header is cut on an 80-column terminal.
WIDE_LEVERAGE = 110


def run(
    case: Annotated[str, typer.Argument(help=CASE_HELP, metavar="CASE", show_default=False)],
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print one JSON object (docs/json-output.md) instead of tables.")] = False,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", metavar="DIR",
        help="Also write the tables as CSV and Parquet, and balance.json, into DIR.",
        show_default=False)] = None,
    year: Annotated[int | None, typer.Option(
        metavar="YEAR", help="Only the balance sheet of YEAR (1800 to 2200; default: the "
                             "case's year, followed by its period year by year).",
        show_default=False)] = None,
    until: Annotated[int | None, typer.Option(
        metavar="YEAR", help="Stop the yearly path at YEAR (within the case's period; "
                             "default: the period's end).", show_default=False)] = None,
    seed: Annotated[int | None, typer.Option(
        metavar="N", help="Seed of the shocks that happen by chance and of the ensemble's "
                          "design (0 to 2**63 - 1; default: drawn and reported).",
        show_default=False)] = None,
    runs: Annotated[int | None, typer.Option(
        metavar="N", help="Run an ensemble of N futures, sampling the case's uncertainties "
                          "(1 to 1,000,000; docs/ensembles.md).", show_default=False)] = None,
    method: Annotated[str | None, typer.Option(
        metavar="METHOD", help="With --runs: how to sample, lhs (Latin hypercube, the "
                               "default) or sobol.", show_default=False)] = None,
    store: Annotated[Path | None, typer.Option(
        metavar="FILE", help="With --runs: stream every run into this DuckDB file "
                             "(docs/store.md).", show_default=False)] = None,
    resume: Annotated[bool, typer.Option(
        "--resume", help="With --store: finish an interrupted ensemble; the runs already "
                         "stored are kept, none is run twice.")] = False,
    scheduler: Annotated[str | None, typer.Option(
        metavar="ADDRESS", help="With --runs: run the chunks on a Dask cluster: 'local' (a "
                                "cluster on this machine) or a scheduler address "
                                "(tcp://HOST:8786).", show_default=False)] = None,
    chunk: Annotated[int | None, typer.Option(
        metavar="K", help="With --runs: runs per chunk (1 to 100,000; default 2,000).",
        show_default=False)] = None,
) -> None:
    """Print the balance sheet of a case: leverage by domain, blocs, reach, encirclement,
    forecasts; then, when the case has a period, its path year by year (docs/dynamics.md).

    Examples:

      blocs run serbia-2024

      blocs run serbia-2024 --until 2030 --seed 7

      blocs run serbia-2024 --year 2024 --json

      blocs run my-case.yaml --out results/

      blocs run serbia-2024 --runs 10000 --seed 7 --store runs.duckdb
    """
    if year is not None and not 1800 <= year <= 2200:
        raise fail(f"--year: {year} is out of range (allowed: 1800 to 2200)")
    if seed is not None and not 0 <= seed < 2**63:
        raise fail(f"--seed: {seed} is out of range (allowed: 0 to 2**63 - 1)")
    from blocs.commands import ensemble

    ensemble.check_options(runs, method, store, resume, scheduler, chunk, year)
    if year is not None and (until is not None or seed is not None):
        flag = "--until" if until is not None else "--seed"
        raise fail(f"{flag}: only for the yearly path (allowed: without --year, which asks "
                   "for one year's balance sheet)")
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        raise fail(f"{out_dir}: --out: is a file (allowed: a folder, new or existing)")
    scenario = load(case)
    from blocs.results import analyse

    if runs is not None:
        _ensemble(case, scenario, analyse(scenario), as_json, out_dir, until, seed, runs,
                  method, store, resume, scheduler, chunk)
        return

    simulation = None
    if year is None:
        simulation = _yearly_path(scenario, until, seed)
    balance = analyse(scenario, year=year)
    if simulation is not None:
        balance = balance.with_years(simulation)
    if out_dir is not None:
        try:
            balance.write(out_dir)
        except OSError as exc:
            raise fail(f"{out_dir}: --out: cannot write: {exc.strerror or exc}") from None
    if as_json:
        write(balance.to_json() + "\n")
        return
    print_balance(scenario, balance, case)
    if simulation is not None:
        print_years(scenario, simulation, case)
    if out_dir is not None:
        say(f"Tables written to {out_dir}/ (CSV, Parquet, balance.json).")


def _ensemble(case: str, scenario: Any, balance: Any, as_json: bool, out_dir: Path | None,
              until: int | None, seed: int | None, runs: int, method: str | None,
              store: Path | None, resume: bool, scheduler: str | None,
              chunk: int | None) -> None:
    """``--runs``: the balance sheet of the case year, then the ensemble's summary."""
    import json

    from blocs.commands import ensemble

    start, end = scenario.period
    if until is not None and not start <= until <= end:
        raise fail(f"--until: {until} is outside the case's period (allowed: {start} to {end})")
    ens = ensemble.run_ensemble_command(case, scenario, runs, seed, method, store, resume,
                                        scheduler, chunk, until, export=out_dir)
    if out_dir is not None:
        try:
            balance.write(out_dir)
            ensemble.write_ensemble(out_dir, scenario, ens, store)
        except OSError as exc:
            raise fail(f"{out_dir}: --out: cannot write: {exc.strerror or exc}") from None
    if as_json:
        from blocs.results import plain

        doc = balance.to_dict() | ensemble.ensemble_dict(scenario, ens)
        write(json.dumps(plain(doc), indent=2, ensure_ascii=False, allow_nan=False) + "\n")
        return
    print_balance(scenario, balance, case)
    ensemble.print_ensemble(scenario, ens, case)


def _yearly_path(scenario: Any, until: int | None, seed: int | None) -> Any:
    """The case over its period (None when it has no period beyond its year); one line and
    exit 2 for an --until or --seed that does not fit."""
    start, end = scenario.period
    has_chance = any(s.chance is not None for s in scenario.case.shocks.values())
    if end <= start:
        if until is not None or seed is not None:
            flag = "--until" if until is not None else "--seed"
            raise fail(f"{flag}: the case has no period to run (allowed: with a case that "
                       "has 'period: {start: YEAR, end: YEAR}')")
        return None
    if until is not None and not start <= until <= end:
        raise fail(f"--until: {until} is outside the case's period (allowed: {start} to {end})")
    if seed is not None and not has_chance:
        raise fail("--seed: the case has no shock that happens by chance, so a seed would "
                   "change nothing (allowed: only with a case whose shocks have a 'chance')")
    from blocs.dynamics.simulate import simulate

    try:
        return simulate(scenario, until=until, seed=seed)
    except ValueError as exc:
        raise fail(f"{scenario.label}: {exc}") from None


def print_years(scenario: Any, sim: Any, case: str | None = None) -> None:
    """The yearly path as two compact tables: outcomes, pillars, bloc shares and events;
    then each power's total leverage (a case without issues, blocs or powers shows what it
    has)."""
    out = console()
    tables = sim.tables()
    years = list(sim.years)
    has_chance = any(s.chance is not None for s in scenario.case.shocks.values())
    seed = f"; seed {sim.seed}" if has_chance else ""
    outcomes = tables.get("outcomes")
    issues = [] if outcomes is None else list(outcomes.columns)
    blocs = list(tables["blocs"].columns) if "blocs" in tables else []
    pillars = tables["pillars"]["pillars"]
    events = tables.get("events")
    t = table(f"Year by year, {years[0]}-{years[-1]} (model {sim.model}{seed}): issue "
              "outcomes (0-100), effective number of pillars, bloc shares of leverage",
              ("year", "right"), *[(i, "right") for i in issues], ("pillars", "right"),
              *[(b, "right") for b in blocs], "events")
    for y in years:
        fired = [] if events is None else [e for e in events.columns if events.loc[y, e] > 0]
        t.add_row(str(y), *[_fmt(outcomes.loc[y, i], 1) for i in issues],
                  _fmt(pillars.loc[y]),
                  *[f"{tables['blocs'].loc[y, b]:.0%}" for b in blocs],
                  ", ".join(fired) or "-")
    out.print(t)
    powers = tables.get("powers")
    names = [] if powers is None else [c[:-len("/total")] for c in powers.columns
                                       if c.endswith("/total")]
    if names:
        t = table("Leverage by power, year by year (sum over cells)", ("year", "right"),
                  *[(p, "right") for p in names])
        for y in years:
            t.add_row(str(y), *[_fmt(powers.loc[y, f"{p}/total"]) for p in names])
        out.print(t)
    if has_chance:
        show = scenario.case_id if case in (None, scenario.case_id) else shlex.quote(case)
        out.print(f"Chance shocks drawn with seed {sim.seed}; 'blocs run {show} --seed "
                  f"{sim.seed}' repeats this path.")


def _fmt(x: Any, digits: int = 2) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def print_balance(scenario: Any, balance: Any, case: str) -> None:
    """The tables of ``blocs run``."""
    out = console()
    out.print(f"{balance.name}  ({balance.case}: focus {balance.focus}, {balance.year})",
              style="bold")
    _leverage(out, balance)
    blocs = table("Blocs", "bloc", ("leverage", "right"), ("share", "right"), "powers")
    for row in balance.blocs.itertuples(index=False):
        blocs.add_row(row.bloc, _fmt(row.value), f"{row.share:.0%}", ", ".join(row.powers))
    out.print(blocs)
    out.print(f"Effective number of pillars: {_fmt(balance.effective_pillars)} "
              f"(over {len(balance.powers)} powers); effective number of blocs: "
              f"{_fmt(balance.effective_blocs)}")

    _focus_in_blocs(out, scenario, balance)
    reach = table(f"Reach: land routes to {balance.focus} (and stated sea routes) avoiding "
                  "rival blocs and closed borders",
                  "power", "access", "route", "blocked by", "forces near")
    for row in balance.reach.to_dict("records"):
        near = "; ".join(
            f"{p['what']} in {p['country']}"
            + (f" ({p['size']:,.0f} {p['unit']})" if p.get("size") is not None else "")
            + (f" via {p['via']}" if p.get("via") else "")
            for p in row["presence"])
        ways = " or ".join(way.replace("+", " + ") for way in row["ways_in"])
        reach.add_row(row["from"], row["access"], _route_text(row),
                      ways or ", ".join(row["blocked_by"]) or "-", near or "-")
    out.print(reach)

    enc = table(f"Encirclement: share of {balance.focus}'s land border by neighbours' "
                "standing",
                "standing", ("share", "right"), ("km", "right"), "neighbours",
                ("closed", "right"))
    for row in balance.encirclement.to_dict("records"):
        names = ", ".join(n + (" (hostile)" if n in row["hostile"] and row["standing"] != "hostile"
                               else "") for n in row["neighbours"])
        shut = (f"{row['closed_km']:,.1f} km: {', '.join(row['closed'])}" if row["closed"]
                else "-")
        enc.add_row(row["bloc"], f"{row['share']:.1%}", f"{row['length_km']:,.1f}",
                    names or "-", shut)
    out.print(enc)

    fc = table("Forecasts (0-100 scale of each issue)", "issue", "question", "model",
               ("outcome", "right"), ("80% interval", "right"))
    for row in balance.forecasts.itertuples(index=False):
        band = ("-" if math.isnan(row.lo80) else f"{row.lo80:.0f} to {row.hi80:.0f}")
        fc.add_row(row.issue, row.question, row.model, _fmt(row.outcome, 1), band)
    out.print(fc)
    counts = scenario.tie_counts()
    show = case if case == balance.case else shlex.quote(case)  # a command that works
    out.print(f"{counts.sourced} sourced ties and {counts.assumed} assumed, from "
              f"{counts.sources} sources; 'blocs show {show}' lists every figure with its "
              "source.")


def _focus_in_blocs(out: Any, scenario: Any, balance: Any) -> None:
    """Say where the focus itself sits in a bloc's organisation: the map rules never count it
    as bloc territory (docs/geography.md)."""
    for m in balance.focus_memberships:
        if m["status"] == "member":
            out.print(f"Note: focus {balance.focus} is a member of {m['organization']} (bloc "
                      f"{m['bloc']}) in {balance.year}; reach and encirclement never count the "
                      "focus as bloc territory.")
        else:
            out.print(f"Note: focus {balance.focus}'s status in {m['organization']} (bloc "
                      f"{m['bloc']}) is {m['status']} in {balance.year}; not counted as "
                      "membership.")


def _route_text(row: dict) -> str:
    """A route as land masses, '>' across land, '~' across a sea route; a country's other
    land masses with their names (RUS.1 Kaliningrad)."""
    route = row.get("route") or row.get("land_route")
    if not route:
        return "none"
    from blocs.reference import load_land

    land = load_land()
    sea = set(row.get("sea_legs") or [])

    def name(mass: str) -> str:
        label = land.nodes[mass]["name"] if mass in land else ""
        return f"{mass} {label}" if label else mass

    text = name(route[0])
    for a, b in itertools.pairwise(route):
        text += (" ~ " if f"{a}-{b}" in sea else " > ") + name(b)
    return text


def _leverage(out: Any, balance: Any) -> None:
    lev = balance.leverage
    cells = list(dict.fromkeys(zip(lev["domain"], lev["kind"], strict=True)))
    title = f"Leverage over {balance.focus} by domain (0-1 per cell; soft/hard)"
    rows = []
    for power in balance.powers.to_dict("records"):
        mine = lev[lev["from"] == power["power"]].set_index(["domain", "kind"])["value"]
        rows.append((power["power"], {c: mine.get(c, 0.0) for c in cells}, power["soft"],
                     power["hard"]))
    if out.width >= WIDE_LEVERAGE:
        t = table(title, "power", *[(f"{DOMAIN_ABBR.get(d, d)}\n{k}", "right") for d, k in cells],
                  ("all\nsoft", "right"), ("all\nhard", "right"), ("total", "right"))
        for (power, values, soft, hard), total in zip(rows, balance.powers["value"],
                                                      strict=True):
            t.add_row(power, *[_fmt(values[c]) for c in cells], _fmt(soft), _fmt(hard),
                      _fmt(total))
        out.print(t)
        return
    # Narrow terminal: one table per kind, then the totals.
    for kind in ("soft", "hard"):
        mine = [c for c in cells if c[1] == kind]
        t = table(f"{kind.capitalize()} leverage over {balance.focus} (0-1 per cell)", "power",
                  *[(DOMAIN_ABBR.get(d, d), "right") for d, _ in mine], (f"all {kind}", "right"))
        for power, values, soft, hard in rows:
            t.add_row(power, *[_fmt(values[c]) for c in mine],
                      _fmt(soft if kind == "soft" else hard))
        out.print(t)
    t = table(f"Leverage over {balance.focus}: totals", "power", ("soft", "right"),
              ("hard", "right"), ("total", "right"))
    for (power, _values, soft, hard), total in zip(rows, balance.powers["value"], strict=True):
        t.add_row(power, _fmt(soft), _fmt(hard), _fmt(total))
    out.print(t)

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
        metavar="YEAR", help="Evaluate memberships and ties as of YEAR (1800 to 2200; "
                             "default: the case's year).", show_default=False)] = None,
) -> None:
    """Print the balance sheet of a case: leverage by domain, blocs, reach, encirclement,
    forecasts.

    Examples:

      blocs run serbia-2024

      blocs run serbia-2024 --json

      blocs run my-case.yaml --out results/
    """
    if year is not None and not 1800 <= year <= 2200:
        raise fail(f"--year: {year} is out of range (allowed: 1800 to 2200)")
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        raise fail(f"{out_dir}: --out: is a file (allowed: a folder, new or existing)")
    scenario = load(case)
    from blocs.results import analyse

    balance = analyse(scenario, year=year)
    if out_dir is not None:
        try:
            balance.write(out_dir)
        except OSError as exc:
            raise fail(f"{out_dir}: --out: cannot write: {exc.strerror or exc}") from None
    if as_json:
        write(balance.to_json() + "\n")
        return
    print_balance(scenario, balance, case)
    if out_dir is not None:
        say(f"Tables written to {out_dir}/ (CSV, Parquet, balance.json).")


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

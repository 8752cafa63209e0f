"""The command line: ``blocs run | check | init | cases | show``.

The CLI only reads arguments, calls the Python API and prints; it computes nothing itself.
Bad input exits with code 2 and one line per problem on stderr, never a traceback.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from blocs import __version__
from blocs.commands.output import fail as _fail
from blocs.commands.output import say as _say
from blocs.scenario import CaseError, builtin_cases, load_case
from blocs.scenario.load import builtin_case_text

app = typer.Typer(
    name="blocs",
    help=(
        "Model how a state balances between rival power blocs: leverage, reach and the "
        "forecast of contested issues, from a sourced case file.\n\n"
        "Example:\n\n  blocs run serbia-2024\n\n  blocs run serbia-2024 --json > balance.json"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

out = Console(soft_wrap=False, width=None if sys.stdout.isatty() else 140)

DOMAIN_ABBR = {"economic": "econ", "energy": "energy", "security": "security",
               "diplomatic": "diplo", "societal": "society"}




def _load(case: str):
    try:
        return load_case(case)
    except CaseError as exc:
        raise _fail([str(p) for p in exc.problems]) from None


def _version(value: bool) -> None:
    if value:
        print(f"blocs {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Model how a state balances between rival power blocs."""


@app.command()
def run(
    case: Annotated[
        str, typer.Argument(help="A built-in case (see 'blocs cases') or a case file.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of tables.")
    ] = False,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Also write the tables as CSV and Parquet into this folder."),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(help="Evaluate memberships and ties as of this year (default: the case's)."),
    ] = None,
) -> None:
    """Print the balance sheet of a case: leverage by domain, blocs, reach, encirclement,
    forecasts.

    Examples:

      blocs run serbia-2024

      blocs run serbia-2024 --json

      blocs run my-case.yaml --out results/
    """
    from blocs.results import analyse

    scenario = _load(case)
    if year is not None and not 1800 <= year <= 2200:
        raise _fail(f"--year: {year} is out of range (allowed: 1800 to 2200)")
    balance = analyse(scenario, year=year)
    if out_dir is not None:
        if out_dir.exists() and not out_dir.is_dir():
            raise _fail(f"{out_dir}: --out: is a file (allowed: a folder, new or existing)")
        try:
            balance.write(out_dir)
        except OSError as exc:
            raise _fail(f"{out_dir}: --out: cannot write: {exc.strerror or exc}") from None
    if as_json:
        sys.stdout.write(balance.to_json() + "\n")
        return
    _print_balance(scenario, balance)
    if out_dir is not None:
        _say(f"Tables written to {out_dir}/ (CSV, Parquet, balance.json).")


@app.command()
def check(
    files: Annotated[
        list[str], typer.Argument(help="Case files (or built-in case names) to validate.")
    ],
) -> None:
    """Validate case files; print one line per problem ('FILE:LINE: field: what (allowed)').

    Exit code 0 when every file is valid, 2 otherwise.

    Example:

      blocs check my-case.yaml
    """
    problems: list[str] = []
    for name in files:
        try:
            s = load_case(name)
        except CaseError as exc:
            problems += [str(p) for p in exc.problems]
            continue
        _say(f"{name}: ok ({len(s.actors)} actors, {len(s.case.ties)} ties, "
             f"{len(s.case.issues)} issues, {len(s.sources)} sources)")
    if problems:
        raise _fail(problems)


@app.command()
def init(
    file: Annotated[Path, typer.Argument(help="Where to write the new case file.")],
    source: Annotated[
        str | None,
        typer.Option("--from", help="The built-in case to copy (default: the first listed)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
) -> None:
    """Write an editable copy of a built-in case as a starting point.

    Example:

      blocs init --from serbia-2024 my-case.yaml
    """
    if source is None:
        source = builtin_cases()[0]
    if source not in builtin_cases():
        raise _fail(f"--from: unknown built-in case '{source}' "
                    f"(allowed: {', '.join(builtin_cases())})")
    if file.exists() and not force:
        raise _fail(f"{file}: already exists (allowed: a new file, or --force to overwrite)")
    if file.exists() and file.is_dir():
        raise _fail(f"{file}: is a folder (allowed: a file name such as my-case.yaml)")
    text = builtin_case_text(source)
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".blocs-", suffix=".yaml")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, file)
    except OSError as exc:
        raise _fail(f"{file}: cannot write: {exc.strerror or exc}") from None
    _say(f"Wrote {file} (a copy of {source}). Edit it, then: blocs check {file}")


@app.command()
def cases() -> None:
    """List the built-in cases.

    Example:

      blocs cases
    """
    table = Table(title="Built-in cases")
    for col in ("case", "name", "focus", "year", "ties", "sources"):
        table.add_column(col)
    for name in builtin_cases():
        s = load_case(name)
        table.add_row(name, s.name, s.focus, str(s.year), str(len(s.case.ties)),
                      str(len(s.sources)))
    out.print(table)


@app.command()
def show(
    case: Annotated[str, typer.Argument(help="A built-in case or a case file.")],
) -> None:
    """Print a case with every figure and its source.

    Example:

      blocs show serbia-2024
    """
    from blocs.report.show import print_case

    print_case(_load(case), out)


def _fmt(x: float, digits: int = 2) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def _print_balance(scenario, balance) -> None:
    out.print(f"[bold]{balance.name}[/bold]  ({balance.case}: focus {balance.focus}, "
              f"{balance.year})")
    lev = balance.leverage
    cells = list(dict.fromkeys(zip(lev["domain"], lev["kind"], strict=True)))
    table = Table(title=f"Leverage over {balance.focus} by domain (0-1 per cell; soft/hard)")
    table.add_column("power")
    for domain, kind in cells:
        table.add_column(f"{DOMAIN_ABBR.get(domain, domain)}\n{kind}", justify="right")
    for col in ("all\nsoft", "all\nhard", "total"):
        table.add_column(col, justify="right", style="bold" if col == "total" else None)
    for power in balance.powers["power"]:
        mine = lev[lev["from"] == power].set_index(["domain", "kind"])["value"]
        soft = lev[(lev["from"] == power) & (lev["kind"] == "soft")]["value"].sum()
        hard = lev[(lev["from"] == power) & (lev["kind"] == "hard")]["value"].sum()
        table.add_row(power, *[_fmt(mine.get(c, 0.0)) for c in cells],
                      _fmt(soft), _fmt(hard), _fmt(soft + hard))
    out.print(table)

    blocs = Table(title="Blocs")
    for col, just in (("bloc", "left"), ("leverage", "right"), ("share", "right"),
                      ("powers", "left")):
        blocs.add_column(col, justify=just)
    for row in balance.blocs.itertuples(index=False):
        blocs.add_row(row.bloc, _fmt(row.value), f"{row.share:.0%}", ", ".join(row.powers))
    out.print(blocs)
    out.print(f"Effective number of pillars: {_fmt(balance.effective_pillars)} "
              f"(over {len(balance.powers)} powers); effective number of blocs: "
              f"{_fmt(balance.effective_blocs)}")

    reach = Table(title=f"Reach: land routes to {balance.focus} avoiding rival blocs")
    for col in ("power", "access", "land route", "blocked by", "forces near"):
        reach.add_column(col)
    for row in balance.reach.itertuples(index=False):
        near = "; ".join(
            f"{p['what']} in {p['country']}"
            + (f" ({p['size']:,.0f} {p['unit']})" if p.get("size") is not None else "")
            + (f" via {p['via']}" if p.get("via") else "")
            for p in row.presence)
        reach.add_row(row._0, row.access,
                      " > ".join(row.land_route) if row.land_route else "none",
                      ", ".join(row.blocked_by) or "-", near or "-")
    out.print(reach)

    enc = Table(title=f"Encirclement: share of {balance.focus}'s land border")
    for col, just in (("bloc", "left"), ("share", "right"), ("km", "right"),
                      ("neighbours", "left")):
        enc.add_column(col, justify=just)
    for row in balance.encirclement.itertuples(index=False):
        enc.add_row(row.bloc, f"{row.share:.1%}", f"{row.length_km:,.1f}",
                    ", ".join(row.neighbours) or "-")
    out.print(enc)

    fc = Table(title="Forecasts (0-100 scale of each issue)")
    for col, just in (("issue", "left"), ("question", "left"), ("model", "left"),
                      ("outcome", "right")):
        fc.add_column(col, justify=just)
    for row in balance.forecasts.itertuples(index=False):
        fc.add_row(row.issue, row.question, row.model, _fmt(row.outcome, 1))
    out.print(fc)
    out.print(f"{len(scenario.case.ties)} sourced ties from {len(scenario.sources)} sources; "
              f"'blocs show {balance.case}' lists every figure with its source.",
              markup=False)


def _register_commands() -> None:
    # Commands that live in their own modules (blocs.commands.*).
    from blocs.commands.backtest import backtest
    from blocs.commands.forecast import forecast

    app.command()(forecast)
    app.command()(backtest)


_register_commands()


def main() -> None:
    """Entry point of the ``blocs`` command."""
    app()


if __name__ == "__main__":
    main()

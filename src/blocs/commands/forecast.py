"""``blocs forecast FILE``: run a bargaining model on every issue of a file, round by round.

FILE is a blocs case file (or built-in case name) or another tool's input file: a BDM/Scholz
CSV, a Decide file, a KTAB SMP CSV or the DEU TSV (`blocs.bargaining.formats`).  Each issue is
run through ``get_model(name, rounds=K, variant=V)`` and printed as a table, or as one JSON
object with ``--json`` (the contract in docs/forecast.md).

Models see every issue on a 0-100 scale: an issue on another scale (a BDM file's 4-10, a
Decide ``#M`` scale of 0.5-7) is mapped linearly onto 0-100 for the model and its positions and
outcomes mapped back, so that scale-dependent models (KTAB's utilities, Decide's thresholds)
see the scale they were written for and the output stays on the issue's own scale.  Positions
a model leaves unchanged are printed exactly as read.

Register in blocs.cli with ``app.command()(forecast)``.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from blocs.bargaining.run import default_model, run_problem, run_problems, select_issues
from blocs.commands.output import fail as _fail

# ---------------------------------------------------------------------------------------------
# the command


def forecast(
    file: Annotated[str, typer.Argument(
        help="A case file or built-in case, or a BDM, Decide, KTAB or DEU input file.",
        metavar="FILE", show_default=False)],
    model: Annotated[str | None, typer.Option(
        "--model", "-m", metavar="MODEL",
        help="The bargaining model (default: 'default' if registered, else 'compromise').",
        show_default=False)] = None,
    rounds: Annotated[int | None, typer.Option(
        "--rounds", "-k", metavar="K", help="Rounds to run, for models that run in rounds.",
        show_default=False)] = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", metavar="FORMAT",
        help="The file's format: blocs, bdm, decide, ktab or deu (default: detected).",
        show_default=False)] = None,
    issues: Annotated[list[str] | None, typer.Option(
        "--issue", metavar="ID", help="Forecast only this issue (repeatable; default: all).",
        show_default=False)] = None,
    variant: Annotated[str | None, typer.Option(
        "--variant", metavar="V", help="A model variant, for models that have them.",
        show_default=False)] = None,
    seed: Annotated[int | None, typer.Option(
        "--seed", metavar="N", help="Seed of the randomised variants (same seed, same numbers).",
        show_default=False)] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print one JSON object (docs/forecast.md) instead of tables.")] = False,
) -> None:
    """Forecast the issues of FILE with a bargaining model, round by round.

    FILE may be a blocs case (YAML or a built-in name) or an input file of another tool:
    BDM/Scholz CSV, Decide, KTAB SMP CSV or DEU TSV (see docs/forecast.md). Positions and
    outcomes are printed on each issue's own scale.

    Examples:

      blocs forecast serbia-2024

      blocs forecast ExampleActors.csv --model compromise --json

      blocs forecast cop21.csv --format decide --issue mrv --rounds 10
    """
    from blocs.bargaining.formats import FORMATS, read_problems
    from blocs.bargaining.registry import get_model
    from blocs.scenario.load import CaseError

    if fmt is not None and fmt not in FORMATS:
        raise _fail(f"--format: unknown format '{fmt}' (allowed: {', '.join(FORMATS)})")
    if rounds is not None and rounds < 0:
        raise _fail(f"--rounds: {rounds} is negative (allowed: a whole number >= 0)")
    name = model if model is not None else default_model()
    options: dict[str, Any] = {}
    if rounds is not None:
        options["rounds"] = rounds
    if variant is not None:
        options["variant"] = variant
    if seed is not None:
        options["seed"] = seed
    try:
        engine = get_model(name, **options)
    except (ValueError, TypeError) as exc:
        raise _fail(f"--model: {exc}") from None

    try:
        every = read_problems(file, fmt)
    except CaseError as exc:
        raise _fail([str(p) for p in exc.problems]) from None
    try:
        problems = select_issues(every, issues, file)
    except ValueError as exc:
        raise _fail([f"--issue: {line}" for line in str(exc).split("; ")]) from None

    if getattr(engine, "multi_issue", False):
        # Exchanges span the issues of a file: the model sees them all, --issue filters output.
        try:
            results = run_problems(every, engine, problems)
        except (ValueError, ArithmeticError) as exc:
            raise _fail(f"{file}: model {name}: {exc}") from None
    else:
        results = []
        for p in problems:
            try:
                results.append(run_problem(p, engine))
            except (ValueError, ArithmeticError) as exc:
                raise _fail(f"{file}: issue {p.id}: model {name}: {exc}") from None
    model_name = str(getattr(engine, "name", name))
    if as_json:
        doc = {"model": model_name, "issues": results}
        sys.stdout.write(json.dumps(doc, allow_nan=False, ensure_ascii=False) + "\n")
        return
    out = Console(soft_wrap=False, width=None if sys.stdout.isatty() else 140)
    for p, result in zip(problems, results, strict=True):
        _print_issue(out, p, result, model_name)


def _num(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, list):
        return " / ".join(_num(v) for v in x)
    return f"{x:.6g}"


def _print_issue(out: Console, problem, result: dict[str, Any], model: str) -> None:
    low, high = problem.scale
    dims = list(problem.dimensions) if problem.multidim else []
    if problem.multidim and len(dims) != problem.positions.shape[1]:
        dims = [f"dim {k + 1}" for k in range(problem.positions.shape[1])]
    question = problem.meta.get("question") or problem.meta.get("name")
    out.print(f"{problem.id}: {model}, {problem.n} actors, scale {low:g} to {high:g}"
              + (f" - {question}" if question and question != problem.id else ""),
              markup=False, style="bold")
    rounds = Table()
    rounds.add_column("round", justify="right")
    for label in dims or ["outcome"]:
        rounds.add_column(label if not dims else f"outcome\n{label}", justify="right")
    for r, entry in enumerate(result["rounds"]):
        cells = entry["outcome"] if dims else [entry["outcome"]]
        if cells is None:
            cells = [None] * max(len(dims), 1)
        rounds.add_row(str(r) if r else "0 (input)", *[_num(v) for v in cells])
    out.print(rounds)
    final = Table()
    final.add_column("actor")
    what = f" ({' / '.join(dims)})" if dims else ""
    final.add_column(f"position{what}\ninput", justify="right")
    final.add_column(f"position{what}\nfinal", justify="right")
    first, last = result["rounds"][0]["positions"], result["rounds"][-1]["positions"]
    for actor, a, b in zip(result["actors"], first, last, strict=True):
        final.add_row(actor, _num(a), _num(b))
    out.print(final)
    out.print(f"Outcome of {problem.id}: {_num(result['outcome'])}", markup=False)
    out.print()

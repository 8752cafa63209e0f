"""``blocs forecast FILE``: run a bargaining model on every issue of a file, round by round.

FILE is a blocs case file (or built-in case name) or another tool's input file: a BDM/Scholz
CSV, a Decide file, a KTAB SMP CSV or the DEU TSV (`blocs.bargaining.formats`).  The options
are checked against the model before any file is read (`blocs.bargaining.registry`); the
issues run through `blocs.bargaining.run` and print as tables, or as one JSON object with
``--json`` (the contract in docs/forecast.md).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from blocs.bargaining.catalogue import MAX_ROUNDS, SPECS, describe
from blocs.commands.output import console, fail, progress_bar, write

#: Rounds shown in full in a table; longer runs show the first and last of them.
SHOWN_ROUNDS = 40


def forecast(
    file: Annotated[str, typer.Argument(
        help="A case file or built-in case, or a BDM, Decide, KTAB or DEU input file.",
        metavar="FILE", show_default=False)],
    model: Annotated[str | None, typer.Option(
        "--model", "-m", metavar="MODEL",
        help=f"The bargaining model: {', '.join(SPECS)}, or 'all' (default: 'default').",
        show_default=False)] = None,
    rounds: Annotated[int | None, typer.Option(
        "--rounds", "-k", metavar="K",
        help=f"Rounds to run, 0 to {MAX_ROUNDS}, for models that run in rounds (eum, smp, "
             "exchange); a model that settles earlier stops there and says so.",
        show_default=False)] = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", metavar="FORMAT",
        help="The file's format: blocs, bdm, decide, ktab or deu (default: detected).",
        show_default=False)] = None,
    issues: Annotated[list[str] | None, typer.Option(
        "--issue", metavar="ID", help="Forecast only this issue (repeatable; default: all).",
        show_default=False)] = None,
    variant: Annotated[str | None, typer.Option(
        "--variant", metavar="VARIANT",
        help="A variant of the model: eum: default, scholz; smp: deterministic, stochastic; "
             "exchange: deterministic, random, float, decimal, rex.",
        show_default=False)] = None,
    seed: Annotated[int | None, typer.Option(
        "--seed", metavar="N",
        help="Seed of a variant that draws at random (smp stochastic, exchange random and "
             "rex); without it a fresh seed is drawn and reported.",
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

      blocs forecast ExampleActors.csv --model eum --variant scholz --json

      blocs forecast cop21.csv --format decide --issue mrv --rounds 10

      blocs forecast serbia-2024 --model all
    """
    from blocs.bargaining.formats import FORMATS

    if fmt is not None and fmt not in FORMATS:
        raise fail(f"--format: unknown format '{fmt}' (allowed: {', '.join(FORMATS)})")
    if rounds is not None and not 0 <= rounds <= MAX_ROUNDS:
        raise fail(f"--rounds: {rounds} is out of range (allowed: 0 to {MAX_ROUNDS})")
    names = _model_names(model, rounds, variant, seed)
    for name in names:
        _check(name, rounds, variant, seed)
    every, problems = _read(file, fmt, issues)  # before the models load: a bad file fails fast
    engines = [_engine(name, rounds, variant, seed) for name in names]
    from blocs.bargaining.run import input_identity, provenance

    # Once for all the models: the file's format (as its reader saw it) and checksum.
    source = input_identity(file, every[0].meta.get("format") if every else fmt)
    docs, failed = [], []
    with progress_bar():
        for name, (engine, options) in zip(names, engines, strict=True):
            try:
                results = _run(file, name, engine, every, problems)
            except _ModelFailed as exc:
                if len(names) == 1:
                    raise fail(str(exc)) from None
                failed.append(str(exc))  # --model all: the others still run
                continue
            docs.append({**provenance(name, engine, options, source), "issues": results})
    if not docs:
        raise fail(failed)
    if as_json:
        doc = docs[0] if len(docs) == 1 else {
            **{k: v for k, v in docs[0].items() if k in ("schema", "blocs_version", "input")},
            "models": [{k: v for k, v in d.items()
                        if k not in ("schema", "blocs_version", "input")} for d in docs],
            "failed": failed}
        write(json.dumps(doc, allow_nan=False, ensure_ascii=False) + "\n")
        return
    out = console()
    if len(docs) == 1:
        for p, result in zip(problems, docs[0]["issues"], strict=True):
            _print_issue(out, p, result, docs[0])
    else:
        _print_comparison(out, problems, docs)
        for line in failed:
            out.print(f"Not run: {line}")


forecast.__doc__ = f"{forecast.__doc__}\n    Models:\n\n    " + describe().replace(
    "\n\n", "\n\n    ")


def _model_names(model: str | None, rounds: int | None, variant: str | None,
                 seed: int | None) -> list[str]:
    from blocs.bargaining.registry import MODELS
    from blocs.bargaining.run import default_model

    if model is None:
        return [default_model()]
    if model.strip() != "all":
        if model not in MODELS:
            raise fail(f"--model: unknown model '{model}' (allowed: {', '.join(MODELS)}, all)")
        return [model]
    for flag, value in (("--rounds", rounds), ("--variant", variant), ("--seed", seed)):
        if value is not None:
            raise fail(f"{flag}: not with --model all, where each model runs with its own "
                       f"defaults (allowed: {flag} with one model)")
    return list(MODELS)


def _check(name: str, rounds: int | None, variant: str | None, seed: int | None) -> None:
    """Each option given, checked against the model in turn, so that a problem names the
    option at fault."""
    from blocs.bargaining.registry import check_options

    given: dict[str, Any] = {}
    for flag, key, value in (("--variant", "variant", variant), ("--rounds", "rounds", rounds),
                             ("--seed", "seed", seed)):
        if value is None:
            continue
        given[key] = value
        try:
            check_options(name, given)
        except ValueError as exc:
            raise fail(f"{flag}: {exc}") from None


def _engine(name: str, rounds: int | None, variant: str | None, seed: int | None):
    """The model and the options it was built with (a seed drawn when it needs one)."""
    from blocs.bargaining.registry import get_model
    from blocs.bargaining.run import model_options

    options = model_options(name, rounds=rounds, variant=variant, seed=seed)
    try:
        return get_model(name, **options), options
    except (ValueError, TypeError) as exc:
        raise fail(f"--model: {exc}") from None


def _read(file: str, fmt: str | None, issues: list[str] | None):
    from blocs.bargaining.formats import read_problems
    from blocs.bargaining.run import select_issues
    from blocs.scenario.load import CaseError

    try:
        every = read_problems(file, fmt)
    except CaseError as exc:
        raise fail([str(p) for p in exc.problems]) from None
    try:
        return every, select_issues(every, issues, file)
    except ValueError as exc:
        raise fail([f"--issue: {line}" for line in str(exc).split("; ")]) from None


class _ModelFailed(Exception):
    """A model could not forecast the file (one line)."""


def _run(file: str, name: str, engine: Any, every: list, problems: list) -> list[dict]:
    from blocs.bargaining.problem import MultiIssueModel
    from blocs.bargaining.run import run_problem, run_problems

    if isinstance(engine, MultiIssueModel):
        # Exchanges span the issues of a file: the model sees them all, --issue filters output.
        try:
            results = run_problems(every, engine, problems)
        except (ValueError, ArithmeticError) as exc:
            raise _ModelFailed(f"{file}: model {name}: {exc}") from None
    else:
        results = []
        for p in problems:
            try:
                results.append(run_problem(p, engine))
            except (ValueError, ArithmeticError) as exc:
                raise _ModelFailed(f"{file}: issue {p.id}: model {name}: {exc}") from None
    for p, result in zip(problems, results, strict=True):
        if result["outcome"] is None or (isinstance(result["outcome"], list)
                                         and None in result["outcome"]):
            raise _ModelFailed(f"{file}: issue {p.id}: model {name} gave no finite outcome "
                       "(allowed: issues whose actors have positive capability x salience)")
    return results


def _num(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, list):
        return " / ".join(_num(v) for v in x)
    return f"{x:.6g}"


def _print_issue(out: Any, problem: Any, result: dict[str, Any], doc: dict[str, Any]) -> None:
    from blocs.commands.output import table

    low, high = problem.scale
    dims = list(problem.dimensions) if problem.multidim else []
    if problem.multidim and len(dims) != problem.positions.shape[1]:
        dims = [f"dim {k + 1}" for k in range(problem.positions.shape[1])]
    question = problem.meta.get("question") or problem.meta.get("name")
    how = doc["model"] + (f" ({doc['variant']})" if doc.get("variant") else "")
    out.print(f"{problem.id}: {how}, {problem.n} actors, scale {low:g} to {high:g}"
              + (f" - {question}" if question and question != problem.id else ""),
              style="bold")
    rounds = table(None, ("round", "right"),
                   *[((label if not dims else f"outcome\n{label}"), "right")
                     for label in dims or ["outcome"]])
    entries = list(enumerate(result["rounds"]))
    if len(entries) > SHOWN_ROUNDS:  # the first and the last rounds; JSON has them all
        half = SHOWN_ROUNDS // 2
        entries = [*entries[:half], (None, None), *entries[-half:]]
    for r, entry in entries:
        if entry is None:
            rounds.add_row("...", *["..."] * max(len(dims), 1))
            continue
        cells = entry["outcome"] if dims else [entry["outcome"]]
        if cells is None:
            cells = [None] * max(len(dims), 1)
        rounds.add_row(str(r) if r else "0 (input)", *[_num(v) for v in cells])
    out.print(rounds)
    what = f" ({' / '.join(dims)})" if dims else ""
    final = table(None, "actor", (f"position{what}\ninput", "right"),
                  (f"position{what}\nfinal", "right"))
    first, last = result["rounds"][0]["positions"], result["rounds"][-1]["positions"]
    for actor, a, b in zip(result["actors"], first, last, strict=True):
        final.add_row(actor, _num(a), _num(b))
    out.print(final)
    if result.get("converged") is not None:
        out.print(f"Converged in round {result['converged']}: nothing changed in it, so later "
                  "rounds would repeat it.")
    if doc.get("seed") is not None:
        out.print(f"Seed {doc['seed']} (give --seed {doc['seed']} to repeat this run).")
    out.print(f"Outcome of {problem.id}: {_num(result['outcome'])}"
              + (f" (80% interval {_interval(result['interval80'])})"
                 if result.get("interval80") is not None else ""))
    if problem.reference is not None:
        out.print(f"Status quo: {_num(problem.reference)}"
                  + (f"; veto: {', '.join(problem.veto)}" if problem.veto else ""))
    if result.get("note"):
        out.print(f"Note: {result['note']}")
    out.print()


def _interval(pair: list | None) -> str:
    """An 80% interval as the tables print it: "lo to hi", or "-" for none."""
    return "-" if pair is None else f"{_num(pair[0])} to {_num(pair[1])}"


def _print_comparison(out: Any, problems: list, docs: list[dict[str, Any]]) -> None:
    """``--model all``: every model's outcome of each issue, side by side."""
    from blocs.commands.output import table

    for k, p in enumerate(problems):
        low, high = p.scale
        t = table(f"{p.id}: {p.n} actors, scale {low:g} to {high:g}", "model", "variant",
                  ("rounds run", "right"), ("outcome", "right"), ("80% interval", "right"))
        notes = []
        for doc in docs:
            result = doc["issues"][k]
            t.add_row(doc["model"], doc.get("variant") or "-", str(len(result["rounds"]) - 1),
                      _num(result["outcome"]), _interval(result.get("interval80")))
            if result.get("note"):
                notes.append(f"Note ({doc['model']}): {result['note']}")
        out.print(t)
        for line in notes:
            out.print(line)

"""``blocs backtest FILE``: score the forecasters on issues with known outcomes;
``blocs backtest CASE [--observed FILE]``: score a case's yearly path against observed series.

The command only reads arguments, calls `blocs.analysis.backtest.backtest` (a DEU file) or
`blocs.analysis.history.history_backtest` (a case) and prints; bad input exits with code 2
and one line per problem on stderr, never a traceback.
"""

from __future__ import annotations

import json as jsonlib
import math
from pathlib import Path
from typing import Annotated

import typer

from blocs.commands.output import console, progress_bar, table, write
from blocs.commands.output import fail as _fail


def _models(spec: str):
    """The forecasters named by ``--model``: "all", or names separated by commas."""
    from blocs.analysis.backtest import ModelForecaster, standard_models
    from blocs.bargaining.registry import MODELS, get_model

    standard = standard_models()
    if spec.strip() == "all":
        # The baselines and the default, then every registered model not among them.
        extra = [ModelForecaster(get_model(m)) for m in MODELS if m not in standard]
        return [*standard.values(), *extra]
    allowed = ["all", *standard, *(m for m in sorted(MODELS) if m not in standard)]
    chosen, problems = [], []
    for name in (n.strip() for n in spec.split(",")):
        if name in standard:
            chosen.append(standard[name])
        elif name in MODELS:
            chosen.append(ModelForecaster(get_model(name)))
        else:
            problems.append(f"--model: unknown model '{name}' (allowed: {', '.join(allowed)}, "
                            "or several separated by commas)")
    if problems:
        raise _fail(problems)
    if len({m.name for m in chosen}) != len(chosen):
        raise _fail(f"--model: '{spec}' names a model twice (allowed: each model once)")
    return chosen


def _is_case(file: str) -> bool:
    """A built-in case name or a YAML case file (anything else is read as a DEU file)."""
    from blocs.scenario.load import is_builtin_name

    return is_builtin_name(file) or file.lower().endswith((".yaml", ".yml"))


def _pct(x: float) -> str:
    return "-" if x is None or math.isnan(x) else f"{100 * x:.1f}%"


def _num(x: float) -> str:
    return "-" if x is None or math.isnan(x) else f"{x:.2f}"


def backtest(
    file: Annotated[str, typer.Argument(
        help="A DEU tab-separated file of issues with outcomes (e.g. deu-dev.tsv), or a case "
             "with a period and observables (a built-in name or a .yaml file).",
        metavar="FILE|CASE", show_default=False)],
    model: Annotated[str, typer.Option(
        metavar="MODEL",
        help="'all' (the default forecaster, every baseline and every model), or names separated "
             "by commas, e.g. default,compromise,nash.")] = "all",
    folds: Annotated[int | None, typer.Option(
        metavar="K", help="Folds of the cross-validation by proposal (2 to the number of "
                          "proposals; default 5), only for models that are fitted to data.",
        show_default=False)] = None,
    seed: Annotated[int | None, typer.Option(
        metavar="N", help="Seed that deals the proposals into folds (default 0), only for "
                          "models that are fitted to data.", show_default=False)] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print one JSON object: default, models, predictions (a case: series, "
                       "predictions).")] = False,
    observed: Annotated[Path | None, typer.Option(
        metavar="FILE", help="For a case: the observed values, a CSV of series,year,value,"
                             "source (default: the file a built-in case ships with, or "
                             "CASE.observed.csv beside a case file).",
        show_default=False)] = None,
) -> None:
    """Score the forecasters on real decisions: MAE, median error, share within 5 and 10
    points, and the coverage of the 80% intervals, over the issues with an outcome in 0-100
    and at least 3 actors with positions.

    Models that fit are cross-validated by proposal; the others (the frozen default, the
    baselines) forecast every issue directly.  See docs/backtest.md.

    Examples:

      blocs backtest shared/validation/deu/deu-dev.tsv

      blocs backtest deu-dev.tsv --model default,compromise --json

      blocs backtest serbia-2016

      blocs backtest my-case.yaml --observed my-case.observed.csv --json
    """
    if observed is not None or _is_case(file):
        for flag, value in (("--model", None if model == "all" else model),
                            ("--folds", folds), ("--seed", seed)):
            if value is not None:
                raise _fail(f"{flag}: only for a DEU file (allowed with a case: --observed, "
                            "--json)")
        from blocs.commands.history import history

        history(file, observed, as_json)
        return
    from blocs.bargaining.formats.deu import read_deu
    from blocs.bargaining.formats.errors import FormatError

    try:
        problems = read_deu(file)  # first: a bad file fails before the models load
    except FormatError as exc:
        raise _fail([str(p) for p in exc.problems]) from None
    models = _models(model)
    fitted = [m.name for m in models if hasattr(m, "fit")]
    for flag, value in (("--folds", folds), ("--seed", seed)):
        if value is not None and not fitted:
            raise _fail(f"{flag}: no model of this backtest is fitted to data, so there are no "
                        "folds to deal (allowed: only with a model that is fitted; the "
                        "built-in models forecast every issue directly)")
    if folds is not None and folds < 2:
        raise _fail(f"--folds: {folds} (allowed: 2 or more)")
    from blocs.analysis.backtest import backtest as run_backtest
    from blocs.bargaining.default import DefaultForecaster

    try:
        with progress_bar():
            result = run_backtest(problems, models, folds=5 if folds is None else folds,
                                  seed=0 if seed is None else seed)
    except ValueError as exc:
        raise _fail(f"{file}: {exc}") from None

    if as_json:
        data = result.to_dict(default=DefaultForecaster.name)
        write(jsonlib.dumps(data, allow_nan=False, ensure_ascii=False) + "\n")
        return

    groups = result.predictions["group"].nunique()
    left_out = (f"; {result.refused} left out: no actor with capability x salience > 0"
                if result.refused else "")
    t = table(f"Backtest on {Path(file).name}: {result.issues} scored issues (outcome in 0-100, "
              f">= 3 actors), {groups} proposals{left_out}", "model", ("n", "right"),
              ("MAE", "right"), ("median AE", "right"), ("within 5", "right"),
              ("within 10", "right"), ("coverage80", "right"), "evaluation")
    for r in result.summary.itertuples(index=False):
        t.add_row(r.model, str(r.n), _num(r.mae), _num(r.median_ae), _pct(r.within5),
                  _pct(r.within10), _pct(r.coverage80), r.evaluation)
    out = console()
    out.print(t)
    for r in result.summary.itertuples(index=False):
        if r.note:
            out.print(f"{r.model}: {r.note}.")
    out.print("MAE and median AE in points of the 0-100 scale; 'direct': forecast on every "
              "issue without fitting; 'cv': cross-validated by proposal.")

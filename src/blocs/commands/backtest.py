"""``blocs backtest FILE``: score the forecasters on issues with known outcomes.

The command only reads arguments, calls `blocs.analysis.backtest.backtest` and prints; bad
input exits with code 2 and one line per problem on stderr, never a traceback.
"""

from __future__ import annotations

import json as jsonlib
import math
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from blocs.commands.output import fail as _fail

_out = Console(soft_wrap=False, width=None if sys.stdout.isatty() else 140)




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


def _pct(x: float) -> str:
    return "-" if x is None or math.isnan(x) else f"{100 * x:.1f}%"


def _num(x: float) -> str:
    return "-" if x is None or math.isnan(x) else f"{x:.2f}"


def backtest(
    file: Annotated[Path, typer.Argument(
        help="A DEU tab-separated file of issues with outcomes (e.g. deu-dev.tsv).")],
    model: Annotated[str, typer.Option(
        help="'all' (the default forecaster, every baseline and every model), or names separated "
             "by commas, e.g. default,compromise,nash.")] = "all",
    folds: Annotated[int, typer.Option(
        help="Folds of the cross-validation by proposal, for models that fit.")] = 5,
    seed: Annotated[int, typer.Option(help="Seed of the folds.")] = 0,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print one JSON object: default, models, predictions.")] = False,
) -> None:
    """Score the forecasters on real decisions: MAE, median error, share within 5 and 10
    points, and the coverage of the 80% intervals, over the issues with an outcome in 0-100
    and at least 3 actors with positions.

    Models that fit are cross-validated by proposal; the others (the frozen default, the
    baselines) forecast every issue directly.  See docs/backtest.md.

    Examples:

      blocs backtest shared/validation/deu/deu-dev.tsv

      blocs backtest deu-dev.tsv --model default,compromise --json
    """
    from blocs.analysis.backtest import backtest as run_backtest
    from blocs.bargaining.default import DefaultForecaster
    from blocs.bargaining.formats.deu import read_deu
    from blocs.bargaining.formats.errors import FormatError

    if folds < 2:
        raise _fail(f"--folds: {folds} (allowed: 2 or more)")
    models = _models(model)
    try:
        problems = read_deu(file)
    except FormatError as exc:
        raise _fail([str(p) for p in exc.problems]) from None
    try:
        result = run_backtest(problems, models, folds=folds, seed=seed)
    except ValueError as exc:
        raise _fail(f"{file}: {exc}") from None

    if as_json:
        data = result.to_dict(default=DefaultForecaster.name)
        sys.stdout.write(jsonlib.dumps(data, allow_nan=False) + "\n")
        return

    groups = result.predictions["group"].nunique()
    table = Table(title=f"Backtest on {file.name}: {result.issues} scored issues "
                        f"(outcome in 0-100, >= 3 actors), {groups} proposals")
    for col in ("model", "n", "MAE", "median AE", "within 5", "within 10", "coverage80",
                "evaluation"):
        table.add_column(col, justify="left" if col in ("model", "evaluation") else "right")
    for r in result.summary.itertuples(index=False):
        table.add_row(r.model, str(r.n), _num(r.mae), _num(r.median_ae), _pct(r.within5),
                      _pct(r.within10), _pct(r.coverage80), r.evaluation)
    _out.print(table)
    for r in result.summary.itertuples(index=False):
        if r.note:
            _out.print(f"{r.model}: {r.note}.", markup=False)
    _out.print("MAE and median AE in points of the 0-100 scale; 'direct': forecast on every "
               "issue without fitting; 'cv': cross-validated by proposal.", markup=False)

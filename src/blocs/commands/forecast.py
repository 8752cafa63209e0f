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
import math
import sys
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from blocs.commands.output import fail as _fail

MODEL_SCALE = (0.0, 100.0)




def default_model() -> str:
    """The model used without --model: "default" when registered, else "compromise"."""
    from blocs.bargaining.registry import MODELS

    return "default" if "default" in MODELS else "compromise"


# ---------------------------------------------------------------------------------------------
# running one problem


def _rescale(scale: tuple[float, float]) -> bool:
    low, high = scale
    return (low, high) != MODEL_SCALE and high > low


def to_model_scale(x: np.ndarray, scale: tuple[float, float]) -> np.ndarray:
    """Positions on the issue's scale mapped linearly onto 0-100 (unchanged when the issue is
    already on 0-100 or has a degenerate scale)."""
    if not _rescale(scale):
        return np.asarray(x, dtype=float)
    low, high = scale
    return (np.asarray(x, dtype=float) - low) * 100.0 / (high - low)


def from_model_scale(y: np.ndarray, scale: tuple[float, float]) -> np.ndarray:
    """The inverse of `to_model_scale`."""
    if not _rescale(scale):
        return np.asarray(y, dtype=float)
    low, high = scale
    return np.asarray(y, dtype=float) * (high - low) / 100.0 + low


def run_problem(problem, model) -> dict[str, Any]:
    """Run ``model`` on one problem; the issue's entry of the JSON contract (plain Python).

    ``rounds[0]`` is the input; every round's positions follow ``actors`` (lists per actor
    when the issue has several dimensions) and its outcome is the model's prediction after it;
    all on the issue's own scale, NaN as None.  Raises ValueError when the model returns arrays
    of the wrong shape.
    """
    x, s, c = problem.batch(1)
    if hasattr(model, "capabilities_for"):
        # A model may read its capabilities from the problem (e.g. DEU's GDP weights).
        c = np.asarray(model.capabilities_for(problem), dtype=float)[None]
    x = to_model_scale(x, problem.scale)
    kwargs = {}
    if problem.reference is not None:
        ref = to_model_scale(np.asarray(problem.reference, dtype=float), problem.scale)
        kwargs["reference"] = np.broadcast_to(
            ref, (1, *problem.positions.shape[1:])).copy()
    traj = model.run(x, s, c, **kwargs)
    pos = np.asarray(traj.positions, dtype=float)
    out = np.asarray(traj.outcome, dtype=float)
    want = problem.positions.shape
    if pos.ndim != len(want) + 2 or pos.shape[1] != 1 or pos.shape[2:] != want:
        raise ValueError(f"the model returned positions of shape {pos.shape} "
                         f"(expected (rounds + 1, 1, {', '.join(map(str, want))}))")
    if out.shape[0] != pos.shape[0] or out.shape[1:] != (1, *want[1:]):
        raise ValueError(f"the model returned outcomes of shape {out.shape} "
                         f"(expected ({pos.shape[0]}, 1{''.join(f', {k}' for k in want[1:])}))")
    pos, out = pos[:, 0], out[:, 0]
    # Back on the issue's scale; positions that never left their input are printed as read.
    start = x[0]
    back = from_model_scale(pos, problem.scale)
    same = pos == start[None]
    back = np.where(same, np.asarray(problem.positions, dtype=float)[None], back)
    outcome = from_model_scale(out, problem.scale)

    n_rounds = pos.shape[0]
    events = list(traj.events or [])
    rounds = []
    for r in range(n_rounds):
        entry: dict[str, Any] = {"positions": clean(back[r]), "outcome": clean(outcome[r])}
        if events:
            k = r if len(events) == n_rounds else r - (n_rounds - len(events))
            raw = clean(events[k][0]) if 0 <= k < len(events) and events[k] else []
            entry["events"] = [_event_on_scale(e, problem) for e in raw]
        rounds.append(entry)
    return {"id": problem.id, "actors": list(problem.actors), "rounds": rounds,
            "outcome": rounds[-1]["outcome"]}


# Event fields that are positions, reported on the issue's scale like the rounds' positions;
# actor indices become names.
_POSITION_KEYS = ("new_position", "position", "from_position", "to_position")
_ACTOR_KEYS = ("actor", "with")


def _event_on_scale(event: Any, problem) -> Any:
    if not isinstance(event, dict):
        return event
    out = dict(event)
    for key in _POSITION_KEYS:
        if isinstance(out.get(key), int | float):
            out[key] = float(from_model_scale(np.asarray(out[key]), problem.scale))
    for key in _ACTOR_KEYS:
        if isinstance(out.get(key), int) and 0 <= out[key] < problem.n:
            out[key] = problem.actors[out[key]]
    return out


def clean(value: Any) -> Any:
    """``value`` as plain JSON data: numpy to Python, NaN and infinities to None."""
    if isinstance(value, np.ndarray):
        return clean(value.tolist())
    if isinstance(value, np.generic):
        return clean(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


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
    try:
        engine = get_model(name, **options)
    except (ValueError, TypeError) as exc:
        raise _fail(f"--model: {exc}") from None

    try:
        problems = read_problems(file, fmt)
    except CaseError as exc:
        raise _fail([str(p) for p in exc.problems]) from None
    if issues:
        known = [p.id for p in problems]
        unknown = [i for i in dict.fromkeys(issues) if i not in known]
        if unknown:
            raise _fail([f"--issue: unknown issue '{i}' in {file} (allowed: {', '.join(known)})"
                         for i in unknown])
        wanted = set(issues)
        problems = [p for p in problems if p.id in wanted]

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

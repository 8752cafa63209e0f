"""Run bargaining models on problems, with every issue on the 0-100 scale models expect.

Models see every issue on a 0-100 scale: an issue on another scale (a BDM file's 4-10, a
Decide ``#M`` scale of 0.5-7) is mapped linearly onto 0-100 for the model and its positions and
outcomes mapped back, so that scale-dependent models (KTAB's utilities, Decide's thresholds)
see the scale they were written for and the output stays on the issue's own scale.  Positions
a model leaves unchanged are reported exactly as read.  `forecast_file` is what
``blocs forecast`` prints as JSON (docs/forecast.md).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from blocs.bargaining.problem import MultiIssueModel, Problem
from blocs.bargaining.scale import from_model_scale, to_model_scale


def default_model() -> str:
    """The model used without one named: "default" when registered, else "compromise"."""
    from blocs.bargaining.registry import MODELS

    return "default" if "default" in MODELS else "compromise"


def run_problem(problem, model) -> dict[str, Any]:
    """Run ``model`` on one problem; the issue's entry of the JSON contract (plain Python).

    ``rounds[0]`` is the input; every round's positions follow ``actors`` (lists per actor
    when the issue has several dimensions) and its outcome is the model's prediction after it;
    all on the issue's own scale, NaN as None.  ``interval80``: the model's 80% prediction
    interval [lo, hi] where it gives one, else None.  ``converged``: the round in which the
    model stopped changing anything (the rounds after it, which would repeat it, are left
    out), or None.  ``note``: why the model fell back on a rule (the Nash model without a
    status quo gives the compromise), else None.  Raises ValueError when the model returns
    arrays of the wrong shape.
    """
    x, s, _ = problem.batch(1)
    # The model says which capabilities it weighs by (the default forecaster: DEU's GDP).
    c = np.asarray(model.capabilities(problem), dtype=float)[None]
    x = to_model_scale(x, problem.scale)
    kwargs: dict[str, Any] = {}
    if problem.reference is not None:
        ref = to_model_scale(np.asarray(problem.reference, dtype=float), problem.scale)
        kwargs["reference"] = np.broadcast_to(
            ref, (1, *problem.positions.shape[1:])).copy()
    if problem.veto and getattr(model, "uses_veto", False):
        kwargs["veto"] = np.array([[a in problem.veto for a in problem.actors]])
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
    return annotate(trajectory_entry(problem, traj, start=x[0]), problem, model)


#: The level of the prediction interval in the forecast JSON (``interval80``).
INTERVAL_LEVEL = 0.8


def annotate(entry: dict[str, Any], problem: Problem, model: Any) -> dict[str, Any]:
    """``entry`` with the keys every model's issue entry has besides its trajectory:
    ``interval80`` (after ``outcome``) from the model's ``interval(problems, level)`` where it
    has one and it is finite (the default forecaster), else None; ``note`` from the model's
    ``forecast_note(problem)`` (the Nash model's fallbacks), else None."""
    interval = None
    if hasattr(model, "interval"):
        lo, hi = (float(np.asarray(a, dtype=float).reshape(-1)[0])
                  for a in model.interval([problem], INTERVAL_LEVEL))
        if math.isfinite(lo) and math.isfinite(hi):
            interval = [lo, hi]
    note = model.forecast_note(problem) if hasattr(model, "forecast_note") else None
    out: dict[str, Any] = {}
    for key, value in entry.items():
        if key in ("interval80", "note"):
            continue
        out[key] = value
        if key == "outcome":
            out["interval80"] = interval
    out.setdefault("interval80", interval)
    out["note"] = note
    return out


def trajectory_entry(problem: Problem, traj: Any, start: np.ndarray | None = None,
                     to_issue_scale: Any = from_model_scale) -> dict[str, Any]:
    """One issue's entry of the forecast JSON contract from a one-variant `Trajectory` on
    the models' 0-100 scale: positions, outcomes and the events' positions mapped back by
    ``to_issue_scale`` (the exchange model maps back as Decide does), positions that never
    left ``start`` (default: round 0) exactly as read, actor indices as names, NaN as None,
    and the rounds after ``converged`` left out."""
    pos = np.asarray(traj.positions, dtype=float)[:, 0]
    out = np.asarray(traj.outcome, dtype=float)[:, 0]
    start = pos[0] if start is None else start
    back = to_issue_scale(pos, problem.scale)
    back = np.where(pos == start[None], np.asarray(problem.positions, dtype=float)[None], back)
    outcome = to_issue_scale(out, problem.scale)
    n_rounds = pos.shape[0]
    events = list(traj.events or [])
    converged = _converged(traj)
    rounds = []
    for r in range(n_rounds if converged is None else min(converged + 1, n_rounds)):
        entry: dict[str, Any] = {"positions": clean(back[r]), "outcome": clean(outcome[r])}
        if events:
            k = r if len(events) == n_rounds else r - (n_rounds - len(events))
            raw = clean(events[k][0]) if 0 <= k < len(events) and events[k] else []
            entry["events"] = [_event_on_scale(e, problem, to_issue_scale) for e in raw]
        rounds.append(entry)
    return {"id": problem.id, "actors": list(problem.actors), "rounds": rounds,
            "outcome": rounds[-1]["outcome"], "converged": converged}


def _converged(traj: Any) -> int | None:
    """The round from which a one-variant run stopped changing (`Trajectory.converged`), or
    None: the rounds after it repeat it, so they are not reported."""
    conv = traj.converged
    if conv is None:
        return None
    first = int(np.asarray(conv).reshape(-1)[0])
    return first if first >= 0 else None


# Event fields that are positions, reported on the issue's scale like the rounds' positions;
# actor indices become names.
_POSITION_KEYS = ("new_position", "position", "from_position", "to_position")
_ACTOR_KEYS = ("actor", "with")


def _event_on_scale(event: Any, problem: Problem, to_issue_scale: Any = from_model_scale) -> Any:
    if not isinstance(event, dict):
        return event
    out = dict(event)
    for key in _POSITION_KEYS:
        if isinstance(out.get(key), int | float):
            out[key] = float(to_issue_scale(np.asarray(out[key]), problem.scale))
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


#: Version of the forecast JSON contract (docs/forecast.md); raised when a field changes
#: meaning or goes away, not when one is added (``interval80`` and ``note`` were added in 2).
FORECAST_SCHEMA = 2


def forecast_file(
    path: str | Path,
    model: str | None = None,
    *,
    rounds: int | None = None,
    variant: str | None = None,
    format: str | None = None,
    issues: list[str] | None = None,
    seed: int | None = None,
) -> dict[str, Any]:
    """Forecast the issues of a file (a case, or a BDM, Decide, KTAB or DEU file); the JSON
    contract of ``blocs forecast --json`` (docs/forecast.md): how it was made (``schema``,
    ``blocs_version``, ``model``, ``variant``, ``rounds``, ``seed``, ``input``) and
    ``issues``: ``[{"id", "actors", "rounds": [{"positions", "outcome"}], "outcome",
    "interval80", "converged", "note"}]``.

    A model that draws at random and is given no seed gets a fresh one, reported as
    ``seed``, so that any run can be repeated.  Raises `blocs.CaseError` (file problems) or
    ValueError (unknown model, option or issue).

    >>> doc = forecast_file("serbia-2024", "compromise")
    >>> [i["id"] for i in doc["issues"]], doc["seed"]
    (['alignment', 'sanctions', 'kosovo'], None)
    """
    from blocs.bargaining.formats import read_problems
    from blocs.bargaining.registry import get_model

    name = model if model is not None else default_model()
    options = model_options(name, rounds=rounds, variant=variant, seed=seed)
    engine = get_model(name, **options)
    problems = read_problems(path, format)
    results = run_problems(problems, engine, select_issues(problems, issues, str(path)))
    source = input_identity(path, problems[0].meta.get("format") if problems else format)
    return {**provenance(name, engine, options, source), "issues": results}


def model_options(name: str, *, rounds: int | None = None, variant: str | None = None,
                  seed: int | None = None) -> dict[str, Any]:
    """The options to build model ``name`` with: those given, plus a fresh seed when the
    model (with this variant) draws at random and none was given."""
    from blocs.bargaining.catalogue import SPECS

    options: dict[str, Any] = {}
    if rounds is not None:
        options["rounds"] = rounds
    if variant is not None:
        options["variant"] = variant
    if seed is not None:
        options["seed"] = seed
    spec = SPECS.get(name)
    if seed is None and spec is not None and spec.draws_at_random(variant):
        import secrets

        options["seed"] = secrets.randbelow(2**32)
    return options


def provenance(name: str, engine: Any, options: dict[str, Any],
               source: dict[str, Any]) -> dict[str, Any]:
    """How a forecast was made: enough to repeat it exactly."""
    from blocs import __version__
    from blocs.bargaining.catalogue import SPECS

    spec = SPECS.get(name)
    variant = options.get("variant", spec.default_variant if spec else None)
    rounds = options.get("rounds", spec.rounds if spec else None)
    return {"schema": FORECAST_SCHEMA, "blocs_version": __version__,
            "model": str(getattr(engine, "name", name)), "variant": variant, "rounds": rounds,
            "seed": options.get("seed"), "input": source}


def input_identity(path: str | Path, format: str | None = None) -> dict[str, Any]:
    """The input file as named, its format (told from the file when not given) and the
    SHA-256 of its bytes (of the shipped text for a built-in case); computed once per run,
    whatever the number of models."""
    import hashlib

    from blocs.bargaining.formats import MAX_BYTES, detect_format
    from blocs.scenario.load import builtin_case_text, is_builtin_name
    from blocs.textfile import read_limited

    if is_builtin_name(path):
        data = builtin_case_text(str(path)).encode("utf-8")
    else:  # read_problems has read it already: a regular file within the limit
        data = read_limited(path, MAX_BYTES)
    return {"file": str(path), "format": format or detect_format(path),
            "sha256": hashlib.sha256(data).hexdigest()}


def run_problems(problems: list[Problem], model, wanted: list[Problem] | None = None
                 ) -> list[dict[str, Any]]:
    """The JSON entries of the ``wanted`` problems (default: all).  A model that works across
    the issues of a file (a `MultiIssueModel`: the exchange model) gets them all, whichever are
    wanted, and reports on each issue's own scale itself."""
    wanted = problems if wanted is None else wanted
    if isinstance(model, MultiIssueModel):
        entries = {e["id"]: e for e in model.run_problems(problems)}
        return [annotate(clean(entries[p.id]), p, model) for p in wanted]
    return [run_problem(p, model) for p in wanted]


def select_issues(problems: list[Problem], issues: list[str] | None, label: str) -> list[Problem]:
    """The problems named in ``issues`` (all when None), in file order."""
    if not issues:
        return problems
    known = [p.id for p in problems]
    unknown = [i for i in dict.fromkeys(issues) if i not in known]
    if unknown:
        raise ValueError("; ".join(
            f"unknown issue '{i}' in {label} (allowed: {', '.join(known)})" for i in unknown))
    wanted = set(issues)
    return [p for p in problems if p.id in wanted]

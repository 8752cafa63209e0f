"""``blocs backtest CASE``: a case's yearly path against the observed series, next to the
persistence and linear-trend baselines (docs/dynamics.md, "Checked against history")."""

from __future__ import annotations

import hashlib
import json as jsonlib
import math
from importlib import resources
from pathlib import Path

from blocs.commands.common import load
from blocs.commands.output import console, fail, table, write

#: The observed file a built-in case ships with, beside its YAML.
OBSERVED_SUFFIX = ".observed.csv"


def observed_path(case: str, scenario, given: Path | None) -> tuple[object, str]:
    """(what to read, its label): ``--observed``, else the built-in case's own file, else
    ``CASE.observed.csv`` beside a case file; one line and exit 2 when there is none."""
    if given is not None:
        return given, str(given)
    from blocs.scenario.load import is_builtin_name

    if is_builtin_name(case):
        shipped = resources.files("blocs.scenario") / "cases" / f"{case}{OBSERVED_SUFFIX}"
        if shipped.is_file():
            return shipped, f"<builtin>/{case}{OBSERVED_SUFFIX}"
    else:
        path = Path(case)
        beside = path.with_name(path.name.rsplit(".", 1)[0] + OBSERVED_SUFFIX)
        if beside.is_file():
            return beside, str(beside)
    raise fail(f"{case}: no observed values to check it against (allowed: --observed FILE, a "
               f"CSV of series,year,value,source; or {Path(case).stem}{OBSERVED_SUFFIX} beside "
               "the case file)")


def history(case: str, observed: Path | None, as_json: bool) -> None:
    """Run the history backtest of ``case`` and print it (see the module)."""
    scenario = load(case)
    start, end = scenario.period
    if end <= start:
        raise fail(f"{case}: the case has no period to run (allowed: a case with 'period: "
                   "{start: YEAR, end: YEAR}' and observables)")
    if not scenario.case.observables:
        raise fail(f"{case}: the case declares no observables, so nothing can be checked "
                   "(allowed: a case with an 'observables:' section, docs/dynamics.md)")
    from blocs.analysis.history import (
        ObservedError,
        history_backtest,
        parse_observed,
        read_observed,
    )

    source, label = observed_path(case, scenario, observed)
    try:
        if isinstance(source, Path):
            frame = read_observed(source, label)
            digest = hashlib.sha256(source.read_bytes()).hexdigest()
        else:  # a packaged file
            text = source.read_text("utf-8")
            frame = parse_observed(text, label)
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    except ObservedError as exc:
        raise fail([str(p) for p in exc.problems]) from None
    try:
        result = history_backtest(scenario, frame)
    except ValueError as exc:
        raise fail(f"{scenario.label}: {exc}") from None
    if as_json:
        doc = {"schema": 1, **result.to_dict(), "observed": {"file": label, "sha256": digest}}
        write(jsonlib.dumps(doc, allow_nan=False, ensure_ascii=False) + "\n")
        return
    runs = f", mean of {result.runs} runs" if result.runs > 1 else ""
    t = table(f"{scenario.case_id}: the path {result.start}-{result.end} (model {result.model}"
              f"{runs}) against {label}: mean absolute error over the years after "
              f"{result.start}", "series", ("n", "right"), ("model", "right"),
              ("persistence", "right"), ("trend", "right"), "best")
    for r in result.series.itertuples(index=False):
        scores = {"model": r.mae, "persistence": r.mae_persistence, "trend": r.mae_trend}
        finite = {k: v for k, v in scores.items() if not math.isnan(v)}
        low = min(finite.values()) if finite else math.nan
        # Equal errors (to 1e-9 points) are a tie: the model carried a figure it does not move.
        best = " = ".join(k for k, v in finite.items() if v - low <= 1e-9) or "-"
        t.add_row(r.name, str(r.n), _num(r.mae), _num(r.mae_persistence), _num(r.mae_trend),
                  best)
    out = console()
    out.print(t)
    out.print("persistence: the last value observed by the start, carried forward; trend: the "
              "least-squares line through the values observed by the start.")
    if result.unscored:
        out.print("Not scored (no observable in the case, or no value after the start): "
                  + ", ".join(result.unscored) + ".")


def _num(x: float) -> str:
    return "-" if x is None or math.isnan(x) else f"{x:.2f}"

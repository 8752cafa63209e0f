"""Degenerate numbers are refused at the edge, one rule for every model (issue 8).

An issue that no model can weigh (every actor's capability x salience 0), a capability beyond
1e15, a position beyond +-1e15 or a scale too narrow for its magnitude is refused by every
reader with one line ``FILE:LINE: field: what (allowed: ...)`` before any model runs: exit
code 2, no traceback, no NumPy warning, whatever the model (docs/bargaining.md, "Inputs every
model accepts").  Valid inputs at the bounds still run, with finite outcomes, in every model.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from blocs.analysis.backtest import backtest
from blocs.bargaining.compromise import Compromise
from blocs.bargaining.formats import FormatError, read_problems
from blocs.bargaining.formats.deu import read_deu
from blocs.bargaining.problem import (
    MAX_CAPABILITY,
    MAX_POSITION,
    MIN_RELATIVE_SPAN,
    Problem,
    check_problem,
)
from blocs.bargaining.registry import MODELS
from blocs.cli import build_app
from blocs.scenario import CaseError, load_text
from tests.conftest import LINE_RE, VALID_CASE, mutate, run_blocs

WEIGHT = ("every actor has capability x salience 0, so no model can weigh them "
          "(allowed: at least one actor with capability > 0 and salience > 0)")
CAP_ALLOWED = "(allowed: a number from 0 to 1e15; only the ratios of capabilities matter"
POS_ALLOWED = "is too large in magnitude (allowed: a number from -1e15 to 1e15)"
NARROW = "too narrow for the size of its numbers"
NARROW_ALLOWED = "(allowed: high - low at least 1e-09 x the largest magnitude"

app = build_app()  # the real command line, in this process

runner = CliRunner()


def invoke(*args: str):
    """``blocs forecast ARGS`` in this process, every NumPy warning a user would see (NumPy's
    default error settings: underflow is silent) recorded: (result, warnings)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(divide="warn", over="warn", invalid="warn", under="ignore"):
            result = runner.invoke(app, ["forecast", *map(str, args)],
                                   env={"NO_COLOR": "1", "COLUMNS": "200"})
    return result, [w for w in caught if issubclass(w.category, RuntimeWarning)]


# ---------------------------------------------------------------------------------------------
# the degenerate files, one bad thing each, and the one line each must give


def bdm(*rows: str) -> str:
    return "Actor,Capability,Position,Salience\n" + "".join(r + "\n" for r in rows)


def decide(*data: str, points: tuple[str, ...] = ("0", "100")) -> str:
    head = ("#A\tUSA\tUnited States\n#A\tEU\tEuropean Union\n#A\tCN\tChina\n"
            "#P\ttreaty\tNew treaty\n")
    return head + "".join(f"#M\ttreaty\t{p}\n" for p in points) + "".join(
        f"#D\t{d}\n" for d in data)


def ktab(dims: int, *rows: str) -> str:
    cols = ["Policy Position", "Policy Salience", "Comp Position", "Comp Salience"][:2 * dims]
    return (f"Scenario, test, {len(rows)}, {dims},\n"
            f"Actor, Description, Influence, {', '.join(cols)},\n"
            + "".join(r + "\n" for r in rows))


def case_text(old: str, new: str) -> str:
    return mutate(old, new, VALID_CASE)


SRB = "SRB: {position: 50, salience: 90, capability: 1, source: s1}"
RUS = "RUS: {position: 100, salience: 50, capability: 1, source: s1}"


def _line_of(text: str, fragment: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), 1) if fragment in ln)


@dataclass(frozen=True)
class Bad:
    id: str
    name: str  # the file name (its extension tells the format)
    text: str
    line: int
    field: str
    fragments: tuple[str, ...]


_ZERO_CASE = case_text(RUS, RUS.replace("salience: 50", "salience: 0")).replace(
    "salience: 90", "salience: 0")
_CAP_CASE = case_text(SRB, SRB.replace("capability: 1,", "capability: 1e308,"))

BAD = [
    # BDM
    Bad("bdm-capability-1e308", "m.csv", bdm("A,1e308,4,0.5", "B,0.2,7,0.5", "C,0.3,5,0.5"),
        2, "Capability", ("1e+308 is too large", CAP_ALLOWED)),
    Bad("bdm-capability-above-bound", "m.csv",
        bdm("A,1000000000000001,4,0.5", "B,0.2,7,0.5", "C,0.3,5,0.5"),
        2, "Capability", ("is too large", CAP_ALLOWED)),
    Bad("bdm-saliences-0", "m.csv", bdm("A,1,4,0", "B,0.2,7,0", "C,0.3,5,0"),
        1, "Salience", (WEIGHT,)),
    Bad("bdm-capabilities-0", "m.csv", bdm("A,0,4,0.5", "B,0,7,0.5", "C,0,5,0.5"),
        1, "Salience", (WEIGHT,)),
    Bad("bdm-weights-0-crosswise", "m.csv", bdm("A,0,4,0.5", "B,1,7,0", "C,0,5,0.5"),
        1, "Salience", (WEIGHT,)),
    Bad("bdm-position+1e300", "m.csv", bdm("A,1,4,0.5", "B,0.2,1e300,0.5", "C,0.3,5,0.5"),
        3, "Position", ("1e+300 " + POS_ALLOWED,)),
    Bad("bdm-position-1e300", "m.csv", bdm("A,1,-1e300,0.5", "B,0.2,7,0.5", "C,0.3,5,0.5"),
        2, "Position", ("-1e+300 " + POS_ALLOWED,)),
    Bad("bdm-narrow-scale", "m.csv",
        bdm("A,1,100000000000000,0.5", "B,0.2,100000000000001,0.5", "C,0.3,1e14,0.5"),
        1, "Position", ("100000000000000 to 100000000000001", NARROW, NARROW_ALLOWED)),
    # Decide
    Bad("decide-power-1e308", "d.csv",
        decide("USA\ttreaty\t10\t0.9\t1e308", "EU\ttreaty\t50\t0.4\t0.2"),
        7, "#D power", ("1e+308 is too large", CAP_ALLOWED)),
    Bad("decide-saliences-0", "d.csv",
        decide("USA\ttreaty\t10\t0\t0.3", "EU\ttreaty\t50\t0\t0.2"),
        4, "#D salience", ("issue 'treaty': " + WEIGHT,)),
    Bad("decide-powers-0", "d.csv",
        decide("USA\ttreaty\t10\t0.5\t0", "EU\ttreaty\t50\t0.5\t0"),
        4, "#D salience", ("issue 'treaty': " + WEIGHT,)),
    Bad("decide-scale-1e300", "d.csv",
        decide("USA\ttreaty\t4\t0.5\t0.3", "EU\ttreaty\t7\t0.5\t0.2", points=("-1e300", "1e300")),
        5, "#M position", ("issue 'treaty': the scale end -1e+300 " + POS_ALLOWED,)),
    Bad("decide-narrow-scale", "d.csv",
        decide("USA\ttreaty\t1e14\t0.5\t0.3", "EU\ttreaty\t100000000000001\t0.5\t0.2",
               points=("1e14", "100000000000001")),
        6, "#M position", ("issue 'treaty': ", NARROW, NARROW_ALLOWED)),
    # KTAB
    Bad("ktab-saliences-0", "k.csv",
        ktab(1, "XJ, Xi, 100, 30, 0,", "LK, Li, 60, 45, 0,"),
        2, "Policy Salience", (WEIGHT,)),
    Bad("ktab-influence-0", "k.csv",
        ktab(1, "XJ, Xi, 0, 30, 24,", "LK, Li, 0, 45, 44,"),
        2, "Policy Salience", (WEIGHT,)),
    Bad("ktab-one-dimension-unweighed", "k.csv",
        ktab(2, "XJ, Xi, 100, 30, 24, 20, 0,", "LK, Li, 60, 45, 44, 65, 0,"),
        2, "Comp Salience", ("on dimension Comp, " + WEIGHT,)),
    # case files (YAML): the case validation, on the stakeholder's line
    Bad("case-capability-1e308", "c.yaml", _CAP_CASE, _line_of(_CAP_CASE, "1e308"),
        "issues.align.stakeholders.SRB.capability", ("1e+308 is too large", CAP_ALLOWED)),
    Bad("case-saliences-0", "c.yaml", _ZERO_CASE, _line_of(_ZERO_CASE, "stakeholders:"),
        "issues.align.stakeholders",
        ("every stakeholder has zero salience or capability",
         "(allowed: at least one with salience > 0 and capability > 0)")),
]


def _write(tmp_path: Path, bad: Bad) -> Path:
    path = tmp_path / bad.name
    path.write_text(bad.text, encoding="utf-8")
    return path


@pytest.mark.parametrize("bad", BAD, ids=[b.id for b in BAD])
def test_the_reader_refuses_with_one_line(tmp_path, bad):
    path = _write(tmp_path, bad)
    with pytest.raises(FormatError) as info:
        read_problems(path)
    problems = info.value.problems
    assert len(problems) == 1, str(info.value)
    p = problems[0]
    assert (p.file, p.line, p.path) == (str(path), bad.line, bad.field), str(p)
    for fragment in bad.fragments:
        assert fragment in p.message, str(p)
    assert p.message.endswith(")") and "(allowed: " in p.message
    assert LINE_RE.match(str(p)) and "\n" not in str(p)


@pytest.mark.parametrize("model", sorted(MODELS))
def test_every_model_refuses_alike_on_the_command_line(tmp_path, model):
    """The same refusal whatever the model: exit 2, the one line, no traceback, no warning."""
    for bad in BAD:
        path = _write(tmp_path, bad)
        result, caught = invoke(path, "--model", model)
        assert result.exit_code == 2, (bad.id, result.output)
        assert result.stdout == "", bad.id
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, (bad.id, result.stderr)
        assert lines[0].startswith(f"{path}:{bad.line}: {bad.field}: "), (bad.id, lines[0])
        assert "Traceback" not in result.output and "Warning" not in result.stderr, bad.id
        assert not caught, (bad.id, [str(w.message) for w in caught])


def test_the_real_command_prints_no_warning(tmp_path):
    """``python -m blocs.cli forecast`` in a process of its own (NumPy's default warning
    filters): the reproducers of the issue."""
    for bad, model in ((BAD[0], "compromise"), (BAD[5], "median"), (BAD[2], "smp")):
        path = _write(tmp_path, bad)
        done = run_blocs("forecast", str(path), "--model", model)
        assert done.returncode == 2, done.stderr
        assert "Warning" not in done.stderr and "Traceback" not in done.stderr, done.stderr
        assert done.stderr.strip().splitlines() == [
            line for line in done.stderr.strip().splitlines()
            if line.startswith(f"{path}:{bad.line}: {bad.field}: ")]


def test_case_file_refusals_are_the_loaders(tmp_path):
    """A case file is refused by its validation, with the YAML line (``blocs run`` too)."""
    with pytest.raises(CaseError) as info:
        load_text(_CAP_CASE, "c.yaml")
    assert [p.path for p in info.value.problems] == ["issues.align.stakeholders.SRB.capability"]
    ok = case_text(SRB, SRB.replace("capability: 1,", f"capability: {MAX_CAPABILITY:.0f},"))
    load_text(ok, "ok.yaml")


# ---------------------------------------------------------------------------------------------
# DEU: forecasts refuse an issue without weight; backtests leave it out and count it


DEU = ("prnr\tisnr\trp\tout\tpcom\tscom\tpep\tsep\tpde\tsde\tpfr\tsfr\n"
       "1\ti1\t0\t50\t10\t50\t60\t40\t100\t80\t30\t20\n"
       "1\ti2\t0\t40\t10\t0\t60\t0\t100\t\t30\t0\n"
       "2\ti3\t0\t60\t20\t50\t70\t40\t90\t80\t40\t20\n")


def test_deu_forecast_refuses_an_issue_without_weight(tmp_path):
    path = tmp_path / "d.tsv"
    path.write_text(DEU)
    with pytest.raises(FormatError) as info:
        read_problems(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:3: (saliences): issue i2: {WEIGHT}"]
    for model in sorted(MODELS):
        result, caught = invoke(path, "--model", model)
        assert result.exit_code == 2 and not caught, (model, result.output)
        assert result.stderr.strip() == f"{path}:3: (saliences): issue i2: {WEIGHT}"


def test_deu_backtest_leaves_the_issue_out_and_counts_it(tmp_path):
    path = tmp_path / "d.tsv"
    path.write_text(DEU)
    problems = read_deu(path)  # what `blocs backtest` reads: kept, marked
    assert [p.id for p in problems] == ["i1", "i2", "i3"]
    assert problems[1].meta["refused"] == (f"{path}:3: (saliences): issue i2: {WEIGHT}",)
    assert "refused" not in problems[0].meta
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = backtest(problems, Compromise())
    assert result.issues == 2 and result.refused == 1
    assert list(result.predictions["issue"]) == ["i1", "i3"]
    assert np.isfinite(result.predictions["forecast"]).all()


# ---------------------------------------------------------------------------------------------
# the bounds themselves: valid inputs at them run, finite, in every model, without warnings


EDGE = MAX_CAPABILITY


GOOD = {
    "capability-at-the-bound": bdm(f"A,{EDGE:.0f},4,0.5", f"B,{EDGE:.0f},7,0.9",
                                   "C,0.3,5,0.5", "D,1e-300,6,0.5"),
    "positions-at-the-bound": bdm(f"A,1,{-MAX_POSITION:.0f},0.5", f"B,0.2,{MAX_POSITION:.0f},0.5",
                                  "C,0.3,4,0.5"),
    "narrow-but-enough": bdm("A,1,1000000000000,0.5", "B,0.2,1000000001001,0.5",
                             "C,0.3,1000000000500,0.5"),
    "every-position-equal-and-large": bdm(f"A,1,{MAX_POSITION:.0f},0.5",
                                          f"B,0.2,{MAX_POSITION:.0f},0.5"),
    "one-actor-weighs": bdm("A,0,4,0.5", "B,1,7,0", "C,1e-300,5,1e-8"),
}


@pytest.mark.parametrize("model", sorted(MODELS))
@pytest.mark.parametrize("name", list(GOOD))
def test_valid_extremes_run_in_every_model(tmp_path, name, model):
    path = tmp_path / "m.csv"
    path.write_text(GOOD[name])
    result, caught = invoke(path, "--model", model, "--json")
    assert result.exit_code == 0, result.output
    assert not caught, [str(w.message) for w in caught]
    assert "Warning" not in result.stderr
    outcome = json.loads(result.stdout)["issues"][0]["outcome"]
    assert isinstance(outcome, float) and math.isfinite(outcome), outcome
    x = [float(row.split(",")[2]) for row in GOOD[name].splitlines()[1:]]
    assert min(x) - 1e-9 * max(map(abs, x)) <= outcome <= max(x) + 1e-9 * max(map(abs, x))


def test_valid_multi_dimensional_extremes_run(tmp_path):
    path = tmp_path / "k.csv"
    path.write_text(ktab(2, "XJ, Xi, 100000000, 30, 24, 20, 0,", "LK, Li, 0, 45, 44, 65, 0,",
                         "WY, Wang, 1, 50, 10, 40, 1e-6,"))
    for model in ("compromise", "median", "nash", "default", "smp"):
        result, caught = invoke(path, "--model", model, "--json")
        assert result.exit_code == 0 and not caught, (model, result.output)
        outcome = json.loads(result.stdout)["issues"][0]["outcome"]
        assert all(math.isfinite(v) for v in outcome), (model, outcome)


# ---------------------------------------------------------------------------------------------
# check_problem itself


def _problem(x, s, c, scale=None, **kw) -> Problem:
    x, s, c = (np.asarray(a, dtype=float) for a in (x, s, c))
    if scale is None:
        scale = (float(x.min()), float(x.max())) if x.size else (0.0, 100.0)
    return Problem("x", tuple("ABCDEFG"[:len(c)]), x, s, c, scale, **kw)


def test_check_problem_rules():
    assert check_problem(_problem([4, 7], [0.5, 0.5], [1, 1])) == []
    # every position equal: a scale of one point, nothing to map
    assert check_problem(_problem([5, 5], [0.5, 0.5], [1, 1])) == []
    assert check_problem(_problem([MAX_POSITION] * 2, [0.5, 0.5], [1, 1])) == []
    # weights that underflow to 0 are no weights
    [r] = check_problem(_problem([4, 7], [1e-200, 0], [1e-200, 1]))
    assert (r.field, r.actor) == ("weight", None)
    [r] = check_problem(_problem([], [], []))
    assert r.field == "weight" and "no actors" in r.message
    r = check_problem(_problem([4, 7], [0.5, 0.5], [math.inf, -1]))
    assert [(x.field, x.actor) for x in r] == [("capability", 0), ("capability", 1)]
    r = check_problem(_problem([4, 7], [1.5, math.nan], [1, 1]))
    assert [(x.field, x.actor) for x in r] == [("salience", 0), ("salience", 1)]
    r = check_problem(_problem([4, math.inf], [0.5, 0.5], [1, 1], scale=(4.0, 7.0)))
    assert [(x.field, x.actor) for x in r] == [("position", 1)]
    # the narrowest scale allowed, and just below it
    lo = 1e12
    hi = lo + MIN_RELATIVE_SPAN * lo * 1.01
    assert check_problem(_problem([lo, hi], [0.5, 0.5], [1, 1])) == []
    hi = lo + MIN_RELATIVE_SPAN * lo * 0.99
    assert [x.field for x in check_problem(_problem([lo, hi], [0.5, 0.5], [1, 1]))] == ["scale"]
    # the scale's own ends count, not only the positions
    r = check_problem(_problem([4, 7], [0.5, 0.5], [1, 1], scale=(-1e300, 1e300)))
    assert [x.field for x in r] == ["scale"]


def test_check_problem_per_dimension():
    x = np.array([[30.0, 20.0], [45.0, 65.0]])
    s = np.array([[0.2, 0.0], [0.4, 0.0]])
    [r] = check_problem(_problem(x, s, [1, 1], scale=(0.0, 100.0), dimensions=("P", "Q")))
    assert (r.field, r.dimension) == ("weight", 1) and r.message.startswith("on dimension Q, ")
    s[1, 1] = 0.1
    assert check_problem(_problem(x, s, [1, 1], scale=(0.0, 100.0), dimensions=("P", "Q"))) == []
    # one salience for every dimension: one weight for all
    [r] = check_problem(_problem(x, [0.0, 0.0], [1, 1], scale=(0.0, 100.0)))
    assert (r.field, r.dimension) == ("weight", None) and r.message == WEIGHT

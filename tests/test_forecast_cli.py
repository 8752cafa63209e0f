"""``blocs forecast``: the JSON contract, tables, options and errors.

The command lives in blocs.commands.forecast; these tests register it on a typer app of their
own (as blocs.cli does with ``app.command()(forecast)``), and one test runs the real
``python -m blocs.cli forecast``.
"""

from __future__ import annotations

import json
import math
import re
from typing import ClassVar

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

import blocs
from blocs.bargaining import registry
from blocs.bargaining.problem import ModelBase, Trajectory
from blocs.commands.forecast import forecast
from tests.conftest import LINE_RE, run_blocs
from tests.paths import SHARED, needs_shared

PEERS = SHARED / "peers"
EXAMPLE = PEERS / "BDM_DecisionModel_Replication" / "ExampleActors.csv"
EXAMPLE01 = PEERS / "bdm-scholz-expected-utility-model" / "ExampleActors.csv"
KTAB = PEERS / "KTAB"
DECIDE = PEERS / "decide-exchange-model"
DEU = SHARED / "validation" / "deu" / "deu-dev.tsv"

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)
app.command()(forecast)


@app.callback()
def _main() -> None:
    """A stand-in for blocs.cli's app (so that the command is called 'forecast')."""


runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, ["forecast", *map(str, args)], env={"NO_COLOR": "1",
                                                                 "COLUMNS": "200"})


def forecast_json(*args: str) -> dict:
    """The command's JSON; the compromise model unless the test names one (its numbers are
    the peers' reference values)."""
    if "--model" not in args:
        args = (*args, "--model", "compromise")
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return json.loads(result.stdout)


def check_contract(doc: dict) -> None:
    """The documented shape (docs/forecast.md), exactly these keys."""
    assert set(doc) == {"schema", "blocs_version", "model", "variant", "rounds", "seed",
                        "input", "issues"} and isinstance(doc["model"], str)
    assert doc["schema"] == 2 and doc["blocs_version"] == blocs.__version__
    assert set(doc["input"]) == {"file", "format", "sha256"}
    assert re.fullmatch(r"[0-9a-f]{64}", doc["input"]["sha256"])
    for issue in doc["issues"]:
        assert set(issue) == {"id", "actors", "rounds", "outcome", "interval80", "converged",
                              "note"}
        assert isinstance(issue["id"], str) and issue["rounds"]
        assert issue["note"] is None or isinstance(issue["note"], str)
        interval = issue["interval80"]
        assert interval is None or (len(interval) == 2 and interval[0] <= interval[1])
        assert all(isinstance(a, str) for a in issue["actors"])
        for r in issue["rounds"]:
            assert set(r) in ({"positions", "outcome"}, {"positions", "outcome", "events"})
            assert len(r["positions"]) == len(issue["actors"])
        assert issue["outcome"] == issue["rounds"][-1]["outcome"]


# ---------------------------------------------------------------------------------------------
# the JSON contract on the peers' files


@pytest.mark.parametrize("path", [EXAMPLE, EXAMPLE01], ids=["salience-0-100", "salience-0-1"])
@needs_shared
def test_example_actors(path):
    doc = forecast_json(path)
    check_contract(doc)
    assert doc["model"] == "compromise"
    [issue] = doc["issues"]
    assert issue["id"] == "ExampleActors"
    assert issue["actors"][:3] == ["Netherlands", "Belgium", "Luxembourg"]
    assert len(issue["rounds"]) == 1  # one-shot model: only the input
    assert issue["rounds"][0]["positions"] == [4, 7, 4, 4, 10, 10, 10, 7, 4, 7]  # the input
    # ALGORITHMS.md 1d/4: 7.389955686853767.  Tolerance 1e-12, not 0: the reference sums in
    # Python's order, numpy pairwise, saliences are divided by 100 and the issue's 4-10 scale is
    # mapped onto 0-100 and back for the model; each costs an ulp or so (~1e-15 here).
    assert issue["outcome"] == pytest.approx(7.389955686853767, rel=0, abs=1e-12)


@pytest.mark.parametrize(("path", "expected"), [
    # ALGORITHMS.md section 4 (same tolerance and reason as ExampleActors).
    (PEERS / "BDM_DecisionModel_Replication" / "ChinaData.csv", 30.72153991497402),
    (PEERS / "BDM_DecisionModel_Replication" / "HondurasCrisisData.csv", 0.5008503306692198),
    (PEERS / "bdm-scholz-expected-utility-model" / "Sultan.csv", 13.619912134884823),
], ids=["China", "Honduras", "Sultan"])
@needs_shared
def test_weighted_means(path, expected):
    doc = forecast_json(path)
    check_contract(doc)
    assert doc["issues"][0]["outcome"] == pytest.approx(expected, rel=0, abs=1e-12)


@needs_shared
def test_ktab_multidimensional():
    doc = forecast_json(KTAB / "SOE-Pol-Comp.csv")
    check_contract(doc)
    [issue] = doc["issues"]
    assert issue["id"] == "SOE-Pol-Comp" and len(issue["actors"]) == 13
    positions = issue["rounds"][0]["positions"]
    assert positions[0] == [30, 20] and positions[-1] == [15, 60]  # XJ, WY: lists per actor
    assert all(isinstance(p, list) and len(p) == 2 for p in positions)
    # ALGORITHMS.md 4: 36.293563 / 38.885365 (6 decimals): each dimension's own mean,
    # weighted by capability x that dimension's salience.
    assert issue["outcome"] == pytest.approx([36.293563, 38.885365], rel=0, abs=5e-7)
    three = forecast_json(KTAB / "dummyData_3Dim.csv")["issues"][0]
    assert all(len(p) == 3 for p in three["rounds"][0]["positions"])
    assert len(three["outcome"]) == 3
    one = forecast_json(KTAB / "SOE-Policy.csv")["issues"][0]
    assert isinstance(one["outcome"], float) and isinstance(one["rounds"][0]["positions"][0],
                                                            float | int)
    assert one["outcome"] == pytest.approx(35.006301, rel=0, abs=5e-7)  # ALGORITHMS.md 3c


def test_case_issues():
    doc = forecast_json("serbia-2024")
    check_contract(doc)
    scenario = blocs.load_case("serbia-2024")
    assert [i["id"] for i in doc["issues"]] == list(scenario.case.issues)
    table = blocs.forecast(scenario, model="compromise").set_index("issue")
    for issue in doc["issues"]:
        st = scenario.case.issues[issue["id"]].stakeholders
        assert issue["actors"] == list(st)
        assert issue["rounds"][0]["positions"] == [s.position for s in st.values()]
        # The existing case forecast (saliences 0-100 there, 0-1 here): equal to rounding.
        assert issue["outcome"] == pytest.approx(table.loc[issue["id"], "outcome"], rel=1e-12)
    kosovo = forecast_json("serbia-2024", "--issue", "kosovo", "--issue", "alignment")
    assert [i["id"] for i in kosovo["issues"]] == ["alignment", "kosovo"]  # file order


@needs_shared
def test_decide_issue_on_its_own_scale():
    doc = forecast_json(DECIDE / "sample_data.txt", "--issue", "tol-hoogte")
    check_contract(doc)
    [issue] = doc["issues"]
    assert issue["rounds"][0]["positions"][0] == 3.0  # on the #M scale 0.5-7
    # ALGORITHMS.md 2c: 27.24603640634175 on Decide's 0-100 normalisation of 0.5-7.
    assert issue["outcome"] == pytest.approx(0.5 + 27.24603640634175 * 6.5 / 100, abs=1e-12)
    cop = forecast_json(DECIDE / "cop21.csv", "--format", "decide")
    assert len(cop["issues"]) == 13 and cop["issues"][10]["id"] == "amb2050"
    assert len(cop["issues"][10]["actors"]) == 8


@needs_shared
def test_deu():
    doc = forecast_json(DEU)
    check_contract(doc)
    assert len(doc["issues"]) == 253
    assert doc["issues"][0]["id"] == "d00060i1"


@needs_shared
def test_full_precision_numbers():
    out = invoke(EXAMPLE, "--json", "--model", "compromise").stdout
    value = json.loads(out)["issues"][0]["outcome"]
    assert repr(value) in out and len(repr(value)) >= 17


# ---------------------------------------------------------------------------------------------
# models with rounds, events, options, the default model


class Halfway(ModelBase):
    """A toy model in rounds: every actor moves halfway to the outcome each round."""

    name = "halfway"
    seen: ClassVar[list[np.ndarray]] = []

    def __init__(self, rounds: int = 3, variant: str | None = None):
        self.rounds, self.variant = rounds, variant

    def run(self, positions, salience, capability, reference=None):
        Halfway.seen.append(np.array(positions))
        x = np.array(positions, dtype=float)
        w = salience * capability
        pos, out, events = [x.copy()], [], [[[]]]
        for r in range(self.rounds + 1):
            o = (w * x).sum(-1) / w.sum(-1)
            out.append(o)
            if r == self.rounds:
                break
            x = x.copy()
            x[:, 0] = (x[:, 0] + o) / 2  # only the first actor moves
            pos.append(x.copy())
            events.append([[{"actor": 0, "to": np.float64(x[0, 0]), "why": self.variant,
                             "nan": float("nan")}]])
        return Trajectory(model=self.name, positions=np.array(pos), outcome=np.array(out),
                          events=events)


@pytest.fixture
def halfway(monkeypatch):
    calls = []

    def make(**options):
        calls.append(options)
        return Halfway(**options)

    monkeypatch.setitem(registry.MODELS, "halfway", make)
    Halfway.seen = []
    return calls


def test_rounds_events_and_scales(halfway, tmp_path):
    path = tmp_path / "scale.csv"  # positions on a 4-10 scale
    path.write_text("Actor,Capability,Position,Salience\nA,1,4,0.5\nB,1,7,0.5\nC,2,10,0.5\n")
    doc = forecast_json(path, "--model", "halfway", "--rounds", "2", "--variant", "v1")
    check_contract(doc)
    assert halfway == [{"rounds": 2, "variant": "v1"}]  # the options given, nothing else
    assert doc["model"] == "halfway"
    # The model saw the issue on 0-100 ...
    np.testing.assert_allclose(Halfway.seen[0], [[0.0, 50.0, 100.0]])
    [issue] = doc["issues"]
    rounds = issue["rounds"]
    assert len(rounds) == 3
    # ... and the output is back on 4-10; unmoved positions exactly as read.
    assert rounds[0]["positions"] == [4.0, 7.0, 10.0]
    assert rounds[2]["positions"][1:] == [7.0, 10.0]
    w = np.array([1, 1, 2.0])
    x = np.array([4.0, 7.0, 10.0])
    for r in rounds:
        assert r["outcome"] == pytest.approx(float((w * x).sum() / w.sum()), abs=1e-12)
        x[0] = (x[0] + r["outcome"]) / 2
    assert issue["outcome"] == rounds[-1]["outcome"]
    assert rounds[0]["events"] == []
    event = rounds[1]["events"][0]
    assert event["actor"] == "A" and event["why"] == "v1"  # indices become names
    assert event["nan"] is None
    assert isinstance(event["to"], float)  # numpy numbers as plain JSON numbers


@needs_shared
def test_options_only_when_given(halfway):
    forecast_json(EXAMPLE, "--model", "halfway")
    assert halfway == [{}]


@needs_shared
def test_default_model(monkeypatch, halfway):
    # Without --model: the frozen default forecaster when registered, else the compromise.
    assert json.loads(invoke(EXAMPLE, "--json").stdout)["model"] == "default"
    monkeypatch.setitem(registry.MODELS, "default", lambda **kw: Halfway(**kw))
    assert json.loads(invoke(EXAMPLE, "--json").stdout)["model"] == "halfway"
    monkeypatch.delitem(registry.MODELS, "default")
    assert json.loads(invoke(EXAMPLE, "--json").stdout)["model"] == "compromise"


@needs_shared
def test_tables():
    result = invoke(KTAB / "SOE-Pol-Comp.csv", "--model", "compromise")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for fragment in ("SOE-Pol-Comp: compromise, 13 actors, scale 0 to 100", "Policy",
                     "Competitive", "0 (input)", "36.2936", "38.8854", "XJ", "30 / 20",
                     "Outcome of SOE-Pol-Comp: 36.2936 / 38.8854"):
        assert fragment in out, fragment
    result = invoke("serbia-2024", "--issue", "kosovo")
    assert result.exit_code == 0
    assert "kosovo: default, 9 actors" in result.stdout
    assert "alignment" not in result.stdout


@needs_shared
def test_rounds_table(halfway):
    result = invoke(EXAMPLE, "--model", "halfway", "--rounds", "4")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(line.strip().startswith("│ 0 (input)") for line in lines)
    assert any(line.strip().startswith("│         4 ") for line in lines)


def test_help():
    result = invoke("--help")
    assert result.exit_code == 0
    for fragment in ("Examples:", "blocs forecast serbia-2024", "--model", "--rounds",
                     "--format", "--issue", "--variant", "--json"):
        assert fragment in result.stdout


# ---------------------------------------------------------------------------------------------
# errors: stderr lines, exit code 2, no traceback


def check_error(result, *fragments: str) -> list[str]:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines and "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    return lines


def test_option_errors(halfway):
    check_error(invoke(EXAMPLE, "--model", "nope"), "--model: unknown model 'nope'",
                "allowed: ", "compromise")
    check_error(invoke(EXAMPLE, "--format", "xml"), "--format: unknown format 'xml'",
                "(allowed: blocs, bdm, decide, ktab, deu)")
    check_error(invoke(EXAMPLE, "--rounds", "-1"),
                "--rounds: -1 is out of range (allowed: 0 to 1000)")
    check_error(invoke(EXAMPLE, "--rounds", "100000", "--model", "exchange"),
                "--rounds: 100000 is out of range (allowed: 0 to 1000)")
    lines = check_error(invoke("serbia-2024", "--issue", "x", "--issue", "y"),
                        "--issue: unknown issue 'x' in serbia-2024",
                        "(allowed: alignment, sanctions, kosovo)")
    assert len(lines) == 2


@needs_shared
def test_file_errors(tmp_path):
    lines = check_error(invoke(DECIDE / "copenhagen_with_errors.csv"))
    assert len(lines) == 2
    assert lines[0].endswith("copenhagen_with_errors.csv:86: #D position: 160 is out of range "
                             "(allowed: a number from 0 to 100, the scale of an issue without "
                             "#M rows)")
    assert all(LINE_RE.match(line) for line in lines)
    bad = tmp_path / "bad.csv"
    bad.write_text("Actor,Capability,Position,Salience\nA,1,x,50\nA,1,5,500\n")
    lines = check_error(invoke(bad, "--json"), f"{bad}:2: Position: 'x' is not a number",
                        f"{bad}:3: Actor: duplicate actor 'A', first on line 2",
                        f"{bad}:3: Salience: 500 is out of range")
    assert len(lines) == 3
    check_error(invoke(tmp_path / "missing.csv"), "missing.csv:1: (file): no such file")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    check_error(invoke(empty, "--format", "ktab"), "empty.csv:1: (file): empty file")
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    check_error(invoke(binary), "b.csv:3: (file): a binary file")  # after 2 line ends
    check_error(invoke(KTAB / "SOE-Pol-Comp.csv", "--format", "bdm"), "SOE-Pol-Comp.csv:1:")


@needs_shared
def test_model_errors_are_lines(monkeypatch):
    class Broken(ModelBase):
        name = "broken"

        def run(self, positions, salience, capability, reference=None):
            raise ValueError("needs one dimension (allowed: 1-D issues)")

    monkeypatch.setitem(registry.MODELS, "broken", lambda **_: Broken())
    check_error(invoke(KTAB / "SOE-Pol-Comp.csv", "--model", "broken"),
                "issue SOE-Pol-Comp: model broken: needs one dimension")


# ---------------------------------------------------------------------------------------------
# the real command line


@needs_shared
def test_blocs_cli_forecast_subprocess():
    """Through the installed command line, as a user runs it."""
    result = run_blocs("forecast", str(EXAMPLE), "--json", "--model", "compromise")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert math.isclose(doc["issues"][0]["outcome"], 7.389955686853767, rel_tol=0,
                        abs_tol=1e-12)


@needs_shared
def test_seed_reaches_randomised_variants():
    """--seed: the same seed gives the same numbers, another seed other numbers."""
    args = (KTAB / "dummyData_3Dim.csv", "--model", "smp", "--variant", "stochastic")
    first = invoke(*args, "--seed", "3", "--json").stdout
    again = invoke(*args, "--seed", "3", "--json").stdout
    other = invoke(*args, "--seed", "4", "--json").stdout
    assert first == again
    assert first != other

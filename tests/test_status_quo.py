"""Case issues with a status quo and veto players (project issue 10, item 9): read from the
case, used by the Nash model (docs/bargaining.md, "Status quo and veto players"), fallbacks
noted, and the default forecaster's 80% interval shown (docs/forecast.md)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

import blocs
from blocs.bargaining.forecast import case_problems
from blocs.bargaining.nash import NashBargaining, nash_bargaining
from blocs.bargaining.registry import get_model
from blocs.bargaining.run import run_problem
from blocs.commands.forecast import forecast
from tests.helpers import HEAD, case

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)
app.command()(forecast)


@app.callback()
def _main() -> None:
    """A stand-in for blocs.cli's app (as in tests/test_forecast_cli.py)."""

ACTORS = """
actors:
  TGT: {name: Target, kind: state, country: SRB}
  A: {name: Power A, kind: state, country: DEU}
  B: {name: Power B, kind: state, country: RUS}
"""

# Two equal stakeholders at 40 and 100 with the status quo at 0: by hand (baselines.md) the
# Nash solution solves 2/t = 1/(80 - t) + 1/(200 - t), t = 50, so x* = 50; the compromise is
# their mean, 70.
STATUS_QUO = ACTORS + """
issues:
  i:
    question: How far?
    status_quo: {position: 0, source: s}
    stakeholders:
      A: {position: 40, salience: 50, capability: 1, source: s}
      B: {position: 100, salience: 50, capability: 1, source: s}
"""

# Stakeholders at 20 and 80, status quo 50: without veto players both can block and q stays;
# with only B able to block, B bargains alone and gets its own position.
VETO = ACTORS + """
issues:
  i:
    question: How far?
    status_quo: {position: 50, assumption: invented}
    veto: [B]
    stakeholders:
      A: {position: 20, salience: 50, capability: 1, source: s}
      B: {position: 80, salience: 50, capability: 1, source: s}
"""

NO_STATUS_QUO = ACTORS + """
issues:
  i:
    question: How far?
    stakeholders:
      A: {position: 0, salience: 50, capability: 3, source: s}
      B: {position: 100, salience: 50, capability: 1, source: s}
"""


def _entry(text: str, model: str) -> dict:
    [problem] = case_problems(case(text))
    return run_problem(problem, get_model(model))


def test_status_quo_is_read_into_the_problem():
    [p] = case_problems(case(STATUS_QUO))
    assert p.reference == 0.0 and p.veto == ()
    [q] = case_problems(case(VETO))
    assert q.reference == 50.0 and q.veto == ("B",)
    [r] = case_problems(case(NO_STATUS_QUO))
    assert r.reference is None and r.veto == ()


def test_nash_uses_the_status_quo():
    nash = _entry(STATUS_QUO, "nash")
    compromise = _entry(STATUS_QUO, "compromise")
    assert compromise["outcome"] == pytest.approx(70.0)
    assert nash["outcome"] == pytest.approx(50.0, abs=1e-9)  # not the compromise any more
    assert nash["note"] is None


def test_veto_players_alone_bargain():
    with_veto = _entry(VETO, "nash")
    assert with_veto["outcome"] == pytest.approx(80.0)
    assert with_veto["note"] is None
    # The same issue without `veto`: both can block, and they lie on both sides of q.
    without = _entry(VETO.replace("    veto: [B]\n", ""), "nash")
    assert without["outcome"] == pytest.approx(50.0)
    assert without["note"] == ("no outcome is better than the status quo for every stakeholder "
                               "(no veto players named: each can block): nash gives the "
                               "status quo")
    # Other models ignore the veto players.
    assert _entry(VETO, "compromise")["outcome"] == pytest.approx(50.0)


def test_veto_by_hand_on_arrays():
    # Veto players at 40 and 100 (equal weights), a third actor without a veto at 10, q = 0:
    # the third drops out and the two give baselines.md's 50; with everyone a veto player
    # the three share the side of q and bargain together (a smaller t: 10 is close to q).
    x, w = [10.0, 40.0, 100.0], [1.0, 1.0, 1.0]
    assert float(nash_bargaining(x, w, 0.0, veto=[False, True, True])) == pytest.approx(50.0)
    everyone = float(nash_bargaining(x, w, 0.0))
    assert everyone == pytest.approx(float(nash_bargaining(x, w, 0.0, veto=[True] * 3)))
    assert 0 < everyone < 20  # inside 2 x the nearest veto player's distance from q
    # Veto players on both sides of q: q stays, whatever the others want.
    assert float(nash_bargaining([20.0, 80.0, 90.0], w, 50.0,
                                 veto=[True, True, False])) == 50.0
    # Batched: each variant equals running it alone, veto masks per variant.
    out = NashBargaining().run(np.array([[20.0, 80.0], [20.0, 80.0]]), np.ones((2, 2)),
                               np.ones((2, 2)), reference=np.array([50.0, 50.0]),
                               veto=np.array([[False, True], [True, False]]))
    assert out.final.tolist() == pytest.approx([80.0, 20.0])


def test_fallback_note_without_a_status_quo():
    entry = _entry(NO_STATUS_QUO, "nash")
    assert entry["outcome"] == pytest.approx(25.0)  # the compromise: (3*0 + 1*100) / 4
    assert entry["note"] == ("no status quo: nash gives the compromise (the capability x "
                             "salience weighted mean)")
    assert _entry(NO_STATUS_QUO, "compromise")["note"] is None
    table = blocs.forecast(case(NO_STATUS_QUO), model="nash")
    assert list(table.columns) == ["issue", "model", "outcome", "lo80", "hi80", "note",
                                   "question"]
    assert table.loc[0, "note"].startswith("no status quo: nash gives the compromise")
    assert blocs.forecast(case(STATUS_QUO), model="nash").loc[0, "note"] is None


@pytest.mark.parametrize(("body", "path", "words"), [
    ("    status_quo: {position: 30}\n", "issues.i.status_quo", "no source for these figures"),
    ("    status_quo: {position: 30, source: nope}\n", "issues.i.status_quo.source",
     "unknown source 'nope'"),
    ("    status_quo: {position: 130, source: s}\n", "issues.i.status_quo.position", "100"),
    ("    veto: [A]\n", "issues.i.veto", "veto players without a status quo"),
    ("    status_quo: {position: 30, source: s}\n    veto: [C]\n", "issues.i.veto[0]",
     "'C' is not a stakeholder of this issue (allowed: A, B, Z)"),
    ("    status_quo: {position: 30, source: s}\n    veto: [A, A]\n", "issues.i.veto[1]",
     "listed twice"),
    ("    status_quo: {position: 30, source: s}\n    veto: [Z]\n", "issues.i.veto",
     "every veto player has zero salience or capability"),
    ("    status_quo: {position: 30, source: s}\n    veto: []\n", "issues.i.veto",
     "non-empty"),
])
def test_status_quo_and_veto_are_checked(body, path, words):
    text = ACTORS + """  C: {name: Power C, kind: state, country: CHN}
  Z: {name: Zero, kind: state, country: FRA}
issues:
  i:
    question: How far?
""" + body + """    stakeholders:
      A: {position: 40, salience: 50, capability: 1, source: s}
      B: {position: 100, salience: 50, capability: 1, source: s}
      Z: {position: 100, salience: 0, capability: 1, source: s}
"""
    with pytest.raises(blocs.CaseError) as err:
        case(text)
    lines = [str(p) for p in err.value.problems]
    assert any(f": {path}: " in line and words in line for line in lines), lines


def test_serbia_issues_have_sourced_status_quos_and_nash_uses_them():
    s = blocs.load_case("serbia-2024")
    issues = s.case.issues
    for iid in ("alignment", "sanctions", "kosovo"):
        sq = issues[iid].status_quo
        assert sq is not None and sq.source_ids, iid
    assert issues["sanctions"].status_quo.position == 0  # none imposed (D12)
    assert issues["alignment"].status_quo.position == 100 - 47  # CFSP alignment H1 2024 (D15)
    table = blocs.forecast(s, model="nash").set_index("issue")
    compromise = blocs.forecast(s, model="compromise").set_index("issue")
    # Veto: SRB.gov alone on alignment and sanctions (its own position); on Kosovo SRB.gov
    # sits on the status quo, so nothing moves.
    assert table.loc["alignment", "outcome"] == pytest.approx(55.0)
    assert table.loc["sanctions", "outcome"] == pytest.approx(5.0)
    assert table.loc["kosovo", "outcome"] == pytest.approx(30.0)
    assert "nash gives the status quo" in table.loc["kosovo", "note"]
    assert (table["outcome"] - compromise["outcome"]).abs().min() > 1.0


# ---------------------------------------------------------------------------------------------
# the 80% interval and the notes, shown by `blocs forecast`


def _cli(*args: str) -> str:
    result = CliRunner().invoke(app, ["forecast", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_interval_in_json_and_table():
    doc = json.loads(_cli("serbia-2024", "--json"))
    problems = case_problems(blocs.load_case("serbia-2024"))
    lo, hi = get_model("default").interval(problems, 0.8)
    assert doc["model"] == "default"
    for issue, a, b in zip(doc["issues"], lo, hi, strict=True):
        assert issue["interval80"] == [pytest.approx(a), pytest.approx(b)]
        assert issue["interval80"][0] <= issue["outcome"] <= issue["interval80"][1]
    table = blocs.forecast(blocs.load_case("serbia-2024")).set_index("issue")
    assert table.loc["alignment", "lo80"] == pytest.approx(doc["issues"][0]["interval80"][0])
    text = _cli("serbia-2024")
    first = doc["issues"][0]
    assert (f"Outcome of alignment: {first['outcome']:.6g} (80% interval "
            f"{first['interval80'][0]:.6g} to {first['interval80'][1]:.6g})") in text
    assert "Status quo: 53; veto: SRB.gov" in text
    # Models without intervals: null, and nothing printed.
    doc = json.loads(_cli("serbia-2024", "--model", "compromise", "--json"))
    assert all(i["interval80"] is None and i["note"] is None for i in doc["issues"])
    assert "80% interval" not in _cli("serbia-2024", "--model", "compromise")


def test_note_in_json_table_and_comparison(tmp_path):
    path = tmp_path / "plain.yaml"
    path.write_text(HEAD + NO_STATUS_QUO, encoding="utf-8")
    doc = json.loads(_cli(str(path), "--model", "nash", "--json"))
    assert doc["issues"][0]["note"].startswith("no status quo: nash gives the compromise")
    assert "Note: no status quo: nash gives the compromise" in _cli(str(path), "--model", "nash")
    everything = _cli(str(path), "--model", "all")
    assert "Note (nash): no status quo" in everything and "80% interval" in everything
    doc = json.loads(_cli(str(path), "--model", "all", "--json"))
    for model in doc["models"]:
        for issue in model["issues"]:
            assert {"interval80", "note"} <= set(issue)

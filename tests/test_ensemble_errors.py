"""Bad ``uncertain:`` and ``events:`` entries: one line each, FILE:LINE: path: what (allowed),
exit 2, through the real ``blocs check`` (docs/ensembles.md)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from blocs.cli import build_app
from tests.conftest import LINE_RE

runner = CliRunner()

BASE = """\
format: 1
name: Mini
focus: SRB
year: 2024
period: {start: 2024, end: 2030}
sources:
  s1: {title: A source}
actors:
  SRB: {name: Serbia, kind: state}
  RUS: {name: Russia, kind: state}
ties:
  - {from: RUS, to: SRB, measure: gas, value: 0.8, year: 2024, source: s1}
  - {from: RUS, to: SRB, measure: trade, value: 2.9, unit: USD, total: 70, year: 2024, source: s1}
issues:
  align:
    question: where?
    stakeholders:
      SRB: {position: 50, salience: 90, capability: 1, source: s1}
      RUS: {position: 100, salience: 50, capability: from_leverage, assumption: t}
trends:
  up: {on: tie/RUS/SRB/trade, values: [{year: 2025, value: 3.0}], source: s1}
  drift: {on: position/align/SRB, rate: 1, change: absolute, assumption: t}
shocks:
  planned: {year: 2026, effects: [{on: position/align/SRB, add: 5}], assumption: t}
  maybe: {chance: 0.1, effects: [{on: position/align/SRB, add: 5}], assumption: t}
uncertain:
  X
"""


#: The line of the (one-line) uncertain entry; the events section's entry is two lines below.
ENTRY_LINE = BASE.split("\n").index("  X") + 1


def check(tmp_path, uncertain: str, tail: str = ""):
    path = tmp_path / "case.yaml"
    path.write_text(BASE.replace("  X\n", uncertain) + tail, encoding="utf-8")
    return runner.invoke(build_app(), ["check", str(path)], env={"NO_COLOR": "1"}), path


def test_a_valid_section_loads(tmp_path):
    result, _ = check(tmp_path, """\
  a: {at: tie/RUS/SRB/gas, uniform: [0.6, 0.9], source: s1}
  b: {at: position/align/SRB, triangular: [40, 50, 60], assumption: t}
  c: {at: shock/maybe/chance, normal: {mean: 0.1, sd: 0.05}, assumption: t}
  d: {at: dynamics/inertia, choice: [0.5, 0.9], weights: [1, 3], assumption: t}
  e: {at: trend/drift/rate, uniform: [0, 2], assumption: t}
  f: {at: dynamics/leverage_scale, uniform: [50, 150], assumption: t}
""", "events:\n  hi: {when: outcome/align, above: 60, year: 2030}\n"
       "  lo: {when: pillars, below: 2}\n")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("entry", "field", "fragments"), [
    ("  a: {at: tie/RUS/SRB/gas, uniform: [0.9, 0.6], source: s1}\n", "uncertain.a.uniform",
     ("[0.9, 0.6] is empty or inverted", "(allowed: [low, high] with low < high)")),
    ("  a: {at: tie/RUS/SRB/gas, uniform: [0.6, 1.2], source: s1}\n", "uncertain.a.uniform",
     ("1.2 is outside what tie/RUS/SRB/gas allows", "(allowed: values from 0 to 1)")),
    ("  a: {at: shock/maybe/chance, uniform: [0.1, 1.5], assumption: t}\n",
     "uncertain.a.uniform", ("1.5 is outside", "(allowed: values from 0 to 1)")),
    ("  a: {at: position/align/SRB, triangular: [40, 70, 60], assumption: t}\n",
     "uncertain.a.triangular", ("is not [low, mode, high]",)),
    ("  a: {at: position/align/SRB, uniform: [1, 2], choice: [3], assumption: t}\n",
     "uncertain.a", ("uniform and choice", "(allowed: exactly one of uniform")),
    ("  a: {at: position/align/SRB, assumption: t}\n", "uncertain.a",
     ("an uncertainty with none",)),
    ("  a: {at: position/align/XX, uniform: [1, 2], assumption: t}\n", "uncertain.a.at",
     ("unknown stakeholder 'XX'",)),
    ("  a: {at: shock/planned/chance, uniform: [0.1, 0.2], assumption: t}\n",
     "uncertain.a.at", ("is scheduled in a year", "(allowed: a shock with 'chance')")),
    ("  a: {at: trend/up/rate, uniform: [0.1, 0.2], assumption: t}\n", "uncertain.a.at",
     ("has no rate to vary",)),
    ("  a: {at: trend/nope/rate, uniform: [0.1, 0.2], assumption: t}\n", "uncertain.a.at",
     ("unknown trend 'nope'",)),
    ("  a: {at: capability/align/RUS, uniform: [1, 2], assumption: t}\n", "uncertain.a.at",
     ("comes from its leverage",)),
    ("  a: {at: dynamics/speed, uniform: [1, 2], assumption: t}\n", "uncertain.a.at",
     ("names no number of a dynamics",)),
    ("  a: {at: position/align/SRB, uniform: [1, 2]}\n", "uncertain.a",
     ("no source for these figures",)),
    ("  a: {at: dynamics/inertia, choice: [0.5, 0.9], weights: [1], assumption: t}\n",
     "uncertain.a.weights", ("weights that do not fit the choices",)),
])
def test_bad_uncertain_entry(tmp_path, entry, field, fragments):
    result, path = check(tmp_path, entry)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert LINE_RE.match(lines[0]) and lines[0].endswith(")")
    assert lines[0].startswith(f"{path}:{ENTRY_LINE}: {field}: "), lines[0]
    for f in fragments:
        assert f in lines[0], (f, lines[0])


@pytest.mark.parametrize(("event", "field", "fragments"), [
    ("  e: {when: outcome/align, above: 60, below: 20}\n", "events.e",
     ("both above and below", "(allowed: exactly one of above or below)")),
    ("  e: {when: outcome/align, above: 60, year: 2040}\n", "events.e.year",
     ("2040 is outside the case's period 2024-2030",)),
    ("  e: {when: outcome/nope, above: 60}\n", "events.e.when", ("unknown issue 'nope'",)),
])
def test_bad_event(tmp_path, event, field, fragments):
    result, path = check(tmp_path, "  a: {at: dynamics/inertia, uniform: [0, 1], "
                                   "assumption: t}\n", "events:\n" + event)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{path}:{ENTRY_LINE + 2}: {field}: "), lines[0]
    for f in fragments:
        assert f in lines[0], (f, lines[0])

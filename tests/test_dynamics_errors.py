"""The dynamics sections of a case file, through ``blocs check``: a valid case using every
section loads, and each broken rule gives exactly one ``FILE:LINE: path: what (allowed)``
line on stderr, exit code 2, no traceback (blocs.scenario.validate_dynamics).

Each bad case edits the valid case ``FULL`` in one place; the line expected is the line of
that edit (``Bad.mark``, or the first line of the new text).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from blocs.cli import build_app
from blocs.scenario import load_text
from blocs.scenario.validate_dynamics import DYNAMICS_MODELS
from tests.conftest import LINE_RE, VALID_CASE, mutate

FROM_LEVERAGE_EU = (
    "      EU: {position: 0, salience: 60, capability: from_leverage, "
    "domains: [economic, energy], inertia: 0.8, source: s1}\n")

DYNAMICS = """\
dynamics:
  model: compromise
  inertia: 0.9
  leverage_scale: 50
  pillars: [EU, RUS]
  source: s1
trends:
  gas:
    on: tie/RUS/SRB/gas
    values:
      - {year: 2025, value: 0.7, source: s1}
      - {year: 2026, value: 0.6, source: s1}
    rate: -0.05
  eu_gas:
    on: tie/RUS/EU/gas
    values: [{year: 2024, value: 0.3, source: s1}]
  eu_trade:
    on: tie/EU/SRB/trade
    rate: 0.01
    change: absolute
    assumption: trade with the EU grows slowly
  cap:
    on: capability/align/RUS
    rate: 0.02
    source: [s1]
  east:
    on: power/East
    rate: -0.01
    change: absolute
    assumption: Russia's relative power declines
shocks:
  embargo:
    name: Gas embargo
    year: 2026
    once: true
    source: s1
    effects:
      - {on: tie/RUS/SRB/gas, scale: 0.5}
      - {on: capability/align/RUS, add: 1}
      - {on: position/align/SRB, set: 40}
      - {on: salience/align/SRB, add: -10}
      - {on: status_quo/align, set: 45}
      - {on: power/West, scale: 1.1}
      - {on: presence/NATO/XKX, set: 3000}
      - {on: membership/EU/SRB, status: candidate}
      - {on: border/SRB/HUN, closed: true}
  coup:
    chance: 0.05
    since: 2025
    until: 2030
    assumption: a coup is rare
    effects:
      - {on: position/align/SRB, set: 80}
triggers:
  pivot:
    when: outcome/align
    above: 70
    assumption: a pivot follows alignment
    effects:
      - {on: membership/EU/SRB, status: none}
observables:
  alignment: {quantity: outcome/align}
  eu_share: {quantity: share/EU, scale: 100, anchor: true, source: s1}
  energy: {quantity: leverage/RUS/energy, offset: 1, assumption: shifted by one}
  pillars: {quantity: pillars/powers}
  west_border: {quantity: encirclement/West}
  reach: {quantity: reach/RUS}
  east: {quantity: bloc/East}
  gas_share: {quantity: tie/RUS/SRB/gas}
  eu_position: {quantity: position/align/EU}
"""

# The mini case of tests/conftest.py with a period, a status quo, an outside power whose
# capability comes from its leverage, and every dynamics section.
FULL = mutate("year: 2024\n", "year: 2024\nperiod: {start: 2024, end: 2030}\n")
FULL = mutate("    question: where?\n",
              "    question: where?\n    status_quo: {position: 40, source: s1}\n", FULL)
FULL = mutate("      RUS: {position: 100, salience: 50, capability: 1, source: s1}\n",
              "      RUS: {position: 100, salience: 50, capability: 1, source: s1}\n"
              + FROM_LEVERAGE_EU, FULL)
FULL += DYNAMICS

runner = CliRunner()


def check(text: str, tmp_path: Path):
    """``blocs check`` on ``text`` written to a file: (the file, the command's result)."""
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(build_app(), ["check", str(path)],
                           env={"NO_COLOR": "1", "COLUMNS": "200"})
    assert "Traceback" not in result.output
    # Exit codes come as SystemExit; anything else escaped the command.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return path, result


def line_of(text: str, mark: str) -> int:
    """The 1-based number of the one line of ``text`` that contains ``mark``."""
    found = [n for n, line in enumerate(text.splitlines(), 1) if mark in line]
    assert len(found) == 1, f"{mark!r} is on lines {found}"
    return found[0]


# ---------------------------------------------------------------------------------------------
# valid cases


def test_a_case_using_every_dynamics_section_checks(tmp_path: Path) -> None:
    path, result = check(FULL, tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert f"{path}: ok (4 actors, 3 ties, 1 issues, 1 sources)" in result.stdout
    case = load_text(FULL, "full.yaml").case
    assert case.issues["align"].stakeholders["EU"].capability == "from_leverage"
    assert case.issues["align"].stakeholders["EU"].domains == ["economic", "energy"]
    assert set(case.trends) == {"gas", "eu_gas", "eu_trade", "cap", "east"}
    assert [e.on.split("/")[0] for e in case.shocks["embargo"].effects] == [
        "tie", "capability", "position", "salience", "status_quo", "power", "presence",
        "membership", "border"]
    assert case.shocks["coup"].chance == 0.05
    assert case.triggers["pivot"].above == 70
    assert len(case.observables) == 9


@pytest.mark.parametrize(("old", "new"), [
    # A from_leverage stakeholder weighs: the issue has a forecast though every number is 0.
    ("salience: 90, capability: 1,", "salience: 90, capability: 0,"),
    # ... and the Nash model has a veto player to bargain with.
    ("    status_quo: {position: 40", "    veto: [EU]\n    status_quo: {position: 40"),
    # dynamics with the default inertia and leverage scale has no figure to source.
    ("  inertia: 0.9\n  leverage_scale: 50\n  pillars: [EU, RUS]\n  source: s1\n",
     "  pillars: [RUS]\n"),
    # once with a scheduled year is redundant, not wrong (FULL has it); without it, too.
    ("    once: true\n", ""),
    # the exact model names, each usable in the yearly step.
    *[("  model: compromise\n", f"  model: {m}\n") for m in DYNAMICS_MODELS],
], ids=["zero-numbers-but-leverage", "veto-from-leverage", "default-dynamics-unsourced",
        "no-once", *DYNAMICS_MODELS])
def test_valid_variants_check(old: str, new: str, tmp_path: Path) -> None:
    text = mutate(old, new, FULL)
    if "capability: 0," in new:
        text = mutate("salience: 50, capability: 1,", "salience: 50, capability: 0,", text)
    _, result = check(text, tmp_path)
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------------------------------------
# one edit, one problem


@dataclass(frozen=True)
class Bad:
    """An edit of FULL (``old`` -> ``new``) and the one problem it must give."""

    id: str
    old: str
    new: str
    path: str
    fragments: tuple[str, ...]
    mark: str | None = None  # a text on the expected line (default: new's first line)
    base: str = FULL


def bad(id: str, old: str, new: str, path: str, *fragments: str, mark: str | None = None,
        base: str = FULL) -> Bad:
    return Bad(id, old, new, path, fragments, mark, base)


GAS_ON = "    on: tie/RUS/SRB/gas\n"
EMBARGO_SCALE = "{on: tie/RUS/SRB/gas, scale: 0.5}"
POWER_EFFECT = "{on: power/West, scale: 1.1}"
MEMBERSHIP_EFFECT = "{on: membership/EU/SRB, status: candidate}"
BORDER_EFFECT = "{on: border/SRB/HUN, closed: true}"
TRIGGER_WHEN = "    when: outcome/align\n"
EAST_OBS = "  east: {quantity: bloc/East}"
GAS_VALUE_0 = "      - {year: 2025, value: 0.7, source: s1}\n"
GAS_VALUE_1 = "      - {year: 2026, value: 0.6, source: s1}\n"
# The mini case and one scheduled shock, without a period: the case year is the period.
NO_PERIOD = VALID_CASE + (
    "shocks:\n  s:\n    year: 2024\n    source: s1\n"
    "    effects: [{on: tie/RUS/SRB/gas, scale: 0.5}]\n")
PATH_ALLOWED = "tie/FROM/TO/MEASURE, capability/ISSUE/STAKEHOLDER"

BAD: list[Bad] = [
    # paths: their shape, by where they are used
    bad("trend on an unknown kind", GAS_ON, "    on: flow/RUS/SRB\n", "trends.gas.on",
        "unknown path 'flow/RUS/SRB'", f"(allowed: {PATH_ALLOWED}"),
    bad("trend on an input only effects change", GAS_ON, "    on: presence/NATO/XKX\n",
        "trends.gas.on", "a trend cannot move 'presence/NATO/XKX'", "shocks and triggers",
        f"(allowed: {PATH_ALLOWED}", "power/BLOC_OR_ACTOR)"),
    bad("trend path with too few ids", GAS_ON, "    on: tie/RUS/SRB\n", "trends.gas.on",
        "'tie/RUS/SRB' has 2 ids after 'tie'", "(allowed: tie/FROM/TO/MEASURE)"),
    bad("effect on a quantity", EMBARGO_SCALE, "{on: outcome/align, scale: 0.5}",
        "shocks.embargo.effects[0].on", "unknown path 'outcome/align'",
        f"(allowed: {PATH_ALLOWED}", "border/A/B)"),
    bad("trigger on an input", TRIGGER_WHEN, "    when: membership/EU/SRB\n",
        "triggers.pivot.when", "unknown path 'membership/EU/SRB'",
        "(allowed: outcome/ISSUE", "reach/POWER)"),
    bad("observable pillars of something", EAST_OBS, "  east: {quantity: pillars/East}",
        "observables.east.quantity", "'pillars/East'", "(allowed: pillars or pillars/powers)"),
    # ids in paths
    bad("unknown issue", TRIGGER_WHEN, "    when: outcome/nato\n", "triggers.pivot.when",
        "unknown issue 'nato' in 'outcome/nato'", "(allowed: align)"),
    bad("unknown stakeholder", "{on: position/align/SRB, set: 40}",
        "{on: position/align/NATO, set: 40}", "shocks.embargo.effects[2].on",
        "unknown stakeholder 'NATO' in 'position/align/NATO'", "(allowed: EU, RUS, SRB)"),
    bad("unknown actor in a tie", GAS_ON, "    on: tie/CHN/SRB/gas\n", "trends.gas.on",
        "unknown actor 'CHN' in 'tie/CHN/SRB/gas'", "(allowed: EU, NATO, RUS, SRB)"),
    bad("unknown measure in a tie", GAS_ON, "    on: tie/RUS/SRB/tea\n", "trends.gas.on",
        "unknown measure 'tea' in 'tie/RUS/SRB/tea'", "(allowed: accession, aid, arms",
        "declare it under measures:)"),
    bad("unknown bloc", EAST_OBS, "  east: {quantity: encirclement/South}",
        "observables.east.quantity", "unknown bloc 'South' in 'encirclement/South'",
        "(allowed: East, West)"),
    bad("unknown bloc or actor of a power index", POWER_EFFECT, "{on: power/CHN, scale: 1.1}",
        "shocks.embargo.effects[5].on", "unknown bloc or actor 'CHN' in 'power/CHN'",
        "(allowed: ", "East", "NATO", "RUS", "West)"),
    bad("unknown organization", MEMBERSHIP_EFFECT,
        "{on: membership/CSTO/SRB, status: candidate}", "shocks.embargo.effects[7].on",
        "unknown organization 'CSTO' in 'membership/CSTO/SRB'", "(allowed: EU, NATO)"),
    bad("unknown country", BORDER_EFFECT, "{on: border/SRB/ZZZ, closed: true}",
        "shocks.embargo.effects[8].on", "unknown country 'ZZZ' in 'border/SRB/ZZZ'",
        "(allowed: ISO3 codes", "Kosovo is XKX)"),
    bad("unknown domain", "quantity: leverage/RUS/energy", "quantity: leverage/RUS/military",
        "observables.energy.quantity", "unknown domain 'military' in 'leverage/RUS/military'",
        "(allowed: diplomatic, economic, energy, security, societal)"),
    bad("unknown power reached", "quantity: reach/RUS", "quantity: reach/USA",
        "observables.reach.quantity", "unknown actor 'USA' in 'reach/USA'",
        "(allowed: EU, NATO, RUS, SRB)"),
    # effects: what they do to their input
    bad("numeric effect that does nothing", EMBARGO_SCALE, "{on: tie/RUS/SRB/gas}",
        "shocks.embargo.effects[0]", "an effect on 'tie/RUS/SRB/gas' does nothing",
        "(allowed: exactly one of set, add, scale)"),
    bad("numeric effect with two changes", EMBARGO_SCALE,
        "{on: tie/RUS/SRB/gas, scale: 0.5, add: 0.1}", "shocks.embargo.effects[0]",
        "an effect on 'tie/RUS/SRB/gas' gives add and scale",
        "(allowed: exactly one of set, add, scale)"),
    bad("numeric effect with a status", POWER_EFFECT,
        "{on: power/West, scale: 1.1, status: member}", "shocks.embargo.effects[5].status",
        "status does not apply to 'power/West'", "(allowed: exactly one of set, add, scale)"),
    bad("membership effect with a number", MEMBERSHIP_EFFECT,
        "{on: membership/EU/SRB, set: 1}", "shocks.embargo.effects[7].set",
        "set does not apply to 'membership/EU/SRB'",
        "(allowed: status: one of member, candidate, partner, observer, suspended, frozen, "
        "none)"),
    bad("membership effect without a status", "{on: membership/EU/SRB, status: none}",
        "{on: membership/EU/SRB}", "triggers.pivot.effects[0]",
        "an effect on 'membership/EU/SRB' does nothing", "(allowed: status: one of member"),
    bad("border effect with a status", BORDER_EFFECT,
        "{on: border/SRB/HUN, closed: true, status: member}",
        "shocks.embargo.effects[8].status", "status does not apply to 'border/SRB/HUN'",
        "(allowed: closed: true or false)"),
    bad("position set above 100", "{on: position/align/SRB, set: 40}",
        "{on: position/align/SRB, set: 150}", "shocks.embargo.effects[2].set",
        "150 is out of range for position", "(allowed: 0 to 100)"),
    bad("salience set below 0", "{on: salience/align/SRB, add: -10}",
        "{on: salience/align/SRB, set: -10}", "shocks.embargo.effects[3].set",
        "-10 is out of range for salience", "(allowed: 0 to 100)"),
    bad("status quo set above 100", "{on: status_quo/align, set: 45}",
        "{on: status_quo/align, set: 101}", "shocks.embargo.effects[4].set",
        "101 is out of range for status_quo", "(allowed: 0 to 100)"),
    bad("capability set below 0", "{on: capability/align/RUS, add: 1}",
        "{on: capability/align/RUS, set: -1}", "shocks.embargo.effects[1].set",
        "-1 is out of range for capability", "(allowed: 0 or more)"),
    # shocks: when
    bad("shock with neither year nor chance", "    year: 2026\n    once: true\n",
        "    once: true\n", "shocks.embargo", "a shock with neither year nor chance",
        "(allowed: exactly one of year, for an event in that year, or chance",
        mark="  embargo:"),
    bad("chance above 1", "    chance: 0.05\n", "    chance: 1.5\n", "shocks.coup.chance",
        "1.5 is out of range", "(allowed: a chance from 0 to 1)", mark="chance: 1.5"),
    bad("chance below 0", "    chance: 0.05\n", "    chance: -0.1\n", "shocks.coup.chance",
        "-0.1 is out of range", "(allowed: a chance from 0 to 1)", mark="chance: -0.1"),
    bad("shock with both year and chance", "    year: 2026\n",
        "    year: 2026\n    chance: 0.5\n", "shocks.embargo.chance",
        "a shock with both year and chance", "(allowed: exactly one of year",
        mark="chance: 0.5"),
    bad("shock year after the period", "    year: 2026\n", "    year: 2035\n",
        "shocks.embargo.year", "2035 is outside the case's period 2024-2030",
        "(allowed: 2024 to 2030)"),
    bad("shock since before the period", "    since: 2025\n", "    since: 2020\n",
        "shocks.coup.since", "2020 is outside the case's period 2024-2030",
        "(allowed: 2024 to 2030)"),
    bad("shock until after the period", "    until: 2030\n", "    until: 2031\n",
        "shocks.coup.until", "2031 is outside the case's period 2024-2030",
        "(allowed: 2024 to 2030)"),
    bad("shock until before since", "    since: 2025\n", "    since: 2028\n    until: 2026\n",
        "shocks.coup.until", "until (2026) is before since (2028)",
        "(allowed: until >= since", mark="until: 2026", base=FULL.replace(
            "    until: 2030\n", "")),
    bad("shock year outside the case year without a period", "    year: 2024\n    source: s1",
        "    year: 2025\n    source: s1", "shocks.s.year",
        "2025 is not the case year 2024, and the case has no period",
        "(allowed: 2024, or add period: {start, end})", base=NO_PERIOD),
    # triggers
    bad("trigger with neither above nor below", "    above: 70\n", "", "triggers.pivot",
        "a trigger with neither above nor below", "(allowed: exactly one of above or below",
        mark="  pivot:"),
    bad("trigger with above and below", "    above: 70\n", "    above: 70\n    below: 20\n",
        "triggers.pivot.below", "a trigger with both above and below",
        "(allowed: exactly one of above or below", mark="below: 20"),
    # trends
    bad("trend with neither values nor rate", "    rate: 0.02\n    source: [s1]\n",
        "    source: [s1]\n", "trends.cap", "a trend with neither values nor a rate",
        "(allowed: values: ", "rate: ", mark="  cap:"),
    bad("trend without a source", "    assumption: trade with the EU grows slowly\n", "",
        "trends.eu_trade", "no source for these figures", "(add source: ",
        mark="  eu_trade:"),
    bad("trend with a value without a source", GAS_VALUE_1,
        "      - {year: 2026, value: 0.6}\n", "trends.gas", "no source for these figures",
        mark="  gas:"),
    bad("trend value citing an unknown source", GAS_VALUE_0,
        "      - {year: 2025, value: 0.7, source: s9}\n", "trends.gas.values[0].source",
        "unknown source 's9'", "(allowed: s1)"),
    bad("trend citing an unknown source", "    source: [s1]\n", "    source: [s1, s7]\n",
        "trends.cap.source[1]", "unknown source 's7'", "(allowed: s1)"),
    bad("trend with two values for a year", GAS_VALUE_1,
        "      - {year: 2025, value: 0.6, source: s1}\n", "trends.gas.values[1].year",
        "2025 already has a value in values[0]", "(allowed: one value per year)",
        mark="{year: 2025, value: 0.6"),
    # figures need a source or an assumption
    bad("shock without a source", "    once: true\n    source: s1\n", "    once: true\n",
        "shocks.embargo", "no source for these figures", "(add source: ", mark="  embargo:"),
    bad("trigger without a source", "    assumption: a pivot follows alignment\n", "",
        "triggers.pivot", "no source for these figures", mark="  pivot:"),
    bad("observable that is not the quantity itself, without a source",
        ", anchor: true, source: s1}", ", anchor: true}", "observables.eu_share",
        "no source for these figures", mark="eu_share:"),
    bad("anchored observable without a source", "  reach: {quantity: reach/RUS}",
        "  reach: {quantity: reach/RUS, anchor: true}", "observables.reach",
        "no source for these figures"),
    bad("dynamics with an unsourced inertia", "  leverage_scale: 50\n  pillars: [EU, RUS]\n"
        "  source: s1\n", "  pillars: [EU, RUS]\n", "dynamics", "no source for these figures",
        mark="dynamics:"),
    bad("dynamics citing an unknown source", "  pillars: [EU, RUS]\n  source: s1\n",
        "  pillars: [EU, RUS]\n  source: s2\n", "dynamics.source", "unknown source 's2'",
        "(allowed: s1)", mark="source: s2"),
    # observables
    bad("observable with scale 0", "{quantity: share/EU, scale: 100,",
        "{quantity: share/EU, scale: 0,", "observables.eu_share.scale",
        "scale 0 maps every value", "(allowed: a number other than 0)"),
    # dynamics
    bad("exchange model in the yearly step", "  model: compromise\n", "  model: exchange\n",
        "dynamics.model", "'exchange' cannot run the yearly step",
        "(allowed: default, compromise, median, nash, eum, smp;",
        "the exchange model trades across issues"),
    bad("unknown pillar", "  pillars: [EU, RUS]\n", "  pillars: [EU, CHN]\n",
        "dynamics.pillars[1]", "'CHN' is not an actor", "(allowed: EU, NATO, RUS, SRB)"),
    bad("pillar twice", "  pillars: [EU, RUS]\n", "  pillars: [EU, RUS, EU]\n",
        "dynamics.pillars[2]", "'EU' is listed twice", "(allowed: each pillar once)"),
    # stakeholders
    bad("domains without from_leverage", "salience: 50, capability: 1, source: s1}",
        "salience: 50, capability: 1, domains: [energy], source: s1}",
        "issues.align.stakeholders.RUS.domains",
        "domains applies only to capability: from_leverage",
        "(allowed: remove domains, or set capability: from_leverage)"),
    bad("the focus with capability from leverage", "salience: 90, capability: 1,",
        "salience: 90, capability: from_leverage,", "issues.align.stakeholders.SRB.capability",
        "'SRB' is the focus: from_leverage is an outside power's leverage over the focus",
        "(allowed: a number for the focus"),
]

# One Bad per id: pytest ids must be unique, and each entry is a distinct rule or input.
assert len({b.id for b in BAD}) == len(BAD)


@pytest.mark.parametrize("bad", BAD, ids=[b.id for b in BAD])
def test_a_broken_rule_gives_one_line(bad: Bad, tmp_path: Path) -> None:
    text = mutate(bad.old, bad.new, bad.base)
    path, result = check(text, tmp_path)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert LINE_RE.match(line), line
    expected_line = line_of(text, bad.mark or bad.new.splitlines()[0])
    assert line.startswith(f"{path}:{expected_line}: {bad.path}: "), line
    message = line.split(f"{bad.path}: ", 1)[1]
    for fragment in bad.fragments:
        assert fragment in message, (fragment, line)
    # Each message says what is wrong, then what is allowed (or what to add).
    assert message.endswith(")"), line

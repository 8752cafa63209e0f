"""Invalid case files: every problem is one line ``FILE:LINE: path: what is wrong (allowed)``.

Each case below mutates the valid mini case (tests/conftest.py VALID_CASE) in one way and
checks the exact line, the dotted path, and the key words of the message: what is wrong and
what is allowed instead.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import blocs
from blocs.scenario import CaseError, Scenario, load_case, load_text
from blocs.scenario.load import load_bytes
from tests.conftest import LINES, VALID_CASE, find_problem, mutate, problem_lines_ok

L = LINES


def _errors(text: str, label: str = "case.yaml") -> CaseError:
    with pytest.raises(CaseError) as info:
        load_text(text, label)
    return info.value


# ---------------------------------------------------------------------------------------------
# the valid case


def test_valid_mini_case_loads(tmp_path: Path) -> None:
    path = tmp_path / "mini.yaml"
    path.write_text(VALID_CASE, encoding="utf-8")
    scenario = load_case(path)
    assert isinstance(scenario, Scenario)
    assert scenario.focus == "SRB"
    assert scenario.year == 2024
    assert scenario.case_id == "mini"  # from the file name
    assert len(scenario.case.ties) == 3
    gas = scenario.case.ties[0]
    assert (gas.from_, gas.to, gas.measure, gas.value) == ("RUS", "SRB", "gas", 0.8)
    # The USD amount becomes a share of its total: 2.9 / 70.
    ind = blocs.indicators(scenario)
    usd = ind[(ind["from"] == "RUS") & (ind["measure"] == "trade")]
    assert len(usd) == 1
    assert math.isclose(float(usd["share"].iloc[0]), 2.9 / 70)
    assert scenario.members("NATO") >= {"HUN", "HRV", "ROU", "BGR", "FIN"}


def test_valid_mini_case_loads_from_text_and_bytes() -> None:
    a = load_text(VALID_CASE, "a.yaml")
    b = load_bytes(VALID_CASE.encode("utf-8"), "b.yaml")
    c = load_bytes(b"\xef\xbb\xbf" + VALID_CASE.encode("utf-8"), "c.yaml")  # with a BOM
    d = load_text(VALID_CASE.replace("\n", "\r\n"), "d.yaml")  # Windows line ends
    assert a.case == b.case == c.case == d.case


# ---------------------------------------------------------------------------------------------
# one mutation, one problem


@dataclass(frozen=True)
class Bad:
    """A mutated case and the problem it must give."""

    id: str
    text: str
    line: int
    path: str
    fragments: tuple[str, ...]
    extra_ok: bool = False  # other problems may be reported too
    notes: str = field(default="", compare=False)


TIE0 = "{from: RUS, to: SRB, measure: gas, value: 0.8, year: 2024, source: s1}"
TIE2 = "{from: RUS, to: SRB, measure: trade, value: 2.9, unit: USD, total: 70, year: 2023, source: s1}"  # noqa: E501

BAD: list[Bad] = [
    Bad("unknown top-level key", VALID_CASE + "colour: red\n", 31, "colour",
        ("unknown key 'colour'", "(allowed: format, id, name, description, focus, year",
         "ties, issues, dynamics, trends, shocks, triggers, observables, uncertain, "
         "events, claims)")),
    Bad("unknown key in a tie",
        mutate("measure: gas, value: 0.8", "measure: gas, valu: 0.8, value: 0.8"),
        L["tie_0"], "ties[0].valu",
        ("unknown key 'valu'", "(allowed: ", "from, to, measure, value, unit, total", "kind)")),
    Bad("unknown key in an actor",
        mutate("  RUS: {name: Russia, kind: state}", "  RUS: {name: Russia, kind: state, size: 3}"),
        L["RUS"], "actors.RUS.size",
        ("unknown key 'size'", "(allowed: name, kind, country, of, organization, description)")),
    Bad("missing required field: name", mutate("name: Mini\n", ""), 1, "(top)",
        ("missing required field name",)),
    Bad("missing required field in a tie", mutate(TIE0, TIE0.replace("to: SRB, ", "")),
        L["tie_0"], "ties[0]", ("missing required field to",)),
    Bad("text where a number is", mutate("value: 0.8", "value: lots"), L["tie_0"],
        "ties[0].value", ("'lots' is not a number", "(allowed: a number)")),
    Bad("a quoted number is text", mutate("value: 0.8", 'value: "0.8"'), L["tie_0"],
        "ties[0].value", ("'0.8' is not a number", "(allowed: a number)")),
    Bad("true where a number is", mutate("value: 0.8", "value: true"), L["tie_0"],
        "ties[0].value", ("true is not a number", "(allowed: a number)")),
    Bad("NaN", mutate("value: 0.8", "value: .nan"), L["tie_0"], "ties[0].value",
        ("nan is not a finite number", "(allowed: a number)")),
    Bad("infinity", mutate("value: 0.8", "value: .inf"), L["tie_0"], "ties[0].value",
        ("inf is not a finite number", "(allowed: a number)")),
    Bad("a number that overflows to infinity", mutate("value: 0.8", "value: 1e400"),
        L["tie_0"], "ties[0].value", ("not a finite number", "(allowed: a number)")),
    Bad("year as a fraction", mutate("year: 2024\n", "year: 2024.5\n"), L["year"], "year",
        ("2024.5 is not allowed here", "(allowed: a year, 1800 to 2200)")),
    Bad("year as a date", mutate("year: 2024\n", "year: 2024-01-01\n"), L["year"], "year",
        ("'2024-01-01' is not a number", "(allowed: a year, 1800 to 2200)")),
    Bad("share value above 1", mutate("value: 0.8", "value: 1.5"), L["tie_0"],
        "ties[0].value", ("1.5 is out of range for unit share", "(allowed: 0 to 1)")),
    Bad("negative share", mutate("value: 0.8", "value: -0.1"), L["tie_0"],
        "ties[0].value", ("-0.1 is out of range for unit share", "(allowed: 0 to 1)")),
    Bad("percent above 100", mutate("value: 0.8", "value: 150, unit: percent"), L["tie_0"],
        "ties[0].value", ("150 is out of range for unit percent", "(allowed: 0 to 100)")),
    Bad("flag not 0 or 1",
        mutate("measure: gas, value: 0.8", "measure: un_protection, value: 0.5"),
        L["tie_0"], "ties[0].value", ("0.5 is not a flag", "(allowed: 0 or 1)")),
    Bad("flag with a total",
        mutate("measure: gas, value: 0.8", "measure: un_protection, value: 1, total: 3"),
        L["tie_0"], "ties[0].total", ("a flag has no total", "(allowed: remove total)")),
    Bad("negative amount", mutate("value: 2.9", "value: -2.9"), L["tie_2"], "ties[2].value",
        ("-2.9 USD is negative", "(allowed: 0 or more)")),
    Bad("amount above its total", mutate("value: 2.9", "value: 80"), L["tie_2"],
        "ties[2].value", ("80 USD is more than the total 70", "(allowed: value <= total)")),
    Bad("total of zero", mutate("total: 70", "total: 0"), L["tie_2"], "ties[2].total",
        ("0 is out of range", "(allowed: a number above 0)")),
    Bad("total with a share unit",
        mutate("measure: gas, value: 0.8", "measure: gas, value: 0.8, total: 10"),
        L["tie_0"], "ties[0].total",
        ("a total only goes with amounts, not with unit share", "(allowed: remove total")),
    Bad("reverse share above 1", mutate("value: 0.8,", "value: 0.8, reverse: 2,"),
        L["tie_0"], "ties[0].reverse", ("2 is out of range", "(allowed: a share from 0 to 1)")),
    Bad("position above 100", mutate("position: 50", "position: 150"), L["st_SRB"],
        "issues.align.stakeholders.SRB.position",
        ("150 is out of range", "(allowed: a number from 0 to 100)")),
    Bad("salience below 0", mutate("salience: 90", "salience: -1"), L["st_SRB"],
        "issues.align.stakeholders.SRB.salience",
        ("-1 is out of range", "(allowed: a number from 0 to 100)")),
    Bad("capability as text",
        mutate("capability: 1, source: s1}\n      RUS", "capability: x, source: s1}\n      RUS"),
        L["st_SRB"], "issues.align.stakeholders.SRB.capability",
        ("'x' is not a number", "(allowed: a number, 0 or more, or from_leverage")),
    Bad("year 1700", mutate("value: 0.8, year: 2024", "value: 0.8, year: 1700"), L["tie_0"],
        "ties[0].year", ("1700 is out of range", "(allowed: a year, 1800 to 2200")),
    Bad("case year 1700", mutate("year: 2024\n", "year: 1700\n"), L["year"], "year",
        ("1700 is out of range", "(allowed: a year, 1800 to 2200)")),
    Bad("year span reversed",
        mutate("value: 0.8, year: 2024", "value: 0.8, year: '2024-2020'"), L["tie_0"],
        "ties[0].year",
        ("'2024-2020' ends before it starts", "(allowed: 'YYYY-YYYY' with start <= end)")),
    Bad("year span out of range",
        mutate("value: 0.8, year: 2024", "value: 0.8, year: '1700-2024'"), L["tie_0"],
        "ties[0].year", ("'1700-2024' is out of range", "(allowed: years 1800 to 2200)")),
    Bad("presence year span reversed (unquoted)",
        mutate("size: 4500, year: 2023", "size: 4500, year: 2023-2020"), L["presence_0"],
        "geography.presence[0].year", ("'2023-2020' ends before it starts", "(allowed: ")),
    Bad("unknown actor in a tie",
        mutate("{from: RUS, to: SRB, measure: gas", "{from: CHN, to: SRB, measure: gas"),
        L["tie_0"], "ties[0].from",
        ("'CHN' is not an actor", "(allowed: EU, NATO, RUS, SRB)")),
    Bad("tie from an actor to itself",
        mutate("{from: RUS, to: SRB, measure: gas", "{from: SRB, to: SRB, measure: gas"),
        L["tie_0"], "ties[0].to", ("a tie links two different actors", "(both are 'SRB')")),
    Bad("unknown source id",
        mutate("value: 0.8, year: 2024, source: s1", "value: 0.8, year: 2024, source: s9"),
        L["tie_0"], "ties[0].source", ("unknown source 's9'", "(allowed: s1)")),
    Bad("unknown source id in a list",
        mutate("value: 0.8, year: 2024, source: s1",
               "value: 0.8, year: 2024, source: [s1, s7]"),
        L["tie_0"], "ties[0].source[1]", ("unknown source 's7'", "(allowed: s1)")),
    Bad("figure with neither source nor assumption",
        mutate("value: 0.8, year: 2024, source: s1", "value: 0.8, year: 2024"),
        L["tie_0"], "ties[0]",
        ("no source for these figures", "(add source: <id from sources> or assumption:")),
    Bad("stakeholder without a source",
        mutate("salience: 90, capability: 1, source: s1", "salience: 90, capability: 1"),
        L["st_SRB"], "issues.align.stakeholders.SRB", ("no source for these figures", "(add ")),
    Bad("source url that is not a link",
        mutate('url: "https://example.org"', 'url: "ftp://example.org"'), L["s1"],
        "sources.s1.url", ("'ftp://example.org' is not a link", "(allowed: an http(s)://")),
    Bad("unknown measure", mutate("measure: gas", "measure: tea"), L["tie_0"],
        "ties[0].measure",
        ("unknown measure 'tea'", "(allowed: accession, aid, arms", "declare it under measures:)")),
    Bad("domain that does not match the measure",
        mutate("measure: gas, value: 0.8", "measure: gas, domain: security, value: 0.8"),
        L["tie_0"], "ties[0].domain",
        ("measure 'gas' is in the energy domain, not security",
         "(allowed: energy, or leave domain out)")),
    Bad("domain that is not a domain",
        mutate("measure: gas, value: 0.8", "measure: gas, domain: cultural, value: 0.8"),
        L["tie_0"], "ties[0].domain",
        ("'cultural' is not allowed", "(allowed: 'economic', 'energy', 'security'")),
    Bad("measure declared with a bad kind",
        VALID_CASE + "measures:\n  tea: {domain: economic, kind: mild}\n", 32,
        "measures.tea.kind", ("'mild' is not allowed", "(allowed: 'soft' or 'hard')")),
    Bad("duplicate tie", mutate(TIE2, TIE2 + "\n  - " + TIE0.replace("0.8", "0.7")), 25,
        "ties[3]",
        ("duplicate tie: ties[0] already gives gas from RUS to SRB for 2024",
         "(allowed: one figure per year)")),
    Bad("duplicate YAML key at the top", mutate("year: 2024\n", "year: 2024\nyear: 2023\n"),
        5, "(yaml)", ('duplicate key "year"', "(allowed: valid YAML)")),
    Bad("duplicate YAML key: an actor twice",
        mutate("  NATO: {name: NATO, kind: alliance}\n",
               "  NATO: {name: NATO, kind: alliance}\n  SRB: {name: Serbia, kind: state}\n"),
        12, "(yaml)", ('duplicate key "SRB"', "(allowed: valid YAML)")),
    Bad("duplicate YAML key in a flow mapping",
        mutate("{from: RUS, to: SRB, measure: gas", "{from: RUS, from: EU, to: SRB, measure: gas"),
        L["tie_0"], "(yaml)", ('duplicate key "from"', "(allowed: valid YAML)")),
    Bad("unclosed bracket",
        mutate("  West: {members: [EU, NATO]}", "  West: {members: [EU, NATO}"), L["West"],
        "(yaml)", ("YAML syntax error", "expected ',' or ']'", "(allowed: valid YAML)")),
    Bad("unclosed bracket at the top", mutate("name: Mini", "name: [Mini"), L["focus"],
        "(yaml)", ("YAML syntax error", "(allowed: valid YAML)")),
    Bad("tab indentation", mutate("  SRB: {name: Serbia", "\tSRB: {name: Serbia"), L["SRB"],
        "(yaml)", ("YAML syntax error", "'\\t'", "(allowed: valid YAML)")),
    Bad("inconsistent indentation",
        mutate("  RUS: {name: Russia", "   RUS: {name: Russia"), L["RUS"], "(yaml)",
        ("YAML syntax error", "(allowed: valid YAML)")),
    Bad("undefined alias", mutate("name: Mini", "name: *nope"), L["name"], "(yaml)",
        ("found undefined alias 'nope'", "(allowed: valid YAML)")),
    Bad("two YAML documents", VALID_CASE + "---\nfoo: 1\n", 31, "(yaml)",
        ("another document", "(allowed: valid YAML)")),
    Bad("top-level list instead of a mapping", "- format: 1\n- name: Mini\n", 1, "(file)",
        ("the document is a list", "(allowed: a mapping of keys such as format, name")),
    Bad("top-level text", "just some words\n", 1, "(file)",
        ("the document is a text", "(allowed: a mapping")),
    Bad("actors as a list", mutate("actors:\n", "actors: []\nunused:\n"), L["actors"], "actors",
        ("expected a mapping", "found a list"), extra_ok=True),
    Bad("ties as a number", mutate("ties:\n", "ties: 3\nunused:\n"), L["ties"], "ties",
        ("expected a list", "found a number"), extra_ok=True),
    Bad("an empty actor",
        mutate("  SRB: {name: Serbia, kind: state}", "  SRB:"), L["SRB"], "actors.SRB",
        ("expected a mapping", "found empty")),
    Bad("an empty question", mutate("question: where?", "question:"), L["question"],
        "issues.align.question",
        ("an empty value is not valid", "(allowed: a non-empty text)")),
    Bad("empty bloc member list",
        mutate("East: {members: [RUS]}", "East: {members: []}"), L["East"],
        "blocs.East.members", ("is empty", "(allowed: a non-empty list of actor ids)")),
    Bad("actor kind not a kind", mutate("kind: union", "kind: empire"), L["EU"],
        "actors.EU.kind",
        ("'empire' is not allowed", "(allowed: 'state', 'union', 'alliance', 'organization'")),
    Bad("faction without of",
        mutate("  NATO: {name: NATO, kind: alliance}\n",
               "  NATO: {name: NATO, kind: alliance}\n  SNS: {name: SNS, kind: faction}\n"),
        12, "actors.SNS", ("a faction needs 'of: <state actor id>'", "(the state it belongs to)")),
    Bad("faction of a union",
        mutate("  NATO: {name: NATO, kind: alliance}\n",
               "  NATO: {name: NATO, kind: alliance}\n  SNS: {name: SNS, kind: faction, of: EU}\n"),
        12, "actors.SNS.of", ("'EU' is not a state actor", "(allowed: RUS, SRB)")),
    Bad("focus not an actor", mutate("focus: SRB", "focus: XYZ"), L["focus"], "focus",
        ("'XYZ' is not an actor", "(allowed: EU, NATO, RUS, SRB)")),
    Bad("focus a union", mutate("focus: SRB", "focus: EU"), L["focus"], "focus",
        ("'EU' is a union", "(allowed: a state actor)"), extra_ok=True),
    Bad("organisation member with an invalid code", mutate("HUN: 2004", "hun: 2004"),
        L["org_EU"], "organizations.EU.members.hun", ("'hun'", "(allowed: an ISO3 country code")),
    Bad("organisation member with an invalid code and an incomplete entry",
        mutate("HUN: 2004", "hun: {left: 2010}"), L["org_EU"], "organizations.EU.members.hun",
        ("'hun'", "(allowed: an ISO3 country code"), extra_ok=True),
    Bad("organisation member with an unknown code", mutate("HUN: 2004", "QQQ: 2004"),
        L["org_EU"], "organizations.EU.members.QQQ",
        ("'QQQ' is not a known country", "(allowed: ISO3 codes")),
    Bad("source id that is not an id",
        mutate("  s1: {title: A source", "  1s: {title: A source").replace("source: s1",
                                                                         "assumption: x"),
        L["s1"], "sources.1s", ("'1s'", "(allowed: an id: a letter")),
    Bad("bloc member unknown",
        mutate("East: {members: [RUS]}", "East: {members: [RUS, CHN]}"), L["East"],
        "blocs.East.members[1]", ("'CHN' is not an actor", "(allowed: EU, NATO, RUS, SRB)")),
    Bad("actor in two blocs",
        mutate("East: {members: [RUS]}", "East: {members: [RUS, EU]}"), L["East"],
        "blocs.East.members[1]",
        ("'EU' is already in bloc 'West'", "(allowed: one bloc per actor)")),
    Bad("the focus in a bloc",
        mutate("East: {members: [RUS]}", "East: {members: [RUS, SRB]}"), L["East"],
        "blocs.East.members[1]", ("the focus state cannot be a bloc member", "(blocs are")),
    Bad("border_lengths for a non-neighbour",
        mutate("geography:\n", "geography:\n  border_lengths:\n    source: s1\n    km:\n"
               + "".join(f"      {c}: 100\n" for c in
                         ("BGR", "BIH", "HRV", "HUN", "FRA", "MKD", "MNE", "ROU", "XKX"))),
        L["geography"] + 8, "geography.border_lengths.km.FRA",
        ("'FRA' does not border SRB", "(allowed: BGR, BIH, HRV, HUN, MKD, MNE, ROU, XKX)")),
    Bad("border_lengths missing a neighbour",
        mutate("geography:\n", "geography:\n  border_lengths:\n    source: s1\n"
               "    km: {HUN: 100, HRV: 100}\n"),
        L["geography"] + 3, "geography.border_lengths.km",
        ("no length for BGR, BIH, MKD, MNE, ROU, XKX", "(allowed: every land neighbour")),
    Bad("presence in an unknown country",
        mutate("country: XKX, what: KFOR", "country: ZZZ, what: KFOR"), L["presence_0"],
        "geography.presence[0].country", ("'ZZZ' is not a known country", "(allowed: ISO3")),
    Bad("stakeholder not an actor",
        mutate("      RUS: {position: 100", "      CHN: {position: 100"), L["st_RUS"],
        "issues.align.stakeholders.CHN", ("'CHN' is not an actor", "(allowed: EU, NATO")),
    Bad("period that ends before it starts",
        mutate("year: 2024\n", "year: 2024\nperiod: {start: 2024, end: 2020}\n"), 5,
        "period.end", ("period ends (2020) before it starts (2024)", "(allowed: end >= start)")),
    Bad("format: 2", mutate("format: 1", "format: 2"), L["format"], "format",
        ("2 is not allowed", "(allowed: 1)")),
    Bad("a python tag on a scalar",
        mutate("name: Mini", "name: !!python/object:os.system 'echo hi'"), L["name"], "name",
        ("a YAML tag or object is not allowed here", "(allowed: plain values)")),
    Bad("a python tag on a mapping",
        mutate("  s1: {title", "  s1: !!python/object:os.system {title"), L["s1"], "sources.s1",
        ("a YAML tag", "python/object:os.system", "(allowed: plain values)")),
    Bad("a python/apply tag on a list",
        mutate("West: {members: [EU, NATO]}",
               "West: {members: !!python/object/apply:os.system [EU, NATO]}"),
        L["West"], "blocs.West.members",
        ("a YAML tag", "(allowed: plain values)")),
    Bad("a !!set", mutate("name: Mini", "name: !!set {a, b}"), L["name"], "name",
        ("a YAML tag or object is not allowed here", "(allowed: plain values)")),
    Bad("a timestamp where text is", mutate("name: Mini", "name: 2001-12-14t21:59:43.10-05:00"),
        L["name"], "name", ("not allowed", "(allowed:")),
    Bad("a recursive alias in an unknown key", mutate("blocs:\n", "loop: &a [*a]\nblocs:\n"),
        L["blocs"], "(yaml)", ("alias refers to a value that contains it", "(allowed: aliases")),
    Bad("a recursive alias where a value is allowed",
        mutate("  West: {members: [EU, NATO]}", "  West: &w {members: [EU, NATO], note: *w}"),
        L["West"], "(yaml)", ("alias refers to a value that contains it", "(allowed: aliases")),
    Bad("a key that is not text", mutate("name: Mini", "3: three\nname: Mini"), L["name"],
        "(top)", ("key must be text, not 3", "(allowed: text keys")),
    Bad("an empty key", mutate("name: Mini", "~: nothing\nname: Mini"), L["name"], "(top)",
        ("key must be text", "(allowed: text keys")),
    Bad("a bad url with a line break",
        mutate('url: "https://example.org"', 'url: "ftp://a\\nb"'), L["s1"], "sources.s1.url",
        ("is not a link", "(allowed: an http(s)://")),
    Bad("a control character on line 10",
        mutate("  EU: {name: European Union, kind", "  EU: {name: European\x07 Union, kind"),
        L["EU"], "(yaml)", ("U+0007", "(allowed: printable text)")),
]

# One Bad per id: pytest ids must be unique, and each entry is a distinct kind of input.
assert len({b.id for b in BAD}) == len(BAD)


@pytest.mark.parametrize("bad", BAD, ids=[b.id for b in BAD])
def test_invalid_case_gives_one_line_per_problem(bad: Bad, tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(bad.text, encoding="utf-8")
    with pytest.raises(CaseError) as info:
        load_case(path)
    err = info.value
    # The file is named by the path given, at the exact line, with the exact path.
    problem = find_problem(err, line=bad.line, path=bad.path, fragments=bad.fragments)
    assert problem.file == str(path)
    if not bad.extra_ok:
        assert len(err.problems) == 1, str(err)
    problem_lines_ok(err)


@pytest.mark.parametrize("bad", BAD, ids=[b.id for b in BAD])
def test_invalid_text_and_bytes_agree(bad: Bad) -> None:
    """load_text and load_bytes report the same problems for the same content."""
    with pytest.raises(CaseError) as a:
        load_text(bad.text, "x.yaml")
    with pytest.raises(CaseError) as b:
        load_bytes(bad.text.encode("utf-8"), "x.yaml")
    assert [str(p) for p in a.value.problems] == [str(p) for p in b.value.problems]


def test_a_key_with_a_line_break_stays_on_one_line() -> None:
    # A quoted key may hold a line break; the problem must still print as one line.
    text = mutate("{from: RUS, to: SRB, measure: gas", '{"fr\\nom": RUS, to: SRB, measure: gas')
    err = _errors(text)
    problem_lines_ok(err)
    assert any(p.line == L["tie_0"] and "unknown key" in p.message for p in err.problems), err


def test_several_problems_are_all_reported_in_line_order() -> None:
    text = mutate("focus: SRB", "focus: XYZ")
    text = mutate("value: 0.8", "value: 1.5", text)
    text = mutate("position: 50", "position: 150", text)
    err = _errors(text)
    problem_lines_ok(err)
    # The schema reports the position first (a range error); cross-file checks run only on a
    # structurally valid file, so fix one layer at a time.
    find_problem(err, line=L["st_SRB"], path="issues.align.stakeholders.SRB.position")
    text = mutate("position: 150", "position: 50", text)
    err = _errors(text)
    problem_lines_ok(err)
    assert [p.line for p in err.problems] == [L["focus"], L["tie_0"]]


# ---------------------------------------------------------------------------------------------
# whole-file problems


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        ("", ("empty file", "(allowed: a YAML mapping")),
        ("   \n\n  \t\n", ("empty file", "(allowed: a YAML mapping")),
        ("# a comment\n   # another\n\n", ("empty file", "(allowed: a YAML mapping")),
        (b"", ("empty file",)),
        (b"\xef\xbb\xbf", ("empty file",)),
    ],
    ids=["empty", "whitespace", "comments", "empty-bytes", "bom-only"],
)
def test_empty_files(content: str | bytes, fragments: tuple[str, ...], tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CaseError) as info:
        load_case(path)
    err = info.value
    assert len(err.problems) == 1
    find_problem(err, line=1, path="(file)", fragments=fragments)
    problem_lines_ok(err)


def test_binary_file_with_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "blob.yaml"
    data = VALID_CASE.encode("utf-8")
    third_line = data.index(b"focus")
    path.write_bytes(data[:third_line] + b"\x00\x01\x02\xff" + data[third_line:])
    with pytest.raises(CaseError) as info:
        load_case(path)
    err = info.value
    assert len(err.problems) == 1
    find_problem(err, line=3, path="(file)",
                 fragments=("binary file", "NUL", "(allowed: a UTF-8 YAML text file)"))
    problem_lines_ok(err)


def test_utf16_file_is_binary(tmp_path: Path) -> None:
    path = tmp_path / "utf16.yaml"
    path.write_bytes(VALID_CASE.encode("utf-16"))
    with pytest.raises(CaseError) as info:
        load_case(path)
    find_problem(info.value, line=1, path="(file)", fragments=("(allowed: a UTF-8",))
    problem_lines_ok(info.value)


def test_non_utf8_bytes(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(VALID_CASE.replace("where?", "où?").encode("latin-1"))
    with pytest.raises(CaseError) as info:
        load_case(path)
    err = info.value
    assert len(err.problems) == 1
    find_problem(err, line=L["question"], path="(file)",
                 fragments=("byte 0xf9 is not UTF-8", "(allowed: a UTF-8 YAML text file)"))
    problem_lines_ok(err)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "case.yaml"
    with pytest.raises(CaseError) as info:
        load_case(path)
    err = info.value
    assert len(err.problems) == 1
    p = find_problem(err, line=1, path="(file)",
                     fragments=("no such file", "(allowed: a path to a case file"))
    assert p.file == str(path)
    problem_lines_ok(err)


def test_unknown_case_name() -> None:
    with pytest.raises(CaseError) as info:
        load_case("no-such-case-2024")
    err = info.value
    assert len(err.problems) == 1
    find_problem(err, line=1, path="(file)", fragments=("no such file", "built-in case"))
    problem_lines_ok(err)


def test_folder(tmp_path: Path) -> None:
    with pytest.raises(CaseError) as info:
        load_case(tmp_path)
    err = info.value
    assert len(err.problems) == 1
    find_problem(err, line=1, path="(file)",
                 fragments=("is a folder", "(allowed: a YAML case file)"))
    problem_lines_ok(err)


def test_too_large_file() -> None:
    from blocs.scenario.load import MAX_BYTES

    with pytest.raises(CaseError) as info:
        load_bytes(b"#" * (MAX_BYTES + 1), "big.yaml")
    find_problem(info.value, line=1, path="(file)", fragments=("too large", "(allowed: up to"))
    problem_lines_ok(info.value)


# ---------------------------------------------------------------------------------------------
# hostile YAML: must end quickly, with a clean error or a clean load

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def _load_quickly(text: str, limit_s: float = 10.0) -> Scenario | CaseError:
    start = time.perf_counter()
    try:
        result: Scenario | CaseError = load_text(text, "hostile.yaml")
    except CaseError as exc:
        result = exc
    elapsed = time.perf_counter() - start
    assert elapsed < limit_s, f"took {elapsed:.1f} s"
    return result


def test_alias_bomb_ends_quickly_with_a_clean_error() -> None:
    result = _load_quickly(BILLION_LAUGHS)
    assert isinstance(result, CaseError)
    problem_lines_ok(result)
    find_problem(result, line=1, path="(yaml)",
                 fragments=("more than", "aliases", "(allowed: a case file of ordinary size)"))


def test_alias_bomb_inside_a_valid_case() -> None:
    # The bomb's anchors sit under an unknown key before the case; a field the schema allows
    # (an issue's 'low') refers to the last one.
    levels = "abcdefgh"
    bomb = "bomb:\n  a: &a [" + ", ".join(["lol"] * 9) + "]\n" + "".join(
        f"  {k}: &{k} [{', '.join([f'*{p}'] * 9)}]\n" for p, k in itertools.pairwise(levels)
    )
    text = bomb + mutate("    question: where?\n", "    question: where?\n    low: *h\n")
    result = _load_quickly(text)
    assert isinstance(result, CaseError)
    problem_lines_ok(result)


def test_deep_nesting_ends_with_a_clean_error() -> None:
    for text in ("a: " + "[" * 2000 + "]" * 2000 + "\n",
                 "a: " + "{b: " * 3000 + "1" + "}" * 3000 + "\n",
                 "a:\n" + "".join(" " * i + "- \n" for i in range(1, 1500))):
        result = _load_quickly(text)
        assert isinstance(result, CaseError)
        problem_lines_ok(result)


def test_yaml_merge_keys_are_plain_yaml() -> None:
    # '<<' merges are ordinary YAML: allowed, and the merged actor is valid.
    text = mutate("  RUS: {name: Russia, kind: state}",
                  "  RUS: &r {name: Russia, kind: state}\n  BLR: {<<: *r, name: Belarus}")
    scenario = load_text(text, "merge.yaml")
    assert scenario.actors["BLR"].kind == "state"


LARGE_FILE_SCRIPT = """
import sys, time
from blocs.scenario import CaseError
from blocs.scenario.load import load_bytes
data = b"format: 1\\nname: Big\\nunused:\\n" + b"  - 0\\n" * 1_000_000
start = time.perf_counter()
try:
    load_bytes(data, "big.yaml")
    print("loaded")
except CaseError as exc:
    print(exc.problems[0])
print(f"{len(data)} bytes in {time.perf_counter() - start:.1f} s")
"""


def test_large_file_under_the_size_limit_ends_quickly() -> None:
    """A 6 MB file (well under load.MAX_BYTES) of a million list items must be refused or
    loaded in seconds, not parsed for minutes before the node limit applies."""
    import subprocess
    import sys

    try:
        done = subprocess.run([sys.executable, "-c", LARGE_FILE_SCRIPT], capture_output=True,
                              text=True, timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail("loading a 6 MB case file did not end within 20 s")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr

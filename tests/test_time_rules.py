"""Time rules (issue 10, docs/case-format.md, Time): a model run for year Y sees nothing dated
after Y.  Figures count from their year on (a span's from its last year on) until a later one
replaces them; presences have an active period; membership has a status by year; figures
dated after the case year or its period give warnings, not errors."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from blocs import indicators, leverage
from blocs.scenario import CaseError, load_case, load_text
from blocs.scenario.validate import check_warnings
from tests.conftest import LINE_RE, LINES, VALID_CASE, find_problem, mutate, run_blocs

DOCS = Path(__file__).resolve().parents[1] / "docs"

# VALID_CASE's ties: RUS gas 0.8 (2024), EU trade 0.5 (2024), RUS trade USD 2.9/70 (2023).
EU_TRADE_2024 = "  - {from: EU, to: SRB, measure: trade, value: 0.5, year: 2024, source: s1}\n"


def with_ties(*lines: str, text: str = VALID_CASE):
    """VALID_CASE with tie lines added after EU's 2024 trade figure."""
    return load_text(mutate(EU_TRADE_2024, EU_TRADE_2024 + "".join(
        f"  - {line}\n" for line in lines), text), "time.yaml")


def shares(scenario, year: int) -> dict[tuple[str, str], float]:
    table = indicators(scenario, year=year)
    return {(f, m): s for f, m, s in zip(table["from"], table["measure"], table["share"],
                                         strict=True)}


# ---------------------------------------------------------------------------------------------
# ties: from their year on, until replaced; nothing before the first


def test_a_figure_is_not_seen_before_its_year():
    s = load_text(VALID_CASE, "mini.yaml")
    assert shares(s, 2024)[("EU", "trade")] == pytest.approx(0.5)
    early = shares(s, 2020)
    # The 2024 trade and gas figures do not exist yet in 2020 (the old lookup took the
    # earliest later figure); no figure yet means no row and no leverage.
    assert ("EU", "trade") not in early and ("RUS", "gas") not in early
    assert "EU" not in set(leverage(s, year=2020)["from"])
    assert ("RUS", "trade") not in early
    assert ("RUS", "trade") in shares(s, 2023)


def test_an_earlier_figure_counts_until_a_later_one_replaces_it():
    s = with_ties("{from: EU, to: SRB, measure: trade, value: 0.4, year: 2019, source: s1}")
    assert ("EU", "trade") not in shares(s, 2018)
    for year in (2019, 2020, 2023):
        assert shares(s, year)[("EU", "trade")] == pytest.approx(0.4), year
    assert shares(s, 2024)[("EU", "trade")] == pytest.approx(0.5)
    assert shares(s, 2030)[("EU", "trade")] == pytest.approx(0.5)  # until replaced
    assert [t.value for t in s.ties(2021) if t.measure == "trade" and t.from_ == "EU"] == [0.4]


def test_a_span_figure_counts_from_its_last_year_on():
    s = with_ties(
        '{from: RUS, to: SRB, measure: arms, value: 0.1, year: "2014-2018", source: s1}',
        '{from: RUS, to: SRB, measure: arms, value: 0.57, year: "2020-2024", source: s1}',
    )
    assert ("RUS", "arms") not in shares(s, 2017)  # 2014-2018 is not over in 2017
    assert shares(s, 2018)[("RUS", "arms")] == pytest.approx(0.1)
    # 2022 lies inside 2020-2024, but the window's figure is known only in 2024.
    assert shares(s, 2022)[("RUS", "arms")] == pytest.approx(0.1)
    assert shares(s, 2023)[("RUS", "arms")] == pytest.approx(0.1)
    assert shares(s, 2024)[("RUS", "arms")] == pytest.approx(0.57)
    assert indicators(s, year=2022).set_index("measure").loc["arms", "year"] == "2014-2018"


def test_of_two_figures_known_the_same_year_the_shorter_span_counts():
    s = with_ties(
        '{from: RUS, to: SRB, measure: arms, value: 0.57, year: "2020-2024", source: s1}',
        "{from: RUS, to: SRB, measure: arms, value: 0.6, year: 2024, source: s1}",
    )
    assert shares(s, 2024)[("RUS", "arms")] == pytest.approx(0.6)


# ---------------------------------------------------------------------------------------------
# presences: an active period


PRESENCE_0 = "    - {actor: NATO, country: XKX, what: KFOR, size: 4500, year: 2023, source: s1}\n"


def with_presences(*lines: str):
    return load_text(mutate(PRESENCE_0, PRESENCE_0 + "".join(
        f"    - {line}\n" for line in lines)), "time.yaml")


def whats(scenario, year: int) -> list[tuple[str, float | None]]:
    return [(p.what, p.size) for p in scenario.presences(year)]


def test_a_presence_with_a_span_does_not_count_after_it():
    s = with_presences(
        '{actor: RUS, country: SRB, what: exercise, size: 300, year: "2023-2023", source: s1}',
        "{actor: RUS, country: BIH, what: training, size: 50, year: 2020, until: 2021, "
        "source: s1}")
    assert ("exercise", 300) in whats(s, 2023)
    assert ("exercise", 300) not in whats(s, 2024) and ("exercise", 300) not in whats(s, 2022)
    assert ("training", 50) in whats(s, 2021) and ("training", 50) not in whats(s, 2022)
    assert s.presences() == s.presences(2024)  # the case year by default
    assert whats(s, 2024) == [("KFOR", 4500)]


def test_an_open_presence_lasts_until_a_later_entry_of_the_same_mission():
    s = with_presences("{actor: NATO, country: XKX, what: KFOR, year: 1999, source: s1}",
                       "{actor: NATO, country: XKX, what: other, year: 2000, source: s1}")
    assert whats(s, 1998) == []
    assert whats(s, 2016) == [("KFOR", None), ("other", None)]
    # From 2023 the sized entry replaces the 1999 one; the other mission stays.
    assert whats(s, 2023) == [("KFOR", 4500), ("other", None)]
    assert whats(s, 2040) == [("KFOR", 4500), ("other", None)]


@pytest.mark.parametrize(("line", "field", "fragments"), [
    ('{actor: RUS, country: SRB, what: x, year: "2020-2021", until: 2022, source: s1}',
     "until", ("with the span '2020-2021'", "not both")),
    ("{actor: RUS, country: SRB, what: x, year: 2020, until: 2019, source: s1}",
     "until", ("until (2019) is before the first year (2020)",)),
    ("{actor: NATO, country: XKX, what: KFOR, size: 1, year: 2023, source: s1}",
     "year", ("geography.presence[0] already starts 'KFOR' of NATO in XKX in 2023",)),
])
def test_presence_period_errors(line, field, fragments):
    with pytest.raises(CaseError) as exc:
        with_presences(line)
    find_problem(exc.value, line=LINES["presence_0"] + 1,
                 path=f"geography.presence[1].{field}", fragments=fragments)


# ---------------------------------------------------------------------------------------------
# membership: a status by year

ORG_NATO_LINE = VALID_CASE.splitlines()[LINES["org_NATO"] - 1] + "\n"
CSTO = """\
  CSTO:
    name: Collective Security Treaty Organization
    source: s1
    members:
      RUS: 1992
      ARM: [{status: member, since: 1992}, {status: frozen, since: 2024}]
      SRB: {joined: 2013, status: observer}
      BLR: [{status: partner, since: 1995, until: 1997}, {status: member, since: 2000}]
"""


def csto(extra: str = "") -> str:
    """VALID_CASE with a CSTO organisation after NATO (``extra``: more member lines)."""
    return mutate(ORG_NATO_LINE, ORG_NATO_LINE + CSTO + extra)


def test_member_until_2024_then_frozen():
    s = load_text(csto(), "time.yaml")
    assert "ARM" in s.members("CSTO", 2023)
    assert "ARM" not in s.members("CSTO", 2024)
    assert s.status("CSTO", "ARM", 2023) == "member"
    assert s.status("CSTO", "ARM", 2024) == "frozen" == s.status("CSTO", "ARM")
    assert s.status("CSTO", "ARM", 1991) is None
    assert s.members("CSTO", 2024) == {"RUS", "BLR"}


def test_other_statuses_and_gaps_do_not_count():
    s = load_text(csto(), "time.yaml")
    assert s.status("CSTO", "SRB", 2020) == "observer" and "SRB" not in s.members("CSTO", 2020)
    assert s.status("CSTO", "BLR", 1997) == "partner"
    assert s.status("CSTO", "BLR", 1998) is None  # the partnership ended in 1997
    assert s.status("CSTO", "BLR", 2000) == "member"
    assert s.status("CSTO", "USA", 2020) is None  # not listed
    # The old forms keep their meaning: a year, and {joined, left}.
    assert s.status("NATO", "MKD", 2019) is None and s.status("NATO", "MKD", 2020) == "member"


def test_frozen_member_leaves_the_bloc_territory():
    text = mutate("  East: {members: [RUS]}\n", "  East: {members: [RUS, CSTO]}\n", csto())
    text = mutate("  NATO: {name: NATO, kind: alliance}\n",
                  "  NATO: {name: NATO, kind: alliance}\n"
                  "  CSTO: {name: CSTO, kind: alliance}\n", text)
    s = load_text(text, "time.yaml")
    assert "ARM" in s.bloc_territory("East", 2023)
    assert "ARM" not in s.bloc_territory("East", 2024)


@pytest.mark.parametrize(("entry", "path", "fragments"), [
    ("[{status: member, since: 2000}, {status: frozen, since: 1999}]",
     "organizations.CSTO.members.KAZ[1].since", ("does not follow the period before it",)),
    ("[{status: member, since: 2000, until: 2005}, {status: frozen, since: 2004}]",
     "organizations.CSTO.members.KAZ[0].until", ("overlaps the next period (since 2004)",
                                                 "until 2003 or earlier")),
    ("[{status: member, since: 2000, until: 1999}]",
     "organizations.CSTO.members.KAZ[0].until", ("until (1999) is before since (2000)",)),
    ("[{status: allied, since: 2000}]",
     "organizations.CSTO.members.KAZ[0].status",
     ("'allied' is not allowed", "'member'", "'frozen'")),
    ("[{status: member, since: 2000, source: nowhere}]",
     "organizations.CSTO.members.KAZ[0].source", ("unknown source 'nowhere'",)),
    ("[]", "organizations.CSTO.members.KAZ", ("is empty",)),
])
def test_status_period_errors(entry, path, fragments):
    with pytest.raises(CaseError) as exc:
        load_text(csto(f"      KAZ: {entry}\n"), "time.yaml")
    line = LINES["org_NATO"] + CSTO.count("\n") + 1
    find_problem(exc.value, line=line, path=path, fragments=fragments)


# ---------------------------------------------------------------------------------------------
# period and warnings


def test_period_defaults_to_the_case_year():
    assert load_text(VALID_CASE, "mini.yaml").period == (2024, 2024)
    s = load_text(mutate("year: 2024\n", "year: 2024\nperiod: {start: 2024, end: 2030}\n"),
                  "mini.yaml")
    assert s.period == (2024, 2030)


LATE = "{from: RUS, to: SRB, measure: oil, value: 0.5, year: 2025, source: s1}"
LATE_SPAN = '{from: RUS, to: SRB, measure: arms, value: 0.5, year: "2020-2025", source: s1}'


def test_a_tie_dated_after_the_case_year_is_a_warning_not_an_error():
    s = with_ties(LATE, LATE_SPAN)  # loads: no CaseError
    found = dict(check_warnings(s.case))
    assert set(found) == {("ties", 2, "year"), ("ties", 3, "year")}  # after EU's trade
    assert found[("ties", 2, "year")] == (
        "'2025' is after the case year 2024: this figure is not seen in 2024, only in runs "
        "for 2025 or later (allowed: figures dated up to 2024 for the case year)")
    assert "a span counts from its last year on" in found[("ties", 3, "year")]
    assert "(allowed: a span ending by 2024" in found[("ties", 3, "year")]
    assert ("RUS", "oil") not in shares(s, 2024) and ("RUS", "oil") in shares(s, 2025)
    assert check_warnings(load_text(VALID_CASE, "mini.yaml").case) == []


def test_a_tie_after_the_period_is_seen_by_no_run():
    text = mutate("year: 2024\n", "year: 2024\nperiod: {start: 2024, end: 2030}\n")
    s = with_ties(LATE, "{from: RUS, to: SRB, measure: oil, value: 0.6, year: 2031, source: s1}",
                  text=text)
    found = dict(check_warnings(s.case))
    assert "not seen in 2024, only in runs for 2025 or later" in found[("ties", 2, "year")]
    assert found[("ties", 3, "year")] == (
        "'2031' is after the case's period 2024-2030: no run of the case sees this figure "
        "(allowed: figures known by 2030, the period's end)")


def test_warnings_reach_the_scenario_as_lines():
    s = with_ties(LATE)
    assert len(s.warnings) == 1
    line = str(s.warnings[0])
    assert LINE_RE.match(line) and line.endswith(")")
    assert line.startswith(f"time.yaml:{LINES['tie_1'] + 1}: ties[2].year: '2025' is after")
    assert load_text(VALID_CASE, "mini.yaml").warnings == ()


# ---------------------------------------------------------------------------------------------
# Serbia as of 2016


@pytest.fixture(scope="module")
def serbia():
    return load_case("serbia-2024")


def test_serbia_2016_has_no_chinese_arms_yet(serbia):
    ind = indicators(serbia, year=2016)
    arms = ind[ind["measure"] == "arms"].set_index("from")
    # The 2020-2024 window (CHN 57%) is not known in 2016: the latest known one is 2009-2013,
    # with no Chinese deliveries (AR01).
    assert arms.loc["CHN", "year"] == "2009-2013" and arms.loc["CHN", "share"] == 0.0
    lev = leverage(serbia, year=2016)
    chn_hard = lev[(lev["from"] == "CHN") & (lev["domain"] == "security")
                   & (lev["kind"] == "hard")]["value"]
    assert chn_hard.sum() == 0.0
    # In 2024 the window counts, as before.
    arms_2024 = indicators(serbia).set_index(["from", "measure"])
    assert arms_2024.loc[("CHN", "arms"), "share"] == pytest.approx(0.57)
    assert arms_2024.loc[("CHN", "arms"), "year"] == "2020-2024"


def test_serbia_2016_kfor_and_statuses(serbia):
    kfor_2016 = [p for p in serbia.presences(2016) if p.what == "KFOR"]
    assert [(p.actor, p.country, p.year) for p in kfor_2016] == [("NATO", "XKX", 1999)]
    assert [p.size for p in serbia.presences(2024) if p.what == "KFOR"] == [4500]
    assert serbia.status("EU", "SRB", 2016) == "candidate"
    assert serbia.status("EU", "SRB", 2011) is None
    assert "SRB" not in serbia.members("EU", 2016)
    assert serbia.status("NATO", "SRB", 2016) == "partner"
    assert "MNE" not in serbia.members("NATO", 2016) and "MNE" in serbia.members("NATO", 2017)
    assert "MKD" not in serbia.members("NATO", 2019) and "MKD" in serbia.members("NATO", 2020)
    assert serbia.status("CSTO", "ARM", 2024) == "frozen"


def test_serbia_case_is_clean_and_sourced(serbia):
    assert check_warnings(serbia.case) == []
    assert serbia.period == (2024, 2035)
    # Every figure that counts in 2016 names a source.
    assert all(t.source_ids for t in serbia.ties(2016))
    for p in serbia.presences(2016):
        assert p.source_ids


def test_blocs_run_as_of_2016():
    done = run_blocs("run", "serbia-2024", "--year", "2016", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["year"] == 2016
    assert not [r for r in data["indicators"]
                if r["from"] == "CHN" and r["measure"] == "arms" and r["share"] > 0]
    nato = next(r for r in data["reach"] if r["from"] == "NATO")
    assert any(p["what"] == "KFOR" and p["year"] == "1999" for p in nato["presence"])


# ---------------------------------------------------------------------------------------------
# the worked example of docs/case-format.md


def _worked_example() -> dict:
    text = (DOCS / "case-format.md").read_text("utf-8")
    block = re.search(r"\*\*Worked example\.\*\*\s*```yaml\n(.*?)```", text, re.S)
    assert block, "docs/case-format.md lost its worked example"
    return YAML(typ="safe", pure=True).load(block.group(1))


def test_the_documented_worked_example():
    example = _worked_example()
    base = YAML(typ="safe", pure=True).load(VALID_CASE)
    base["organizations"].update(example["organizations"])
    base["geography"] = example["geography"]
    base["ties"] = example["ties"]
    base["actors"].update({"CHN": {"name": "China", "kind": "state"},
                           "USA": {"name": "United States", "kind": "state"}})
    for sid in ("csto", "news2024", "eu", "eu_milestones", "s"):
        base["sources"][sid] = {"title": sid}
    out = io.StringIO()
    YAML().dump(base, out)
    s = load_text(out.getvalue(), "example.yaml")

    def row(year):
        sh = shares(s, year)
        return (sh.get(("CHN", "arms")), sh.get(("EU", "trade")),
                [(p.what, p.size) for p in s.presences(year)],
                s.status("CSTO", "ARM", year), s.status("EU", "SRB", year))

    assert row(2016) == (None, None, [("KFOR", None)], "member", "candidate")
    assert row(2020) == (0.0, pytest.approx(0.63), [("KFOR", None)], "member", "candidate")
    assert row(2023) == (0.0, pytest.approx(0.63), [("KFOR", 4500), ("exercise", 300)],
                         "member", "candidate")
    assert row(2024) == (pytest.approx(0.57), pytest.approx(0.589), [("KFOR", 4500)],
                         "frozen", "candidate")
    assert "ARM" not in s.members("CSTO", 2024) and "RUS" in s.members("CSTO", 2024)


def test_the_command_line_prints_warnings_and_goes_on(tmp_path):
    from typer.testing import CliRunner

    from blocs.cli import build_app

    path = tmp_path / "late.yaml"
    path.write_text(VALID_CASE.replace(
        "  - {from: EU, to: SRB, measure: trade, value: 0.5, year: 2024, source: s1}",
        "  - {from: EU, to: SRB, measure: trade, value: 0.5, year: 2026, source: s1}"))
    for command in ("check", "run"):
        result = CliRunner().invoke(build_app(), [command, str(path)],
                                    env={"NO_COLOR": "1", "COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        [line] = result.stderr.splitlines()
        assert line.startswith(f"{path}:{LINES['tie_1']}: warning: ties[1].year: '2026' is after")

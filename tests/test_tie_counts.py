"""`Scenario.tie_counts`: ties backed by a source versus by an assumption only."""

from __future__ import annotations

from blocs.scenario import load_case, load_text
from blocs.scenario.scenario import TieCounts
from tests.conftest import VALID_CASE, mutate


def test_tie_counts_all_sourced() -> None:
    counts = load_text(VALID_CASE, "mini.yaml").tie_counts()
    assert counts == TieCounts(sourced=3, assumed=0, sources=1)
    assert counts.sourced + counts.assumed == 3


def test_tie_counts_assumptions_and_both() -> None:
    text = mutate(
        "  - {from: EU, to: SRB, measure: trade, value: 0.5, year: 2024, source: s1}\n",
        "  - {from: EU, to: SRB, measure: trade, value: 0.5, year: 2024,"
        " assumption: a guess}\n",
    )
    text = mutate(
        "total: 70, year: 2023, source: s1}",
        "total: 70, year: 2023, source: [s1, s2], assumption: converted at 2023 rates}",
        text,
    )
    text = mutate(
        '  s1: {title: A source, url: "https://example.org"}\n',
        '  s1: {title: A source, url: "https://example.org"}\n'
        '  s2: {title: Another, url: "https://example.org/2"}\n'
        '  s3: {title: Unused, url: "https://example.org/3"}\n',
        text,
    )
    scenario = load_text(text, "mini.yaml")
    sourced, assumed, sources = scenario.tie_counts()
    assert (sourced, assumed, sources) == (2, 1, 2)
    assert len(scenario.case.ties) == 3 and len(scenario.sources) == 3


def test_tie_counts_no_ties() -> None:
    start = VALID_CASE.index("ties:\n")
    end = VALID_CASE.index("issues:\n")
    scenario = load_text(VALID_CASE[:start] + VALID_CASE[end:], "mini.yaml")
    assert scenario.tie_counts() == (0, 0, 0)


def test_tie_counts_builtin() -> None:
    scenario = load_case("serbia-2024")
    counts = scenario.tie_counts()
    assert counts.sourced + counts.assumed == len(scenario.case.ties)
    assert counts.sources <= len(scenario.sources)

"""The built-in case serbia-2016: Serbia as known by the end of 2016 (issue 11 checks the
dynamics against what came after).  Nothing in it may be dated after 2016."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

import blocs
from blocs.scenario.schema import year_span


@pytest.fixture(scope="module")
def serbia_2016():
    return blocs.load_case("serbia-2016")


def test_it_is_built_in_and_clean(serbia_2016):
    assert "serbia-2016" in blocs.builtin_cases()
    assert serbia_2016.year == 2016 and serbia_2016.period == (2016, 2024)
    assert serbia_2016.warnings == ()


def test_nothing_is_dated_after_2016(serbia_2016):
    case = serbia_2016.case
    for tie in case.ties:
        assert year_span(tie.year)[1] <= 2016, tie
    for p in case.geography.presence:
        assert year_span(p.year)[0] <= 2016 and (p.until is None or p.until <= 2016), p
    for org, o in case.organizations.items():  # no membership changes after 2016
        for country in o.members:
            assert serbia_2016.status(org, country, 2016) == serbia_2016.status(
                org, country, 2200), (org, country)
    # Montenegro (2017) and North Macedonia (2020) were not yet in NATO.
    assert {"MNE", "MKD"}.isdisjoint(serbia_2016.members("NATO", 2016))
    assert serbia_2016.status("EU", "SRB", 2016) == "candidate"


def test_its_balance_sheet(serbia_2016):
    balance = blocs.analyse(serbia_2016)
    lev = balance.leverage.set_index(["from", "domain", "kind"])["value"]
    assert lev.get(("CHN", "security", "hard"), 0.0) == 0.0  # no Chinese arms yet
    reach = balance.reach.set_index("from")
    assert any("KFOR" in p["what"] for p in reach.loc["NATO", "presence"])


def test_the_observed_series_ship_with_it():
    text = (resources.files("blocs.scenario") / "cases" / "serbia-2016.observed.csv").read_text(
        "utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert set(rows[0]) == {"series", "year", "value", "source"}
    assert {r["series"] for r in rows} >= {"eu_support_mei", "eu_chapters_opened",
                                           "eu_trade_share", "arms_share_RUS"}
    assert all(r["source"] for r in rows) and max(int(r["year"]) for r in rows) == 2024

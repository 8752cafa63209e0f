"""The documentation's examples work: the annotated case file loads and runs, and the
README's Python lines run."""

from __future__ import annotations

from pathlib import Path

import pytest

import blocs

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_annotated_example_case_loads_and_runs():
    s = blocs.load_case(DOCS / "examples" / "ruritania.yaml")
    assert s.focus == "RUR" and s.case_id == "ruritania"
    balance = blocs.analyse(s)
    # Its own borders: KLO left the League in 2019, so in 2024 the North holds only Syldavia's
    # 190 km of Ruritania's 605 km border (sourced lengths 310 + 190 + 105).
    north = balance.encirclement.set_index("bloc").loc["North"]
    assert north["share"] == pytest.approx(190 / 605)
    assert blocs.reach(s, "NL").access == "direct"
    # The reverse share in the file (Borduria's trade) lowers dependence below bandwidth.
    econ = balance.leverage.set_index(["from", "domain"]).loc[("BOR", "economic")]
    assert econ["dependence"] < econ["bandwidth"]
    assert len(balance.forecasts) == 1


def test_every_case_format_section_is_in_the_example():
    text = (DOCS / "examples" / "ruritania.yaml").read_text()
    for key in ("format:", "sources:", "actors:", "organizations:", "blocs:", "geography:",
                "borders:", "border_lengths:", "presence:", "measures:", "ties:", "issues:",
                "reverse:", "total:", "assumption:"):
        assert key in text, key


def test_readme_python_lines(tmp_path):
    s = blocs.load_case("serbia-2024")
    assert set(blocs.leverage(s).columns) >= {"from", "to", "domain", "kind", "value"}
    assert blocs.reach(s, "RUS").blocked_by == ["West"]
    assert set(blocs.encirclement(s).columns) >= {"bloc", "share"}
    assert set(blocs.forecast(s).columns) >= {"issue", "model", "outcome"}
    written = blocs.analyse(s).write(tmp_path)
    assert (tmp_path / "balance.json") in written

"""The yearly path on the command line: ``blocs run CASE`` over the period, ``--until``,
``--seed``, ``--json`` rows and ``--out`` files; ``blocs backtest CASE`` against observed
series, its baselines recomputed here from the observed file alone, and its one-line errors
(docs/dynamics.md)."""

from __future__ import annotations

import csv
import json
import re
from importlib import resources

import numpy as np
import pytest
from ruamel.yaml import YAML

from tests.cli_helpers import invoke, json_of, one_error
from tests.conftest import LINE_RE
from tests.paths import SHARED, needs_shared


def run_json(*args: str) -> dict:
    return json_of("run", *args)








# ---------------------------------------------------------------------------------------------
# blocs run over the period


def test_run_json_has_the_yearly_rows():
    doc = run_json("serbia-2024", "--seed", "7")
    assert doc["dynamics"] == {"start": 2024, "end": 2035, "model": "default", "seed": 7}
    rows = doc["years"]
    assert set(rows[0]) == {"year", "table", "name", "value"}
    assert sorted({r["year"] for r in rows}) == list(range(2024, 2036))
    by = {(r["year"], r["table"], r["name"]): r["value"] for r in rows}
    # The first year's outcomes are the balance sheet's forecasts (same model, same inputs).
    for f in doc["forecasts"]:
        assert by[(2024, "outcomes", f["issue"])] == pytest.approx(f["outcome"], abs=1e-9)
    # ...and its leverage the balance sheet's (summation order differs: 1e-12).
    for p in doc["powers"]:
        assert by[(2024, "powers", f"{p['power']}/total")] == pytest.approx(p["value"],
                                                                             rel=1e-12)
    # The scheduled shock of 2025 (US sanctions on NIS) is an event of 2025 only.
    assert [y for y in range(2024, 2036) if by[(y, "events", "nis_sanctions")]] == [2025]
    # NaN never reaches the JSON: a missing value is null.
    assert all(v is None or isinstance(v, float | int) for v in by.values())


def test_run_same_seed_same_path_and_until_stops():
    a = run_json("serbia-2024", "--seed", "11")
    b = run_json("serbia-2024", "--seed", "11")
    assert a["years"] == b["years"]
    short = run_json("serbia-2024", "--seed", "11", "--until", "2027")
    assert short["dynamics"]["end"] == 2027
    assert max(r["year"] for r in short["years"]) == 2027
    # The years it has are the same as in the longer run: stopping earlier changes nothing.
    longer = [r for r in a["years"] if r["year"] <= 2027]
    assert short["years"] == longer


def test_run_without_a_seed_reports_the_one_drawn():
    doc = run_json("serbia-2024")
    again = run_json("serbia-2024", "--seed", str(doc["dynamics"]["seed"]))
    assert again["years"] == doc["years"]


def test_year_gives_only_the_balance_sheet():
    doc = run_json("serbia-2024", "--year", "2024")
    assert "years" not in doc and "dynamics" not in doc


def test_run_prints_the_path_as_tables():
    result = invoke("run", "serbia-2024", "--seed", "7", "--until", "2030")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Year by year, 2024-2030 (model default; seed 7)" in text
    year_rows = [ln for ln in text.splitlines() if re.match(r"^│ 20(2[4-9]|30) │", ln)]
    assert len(year_rows) == 2 * 7  # the path table and the leverage table, 7 years each
    assert "'blocs run serbia-2024 --seed 7' repeats this path" in text


def test_out_writes_the_yearly_tables(tmp_path):
    out = tmp_path / "res"
    result = invoke("run", "serbia-2024", "--seed", "3", "--until", "2026", "--out", out)
    assert result.exit_code == 0, result.output
    doc = run_json("serbia-2024", "--seed", "3", "--until", "2026")
    with open(out / "years.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(doc["years"])
    for got, want in zip(rows, doc["years"], strict=True):
        assert (int(got["year"]), got["table"], got["name"]) == (
            want["year"], want["table"], want["name"])
        if want["value"] is None:
            assert got["value"] == ""
        else:
            assert float(got["value"]) == pytest.approx(want["value"], rel=1e-15)
    with open(out / "years_outcomes.csv", newline="", encoding="utf-8") as fh:
        wide = list(csv.DictReader(fh))
    assert [int(r["year"]) for r in wide] == [2024, 2025, 2026]
    assert set(wide[0]) == {"year", "alignment", "sanctions", "kosovo"}
    assert (out / "years.parquet").is_file() and (out / "balance.json").is_file()


@pytest.mark.parametrize(("args", "fragments"), [
    (("serbia-2024", "--until", "2040"), ("--until: 2040", "(allowed: 2024 to 2035)")),
    (("serbia-2024", "--year", "2024", "--until", "2030"), ("--until", "without --year")),
    (("serbia-2024", "--seed", "-1"), ("--seed: -1", "(allowed: 0 to 2**63 - 1)")),
    (("serbia-2016", "--seed", "3"), ("--seed", "no shock that happens by chance")),
])
def test_run_refuses_options_that_do_not_fit(args, fragments):
    line = one_error(invoke("run", *args), *fragments)
    assert line.endswith(")")


# ---------------------------------------------------------------------------------------------
# blocs backtest CASE


def observed_rows() -> list[dict]:
    text = (resources.files("blocs.scenario") / "cases" / "serbia-2016.observed.csv").read_text(
        "utf-8")
    return list(csv.DictReader(text.splitlines()))


def test_backtest_case_json_baselines_recomputed_here():
    result = invoke("backtest", "serbia-2016", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["start"] == 2016 and doc["end"] == 2024
    assert doc["observed"]["file"] == "<builtin>/serbia-2016.observed.csv"
    series = {s["name"]: s for s in doc["series"]}
    for s in doc["series"]:
        assert set(s) == {"name", "n", "mae", "mae_persistence", "mae_trend"}
    rows = observed_rows()
    # The baselines from the observed file alone: persistence carries the last value known by
    # 2016; the trend is the least-squares line through the values known by 2016.
    for name, s in series.items():
        mine = sorted((int(r["year"]), float(r["value"])) for r in rows if r["series"] == name)
        known = [(y, v) for y, v in mine if y <= 2016]
        scored = [(y, v) for y, v in mine if 2016 < y <= 2024]
        assert s["n"] == len(scored)
        last = known[-1][1]
        assert s["mae_persistence"] == pytest.approx(
            sum(abs(v - last) for _, v in scored) / len(scored), abs=1e-12)
        if len({y for y, _ in known}) >= 2:
            xs = [y for y, _ in known]
            ys = [v for _, v in known]
            mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
            slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
                (x - mx) ** 2 for x in xs)
            trend = [my + slope * (y - mx) for y, _ in scored]
            # 1e-6 points: polyfit's least squares against the closed form, both in float64.
            assert s["mae_trend"] == pytest.approx(
                sum(abs(t - v) for t, (_, v) in zip(trend, scored, strict=True)) / len(scored),
                abs=1e-6)
        else:
            assert s["mae_trend"] is None
    assert "arms_share_FRA" in doc["unscored"]  # no observable for France in 2016


def test_backtest_model_error_recomputed_from_the_run():
    """The model's MAE from `blocs run serbia-2016 --json` (the raw observables) anchored by
    hand to the last value known in 2016, against the observed values."""
    doc = json.loads(invoke("backtest", "serbia-2016", "--json").stdout)
    years = run_json("serbia-2016")["years"]
    raw = {(r["year"], r["name"]): r["value"] for r in years if r["table"] == "observables"}
    anchored = {"eu_support_mei", "eu_support_mei_mid", "cfsp_alignment_ec",
                "cfsp_alignment_isac", "eu_chapters_opened", "eu_trade_share"}
    rows = observed_rows()
    for s in doc["series"]:
        name = s["name"]
        mine = sorted((int(r["year"]), float(r["value"])) for r in rows if r["series"] == name)
        known = [v for y, v in mine if y <= 2016]
        shift = known[-1] - raw[(2016, name)] if name in anchored else 0.0
        errors = [abs(raw[(y, name)] + shift - v) for y, v in mine if 2016 < y <= 2024]
        assert s["mae"] == pytest.approx(sum(errors) / len(errors), abs=1e-9), name


def test_backtest_case_table():
    result = invoke("backtest", "serbia-2016")
    assert result.exit_code == 0, result.output
    for word in ("persistence", "trend", "eu_support_mei", "cfsp_alignment_ec", "best"):
        assert word in result.stdout


TINY = """\
format: 1
name: Tiny
focus: SRB
year: 2020
period: {start: 2020, end: 2023}
sources:
  s1: {title: A source}
actors:
  SRB: {name: Serbia, kind: state}
  RUS: {name: Russia, kind: state}
  EU: {name: European Union, kind: union}
organizations:
  EU: {name: European Union, members: {HUN: 2004}, source: s1}
ties:
  - {from: RUS, to: SRB, measure: gas, value: 0.8, year: 2020, source: s1}
  - {from: EU, to: SRB, measure: trade, value: 0.6, year: 2020, source: s1}
trends:
  eu_trade:
    on: tie/EU/SRB/trade
    rate: -0.1
    assumption: ten per cent less each year
issues:
  align:
    question: where?
    stakeholders:
      SRB: {position: 50, salience: 90, capability: 1, source: s1}
      RUS: {position: 100, salience: 50, capability: 1, source: s1}
observables:
  trade:
    quantity: tie/EU/SRB/trade
    scale: 100
    assumption: the share in percent
"""


def test_backtest_another_case_with_its_observed_file_beside_it(tmp_path):
    case = tmp_path / "tiny.yaml"
    case.write_text(TINY, encoding="utf-8")
    (tmp_path / "tiny.observed.csv").write_text(
        "series,year,value,source\ntrade,2019,70,x\ntrade,2020,60,x\ntrade,2021,50,x\n"
        "trade,2023,45,x\n", encoding="utf-8")
    result = invoke("backtest", case, "--json")
    assert result.exit_code == 0, result.output
    [s] = json.loads(result.stdout)["series"]
    # Model: 60 x 0.9^n -> 54 (2021), 43.74 (2023): errors 4 and 1.26.
    assert s["mae"] == pytest.approx((4 + 1.26) / 2, abs=1e-9)
    # Persistence 60: errors 10 and 15.  Trend through (2019, 70), (2020, 60): 50 and 30.
    assert s["mae_persistence"] == pytest.approx(12.5)
    assert s["mae_trend"] == pytest.approx((0 + 15) / 2)
    # The same with --observed pointing at another file.
    other = tmp_path / "elsewhere.csv"
    other.write_text((tmp_path / "tiny.observed.csv").read_text(), encoding="utf-8")
    again = invoke("backtest", case, "--observed", other, "--json")
    assert json.loads(again.stdout)["series"] == json.loads(result.stdout)["series"]


@pytest.mark.parametrize(("content", "line", "fragments"), [
    ("series,when,value,source\n", 1, ("the header is series, when, value, source",
                                        "(allowed: series, year, value, source)")),
    ("series,year,value,source\ntrade,20x1,5,a\n", 2, ("year: '20x1' is not a year",)),
    ("series,year,value,source\ntrade,2021,nan,a\n", 2, ("value: 'nan' is not a number",)),
    ("series,year,value,source\ntrade,2021,5,a\ntrade,2021,6,a\n", 3,
     ("trade 2021 is already on line 2",)),
    ("series,year,value,source\ntrade,2021,5\n", 2, ("3 fields",)),
    ("series,year,value,source\n,2021,5,a\n", 2, ("series: empty",)),
])
def test_bad_observed_file_one_line(tmp_path, content, line, fragments):
    case = tmp_path / "tiny.yaml"
    case.write_text(TINY, encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(content, encoding="utf-8")
    text = one_error(invoke("backtest", case, "--observed", bad), f"{bad}:{line}:", *fragments)
    assert LINE_RE.match(text) and text.endswith(")")


def test_backtest_case_errors(tmp_path):
    one_error(invoke("backtest", "serbia-2024"), "no observed values",
              "(allowed: --observed FILE")
    plain = tmp_path / "plain.yaml"
    plain.write_text(TINY.split("observables:")[0], encoding="utf-8")
    obs = tmp_path / "o.csv"
    obs.write_text("series,year,value,source\n", encoding="utf-8")
    one_error(invoke("backtest", plain, "--observed", obs), "declares no observables")
    one_error(invoke("backtest", "serbia-2016", "--model", "eum"), "--model: only for a DEU")


# ---------------------------------------------------------------------------------------------
# the observed values come from the shared history table

#: Rows whose value is not printed as such in the history row, each said in serbia-2016.md:
#: a supplier that delivered nothing (0), "about 2/3" (66.7), and 2017's derived EU share.
DERIVED = {("arms_share_RUS", "2013"), ("arms_share_CHN", "2013"), ("arms_share_FRA", "2013"),
           ("eu_trade_share", "2015"), ("eu_trade_share", "2017")}


@needs_shared
def test_observed_values_are_the_history_rows():
    history = YAML(typ="safe", pure=True).load(
        (SHARED / "case" / "serbia-history" / "history.yaml").read_text("utf-8"))
    rows_by_id = {r["id"]: r for r in history}
    for r in observed_rows():
        ids = r["source"].split()
        assert all(i in rows_by_id for i in ids), r
        if (r["series"], r["year"]) in DERIVED:
            continue
        text = " ".join(f"{rows_by_id[i].get('value', '')} {rows_by_id[i].get('quote/where seen')}"
                        for i in ids)
        numbers = [float(x.replace(",", ".")) for x in re.findall(r"\d+(?:[.,]\d+)?", text)]
        assert np.isclose(numbers, float(r["value"]), rtol=0, atol=1e-9).any(), r

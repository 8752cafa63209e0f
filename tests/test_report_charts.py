"""The briefing's charts (src/blocs/report/charts.py) on the Serbia case: what each chart draws
is the balance sheet's numbers (read back from the artists), the SVG is safe to put inline
(text as paths, a title, no URL, no script, no CSS), user text is drawn literally, empty
inputs give a figure that says so, and `save` writes PNG and SVG."""

from __future__ import annotations

import ast
import itertools
import re
import struct
import threading
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import replace

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.text import Text

import blocs
from blocs.bargaining.forecast import issue_arrays
from blocs.ensemble.runner import run_ensemble
from blocs.ensemble.summary import event_probabilities, quantiles
from blocs.report import charts

SVG_NS = "http://www.w3.org/2000/svg"


@pytest.fixture(scope="module")
def serbia():
    s = blocs.load_case("serbia-2024")
    balance = blocs.analyse(s)
    tables = blocs.simulate(s, seed=1).tables()
    ens = run_ensemble(s, 200, seed=1)
    q = quantiles(ens.outcomes, ens.years, ens.names)
    ev = event_probabilities(s, ens.outcomes, ens.years, ens.names)
    return {"scenario": s, "balance": balance, "tables": tables, "quantiles": q, "events": ev}


@pytest.fixture(scope="module")
def eum_entry():
    return blocs.forecast_file("serbia-2024", "eum")["issues"][0]


def _ax(fig: Figure):
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 1
    return fig.axes[0]


def _ranked(balance) -> pd.DataFrame:
    p = balance.powers
    return p[p["value"] > 0].sort_values("value", ascending=False, kind="stable")


def _bars_by_row(ax) -> dict[float, list]:
    rows = defaultdict(list)
    for patch in ax.patches:
        rows[round(patch.get_y() + patch.get_height() / 2, 6)].append(patch)
    return rows


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text)]


def _is_message(fig: Figure) -> bool:
    return isinstance(fig, Figure) and not fig.axes and len(fig.texts) == 2


# --- balance sheet ---------------------------------------------------------------------------


def test_leverage_by_domain_draws_each_cell_of_each_power(serbia):
    balance = serbia["balance"]
    fig = charts.leverage_by_domain(balance)
    ax = _ax(fig)
    ranked = _ranked(balance)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    ticks = list(ax.get_yticks())
    assert labels == list(ranked["power"])  # largest total first (at the top)
    assert ticks == sorted(ticks, reverse=True)
    rows = _bars_by_row(ax)
    assert len(rows) == len(ranked)  # one bar group per power with leverage
    lev = balance.leverage
    for power, y in zip(labels, ticks, strict=True):
        patches = rows[round(float(y), 6)]
        cells = lev[(lev["from"] == power) & (lev["value"] > 0)]
        assert sorted(p.get_width() for p in patches) == pytest.approx(sorted(cells["value"]))
        total = float(ranked.set_index("power").loc[power, "value"])
        assert sum(p.get_width() for p in patches) == pytest.approx(total)
        hard = cells[cells["kind"] == "hard"]["value"]
        assert sorted(p.get_width() for p in patches if p.get_hatch()) == pytest.approx(
            sorted(hard))
        # segments touch end to end from 0
        lefts = sorted((p.get_x(), p.get_x() + p.get_width()) for p in patches)
        assert lefts[0][0] == 0
        assert all(a[1] == pytest.approx(b[0]) for a, b in itertools.pairwise(lefts))
    assert f"{ranked['value'].iloc[0]:.2f}" in " ".join(_texts(fig))
    assert fig.get_size_inches()[0] == pytest.approx(7.0)


def test_soft_hard_pairs_of_bars_are_the_powers_columns(serbia):
    balance = serbia["balance"]
    ax = _ax(charts.soft_hard(balance))
    ranked = _ranked(balance)
    assert len(ax.patches) == 2 * len(ranked)
    solid = [p for p in ax.patches if not p.get_hatch()]
    hatched = [p for p in ax.patches if p.get_hatch()]
    top_down = lambda ps: sorted(ps, key=lambda p: -p.get_y())  # noqa: E731
    assert [p.get_width() for p in top_down(solid)] == pytest.approx(list(ranked["soft"]))
    assert [p.get_width() for p in top_down(hatched)] == pytest.approx(list(ranked["hard"]))
    # each power's two bars share its colour
    colours = charts.power_colours(ranked["power"])
    for p, name in zip(top_down(solid), ranked["power"], strict=True):
        assert mpl.colors.to_hex(p.get_facecolor()) == colours[name].lower()


def test_bloc_totals_bars_are_percent_shares(serbia):
    balance = serbia["balance"]
    fig = charts.bloc_totals(balance)
    ax = _ax(fig)
    assert len(ax.patches) == len(balance.blocs)
    widths = [p.get_width() for p in sorted(ax.patches, key=lambda p: -p.get_y())]
    assert widths == pytest.approx(list(100 * balance.blocs["share"]))
    words = " ".join(_texts(fig))
    for share in balance.blocs["share"]:
        assert f"{100 * share:.1f}%" in words
    assert f"{balance.effective_pillars:.2f}" in ax.get_title(loc="left")


# --- years and ensembles ---------------------------------------------------------------------


def test_pillars_path_lines_and_bands(serbia):
    tables, q = serbia["tables"], serbia["quantiles"]
    ax = _ax(charts.pillars_path(tables, q))
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 6  # 50/80/95% for pillars and for powers
    solid = [ln for ln in ax.lines if ln.get_linestyle() == "-"]
    dashed = [ln for ln in ax.lines if ln.get_linestyle() == "--"]
    assert len(solid) == 2 and len(dashed) == 2
    got = sorted(tuple(np.round(ln.get_ydata(), 9)) for ln in solid)
    want = sorted(tuple(np.round(tables["pillars"][c].to_numpy(), 9))
                  for c in ("pillars", "powers"))
    assert got == want
    medians = sorted(tuple(np.round(ln.get_ydata(), 9)) for ln in dashed)
    assert medians == sorted(tuple(np.round(q[q["name"] == n]["median"].to_numpy(), 9))
                             for n in ("pillars", "pillars/powers"))
    # one source alone
    ax = _ax(charts.pillars_path(tables))
    assert len(ax.lines) == 2 and not ax.collections
    ax = _ax(charts.pillars_path(ensemble_quantiles=q))
    assert len(ax.lines) == 2 and len(ax.collections) == 6


def test_fan_bands_and_median(serbia):
    q = serbia["quantiles"]
    rows = q[q["name"] == "outcome/kosovo"].sort_values("year")
    ax = _ax(charts.fan(q, "outcome/kosovo", "Kosovo"))
    assert ax.get_title(loc="left") == "Kosovo"
    assert len(ax.collections) == 3
    assert len(ax.lines) == 1
    assert list(ax.lines[0].get_ydata()) == pytest.approx(list(rows["median"]))
    assert list(ax.lines[0].get_xdata()) == list(rows["year"])
    for band, (lo, hi) in zip(ax.collections, [("q025", "q975"), ("q10", "q90"),
                                               ("q25", "q75")], strict=True):
        y = band.get_paths()[0].vertices[:, 1]
        assert y.min() == pytest.approx(rows[lo].min())
        assert y.max() == pytest.approx(rows[hi].max())


def test_event_bars_are_probabilities(serbia):
    ev = serbia["events"]
    fig = charts.event_bars(ev)
    ax = _ax(fig)
    assert len(ax.patches) == len(ev)
    widths = [p.get_width() for p in sorted(ax.patches, key=lambda p: -p.get_y())]
    assert widths == pytest.approx(list(100 * ev["probability"]))
    assert all("%" in t.get_text() for t in ax.texts)
    made = pd.DataFrame({"name": ["a", "b", "c", "d"], "event": ["A", "B", "", None],
                         "probability": [0.5, 0.004, 1.0, float("nan")]})
    fig = charts.event_bars(made)
    assert [t.get_text().strip() for t in _ax(fig).texts] == ["50%", "<1%", "100%", "n/a"]
    assert [t.get_text() for t in _ax(fig).get_yticklabels()] == ["A", "B", "c", "d"]


# --- issues and bargaining -------------------------------------------------------------------


def _issue_inputs(serbia, issue="kosovo"):
    s, balance = serbia["scenario"], serbia["balance"]
    arr = issue_arrays(s, issue)
    st = list(zip(arr.actors, arr.positions, arr.salience, arr.capability, strict=True))
    row = balance.forecasts.set_index("issue").loc[issue]
    fc = [("default", row["outcome"]), ("eum", 53.0), ("compromise", 54.0)]
    return s.case.issues[issue], st, fc, (row["lo80"], row["hi80"])


def test_issue_positions_dots_sizes_and_forecasts(serbia):
    iss, st, fc, interval = _issue_inputs(serbia)
    fig = charts.issue_positions("kosovo", iss.question, iss.low, iss.high, st, fc, interval)
    ax = _ax(fig)
    dots = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(dots) == 1
    xs = dots[0].get_offsets()[:, 0]
    assert list(xs) == pytest.approx([p for _, p, _, _ in st])
    sizes = dots[0].get_sizes()
    weights = np.array([s * c for _, _, s, c in st])
    assert sizes / sizes.max() == pytest.approx(weights / weights.max())
    words = _texts(fig)
    for actor, *_ in st:
        assert actor in words
    for model, value in fc:
        assert f"{model} {value:.0f}" in words
    markers = [ln for ln in ax.lines if ln.get_marker() == "v"]
    assert sorted(ln.get_xdata()[0] for ln in markers) == pytest.approx(sorted(v for _, v in fc))
    assert len(ax.patches) == 1  # the 80% interval
    band = ax.patches[0]
    assert (band.get_x(), band.get_x() + band.get_width()) == pytest.approx(tuple(interval))
    joined = " ".join(words)
    assert "no normalisation" in joined and "Ohrid" in joined and "→" in joined
    # Without forecasts or interval: dots only.
    ax = _ax(charts.issue_positions("kosovo", iss.question, None, None, st, [], None))
    assert not ax.patches and not ax.lines


def test_bargaining_path_rounds_and_one_shot(serbia, eum_entry):
    rounds, actors = eum_entry["rounds"], eum_entry["actors"]
    ax = _ax(charts.bargaining_path(rounds, actors, "EUM"))
    assert len(ax.lines) == len(actors) + 1
    outcome = max(ax.lines, key=lambda ln: ln.get_linewidth())
    assert list(outcome.get_ydata()) == pytest.approx([r["outcome"] for r in rounds])
    for j, line in enumerate(ax.lines[: len(actors)]):
        assert list(line.get_ydata()) == pytest.approx([r["positions"][j] for r in rounds])
        assert len(line.get_xdata()) == len(rounds)
    one = blocs.forecast_file("serbia-2024", "compromise")["issues"][0]
    assert len(one["rounds"]) == 1
    ax = _ax(charts.bargaining_path(one["rounds"], one["actors"], "compromise"))
    points = ax.lines[: len(one["actors"])]
    assert all(len(ln.get_ydata()) == 1 and ln.get_marker() == "o" for ln in points)
    assert [ln.get_ydata()[0] for ln in points] == pytest.approx(one["rounds"][0]["positions"])
    outcome = ax.lines[-1]
    assert outcome.get_linewidth() > 3 and len(ax.lines) == len(one["actors"]) + 1
    assert list(outcome.get_ydata()) == pytest.approx([one["rounds"][0]["outcome"]] * 2)
    # Several dimensions: the first is drawn.
    multi = [{"positions": [[10, 1], [90, 2]], "outcome": [50, 1.5]},
             {"positions": [[20, 1], [80, 2]], "outcome": [50, 1.5]}]
    ax = _ax(charts.bargaining_path(multi, ["A", "B"]))
    assert list(ax.lines[0].get_ydata()) == [10, 20]
    assert "first dimension" in ax.get_ylabel()


# --- SVG, user text, empty inputs, files -----------------------------------------------------


def _check_svg(svg: str, title: str) -> ET.Element:
    assert svg.startswith("<svg")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg
    assert f"<title>{title}</title>" in svg
    assert "<text" not in svg
    assert "<script" not in svg.lower()
    assert "<style" not in svg and "style=" not in svg
    assert set(re.findall(r"https?://[^\s\"'<>)]*", svg)) == {SVG_NS}
    root = ET.fromstring(svg)
    assert root.tag == f"{{{SVG_NS}}}svg" and root.get("role") == "img"
    assert root[0].tag == f"{{{SVG_NS}}}title"
    return root


def test_every_chart_as_svg(serbia, eum_entry):
    iss, st, fc, interval = _issue_inputs(serbia)
    b, q = serbia["balance"], serbia["quantiles"]
    figs = {
        "leverage": charts.leverage_by_domain(b),
        "soft-hard": charts.soft_hard(b),
        "blocs": charts.bloc_totals(b),
        "pillars": charts.pillars_path(serbia["tables"], q),
        "fan": charts.fan(q, "outcome/alignment"),
        "events": charts.event_bars(serbia["events"]),
        "issue": charts.issue_positions("kosovo", iss.question, iss.low, iss.high, st, fc,
                                        interval),
        "path": charts.bargaining_path(eum_entry["rounds"], eum_entry["actors"]),
    }
    ids = {}
    for name, fig in figs.items():
        svg = charts.to_svg(fig, f"Chart {name} & co")
        root = _check_svg(svg, f"Chart {name} &amp; co")
        ids[name] = {el.get("id") for el in root.iter() if el.get("id")}
        refs = set(re.findall(r'href="#([^"]+)"', svg)) | set(re.findall(r"url\(#([^)]+)\)", svg))
        assert refs <= ids[name], name  # every reference resolves inside this SVG
    assert charts.to_svg(figs["fan"], "x") == charts.to_svg(figs["fan"], "x")  # deterministic
    for a, b_ in itertools.combinations(ids, 2):
        assert not ids[a] & ids[b_]  # several charts can share one page


def test_user_text_is_drawn_literally(serbia):
    st = [("<script>alert(1)</script>", 40, 80, 50), ("$x$", 70, 50, 30),
          ("$\\alpha$ & co", 10, 0, 10)]
    fig = charts.issue_positions("i<1>", "Is $x$ < <script>?", "low $a$", "high </svg>", st,
                                 [("$m$", 55)], (30, 60))
    assert all(not t.get_parse_math() and not t.get_usetex() for t in fig.findobj(Text))
    words = _texts(fig)
    assert "<script>alert(1)</script>" in words and "$x$" in words
    svg = charts.to_svg(fig, "<script>alert(1)</script>")
    _check_svg(svg, "&lt;script&gt;alert(1)&lt;/script&gt;")
    font = get_font(findfont(FontProperties(family="DejaVu Sans")))
    dollar = f"{font.postscript_name}-{font.get_char_index(ord('$')):x}"
    assert re.search(rf'id="[^"]*-{re.escape(dollar)}"', svg)  # the $ itself is drawn
    assert "Oblique" not in svg and "Italic" not in svg  # no mathtext italics
    lev = serbia["balance"]
    odd = lev.powers.assign(power=lev.powers["power"].replace({"EU": "$EU$"}))
    fig = charts.soft_hard(replace(lev, powers=odd))
    assert "$EU$" in [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert all(not t.get_parse_math() for t in fig.findobj(Text))
    _check_svg(charts.to_svg(fig, "t"), "t")


def test_empty_inputs_give_a_message_figure(serbia):
    b = serbia["balance"]
    empty = replace(b, powers=b.powers.iloc[0:0], leverage=b.leverage.iloc[0:0],
                    blocs=b.blocs.iloc[0:0])
    zero = replace(b, powers=b.powers.assign(value=0.0, soft=0.0, hard=0.0),
                   blocs=b.blocs.assign(share=float("nan")))
    figs = [charts.leverage_by_domain(empty), charts.soft_hard(empty),
            charts.bloc_totals(empty), charts.leverage_by_domain(zero),
            charts.soft_hard(zero), charts.bloc_totals(zero),
            charts.pillars_path(), charts.pillars_path({}, pd.DataFrame()),
            charts.fan(None, "pillars"), charts.fan(serbia["quantiles"], "outcome/nothing"),
            charts.event_bars(None), charts.event_bars(pd.DataFrame()),
            charts.issue_positions("x", "Q?", None, None, [], [], None),
            charts.issue_positions("x", None, None, None, [("A", None, 1, 1)], [], None),
            charts.bargaining_path([], ["A"]), charts.bargaining_path(None, [])]
    for fig in figs:
        assert _is_message(fig)
        assert fig.get_size_inches()[1] < 2
        _check_svg(charts.to_svg(fig, "empty"), "empty")


def test_save_writes_png_and_svg(tmp_path):
    fig = charts.fan(pd.DataFrame({"name": ["x", "x"], "year": [2024, 2025], "median": [1, 2],
                                   "q025": [0, 0], "q10": [0, 1], "q25": [1, 1], "q75": [1, 2],
                                   "q90": [2, 3], "q975": [3, 4]}), "x")
    paths = charts.save(fig, tmp_path / "out", "fan-x", title="A fan")
    assert [p.name for p in paths] == ["fan-x.png", "fan-x.svg"]
    png = paths[0].read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width == 7 * 150 and height == round(fig.get_size_inches()[1] * 150)
    _check_svg(paths[1].read_text(encoding="utf-8"), "A fan")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["fan-x.png", "fan-x.svg"]
    for bad in ("../up", "a/b", ".hidden", "", "a b"):
        with pytest.raises(ValueError):
            charts.save(fig, tmp_path, bad)


def test_colours_settings_and_threads(serbia):
    assert charts.power_colours(["EU", "RUS", "CHN"]) == charts.power_colours(["CHN", "EU",
                                                                               "RUS"])
    many = charts.power_colours([f"P{i}" for i in range(12)])
    assert len(set(many.values())) == 12  # distinct while the palette lasts
    assert len(charts.power_colours([f"P{i}" for i in range(30)])) == 30
    before = dict(mpl.rcParams)
    b = serbia["balance"]
    serial = charts.to_svg(charts.leverage_by_domain(b), "t")
    assert dict(mpl.rcParams) == before  # settings are local to the chart
    out: list[str] = []

    def work():
        out.append(charts.to_svg(charts.leverage_by_domain(b), "t"))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == [serial] * 3
    source = ast.parse(open(charts.__file__, encoding="utf-8").read())
    imported = {a.name for n in ast.walk(source) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(source) if isinstance(n, ast.ImportFrom)}
    assert not any("pyplot" in (m or "") for m in imported)


def test_long_names_and_odd_tables():
    st = [("A very long stakeholder name that goes on and on", 50, 50, 50), ("B", 52, 50, 50),
          ("C", float("nan"), 50, 50), ("D", 130, 20, -5)]
    fig = charts.issue_positions("x", "Q" * 300, "l" * 200, "h" * 200, st, [("m", 200)],
                                 (float("nan"), 10))
    ax = _ax(fig)
    assert len(ax.collections[0].get_offsets()) == 3  # C has no position
    assert ax.get_xlim()[1] > 200  # the axis stretches to what it must show
    assert not ax.patches  # an interval with a NaN end is left out
    _check_svg(charts.to_svg(fig, "t"), "t")
    fig = charts.event_bars(pd.DataFrame({"probability": [0.2]}))
    assert [t.get_text() for t in _ax(fig).get_yticklabels()] == ["0"]

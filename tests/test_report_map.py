"""The map of the region (blocs.report.map) and the shapes it is drawn from (blocs.report.geo).

The map is read back from the figure: each country's patch has the gid ``country-ISO3``, each
force stationed ``presence-ACTOR-HOST-K``, each land route ``route-POWER`` (``-sea`` for its
sea legs), each closed border ``closed-A-B``; the same ids are the elements' ids in the SVG.
"""

from __future__ import annotations

import io
import math
import time
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from shapely.geometry import Point

from blocs.reference import load_borders
from blocs.report.geo import country_shapes, shared_border
from blocs.report.map import (
    CLOSED_COLOUR,
    FOCUS_FILL,
    NEUTRAL,
    bloc_colours,
    fill_colour,
    region_map,
    region_of,
)
from blocs.scenario import load_case
from tests.helpers import HEAD, case
from tests.paths import REPO

ARMENIA = REPO / "tests" / "cases" / "armenia-2024.yaml"


def _head(focus: str) -> str:
    return HEAD.replace("focus: TGT", f"focus: {focus}")


def _patches(fig) -> dict:
    return {p.get_gid(): p for p in fig.axes[0].patches if p.get_gid()}


def _lines(fig) -> dict:
    return {line.get_gid(): line for line in fig.axes[0].lines if line.get_gid()}


def _collections(fig) -> dict:
    return {c.get_gid(): c for c in fig.axes[0].collections if c.get_gid()}


def _texts(fig) -> list[str]:
    ax = fig.axes[0] if fig.axes else None
    out = [t.get_text() for t in fig.texts]
    if ax is not None:
        out += [t.get_text() for t in ax.texts]
    for legend in fig.legends:
        out += [t.get_text() for t in legend.get_texts()]
    return out


def _same_colour(a, b) -> bool:
    return np.allclose(to_rgba(a), to_rgba(b), atol=1e-3)


@pytest.fixture(scope="module")
def serbia():
    return load_case("serbia-2024")


@pytest.fixture(scope="module")
def serbia_map(serbia):
    return region_map(serbia)


# -- the shapes ----------------------------------------------------------------------------------


def test_serbia_decodes_to_a_plausible_polygon():
    srb = country_shapes()["SRB"]
    assert srb.geom_type == "MultiPolygon" and srb.is_valid
    c = srb.centroid
    assert 19 < c.x < 23 and 42 < c.y < 46.5
    # About 77,500 km^2 without Kosovo; near 44 N a square degree is about 8,900 km^2.
    assert 7.5 < srb.area < 10.0
    x0, y0, x1, y1 = srb.bounds
    assert 18.5 < x0 < 19.5 and 22.5 < x1 < 23.5 and 42 < y0 < 43 and 45.8 < y1 < 46.5


def test_neighbours_touch_and_share_their_border():
    shapes = country_shapes()
    srb = shapes["SRB"]
    for n in load_borders()["SRB"]:
        assert shapes[n].touches(srb), n
        assert shared_border("SRB", n).length > 0.3, n
    assert not shapes["ALB"].intersects(srb)
    assert shared_border("SRB", "ALB").is_empty and shared_border("SRB", "NOPE").is_empty


def test_every_shape_is_valid_in_the_world_and_holds_its_point():
    shapes = country_shapes()
    graph = load_borders()
    assert set(shapes) == set(graph)
    assert {c for c, s in shapes.items() if s.is_empty} == {"VAT", "ATC"}
    for code, shape in shapes.items():
        assert shape.is_valid, code
        if shape.is_empty:
            continue
        x0, y0, x1, y1 = shape.bounds
        assert -180 <= x0 and x1 <= 180 and -90 <= y0 and y1 <= 90, code
        # countries.csv's points were derived from the same shapes by another decoder
        point = Point(graph.nodes[code]["lon"], graph.nodes[code]["lat"])
        assert shape.covers(point), code
    # Rings across the antimeridian are cut there, not drawn round the world.
    for code in ("RUS", "FJI"):
        assert all(p.bounds[2] - p.bounds[0] < 180 for p in shapes[code].geoms), code
    assert country_shapes() is shapes  # decoded once


# -- the Serbia map ------------------------------------------------------------------------------


def test_region_is_two_rings_of_neighbours(serbia):
    region = region_of(serbia)
    assert region[0] == "SRB"
    assert set(load_borders()["SRB"]) < set(region)
    assert {"UKR", "TUR", "ALB", "SVN", "AUT"} <= set(region)  # neighbours' neighbours
    assert "DEU" not in region and "ITA" not in region


def test_countries_are_coloured_by_bloc_and_the_focus_outlined(serbia, serbia_map):
    patches = _patches(serbia_map)
    west = fill_colour(bloc_colours(serbia)["West"])
    srb = patches["country-SRB"]
    assert _same_colour(srb.get_facecolor(), FOCUS_FILL)
    assert _same_colour(srb.get_edgecolor(), "black") and srb.get_linewidth() >= 2
    for code in ("HUN", "ROU", "BGR", "HRV", "MNE", "MKD"):
        assert _same_colour(patches[f"country-{code}"].get_facecolor(), west), code
    for code in ("BIH", "XKX"):
        assert _same_colour(patches[f"country-{code}"].get_facecolor(), NEUTRAL), code
    assert not any(gid.endswith("-hatch") for gid in patches)
    legend = _texts(serbia_map)
    assert "the West" in legend and "more-than-the-rest" in legend  # the blocs' labels


def test_forces_stationed_are_discs_with_their_size(serbia_map):
    discs = _collections(serbia_map)
    kfor = discs["presence-NATO-XKX-0"]
    usa = discs["presence-USA-XKX-1"]
    assert kfor.get_sizes()[0] > usa.get_sizes()[0]  # area proportional to the size
    assert math.isclose(kfor.get_sizes()[0] / usa.get_sizes()[0], 4500 / 635, rel_tol=1e-6)
    xkx = load_borders().nodes["XKX"]
    assert np.allclose(kfor.get_offsets()[0], (xkx["lon"], xkx["lat"]))
    texts = _texts(serbia_map)
    assert "NATO KFOR 4,500" in texts
    assert any(t.replace("\n", " ") == "USA US contingent of KFOR 635" for t in texts)


def test_routes_of_the_powers_that_reach_serbia(serbia_map):
    lines = _lines(serbia_map)
    for power in ("EU", "NATO", "USA"):
        assert f"route-{power}" in lines, power
    assert not any(g.startswith(("route-RUS", "route-CHN")) for g in lines)  # blocked
    eu = lines["route-EU"]
    nodes = load_borders().nodes
    xs, ys = eu.get_xdata(), eu.get_ydata()
    assert (xs[0], ys[0]) == (nodes["HUN"]["lon"], nodes["HUN"]["lat"])
    assert (xs[1], ys[1]) == (nodes["SRB"]["lon"], nodes["SRB"]["lat"])
    colours = {to_rgba(lines[f"route-{p}"].get_color()) for p in ("EU", "NATO", "USA")}
    assert len(colours) == 3  # one colour per power
    assert not any(g.startswith("closed-") for g in lines)


def test_the_svg_keeps_the_ids(serbia_map, tmp_path: Path):
    out = tmp_path / "serbia.svg"
    with matplotlib.rc_context({"svg.fonttype": "path"}):
        serbia_map.savefig(out, format="svg")
    svg = out.read_text(encoding="utf-8")
    for gid in ("country-SRB", "country-HUN", "country-BIH", "presence-NATO-XKX-0",
                "route-EU", "route-NATO", "route-USA"):
        assert f'id="{gid}"' in svg, gid
    assert "<text" not in svg  # text drawn as paths
    assert "url(" not in svg  # no clip path, no pattern: nothing a strict page refuses


def test_the_map_of_another_year(serbia):
    patches = _patches(region_map(serbia, 2016))
    # Montenegro joined NATO in 2017: neutral in 2016.
    assert _same_colour(patches["country-MNE"].get_facecolor(), NEUTRAL)
    # KFOR's size is known from 2022 on: no disc in 2016.
    assert not _collections(region_map(serbia, 2016))


def test_serbia_draws_fast_when_warm(serbia):
    region_map(serbia)
    start = time.perf_counter()
    region_map(serbia)
    assert time.perf_counter() - start < 2.0


# -- closed borders, sea legs, several blocs -----------------------------------------------------


def test_armenia_draws_its_closed_borders():
    armenia = load_case(ARMENIA)
    fig = region_map(armenia)
    lines = _lines(fig)
    for pair, name in ((("ARM", "AZE"), "Azerbaijan"), (("ARM", "TUR"), "Turkey")):
        line = lines[f"closed-{pair[0]}-{pair[1]}"]
        xs = np.asarray(line.get_xdata(), dtype=float)
        assert np.isfinite(xs).sum() >= 2
        assert _same_colour(line.get_color(), CLOSED_COLOUR) and line.get_linewidth() >= 3
        assert line.get_linestyle() != "-"
        assert f"closed border: Armenia–{name}" in _texts(fig)
    assert "closed-ARM-GEO" not in lines and "closed-ARM-IRN" not in lines
    assert _same_colour(_patches(fig)["country-ARM"].get_facecolor(), FOCUS_FILL)


SEA = """
actors:
  GRC: {name: Greece, kind: state}
  CYP: {name: Cyprus, kind: state}
  BGR: {name: Bulgaria, kind: state}
blocs:
  South: {members: [CYP]}
  North: {members: [BGR]}
geography:
  borders: builtin
  sea_routes:
    - {a: CYP, b: GRC, assumption: shipping across the Aegean}
"""


def test_sea_legs_are_dashed():
    lines = _lines(region_map(case(SEA, _head("GRC"))))
    sea = lines["route-CYP-sea"]  # an island: only by sea
    assert sea.get_linestyle() != "-" and np.isfinite(sea.get_xdata()).sum() >= 2
    assert "route-CYP" not in lines  # no part over land
    assert lines["route-BGR"].get_linestyle() == "-" and "route-BGR-sea" not in lines


SEVERAL = """
actors:
  FIN: {name: Finland, kind: state}
  SWE: {name: Sweden, kind: state}
  NOR: {name: Norway, kind: state}
  NORD: {name: Nord, kind: alliance}
organizations:
  NORD: {name: Nord, members: {SWE: 1990, FIN: 1990}, source: s}
blocs:
  A: {label: Alpha, members: [NORD]}
  B: {name: Beta, members: [SWE, NOR]}
"""


def test_a_country_of_several_blocs_is_hatched_and_the_focus_never_bloc_land():
    s = case(SEVERAL, _head("FIN"))
    fig = region_map(s)
    patches = _patches(fig)
    colours = bloc_colours(s)
    assert _same_colour(patches["country-SWE"].get_facecolor(), fill_colour(colours["A"]))
    hatch = _lines(fig)["country-SWE-hatch"]  # lines, not an SVG pattern (no url())
    assert _same_colour(hatch.get_color(), colours["B"])
    assert np.isfinite(hatch.get_xdata()).sum() > 20
    assert _same_colour(patches["country-NOR"].get_facecolor(), fill_colour(colours["B"]))
    # Finland is a member of NORD (bloc A) but, as the focus, never bloc territory.
    assert _same_colour(patches["country-FIN"].get_facecolor(), FOCUS_FILL)
    assert {"Alpha", "Beta", "Alpha + Beta"} <= set(_texts(fig))
    svg = io.StringIO()
    fig.savefig(svg, format="svg")
    assert 'id="country-SWE-hatch"' in svg.getvalue() and "url(" not in svg.getvalue()


# -- robustness ----------------------------------------------------------------------------------


def test_a_focus_without_a_shape_gives_a_no_map_figure():
    s = case("""
    actors:
      TGT: {name: Target, kind: state}
      FOO: {name: Foo, kind: state}
    geography:
      borders:
        - {a: FOO, b: TGT, length_km: 100, source: s}
    """)
    fig = region_map(s)
    assert not fig.axes
    assert _texts(fig) == ["no map: TGT is not in the shipped shapes"]


def test_text_from_the_case_is_drawn_as_written(tmp_path: Path):
    s = case("""
    actors:
      SRB: {name: "$x$ <b>", kind: state}
      USA: {name: "$y$ & <i>", kind: state}
    blocs:
      W: {label: "$x$ <b>", members: [USA]}
    geography:
      presence:
        - {actor: USA, country: XKX, what: "$x$ <b>", size: 10, year: 2020, source: s}
    """, _head("SRB"))
    # No TeX and no mathtext for any text, even where the caller's settings ask for TeX.
    with matplotlib.rc_context({"text.usetex": True, "svg.fonttype": "none"}):
        fig = region_map(s)
        fig.savefig(tmp_path / "odd.svg", format="svg")
        fig.savefig(tmp_path / "odd.png", format="png", dpi=50)
    texts = _texts(fig)
    assert "$x$ <b>" in texts and "USA $x$ <b> 10" in texts
    assert "$x$ <b> and its region, 2024" == fig.axes[0].get_title(loc="left")
    svg = (tmp_path / "odd.svg").read_text(encoding="utf-8")
    assert "$x$ &lt;b&gt;" in svg and "<b>" not in svg


@pytest.mark.parametrize("focus", ["FJI", "ISL", "VAT", "RUS", "CHL"])
def test_any_focus_in_the_shapes_draws(focus: str, tmp_path: Path):
    # islands without a land neighbour, across the antimeridian, a single vertex, the
    # largest; no bloc, no presence, no route
    s = case(f"actors:\n  {focus}: {{name: Focus, kind: state}}\n", _head(focus))
    fig = region_map(s, reach=pd.DataFrame())
    assert f"country-{focus}" in _patches(fig) or f"country-{focus}" in _lines(fig)
    x0, x1 = fig.axes[0].get_xlim()
    if focus == "FJI":  # both sides of the antimeridian, side by side
        assert x1 - x0 < 40
    assert "in no bloc" in _texts(fig)
    fig.savefig(tmp_path / "map.svg", format="svg")


def test_one_bloc_and_a_reach_table_given():
    s = case("""
    actors:
      TUR: {name: Turkey, kind: state}
      GRC: {name: Greece, kind: state}
    blocs:
      Only: {members: [GRC]}
    """, _head("TUR"))
    reach = pd.DataFrame([{"from": "GRC", "route": ["GRC", "TUR.1"], "sea_legs": []},
                          {"from": "XYZ", "route": None, "sea_legs": []}])
    fig = region_map(s, reach=reach)
    assert set(g for g in _lines(fig) if g.startswith("route-")) == {
        "route-GRC", "route-GRC-origin"}
    assert _same_colour(_patches(fig)["country-GRC"].get_facecolor(),
                        fill_colour(bloc_colours(s)["Only"]))

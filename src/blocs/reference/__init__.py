"""Reference data every part of blocs may read: the world's countries, land borders
and land masses.

Below both `blocs.scenario` (validation checks country codes and borders against it) and
`blocs.geography` (reach walks the borders), so that neither imports the other for it.  It
imports nothing else of blocs.
"""

from blocs.reference.borders import country_names, load_borders, load_land, shapes_path

__all__ = ["country_names", "load_borders", "load_land", "shapes_path"]

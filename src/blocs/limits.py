"""The numbers every bargaining model accepts (docs/bargaining.md, "Inputs every model accepts").

Plain numbers and messages, no numpy and no other part of blocs: case-file validation
(`blocs.scenario.validate`) and the bargaining readers (`blocs.bargaining.problem`) both check
capabilities and positions against these bounds, and neither imports the other for it.
"""

from __future__ import annotations

import math

__all__ = [
    "BOUND_TEXT",
    "MAX_CAPABILITY",
    "MAX_POSITION",
    "MIN_RELATIVE_SPAN",
    "capability_refusal",
    "position_refusal",
    "show_number",
]

#: The largest capability a model accepts.  Only the ratios of capabilities matter, and the
#: models form at most sums over actors of products of a capability (sometimes two, or one
#: raised to a small power: EUM's votes c s d^r, SMP's coalitions, the default's c^a),
#: saliences (<= 1) and positions on the 0-100 model scale (<= 100): with c <= 1e15 such a sum
#: stays below 1e15^2 x 1e4 x n^2, far from float64's 1.8e308 for any number of actors, where
#: 1e308 overflowed (outcome "-").  1e15 still fits GDP in dollars (about 3e13) and keeps whole
#: numbers exact (below 2^53).
MAX_CAPABILITY = 1e15
#: The largest position magnitude (and scale end).  Positions are mapped onto 0-100 for the
#: models as (x - low) x 100 / (high - low): high - low overflows past about 9e307, and a scale
#: of one point (every position equal) reaches the models unmapped; 1e15 keeps both far from
#: overflow and whole-number positions exact.
MAX_POSITION = 1e15
#: The narrowest scale, relative to its magnitude: high - low >= MIN_RELATIVE_SPAN x
#: max(|low|, |high|).  Mapping onto 0-100 subtracts ``low`` from positions of that magnitude,
#: which keeps about 16 significant digits of max(|low|, |high|): on a narrower scale
#: (1e15 to 1e15 + 1) the positions' differences, all the models see, are rounding noise.
#: At the bound the mapped positions are exact to about 100 x 2.2e-16 / 1e-9 = 2e-5 points of
#: the 0-100 scale, far below what any model or report resolves.
MIN_RELATIVE_SPAN = 1e-9

#: `MAX_CAPABILITY` and `MAX_POSITION` as messages write them.
BOUND_TEXT = "1e15"


def show_number(x: float) -> str:
    """A number for a message: ``160`` rather than ``160.0``; ``repr`` when not whole.

    >>> show_number(160.0), show_number(0.25), show_number(float("inf"))
    ('160', '0.25', 'inf')
    """
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def capability_refusal(c: float) -> str | None:
    """What is wrong with one capability (None: nothing), as ``what (allowed: ...)``.

    >>> capability_refusal(3) is None
    True
    >>> capability_refusal(-1)[:14]
    '-1 is negative'
    """
    c = float(c)
    allowed = (f"a number from 0 to {BOUND_TEXT}; only the ratios of capabilities matter, so "
               "divide them all by the same number")
    if not math.isfinite(c):
        return f"{show_number(c)} is not a finite number (allowed: {allowed})"
    if c < 0:
        return f"{show_number(c)} is negative (allowed: {allowed})"
    if c > MAX_CAPABILITY:
        return f"{show_number(c)} is too large (allowed: {allowed})"
    return None


def position_refusal(x: float) -> str | None:
    """What is wrong with one position (None: nothing), as ``what (allowed: ...)``.

    >>> position_refusal(-1e16)
    '-1e+16 is too large in magnitude (allowed: a number from -1e15 to 1e15)'
    """
    x = float(x)
    allowed = f"a number from -{BOUND_TEXT} to {BOUND_TEXT}"
    if not math.isfinite(x):
        return f"{show_number(x)} is not a finite number (allowed: {allowed})"
    if abs(x) > MAX_POSITION:
        return f"{show_number(x)} is too large in magnitude (allowed: {allowed})"
    return None

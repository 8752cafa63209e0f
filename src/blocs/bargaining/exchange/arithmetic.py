"""The exchange model's two number systems: float64, or Decimal as Decide computes.

Decide computes in `decimal.Decimal` with Python's default context: 28 significant digits,
rounding half-even.  Which of two exchanges of mathematically equal gain it makes first, and
how it decides at a knife edge, depends on those digits (docs/exchange.md, section 3), so the
"decimal" and "hybrid" arithmetic compute in the same numbers.  `Numbers` makes working
arrays in either system; `decimal_context` is Decide's context, except that a division by
zero gives an infinity or NaN (as float64 does) where Decide would stop.

>>> import decimal
>>> with decimal.localcontext(decimal_context()):
...     Numbers(exact=True).array([0.1, 2.0]).tolist()
[Decimal('0.1'), Decimal('2.0')]
"""

from __future__ import annotations

import decimal
from decimal import Decimal

import numpy as np


class Numbers:
    """The arithmetic of a run: float64 arrays, or object arrays of `decimal.Decimal`
    (``exact=True``, used under `decimal_context`)."""

    def __init__(self, exact: bool):
        self.exact = exact

    def array(self, values) -> np.ndarray:
        """Floats as working numbers: in exact mode the Decimal of each float's shortest repr
        (the text of the input file); non-finite values become 0."""
        v = np.asarray(values, dtype=float)
        if not self.exact:
            return v.copy()
        out = np.empty(v.shape, dtype=object)
        flat = out.reshape(-1)
        for k, x in enumerate(v.reshape(-1)):
            flat[k] = Decimal(repr(float(x))) if np.isfinite(x) else Decimal(0)
        return out

    def zeros(self, shape) -> np.ndarray:
        if not self.exact:
            return np.zeros(shape)
        out = np.empty(shape, dtype=object)
        out.fill(Decimal(0))
        return out

    def const(self, x: float):
        """A number of the input (a scale end) as a working number: Decimal of its repr."""
        return Decimal(repr(x)) if self.exact else x

    def exact_const(self, x: float):
        """``Decimal(x)`` of the binary float, as Decide's ``Decimal(0.4)``."""
        return Decimal(x) if self.exact else x


def decimal_context() -> decimal.Context:
    """Decide's Decimal context (28 digits, half-even); a zero salience or power gives inf or
    NaN instead of stopping the run."""
    ctx = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN)
    ctx.traps[decimal.DivisionByZero] = False
    ctx.traps[decimal.InvalidOperation] = False
    return ctx

"""The exchange model's inputs as actors x issues tables, on Decide's 0-100 scale.

The model runs the issues of one file together (docs/exchange.md, section 1).  Here the
`Problem` list becomes (A, P) tables of position, salience, capability and presence
(`problem_tables`, actors in `merged_actors` order); positions are mapped onto 0-100 the way
Decide maps them (`decide_scale`) and back (`denormalise`); and `Tables` holds a round's
tables with each issue's NBS (capability x salience weighted mean) summed in Decide's order.

>>> denormalise(50.0, (0.5, 7.0)).item()
3.75
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from blocs.bargaining.problem import Problem


def merged_actors(problems: Sequence[Problem]) -> tuple[str, ...]:
    """All actors of the problems, in an order consistent with each problem's own order
    (Decide's #A order when the problems come from one Decide file)."""
    order: list[str] = []
    for prob in problems:
        pos = 0
        for a in prob.actors:
            if a in order:
                pos = order.index(a) + 1
            else:
                order.insert(pos, a)
                pos += 1
    return tuple(order)


def problem_tables(problems: Sequence[Problem], actors: Sequence[str]):
    """(positions on each issue's own scale, salience, capability, has) as (A, P) arrays,
    and per issue its actors in the order of the file's rows (``meta["lines"]`` of a Decide
    file; else the problem's order): the order Decide sums them in."""
    index = {a: k for k, a in enumerate(actors)}
    A, P = len(actors), len(problems)
    x = np.full((A, P), np.nan)
    s = np.zeros((A, P))
    c = np.zeros((A, P))
    has = np.zeros((A, P), dtype=bool)
    order = []
    for p, prob in enumerate(problems):
        if prob.multidim:
            raise ValueError(f"issue {prob.id}: the exchange model takes one-dimensional issues")
        rows = [index[a] for a in prob.actors]
        x[rows, p] = prob.positions
        s[rows, p] = prob.salience
        c[rows, p] = prob.capability
        has[rows, p] = True
        lines = prob.meta.get("lines")
        if lines is not None and len(lines) == len(rows):
            rows = [r for _, r in sorted(zip(lines, rows, strict=True))]
        order.append(rows)
    return x, s, c, has, order


def sum_order(has: np.ndarray, order) -> list[np.ndarray]:
    """Per issue the actors in the order their NBS terms are summed (default: actor order)."""
    if order is None:
        return [np.flatnonzero(has[:, p]) for p in range(has.shape[1])]
    return [np.asarray(o, dtype=np.intp) for o in order]


def decide_scale(num, x: np.ndarray, has: np.ndarray, scales) -> np.ndarray:
    """Positions (A, P) as working numbers of ``num`` on 0-100, mapped as Decide maps them:
    (x - low) * (100 / (high - low)) per issue (``scales[p]`` = (low, high); None: already on
    0-100); a one-point scale maps to 0, a missing position is 0.  Decide's order of
    operations (and, in exact mode, its Decimals), which `blocs.bargaining.scale.to_model_scale`
    ((x - low) * 100 / (high - low)) rounds differently: this keeps the reproduction of Decide
    exact.  Call under `arithmetic.decimal_context` in exact mode."""
    X = num.array(np.where(has, x, 0.0))
    for p, (low, high) in enumerate(scales or ()):
        lo, hi = num.const(float(low)), num.const(float(high))
        step = 100 / (hi - lo) if hi != lo else 0 * lo
        X[:, p] = np.where(has[:, p], (X[:, p] - lo) * step, 0 * lo)
    return X


def denormalise(y, scale: tuple[float, float]) -> np.ndarray:
    """The inverse of `decide_scale`: y * (high - low) / 100 + low, on every scale.

    The same formula as `blocs.bargaining.scale.from_model_scale`, which however passes 0-100
    and one-point scales through unchanged.  The exchange model maps every issue itself
    (`decide_scale`, a one-point scale onto 0), so it maps every issue back: a one-point
    scale comes back as its point, and the numbers of a 0-100 issue stay those the forecast
    has always printed (y * 100 / 100 differs from y in the last bit for about one value in
    seven)."""
    low, high = float(scale[0]), float(scale[1])
    return np.asarray(y, dtype=float) * (high - low) / 100.0 + low


class Tables:
    """A round's data, in working numbers: positions x (A, P), salience s, power c, has;
    per issue the actors in summation order (Decide sums in its #D row order), the
    denominator S = sum s c and numerator N = sum x s c of each issue's NBS, and the NBS."""

    def __init__(self, num, x, s, c, has, order):
        self.num, self.x, self.s, self.c, self.has, self.order = num, x, s, c, has, order
        P = has.shape[1]
        self.S = num.zeros(P)
        self.N = num.zeros(P)
        for p in range(P):
            tot, wsum = 0, 0
            for a in order[p]:
                tot = tot + s[a, p] * c[a, p]
                wsum = wsum + x[a, p] * s[a, p] * c[a, p]
            self.S[p], self.N[p] = tot, wsum
        nbs = num.zeros(P)
        for p in range(P):
            nbs[p] = self.N[p] / self.S[p] if self.S[p] != 0 else 0
        self.nbs = nbs
        if not num.exact:
            self.w = np.where(has, s * c, 0.0)
            self.xz = np.where(has, x, 0.0)


def start_tables(num, x, salience, power, has, order, scales) -> Tables:
    """The first round's tables in ``num``'s numbers: positions mapped onto 0-100 as Decide
    maps them (`decide_scale`), salience and power where an actor has a position (else 0),
    each issue's NBS summed in ``order`` (`sum_order`)."""
    X = decide_scale(num, x, has, scales)
    return Tables(num, X, num.array(np.where(has, salience, 0.0)),
                  num.array(np.where(has, power, 0.0)), has, order)

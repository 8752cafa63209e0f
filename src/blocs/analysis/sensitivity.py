"""Global sensitivity of one modelled quantity to a case's uncertain inputs (docs/sensitivity.md).

Which of the ``uncertain:`` inputs moves an outcome, and how much?  Two methods of the field,
both computed by SALib (Herman & Usher 2017; Iwanaga, Usher & Herman 2022), never here:

* **Sobol' indices** (Sobol' 2001): the output's variance V(Y) split among the inputs.  The
  first-order index of input i is the share explained by it alone, the total-order index the
  share that involves it at all (alone or with others):

      S1_i = V(E[Y | X_i]) / V(Y),        ST_i = E(V[Y | X_~i]) / V(Y) = 1 - V(E[Y | X_~i]) / V(Y)

  estimated from Saltelli's design (two base matrices A, B of n points from a scrambled
  Sobol' sequence and, for each input, A with that column from B) with the estimators of
  Saltelli et al. (2010): S1 from mean(f(B) (f(A_B^i) - f(A))) (their eq. b) and ST from
  Jansen's mean((f(A) - f(A_B^i))^2) / 2 (their eq. f), each over the variance of the outputs;
  95% intervals by bootstrap.  Cost n (d + 2) runs (n (2d + 2) with second order).
* **Morris elementary effects** (Morris 1991; Campolongo, Cariboni & Saltelli 2007): r
  one-at-a-time trajectories across a grid of p levels; input i's elementary effect is
  EE_i = (f(x + delta e_i) - f(x)) / delta, and over the trajectories mu*_i = mean |EE_i|
  (its importance) and sigma_i = sd(EE_i) (nonlinearity or interaction).  Cost r (d + 1) runs.

Both work on the unit hypercube: every input is a point u in [0, 1) which the caller's
``evaluate`` maps through the input's own quantile function (`blocs.ensemble.uncertain`).
Sobol' indices are invariant under such a map: each input is a monotone function of its own
coordinate alone, so conditioning on u_i is conditioning on x_i, and every variance above is
unchanged; the indices on u are those of the inputs.  Morris effects are in the outcome's
units per unit of u, i.e. per the input's whole quantile range: for a uniform input on
[lo, hi] and a linear outcome y = a x, mu* = |a| (hi - lo).

**Random draws.**  A model with chance events (the case's chance shocks) is not a function of
the inputs alone: `blocs.ensemble.runner.evaluate` gives the r-th row of each call the random
draws of run r.  ``evaluate`` is therefore called block by block, not once for the whole
design: for Sobol', once with [A; B] and once per input with A_B^i (with [A_B^i; B_A^i] for
second order), so that A and every A_B^i share the draws of their row, and B (and B_A^i) the
draws of theirs; for Morris, once per step k with the k-th row of every trajectory, so that a
trajectory keeps its draws.  These common random numbers make the draws one more input, never
varied within a pair of runs that an estimator compares: an input's ST and Morris effects
measure its own effect (with its interactions with chance), and the variance of chance alone
shows as first-order indices that add up to less than 1 (the approach of stochastic
simulators as in Marrel et al. 2012, with the seed an input).  For a model without random
draws the calls change nothing.

Morris' grid puts levels at 0 and 1, where a quantile function may be infinite (an unbounded
normal): the p levels are therefore taken at the midpoints of p equal strata,
u = (k + 1/2) / p, and SALib's effects, computed on its own grid, are rescaled by p / (p - 1)
to the step actually taken (1/2 on the midpoint grid instead of p / (2 (p - 1))).

>>> import numpy as np
>>> t = sobol(["a", "b"], lambda u: 3 * u[:, 0], n=1024, seed=1)
>>> [round(x, 1) for x in t["S1"]], [round(x, 1) for x in t["ST"]]
([1.0, 0.0], [1.0, 0.0])
>>> m = morris(["a", "b"], lambda u: 3 * u[:, 0] + u[:, 1], trajectories=10, levels=4, seed=1)
>>> [round(x, 6) for x in m["mu_star"]]
[3.0, 1.0]

References: Sobol' (2001), Saltelli et al. (2010), Morris (1991), Campolongo et al. (2007),
Marrel et al. (2012);
full entries in docs/sensitivity.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

#: Columns of `sobol`'s and `morris`'s tables.
SOBOL_COLUMNS = ["input", "S1", "S1_conf", "ST", "ST_conf"]
MORRIS_COLUMNS = ["input", "mu_star", "mu_star_conf", "sigma"]

#: `summary`: an input the outcome "depends mostly on" has a total-order index (or mu*) of at
#: least this share of the largest one...
MAIN_SHARE = 0.25
#: ...and, for Sobol', of at least `LITTLE` in absolute terms: below it an input "matters
#: little" (it explains under 5% of the variance even with all its interactions).
LITTLE = 0.05
#: `summary`: when the first-order indices add up to less than 1 - INTERACTION, the rest of
#: the variance comes from inputs acting together, and the summary says so.
INTERACTION = 0.1
#: `summary` (Morris): an effect whose sigma is at least this share of its mu* varies across
#: the input space (a nonlinear effect or an interaction), and the summary says so.
SPREAD = 0.5

Evaluate = Callable[[np.ndarray], np.ndarray]


def _problem(names: Sequence[str]) -> dict:
    names = [str(n) for n in names]
    if not names:
        raise ValueError("no inputs to analyse (allowed: at least one uncertain input)")
    if len(set(names)) != len(names):
        raise ValueError("an input is named twice (allowed: each input once)")
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def _outputs(evaluate: Evaluate, x: np.ndarray) -> np.ndarray:
    """``evaluate(x)`` as a 1-d float array, one value per row, all finite."""
    y = np.asarray(evaluate(x), dtype=float).reshape(-1)
    if y.shape[0] != x.shape[0]:
        raise ValueError(f"the model gave {y.shape[0]} values for {x.shape[0]} input rows "
                         "(allowed: one value per row)")
    bad = int(np.count_nonzero(~np.isfinite(y)))
    if bad:
        raise ValueError(f"the outcome is not a finite number in {bad} of {y.shape[0]} runs "
                         "(allowed: a quantity defined in every run)")
    return y


def _saltelli_outputs(evaluate: Evaluate, x: np.ndarray, n: int, d: int,
                      second_order: bool) -> np.ndarray:
    """The outputs of Saltelli's design ``x`` in SALib's row order (per base point j: A,
    A_B^1..d, [B_A^1..d,] B), evaluated block by block so that A and every A_B^i share their
    row numbers, and B and every B_A^i theirs (common random numbers, see the module)."""
    step = 2 * d + 2 if second_order else d + 2
    blocks = x.reshape(n, step, d)
    y = np.empty((n, step))
    ab = _outputs(evaluate, np.vstack([blocks[:, 0], blocks[:, -1]]))
    y[:, 0], y[:, -1] = ab[:n], ab[n:]
    for i in range(d):
        if second_order:
            both = _outputs(evaluate, np.vstack([blocks[:, 1 + i], blocks[:, 1 + d + i]]))
            y[:, 1 + i], y[:, 1 + d + i] = both[:n], both[n:]
        else:
            y[:, 1 + i] = _outputs(evaluate, blocks[:, 1 + i])
    return y.reshape(-1)


def is_power_of_two(n: int) -> bool:
    """True for 1, 2, 4, 8, ...

    >>> is_power_of_two(1024), is_power_of_two(1000)
    (True, False)
    """
    return n >= 1 and n & (n - 1) == 0


def sobol(names: Sequence[str], evaluate: Evaluate, n: int, seed: int,
          calc_second_order: bool = False) -> pd.DataFrame:
    """First- and total-order Sobol' indices of ``evaluate`` over the inputs ``names``.

    ``evaluate`` takes an (N, d) array of unit points (columns in the order of ``names``) and
    returns the N outputs.  ``n`` is Saltelli's base sample (a power of 2, at least 2: the
    balance of the Sobol' sequence holds only then); the model runs n (d + 2) times, or
    n (2d + 2) with ``calc_second_order`` (then ``table.attrs`` holds "S2" and "S2_conf", d x d
    DataFrames).  An output that never varies has no variance to share: every index is 0 and
    ``table.attrs["constant"]`` is True.  ``seed`` fixes both the design and the bootstrap of
    the 95% intervals.

    An input the output ignores gets exactly 0 (f(A) and f(A_B^i) are then equal):

    >>> t = sobol(["x", "z"], lambda u: u[:, 0], n=8, seed=0)
    >>> float(t["S1"][1]), float(t["ST"][1])
    (0.0, 0.0)
    """
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    problem = _problem(names)
    if not isinstance(n, int | np.integer) or not is_power_of_two(int(n)) or n < 2:
        raise ValueError(f"the base sample n = {n} is not a power of 2 (allowed: 2, 4, 8, ..., "
                         "e.g. 1024; Saltelli's design from a Sobol' sequence needs one)")
    x = sample.sample(problem, int(n), calc_second_order=calc_second_order, seed=seed)
    d = problem["num_vars"]
    y = _saltelli_outputs(evaluate, x, int(n), d, calc_second_order)
    table = pd.DataFrame({"input": problem["names"]})
    if np.ptp(y) == 0.0:
        for col in SOBOL_COLUMNS[1:]:
            table[col] = 0.0
        table.attrs["constant"] = True
        if calc_second_order:
            zeros = pd.DataFrame(np.zeros((d, d)), index=problem["names"],
                                 columns=problem["names"])
            table.attrs.update(S2=zeros, S2_conf=zeros.copy())
        return table
    # SALib seeds its bootstrap only when `seed` is truthy (seed 0 would not be reproducible):
    # a Generator is always truthy.
    si = analyze.analyze(problem, y, calc_second_order=calc_second_order,
                         seed=np.random.default_rng(seed))
    for col in SOBOL_COLUMNS[1:]:
        table[col] = np.asarray(si[col], dtype=float)
    table.attrs["constant"] = False
    if calc_second_order:
        for key in ("S2", "S2_conf"):
            table.attrs[key] = pd.DataFrame(np.asarray(si[key], dtype=float),
                                            index=problem["names"], columns=problem["names"])
    return table


def morris(names: Sequence[str], evaluate: Evaluate, trajectories: int, levels: int,
           seed: int) -> pd.DataFrame:
    """Morris' mu*, its 95% interval and sigma for each input (see the module).

    ``trajectories`` r >= 2 one-at-a-time paths over a grid of ``levels`` p (even, >= 2:
    Morris' step p / (2 (p - 1)) then makes every level equally likely); the model runs
    r (d + 1) times.  Effects are in the output's units per unit of u (the input's quantile
    range), and exact for a linear output: y = 2 u_0 gives mu* = 2, sigma = 0.

    >>> morris(["x"], lambda u: -2 * u[:, 0], trajectories=4, levels=4, seed=0)["mu_star"].tolist()
    [2.0]
    """
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    problem = _problem(names)
    if not isinstance(trajectories, int | np.integer) or trajectories < 2:
        raise ValueError(f"{trajectories} trajectories (allowed: 2 or more; sigma needs two "
                         "effects per input)")
    if not isinstance(levels, int | np.integer) or levels < 2 or levels % 2:
        raise ValueError(f"{levels} levels (allowed: an even number, 2 or more, e.g. 4)")
    grid = sample.sample(problem, int(trajectories), num_levels=int(levels), seed=seed)
    # SALib's levels k / (p - 1) moved to the midpoints (k + 1/2) / p (see the module).
    p = int(levels)
    unit = (grid * (p - 1) + 0.5) / p
    # Row k of every trajectory in one call: trajectory t takes row t of each call, hence
    # the same random draws all along (common random numbers, see the module).
    steps = unit.reshape(int(trajectories), problem["num_vars"] + 1, problem["num_vars"])
    y = np.column_stack([_outputs(evaluate, steps[:, k]) for k in range(steps.shape[1])])
    y = y.reshape(-1)
    si = analyze.analyze(problem, grid, y, num_levels=p, seed=np.random.default_rng(seed))
    rescale = p / (p - 1)
    table = pd.DataFrame({"input": problem["names"]})
    for col in MORRIS_COLUMNS[1:]:
        table[col] = np.asarray(si[col], dtype=float) * rescale
    table.attrs["constant"] = bool(np.ptp(y) == 0.0)
    return table


def _index(x: float) -> str:
    """A Sobol' index: two decimals."""
    return f"{x:.2f}"


def _effect(x: float) -> str:
    """A Morris effect, in the outcome's units: three significant digits."""
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def summary(table: pd.DataFrame, outcome: str, year: int | None = None,
            chance: bool = False) -> str:
    """One or two sentences that say what the numbers of ``table`` (from `sobol` or
    `morris`) mean for ``outcome`` (in ``year``).

    The rules, applied to the total-order index ST (Sobol') or mu* (Morris):

    * the outcome "depends mostly on" the inputs with at least `MAIN_SHARE` (a quarter) of the
      largest value and, for Sobol', at least `LITTLE` (0.05) in absolute terms;
    * inputs under `LITTLE` (Sobol'), or under `LITTLE` of the largest mu* (Morris), "matter
      little"; the others in between "matter less", with their values;
    * Sobol': when the first-order indices add up to less than 1 - `INTERACTION`, the
      remaining share is said to come from inputs acting together (``chance``: the model has
      random draws too, so that share may also come from chance alone);
    * Morris: an important input whose sigma is at least `SPREAD` of its mu* has an effect
      that changes across the inputs' ranges (nonlinear, or interacting), which is said.

    >>> t = pd.DataFrame({"input": ["a", "b", "c"], "S1": [0.6, 0.2, 0.0],
    ...                   "S1_conf": [0.02] * 3, "ST": [0.62, 0.21, 0.01],
    ...                   "ST_conf": [0.02] * 3})
    >>> print(summary(t, "outcome/x", 2030))  # doctest: +NORMALIZE_WHITESPACE
    outcome/x in 2030 depends mostly on a (total 0.62) and b (0.21); the other input matters
    little (total < 0.05). The first-order indices add up to 0.80: 0.20 of the variance comes
    from inputs acting together.
    """
    where = f"{outcome} in {year}" if year is not None else outcome
    sobol_like = "ST" in table.columns
    key = "ST" if sobol_like else "mu_star"
    label = "total" if sobol_like else "mu*"
    _fmt = _index if sobol_like else _effect
    rows = table.sort_values(key, ascending=False, kind="stable")
    values = rows[key].to_numpy(dtype=float)
    names = rows["input"].astype(str).tolist()
    if table.attrs.get("constant") or len(values) == 0 or not np.nanmax(values) > 0:
        return f"{where} is the same in every run: none of the inputs changes it."
    top = float(np.nanmax(values))
    little = LITTLE if sobol_like else LITTLE * top
    floor = max(MAIN_SHARE * top, LITTLE) if sobol_like else MAIN_SHARE * top
    main = [i for i, v in enumerate(values) if v >= floor]
    minor = [i for i, v in enumerate(values) if little <= v < floor]
    small = [i for i, v in enumerate(values) if not v >= little]

    shown = [f"{names[i]} ({label} {_fmt(values[i])})" if k == 0 else
             f"{names[i]} ({_fmt(values[i])})" for k, i in enumerate(main)]
    verb = "depends mostly on" if sobol_like else "moves mostly with"
    text = f"{where} {verb} {_join(shown)}"
    if minor:
        listed = _join([f"{names[i]} ({_fmt(values[i])})" for i in minor])
        text += f"; {listed} {'matters' if len(minor) == 1 else 'matter'} less"
    if small:
        bound = _fmt(little)
        what = "input" if len(small) == 1 else "inputs"
        other = "the other" if main or minor else "every"
        verb_little = "matters" if len(small) == 1 else "matter"
        each = "" if len(small) == 1 else " each"
        if sobol_like:
            text += f"; {other} {what} {verb_little} little ({label} < {bound}{each})"
        else:
            text += (f"; {other} {what} {verb_little} little ({label} < {bound}{each}, under "
                     f"{LITTLE:.0%} of the largest)")
    text += "."
    if sobol_like:
        s1 = float(np.nansum(table["S1"].to_numpy(dtype=float)))
        if 1.0 - s1 > INTERACTION:
            source = "chance or inputs acting together" if chance else \
                "inputs acting together"
            text += (f" The first-order indices add up to {s1:.2f}: {1.0 - s1:.2f} of the "
                     f"variance comes from {source}.")
    else:
        sigma = rows["sigma"].to_numpy(dtype=float)
        spread = [names[i] for i in main if sigma[i] >= SPREAD * values[i]]
        if spread:
            what = "effect of" if len(spread) == 1 else "effects of"
            verb_spread = "changes" if len(spread) == 1 else "change"
            text += (f" The {what} {_join(spread)} {verb_spread} across the inputs' ranges "
                     f"(sigma >= {SPREAD:g} mu*): nonlinear, or acting together with other "
                     "inputs.")
    return text


def finite_or_none(x: float) -> float | None:
    """A number for JSON: None for NaN or infinity."""
    return float(x) if x is not None and math.isfinite(float(x)) else None

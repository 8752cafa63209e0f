"""Leverage of every power in every run at once: the rules of `blocs.influence` on arrays.

The same model as `blocs.influence.leverage.leverage` (docs/leverage.md), computed for R runs
whose tie figures and presence sizes differ (shocks, triggers): shares by the rules of
`blocs.influence.indicators` (fixed divisor, or pooled among the powers), troops from the
presences when the case lists them near the focus, then per cell

    bandwidth = sum_m w_m s_m / sum_m w_m,  dependence = sum_m w_m max(s_m - r_m, 0) / ...,
    leverage  = sqrt(bandwidth * dependence).

The structure of a year (which figures count, their units, totals and cells) does not depend
on the run, so it is built once per distinct structure (`year_structure`, cached) and each
year then costs a few array operations over (runs, powers, columns).  The tests hold the
result equal to `leverage` wherever nothing run-specific happened.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from blocs.dynamics.plan import CELLS, Plan, share_rule
from blocs.influence.leverage import troop_presences

TROOPS = "troops"


@dataclass(frozen=True)
class YearStructure:
    """Which figures count in a year and how each becomes a share (see the module)."""

    tie: np.ndarray       # (N,) tie index of each row
    power: np.ndarray     # (N,) power index
    column: np.ndarray    # (N,) column index
    fixed: np.ndarray     # (N,) bool: a fixed divisor (else pooled)
    divisor: np.ndarray   # (N,)
    pool: np.ndarray      # (N,) pool id (pooled rows), -1 otherwise
    n_pools: int
    reverse: np.ndarray   # (P, J)
    weights: np.ndarray   # (J, C) w_m in the column's cell
    pres_power: np.ndarray    # (M,) troop presences: power index
    pres_group: np.ndarray    # (M,) presence group
    pres_weight: np.ndarray   # (M,) lambda
    pres_counted: np.ndarray  # (M,) bool: counted in the total (not a contingent)
    pres_size: np.ndarray     # (M,)
    troops_column: int        # -1 when no presence counts


def year_structure(plan: Plan, yi: int) -> YearStructure:
    """The `YearStructure` of year index ``yi`` (cached by what it depends on)."""
    year = int(plan.years[yi])
    counted = troop_presences(plan.scenario, year=year)
    meta = plan.tie_meta[yi]
    cache = plan.extra.setdefault("structures", {})
    signature = (tuple(None if m is None else (m["unit"], m["total"], m["reverse"],
                                                         m["cell"], m["weight"])
                                 for m in meta),
                 tuple((c.presence.actor, c.presence.country, c.presence.size, c.weight,
                        c.contingent) for c in counted))
    if signature in cache:
        return cache[signature]
    pidx = {p: i for i, p in enumerate(plan.powers)}
    columns: dict[tuple[int, str], int] = {}
    col_weight: list[float] = []
    rows = []
    pools: dict[tuple[str, str], int] = {}
    for k, m in enumerate(meta):
        if m is None:
            continue
        frm, _, measure = plan.tie_keys[k]
        if counted and measure == TROOPS:
            continue  # the presences say where the forces are, so they replace the ties
        cell = CELLS.index(m["cell"])
        j = columns.setdefault((cell, measure), len(columns))
        if j == len(col_weight):
            col_weight.append(m["weight"])
        rule, div = share_rule(m)
        pool = pools.setdefault((measure, m["unit"]), len(pools)) if rule == "pool" else -1
        rows.append((k, pidx[frm], j, rule == "fixed", div, pool, m["reverse"]))
    troops_column = -1
    if counted:
        measure = plan.scenario.measures[TROOPS]
        troops_column = columns.setdefault((CELLS.index((measure.domain, measure.kind)), TROOPS),
                                           len(columns))
        if troops_column == len(col_weight):
            col_weight.append(float(measure.weight))
    groups = {g: i for i, g in enumerate(plan.presence_groups)}
    n_cols = len(columns)
    reverse = np.zeros((len(plan.powers), n_cols))
    for _, p, j, _, _, _, r in rows:
        reverse[p, j] = r
    weights = np.zeros((n_cols, len(CELLS)))
    for (cell, _), j in columns.items():
        weights[j, cell] = col_weight[j]
    arr = np.array(rows, dtype=float).reshape(-1, 7)
    out = YearStructure(
        tie=arr[:, 0].astype(int), power=arr[:, 1].astype(int), column=arr[:, 2].astype(int),
        fixed=arr[:, 3].astype(bool), divisor=arr[:, 4], pool=arr[:, 5].astype(int),
        n_pools=len(pools), reverse=reverse, weights=weights,
        pres_power=np.array([pidx[c.presence.actor] for c in counted], dtype=int),
        pres_group=np.array([groups[(c.presence.actor, c.presence.country)] for c in counted],
                            dtype=int),
        pres_weight=np.array([c.weight for c in counted], dtype=float),
        pres_counted=np.array([not c.contingent for c in counted], dtype=bool),
        pres_size=np.array([float(c.presence.size) for c in counted], dtype=float),
        troops_column=troops_column)
    cache[signature] = out
    return out


def shares(st: YearStructure, values: np.ndarray, present: np.ndarray,
           presence_factor: np.ndarray, n_powers: int) -> tuple[np.ndarray, np.ndarray]:
    """(S, colmask): S (R, P, J) the share of each power in each column, colmask (R, J)
    whether the column is recorded in the run.  ``values`` (R, K) the runs' tie figures,
    ``present`` (R, K) whether each figure counts, ``presence_factor`` (R, G)."""
    runs = values.shape[0]
    n_cols = st.weights.shape[0]
    s = np.zeros((runs, n_powers, n_cols))
    colmask = np.zeros((runs, n_cols), dtype=bool)
    if st.tie.size:
        v = np.where(present[:, st.tie], values[:, st.tie], 0.0)
        share = np.zeros_like(v)
        fixed = st.fixed
        share[:, fixed] = v[:, fixed] / st.divisor[fixed]
        if st.n_pools:
            pooled = ~fixed
            sums = np.zeros((runs, st.n_pools))
            np.add.at(sums.T, st.pool[pooled], v[:, pooled].T)
            den = sums[:, st.pool[pooled]]
            with np.errstate(invalid="ignore", divide="ignore"):
                share[:, pooled] = np.where(den > 0, v[:, pooled] / den, 0.0)
        s[:, st.power, st.column] = share
        on = present[:, st.tie]
        for j in np.unique(st.column):
            colmask[:, j] = on[:, st.column == j].any(axis=1)
    if st.troops_column >= 0:
        n = st.pres_size * presence_factor[:, st.pres_group]           # (R, M)
        total = (n * st.pres_counted).sum(axis=1, keepdims=True)
        weighted = st.pres_weight * n
        by_power = np.zeros((runs, n_powers))
        np.add.at(by_power.T, st.pres_power, weighted.T)
        with np.errstate(invalid="ignore", divide="ignore"):
            s[:, :, st.troops_column] = np.where(total > 0, by_power / total, 0.0)
        colmask[:, st.troops_column] = True
    return s, colmask


def leverage_cells(st: YearStructure, s: np.ndarray, colmask: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(value, cellmask): value (R, P, C) leverage per power and cell, cellmask (R, C) the
    cells some figure records in the run."""
    w = colmask[:, :, None] * st.weights[None]                          # (R, J, C)
    den = w.sum(axis=1)                                                 # (R, C)
    safe = np.where(den > 0, den, 1.0)
    band = np.einsum("rpj,rjc->rpc", s, w) / safe[:, None, :]
    dep = np.einsum("rpj,rjc->rpc", np.clip(s - st.reverse[None], 0.0, None), w) \
        / safe[:, None, :]
    value = np.sqrt(np.clip(band * dep, 0.0, None))
    return value, den > 0

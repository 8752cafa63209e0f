"""Leverage: who can press the target, by domain, soft and hard.

Model (docs/leverage.md), after the Formal Bilateral Influence Capacity index (FBIC) of the
Pardee Center (Moyer, Bohl, Hanna, Mapes & Rettig 2018; Moyer, Meisel, Matthews, Bohl &
Burrows 2021), which splits a power's capacity to influence a state into *bandwidth* (how much
passes between them) and *dependence* (how much the state relies on the power):

For a power P, the target T and a cell c = (domain, kind) whose measures M_c are those any
power's ties into T record, with measure weights w_m and shares s_m(P) (0 when P has no tie),
reverse shares r_m(P) (the part of P's own total that is with T; 0 when not given):

    bandwidth_c(P)  = sum_m w_m s_m(P) / sum_m w_m
    dependence_c(P) = sum_m w_m max(s_m(P) - r_m(P), 0) / sum_m w_m
    leverage_c(P)   = sqrt(bandwidth_c(P) * dependence_c(P))

Dependence is asymmetric (Keohane & Nye 1977): a flow that the power needs as much as the
target gives no lever.  With no reverse shares, leverage equals bandwidth.  A power's total
leverage is the sum over cells (at most the number of cells); a bloc's is the sum over the
powers in it; the effective number of pillars is the inverse Herfindahl index of the powers'
shares of the total, 1 / sum_i p_i^2 (Laakso & Taagepera 1979).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from blocs.influence.indicators import indicators
from blocs.scenario.scenario import Scenario
from blocs.scenario.schema import DOMAINS

LEVERAGE_COLUMNS = ["from", "to", "domain", "kind", "bandwidth", "dependence", "value"]


def leverage(scenario: Scenario, target: str | None = None, year: int | None = None,
             table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Leverage of every power over ``target`` (default: the focus) by domain and kind.

    One row per power and (domain, kind) cell that some tie into the target records, with
    columns from, to, domain, kind, bandwidth, dependence, value.  ``table`` may pass the
    output of `indicators` to avoid recomputing it.

    >>> from blocs.scenario import load_case
    >>> lev = leverage(load_case("serbia-2024"))
    >>> lev[lev.domain == "energy"].groupby("from")["value"].sum().idxmax()
    'RUS'
    """
    ind = indicators(scenario, target, year) if table is None else table
    target = scenario.focus if target is None else target
    if ind.empty:
        return pd.DataFrame(columns=LEVERAGE_COLUMNS)
    powers = list(dict.fromkeys(ind["from"]))
    rows = []
    order = {d: i for i, d in enumerate(DOMAINS)}
    cells = sorted({(d, k) for d, k in zip(ind["domain"], ind["kind"], strict=True)},
                   key=lambda c: (order.get(c[0], 99), c[1] != "soft"))
    for domain, kind in cells:
        cell = ind[(ind["domain"] == domain) & (ind["kind"] == kind)]
        weights = cell.groupby("measure")["weight"].first()
        share = cell.pivot_table(index="from", columns="measure", values="share",
                                 aggfunc="first").reindex(index=powers, columns=weights.index)
        reverse = cell.pivot_table(index="from", columns="measure", values="reverse",
                                   aggfunc="first").reindex(index=powers, columns=weights.index)
        s = share.fillna(0.0).to_numpy()
        r = reverse.fillna(0.0).to_numpy()
        w = weights.to_numpy(dtype=float)
        bandwidth = s @ w / w.sum()
        dependence = np.clip(s - r, 0.0, None) @ w / w.sum()
        value = np.sqrt(bandwidth * dependence)
        for p, b, d, v in zip(powers, bandwidth, dependence, value, strict=True):
            rows.append({"from": p, "to": target, "domain": domain, "kind": kind,
                         "bandwidth": float(b), "dependence": float(d), "value": float(v)})
    return pd.DataFrame(rows, columns=LEVERAGE_COLUMNS)


def by_domain(lev: pd.DataFrame) -> pd.DataFrame:
    """Powers x domains: leverage summed over soft and hard."""
    return lev.pivot_table(index="from", columns="domain", values="value", aggfunc="sum",
                           fill_value=0.0)


def power_totals(lev: pd.DataFrame) -> pd.DataFrame:
    """Each power's soft, hard and total leverage and its share of all powers' total, largest
    first: columns power, soft, hard, value, share."""
    totals = lev.groupby("from", sort=False)["value"].sum()
    kinds = (lev.groupby(["from", "kind"], sort=False)["value"].sum().unstack(fill_value=0.0)
             .reindex(index=totals.index, columns=["soft", "hard"], fill_value=0.0))
    grand = totals.sum()
    out = pd.DataFrame({"power": totals.index, "soft": kinds["soft"].to_numpy(),
                        "hard": kinds["hard"].to_numpy(), "value": totals.to_numpy()})
    out["share"] = out["value"] / grand if grand > 0 else 0.0
    return out.sort_values("value", ascending=False, ignore_index=True)


def bloc_totals(scenario: Scenario, lev: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """Each bloc's leverage: the sum over the powers in it (listed, or members of an
    organisation that is), with its share of all powers' leverage.  Powers outside every
    bloc appear in neither row, so the shares may add up to less than 1."""
    totals = power_totals(lev).set_index("power")["value"]
    grand = totals.sum()
    rows = []
    for bloc in scenario.case.blocs:
        members = [p for p in totals.index if bloc in scenario.blocs_of(p, year)]
        value = float(totals[members].sum()) if members else 0.0
        rows.append({"bloc": bloc, "value": value,
                     "share": value / grand if grand > 0 else 0.0,
                     "powers": members})
    return pd.DataFrame(rows, columns=["bloc", "value", "share", "powers"])


def effective_number(values: pd.Series | np.ndarray | list[float]) -> float:
    """Inverse Herfindahl index of positive values: 1 / sum of squared shares.

    Equals n for n equal values and 1 for a single one (Laakso & Taagepera 1979).

    >>> effective_number([1, 1, 1, 1])
    4.0
    >>> round(effective_number([3, 1]), 3)
    1.6
    """
    arr = np.asarray(values, dtype=float)
    arr = arr[arr > 0]
    if arr.size == 0:
        return math.nan
    p = arr / arr.sum()
    return float(1.0 / np.sum(p * p))

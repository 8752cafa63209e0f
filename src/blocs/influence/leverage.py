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

Forces stationed in or next to the target (the case's presences, `Scenario.presences`) are
the ``troops`` measure (security, hard), by `presence_indicators`: with lambda_C = 1 for the
target's own country C = T, `NEIGHBOUR_WEIGHT` for a land neighbour and troops n_p,

    troops share(P) = sum_{p of P} lambda_C(p) n_p / sum_C N_C,

N_C the troops in C counting each mission once (a member state's contingent of an
organisation's mission in the same country is part of it, not added); the organisation is
credited with its whole mission, the member with its own contingent.  When the case lists
such presences they replace the ``troops`` ties into the target.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pandas as pd

from blocs.influence.indicators import COLUMNS, indicators
from blocs.scenario.scenario import Scenario
from blocs.scenario.schema import DOMAINS, Presence

LEVERAGE_COLUMNS = ["from", "to", "domain", "kind", "bandwidth", "dependence", "value"]


#: The weight of troops stationed in a land neighbour of the target against troops inside it
#: (an assumption, docs/leverage.md: forces next door must cross a border to act).
NEIGHBOUR_WEIGHT = 0.5
#: The ``basis`` of the indicator rows made from presences.
PRESENCE_BASIS = "presence"


class TroopPresence(NamedTuple):
    """One presence counted in the ``troops`` measure (`troop_presences`)."""

    presence: Presence
    weight: float
    """lambda: 1 in the target's own country, the neighbour weight next to it."""
    contingent: bool
    """A member state's contingent of its organisation's mission in the same country:
    credited to the state, not added to the country's total."""


def troop_presences(scenario: Scenario, target: str | None = None, year: int | None = None,
                    neighbour_weight: float = NEIGHBOUR_WEIGHT) -> list[TroopPresence]:
    """The presences the ``troops`` measure counts in ``year``, in file order, each with its
    weight and whether it is a contingent (the rule of `presence_indicators`)."""
    from blocs.geography.reach import border_graph

    year = scenario.year if year is None else year
    target = scenario.focus if target is None else target
    country = scenario.country_of(target)
    if country is None:
        return []
    graph = border_graph(scenario)
    near = {country: 1.0} | {n: float(neighbour_weight)
                             for n in (graph[country] if country in graph else ())}
    pres = [p for p in scenario.presences(year)
            if p.country in near and p.unit == "troops" and p.size is not None
            and scenario.country_of(p.actor) != country]
    # Which presences are a member state's contingent of an organisation's mission there.
    missions = {(p.actor, p.country) for p in pres if scenario.organization_of(p.actor)}

    def contingent(p: Presence) -> bool:
        code = scenario.country_of(p.actor)
        if code is None or scenario.actors[p.actor].kind != "state":
            return False
        return any(c == p.country and code in scenario.members(scenario.organization_of(o),
                                                                year)
                   for o, c in missions)

    return [TroopPresence(p, near[p.country], contingent(p)) for p in pres]


def presence_indicators(scenario: Scenario, target: str | None = None,
                        year: int | None = None,
                        neighbour_weight: float = NEIGHBOUR_WEIGHT) -> pd.DataFrame:
    """The ``troops`` measure into ``target`` (default: the focus) from the case's presences
    in ``year`` (`Scenario.presences`), one row per power, in the columns of `indicators`
    (basis "presence"; ``value`` the weighted troops, ``total`` the troops there).

    Rule (docs/leverage.md, "Forces stationed in or next to the target"): only presences
    counted in troops (``unit: troops`` with a ``size``), in the target's country (weight 1)
    or a land neighbour of it (``neighbour_weight``), of actors other than the target and its
    factions.  A state's presence in a country where an organisation it is a member of has a
    presence too is that mission's contingent: counted once in the country's total, credited
    to the organisation (its whole mission) and to the state (its contingent).

        share(P) = sum_{p of P} lambda_C(p) n_p / sum_C N_C

    >>> from blocs.scenario import load_case
    >>> rows = presence_indicators(load_case("serbia-2024")).set_index("from")
    >>> round(float(rows.loc["NATO", "share"]), 4), round(float(rows.loc["USA", "share"]), 4)
    (0.5, 0.0706)
    """
    target = scenario.focus if target is None else target
    empty = pd.DataFrame(columns=COLUMNS).astype({"share": float, "value": float,
                                                  "reverse": float})
    counted = troop_presences(scenario, target, year, neighbour_weight)
    if not counted:
        return empty
    total = sum(float(c.presence.size) for c in counted if not c.contingent)
    measure = scenario.measures["troops"]
    by_power: dict[str, list[TroopPresence]] = {}
    for c in counted:
        by_power.setdefault(c.presence.actor, []).append(c)
    rows = []
    for power, cs in by_power.items():
        value = sum(c.weight * float(c.presence.size) for c in cs)
        sources = dict.fromkeys(s for c in cs for s in (c.presence.source_ids or ("assumption",)))
        rows.append({
            "from": power, "to": target, "measure": "troops", "domain": measure.domain,
            "kind": measure.kind, "weight": measure.weight,
            "year": ";".join(dict.fromkeys(str(c.presence.year) for c in cs)), "value": value,
            "unit": "troops", "total": total, "share": value / total if total > 0 else 0.0,
            "reverse": 0.0, "basis": PRESENCE_BASIS, "source": ";".join(sources),
        })
    return pd.DataFrame(rows, columns=COLUMNS).astype({"share": float, "value": float,
                                                       "reverse": float})


def leverage_table(scenario: Scenario, target: str | None = None, year: int | None = None,
                   table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The shares leverage is computed from: `indicators` (or ``table``), with the
    ``troops`` measure taken from the presences (`presence_indicators`) when the case lists
    troop presences in or next to the target; the ``troops`` ties into it are then left out
    (the presences say where the forces are, so they replace them)."""
    ind = indicators(scenario, target, year) if table is None else table
    if (ind["basis"] == PRESENCE_BASIS).any():
        return ind
    pres = presence_indicators(scenario, target, year)
    if pres.empty:
        return ind
    kept = ind[ind["measure"] != "troops"]
    return pd.concat([kept, pres], ignore_index=True) if not kept.empty else pres


def leverage(scenario: Scenario, target: str | None = None, year: int | None = None,
             table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Leverage of every power over ``target`` (default: the focus) by domain and kind.

    One row per power and (domain, kind) cell that some tie (or presence) into the target
    records, with columns from, to, domain, kind, bandwidth, dependence, value.  ``table``
    may pass the output of `indicators` to avoid recomputing it; the presences are added to
    it as `leverage_table` says.

    >>> from blocs.scenario import load_case
    >>> lev = leverage(load_case("serbia-2024"))
    >>> lev[lev.domain == "energy"].groupby("from")["value"].sum().idxmax()
    'RUS'
    """
    ind = leverage_table(scenario, target, year, table)
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

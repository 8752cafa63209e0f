"""Ties to indicators: one share per power, target and measure, with its source.

A tie records one figure: a share of the target's total (``share``, ``percent``), a yes/no
(``flag``), or an amount (``EUR``, ``bcm``, ``troops``...).  The leverage model needs all of
them on one footing, the *share* s in [0, 1] of the target's total of that measure that passes
through the power:

* share and percent:   s = value (/ 100)
* flag:                s = value / (number of powers with the flag set on the same measure):
                       a yes/no provision (a veto, a partnership) that several powers give
                       is shared among them, since each is partly replaceable
* amount with total:   s = value / total          (the target's total, same unit, same tie)
* amount, no total:    s = value / sum of the values of every power in the case for the same
                       target, measure and unit (a share among the powers the case models;
                       an upper bound on the true share, said so in the ``basis`` column)

Time is strict (`Scenario.ties`, docs/case-format.md, Time): in year Y a tie's figure counts
from its year on (a span's, such as arms deliveries 2020-2024, from its last year on) until a
later figure of the same (from, to, measure) replaces it; nothing dated after Y is seen, and
before its first figure a tie gives no row at all (no leverage from it).
"""

from __future__ import annotations

import pandas as pd

from blocs.scenario.measures import FLAG_UNIT, SHARE_UNITS
from blocs.scenario.scenario import Scenario
from blocs.scenario.schema import Tie

COLUMNS = [
    "from", "to", "measure", "domain", "kind", "weight", "year", "value", "unit", "total",
    "share", "reverse", "basis", "source",
]


def select_ties(scenario: Scenario, year: int | None = None) -> list[Tie]:
    """One tie per (from, to, measure): the latest figure known in ``year`` (default: the
    case year); ties with no figure known yet are left out (`Scenario.ties`)."""
    return scenario.ties(year)


def indicators(
    scenario: Scenario, target: str | None = None, year: int | None = None
) -> pd.DataFrame:
    """Every selected tie into ``target`` (default: the focus) as a share, one row each.

    Columns: from, to, measure, domain, kind, weight, year, value, unit, total, share,
    reverse, basis (how the share was obtained), source (source ids, ';'-separated, or
    'assumption').

    >>> from blocs.scenario import load_case
    >>> table = indicators(load_case("serbia-2024"))
    >>> float(table.set_index(["from", "measure"]).loc[("RUS", "gas"), "share"])
    0.8
    """
    target = scenario.focus if target is None else target
    rows = []
    for tie in select_ties(scenario, year):
        if tie.to != target:
            continue
        measure = scenario.measures[tie.measure]
        unit = tie.unit or measure.unit
        rows.append({
            "from": tie.from_, "to": tie.to, "measure": tie.measure,
            "domain": measure.domain, "kind": tie.kind or measure.kind,
            "weight": measure.weight, "year": str(tie.year), "value": float(tie.value),
            "unit": unit, "total": tie.total, "share": None,
            "reverse": float(tie.reverse) if tie.reverse is not None else 0.0,
            "basis": None,
            "source": ";".join(tie.source_ids) if tie.source_ids else "assumption",
        })
    table = pd.DataFrame(rows, columns=COLUMNS)
    if table.empty:
        return table.astype({"share": float, "value": float, "reverse": float})
    shares, bases = [], []
    pooled = (
        table[table["total"].isna() & ~table["unit"].isin(SHARE_UNITS)]
        .groupby(["measure", "unit"])["value"].sum()
    )
    for row in table.itertuples(index=False):
        if row.unit in SHARE_UNITS:
            shares.append(row.value / SHARE_UNITS[row.unit])
            bases.append("share")
        elif row.unit == FLAG_UNIT:
            pool = pooled.get((row.measure, row.unit), 0.0)
            shares.append(row.value / pool if pool > 0 else 0.0)
            bases.append("flag")
        elif pd.notna(row.total):
            shares.append(row.value / row.total)
            bases.append("of total")
        else:
            pool = pooled.get((row.measure, row.unit), 0.0)
            shares.append(row.value / pool if pool > 0 else 0.0)
            bases.append("among powers")
    table["share"] = pd.Series(shares, dtype=float)
    table["basis"] = bases
    return table.sort_values(["domain", "measure", "share"], ascending=[True, True, False],
                             ignore_index=True)

"""The briefing's summary: sentences made from the numbers, never canned text.

Each function takes results (the balance sheet, the yearly path, the ensemble's quantiles)
and returns plain sentences; the briefing escapes them like any other text.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from blocs.scenario.schema import DOMAINS


def _num(x: float, digits: int = 2) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def domain_leaders(balance: Any) -> list[str]:
    """Who leads each domain, and by how much over the next power.

    One sentence per domain with leverage: "In energy Russia leads (0.96), ahead of the EU
    (0.33)."
    """
    lev = balance.leverage
    if lev.empty:
        return ["No power holds a recorded lever over the focus."]
    by = lev.groupby(["domain", "from"])["value"].sum()
    out = []
    for domain in DOMAINS:
        if domain not in by.index.get_level_values(0):
            continue
        ranked = by.loc[domain].sort_values(ascending=False)
        ranked = ranked[ranked > 0]
        if ranked.empty:
            continue
        lead = f"In the {domain} domain {ranked.index[0]} leads ({_num(ranked.iloc[0])})"
        if len(ranked) > 1:
            lead += f", ahead of {ranked.index[1]} ({_num(ranked.iloc[1])})"
        out.append(lead + ".")
    return out


def balance_sentence(balance: Any) -> str:
    """The blocs' shares, the largest power and the effective numbers."""
    parts = []
    if len(balance.blocs):
        shares = ", ".join(f"{r.bloc} {r.share:.0%}" for r in balance.blocs.itertuples())
        parts.append(f"Of all recorded leverage over {balance.focus} in {balance.year}, the "
                     f"blocs hold {shares}")
    if len(balance.powers):
        top = balance.powers.iloc[0]
        parts.append(f"the largest single power is {top['power']} ({top['share']:.0%})")
    text = "; ".join(parts) + "." if parts else "No leverage is recorded."
    if not math.isnan(balance.effective_pillars):
        text += (f" The effective number of powers is {_num(balance.effective_pillars)} "
                 f"(over {len(balance.powers)}).")
    return text


def pillars_sentence(tables: dict[str, pd.DataFrame] | None,
                     quantiles: pd.DataFrame | None) -> str | None:
    """How the effective number of pillars moves over the period (one run, or the median and
    80% band of the ensemble)."""
    if tables is None or "pillars" not in tables:
        return None
    p = tables["pillars"]["pillars"]
    first, last = p.index[0], p.index[-1]
    move = ("stays near" if abs(p.iloc[-1] - p.iloc[0]) < 0.05 else
            "rises to" if p.iloc[-1] > p.iloc[0] else "falls to")
    text = (f"The effective number of the case's pillars is {_num(p.iloc[0])} in {first} and "
            f"{move} {_num(p.iloc[-1])} by {last} on the central path")
    if quantiles is not None and len(quantiles):
        row = quantiles[(quantiles["name"] == "pillars") & (quantiles["year"] == last)]
        if len(row):
            r = row.iloc[0]
            text += (f"; across the ensemble its median in {last} is {_num(r['median'])} "
                     f"(80% of runs between {_num(r['q10'])} and {_num(r['q90'])})")
    return text + "."


def reach_sentences(balance: Any) -> list[str]:
    """Who can reach the focus by land, and who is blocked by whom."""
    reach = balance.reach
    if reach.empty:
        return []
    open_ = [r["from"] for r in reach.to_dict("records")
             if r["access"] in ("own", "direct", "through_friends", "through_neutrals")]
    blocked = [(r["from"], r["blocked_by"]) for r in reach.to_dict("records")
               if r["access"] == "blocked"]
    out = []
    if open_:
        out.append(f"{', '.join(open_)} can reach {balance.focus} by land without crossing a "
                   "rival bloc.")
    for power, by in blocked:
        out.append(f"{power} cannot: every land route crosses {', '.join(by)}.")
    enc = balance.encirclement
    held = [(r.bloc, r.share) for r in enc.itertuples() if r.share > 0]
    if held:
        out.append(f"{balance.focus}'s land border: " + ", ".join(
            f"{b} {s:.0%}" for b, s in held) + ".")
    return out


def issue_sentence(issue: str, question: str, forecast: pd.Series,
                   models: list[tuple[str, float]], quantiles: pd.DataFrame | None,
                   last_year: int | None) -> str:
    """Where an issue settles, how sure that is, and how far the models disagree."""
    text = f"{question} The default forecaster puts it at {_num(forecast['outcome'], 0)}"
    if not math.isnan(forecast["lo80"]):
        text += f" (80% interval {_num(forecast['lo80'], 0)}-{_num(forecast['hi80'], 0)})"
    values = [v for _, v in models if v is not None and not math.isnan(v)]
    if len(values) > 1:
        text += (f"; the {len(values)} models range from {_num(min(values), 0)} to "
                 f"{_num(max(values), 0)}")
    if quantiles is not None and last_year is not None:
        row = quantiles[(quantiles["name"] == f"outcome/{issue}")
                        & (quantiles["year"] == last_year)]
        if len(row) and not math.isnan(row.iloc[0]["median"]):
            r = row.iloc[0]
            text += (f"; by {last_year} the ensemble's median is {_num(r['median'], 0)} "
                     f"(80% of runs {_num(r['q10'], 0)}-{_num(r['q90'], 0)})")
    return text + "."


def event_sentences(events: pd.DataFrame | None) -> list[str]:
    if events is None or events.empty:
        return []
    return [f"{row.event}: {row.probability:.0%} of runs." for row in events.itertuples()
            if not math.isnan(row.probability)]

"""Charts of a balance sheet for the briefing (``blocs report``), one function per chart.

Every function returns a `matplotlib.figure.Figure` built with the object-oriented API (never
pyplot's global figure registry, so nothing is kept alive after the caller drops it), 7 inches
wide, fonts of 9 points or more.  Style settings are applied with `matplotlib.rc_context` while
a chart is built, turned into SVG or saved (`STYLE`), under one module lock, since
``rc_context`` changes matplotlib's process-wide settings for its duration: charts may be made
from several threads, one at a time.

Text from a case or an input file (actor, bloc and model names, questions, event words) is
always drawn literally: no mathtext (``$x$`` stays ``$x$``), no LaTeX, and `to_svg` draws all
text as paths, so no ``<text>`` element, no font file and no network request is in the SVG.

Colours: `power_colours` and `bloc_colours` give a name the same colour whatever the order or
the other names, except when two names hash to the same palette slot (then the later name in
sorted order takes the next free slot).  For colours guaranteed equal across a briefing, call
them once with every name of the case and pass the mapping as ``colours=`` to each chart.

Inputs with nothing to draw (no powers with leverage, no issues, no ensemble) give a small
figure that says what is missing, never an exception.

>>> fig = fan(None, "outcome/alignment")
>>> fig.get_size_inches()[0]
np.float64(7.0)
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import textwrap
import threading
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from html import escape
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from blocs.textfile import write_whole

#: Figure width in inches (about a phone's screen at 2x, a column of a page).
WIDTH = 7.0

#: Settings in force while a chart is built, rendered or saved (`matplotlib.rc_context`).
STYLE: dict[str, Any] = {
    "font.family": ["DejaVu Sans"],  # shipped with matplotlib: no font lookup or download
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#444444",
    "axes.labelcolor": "#222222",
    "text.color": "#222222",
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "axes.unicode_minus": True,
    "text.usetex": False,  # never hand user text to LaTeX
    "text.parse_math": False,  # never read user text as mathtext
    "hatch.linewidth": 0.8,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.bbox": None,
    "svg.fonttype": "path",  # text as paths: no fonts, no <text>
    "svg.hashsalt": "blocs",  # the same figure gives the same SVG
}
if tuple(int(x) for x in re.findall(r"\d+", mpl.__version__)[:2]) >= (3, 10):
    # Hatches in the patch's edge colour (before 3.10, an explicit edge colour does this).
    STYLE["hatch.color"] = "edge"

#: Colours of the leverage domains (the case format's five; others take `_EXTRA`).
DOMAIN_COLOURS = {
    "economic": "#4E79A7",
    "energy": "#F28E2B",
    "security": "#E15759",
    "diplomatic": "#76B7B2",
    "societal": "#59A14F",
}
_EXTRA = ["#B07AA1", "#EDC948", "#9C755F", "#FF9DA7", "#BAB0AC"]

#: Powers and other actors (colour-blind-safe first: Okabe & Ito, then Tol's muted).
POWER_PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                 "#882255", "#44AA99", "#999933", "#6A3D9A", "#B15928", "#332288"]
#: Blocs: darker, so that they are not mistaken for one of their powers.
BLOC_PALETTE = ["#1F4E79", "#A4262C", "#2E7D32", "#6A1B9A", "#EF6C00", "#00838F"]

_PILLARS_COLOURS = {"pillars": "#1F4E79", "pillars/powers": "#B15928"}
_FAN_COLOUR = "#1F4E79"
#: Band widths of the fan charts: (low, high, label, alpha), widest first.
BANDS = [("q025", "q975", "95%", 0.14), ("q10", "q90", "80%", 0.22), ("q25", "q75", "50%", 0.34)]

_LOCK = threading.RLock()


@contextmanager
def _style() -> Iterator[None]:
    with _LOCK, mpl.rc_context(STYLE):
        yield


# ---------------------------------------------------------------------------------------------
# Helpers


def _assign(names: Iterable[Any], palette: Sequence[str]) -> dict[str, str]:
    """Each distinct name a colour of ``palette``: its hashed slot, or the next free one."""
    given = list(dict.fromkeys(str(n) for n in names))
    chosen: dict[str, str] = {}
    used: set[int] = set()
    for name in sorted(given):
        if len(used) == len(palette):
            used = set()  # more names than colours: start again
        start = zlib.crc32(name.encode("utf-8")) % len(palette)
        slot = next((start + k) % len(palette) for k in range(len(palette))
                    if (start + k) % len(palette) not in used)
        used.add(slot)
        chosen[name] = palette[slot]
    return {name: chosen[name] for name in given}


def power_colours(names: Iterable[Any]) -> dict[str, str]:
    """A colour (``#RRGGBB``) per power or actor, the same whatever the order of ``names``.

    >>> power_colours(["EU", "RUS"]) == power_colours(["RUS", "EU"])
    True
    """
    return _assign(names, POWER_PALETTE)


def bloc_colours(names: Iterable[Any]) -> dict[str, str]:
    """A colour per bloc, from a darker palette than the powers'."""
    return _assign(names, BLOC_PALETTE)


def domain_colours(domains: Iterable[Any]) -> dict[str, str]:
    """A colour per leverage domain: the five of the case format fixed, others after them."""
    out: dict[str, str] = {}
    extra = iter(_EXTRA * 10)
    for d in dict.fromkeys(str(x) for x in domains):
        out[d] = DOMAIN_COLOURS.get(d) or next(extra)
    return out


def _wrap(text: Any, width: int, split_words: bool = True) -> str:
    """``text`` in lines of at most ``width`` characters (a longer word is split only when
    ``split_words``)."""
    if text is None:
        return ""
    return textwrap.fill(" ".join(str(text).split()), width=width,
                         break_long_words=split_words, break_on_hyphens=split_words)


def _label(code: Any, names: Mapping[str, str] | None) -> str:
    code = str(code)
    return str(names.get(code, code)) if names else code


def _literal(fig: Figure) -> Figure:
    """Every text of ``fig`` drawn as written: no mathtext, no LaTeX."""
    for t in fig.findobj(Text):
        t.set_parse_math(False)
        t.set_usetex(False)
    return fig


def _new(height: float) -> Figure:
    return Figure(figsize=(WIDTH, max(1.4, height)), layout="constrained")


def _finish(fig: Figure) -> Figure:
    for ax in fig.axes:  # category tick labels exist from here on, and are made literal
        ax.get_xticklabels()
        ax.get_yticklabels()
    return _literal(fig)


def message_figure(title: str, message: str) -> Figure:
    """A small figure that says what is missing (a chart with nothing to draw)."""
    with _style():
        fig = _new(1.4)
        fig.text(0.02, 0.92, _wrap(title, 80), ha="left", va="top", fontsize=11,
                 fontweight="bold", parse_math=False)
        fig.text(0.02, 0.45, _wrap(message, 95), ha="left", va="center", fontsize=10,
                 color="#555555", parse_math=False)
        return _literal(fig)


def _number(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v


def _percent(p: float) -> str:
    if not math.isfinite(p):
        return "n/a"
    if p <= 0:
        return "0%"
    if p < 0.01:
        return "<1%"
    if 0.99 < p < 1:
        return ">99%"
    return f"{100 * p:.0f}%"


def _frame(x: Any) -> pd.DataFrame:
    return x if isinstance(x, pd.DataFrame) else pd.DataFrame(x if x is not None else [])


def _ranked_powers(balance: Any) -> pd.DataFrame:
    """The balance's powers with any leverage, largest total first."""
    powers = _frame(getattr(balance, "powers", None))
    if powers.empty or not {"power", "value"} <= set(powers.columns):
        return powers.iloc[0:0]
    values = pd.to_numeric(powers["value"], errors="coerce")
    ranked = powers[values > 0].assign(_v=values[values > 0])
    return ranked.sort_values("_v", ascending=False, kind="stable").drop(columns="_v")


def _title_of(balance: Any, what: str) -> str:
    focus = getattr(balance, "focus", "") or "the focus"
    year = getattr(balance, "year", None)
    return f"{what} over {focus}" + (f", {year}" if year is not None else "")


# ---------------------------------------------------------------------------------------------
# Balance sheet


def leverage_by_domain(balance: Any, names: Mapping[str, str] | None = None,
                       title: str | None = None) -> Figure:
    """Each power's leverage by domain: a horizontal bar per power (largest total at the top)
    made of one segment per (domain, kind) cell with leverage, coloured by domain, hard
    cells hatched; the power's total at the bar's end.  Segment widths are the balance's
    ``leverage`` values; a bar's length is the power's ``value`` in ``powers``."""
    title = title or _title_of(balance, "Leverage by domain")
    ranked = _ranked_powers(balance)
    lev = _frame(getattr(balance, "leverage", None))
    if ranked.empty or lev.empty:
        return message_figure(title, "No power has leverage over the focus in this case "
                                     "(no ties into it).")
    lev = lev.assign(value=pd.to_numeric(lev["value"], errors="coerce"))
    cells = list(dict.fromkeys(zip(lev["domain"].astype(str), lev["kind"].astype(str),
                                   strict=True)))
    dcol = domain_colours(d for d, _ in cells)
    order = [str(p) for p in ranked["power"]]
    n = len(order)
    rows = {p: n - 1 - i for i, p in enumerate(order)}  # largest at the top
    with _style():
        fig = _new(1.5 + 0.42 * n)
        ax = fig.add_subplot()
        left = np.zeros(n)
        shown: dict[str, bool] = {}
        any_hard = False
        for domain, kind in cells:
            part = lev[(lev["domain"].astype(str) == domain) & (lev["kind"].astype(str) == kind)]
            part = part[part["from"].astype(str).isin(rows) & (part["value"] > 0)]
            if part.empty:
                continue
            y = np.array([rows[str(p)] for p in part["from"]])
            w = part["value"].to_numpy(dtype=float)
            hard = kind == "hard"
            any_hard |= hard
            ax.barh(y, w, left=left[y], height=0.62, color=dcol[domain], edgecolor="white",
                    linewidth=0.8, hatch="///" if hard else None)
            left[y] += w
            shown[domain] = True
        totals = dict(zip(ranked["power"].astype(str),
                          pd.to_numeric(ranked["value"]).to_numpy(dtype=float), strict=True))
        for p, y in rows.items():
            ax.text(totals[p], y, f" {totals[p]:.2f}", va="center", ha="left", fontsize=9,
                    parse_math=False)
        ax.set_yticks(list(rows.values()), labels=[_label(p, names) for p in rows])
        ax.set_ylim(-0.6, n - 0.4)
        ax.set_xlim(0, max(totals.values()) * 1.12)
        ax.set_xlabel("leverage (sum of the domain × soft/hard cells, each 0-1)")
        ax.set_title(_wrap(title, 70), loc="left")
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        handles = [Patch(facecolor=dcol[d], edgecolor="white", label=d) for d in shown]
        if any_hard:
            handles.append(Patch(facecolor="#888888", edgecolor="white", hatch="///",
                                 label="hard (hatched)"))
        fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 3))
        return _finish(fig)


def soft_hard(balance: Any, colours: Mapping[str, str] | None = None,
              names: Mapping[str, str] | None = None, title: str | None = None) -> Figure:
    """Soft against hard leverage per power: two bars per power with leverage (soft solid
    above, hard hatched below), largest total at the top; widths are the ``soft`` and
    ``hard`` columns of the balance's ``powers``."""
    title = title or _title_of(balance, "Soft and hard leverage")
    ranked = _ranked_powers(balance)
    if ranked.empty or not {"soft", "hard"} <= set(ranked.columns):
        return message_figure(title, "No power has leverage over the focus in this case.")
    order = [str(p) for p in ranked["power"]]
    colours = dict(colours or {})
    colours = {**power_colours(order), **{k: v for k, v in colours.items() if k in order}}
    soft = pd.to_numeric(ranked["soft"], errors="coerce").fillna(0).to_numpy(dtype=float)
    hard = pd.to_numeric(ranked["hard"], errors="coerce").fillna(0).to_numpy(dtype=float)
    n = len(order)
    y = np.arange(n)[::-1].astype(float)
    with _style():
        fig = _new(1.5 + 0.55 * n)
        ax = fig.add_subplot()
        c = [colours[p] for p in order]
        ax.barh(y + 0.2, soft, height=0.38, color=c, edgecolor=c, linewidth=0.8)
        ax.barh(y - 0.2, hard, height=0.38, color="white", edgecolor=c, linewidth=0.8,
                hatch="////")
        for yy, s, h in zip(y, soft, hard, strict=True):
            ax.text(s, yy + 0.2, f" {s:.2f}", va="center", ha="left", fontsize=9,
                    parse_math=False)
            ax.text(h, yy - 0.2, f" {h:.2f}", va="center", ha="left", fontsize=9,
                    parse_math=False)
        ax.set_yticks(y, labels=[_label(p, names) for p in order])
        ax.set_ylim(-0.6, n - 0.4)
        top = max(float(np.max(soft)), float(np.max(hard)), 1e-9)
        ax.set_xlim(0, top * 1.15)
        ax.set_xlabel("leverage (sum over domains, each cell 0-1)")
        ax.set_title(_wrap(title, 70), loc="left")
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        handles = [Patch(facecolor="#555555", edgecolor="#555555", label="soft"),
                   Patch(facecolor="white", edgecolor="#555555", hatch="////", label="hard")]
        fig.legend(handles=handles, loc="outside lower center", ncols=2)
        return _finish(fig)


def bloc_totals(balance: Any, colours: Mapping[str, str] | None = None,
                names: Mapping[str, str] | None = None, title: str | None = None) -> Figure:
    """Each bloc's share of all leverage: a bar per bloc (in the balance's order), its width
    the ``share`` in percent, the percentage at its end, the bloc's powers under its name;
    the effective numbers of pillars and of blocs in the title."""
    title = title or _title_of(balance, "Each bloc's share of leverage")
    blocs = _frame(getattr(balance, "blocs", None))
    if blocs.empty or "share" not in blocs.columns:
        return message_figure(title, "The case declares no blocs.")
    share = pd.to_numeric(blocs["share"], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(share).any():
        return message_figure(title, "No bloc has any leverage over the focus.")
    share = np.nan_to_num(share)
    ids = [str(b) for b in blocs["bloc"]]
    colours = {**bloc_colours(ids), **{k: v for k, v in (colours or {}).items() if k in ids}}
    n = len(ids)
    y = np.arange(n)[::-1].astype(float)
    pillars = _number(getattr(balance, "effective_pillars", math.nan))
    eff_blocs = _number(getattr(balance, "effective_blocs", math.nan))
    with _style():
        fig = _new(1.6 + 0.6 * n)
        ax = fig.add_subplot()
        ax.barh(y, 100 * share, height=0.6, color=[colours[b] for b in ids])
        for yy, s in zip(y, share, strict=True):
            ax.text(100 * s, yy, f" {100 * s:.1f}%", va="center", ha="left", fontsize=10,
                    fontweight="bold", parse_math=False)
        labels = []
        for b, members in zip(ids, blocs.get("powers", pd.Series([None] * n)), strict=True):
            text = _label(b, names)
            if isinstance(members, list | tuple | np.ndarray) and len(members):
                text += "\n" + _wrap(", ".join(_label(m, names) for m in members), 28)
            labels.append(text)
        ax.set_yticks(y, labels=labels)
        ax.set_ylim(-0.6, n - 0.4)
        ax.set_xlim(0, 110)
        ax.set_xlabel("share of all leverage over the focus (%)")
        sub = []
        if math.isfinite(pillars):
            # The balance sheet's count over every power (the dynamics' "pillars" are the
            # case's declared ones): named so that the two are not confused.
            sub.append(f"effective number of powers {pillars:.2f}")
        if math.isfinite(eff_blocs):
            sub.append(f"of blocs {eff_blocs:.2f}")
        ax.set_title(_wrap(title, 70) + ("\n" + ", ".join(sub) if sub else ""), loc="left")
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        return _finish(fig)


# ---------------------------------------------------------------------------------------------
# Years and ensembles


def _rows_of(quantile_rows: Any, name: str) -> pd.DataFrame:
    q = _frame(quantile_rows)
    if q.empty or not {"name", "year", "median"} <= set(q.columns):
        return q.iloc[0:0]
    part = q[q["name"].astype(str) == name].copy()
    part["year"] = pd.to_numeric(part["year"], errors="coerce")
    return part.dropna(subset=["year"]).sort_values("year")


def _bands(ax: Any, part: pd.DataFrame, colour: str) -> None:
    """The 50/80/95% bands (widest first) and the dashed median of one quantity's rows."""
    years = part["year"].to_numpy(dtype=float)
    for lo, hi, _, alpha in BANDS:
        if lo in part and hi in part:
            ax.fill_between(years, pd.to_numeric(part[lo], errors="coerce").to_numpy(float),
                            pd.to_numeric(part[hi], errors="coerce").to_numpy(float),
                            color=colour, alpha=alpha, linewidth=0)
    ax.plot(years, pd.to_numeric(part["median"], errors="coerce").to_numpy(dtype=float),
            color=colour, linewidth=1.8, linestyle="--")


def _band_handles(colour: str = "#555555") -> list[Any]:
    return [Patch(facecolor=colour, alpha=alpha, linewidth=0, label=f"{words} of runs")
            for _, _, words, alpha in BANDS]


def _year_axis(ax: Any) -> None:
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)


def pillars_path(sim_tables: Mapping[str, pd.DataFrame] | None = None,
                 ensemble_quantiles: pd.DataFrame | None = None,
                 title: str | None = None) -> Figure:
    """The effective number of pillars (the case's pillars) and of powers (every power)
    year by year: solid lines from one run's tables (``Simulation.tables()["pillars"]``,
    columns ``pillars`` and ``powers``), and 50/80/95% bands with a dashed median from an
    ensemble's quantile rows named ``pillars`` and ``pillars/powers``."""
    title = title or "Effective number of pillars and of powers, year by year"
    table = None
    if sim_tables is not None:
        table = sim_tables.get("pillars") if isinstance(sim_tables, Mapping) else sim_tables
    table = _frame(table)
    runs = {key: _rows_of(ensemble_quantiles, key) for key in _PILLARS_COLOURS}
    runs = {k: v for k, v in runs.items() if not v.empty}
    lines = [c for c in ("pillars", "powers") if c in table.columns] if not table.empty else []
    if not lines and not runs:
        return message_figure(title, "No years to show: no run of the case's years and no "
                                     "ensemble.")
    words = {"pillars": "pillars", "pillars/powers": "powers"}
    with _style():
        fig = _new(4.2)
        ax = fig.add_subplot()
        ends: dict[str, tuple[float, float]] = {}
        for key, part in runs.items():
            _bands(ax, part, _PILLARS_COLOURS[key])
            ends[key] = (float(part["year"].iloc[-1]), _number(part["median"].iloc[-1]))
        years = pd.to_numeric(pd.Series(table.index), errors="coerce").to_numpy(dtype=float)
        for col in lines:
            key = "pillars" if col == "pillars" else "pillars/powers"
            values = pd.to_numeric(table[col], errors="coerce").to_numpy(dtype=float)
            ax.plot(years, values, color=_PILLARS_COLOURS[key], linewidth=2.2, marker="o",
                    markersize=3.5)
            ends[key] = (float(years[-1]), float(values[-1]))
        for key, (x, y) in ends.items():  # each quantity named at its line's end
            if math.isfinite(x) and math.isfinite(y):
                ax.annotate(words[key], (x, y), xytext=(5, 0), textcoords="offset points",
                            va="center", ha="left", fontsize=10, fontweight="bold",
                            color=_PILLARS_COLOURS[key], annotation_clip=False)
        _year_axis(ax)
        ax.set_ylabel("effective number (1/Σ share²)")
        ax.set_xlabel("year")
        ax.set_title(_wrap(title, 70), loc="left")
        handles = []
        if lines:
            handles.append(Line2D([], [], color="#555555", linewidth=2.2, marker="o",
                                  markersize=3.5, label="one run"))
        if runs:
            handles.append(Line2D([], [], color="#555555", linewidth=1.8, linestyle="--",
                                  label="median of runs"))
            handles += _band_handles()
        fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 3))
        return _finish(fig)


def fan(quantile_rows: pd.DataFrame | None, name: str, title: str | None = None,
        ylabel: str | None = None, colour: str = _FAN_COLOUR) -> Figure:
    """A fan chart of one quantity of an ensemble (``name``: ``outcome/kosovo``, ``pillars``,
    ``bloc/West``...): the 50% (q25-q75), 80% (q10-q90) and 95% (q025-q975) bands and the
    median, year by year.  Issue outcomes are drawn on their 0-100 scale."""
    title = title or f"{name}: the ensemble's spread"
    part = _rows_of(quantile_rows, str(name))
    if part.empty:
        return message_figure(title, f"No ensemble rows for {name}: run an ensemble "
                                     "(--runs N) to see the spread.")
    with _style():
        fig = _new(3.9)
        ax = fig.add_subplot()
        for lo, hi, words, alpha in BANDS:
            if lo in part and hi in part:
                ax.fill_between(part["year"].to_numpy(dtype=float),
                                pd.to_numeric(part[lo], errors="coerce").to_numpy(dtype=float),
                                pd.to_numeric(part[hi], errors="coerce").to_numpy(dtype=float),
                                color=colour, alpha=alpha, linewidth=0, label=f"{words} band")
        ax.plot(part["year"].to_numpy(dtype=float),
                pd.to_numeric(part["median"], errors="coerce").to_numpy(dtype=float),
                color=colour, linewidth=2, label="median")
        if str(name).startswith("outcome/"):
            ax.set_ylim(-2, 102)
        _year_axis(ax)
        ax.set_xlabel("year")
        ax.set_ylabel(ylabel or ("position (0-100)" if str(name).startswith("outcome/")
                                 else str(name)))
        ax.set_title(_wrap(title, 70), loc="left")
        fig.legend(loc="outside lower center", ncols=4)
        return _finish(fig)


def event_bars(events_df: pd.DataFrame | None, title: str | None = None) -> Figure:
    """Each declared event's probability (rows ``name, event, probability``): a horizontal
    bar per event, in the table's order from the top, its width the probability in percent,
    the percentage at its end and the event's words (else its id) as its label."""
    title = title or "How likely each event is"
    ev = _frame(events_df)
    if ev.empty or "probability" not in ev.columns:
        return message_figure(title, "No event probabilities: the case declares no events, "
                                     "or no ensemble was run.")
    p = pd.to_numeric(ev["probability"], errors="coerce").to_numpy(dtype=float)
    ids = list(ev["name"]) if "name" in ev.columns else list(ev.index)
    said = list(ev["event"]) if "event" in ev.columns else [None] * len(ev)
    words = [str(w) if isinstance(w, str) and w.strip() else str(i)
             for w, i in zip(said, ids, strict=True)]
    labels = [_wrap(w, 30) for w in words]
    lines = [lab.count("\n") + 1 for lab in labels]
    n = len(p)
    with _style():
        fig = _new(1.3 + sum(max(0.45, 0.2 * k + 0.15) for k in lines))
        ax = fig.add_subplot()
        y = np.arange(n)[::-1].astype(float)
        ax.barh(y, np.nan_to_num(100 * p), height=0.6, color="#1F4E79")
        for yy, pp in zip(y, p, strict=True):
            ax.text(np.nan_to_num(100 * pp), yy, f" {_percent(pp)}", va="center", ha="left",
                    fontsize=10, fontweight="bold", parse_math=False)
        ax.set_yticks(y, labels=labels)
        ax.set_ylim(-0.6, n - 0.4)
        ax.set_xlim(0, 112)
        ax.set_xticks([0, 25, 50, 75, 100])
        ax.set_xlabel("probability (% of runs)")
        ax.set_title(_wrap(title, 70), loc="left")
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        return _finish(fig)


# ---------------------------------------------------------------------------------------------
# Issues and bargaining


#: Points per character of a 9-point label (DejaVu Sans, roughly) and per unit of the
#: 0-100 axis on a 7-inch figure: used to keep labels on one level from overlapping.
_PT_PER_CHAR = 5.6
_MAX_DOT = 650.0  # the largest stakeholder's dot, in points² (area)


def _levels(x: Sequence[float], half: Sequence[float], gap: float) -> list[int]:
    """A level per item so that the intervals [x - half, x + half] on one level are ``gap``
    apart: greedy, items in order of x."""
    ends: list[float] = []  # per level, the right end of its last interval
    out = [0] * len(x)
    for i in sorted(range(len(x)), key=lambda k: (x[k], k)):
        lo = x[i] - half[i]
        lvl = next((k for k, e in enumerate(ends) if lo >= e + gap), len(ends))
        if lvl == len(ends):
            ends.append(-math.inf)
        ends[lvl] = x[i] + half[i]
        out[i] = lvl
    return out


def issue_positions(issue_id: str, question: str | None, low: str | None, high: str | None,
                    stakeholders: Sequence[tuple[Any, Any, Any, Any]],
                    forecasts: Sequence[tuple[Any, Any]] = (),
                    interval: Sequence[float] | None = None,
                    colours: Mapping[str, str] | None = None,
                    names: Mapping[str, str] | None = None) -> Figure:
    """One issue on its 0-100 line: each stakeholder ``(actor, position, salience,
    capability)`` a dot at its position, its area proportional to capability × salience
    (an open ring when that is 0), labelled with its name, stacked upwards where labels
    would collide; below them each model's forecast ``(model, outcome)`` a marker with the
    model's name and number (the first drawn in black, as the headline); ``interval`` (lo,
    hi), the default forecaster's 80% interval, a shaded band; the words for 0 (``low``)
    and 100 (``high``) under the ends of the line."""
    title = _wrap(question or issue_id, 72)
    rows = []
    for st in stakeholders or []:
        actor, pos, sal, cap = (list(st) + [None] * 4)[:4]
        pos = _number(pos)
        if math.isfinite(pos):
            w = _number(sal) * _number(cap)
            rows.append((str(actor), pos, w if math.isfinite(w) and w > 0 else 0.0))
    fc = [(str(m), _number(v)) for m, v in (forecasts or [])]
    fc = [(m, v) for m, v in fc if math.isfinite(v)]
    if not rows:
        return message_figure(title, f"Issue {issue_id}: no stakeholder with a position.")
    actors = [a for a, _, _ in rows]
    colours = {**power_colours(actors), **{k: v for k, v in (colours or {}).items()
                                           if k in actors}}
    xs = [p for _, p, _ in rows] + [v for _, v in fc]
    if interval is not None:
        xs += [v for v in map(_number, interval) if math.isfinite(v)]
    xmin, xmax = min(0.0, *xs), max(100.0, *xs)
    span = xmax - xmin
    pad = 0.06 * span
    pt_per_unit = (WIDTH - 0.6) * 72 / (span + 2 * pad)
    wmax = max(w for _, _, w in rows) or 1.0
    sizes = [_MAX_DOT * w / wmax if w > 0 else 30.0 for _, _, w in rows]
    labels = [_wrap(_label(a, names), 22, split_words=False) for a in actors]
    half = [max(max(map(len, lab.split("\n"))) * _PT_PER_CHAR, math.sqrt(s)) / 2 / pt_per_unit
            for lab, s in zip(labels, sizes, strict=True)]
    label_lines = max(lab.count("\n") + 1 for lab in labels)
    lv = _levels([p for _, p, _ in rows], half, gap=1.5)
    n_lv = max(lv) + 1
    f_labels = [f"{m} {v:.0f}" for m, v in fc]
    f_lv = _levels([v for _, v in fc], [len(t) * _PT_PER_CHAR / 2 / pt_per_unit
                                        for t in f_labels], gap=1.5) if fc else []
    n_flv = max(f_lv) + 1 if fc else 0
    step = 0.46 + 0.16 * label_lines  # inches per stakeholder level
    fstep = 0.38  # inches per forecast level
    # y in inches above the forecast strip's baseline.
    y_st = [0.55 + step * (k + 0.5) + (n_flv * fstep) for k in lv]
    y_fc = [(n_flv - k - 0.5) * fstep + 0.1 for k in f_lv]
    top = 0.55 + step * n_lv + n_flv * fstep + 0.15
    low_w, high_w = _wrap(low, 34) if low else "", _wrap(high, 34) if high else ""
    word_lines = max(low_w.count("\n") + 1 if low_w else 0, high_w.count("\n") + 1 if high_w
                     else 0)
    with _style():
        fig = _new(top + 1.2 + 0.17 * word_lines + 0.2 * title.count("\n") + 0.35)
        ax = fig.add_subplot()
        ax.set_xlim(xmin - pad, xmax + pad)
        ax.set_ylim(0, top)
        if interval is not None:
            lo, hi = (_number(v) for v in list(interval)[:2])
            if math.isfinite(lo) and math.isfinite(hi):
                ax.axvspan(min(lo, hi), max(lo, hi), color="#9ecae1", alpha=0.35, linewidth=0,
                           zorder=0, label="80% interval of the default forecaster")
        if fc:
            ax.axhline(n_flv * fstep + 0.3, color="#bbbbbb", linewidth=0.6, zorder=1)
            # The headline forecast (the first) across the whole height, thin and dotted.
            ax.axvline(fc[0][1], color="#222222", linewidth=0.9, linestyle=":", zorder=1)
        ax.scatter([p for _, p, _ in rows], y_st, s=sizes,
                   facecolors=[to_rgba(colours[a], 0.85) if w > 0 else (0, 0, 0, 0)
                               for a, _, w in rows],
                   edgecolors=[colours[a] for a in actors], linewidths=1.2, zorder=3)
        for (_, p, _), y, s, lab in zip(rows, y_st, sizes, labels, strict=True):
            ax.annotate(lab, (p, y), xytext=(0, math.sqrt(s) / 2 + 2),
                        textcoords="offset points", ha="center", va="bottom", fontsize=9,
                        annotation_clip=False, parse_math=False)
        for k, ((_, v), y, lab) in enumerate(zip(fc, y_fc, f_labels, strict=True)):
            colour = "#111111" if k == 0 else "#666666"
            ax.plot([v], [y], marker="v", markersize=8, color=colour, linestyle="none",
                    zorder=4)
            ax.annotate(lab, (v, y), xytext=(6, 0), textcoords="offset points", ha="left",
                        va="center", fontsize=9, color=colour,
                        fontweight="bold" if k == 0 else "normal", annotation_clip=False,
                        parse_math=False)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ticks = [t for t in (0, 25, 50, 75, 100) if xmin <= t <= xmax]
        ax.set_xticks(ticks)
        if low_w:
            ax.annotate("← " + low_w, (0.0, 0), xycoords=("data", "axes fraction"),
                        xytext=(0, -18), textcoords="offset points", ha="left", va="top",
                        fontsize=9, color="#444444", parse_math=False)
        if high_w:
            ax.annotate(high_w + " →", (100.0, 0), xycoords=("data", "axes fraction"),
                        xytext=(0, -18), textcoords="offset points", ha="right", va="top",
                        fontsize=9, color="#444444", multialignment="right",
                        parse_math=False)
        ax.set_title(title, loc="left")
        handles = [Patch(facecolor="none", edgecolor="none",
                         label=f"issue {issue_id}; dot area ∝ capability × salience")]
        if interval is not None and ax.patches:
            handles.insert(0, Patch(facecolor="#9ecae1", alpha=0.6,
                                    label="80% interval (default forecaster)"))
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles),
                   handlelength=1.2 if len(handles) > 1 else 0, handletextpad=0.5)
        return _finish(fig)


def _first_dimension(value: Any) -> float:
    if isinstance(value, list | tuple | np.ndarray):
        return _first_dimension(value[0]) if len(value) else math.nan
    return _number(value)


def bargaining_path(rounds: Sequence[Mapping[str, Any]] | None, actors: Sequence[Any],
                    title: str | None = None, colours: Mapping[str, str] | None = None,
                    names: Mapping[str, str] | None = None) -> Figure:
    """Each actor's position round by round (thin lines, one colour per actor) and the
    model's outcome after each round (thick black), from a model's issue entry
    (``entry["rounds"]``: round 0 is the input).  A one-shot model (one round) is drawn as
    points.  Issues with several dimensions are drawn on their first."""
    title = title or "Positions round by round"
    rounds = list(rounds or [])
    actors = [str(a) for a in (actors or [])]
    if not rounds:
        return message_figure(title, "No rounds to show (the model gave no trajectory).")
    multi = any(isinstance(p, list | tuple) for r in rounds for p in (r.get("positions") or []))
    pos = np.full((len(rounds), len(actors)), np.nan)
    for i, r in enumerate(rounds):
        for j, p in enumerate(list(r.get("positions") or [])[: len(actors)]):
            pos[i, j] = _first_dimension(p)
    outcome = np.array([_first_dimension(r.get("outcome")) for r in rounds])
    colours = {**power_colours(actors), **{k: v for k, v in (colours or {}).items()
                                           if k in actors}}
    x = np.arange(len(rounds), dtype=float)
    with _style():
        fig = _new(4.4 + 0.22 * math.ceil((len(actors) + 1) / 4))
        ax = fig.add_subplot()
        if len(rounds) == 1:
            # One shot: the actors side by side (so that equal positions stay apart) and the
            # outcome a thick line across them.
            spread = np.linspace(-0.4, 0.4, len(actors)) if len(actors) > 1 else np.zeros(1)
            for j, a in enumerate(actors):
                ax.plot(spread[j:j + 1], pos[0, j:j + 1], marker="o", markersize=8,
                        linestyle="none", color=colours[a], label=_label(a, names))
            ax.plot([-0.5, 0.5], [outcome[0], outcome[0]], linewidth=3.2, color="#111111",
                    label="outcome")
            ax.set_xticks([])
            ax.set_xlim(-0.6, 0.6)
            ax.set_xlabel("one shot (the model has no rounds)")
        else:
            for j, a in enumerate(actors):
                ax.plot(x, pos[:, j], linewidth=1.1, color=colours[a], label=_label(a, names),
                        alpha=0.9)
            ax.plot(x, outcome, linewidth=3.2, color="#111111", label="outcome")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlabel("round (0: the positions as given)")
        values = np.concatenate([pos.ravel(), outcome])
        values = values[np.isfinite(values)]
        if len(values) and values.min() >= 0 and values.max() <= 100:
            ax.set_ylim(-3, 103)
        ax.set_ylabel("position" + (" (first dimension)" if multi else ""))
        ax.grid(color="#e5e5e5", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.set_title(_wrap(title, 70), loc="left")
        fig.legend(loc="outside lower center", ncols=min(4, len(actors) + 1))
        return _finish(fig)


# ---------------------------------------------------------------------------------------------
# Output


_PROLOG = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?", re.S)
_COMMENT = re.compile(r"<!--.*?-->\s*", re.S)
_STYLE_EL = re.compile(r"<defs>\s*<style[^>]*>.*?</style>\s*</defs>\s*", re.S)
_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')
_PROP = re.compile(r"^[a-z-]+$")
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


def _attributes(match: re.Match[str]) -> str:
    """``style="a: b; c: d"`` as presentation attributes ``a="b" c="d"`` (no CSS: nothing
    for a page's Content-Security-Policy to block)."""
    out = []
    for decl in match.group(1).split(";"):
        key, sep, value = decl.partition(":")
        key, value = key.strip(), value.strip()
        if sep and _PROP.match(key) and value:
            out.append(f' {key}="{value}"')
    return "".join(out)


def to_svg(fig: Figure, title: str) -> str:
    """``fig`` as an SVG string to put inline in HTML: text drawn as paths (no ``<text>``,
    no font), no XML declaration, DOCTYPE, comment, metadata or CSS, ``role="img"`` and a
    ``<title>`` (``title``, escaped) first, ``href`` instead of ``xlink:href`` (so the only
    URL is the SVG namespace), and every id prefixed by a hash of the drawing so that
    several charts can share a page.  The same figure gives the same string.

    >>> svg = to_svg(message_figure("T", "nothing"), "A <chart>")
    >>> svg.startswith("<svg") and "<title>A &lt;chart&gt;</title>" in svg
    True
    """
    _literal(fig)
    buf = io.StringIO()
    with _style():
        fig.savefig(buf, format="svg", metadata={"Creator": None, "Date": None,
                                                 "Format": None, "Type": None})
    svg = _PROLOG.sub("", buf.getvalue(), count=1)
    svg = _COMMENT.sub("", svg)
    svg = _STYLE_EL.sub("", svg, count=1)
    svg = _STYLE_ATTR.sub(_attributes, svg)
    svg = svg.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    svg = svg.replace("xlink:href=", "href=")
    prefix = "c" + hashlib.sha256(svg.encode("utf-8")).hexdigest()[:8] + "-"
    svg = re.sub(r'\sid="([^"]+)"', lambda m: f' id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", svg)
    head = _SVG_OPEN.search(svg)
    if head is None:  # pragma: no cover - matplotlib always writes one
        raise ValueError("matplotlib wrote no <svg> element")
    opening = head.group(0)[:-1].rstrip("/") + (
        ' role="img" stroke-linejoin="round" stroke-linecap="butt">')
    return (svg[: head.start()] + opening + f"\n<title>{escape(str(title))}</title>"
            + svg[head.end():]).strip() + "\n"


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")


def save(fig: Figure, folder: str | Path, name: str, title: str | None = None) -> list[Path]:
    """Write ``fig`` as ``NAME.png`` (150 dpi) and ``NAME.svg`` (`to_svg`, with ``title``,
    default ``name``) into ``folder`` (made if missing); each file written beside its place
    and renamed into it, so a failure leaves no half-written file.  ``name``: letters,
    digits, ``.``, ``_``, ``-`` (ValueError otherwise)."""
    if not _NAME.match(name) or name in (".", ".."):
        raise ValueError(f"bad chart file name {name!r} (allowed: letters, digits, '.', '_', "
                         "'-', not starting with '.', '_' or '-')")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    svg = to_svg(fig, title if title is not None else name)
    _literal(fig)
    written = []
    for suffix in ("png", "svg"):
        target = folder / f"{name}.{suffix}"
        if suffix == "png":
            buffer = io.BytesIO()
            with _style():
                fig.savefig(buffer, format="png", dpi=150, metadata={"Software": None})
            data = buffer.getvalue()
        else:
            data = svg.encode("utf-8")
        write_whole(target, data)
        written.append(target)
    return written

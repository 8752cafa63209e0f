"""The briefing: a case and its results as one self-contained HTML file (docs/report.md).

`build_briefing` runs what the case supports — the balance sheet of its year, every
bargaining model on its issues, the yearly path over its period, and an ensemble when asked
(``runs``) — and collects the sections: a summary made from the numbers, the balance sheet
as charts, the map, each issue, the years to the end of the period, the case's claims beside
their evidence, numbered figures and tables, footnotes to every source, the methods and the
assumptions.  `render_html` fills the Jinja2 template (autoescaped: text from the case is
only ever text); charts are inline SVG with their text drawn as paths, so the page makes no
request of any kind.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from blocs import __version__
from blocs.report import summary as words
from blocs.report.methods import METHODS
from blocs.scenario.scenario import Scenario

#: Models shown side by side on each issue (the exchange model works across the issues).
ISSUE_MODELS = ("default", "compromise", "median", "nash", "eum", "smp", "exchange")
#: The model whose rounds the bargaining path shows (the default forecaster is one-shot).
PATH_MODEL = "eum"


@dataclass
class Figure:
    number: int
    key: str
    title: str
    caption: str
    svg: str
    fig: Any = field(repr=False, default=None)


@dataclass
class Table:
    number: int
    title: str
    columns: list[str]
    rows: list[list[Any]]
    note: str = ""


@dataclass
class Section:
    id: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    items: list[Any] = field(default_factory=list)   # Figures and Tables in order
    missing: str | None = None                       # said plainly when a part is not there


class Sources:
    """Footnotes: every source the briefing cites, numbered in order of first citation."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.order: dict[str, int] = {}

    def cite(self, item: Any) -> list[int]:
        """Footnote numbers of an item's sources (its ``source_ids``)."""
        out = []
        for sid in getattr(item, "source_ids", ()):
            if sid not in self.order:
                self.order[sid] = len(self.order) + 1
            out.append(self.order[sid])
        return out

    def cite_ids(self, ids: list[str]) -> list[int]:
        out = []
        for sid in ids:
            if sid in self.scenario.sources:
                if sid not in self.order:
                    self.order[sid] = len(self.order) + 1
                out.append(self.order[sid])
        return out

    def notes(self) -> list[dict[str, Any]]:
        out = []
        for sid, n in sorted(self.order.items(), key=lambda kv: kv[1]):
            s = self.scenario.sources[sid]
            out.append({"n": n, "id": sid, "title": s.title,
                        "by": s.author or s.publisher or "", "date": s.date or (s.year or ""),
                        "url": s.url or "", "quote": s.quote or ""})
        return out


@dataclass
class Briefing:
    scenario: Scenario
    title: str
    subtitle: str
    summary: list[str]
    sections: list[Section]
    footnotes: list[dict[str, Any]]
    methods: list[Any]
    assumptions: list[tuple[str, str]]
    figures: list[Figure]
    version: str = __version__


class _Counter:
    def __init__(self) -> None:
        self.figures = 0
        self.tables = 0
        self.all_figures: list[Figure] = []

    def figure(self, key: str, title: str, caption: str, fig: Any) -> Figure:
        from blocs.report.charts import to_svg

        self.figures += 1
        f = Figure(self.figures, key, title, caption, to_svg(fig, title), fig)
        self.all_figures.append(f)
        return f

    def table(self, title: str, columns: list[str], rows: list[list[Any]],
              note: str = "") -> Table:
        self.tables += 1
        return Table(self.tables, title, columns, rows, note)


def build_briefing(scenario: Scenario, runs: int | None = None, seed: int = 0) -> Briefing:
    """Everything the briefing shows (see the module)."""
    from blocs.results import analyse

    balance = analyse(scenario)
    src = Sources(scenario)
    count = _Counter()
    start, end = scenario.period
    sim = ens = quants = events = None
    if end > start:
        from blocs.dynamics.simulate import simulate

        sim = simulate(scenario, seed=seed)
        if runs:
            from blocs.ensemble.runner import run_ensemble
            from blocs.ensemble.summary import event_probabilities, quantiles

            ens = run_ensemble(scenario, runs, seed)
            quants = quantiles(ens.outcomes, ens.years, ens.names)
            events = event_probabilities(scenario, ens.outcomes, ens.years, ens.names)
    tables = sim.tables() if sim is not None else None
    models = _issue_models(scenario)

    sections = [
        _balance_section(scenario, balance, src, count),
        _map_section(scenario, balance, count),
        _issues_section(scenario, balance, models, src, count),
        _years_section(scenario, tables, quants, events, ens, count),
        _analysis_section(scenario, ens, seed, count),
        _claims_section(scenario, tables, quants, src, count),
    ]
    summary = _summary(scenario, balance, tables, quants, events, models)
    used = ["leverage", "reach", "default", *[m for m in ISSUE_MODELS if m != "default"]]
    if sim is not None:
        used.append("dynamics")
    if ens is not None:
        used += ["ensembles", "sensitivity"]
    return Briefing(
        scenario=scenario, title=scenario.name,
        subtitle=(f"{scenario.case_id}: focus {scenario.focus}, {scenario.year}"
                  + (f", period {start}-{end}" if end > start else "")),
        summary=summary, sections=sections, footnotes=src.notes(),
        methods=[METHODS[m] for m in dict.fromkeys(used) if m in METHODS],
        assumptions=_assumptions(scenario), figures=count.all_figures)


# ---------------------------------------------------------------------------------------------
# sections


def _balance_section(scenario: Scenario, balance: Any, src: Sources, count: _Counter
                     ) -> Section:
    from blocs.report import charts

    s = Section("balance", "The balance sheet")
    s.paragraphs = [words.balance_sentence(balance), *words.domain_leaders(balance)]
    s.items.append(count.figure(
        "leverage", "Leverage by power and domain",
        "Each power's leverage over the focus by domain, hard cells hatched (0-1 per cell; "
        "docs/leverage.md).", charts.leverage_by_domain(balance)))
    s.items.append(count.figure("soft_hard", "Soft against hard leverage",
                                "Each power's soft and hard leverage, summed over cells.",
                                charts.soft_hard(balance)))
    s.items.append(count.figure("blocs", "Bloc totals",
                                "Each bloc's share of all powers' leverage.",
                                charts.bloc_totals(balance)))
    rows = []
    for r in balance.indicators.to_dict("records"):
        ids = [] if r["source"] == "assumption" else str(r["source"]).split(";")
        rows.append([r["from"], r["measure"], r["domain"], r["kind"],
                     f"{r['share']:.3f}" if not _nan(r["share"]) else "-", r["year"],
                     {"notes": src.cite_ids(ids)} if ids else "assumption"])
    s.items.append(count.table(
        "The figures behind the leverage", ["power", "measure", "domain", "kind", "share",
                                            "year", "source"], rows,
        "Each tie's share of the focus's total, the year it counts from, its sources."))
    return s


def _map_section(scenario: Scenario, balance: Any, count: _Counter) -> Section:
    from blocs.report.map import region_map

    s = Section("map", "Reach and the map")
    s.paragraphs = words.reach_sentences(balance)
    s.items.append(count.figure(
        "map", f"The region in {balance.year}",
        "Countries by bloc, the focus outlined, forces stationed with their size, each "
        "power's land route to the focus, closed borders (Natural Earth shapes; "
        "docs/geography.md).", region_map(scenario, balance.year, balance.reach)))
    rows = [[r["from"], r["access"], " > ".join(r["land_route"] or []) or "none",
             ", ".join(r["blocked_by"]) or "-"] for r in balance.reach.to_dict("records")]
    s.items.append(count.table("Reach", ["power", "access", "land route", "blocked by"], rows))
    return s


def _issue_models(scenario: Scenario) -> dict[str, dict[str, Any]]:
    """Each issue: every model's outcome, the default's interval, the path model's rounds."""
    from blocs.bargaining.forecast import case_problems, forecast
    from blocs.bargaining.registry import get_model
    from blocs.bargaining.run import run_problem

    out: dict[str, dict[str, Any]] = {i: {"models": [], "rounds": None}
                                      for i in scenario.case.issues}
    if not out:
        return out
    for m in ISSUE_MODELS:
        table = forecast(scenario, model=m).set_index("issue")
        for issue in out:
            out[issue]["models"].append((m, float(table.loc[issue, "outcome"])))
            if m == "default":
                out[issue]["default"] = table.loc[issue]
    engine = get_model(PATH_MODEL)
    for p in case_problems(scenario):
        out[p.id]["rounds"] = run_problem(p, engine)["rounds"]
    return out


def _issues_section(scenario: Scenario, balance: Any, models: dict[str, dict[str, Any]],
                    src: Sources, count: _Counter) -> Section:
    from blocs.report import charts

    s = Section("issues", "The contested decisions")
    if not scenario.case.issues:
        s.missing = "The case has no issues: there is no decision to forecast."
        return s
    for iid, issue in scenario.case.issues.items():
        info = models[iid]
        d = info["default"]
        interval = None if _nan(d["lo80"]) else (float(d["lo80"]), float(d["hi80"]))
        st = [(a, x.position, x.salience, _capability(scenario, balance, iid, a))
              for a, x in issue.stakeholders.items()]
        s.items.append(count.figure(
            f"issue_{iid}", f"{iid}: positions and forecasts",
            f"{issue.question} Stakeholders on the 0-100 line (area: capability x salience), "
            "each model's forecast, the default forecaster's 80% interval.",
            charts.issue_positions(iid, issue.question, issue.low, issue.high, st,
                                   info["models"], interval)))
        rows = [[a, f"{x.position:g}", f"{x.salience:g}",
                 _fmt_cap(_capability(scenario, balance, iid, a), x.capability),
                 {"notes": src.cite(x)} if x.source_ids else "assumption"]
                for a, x in issue.stakeholders.items()]
        s.items.append(count.table(f"{iid}: the stakeholders",
                                   ["stakeholder", "position", "salience", "capability",
                                    "source"], rows))
        if info["rounds"]:
            s.items.append(count.figure(
                f"path_{iid}", f"{iid}: the bargaining path ({PATH_MODEL})",
                "Each stakeholder's position round by round and the outcome, under the "
                "expected utility model (docs/eum.md).",
                charts.bargaining_path(info["rounds"], list(issue.stakeholders),
                                       f"{iid} ({PATH_MODEL})")))
    return s


def _years_section(scenario: Scenario, tables: Any, quants: Any, events: Any, ens: Any,
                   count: _Counter) -> Section:
    from blocs.report import charts

    s = Section("years", "The years to the end of the period")
    if tables is None:
        s.missing = ("The case has no period beyond its year, so there is no path to show "
                     "(add period: {start, end} and dynamics, docs/dynamics.md).")
        return s
    s.items.append(count.figure(
        "pillars", "The effective number of pillars",
        "The case's pillars and all powers, year by year"
        + (" (bands: 50/80/95% of the ensemble's runs)." if quants is not None else "."),
        charts.pillars_path(sim_tables=tables, ensemble_quantiles=quants)))
    if quants is None:
        s.missing = ("No ensemble was run, so there are no bands or event probabilities: "
                     "build the briefing with --runs N (docs/ensembles.md).")
        return s
    for name in [n for n in ens.names if n.startswith("outcome/")]:
        s.items.append(count.figure(
            f"fan_{name.split('/')[1]}", f"{name}: fan chart",
            f"The median and the 50/80/95% bands of {ens.runs:,} runs.",
            charts.fan(quants, name, name)))
    if events is not None and len(events):
        s.items.append(count.figure("events", "Event probabilities",
                                    "The share of runs in which each event happened.",
                                    charts.event_bars(events)))
    return s


#: Saltelli's base sample for the briefing's Sobol' indices (n (d + 2) runs per issue).
SOBOL_BASE = 128


def _analysis_section(scenario: Scenario, ens: Any, seed: int, count: _Counter) -> Section:
    """What decides the outcomes (Sobol' indices, SALib) and under which inputs the case's
    events happen (PRIM), in words, when an ensemble was run on a case with uncertainties."""
    s = Section("analysis", "What decides it")
    if ens is None or not ens.input_names:
        s.missing = ("No ensemble over uncertain inputs was run, so there is no sensitivity "
                     "analysis or scenario discovery: build the briefing with --runs N on a "
                     "case with an uncertain: section (docs/ensembles.md, "
                     "docs/sensitivity.md).")
        return s
    from blocs.analysis import discover as prim
    from blocs.analysis import sensitivity as sa
    from blocs.ensemble.runner import evaluate

    end = int(ens.years[-1])
    chance = any(x.chance is not None for x in scenario.case.shocks.values())
    rows = []
    for iid in scenario.case.issues:
        name = f"outcome/{iid}"
        table = sa.sobol(ens.input_names,
                         lambda x, name=name: evaluate(scenario, x, seed, name, end),
                         SOBOL_BASE, seed)
        s.paragraphs.append(sa.summary(table, name, end, chance=chance))
        rows += [[name, r.input, f"{r.S1:.2f} ± {r.S1_conf:.2f}", f"{r.ST:.2f} ± "
                  f"{r.ST_conf:.2f}"] for r in table.itertuples()]
    if rows:
        s.items.append(count.table(
            f"Sobol' indices of each issue's outcome in {end}",
            ["outcome", "input", "first order S1", "total ST"], rows,
            f"SALib, Saltelli's design with a base sample of {SOBOL_BASE}; ± the 95% "
            "bootstrap interval (docs/sensitivity.md)."))
    from blocs.ensemble.summary import describe, event_happened

    inputs = pd.DataFrame(ens.inputs, columns=ens.input_names)
    for ev in scenario.case.events.values():
        happened = event_happened(ev, ens.outcomes, ens.years, ens.names)
        boxes = prim.discover(inputs, happened)
        s.paragraphs.append(prim.summary(ev.name or describe(ev), happened, boxes))
    return s


def _claims_section(scenario: Scenario, tables: Any, quants: Any, src: Sources,
                    count: _Counter) -> Section:
    s = Section("claims", "The claims and the numbers")
    if not scenario.case.claims:
        s.missing = "The case states no claims (claims: in the case file, docs/report.md)."
        return s
    from blocs.dynamics.engine import quantity_key
    from blocs.scenario.paths import QUANTITIES, parse_path

    for cid, claim in scenario.case.claims.items():
        rows = []
        for path in claim.evidence:
            table, name = quantity_key(*parse_path(path, QUANTITIES))
            first = last = None
            if tables is not None and table in tables and name in tables[table]:
                col = tables[table][name]
                first, last = col.iloc[0], col.iloc[-1]
            rows.append([path, _fmt(first), _fmt(last)])
        years = (f"{tables['outcomes'].index[0]}", f"{tables['outcomes'].index[-1]}") \
            if tables is not None and "outcomes" in tables else ("start", "end")
        s.items.append(count.table(
            f"{cid}: {claim.text}", ["evidence", years[0], years[1]], rows,
            {"notes": src.cite(claim)} if claim.source_ids else ""))
    return s


def _summary(scenario: Scenario, balance: Any, tables: Any, quants: Any, events: Any,
             models: dict[str, dict[str, Any]]) -> list[str]:
    out = [words.balance_sentence(balance), *words.domain_leaders(balance)[:3]]
    pillars = words.pillars_sentence(tables, quants)
    if pillars:
        out.append(pillars)
    out += words.reach_sentences(balance)
    last = int(tables["outcomes"].index[-1]) if tables is not None and "outcomes" in tables \
        else None
    for iid, issue in scenario.case.issues.items():
        out.append(words.issue_sentence(iid, issue.question, models[iid]["default"],
                                        models[iid]["models"], quants, last))
    out += words.event_sentences(events)
    return out


def _assumptions(scenario: Scenario) -> list[tuple[str, str]]:
    """Every assumption of the case, apart from the sourced figures: (where, why)."""
    case = scenario.case
    out: list[tuple[str, str]] = []

    def add(where: str, item: Any) -> None:
        if getattr(item, "assumption", None):
            out.append((where, item.assumption))

    for t in case.ties:
        add(f"tie {t.from_} -> {t.to} {t.measure} ({t.year})", t)
    for iid, issue in case.issues.items():
        if issue.status_quo is not None:
            add(f"{iid}: status quo", issue.status_quo)
        for a, st in issue.stakeholders.items():
            add(f"{iid}: {a}", st)
    for p in case.geography.presence:
        add(f"presence {p.actor} in {p.country}", p)
    if case.dynamics is not None:
        add("dynamics", case.dynamics)
    for section in ("trends", "shocks", "triggers", "observables", "uncertain"):
        for key, item in getattr(case, section).items():
            add(f"{section}: {key}", item)
    return out


# ---------------------------------------------------------------------------------------------
# rendering


def render_html(briefing: Briefing) -> str:
    """The briefing as one HTML document (see the module)."""
    from jinja2 import Environment, select_autoescape

    text = (resources.files("blocs.report") / "templates" / "briefing.html").read_text("utf-8")
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["notes"] = _notes
    return env.from_string(text).render(b=briefing)


def _notes(value: Any) -> Any:
    """A source cell: footnote links, or the word given."""
    from markupsafe import Markup, escape

    if isinstance(value, dict) and "notes" in value:
        return Markup(", ".join(f'<a href="#note-{n}" class="fn">[{n}]</a>'
                                for n in value["notes"]))
    return escape(value)


def write_figures(briefing: Briefing, folder: str | Path) -> list[Path]:
    """Every chart and the map as PNG and SVG in ``folder`` (``--figures``)."""
    from blocs.report.charts import save

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    for f in briefing.figures:
        out += save(f.fig, folder, f"fig{f.number:02d}-{f.key}")
    return out


def _capability(scenario: Scenario, balance: Any, issue: str, actor: str) -> float:
    from blocs.influence.capability import issue_capabilities

    actors = list(scenario.case.issues[issue].stakeholders)
    caps = issue_capabilities(scenario, issue, lev=balance.leverage)
    return float(caps[actors.index(actor)])


def _fmt_cap(value: float, typed: Any) -> str:
    return f"{value:.1f} (from leverage)" if typed == "from_leverage" else f"{value:g}"


def _fmt(x: Any) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.3g}" if isinstance(x, float) else str(x)


def _nan(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x)

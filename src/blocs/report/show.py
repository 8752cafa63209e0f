"""``blocs show``: a case printed with every figure next to its source, numbers written for
people (thousands separators, millions and billions, shares as percentages), or as JSON."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from blocs.scenario.scenario import Scenario
from blocs.scenario.schema import FROM_LEVERAGE


def _src(item) -> str:
    ids = ", ".join(item.source_ids)
    if item.assumption:
        return f"{ids}; assumption: {item.assumption}" if ids else f"assumption: {item.assumption}"
    return ids


def human(x: float | None, unit: str | None = None) -> str:
    """``x`` for a reader: shares as percentages, large amounts in millions or billions,
    thousands separated, at most four significant digits; ``unit`` after it.

    >>> human(0.374, "share"), human(11960, "troops"), human(7.3e7, "USD"), human(8.38e9, "USD")
    ('37.4%', '11,960 troops', '73 million USD', '8.38 billion USD')
    >>> human(42.5, "percent"), human(1, "flag"), human(0.5), human(None)
    ('42.5%', 'yes', '0.5', '')
    """
    if x is None:
        return ""
    if unit == "share":
        return f"{100 * x:.3g}%"
    if unit == "percent":
        return f"{x:.3g}%"
    if unit == "flag":
        return "yes" if x else "no"
    big = abs(x)
    if big >= 1e9:
        text = f"{x / 1e9:,.3g} billion"
    elif big >= 1e6:
        text = f"{x / 1e6:,.3g} million"
    elif float(x).is_integer():
        text = f"{x:,.0f}"
    else:
        text = f"{x:,.4g}"
    return f"{text} {unit}" if unit else text


def _table(title: str, *columns: str) -> Table:
    t = Table(title=title)
    for col in columns:
        t.add_column(col, overflow="fold")
    return t


def print_case(scenario: Scenario, console: Console) -> None:
    """Print actors, organisations, blocs, presences, ties, issues and sources."""
    case = scenario.case
    console.print(f"{case.name}  ({scenario.case_id}: focus {case.focus}, {case.year})",
                  style="bold")
    if case.description:
        console.print(case.description.strip())

    t = _table("Actors", "id", "name", "kind", "country / of", "blocs")
    for aid, a in case.actors.items():
        where = a.of or scenario.country_of(aid) or scenario.organization_of(aid) or ""
        t.add_row(aid, a.name, a.kind, where, ", ".join(scenario.blocs_of(aid)))
    console.print(t)

    t = _table(f"Organisations (members in {case.year})", "id", "name", "members", "source")
    for oid, org in case.organizations.items():
        members = scenario.members(oid)
        t.add_row(oid, org.name, f"{len(members)}: {', '.join(sorted(members))}", _src(org))
    console.print(t)

    t = _table("Blocs", "bloc", "label", "members", "countries held", "source")
    for bid, bloc in case.blocs.items():
        t.add_row(bid, bloc.label or bloc.name or "", ", ".join(bloc.members),
                  str(len(scenario.bloc_territory(bid))), _src(bloc))
    console.print(t)

    if case.geography.presence:
        t = _table("Presence (forces stationed)", "actor", "country", "what", "size", "year",
                   "source")
        for p in case.geography.presence:
            years = f"{p.year} to {p.until}" if p.until is not None else str(p.year)
            t.add_row(p.actor, p.country, p.what, human(p.size, p.unit), years, _src(p))
        console.print(t)
    if case.geography.border_lengths is not None:
        bl = case.geography.border_lengths
        console.print(f"Border lengths of {scenario.focus_country} (km, {_src(bl)}): "
                      + ", ".join(f"{k} {v:,.1f}" for k, v in bl.km.items()))

    t = _table("Ties", "from", "to", "measure", "value", "year", "source")
    for tie in case.ties:
        unit = tie.unit or scenario.measures[tie.measure].unit
        value = human(tie.value, unit)
        if tie.total is not None:
            value += f" of {human(tie.total, unit)}"
            if tie.total:
                value += f" ({100 * tie.value / tie.total:.3g}%)"
        t.add_row(tie.from_, tie.to, tie.measure, value, str(tie.year), _src(tie))
    console.print(t)

    for iid, issue in case.issues.items():
        t = _table(f"Issue {iid}: {issue.question}", "stakeholder", "position", "salience",
                   "capability", "source")
        for aid, st in issue.stakeholders.items():
            cap = (f"from leverage ({', '.join(st.domains) if st.domains else 'all domains'})"
                   if st.capability == FROM_LEVERAGE else human(st.capability))
            t.add_row(aid, human(st.position), human(st.salience), cap, _src(st))
        console.print(t)
        if issue.low or issue.high:
            console.print(f"  0 = {issue.low or '?'};  100 = {issue.high or '?'}")

    _dynamics(console, case)

    t = _table("Sources", "id", "title", "by", "date", "url")
    for sid, s in case.sources.items():
        t.add_row(sid, s.title, s.author or s.publisher or "", s.date or str(s.year or ""),
                  s.url or "")
    console.print(t)


def _dynamics(console: Any, case: Any) -> None:
    """The trends, shocks, triggers and observables of the case, each with its source."""
    if case.trends:
        t = _table("Trends (docs/dynamics.md)", "id", "moves", "values", "rate", "source")
        for tid, tr in case.trends.items():
            years = [v.year for v in tr.values]
            values = (f"{len(years)} values, {min(years)}-{max(years)}" if years else "-")
            rate = "-" if tr.rate is None else f"{human(tr.rate)} a year ({tr.change})"
            t.add_row(tid, tr.on, values, rate, _src(tr))
        console.print(t)
    rows = [(sid, "shock", f"in {s.year}" if s.year is not None else
             f"chance {human(s.chance)} a year" + (", once" if s.once else ""), s.effects, s)
            for sid, s in case.shocks.items()]
    rows += [(tid, "trigger", f"when {tr.when} "
              + (f"> {human(tr.above)}" if tr.above is not None else f"< {human(tr.below)}"),
              tr.effects, tr) for tid, tr in case.triggers.items()]
    if rows:
        t = _table("Shocks and triggers", "id", "kind", "when", "effects", "source")
        for rid, kind, when, effects, item in rows:
            t.add_row(rid, kind, when, "; ".join(_effect(e) for e in effects), _src(item))
        console.print(t)
    if case.uncertain:
        t = _table("Uncertainties (docs/ensembles.md)", "id", "input", "distribution", "source")
        for uid, u in case.uncertain.items():
            t.add_row(uid, u.at, _distribution(u), _src(u))
        console.print(t)
    if case.events:
        t = _table("Events", "id", "event", "when")
        for eid, ev in case.events.items():
            side = (f"> {human(ev.above)}" if ev.above is not None else f"< {human(ev.below)}")
            t.add_row(eid, ev.name or "-", f"{ev.when} {side}"
                      + (f" in {ev.year}" if ev.year is not None else " in any year"))
        console.print(t)
    if case.observables:
        t = _table("Observables", "series", "quantity", "mapping", "source")
        for oid, o in case.observables.items():
            mapping = f"{human(o.offset)} + {human(o.scale)} x" + (", anchored" if o.anchor
                                                                  else "")
            t.add_row(oid, o.quantity, mapping, _src(o))
        console.print(t)


def _distribution(u: Any) -> str:
    if u.uniform is not None:
        return f"uniform {human(u.uniform[0])} to {human(u.uniform[1])}"
    if u.triangular is not None:
        low, mode, high = u.triangular
        return f"triangular {human(low)} to {human(high)}, mode {human(mode)}"
    if u.normal is not None:
        text = f"normal, mean {human(u.normal.mean)}, sd {human(u.normal.sd)}"
        return text + (f", within {human(u.normal.between[0])} to {human(u.normal.between[1])}"
                       if u.normal.between else "")
    return "one of " + ", ".join(human(v) for v in u.choice)


def _effect(e: Any) -> str:
    for op in ("set", "add", "scale", "status", "closed"):
        value = getattr(e, op)
        if value is not None:
            return f"{e.on} {op} {value}"
    return e.on


def case_json(scenario: Scenario) -> dict[str, Any]:
    """The case as plain JSON data (``blocs show --json``): the validated case file, keys as
    written in it, plus the case id and where it was read from."""
    from blocs import __version__

    data = scenario.case.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {"schema": 1, "blocs_version": __version__, "case": scenario.case_id,
            "file": scenario.label, **data}

"""``blocs show``: a case printed with every figure next to its source."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from blocs.scenario.scenario import Scenario


def _src(item) -> str:
    ids = ", ".join(item.source_ids)
    if item.assumption:
        return f"{ids}; assumption: {item.assumption}" if ids else f"assumption: {item.assumption}"
    return ids


def _num(x: float | None) -> str:
    if x is None:
        return ""
    return f"{x:,.4g}" if abs(x) < 1e6 else f"{x:,.4e}"


def print_case(scenario: Scenario, console: Console) -> None:
    """Print actors, organisations, blocs, presences, ties, issues and sources."""
    case = scenario.case
    console.print(f"[bold]{case.name}[/bold]  ({scenario.case_id}: focus {case.focus}, "
                  f"{case.year})")
    if case.description:
        console.print(case.description.strip(), markup=False)

    t = Table(title="Actors")
    for col in ("id", "name", "kind", "country / of", "blocs"):
        t.add_column(col)
    for aid, a in case.actors.items():
        where = a.of or scenario.country_of(aid) or scenario.organization_of(aid) or ""
        t.add_row(aid, a.name, a.kind, where, ", ".join(scenario.blocs_of(aid)))
    console.print(t)

    t = Table(title=f"Organisations (members in {case.year})")
    for col in ("id", "name", "members", "source"):
        t.add_column(col, overflow="fold")
    for oid, org in case.organizations.items():
        members = scenario.members(oid)
        t.add_row(oid, org.name, f"{len(members)}: {', '.join(sorted(members))}", _src(org))
    console.print(t)

    t = Table(title="Blocs")
    for col in ("bloc", "label", "members", "countries held", "source"):
        t.add_column(col, overflow="fold")
    for bid, bloc in case.blocs.items():
        t.add_row(bid, bloc.label or bloc.name or "", ", ".join(bloc.members),
                  str(len(scenario.bloc_territory(bid))), _src(bloc))
    console.print(t)

    if case.geography.presence:
        t = Table(title="Presence (forces stationed)")
        for col in ("actor", "country", "what", "size", "year", "source"):
            t.add_column(col, overflow="fold")
        for p in case.geography.presence:
            t.add_row(p.actor, p.country, p.what,
                      f"{_num(p.size)} {p.unit}" if p.size is not None else "",
                      str(p.year), _src(p))
        console.print(t)
    if case.geography.border_lengths is not None:
        bl = case.geography.border_lengths
        console.print(f"Border lengths of {scenario.focus_country} (km, {_src(bl)}): "
                      + ", ".join(f"{k} {v:g}" for k, v in bl.km.items()), markup=False)

    t = Table(title="Ties")
    for col in ("from", "to", "measure", "value", "year", "source"):
        t.add_column(col, overflow="fold")
    for tie in case.ties:
        unit = tie.unit or scenario.measures[tie.measure].unit
        value = f"{_num(tie.value)} {unit}"
        if tie.total is not None:
            value += f" of {_num(tie.total)}"
        t.add_row(tie.from_, tie.to, tie.measure, value, str(tie.year), _src(tie))
    console.print(t)

    for iid, issue in case.issues.items():
        t = Table(title=f"Issue {iid}: {issue.question}")
        for col in ("stakeholder", "position", "salience", "capability", "source"):
            t.add_column(col, overflow="fold")
        for aid, st in issue.stakeholders.items():
            t.add_row(aid, _num(st.position), _num(st.salience), _num(st.capability), _src(st))
        console.print(t)
        if issue.low or issue.high:
            console.print(f"  0 = {issue.low or '?'};  100 = {issue.high or '?'}", markup=False)

    t = Table(title="Sources")
    for col in ("id", "title", "by", "date", "url"):
        t.add_column(col, overflow="fold")
    for sid, s in case.sources.items():
        t.add_row(sid, s.title, s.author or s.publisher or "", s.date or str(s.year or ""),
                  s.url or "")
    console.print(t)

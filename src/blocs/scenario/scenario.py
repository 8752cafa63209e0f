"""`Scenario`: a validated case with the look-ups every model needs.

The models never read files: they take a `Scenario`.  It is immutable; the look-ups that
depend on a date (who is a member of what, which countries a bloc holds, which figures and
presences count) take the year.

Time is strict (docs/case-format.md, Time): a run for year Y sees nothing dated after Y.

* A tie's figure counts from its year on, a span's ('2020-2024', measured over those years)
  from its last year on, until a later figure of the same (from, to, measure) replaces it;
  before the first one there is no figure, and the tie gives no leverage (`Scenario.ties`).
* A presence is there over its active period: ``year: 2023`` from 2023 on, a span
  ``'2023-2023'`` in those years only, ``until: 2025`` through 2025; an open-ended one ends
  when a later entry of the same actor, country and ``what`` starts (`Scenario.presences`).
* A country's status in an organisation holds over its periods; only ``member`` counts as
  membership (`Scenario.status`, `Scenario.members`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from blocs.scenario.measures import resolve_measures
from blocs.scenario.messages import ErrorLine
from blocs.scenario.schema import (
    COUNTING_STATUSES,
    ORG_KINDS,
    Actor,
    Case,
    Measure,
    Membership,
    Presence,
    Source,
    StatusPeriod,
    Tie,
    year_span,
)


class StatusSpan(NamedTuple):
    """One period of a country's status in an organisation (`status_spans`)."""

    status: str
    first: int
    """The first year the status holds."""
    last: int | None
    """The last year it holds (included); None: open-ended."""


def status_spans(entry: int | Membership | list[StatusPeriod]) -> list[StatusSpan]:
    """The periods of one ``members`` entry of an organisation, in order: an accession year
    (member from then on), a `Membership` (its status from ``joined`` to the year before
    ``left``) or a list of `StatusPeriod` (each until the next starts, or through ``until``).

    >>> from blocs.scenario.schema import StatusPeriod as P
    >>> status_spans(2004)
    [StatusSpan(status='member', first=2004, last=None)]
    >>> status_spans([P(status="member", since=1992), P(status="frozen", since=2024)])
    [StatusSpan(status='member', first=1992, last=2023), StatusSpan(status='frozen', first=2024, last=None)]
    """  # noqa: E501
    if isinstance(entry, int):
        return [StatusSpan("member", entry, None)]
    if isinstance(entry, Membership):
        return [StatusSpan(entry.status, entry.joined,
                           None if entry.left is None else entry.left - 1)]
    periods = sorted(entry, key=lambda p: p.since)
    out = []
    for k, period in enumerate(periods):
        last = period.until
        if k + 1 < len(periods):
            before_next = periods[k + 1].since - 1
            last = before_next if last is None else min(last, before_next)
        out.append(StatusSpan(period.status, period.since, last))
    return out


def known_from(year: int | str) -> int:
    """The first year a tie's figure counts: its year, or the last year of a span (a figure
    measured over 2020-2024 is known only once 2024 is).

    >>> known_from(2023), known_from("2020-2024")
    (2023, 2024)
    """
    return year_span(year)[1]


def presence_years(presence: Presence) -> tuple[int, int | None]:
    """(first, last) year of a presence's own active period; last None: open-ended.
    ``year: 2023`` is (2023, None), ``'2023-2024'`` is (2023, 2024), ``until: 2025`` sets the
    last year.  A later entry for the same mission may end an open one (`active_presences`).
    """
    first, last = year_span(presence.year)
    if presence.until is not None:
        return first, presence.until
    return (first, None) if isinstance(presence.year, int) else (first, last)


def active_presences(presences: list[Presence], year: int) -> list[Presence]:
    """The presences there in ``year``, in file order: within their own active period, and
    not replaced by a later entry of the same actor, country and ``what`` that has started
    by ``year``."""
    out = []
    for p in presences:
        first, last = presence_years(p)
        if first > year or (last is not None and year > last):
            continue
        key = (p.actor, p.country, p.what)
        if any((q.actor, q.country, q.what) == key and first < presence_years(q)[0] <= year
               for q in presences):
            continue
        out.append(p)
    return out


class TieCounts(NamedTuple):
    """How the ties of a case are backed (`Scenario.tie_counts`)."""

    sourced: int
    """Ties that name a source (``source:``), with or without an ``assumption:`` too."""
    assumed: int
    """Ties backed only by an ``assumption:``, without a source."""
    sources: int
    """Distinct sources cited by the sourced ties (a case may list more sources than that)."""


@dataclass(frozen=True)
class Scenario:
    """A validated case.

    ``case`` is the typed file content; ``case_id`` its id (``id:`` in the file, else the file
    name); ``label`` where it came from, for messages.
    """

    case: Case
    case_id: str
    label: str = field(default="<case>", compare=False)
    warnings: tuple[ErrorLine, ...] = field(default=(), compare=False)
    """What validation found questionable but not wrong (figures dated after the case year
    or its period), one `ErrorLine` each, in the same ``FILE:LINE: path: message`` form as
    errors; `blocs check` and `blocs run` print them on stderr."""

    # -- plain attributes ----------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.case.name

    @property
    def focus(self) -> str:
        """The actor id of the state the case is about."""
        return self.case.focus

    @property
    def year(self) -> int:
        """The case's reference year: memberships and ties are taken as of this year."""
        return self.case.year

    @property
    def period(self) -> tuple[int, int]:
        """(start, end) of the years the dynamics run over: the case's ``period``, or
        (year, year) when it has none."""
        p = self.case.period
        return (self.year, self.year) if p is None else (p.start, p.end)

    @property
    def actors(self) -> dict[str, Actor]:
        return self.case.actors

    @property
    def sources(self) -> dict[str, Source]:
        return self.case.sources

    @cached_property
    def measures(self) -> dict[str, Measure]:
        """Built-in measures plus the case's own."""
        return resolve_measures(self.case.measures)

    @property
    def focus_country(self) -> str:
        code = self.country_of(self.focus)
        assert code is not None  # validation makes the focus a state
        return code

    # -- geography and membership --------------------------------------------------------------
    def country_of(self, actor: str) -> str | None:
        """The ISO3 code of a state actor or of a faction's state; None for organisations."""
        a = self.actors[actor]
        if a.kind == "state":
            return a.country or actor
        if a.kind == "faction" and a.of is not None:
            return self.country_of(a.of)
        return None

    def organization_of(self, actor: str) -> str | None:
        """The organisation an actor acts for (unions, alliances, organisations)."""
        a = self.actors[actor]
        if a.kind in ORG_KINDS:
            return a.organization or actor
        return None

    def status(self, organization: str, country: str, year: int | None = None) -> str | None:
        """The country's status in the organisation in ``year`` (default: the case year):
        ``member``, ``candidate``, ``partner``, ``observer``, ``suspended`` or ``frozen``;
        None when it has none then (not listed, not yet, or no longer).

        >>> from blocs.scenario.load import load_case
        >>> serbia = load_case("serbia-2024")
        >>> serbia.status("EU", "SRB", 2016), serbia.status("EU", "SRB", 2011)
        ('candidate', None)
        """
        year = self.year if year is None else year
        entry = self.case.organizations[organization].members.get(country)
        if entry is None:
            return None
        for span in status_spans(entry):
            if span.first <= year and (span.last is None or year <= span.last):
                return span.status
        return None

    def members(self, organization: str, year: int | None = None) -> set[str]:
        """ISO3 codes of the organisation's full members in ``year`` (default: the case year).

        A country counts in the years its status is ``member``: from its accession year on,
        up to the year before it left; candidates, partners, observers, suspended and frozen
        members do not count.
        """
        year = self.year if year is None else year
        return {
            code for code in self.case.organizations[organization].members
            if self.status(organization, code, year) in COUNTING_STATUSES
        }

    def presences(self, year: int | None = None) -> list[Presence]:
        """The presences (forces stationed abroad) there in ``year`` (default: the case
        year), in file order: within their active period and not yet replaced by a later
        entry of the same actor, country and ``what`` (`active_presences`)."""
        year = self.year if year is None else year
        return active_presences(self.case.geography.presence, year)

    def ties(self, year: int | None = None) -> list[Tie]:
        """The figures that count in ``year`` (default: the case year): for each (from, to,
        measure), the latest one known by then, i.e. whose year (a span's last year) is at
        most ``year``; of two known from the same year, the one with the later first year
        (the shorter span).  A tie with no figure known yet is left out: no leverage from it.
        """
        year = self.year if year is None else year
        best: dict[tuple[str, str, str], tuple[tuple[int, int], Tie]] = {}
        for tie in self.case.ties:
            first, last = year_span(tie.year)
            if last > year:
                continue
            key = (tie.from_, tie.to, tie.measure)
            if key not in best or (last, first) > best[key][0]:
                best[key] = ((last, first), tie)
        return [tie for _, tie in best.values()]

    def territory(self, actor: str, year: int | None = None) -> set[str]:
        """Countries an actor holds: its own for a state, its members' for an organisation."""
        country = self.country_of(actor)
        if country is not None:
            return {country}
        org = self.organization_of(actor)
        return self.members(org, year) if org is not None else set()

    def blocs_of(self, actor: str, year: int | None = None) -> list[str]:
        """The blocs an actor is in: as a listed member, or (a state) as a member country of
        an organisation that is itself a bloc member."""
        out = []
        country = self.country_of(actor) if self.actors[actor].kind == "state" else None
        for bid, bloc in self.case.blocs.items():
            if actor in bloc.members:
                out.append(bid)
                continue
            if country is None:
                continue
            for member in bloc.members:
                org = self.organization_of(member)
                if org is not None and country in self.members(org, year):
                    out.append(bid)
                    break
        return out

    def bloc_territory(self, bloc: str, year: int | None = None) -> set[str]:
        """Countries a bloc holds in ``year``: its member states and its organisations' members."""
        out: set[str] = set()
        for member in self.case.blocs[bloc].members:
            out |= self.territory(member, year)
        return out

    def powers(self) -> list[str]:
        """Actors that hold some tie over another actor, in file order."""
        seen: dict[str, None] = {}
        for tie in self.case.ties:
            seen.setdefault(tie.from_, None)
        return list(seen)

    def tie_counts(self) -> TieCounts:
        """How many ties name a source and how many rest on an assumption only, and how many
        distinct sources the ties cite; ``sourced + assumed == len(case.ties)``.

        A tie with both ``source:`` and ``assumption:`` (a sourced figure transformed by an
        assumption) counts as sourced.  For a footer such as "28 sourced ties (and 0 assumed)
        from 29 sources", rather than counting every tie as sourced and every listed source.

        >>> from blocs.scenario.load import load_case
        >>> load_case("serbia-2024").tie_counts()
        TieCounts(sourced=49, assumed=0, sources=43)
        """
        sourced = [t for t in self.case.ties if t.source_ids]
        cited = {sid for t in sourced for sid in t.source_ids}
        return TieCounts(len(sourced), len(self.case.ties) - len(sourced), len(cited))

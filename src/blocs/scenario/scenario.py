"""`Scenario`: a validated case with the look-ups every model needs.

The models never read files: they take a `Scenario`.  It is immutable; the look-ups that
depend on a date (who is a member of what, which countries a bloc holds) take the year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from blocs.scenario.measures import resolve_measures
from blocs.scenario.schema import ORG_KINDS, Actor, Case, Measure, Source


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

    def members(self, organization: str, year: int | None = None) -> set[str]:
        """ISO3 codes of the organisation's full members in ``year`` (default: the case year).

        A country counts from its accession year on, and up to the year before it left.
        """
        year = self.year if year is None else year
        out = set()
        for code, m in self.case.organizations[organization].members.items():
            joined, left, status = (
                (m, None, "member") if isinstance(m, int) else (m.joined, m.left, m.status)
            )
            if status == "member" and joined <= year and (left is None or year < left):
                out.add(code)
        return out

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
        TieCounts(sourced=28, assumed=0, sources=29)
        """
        sourced = [t for t in self.case.ties if t.source_ids]
        cited = {sid for t in sourced for sid in t.source_ids}
        return TieCounts(len(sourced), len(self.case.ties) - len(sourced), len(cited))

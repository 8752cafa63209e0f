"""The case-file schema: typed, immutable, validated once at the edge.

A case file is one YAML document.  This module declares its shape with pydantic models
(unknown keys rejected, numbers strict, ranges checked); `blocs.scenario.validate` adds the
checks that need the whole file (ids, sources, units); `blocs.scenario.load` reads YAML with
line numbers and turns every problem into one ``FILE:LINE: path: what (allowed)`` line.

The format is documented in ``docs/case-format.md``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

# What each constrained number allows, in words: the loader quotes it in error messages.
YEAR_RANGE = (1800, 2200)

Year = Annotated[int, Field(ge=YEAR_RANGE[0], le=YEAR_RANGE[1], description="a year, 1800 to 2200")]
YearSpan = Annotated[
    str,
    Field(
        pattern=r"^\d{4}-\d{4}$",
        description="a year (2023) or a span of years as 'YYYY-YYYY' (2020-2024)",
    ),
]


def year_span(year: int | str) -> tuple[int, int]:
    """(first, last) year of a ``year`` field (`Year` or `YearSpan`): ``2023`` or
    ``'2020-2024'``.

    >>> year_span(2023), year_span("2020-2024")
    ((2023, 2023), (2020, 2024))
    """
    if isinstance(year, int):
        return year, year
    first, last = year.split("-")
    return int(first), int(last)

Score = Annotated[float, Field(ge=0, le=100, description="a number from 0 to 100")]
NonNegative = Annotated[float, Field(ge=0, description="a number, 0 or more")]
Positive = Annotated[float, Field(gt=0, description="a number above 0")]
Share = Annotated[float, Field(ge=0, le=1, description="a share from 0 to 1")]
Id = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z][A-Za-z0-9_.\-]*$",
        description="an id: a letter, then letters, digits, '_', '.', '-'",
    ),
]
SourceRef = Annotated[Id | list[Id], Field(description="a source id or a list of source ids")]
Text = Annotated[str, Field(min_length=1, description="a non-empty text")]

DOMAINS = ("economic", "energy", "security", "diplomatic", "societal")
Domain = Literal["economic", "energy", "security", "diplomatic", "societal"]
Kind = Literal["soft", "hard"]
ActorKind = Literal["state", "union", "alliance", "organization", "faction"]
#: The kinds of actor that act for an organisation (its `organizations` entry lists the members).
ORG_KINDS = ("union", "alliance", "organization")


class Strict(BaseModel):
    """Base of every case-file model: unknown keys are errors, values are not coerced."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class Sourced(Strict):
    """Anything that carries numbers: it names a source, or says why it is an assumption."""

    source: SourceRef | None = None
    assumption: Text | None = None
    note: Text | None = None

    @property
    def source_ids(self) -> tuple[str, ...]:
        if self.source is None:
            return ()
        return (self.source,) if isinstance(self.source, str) else tuple(self.source)


class Source(Strict):
    """One entry of the bibliography."""

    title: Text
    author: Text | None = None
    publisher: Text | None = None
    url: Text | None = None
    date: Text | None = None
    year: Year | None = None
    quote: Text | None = None
    fact: Text | None = None  # the id of the row in a fact table (e.g. facts.yaml T08)


class Actor(Strict):
    """A state, a union or alliance acting as one, or a faction inside a state."""

    name: Text
    kind: ActorKind
    country: Annotated[
        str, Field(pattern=r"^[A-Z]{3}$", description="an ISO3 country code (Kosovo: XKX)")
    ] | None = None
    of: Id | None = None
    organization: Id | None = None
    description: Text | None = None


#: A country's standing in an organisation (docs/case-format.md, Time): ``member`` (full
#: member), ``candidate`` (an official candidate for membership), ``partner`` (a partnership
#: programme such as NATO's Partnership for Peace), ``observer``, ``suspended`` (its rights
#: suspended by the organisation), ``frozen`` (it froze its own participation, staying formally
#: a member).  Only `COUNTING_STATUSES` count as membership (blocs, territory, reach).
MEMBER_STATUSES = ("member", "candidate", "partner", "observer", "suspended", "frozen")
MemberStatus = Literal["member", "candidate", "partner", "observer", "suspended", "frozen"]
COUNTING_STATUSES = ("member",)


class Membership(Sourced):
    """A country's one status in an organisation from ``joined`` until the year it ``left``
    (not included)."""

    joined: Year
    left: Year | None = None
    status: MemberStatus = "member"


class StatusPeriod(Sourced):
    """One period of a country's status in an organisation: from ``since`` until the next
    period starts, or through ``until`` (included) when given."""

    status: MemberStatus
    since: Year
    until: Year | None = None


StatusHistory = Annotated[
    list[StatusPeriod],
    Field(min_length=1, description="a list of status periods, e.g. "
          "[{status: member, since: 1992}, {status: frozen, since: 2024}]"),
]


class Organization(Sourced):
    """An organisation with its members by ISO3 code: an accession year, a `Membership`, or
    a `StatusHistory` (a list of status periods)."""

    name: Text
    kind: Literal["alliance", "union", "economic", "security", "forum"] | None = None
    members: dict[
        Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="an ISO3 country code")],
        Year | Membership | StatusHistory,
    ]


class Bloc(Sourced):
    """A camp of actors; organisations in it bring their member states along."""

    name: Text | None = None
    label: Text | None = None
    members: Annotated[list[Id], Field(min_length=1, description="a non-empty list of actor ids")]


class Border(Sourced):
    a: Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="an ISO3 country code")]
    b: Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="an ISO3 country code")]
    length_km: Positive | None = None


CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="an ISO3 country code")]
LandMassId = Annotated[
    str,
    Field(pattern=r"^[A-Z]{3}(\.[1-9][0-9]?)?$",
          description="a country code (its main land mass) or a land mass id such as RUS.1"),
]


class ClosedBorder(Sourced):
    """A land border closed (blockaded, sealed) from ``since`` through ``until`` (included;
    none: still closed).  No route crosses it in those years (docs/geography.md)."""

    a: CountryCode
    b: CountryCode
    since: Year
    until: Year | None = None


class SeaRoute(Sourced):
    """A stated sea link between two land masses (a country code stands for its main land
    mass), usable from ``since`` through ``until`` (both optional, included)."""

    a: LandMassId
    b: LandMassId
    since: Year | None = None
    until: Year | None = None


class Hostile(Sourced):
    """A state hostile to the focus from ``since`` through ``until`` (both optional,
    included): its border with the focus is reported as hostile when it is in no bloc."""

    country: CountryCode
    since: Year | None = None
    until: Year | None = None


class BorderLengths(Sourced):
    """The focus state's land border by neighbour, in km (overrides the built-in lengths)."""

    km: dict[
        Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="an ISO3 country code")],
        Positive,
    ]


class Presence(Sourced):
    """Forces of an actor stationed somewhere: a base, a mission, a contingent."""

    actor: Id
    country: Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="an ISO3 country code")]
    what: Text
    size: NonNegative | None = None
    unit: Text = "troops"
    # Its active period: ``2023`` = from 2023 on (until ``until``, or until a later entry of
    # the same actor, country and ``what`` replaces it); ``'2023-2023'`` = 2023 only.
    year: Year | YearSpan
    until: Year | None = None  # the last year it is there (included)


class Geography(Strict):
    borders: Literal["builtin"] | list[Border] = "builtin"
    border_lengths: BorderLengths | None = None
    presence: list[Presence] = []
    closed: list[ClosedBorder] = []
    sea_routes: list[SeaRoute] = []
    hostile: list[Hostile] = []


class Measure(Strict):
    """A kind of tie: what flows, in which domain, soft or hard (see blocs.scenario.measures)."""

    domain: Domain
    kind: Kind
    unit: Text = "share"
    description: Text | None = None
    weight: Positive = 1.0


class Tie(Sourced):
    """One sourced figure linking a power to a state: a share, or an amount out of a total."""

    model_config = ConfigDict(populate_by_name=True)

    from_: Id = Field(alias="from")
    to: Id
    measure: Id
    value: float
    unit: Text | None = None
    total: Positive | None = None
    reverse: Share | None = None
    # When the figure was measured: it counts from this year on (a span 'YYYY-YYYY', measured
    # over those years, from its last year on) until a later figure replaces it.
    year: Year | YearSpan
    domain: Domain | None = None
    kind: Kind | None = None


#: A stakeholder's capability computed each year from its leverage (docs/dynamics.md).
FROM_LEVERAGE = "from_leverage"


class Stakeholder(Sourced):
    """One actor on an issue: its position (0-100), salience (0-100) and capability.

    ``capability: from_leverage`` computes it each year from the actor's leverage over the
    focus in ``domains`` (default: every domain), times the case's ``dynamics.leverage_scale``
    (docs/dynamics.md).  ``inertia`` overrides ``dynamics.inertia`` for this stakeholder.
    """

    position: Score
    salience: Score
    capability: NonNegative | Literal["from_leverage"] = Field(
        description="a number, 0 or more, or from_leverage (docs/dynamics.md)")
    domains: Annotated[
        list[Domain], Field(min_length=1, description="a non-empty list of domains")
    ] | None = None
    inertia: Share | None = None


class StatusQuo(Sourced):
    """Where an issue stands now, on its 0-100 scale: the reference point (disagreement
    point) of the models that use one (docs/bargaining.md)."""

    position: Score


class Issue(Strict):
    """A contested decision: stakeholders on a 0-100 scale; optionally the status quo and
    the stakeholders whose consent any change needs (``veto``; used only by the Nash model,
    and only with a status quo)."""

    question: Text
    low: Text | None = None  # what position 0 means
    high: Text | None = None  # what position 100 means
    status_quo: StatusQuo | None = None
    veto: Annotated[
        list[Id], Field(min_length=1, description="a non-empty list of stakeholder ids")
    ] | None = None
    stakeholders: Annotated[
        dict[Id, Stakeholder], Field(min_length=1, description="at least one stakeholder")
    ]


class Period(Strict):
    start: Year
    end: Year


# ---------------------------------------------------------------------------------------------
# Dynamics (docs/dynamics.md): what moves the case year by year over its period.

#: A modelled quantity or an input, written as a path of ids separated by '/':
#: ``outcome/alignment``, ``tie/RUS/SRB/gas``, ``position/kosovo/SRB.gov`` (docs/dynamics.md).
Path = Annotated[
    str,
    Field(min_length=1, max_length=300,
          pattern=r"^[a-z_]+(/[A-Za-z0-9_.\-]+)*$",
          description="a path such as outcome/alignment or tie/RUS/SRB/gas "
                      "(docs/dynamics.md)"),
]
Chance = Annotated[float, Field(ge=0, le=1, description="a chance from 0 to 1")]


class Dynamics(Sourced):
    """How the yearly step runs: the bargaining model, how much of last year's position each
    stakeholder keeps (``inertia``), the capability units per unit of leverage
    (``leverage_scale``), and the powers whose effective number is the case's ``pillars``."""

    model: Id = "default"
    variant: Id | None = None
    rounds: Annotated[
        int, Field(ge=0, le=1000, description="a whole number, 0 to 1000")] | None = None
    inertia: Share = 1.0
    leverage_scale: Positive = 100.0
    pillars: Annotated[
        list[Id], Field(min_length=1, description="a non-empty list of actor ids")
    ] | None = None


class TrendValue(Sourced):
    """One value of a trend's series, counting from its year on."""

    year: Year
    value: float


class NormalSpec(Strict):
    """A normal distribution, truncated to ``between`` (default: the input's allowed range)."""

    mean: float
    sd: Positive
    between: Annotated[list[float], Field(min_length=2, max_length=2,
                                          description="[low, high]")] | None = None


class Trend(Sourced):
    """A series that moves an input over time (``on``: ``tie/FROM/TO/MEASURE``,
    ``capability/ISSUE/STAKEHOLDER``, ``position/...``, ``salience/...``, or
    ``power/BLOC_OR_ACTOR``, a relative-power index): sourced yearly ``values`` and/or a
    stated ``rate`` per year, ``relative`` (x (1 + rate)^n) or ``absolute`` (x + rate n),
    applied after the last value known."""

    on: Path
    values: list[TrendValue] = []
    rate: float | None = None
    change: Literal["relative", "absolute"] = "relative"


class Effect(Strict):
    """What a shock or trigger does to one input (``on``, a path as in `Trend`, or
    ``membership/ORG/COUNTRY``, ``border/A/B``, ``presence/ACTOR/COUNTRY``): exactly one of
    ``set`` (a new value), ``add`` (added), ``scale`` (multiplied), ``status`` (a
    membership's new status) or ``closed`` (a border closed or opened)."""

    on: Path
    set: float | None = None
    add: float | None = None
    scale: NonNegative | None = None
    status: MemberStatus | Literal["none"] | None = None
    closed: bool | None = None


Effects = Annotated[list[Effect], Field(min_length=1, description="a non-empty list of effects")]


class Shock(Sourced):
    """A named event: scheduled in ``year``, or with a ``chance`` per year (from ``since``
    through ``until``, by default the whole period; ``once``: at most once per run)."""

    name: Text | None = None
    year: Year | None = None
    chance: Chance | None = None
    since: Year | None = None
    until: Year | None = None
    once: bool = False
    effects: Effects


class Trigger(Sourced):
    """An effect that fires when a modelled quantity (``when``) is ``above`` or ``below`` a
    threshold in a year; its effects change the inputs of the next year (``once``: at most
    once per run)."""

    name: Text | None = None
    when: Path
    above: float | None = None
    below: float | None = None
    once: bool = True
    effects: Effects


class Uncertain(Sourced):
    """A range or a distribution on one input (``at``, a path of
    `blocs.scenario.paths.UNCERTAIN`), exactly one of: ``uniform: [low, high]``,
    ``triangular: [low, mode, high]``, ``normal: {mean, sd}`` (truncated to the input's
    allowed range, or to ``between``), ``choice: [values]`` (with ``weights``)."""

    at: Path
    uniform: Annotated[list[float], Field(min_length=2, max_length=2,
                                          description="[low, high]")] | None = None
    triangular: Annotated[list[float], Field(min_length=3, max_length=3,
                                             description="[low, mode, high]")] | None = None
    normal: NormalSpec | None = None
    choice: Annotated[list[float], Field(min_length=1,
                                         description="a non-empty list of values")] | None = None
    weights: Annotated[list[NonNegative], Field(min_length=1,
                                                description="a list of weights")] | None = None


class Event(Strict):
    """A named event whose probability an ensemble reports: a quantity (``when``) ``above``
    or ``below`` a threshold in ``year`` (or, without a year, in any year of the period)."""

    name: Text | None = None
    when: Path
    above: float | None = None
    below: float | None = None
    year: Year | None = None


class Claim(Sourced):
    """A claim about the case (e.g. the article's) and the modelled quantities that bear on
    it (``evidence``: quantity paths, docs/dynamics.md); the briefing shows them side by
    side (docs/report.md)."""

    text: Text
    evidence: Annotated[list[Path], Field(min_length=1,
                                          description="a non-empty list of quantity paths")]


class Observable(Sourced):
    """How a modelled quantity maps onto a measured series: value = offset + scale x the
    quantity; ``anchor``: the offset is set so that the value in the period's first year
    equals the last observed value known then (docs/dynamics.md)."""

    quantity: Path
    scale: float = 1.0
    offset: float = 0.0
    anchor: bool = False
    description: Text | None = None


class Case(Strict):
    """A whole case file."""

    format: Literal[1]
    id: Id | None = None
    name: Text
    description: Text | None = None
    focus: Id
    year: Year
    period: Period | None = None
    sources: dict[Id, Source]
    actors: Annotated[dict[Id, Actor], Field(min_length=1, description="at least one actor")]
    organizations: dict[Id, Organization] = {}
    blocs: dict[Id, Bloc] = {}
    geography: Geography = Geography()
    measures: dict[Id, Measure] = {}
    ties: list[Tie] = []
    issues: dict[Id, Issue] = {}
    dynamics: Dynamics | None = None
    trends: dict[Id, Trend] = {}
    shocks: dict[Id, Shock] = {}
    triggers: dict[Id, Trigger] = {}
    observables: dict[Id, Observable] = {}
    uncertain: dict[Id, Uncertain] = {}
    events: dict[Id, Event] = {}
    claims: dict[Id, Claim] = {}

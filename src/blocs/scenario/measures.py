"""The built-in measures: what a tie can record, in which domain, soft or hard.

A tie says how much of the target's total of one *measure* (its goods trade, its gas, its
major-arms imports, ...) passes through one power.  Each measure belongs to one of the five
domains and is soft (attraction, exchange, consent) or hard (coercion, force, control), after
Nye's distinction as the case article uses it.  A case may declare more measures, or redefine
these, in its ``measures:`` section.

Units: ``share`` is a fraction from 0 to 1 of the target's total; ``percent`` the same from 0 to
100; ``flag`` is 0 or 1 (the power does or does not provide this); any other unit (``EUR``,
``USD``, ``bcm``, ``troops``, ``chapters``) is an amount, turned into a share by the tie's
``total`` (the target's total in the same unit), or, without one, by the sum over the powers
in the case (see docs/leverage.md).
"""

from __future__ import annotations

from blocs.scenario.schema import Measure

SHARE_UNITS = {"share": 1.0, "percent": 100.0}
FLAG_UNIT = "flag"

BUILTIN_MEASURES: dict[str, Measure] = {
    # economic
    "trade": Measure(
        domain="economic", kind="soft", unit="share",
        description="goods trade (exports + imports) with the power, of the target's total",
    ),
    "investment": Measure(
        domain="economic", kind="soft", unit="share",
        description="foreign direct investment inflow from the power, of the target's total",
    ),
    "aid": Measure(
        domain="economic", kind="soft", unit="share",
        description="grants and development aid from the power, of the target's total received",
    ),
    "strategic_ownership": Measure(
        domain="economic", kind="hard",
        unit="share",
        description="ownership by the power's firms of the target's largest exporters or mines",
    ),
    # energy
    "gas": Measure(
        domain="energy", kind="soft", unit="share",
        description="natural gas supplied by the power, of the target's consumption",
    ),
    "oil": Measure(
        domain="energy", kind="soft", unit="share",
        description="crude oil supplied by the power, of the target's refinery intake or imports",
    ),
    "energy_ownership": Measure(
        domain="energy", kind="hard", unit="share",
        description="the power's stake in the target's dominant energy company or grid",
    ),
    "energy_transit": Measure(
        domain="energy", kind="hard", unit="share",
        description="the target's energy imports that must cross the power's territory",
    ),
    # security
    "arms": Measure(
        domain="security", kind="hard", unit="share",
        description="major-arms imports from the power, of the target's total (SIPRI)",
    ),
    "troops": Measure(
        domain="security", kind="hard", unit="troops",
        description="the power's forces stationed in or next to the target, able to act on it",
    ),
    "defence_cooperation": Measure(
        domain="security", kind="soft", unit="flag",
        description="a standing defence partnership or exercise programme with the power",
    ),
    # diplomatic
    "un_protection": Measure(
        domain="diplomatic", kind="soft", unit="flag",
        description="the power uses its UN Security Council veto for the target's core cause",
    ),
    "foreign_policy_alignment": Measure(
        domain="diplomatic", kind="soft", unit="share",
        description="share of the power's foreign-policy declarations the target aligns with",
    ),
    "accession": Measure(
        domain="diplomatic", kind="soft", unit="share",
        description="progress of the target's accession talks with the power (e.g. chapters)",
    ),
    # societal
    "public_partner": Measure(
        domain="societal", kind="soft", unit="share",
        description="share of the target's public naming the power its most important partner",
    ),
    "public_membership_support": Measure(
        domain="societal", kind="soft", unit="share",
        description="share of the target's public for joining the power's union or alliance",
    ),
}


def is_amount(unit: str) -> bool:
    """True when values in ``unit`` are amounts that need a total to become shares."""
    return unit not in SHARE_UNITS and unit != FLAG_UNIT


def resolve_measures(case_measures: dict[str, Measure]) -> dict[str, Measure]:
    """The built-in measures, with the case's own declarations added or taking precedence."""
    merged = dict(BUILTIN_MEASURES)
    merged.update(case_measures)
    return merged

"""Paths: how a case's dynamics name an input or a modelled quantity (docs/dynamics.md).

A path is ids separated by '/'.  The first part says what it is, the rest which one:

Inputs (``trends[..].on``, ``effects[..].on``):

* ``tie/FROM/TO/MEASURE``           a tie's figure (its value in the tie's unit)
* ``capability/ISSUE/STAKEHOLDER``  a stakeholder's capability
* ``position/ISSUE/STAKEHOLDER``    its position (0-100)
* ``salience/ISSUE/STAKEHOLDER``    its salience (0-100)
* ``status_quo/ISSUE``              an issue's status quo (0-100)
* ``power/ID``                      a bloc's or actor's relative-power index
* ``presence/ACTOR/COUNTRY``        the size of an actor's forces in a country (effects only)
* ``membership/ORG/COUNTRY``        a country's status in an organisation (effects only)
* ``border/A/B``                    a land border, closed or open (effects only)

Quantities (``triggers[..].when``, ``observables[..].quantity``), computed each year:

* ``outcome/ISSUE``, ``position/ISSUE/STAKEHOLDER``, ``capability/...``, ``salience/...``
* ``leverage/POWER`` (total), ``leverage/POWER/DOMAIN``, ``share/POWER`` (of all powers'
  leverage), ``bloc/BLOC`` (a bloc's share of it)
* ``pillars`` (effective number of the case's pillars), ``pillars/powers`` (of every power)
* ``tie/FROM/TO/MEASURE`` (the tie's share, 0-1), ``power/ID`` (the index)
* ``encirclement/BLOC`` (share of the focus's land border), ``reach/POWER`` (1 when the power
  reaches the focus by land through no rival, else 0)

>>> parse_path("tie/RUS/SRB/gas", INPUTS)
('tie', ('RUS', 'SRB', 'gas'))
>>> parse_path("leverage/RUS", QUANTITIES)
('leverage', ('RUS',))
"""

from __future__ import annotations

#: Input kinds and the number of ids after each (a tuple: the numbers allowed).
INPUTS: dict[str, tuple[int, ...]] = {
    "tie": (3,), "capability": (2,), "position": (2,), "salience": (2,), "status_quo": (1,),
    "power": (1,), "presence": (2,), "membership": (2,), "border": (2,),
}
#: Inputs a trend may move (the others change only through shocks and triggers).
TREND_INPUTS = ("tie", "capability", "position", "salience", "power")
#: Inputs whose effect is a number (``set``, ``add`` or ``scale``).
NUMERIC_INPUTS = ("tie", "capability", "position", "salience", "status_quo", "power",
                  "presence")

QUANTITIES: dict[str, tuple[int, ...]] = {
    "outcome": (1,), "position": (2,), "capability": (2,), "salience": (2,),
    "leverage": (1, 2), "share": (1,), "bloc": (1,), "pillars": (0, 1), "tie": (3,),
    "power": (1,), "encirclement": (1,), "reach": (1,),
}

#: What an ``uncertain:`` entry may range over (``at``): the numeric inputs, a trend's rate,
#: a shock's chance, a trigger's threshold, and the yearly step's parameters.
UNCERTAIN: dict[str, tuple[int, ...]] = {
    "tie": (3,), "capability": (2,), "position": (2,), "salience": (2,), "status_quo": (1,),
    "presence": (2,), "trend": (2,), "shock": (2,), "trigger": (2,), "dynamics": (1,),
}
#: The last id of ``trend/ID/...``, ``shock/ID/...``, ``trigger/ID/...``, ``dynamics/...``.
UNCERTAIN_FIELDS = {"trend": ("rate",), "shock": ("chance",), "trigger": ("threshold",),
                    "dynamics": ("inertia", "leverage_scale")}

PATH_HELP = {
    "tie": "tie/FROM/TO/MEASURE", "capability": "capability/ISSUE/STAKEHOLDER",
    "position": "position/ISSUE/STAKEHOLDER", "salience": "salience/ISSUE/STAKEHOLDER",
    "status_quo": "status_quo/ISSUE", "power": "power/BLOC_OR_ACTOR",
    "presence": "presence/ACTOR/COUNTRY", "membership": "membership/ORG/COUNTRY",
    "border": "border/A/B", "outcome": "outcome/ISSUE",
    "leverage": "leverage/POWER or leverage/POWER/DOMAIN", "share": "share/POWER",
    "bloc": "bloc/BLOC", "pillars": "pillars or pillars/powers",
    "encirclement": "encirclement/BLOC", "reach": "reach/POWER",
    "trend": "trend/ID/rate", "shock": "shock/ID/chance", "trigger": "trigger/ID/threshold",
    "dynamics": "dynamics/inertia or dynamics/leverage_scale",
}


class PathError(ValueError):
    """A path that is not of the allowed shapes; the message says what is allowed."""


def parse_path(path: str, kinds: dict[str, tuple[int, ...]]) -> tuple[str, tuple[str, ...]]:
    """(kind, ids) of a path, checked against ``kinds`` (`INPUTS` or `QUANTITIES`); raises
    `PathError` with the allowed shapes otherwise."""
    head, *rest = path.split("/")
    if head not in kinds:
        raise PathError(f"unknown path '{path}' (allowed: "
                        + ", ".join(PATH_HELP[k] for k in kinds) + ")")
    if len(rest) not in kinds[head]:
        raise PathError(f"'{path}' has {len(rest)} ids after '{head}' "
                        f"(allowed: {PATH_HELP[head]})")
    if head == "pillars" and rest and rest[0] != "powers":
        raise PathError(f"'{path}' (allowed: {PATH_HELP['pillars']})")
    fields = UNCERTAIN_FIELDS.get(head) if kinds is UNCERTAIN else None
    if fields is not None and rest[-1] not in fields:
        raise PathError(f"'{path}' names no number of a {head} (allowed: {PATH_HELP[head]})")
    return head, tuple(rest)

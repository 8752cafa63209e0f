"""Capabilities from leverage: what an outside power brings to the bargaining table.

Model (docs/dynamics.md, "Capabilities"): a stakeholder declared ``capability:
from_leverage`` has, in year t,

    c_i(t) = k * sum_{d in D_i} sum_{kind} L_{d,kind}(P_i, t)

where L is the leverage of its actor P_i over the focus (docs/leverage.md), D_i the domains
it declares (default: every domain) and k the case's ``dynamics.leverage_scale`` (default
100: leverage in one domain's soft and hard cells runs from 0 to 2).  A power with no tie
into the focus has no leverage, so capability 0.  Bueno de Mesquita (1994) and Stokman &
Van Oosten (1994) read capability as the resources an actor can bring to bear on the
decision; leverage over the deciding state is the part of those resources this toolkit
measures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from blocs.scenario.scenario import Scenario
from blocs.scenario.schema import DOMAINS, FROM_LEVERAGE

#: Capability units per unit of leverage when the case does not say (docs/dynamics.md).
DEFAULT_LEVERAGE_SCALE = 100.0


def leverage_scale(scenario: Scenario) -> float:
    """The case's ``dynamics.leverage_scale``, or the default."""
    dyn = scenario.case.dynamics
    return DEFAULT_LEVERAGE_SCALE if dyn is None else float(dyn.leverage_scale)


def issue_capabilities(scenario: Scenario, issue: str, year: int | None = None,
                       lev: pd.DataFrame | None = None) -> np.ndarray:
    """The capabilities of an issue's stakeholders in ``year``, in file order: as typed, or
    from leverage for ``capability: from_leverage`` (the module's formula).  ``lev`` may pass
    `blocs.influence.leverage.leverage` of that year to avoid recomputing it.

    >>> from blocs.scenario import load_case
    >>> issue_capabilities(load_case("serbia-2024"), "alignment").shape
    (8,)
    """
    stakeholders = scenario.case.issues[issue].stakeholders
    if not any(st.capability == FROM_LEVERAGE for st in stakeholders.values()):
        return np.array([float(st.capability) for st in stakeholders.values()])
    if lev is None:
        from blocs.influence.leverage import leverage

        lev = leverage(scenario, year=year)
    k = leverage_scale(scenario)
    out = []
    for actor, st in stakeholders.items():
        if st.capability != FROM_LEVERAGE:
            out.append(float(st.capability))
            continue
        domains = set(st.domains or DOMAINS)
        mine = lev[(lev["from"] == actor) & lev["domain"].isin(domains)]
        out.append(k * float(mine["value"].sum()))
    return np.array(out)

"""blocs: how a state balances between rival power blocs.

Load a case, then ask the models::

    >>> import blocs
    >>> scenario = blocs.load_case("serbia-2024")
    >>> lev = blocs.leverage(scenario)            # who holds which lever, by domain
    >>> routes = blocs.reach_all(scenario)        # who can reach the focus state by land
    >>> outlook = blocs.forecast(scenario)        # how the contested issues come out
    >>> balance = blocs.analyse(scenario)         # all of it, as in `blocs run`

See docs/api.md.
"""

__version__ = "0.1.0"

from blocs.bargaining.compromise import compromise
from blocs.bargaining.forecast import forecast
from blocs.geography.reach import Reach, encirclement, reach, reach_all
from blocs.influence.indicators import indicators
from blocs.influence.leverage import (
    bloc_totals,
    effective_number,
    leverage,
    power_totals,
)
from blocs.results import Balance, analyse
from blocs.scenario import CaseError, Scenario, builtin_cases, load_case, load_text

__all__ = [
    "Balance",
    "CaseError",
    "Reach",
    "Scenario",
    "__version__",
    "analyse",
    "bloc_totals",
    "builtin_cases",
    "compromise",
    "effective_number",
    "encirclement",
    "forecast",
    "indicators",
    "leverage",
    "load_case",
    "load_text",
    "power_totals",
    "reach",
    "reach_all",
]

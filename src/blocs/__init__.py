"""blocs: how a state balances between rival power blocs.

Load a case, then ask the models::

    >>> import blocs
    >>> scenario = blocs.load_case("serbia-2024")
    >>> lev = blocs.leverage(scenario)            # who holds which lever, by domain
    >>> routes = blocs.reach_all(scenario)        # who can reach the focus state by land
    >>> outlook = blocs.forecast(scenario)        # how the contested issues come out
    >>> balance = blocs.analyse(scenario)         # all of it, as in `blocs run`
    >>> doc = blocs.forecast_file("serbia-2024", "eum")   # a bargaining model, round by round

See docs/api.md.
"""

__version__ = "0.1.0"

from blocs.bargaining.compromise import compromise
from blocs.bargaining.forecast import forecast
from blocs.bargaining.problem import Problem, Trajectory
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

# The bargaining engine's heavier parts load on first use, so `blocs run` starts quickly.
_LAZY = {
    "BacktestResult": "blocs.analysis.backtest",
    "backtest": "blocs.analysis.backtest",
    "read_problems": "blocs.bargaining.formats",
    "MODELS": "blocs.bargaining.registry",
    "get_model": "blocs.bargaining.registry",
    "forecast_file": "blocs.bargaining.run",
    "run_problem": "blocs.bargaining.run",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'blocs' has no attribute {name!r}")


__all__ = [
    "MODELS",
    "BacktestResult",
    "Balance",
    "CaseError",
    "Problem",
    "Reach",
    "Scenario",
    "Trajectory",
    "__version__",
    "analyse",
    "backtest",
    "bloc_totals",
    "builtin_cases",
    "compromise",
    "effective_number",
    "encirclement",
    "forecast",
    "forecast_file",
    "get_model",
    "indicators",
    "leverage",
    "load_case",
    "load_text",
    "power_totals",
    "reach",
    "reach_all",
    "read_problems",
    "run_problem",
]

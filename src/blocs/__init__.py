"""blocs: how a state balances between rival power blocs.

Load a case, then ask the models::

    >>> import blocs
    >>> scenario = blocs.load_case("serbia-2024")
    >>> lev = blocs.leverage(scenario)            # who holds which lever, by domain
    >>> routes = blocs.reach_all(scenario)        # who can reach the focus state by land
    >>> outlook = blocs.forecast(scenario)        # how the contested issues come out
    >>> balance = blocs.analyse(scenario)         # all of it, as in `blocs run`
    >>> doc = blocs.forecast_file("serbia-2024", "eum")   # a bargaining model, round by round
    >>> path = blocs.simulate(scenario, until=2030, seed=1)  # year by year (docs/dynamics.md)

See docs/api.md.
"""

__version__ = "0.1.0"

# Everything loads on first use, so that `blocs --version` and `blocs --help` start at once
# and each command imports only what it needs.
_LAZY = {
    "compromise": "blocs.bargaining.compromise",
    "forecast": "blocs.bargaining.forecast",
    "Problem": "blocs.bargaining.problem",
    "Trajectory": "blocs.bargaining.problem",
    "Reach": "blocs.geography.reach",
    "encirclement": "blocs.geography.reach",
    "reach": "blocs.geography.reach",
    "reach_all": "blocs.geography.reach",
    "indicators": "blocs.influence.indicators",
    "bloc_totals": "blocs.influence.leverage",
    "effective_number": "blocs.influence.leverage",
    "leverage": "blocs.influence.leverage",
    "power_totals": "blocs.influence.leverage",
    "Balance": "blocs.results",
    "analyse": "blocs.results",
    "CaseError": "blocs.scenario",
    "Scenario": "blocs.scenario",
    "builtin_cases": "blocs.scenario",
    "load_case": "blocs.scenario",
    "load_text": "blocs.scenario",
    "BacktestResult": "blocs.analysis.backtest",
    "backtest": "blocs.analysis.backtest",
    "read_problems": "blocs.bargaining.formats",
    "MODELS": "blocs.bargaining.registry",
    "get_model": "blocs.bargaining.registry",
    "forecast_file": "blocs.bargaining.run",
    "run_problem": "blocs.bargaining.run",
    "Simulation": "blocs.dynamics.simulate",
    "simulate": "blocs.dynamics.simulate",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # once loaded, an ordinary attribute
        return value
    raise AttributeError(f"module 'blocs' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "MODELS",
    "BacktestResult",
    "Balance",
    "CaseError",
    "Problem",
    "Reach",
    "Scenario",
    "Simulation",
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
    "simulate",
]

"""Bargaining models by name: ``get_model("compromise")``.

Each entry builds a `blocs.bargaining.problem.Model`; options (rounds, variant, seed) are
passed as keywords and each model takes the ones it knows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from blocs.bargaining.compromise import Compromise
from blocs.bargaining.default import DefaultForecaster
from blocs.bargaining.eum import ExpectedUtility
from blocs.bargaining.exchange import ExchangeModel
from blocs.bargaining.median import WeightedMedian
from blocs.bargaining.nash import NashBargaining
from blocs.bargaining.problem import Model
from blocs.bargaining.smp import SpatialModel

MODELS: dict[str, Callable[..., Model]] = {
    "compromise": lambda **_: Compromise(),
    "median": lambda **_: WeightedMedian(),
    "nash": lambda **_: NashBargaining(),
    "default": lambda **_: DefaultForecaster(),
    "eum": lambda variant="default", rounds=10, workers=None, **_: ExpectedUtility(
        variant, rounds, workers),
    "smp": lambda **options: SpatialModel.from_options(**options),
    "exchange": lambda rounds=10, variant=None, seed=None, p=None, **_: ExchangeModel(
        rounds=rounds, variant=variant, seed=seed, p=p),
}


def get_model(name: str, **options: Any) -> Model:
    """The model called ``name``, built with the options it accepts."""
    if name not in MODELS:
        raise ValueError(f"unknown model '{name}' (allowed: {', '.join(sorted(MODELS))})")
    return MODELS[name](**options)

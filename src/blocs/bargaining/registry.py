"""Bargaining models by name: ``get_model("compromise")``.

Each entry of `MODELS` builds a `blocs.bargaining.problem.Model` from keyword options; a
factory names every option it takes, and `get_model` refuses any other (an option a model
does not use is an error, never silently dropped).  For the built-in models the catalogue
(`blocs.bargaining.catalogue.SPECS`) also fixes the allowed variants and rounds, and refuses a
seed where the chosen variant draws nothing at random.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from blocs.bargaining.catalogue import MAX_ROUNDS, SPECS


def _compromise() -> Any:
    from blocs.bargaining.compromise import Compromise

    return Compromise()


def _median() -> Any:
    from blocs.bargaining.median import WeightedMedian

    return WeightedMedian()


def _nash() -> Any:
    from blocs.bargaining.nash import NashBargaining

    return NashBargaining()


def _default() -> Any:
    from blocs.bargaining.default import DefaultForecaster

    return DefaultForecaster()


def _eum(variant: str = "default", rounds: int = 10, workers: int | None = None) -> Any:
    from blocs.bargaining.eum import ExpectedUtility

    return ExpectedUtility(variant, rounds, workers)


def _smp(rounds: int = 100, variant: str = "deterministic", seed: int | None = None) -> Any:
    from blocs.bargaining.smp import SpatialModel

    return SpatialModel(variant=variant, rounds=rounds, seed=seed)


def _exchange(rounds: int = 10, variant: str | None = None, seed: int | None = None,
              p: float | None = None) -> Any:
    from blocs.bargaining.exchange import ExchangeModel

    return ExchangeModel(rounds=rounds, variant=variant, seed=seed, p=p)


MODELS: dict[str, Callable[..., Any]] = {
    "compromise": _compromise,
    "median": _median,
    "nash": _nash,
    "default": _default,
    "eum": _eum,
    "smp": _smp,
    "exchange": _exchange,
}


def check_options(name: str, options: dict[str, Any]) -> None:
    """Raise ValueError (one line, saying what is allowed) when ``options`` do not fit model
    ``name``: an option it does not take, a variant it does not have, rounds out of range, or
    a seed for a variant that draws nothing at random."""
    if name not in MODELS:
        raise ValueError(f"unknown model '{name}' (allowed: {', '.join(MODELS)})")
    takes = _options_of(MODELS[name])
    spec = SPECS.get(name)
    for key in options:
        if key not in takes and "any" not in takes:
            what = ", ".join(takes) if takes else "none: it runs in one shot"
            raise ValueError(f"model '{name}' takes no option '{key}' (its options: {what})")
    variant = options.get("variant")
    if spec is None:
        return
    if variant is not None and variant not in spec.variants:
        raise ValueError(f"model '{name}' has no variant '{variant}' "
                         f"(allowed: {', '.join(spec.variants)})")
    rounds = options.get("rounds")
    if rounds is not None and (int(rounds) != rounds or not 0 <= rounds <= MAX_ROUNDS):
        raise ValueError(f"rounds {rounds} is out of range (allowed: 0 to {MAX_ROUNDS})")
    if options.get("seed") is not None and not spec.draws_at_random(variant):
        chosen = variant or spec.default_variant
        allowed = (f"variants {', '.join(spec.random_variants)}" if spec.random_variants
                   else "no variant of this model")
        raise ValueError(f"model '{name}' (variant '{chosen}') draws nothing at random, so a "
                         f"seed would change nothing (allowed with: {allowed})")


def _options_of(factory: Callable[..., Any]) -> list[str]:
    params = inspect.signature(factory).parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in params):  # a factory that takes anything
        return ["any"]
    return [p.name for p in params if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)]


def get_model(name: str, **options: Any) -> Any:
    """The model called ``name``, built with ``options`` (each checked by `check_options`).

    >>> get_model("eum", variant="scholz", rounds=3).rounds
    3
    >>> get_model("compromise", seed=1)
    Traceback (most recent call last):
    ...
    ValueError: model 'compromise' takes no option 'seed' (its options: none: it runs in one shot)
    """
    check_options(name, options)
    from blocs.bargaining.problem import Model, MultiIssueModel

    model = MODELS[name](**options)
    if not isinstance(model, Model | MultiIssueModel):
        raise ValueError(f"model '{name}' does not implement the model interface (allowed: "
                         "name and run, with the hooks of blocs.bargaining.problem.ModelBase; "
                         "or name and run_problems; docs/bargaining.md)")
    return model

"""What each built-in bargaining model is and which options it takes, without loading it.

The command line's help, the checks of ``--rounds``, ``--variant`` and ``--seed`` and the
registry (`blocs.bargaining.registry`) read this table; the models themselves (NumPy, numba)
load only when one is run, so ``blocs --help`` stays quick.

>>> SPECS["eum"].variants
('default', 'scholz')
>>> SPECS["compromise"].rounds is None   # one shot: no rounds
True
"""

from __future__ import annotations

from dataclasses import dataclass

#: The most rounds any model is asked to run.  Every model here settles or cycles within a
#: few dozen rounds (Scholz's runs use 10, KTAB stops by itself within 100 turns), and 1,000
#: rounds of the slowest one on a peer's largest file take about a minute.
MAX_ROUNDS = 1000


@dataclass(frozen=True)
class ModelSpec:
    """One built-in model: ``variants`` (the first is the default), those of them that draw
    at random (``random_variants``: only they take a seed), ``rounds`` (the default number
    of rounds; None for one-shot models) and whether it works across the issues of a file
    (``multi_issue``)."""

    name: str
    summary: str
    variants: tuple[str, ...] = ()
    random_variants: tuple[str, ...] = ()
    rounds: int | None = None
    multi_issue: bool = False

    @property
    def default_variant(self) -> str | None:
        return self.variants[0] if self.variants else None

    def draws_at_random(self, variant: str | None) -> bool:
        """Whether the model with this variant (None: the default) uses a seed."""
        return (variant or self.default_variant) in self.random_variants


SPECS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec("default", "the frozen default forecaster (calibrated compromise, with an "
                             "80% interval; docs/backtest.md)"),
        ModelSpec("compromise", "the capability x salience weighted mean"),
        ModelSpec("median", "the capability x salience weighted median"),
        ModelSpec("nash", "Nash bargaining from the status quo (reference point)"),
        ModelSpec("eum", "Bueno de Mesquita's expected utility model, in rounds",
                  variants=("default", "scholz"), rounds=10),
        ModelSpec("smp", "KAPSARC's spatial model of politics (KTAB), turns until it settles",
                  variants=("deterministic", "stochastic"), random_variants=("stochastic",),
                  rounds=100),
        ModelSpec("exchange", "Stokman's exchange model (Decide), across the issues of a file",
                  variants=("deterministic", "random", "float", "decimal", "rex"),
                  random_variants=("random", "rex"), rounds=10, multi_issue=True),
    )
}


def describe() -> str:
    """The models and their variants, one line each, for ``--help``."""
    lines = []
    for spec in SPECS.values():
        extra = ""
        if spec.variants:
            extra = f" Variants: {', '.join(spec.variants)} (default {spec.default_variant})."
        if spec.rounds is not None:
            extra += f" Rounds: {spec.rounds} by default."
        lines.append(f"{spec.name}: {spec.summary}.{extra}")
    return "\n\n".join(lines)

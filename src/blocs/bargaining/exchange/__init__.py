"""Stokman's exchange model, Equal Gain variant, as implemented in Decide.

Stokman & Van Oosten (1994): actors trade voting positions *across* issues.  On a pair of
issues (p, q) two actors on opposite sides of both issues' NBS (the capability x salience
weighted mean) each give way on the issue that matters less to them, by amounts that give
both the same gain in expected utility.  Each round all candidate exchanges are built, then
realised one at a time, highest gain first; after each realisation every remaining exchange
that shares an actor-issue with it is recalculated (or dropped).  The round's outcome is the
NBS of the voting positions; actors that exchanged move part of the way towards their voting
position for the next round.  Model, equations and references: docs/exchange.md.

Reproduces Decide (foarsitter/decide-exchange-model, ``EqualGainModel`` with
``ALLOW_RANDOM = False``) exchange by exchange, bit for bit.  Decide computes in
``decimal.Decimal`` and orders exchanges of mathematically equal gain by their 28th digit, so
the default arithmetic is a hybrid: float64 for the search, Decimal where Decide's digits
decide.  Written from the model's description (ALGORITHMS.md section 2 and the papers); no
code of Decide is used.

The parts, each with one job:

- `model`: the entry points `run_exchange`, `run_variants`, `candidates`, `ExchangeModel`
  (``blocs forecast --model exchange``);
- `rounds`: the rounds (`run_tables`), the realisation loop and Decide's tie rule;
- `ranking`: Decide's order among exchanges of equal gain;
- `pairs`: which actors may exchange on which pair of issues, and who supplies what;
- `gain`: one exchange's moves, gain and validity, the calculation stated once;
- `decimal_round`: the Decimal engine (``arithmetic="decimal"``);
- `float_round`: the float64 engine (``"float"``, and ``"hybrid"`` with its Decimal
  recomputations); `kernel`: its compiled loops; `table_rows`: the rows of its tables;
- `rex`: Decide's randomised exchange rates (REX, ``p > 0``);
- `tables`: the inputs as actors x issues tables on Decide's 0-100 scale;
- `arithmetic`: float64 or Decimal with Decide's context.

Two actors, two issues: a cares about p (salience 0.8) and stands at 0 there, b cares about q
and stands at 0 there; so a gives way on q and b on p, each all the way:

>>> import numpy as np
>>> from blocs.bargaining.problem import Problem
>>> def issue(name, x, s):
...     return Problem(name, ("a", "b"), np.array(x), np.array(s), np.ones(2))
>>> res = run_exchange([issue("p", [0.0, 100.0], [0.8, 0.2]),
...                     issue("q", [100.0, 0.0], [0.2, 0.8])], rounds=3)
>>> [e.as_list() for e in res.exchanges[0]]
[['a', 'q', 'b', 'p', 12.0, 100.0, 0.0, 100.0, 0.0]]
>>> res.outcome.round(6).tolist(), res.converged  # round 2 has nothing to trade: the end
([[20.0, 20.0], [0.0, 0.0], [11.6, 11.6]], 2)
"""

from blocs.bargaining.exchange.model import (
    REX_P,
    VARIANTS,
    Exchange,
    ExchangeModel,
    ExchangeResult,
    candidates,
    run_exchange,
    run_variants,
)
from blocs.bargaining.exchange.rounds import (
    ARITHMETIC,
    FIXED_WEIGHT,
    SALIENCE_WEIGHT,
    TIE_BREAKS,
    run_tables,
)
from blocs.bargaining.exchange.tables import denormalise, merged_actors

__all__ = [
    "ARITHMETIC",
    "FIXED_WEIGHT",
    "REX_P",
    "SALIENCE_WEIGHT",
    "TIE_BREAKS",
    "VARIANTS",
    "Exchange",
    "ExchangeModel",
    "ExchangeResult",
    "candidates",
    "denormalise",
    "merged_actors",
    "run_exchange",
    "run_tables",
    "run_variants",
]

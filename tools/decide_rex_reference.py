#!/usr/bin/env python3
"""Decide's REX (randomised exchange rates) on a file's first round, with known draws.

Usage::

    /tmp/decide-venv/bin/python tools/decide_rex_reference.py /tmp/peer-decide \\
        /work/shared/peers/decide-exchange-model/sample_data.txt --p 1.0 --seed 5

Runs Decide (foarsitter/decide-exchange-model, HEAD 51dee664; a checkout outside this
repository and an interpreter with its dependencies, as for bench/bench_exchange.py) through
its library API: ``EqualGainModel(randomized_value=Decimal(p))`` (what its CLI's ``--p``
builds) on the file, the first round's candidate exchanges built and calculated exactly as
``ModelLoop.loop`` does before it realises any, with Decide's ``random.uniform`` fed the
stream of ``numpy.random.default_rng(seed).random()`` (one number per call, in call order:
the u, v, z of every valid candidate in turn, as blocs draws them from the same generator).
Decide is not imported by blocs; nothing of it is copied.

Prints JSON: per candidate, in the order Decide builds them, its voting positions
``[y_i, y_j]`` (Decide's exchange actors i and j: i supplies the second issue of the pair, as
blocs' side I) as floats and whether it is valid; and the figures that
tests/test_exchange.py::test_rex_first_round_matches_decide_given_the_same_draws compares
with blocs: the first eight candidates' positions, the indices of the invalid candidates and
the sum of y_i + y_j over the valid ones.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("peer", type=Path, help="a checkout of foarsitter/decide-exchange-model")
    ap.add_argument("data", type=Path, help="a Decide input file")
    ap.add_argument("--p", default="1.0", help="Decide's --p (randomized_value)")
    ap.add_argument("--seed", type=int, default=5, help="numpy default_rng seed of the draws")
    args = ap.parse_args()
    sys.path.insert(0, str(args.peer))
    logging.disable(logging.CRITICAL)
    from decide.data.modelfactory import ModelFactory
    from decide.data.reader import InputDataFile
    from decide.model import equalgain

    draws = np.random.default_rng(args.seed)
    equalgain.random.uniform = lambda a, b: a + (b - a) * float(draws.random())
    model = ModelFactory(InputDataFile.open(args.data))(
        equalgain.EqualGainModel, randomized_value=Decimal(args.p))
    model.calc_nbs()  # ModelLoop.loop, up to the realisations
    model.determine_positions()
    model.calc_combinations()
    model.determine_groups_and_calculate_exchanges()
    rows = [[float(e.i.y), float(e.j.y)] for e in model.exchanges]
    valid = [bool(e.is_valid) for e in model.exchanges]
    print(json.dumps({
        "file": args.data.name, "p": args.p, "seed": args.seed, "candidates": len(rows),
        "first_eight": rows[:8],
        "invalid": [k for k, ok in enumerate(valid) if not ok],
        "sum_valid_y": sum(a + b for (a, b), ok in zip(rows, valid, strict=True) if ok),
        "positions": rows, "valid": valid,
    }, indent=1))


if __name__ == "__main__":
    main()

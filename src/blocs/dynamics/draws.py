"""Random draws that belong to a run, not to a batch.

Each chance shock draws one uniform per run and year.  The draw of run r (its number in the
whole experiment), year t and shock j is the r-th value of one NumPy Philox stream keyed by
(seed, t, j): a batch of runs [a, b) advances the stream to a (Philox's counter jumps in O(1),
`numpy.random.Philox.advance`) and takes b - a values.  So a run's draws never depend on which
batch or chunk it ran in, nor on how many other runs ran beside it (Salmon, Moraes, Dror &
Shaw 2011, "Parallel random numbers: as easy as 1, 2, 3", on counter-based generators).
"""

from __future__ import annotations

import numpy as np

#: Philox returns 64-bit values in blocks of four; ``advance(k)`` skips k blocks.
_BLOCK = 4


def uniforms(seed: int, year: int, stream: int, first_run: int, runs: int) -> np.ndarray:
    """Uniforms on [0, 1) for runs ``first_run`` .. ``first_run + runs - 1`` of stream
    ``stream`` (a shock's number) in ``year``, under ``seed``.

    >>> a = uniforms(7, 2030, 0, 0, 10)
    >>> bool(np.array_equal(a[3:], uniforms(7, 2030, 0, 3, 7)))
    True
    """
    key = np.random.SeedSequence([int(seed), int(year), int(stream)]).generate_state(
        2, np.uint64)
    bits = np.random.Philox(key=key)
    blocks, skip = divmod(int(first_run), _BLOCK)
    bits.advance(blocks)
    return np.random.Generator(bits).random(skip + runs)[skip:]


def new_seed() -> int:
    """A fresh seed (reported with the results, so the run can be repeated)."""
    return int(np.random.SeedSequence().generate_state(1, np.uint32)[0])

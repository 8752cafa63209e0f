"""Chunks of an ensemble on a Dask distributed cluster (docs/ensembles.md, "Scale-out").

Each chunk is one task: the scenario (pickled once per task), its rows of the design, the
seed and its first run.  A worker compiles the plan and runs the batched step exactly as the
local path does (`blocs.ensemble.runner.run_chunk`), so a run's numbers are the same on a
cluster as in one process; results come back as they finish and the caller puts each at its
runs' place.  ``--scheduler local`` starts a `distributed.LocalCluster` on this machine;
any other value is a scheduler address (``tcp://host:8786``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

#: Workers of ``--scheduler local``: one process per core, one thread each (the step is
#: NumPy-bound and holds the GIL between calls).
LOCAL_THREADS = 1


def _chunk_task(scenario: Any, until: int | None, unit: np.ndarray, seed: int, first_run: int,
                names: list[str], index: int) -> Any:
    """Run on a worker: one chunk (`run_chunk`)."""
    from blocs.dynamics.plan import compile_plan
    from blocs.dynamics.simulate import dynamics_model
    from blocs.ensemble.runner import run_chunk
    from blocs.ensemble.uncertain import uncertainties

    plan = compile_plan(scenario, until)
    return run_chunk(plan, dynamics_model(plan), uncertainties(scenario), unit, seed,
                     first_run, names, index)


def map_chunks(client: Any, scenario: Any, until: int | None, unit: np.ndarray, seed: int,
               names: list[str], bounds: dict[int, tuple[int, int]]) -> Iterator[Any]:
    """Submit every chunk to ``client`` and yield the results as they finish."""
    from distributed import as_completed

    scattered = client.scatter(scenario, broadcast=True)
    futures = [client.submit(_chunk_task, scattered, until, unit[lo:hi], seed, lo, names, c,
                             pure=False)
               for c, (lo, hi) in bounds.items()]
    for future in as_completed(futures):
        yield future.result()
        future.release()


@contextmanager
def connect(address: str, workers: int | None = None) -> Iterator[Any]:
    """A `distributed.Client`: on a new local cluster (``"local"``, ``workers`` processes,
    default: the machine's cores) or on the scheduler at ``address``; closed afterwards."""
    from distributed import Client, LocalCluster

    if address == "local":
        import os

        n = workers or max(1, min(os.cpu_count() or 1, 8))
        with LocalCluster(n_workers=n, threads_per_worker=LOCAL_THREADS, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            yield client
    else:
        with Client(address, timeout="5s") as client:
            yield client

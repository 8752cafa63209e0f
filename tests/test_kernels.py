"""The compiled kernels (`blocs.bargaining.kernels`): one specialisation each, numba's on-disk
cache read right, the first compile said on screen; and the progress the long runs report
(`blocs.progress`)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blocs import progress
from blocs.bargaining import _eum_kernel, kernels
from blocs.bargaining.eum import ExpectedUtility
from blocs.bargaining.exchange import ExchangeModel, run_exchange
from blocs.bargaining.exchange import kernel as exchange_kernel
from blocs.bargaining.problem import Problem
from blocs.bargaining.smp import SpatialModel
from tests.test_convergence import SETTLES_X, _problems


class Recorder:
    """A progress listener that keeps every task: [description, total, steps, finished]."""

    def __init__(self):
        self.tasks: list[list] = []

    def __call__(self, description, total):
        task = [description, total, 0, False]
        self.tasks.append(task)

        def advance(steps):
            task[2] += steps

        def finish():
            task[3] = True

        return advance, finish

    def named(self, start: str) -> list[list]:
        return [t for t in self.tasks if t[0].startswith(start)]


def test_one_specialisation_per_kernel():
    """Single runs, batches (on threads), both EUM variants and every exchange arithmetic
    call the kernels with the same argument types: one compile serves them all."""
    rng = np.random.default_rng(0)
    for variant in ("scholz", "default"):
        ExpectedUtility(variant, rounds=3).run([[0.0, 4.0, 10.0]], [[0.9, 0.5, 0.6]],
                                               [[1.0, 1.0, 2.0]])
        x = rng.uniform(0, 100, (300, 30))
        ExpectedUtility(variant, rounds=2, workers=2).run(x, np.full_like(x, 0.5),
                                                          np.ones_like(x))
    for variant in ("deterministic", "float", "random", "rex"):
        seed = 1 if variant in ("random", "rex") else None
        ExchangeModel(rounds=3, variant=variant, seed=seed).run_problems(_problems(SETTLES_X))
    _eum_kernel.warm_up()
    exchange_kernel.warm_up()
    assert len(_eum_kernel.run_chunk.signatures) == 1
    assert len(exchange_kernel.calculate.signatures) == 1
    assert len(exchange_kernel.realise.signatures) == 1
    assert kernels.kernels_ready()


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), m=st.integers(1, 60), keys=st.integers(1, 8))
def test_affected_is_the_sorted_set(seed, m, keys):
    """`affected` merges the runs of the keys (each ascending) instead of sorting: the sorted
    set of the alive exchanges that share a key with the realised one."""
    rng = np.random.default_rng(seed)
    key = rng.integers(0, keys, (4, m))
    orders = np.empty((4, m), dtype=np.intp)
    bounds = np.empty((4, keys + 1), dtype=np.intp)
    for w in range(4):
        orders[w] = np.argsort(key[w], kind="stable")
        bounds[w] = np.searchsorted(key[w][orders[w]], np.arange(keys + 1))
    alive = rng.random(m) < 0.7
    mark = np.zeros(m, dtype=bool)
    kIs, kJs, kId, kJd = (int(k) for k in rng.integers(0, keys, 4))
    got = exchange_kernel.affected(orders, bounds, alive, kIs, kJs, kId, kJd, mark)
    want = {i for i in range(m) if alive[i] and (
        key[0, i] in (kIs, kJs) or key[1, i] in (kIs, kJs) or key[2, i] in (kJd, kId)
        or key[3, i] in (kJd, kId))}
    assert got.tolist() == sorted(want)
    assert not mark.any()


def test_cache_check_and_the_compile_message(tmp_path):
    """In a fresh numba cache the EUM kernel is not ready: the first run compiles it under
    the progress task that says so, and a later process finds it in the cache and says
    nothing.  (Compiles the EUM kernel once: a few seconds.)"""
    script = textwrap.dedent("""
        from blocs import progress
        from blocs.bargaining import kernels
        from blocs.bargaining.eum import ExpectedUtility
        seen = []
        def listen(description, total):
            seen.append(description)
            return (lambda steps: None), (lambda: None)
        ready = kernels.kernels_ready("eum")
        with progress.listening(listen):
            ExpectedUtility(rounds=2).run([[0.0, 4.0, 10.0]], [[0.9, 0.5, 0.6]], [[1.0, 1.0, 2.0]])
        print(ready, kernels.COMPILING in seen, kernels.kernels_ready("eum"))
    """)
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    env.pop("NUMBA_DISABLE_JIT", None)
    runs = [subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                           text=True, timeout=600) for _ in range(2)]
    for r in runs:
        assert r.returncode == 0, r.stderr
    assert runs[0].stdout.split() == ["False", "True", "True"]
    assert runs[1].stdout.split() == ["True", "False", "True"]
    assert any(p.suffix == ".nbi" for p in tmp_path.rglob("*"))


def test_cached_when_it_cannot_tell():
    assert kernels.cached(lambda: None)  # not a numba function (NUMBA_DISABLE_JIT)
    with pytest.raises(ValueError, match="unknown kernel"):
        kernels.kernels_ready("nash")


def test_missing_kernels_compile_under_the_message(monkeypatch):
    rec = Recorder()
    monkeypatch.setattr(kernels, "cached", lambda dispatcher: False)
    with progress.listening(rec):
        kernels.eum_kernel()
        kernels.exchange_kernels()
    assert [t[:2] for t in rec.tasks] == [[kernels.COMPILING, None]] * 2
    assert all(t[3] for t in rec.tasks)


# ---------------------------------------------------------------------------------------------
# progress


def test_exchange_reports_one_step_per_round(monkeypatch):
    import blocs.bargaining.exchange.rounds as rounds

    rec = Recorder()
    with progress.listening(rec):
        run_exchange(_problems(SETTLES_X), rounds=10)
        assert rec.named("exchange model") == []  # short: nothing to report
        monkeypatch.setattr(rounds, "_REPORT_FROM", 0)
        run_exchange(_problems(SETTLES_X), rounds=3)
        run_exchange(_problems(SETTLES_X), rounds=10)  # converges in round 4
    tasks = rec.named("exchange model")
    assert [(t[1], t[2], t[3]) for t in tasks] == [(3, 3, True), (10, 4, True)]


def test_eum_reports_chunks_and_blocks_of_long_runs(monkeypatch):
    import blocs.bargaining.eum as eum

    rec = Recorder()
    x = np.random.default_rng(2).uniform(0, 100, (20, 8))
    with progress.listening(rec):
        ExpectedUtility("default", rounds=10).run(x, np.full_like(x, 0.6), np.ones_like(x))
        assert rec.named("expected utility") == []  # short: nothing to report
        monkeypatch.setattr(eum, "_REPORT_FROM", 0)
        ExpectedUtility("default", rounds=10, workers=1).run(x, np.full_like(x, 0.6),
                                                             np.ones_like(x))
    (task,) = rec.named("expected utility")
    assert task[1] == 10 and task[2] == 10 and task[3]  # one chunk, ten blocks of one round


def test_smp_reports_turns(monkeypatch):
    import blocs.bargaining.smp as smp

    monkeypatch.setattr(smp, "_REPORT_FROM", 0)
    rec = Recorder()
    rng = np.random.default_rng(3)
    x, s, c = rng.uniform(0, 100, (2, 5)), rng.uniform(0.2, 1, (2, 5)), rng.uniform(1, 9, (2, 5))
    with progress.listening(rec):
        SpatialModel(rounds=30).run(x, s, c)
    (task,) = rec.named("spatial model")
    assert task[1] == task[2] == 60 and task[3]


class _Fits:
    """A forecaster that fits (the mean outcome of its training issues)."""

    name = "fits"

    def fit(self, problems):
        self.value = float(np.mean([p.outcome for p in problems]))
        return self

    def predict(self, problems):
        return np.full(len(problems), self.value)


def test_backtest_reports_models_and_folds():
    from blocs.analysis.backtest import backtest
    from blocs.bargaining.baselines import Mean

    rng = np.random.default_rng(8)
    probs = [Problem(id=f"i{k}", actors=("a", "b", "c", "d"), positions=rng.uniform(0, 100, 4),
                     salience=rng.uniform(0.2, 1, 4), capability=rng.uniform(1, 5, 4),
                     outcome=float(rng.uniform(0, 100)), group=f"g{k % 6}")
             for k in range(24)]
    rec = Recorder()
    with progress.listening(rec):
        backtest(probs, [_Fits(), Mean()], folds=3)
    (task,) = rec.named("backtest")
    assert task[1] == task[2] == 4 and task[3]  # 3 folds of the one that fits, 1 of the mean

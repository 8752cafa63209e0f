"""Benchmark: the yearly step, one run and many (docs/dynamics.md, "Many runs at once").

Run:  python bench/bench_dynamics.py [--case serbia-2024] [--runs 10000] [--loop N]

Prints, for the case over its whole period (serbia-2024: 2024-2035):

* one run: `blocs.simulate(scenario)` in a process that has loaded the case (compiling the
  plan included), and the run alone on a compiled plan; medians of ``--repeat`` after one
  warm-up;
* ``--runs`` runs in one batched call (median of 3 after a warm-up) against the single-run
  path looped over the same runs (``--loop`` of them timed, default all; with fewer, the
  loop's time is scaled to ``--runs`` and said so), with the ratio, and a check that every
  looped run equals its run of the batch;
* the peak memory (tracemalloc) of batched calls of 1,000 to 4x that many runs, per run.

Results are recorded by hand in bench/RESULTS.md with the machine and the date; no test is
timed.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
import tracemalloc

import numpy as np


def median_time(fn, repeat: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", default="serbia-2024")
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--loop", type=int, default=None, help="looped runs timed (default: all)")
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    t0 = time.perf_counter()
    import blocs
    from blocs.dynamics.plan import compile_plan
    from blocs.dynamics.simulate import dynamics_model, simulate_plan

    scenario = blocs.load_case(args.case)
    print(f"machine: {platform.machine()}, {platform.processor() or '?'}, "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}; "
          f"numpy {np.__version__}")
    print(f"start-up (import blocs, load {args.case}): {time.perf_counter() - t0:.3f} s")
    start, end = scenario.period
    print(f"case {args.case}, {start}-{end}")

    one = median_time(lambda: blocs.simulate(scenario, seed=args.seed), args.repeat)
    plan = compile_plan(scenario)
    model = dynamics_model(plan)
    run1 = median_time(lambda: simulate_plan(plan, 1, args.seed, 0, model), args.repeat)
    print(f"one run, blocs.simulate (compiling the plan included): median {one * 1e3:.1f} ms")
    print(f"one run on a compiled plan: median {run1 * 1e3:.1f} ms")

    batch = None

    def batched():
        nonlocal batch
        batch = simulate_plan(plan, args.runs, args.seed, 0, model)

    tb = median_time(batched, 3)
    loop_n = args.runs if args.loop is None else min(args.loop, args.runs)
    t0 = time.perf_counter()
    for r in range(loop_n):
        single = simulate_plan(plan, 1, args.seed, r, model)
        if not np.array_equal(single.values[:, :, 0], batch.values[:, :, r], equal_nan=True):
            raise SystemExit(f"run {r}: the looped run differs from the batch")
    tl = time.perf_counter() - t0
    scaled = tl * args.runs / loop_n
    note = "" if loop_n == args.runs else f" (timed over {loop_n} runs, scaled to {args.runs})"
    print(f"{args.runs} runs: batched {tb:.3f} s (median of 3); single-run path looped "
          f"{scaled:.1f} s{note}; ratio {scaled / tb:.0f}x; the {loop_n} looped runs equal "
          "their runs of the batch")

    for r in (1000, 2000, 4000):
        tracemalloc.start()
        simulate_plan(plan, r, args.seed, 0, model)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"peak memory of {r} runs: {peak / 2**20:.1f} MiB ({peak / r / 1024:.1f} KiB "
              "per run)")


if __name__ == "__main__":
    main()

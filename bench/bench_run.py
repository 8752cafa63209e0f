"""Benchmark: the main job, `blocs run CASE`, end to end and by stage.

Run:  python bench/bench_run.py [--case serbia-2024] [--repeat 7] [--warmup 1]

Prints the median (min, max) wall time of the whole command in a fresh process (interpreter
start, imports, loading, every model, printing; output to /dev/null) over ``--repeat`` timed
runs after ``--warmup`` untimed ones, and the median of each stage inside one process
(``--warmup`` untimed calls, then ``--repeat`` timed ones); ``import blocs`` is timed once,
as the first import of this process.  There is no peer for `blocs run`; bench/bench_cli.py
times it beside the peers' whole processes.  Results are recorded by hand in
bench/RESULTS.md with the machine and the date; no test is timed.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import subprocess
import sys
import time


def wall(cmd: list[str], repeat: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return times


def stage(fn, repeat: int, warmup: int) -> float:
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
    ap.add_argument("--repeat", type=int, default=7, help="timed runs")
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs first")
    args = ap.parse_args()
    exe = shutil.which("blocs") or f"{sys.prefix}/bin/blocs"
    print(f"machine: {platform.machine()}, {platform.processor() or '?'}, "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}")
    print(f"{args.warmup} untimed run(s), then {args.repeat} timed; medians")
    for _label, extra in (("tables", []), ("--json", ["--json"])):
        t = wall([exe, "run", args.case, *extra], args.repeat, args.warmup)
        print(f"blocs run {args.case} {' '.join(extra)}: median {statistics.median(t):.3f} s "
              f"(min {min(t):.3f}, max {max(t):.3f}, n={len(t)})")

    t0 = time.perf_counter()
    import blocs
    print(f"import blocs (first, in-process, n=1): {time.perf_counter() - t0:.3f} s")
    s = blocs.load_case(args.case)
    stages = (("load_case", lambda: blocs.load_case(args.case)),
              ("leverage", lambda: blocs.leverage(s)),
              ("reach_all", lambda: blocs.reach_all(s)),
              ("encirclement", lambda: blocs.encirclement(s)),
              ("forecast", lambda: blocs.forecast(s)),
              ("analyse (all)", lambda: blocs.analyse(s)))
    for name, fn in stages:
        print(f"{name}: {stage(fn, args.repeat, args.warmup) * 1e3:.1f} ms")


if __name__ == "__main__":
    main()

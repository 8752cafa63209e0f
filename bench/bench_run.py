"""Benchmark: the main job, `blocs run CASE`, end to end and by stage.

Run:  python bench/bench_run.py [--case serbia-2024] [--repeat 7]

Prints the median wall time of the whole command in a fresh process (interpreter start,
imports, loading, every model, printing) and of each stage inside one process.  Results are
recorded by hand in bench/RESULTS.md with the machine and the date; no test is timed.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import subprocess
import sys
import time


def wall(cmd: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return times


def stage(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", default="serbia-2024")
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    exe = shutil.which("blocs") or f"{sys.prefix}/bin/blocs"
    print(f"machine: {platform.machine()}, {platform.processor() or '?'}, "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}")
    for _label, extra in (("tables", []), ("--json", ["--json"])):
        t = wall([exe, "run", args.case, *extra], args.repeat)
        print(f"blocs run {args.case} {' '.join(extra)}: median {statistics.median(t):.3f} s "
              f"(min {min(t):.3f}, max {max(t):.3f}, n={len(t)})")

    t0 = time.perf_counter()
    import blocs
    print(f"import blocs (first, in-process): {time.perf_counter() - t0:.3f} s")
    s = blocs.load_case(args.case)
    print(f"load_case: {stage(lambda: blocs.load_case(args.case), args.repeat) * 1e3:.1f} ms")
    print(f"leverage: {stage(lambda: blocs.leverage(s), args.repeat) * 1e3:.1f} ms")
    print(f"reach_all: {stage(lambda: blocs.reach_all(s), args.repeat) * 1e3:.1f} ms")
    print(f"encirclement: {stage(lambda: blocs.encirclement(s), args.repeat) * 1e3:.1f} ms")
    print(f"forecast: {stage(lambda: blocs.forecast(s), args.repeat) * 1e3:.1f} ms")
    print(f"analyse (all): {stage(lambda: blocs.analyse(s), args.repeat) * 1e3:.1f} ms")


if __name__ == "__main__":
    main()

"""Benchmark: ensembles as a user runs them (docs/ensembles.md).

Run:  python bench/bench_ensemble.py [--case serbia-2024] [--repeat 3]

Times whole processes (interpreter start, imports, loading, the runs, the store, printing;
output to /dev/null), medians of ``--repeat`` after one warm-up:

* ``blocs run CASE --runs 10000 --seed 1 --store FILE`` (a new store each time);
* the same without the store, and with ``--scheduler local`` (a Dask LocalCluster started and
  stopped inside the command) — the Dask overhead is the difference;
* ``--runs 100000 --store FILE`` once, with its peak resident memory (the child's
  ``ru_maxrss``).

Results are recorded by hand in bench/RESULTS.md with the machine and the date; no test is
timed.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def wall(cmd: list[str], repeat: int, warmup: int = 1, fresh: Path | None = None) -> list[float]:
    times = []
    for i in range(warmup + repeat):
        if fresh is not None and fresh.exists():
            fresh.unlink()
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", default="serbia-2024")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    exe = shutil.which("blocs") or f"{sys.prefix}/bin/blocs"
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {platform.system()} {platform.release()}")
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "runs.duckdb"
        base = [exe, "run", args.case, "--runs", "10000", "--seed", "1"]
        for label, cmd, fresh in (
            ("10,000 runs, --store", [*base, "--store", str(store)], store),
            ("10,000 runs, no store", base, None),
            ("10,000 runs, --scheduler local", [*base, "--scheduler", "local"], None),
        ):
            t = wall(cmd, args.repeat, fresh=fresh)
            print(f"{label}: median {statistics.median(t):.2f} s (min {min(t):.2f}, "
                  f"max {max(t):.2f}, n={len(t)})")
        big = Path(tmp) / "big.duckdb"
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t0 = time.perf_counter()
        subprocess.run([exe, "run", args.case, "--runs", "100000", "--seed", "1", "--store",
                        str(big)], check=True, stdout=subprocess.DEVNULL)
        took = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(f"100,000 runs, --store: {took:.1f} s, peak RSS {peak / 1024:.0f} MiB "
              f"(children's maximum so far; before: {before / 1024:.0f} MiB), store "
              f"{big.stat().st_size / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()

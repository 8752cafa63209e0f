"""Benchmark: building the briefing, as a user runs it (docs/report.md).

Run:  python bench/bench_report.py [--case serbia-2024] [--repeat 3]

Whole processes (start-up included, output file in a scratch folder), medians of
``--repeat`` after one warm-up: ``blocs report CASE -o FILE``, the same with ``--runs 2000``,
and with ``--pdf``; the HTML's size.  Recorded by hand in bench/RESULTS.md; no test is timed.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", default="serbia-2024")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    exe = shutil.which("blocs") or f"{sys.prefix}/bin/blocs"
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "b.html"
        for label, extra in (("report", []), ("report --runs 2000", ["--runs", "2000"]),
                             ("report --pdf", ["--pdf", str(Path(tmp) / "b.pdf")])):
            times = []
            for i in range(args.repeat + 1):
                t0 = time.perf_counter()
                subprocess.run([exe, "report", args.case, "-o", str(out), *extra], check=True,
                               stdout=subprocess.DEVNULL)
                if i:
                    times.append(time.perf_counter() - t0)
            print(f"{label}: median {statistics.median(times):.2f} s (min {min(times):.2f}, "
                  f"max {max(times):.2f}); HTML {out.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()

"""Benchmark: KTAB's Spatial Model of Politics (docs/smp.md), side by side with KTAB's smpc.

Run:  python bench/bench_smp.py [--smpc /tmp/ktab/examples/smp/smpc] [--repeat 3]
                                [--warmup 1] [--smpc-repeat 3] [--smpc-max-actors 40]
                                [--files SOE-Policy dummyData-a080 ...]

(a) Ours: every KTAB input file of shared/peers/KTAB, run to KTAB's stopping rule (one
    variant; median, min and max of ``--repeat`` timed runs after ``--warmup`` untimed ones),
    with the number of turns and whether the final positions equal KTAB's
    (``generated/*_positions_by_turn.csv``, to 1e-6 on 0-100).
(b) KTAB's smpc, when ``--smpc`` (or $KTAB_SMPC) names a build of it: run on the same file with
    its default settings (``--logmin --csv <file>``, its logger configuration, log file and
    SQLite output in a scratch folder), ``--warmup`` untimed and ``--smpc-repeat`` timed
    runs: the median of the whole process's wall time and the median of the "Elapsed time"
    smpc writes at the end of its log (its run from start to finish inside the process,
    reading, logging and SQLite writes included).  The ratio is smpc's elapsed median over
    our median (the same statistic on both sides; ours is the model run alone, in-process;
    bench/bench_cli.py compares the two whole processes).  Its final positions
    (VectorPosition table) are compared with ours too.  Files with more than
    ``--smpc-max-actors`` actors are skipped for smpc (dummyData-a080 takes 80-150 s a run
    there, dummyData-a160 ~20 minutes).  smpc is never part of this repository: build it by
    hand from github.com/KAPSARC/KTAB in a scratch folder (it needs Qt5 Core/Sql/Widgets,
    TinyXML2, SQLite and easylogging++; see bench/RESULTS.md).  Where smpc is not run, the
    KTAB column shows the figures quoted in the issue (SOE-Policy 1.3 s, dummyData-a080 78 s,
    dummyData-a160 ~1,200 s, measured on another machine), and any ratio against them is
    labelled "vs a figure quoted from the issue, not measured here".
(c) A batch: 100 perturbed variants of SOE-Pol-Comp in one call (each runs to its own
    stopping turn).

Results are recorded by hand in bench/RESULTS.md with the machine and the date; no test is
timed.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from blocs.bargaining.formats import read_problems
from blocs.bargaining.smp import SpatialModel

REPO = Path(__file__).resolve().parents[1]
SHARED = next((Path(p) for p in (os.environ.get("BLOCS_SHARED"), REPO.parent / "shared",
                                 REPO / "shared", "/work/shared")
               if p and (Path(p) / "peers").is_dir()), REPO.parent / "shared")
KTAB = SHARED / "peers" / "KTAB"
FILES = ("dummyData_3Dim", "SOE-Pol-Comp", "SOE-Policy", "SOE-Competitive", "dummyData_6Dim",
         "dummyData-a040", "dummyData-a080", "dummyData-a160")
# KTAB's smpc (default settings, -O2 build): figures quoted from the issue, measured on another
# machine, NOT here; shown only where smpc is not run, and labelled so.
QUOTED_SECONDS = {"SOE-Policy": 1.3, "dummyData-a080": 78.0, "dummyData-a160": 1200.0}
QUOTED = "vs a figure quoted from the issue, not measured here"
TARGET_SPEEDUP = {"SOE-Policy": 10.0, "dummyData-a080": 100.0}


def reference_final(name: str) -> np.ndarray | None:
    path = KTAB / "generated" / f"{name}_positions_by_turn.csv"
    if not path.exists():
        return None
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    last = max(int(r["turn"]) for r in rows)
    rows = [r for r in rows if int(r["turn"]) == last]
    n = max(int(r["actor_index"]) for r in rows) + 1
    d = max(int(r["dim_index"]) for r in rows) + 1
    out = np.zeros((n, d))
    for r in rows:
        out[int(r["actor_index"]), int(r["dim_index"])] = float(r["position_0_100"])
    return out


def turns_of(tr, model: SpatialModel) -> list[int]:
    """Each variant's turns: where the stopping rule ended it, or the cap."""
    return [int(t) if t >= 0 else model.rounds for t in tr.converged]


def run_ours(name: str, repeat: int, warmup: int) -> tuple[list[float], int, np.ndarray]:
    """Wall seconds of ``repeat`` timed runs (after ``warmup`` untimed ones), turns, final
    positions."""
    p = read_problems(KTAB / f"{name}.csv")[0]
    x, s, c = p.batch(1)
    times = []
    for i in range(warmup + repeat):
        model = SpatialModel()
        t0 = time.perf_counter()
        tr = model.run(x, s, c)
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    final = tr.positions[-1, 0]
    return times, turns_of(tr, model)[0], final.reshape(final.shape[0], -1)


def run_smpc(smpc: Path, name: str) -> tuple[float, float | None, int, np.ndarray]:
    """One smpc run: whole-process wall seconds, the elapsed seconds of its log, turns, final
    positions."""
    with tempfile.TemporaryDirectory(prefix="bench-smp-") as tmp:
        for conf in smpc.parent.glob("*-logger.conf"):
            shutil.copy(conf, tmp)
        db = Path(tmp) / name
        cmd = [str(smpc), "--logmin", "--csv", str(KTAB / f"{name}.csv"),
               "--connstr", f"Driver=QSQLITE;Database={db}"]
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=tmp, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - t0
        elapsed = None
        for logfile in Path(tmp).glob("*log.txt"):
            found = re.findall(r"Elapsed time: ([0-9.]+) seconds", logfile.read_text(
                errors="replace"))
            elapsed = float(found[-1]) if found else elapsed
        dbfile = next(Path(tmp).glob(f"{name}*.db"))
        con = sqlite3.connect(dbfile)
        try:
            rows = con.execute(
                "SELECT Turn_t, Act_i, Dim_k, Pos_Coord FROM VectorPosition").fetchall()
        finally:
            con.close()
    last = max(r[0] for r in rows)
    n = max(r[1] for r in rows) + 1
    d = max(r[2] for r in rows) + 1
    final = np.zeros((n, d))
    for t, i, k, v in rows:
        if t == last:
            final[i, k] = v
    return seconds, elapsed, last, final


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smpc", type=Path, default=os.environ.get("KTAB_SMPC"),
                    help="path of KTAB's smpc executable (default: $KTAB_SMPC)")
    ap.add_argument("--smpc-max-actors", type=int, default=40,
                    help="skip smpc on larger files (dummyData-a080: 80 actors, 80-150 s a run)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs of ours")
    ap.add_argument("--smpc-repeat", type=int, default=3, help="timed runs of smpc")
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs first, on each side")
    ap.add_argument("--files", nargs="*", default=list(FILES))
    ap.add_argument("--variants", type=int, default=100)
    args = ap.parse_args(argv)
    if not KTAB.is_dir():
        print(f"no KTAB reference folder at {KTAB} (set BLOCS_SHARED)")
        return 1
    smpc = args.smpc if args.smpc and Path(args.smpc).exists() else None
    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, NumPy {np.__version__}")
    print(f"ours: median of {args.repeat} timed runs after {args.warmup} untimed, the model run "
          "in-process")
    if smpc is None:
        print("KTAB's smpc: not given (--smpc / $KTAB_SMPC); its column shows figures quoted "
              "from the issue, measured on another machine, not here")
    else:
        print(f"KTAB's smpc: {smpc} (run here, default settings): median of {args.smpc_repeat} "
              f"timed runs after {args.warmup} untimed; 'KTAB s' is the elapsed time of its "
              "log, 'wall s' the whole process")
    head = (f"{'file':<17}{'actors':>7}{'dims':>5}{'turns':>6}{'ours s':>10}{'= KTAB':>8}"
            f"{'KTAB s':>10}{'wall s':>9}{'ratio':>9}  note")
    print(head)
    print("-" * len(head))
    for name in args.files:
        p = read_problems(KTAB / f"{name}.csv")[0]
        d = 1 if p.positions.ndim == 1 else p.positions.shape[1]
        times, turns, final = run_ours(name, args.repeat, args.warmup)
        ours_s = statistics.median(times)
        ref = reference_final(name)
        same = "n/a" if ref is None else (
            "yes" if ref.shape == final.shape and np.abs(ref - final).max() <= 1e-6 else "NO")
        note = f"ours min {min(times):.3f} max {max(times):.3f}"
        ktab_s = wall_s = None
        quoted = False
        if smpc is not None and p.n <= args.smpc_max_actors:
            for _ in range(args.warmup):
                run_smpc(smpc, name)
            runs = [run_smpc(smpc, name) for _ in range(args.smpc_repeat)]
            wall_s = statistics.median(r[0] for r in runs)
            elapsed = [r[1] for r in runs if r[1] is not None]
            ktab_s = statistics.median(elapsed) if len(elapsed) == len(runs) else wall_s
            kturns, kfinal = runs[-1][2], runs[-1][3]
            agree = kfinal.shape == final.shape and np.abs(kfinal - final).max() <= 1e-6
            note += (f"; smpc: {kturns} turns, final {'equal' if agree else 'DIFFERENT'}, "
                     f"wall min {min(r[0] for r in runs):.2f} max {max(r[0] for r in runs):.2f}")
            if len(elapsed) != len(runs):
                note += "; no elapsed time in smpc's log: ratio on the whole-process wall"
        elif name in QUOTED_SECONDS:
            ktab_s, quoted = QUOTED_SECONDS[name], True
            note += f"; * KTAB s and ratio {QUOTED}" + (
                "" if smpc is None else f" (smpc skipped: > {args.smpc_max_actors} actors)")
        ratio = f"{ktab_s / ours_s:8.0f}x" if ktab_s else f"{'':>9}"
        target = TARGET_SPEEDUP.get(name)
        if target and ktab_s:
            met = "met" if ktab_s / ours_s >= target else "NOT met"
            note += f"; target >= {target:.0f}x: {met}" + (f" ({QUOTED})" if quoted else "")
        kcol = (f"{ktab_s:9.2f}*" if quoted else f"{ktab_s:10.2f}") if ktab_s else f"{'-':>10}"
        wcol = f"{wall_s:9.2f}" if wall_s else f"{'-':>9}"
        print(f"{name:<17}{p.n:>7}{d:>5}{turns:>6}{ours_s:10.3f}{same:>8}{kcol}{wcol}{ratio}"
              f"  {note}")

    # (c) a batch of perturbed variants, each to its own stopping turn
    p = read_problems(KTAB / "SOE-Pol-Comp.csv")[0]
    x, s, c = p.batch(args.variants)
    rng = np.random.default_rng(0)
    x = np.clip(x + rng.normal(0, 2, size=x.shape), 0, 100)
    c = c * rng.uniform(0.8, 1.2, size=c.shape)
    model = SpatialModel()
    t0 = time.perf_counter()
    tr = model.run(x, s, c)
    seconds = time.perf_counter() - t0
    print(f"\nbatch: {args.variants} perturbed variants of SOE-Pol-Comp in one call (one timed "
          f"call): {seconds:.2f} s ({1e3 * seconds / args.variants:.1f} ms per variant); turns "
          f"{min(turns_of(tr, model))}-{max(turns_of(tr, model))}, R = {tr.rounds}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

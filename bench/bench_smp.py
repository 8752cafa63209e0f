"""Benchmark: KTAB's Spatial Model of Politics (docs/smp.md), side by side with KTAB's smpc.

Run:  python bench/bench_smp.py [--smpc /tmp/ktab/examples/smp/smpc] [--repeat 3]
                                [--smpc-max-actors 80] [--files SOE-Policy dummyData-a080 ...]

(a) Ours: every KTAB input file of shared/peers/KTAB, run to KTAB's stopping rule (one
    variant, best of ``--repeat``), with the number of turns and whether the final positions
    equal KTAB's (``generated/*_positions_by_turn.csv``, to 1e-6 on 0-100).
(b) KTAB's smpc, when ``--smpc`` (or $KTAB_SMPC) names a build of it: run on the same file with
    its default settings (``--logmin --csv <file>``, SQLite output in a scratch folder), wall
    time of the whole process, and the ratio to ours; its final positions (VectorPosition table)
    are compared with ours too.  Files with more than ``--smpc-max-actors`` actors are skipped
    for smpc (dummyData-a160 takes ~20 minutes there).  smpc is never part of this repository:
    build it by hand from github.com/KAPSARC/KTAB in a scratch folder (it needs Qt5 Core/Sql,
    TinyXML2, SQLite and easylogging++).  Without it, (b) prints the reference figures measured
    on the machine that produced ``generated/`` (SOE-Policy 1.3 s, dummyData-a080 78 s,
    dummyData-a160 ~20 min) and says so.
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
import shutil
import sqlite3
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
# KTAB's smpc (default settings, -O2 build), as measured where generated/ was produced.
REFERENCE_SECONDS = {"SOE-Policy": 1.3, "dummyData-a080": 78.0, "dummyData-a160": 1200.0}
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


def run_ours(name: str, repeat: int) -> tuple[float, int, np.ndarray]:
    p = read_problems(KTAB / f"{name}.csv")[0]
    x, s, c = p.batch(1)
    best = float("inf")
    for _ in range(repeat):
        model = SpatialModel()
        t0 = time.perf_counter()
        tr = model.run(x, s, c)
        best = min(best, time.perf_counter() - t0)
    final = tr.positions[-1, 0]
    return best, int(model.last_turns[0]), final.reshape(final.shape[0], -1)


def run_smpc(smpc: Path, name: str) -> tuple[float, int, np.ndarray]:
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
    return seconds, last, final


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smpc", type=Path, default=os.environ.get("KTAB_SMPC"),
                    help="path of KTAB's smpc executable (default: $KTAB_SMPC)")
    ap.add_argument("--smpc-max-actors", type=int, default=80)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--files", nargs="*", default=list(FILES))
    ap.add_argument("--variants", type=int, default=100)
    args = ap.parse_args(argv)
    if not KTAB.is_dir():
        print(f"no KTAB reference folder at {KTAB} (set BLOCS_SHARED)")
        return 1
    smpc = args.smpc if args.smpc and Path(args.smpc).exists() else None
    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, NumPy {np.__version__}")
    if smpc is None:
        print("KTAB's smpc: not given (--smpc / $KTAB_SMPC); its column shows the figures "
              "measured on the machine that produced generated/ (not this machine)")
    else:
        print(f"KTAB's smpc: {smpc} (run here, default settings)")
    head = (f"{'file':<17}{'actors':>7}{'dims':>5}{'turns':>6}{'ours s':>10}{'= KTAB':>8}"
            f"{'KTAB s':>10}{'ratio':>9}  note")
    print(head)
    print("-" * len(head))
    for name in args.files:
        p = read_problems(KTAB / f"{name}.csv")[0]
        d = 1 if p.positions.ndim == 1 else p.positions.shape[1]
        ours_s, turns, final = run_ours(name, args.repeat)
        ref = reference_final(name)
        same = "n/a" if ref is None else (
            "yes" if ref.shape == final.shape and np.abs(ref - final).max() <= 1e-6 else "NO")
        note = ""
        ktab_s = None
        if smpc is not None and p.n <= args.smpc_max_actors:
            ktab_s, kturns, kfinal = run_smpc(smpc, name)
            agree = kfinal.shape == final.shape and np.abs(kfinal - final).max() <= 1e-6
            note = f"smpc here: {kturns} turns, final {'equal' if agree else 'DIFFERENT'}"
        elif name in REFERENCE_SECONDS:
            ktab_s = REFERENCE_SECONDS[name]
            note = "KTAB figure measured elsewhere" if smpc is None else (
                f"smpc skipped (> {args.smpc_max_actors} actors); figure measured elsewhere")
        ratio = f"{ktab_s / ours_s:8.0f}x" if ktab_s else f"{'':>9}"
        target = TARGET_SPEEDUP.get(name)
        if target and ktab_s:
            met = "met" if ktab_s / ours_s >= target else "NOT met"
            note += f"; target >= {target:.0f}x: {met}"
        kcol = f"{ktab_s:10.2f}" if ktab_s else f"{'-':>10}"
        print(f"{name:<17}{p.n:>7}{d:>5}{turns:>6}{ours_s:10.3f}{same:>8}{kcol}{ratio}  {note}")

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
    print(f"\nbatch: {args.variants} perturbed variants of SOE-Pol-Comp in one call: "
          f"{seconds:.2f} s ({1e3 * seconds / args.variants:.1f} ms per variant); turns "
          f"{model.last_turns.min()}-{model.last_turns.max()}, R = {tr.rounds}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

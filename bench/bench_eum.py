"""Benchmark: Bueno de Mesquita's expected utility model (docs/eum.md), side by side with its peer.

Run:  python bench/bench_eum.py [--peer /tmp/peer-bdm] [--variants 10000] [--repeat 5]
                                [--peer-repeat 5] [--warmup 1]

(a) The peer's Python (the Scholz reconstruction, jmckib/bdm-scholz-expected-utility-model;
    its Python 3 fork by dmasad wrote the reference Example.log) on ExampleActors.csv for 10
    rounds, against ours on the same file (variant 'scholz').  Like with like: both sides are
    timed in their own process around the model's 10 rounds only (the model built from the
    file beforehand, a fresh model per run), after ``--warmup`` untimed runs, and both report
    the median (and min / max) of their timed runs: ``--peer-repeat`` for the peer (in one
    subprocess), ``max(--repeat, 200)`` for ours; the counts are printed.  The ratios are
    median / median and min / min.  bench/bench_cli.py times both as whole processes.
    The peer is never part of this repository: fetch it by hand into a scratch folder, e.g.
    ``git clone https://github.com/dmasad/bdm-scholz-expected-utility-model /tmp/peer-bdm``
    (the folder itself or any folder one level below it may hold ``bdm_scholz_model.py``; the
    first one Python 3 can compile is used).  Without it, (a) is skipped with a message.
(b) 10,000 variants of a 30-actor issue (perturbed positions, saliences, capabilities),
    10 rounds, in one call; both variants on one thread and on two (``workers=2``, the
    default on this 2-core machine: chunks of variants in parallel, the same numbers).
(c) The cost of a round for n = 10, 30, 100, 300, 1000 actors (one variant, a few rounds),
    and the exponent of a power law fitted to it.
Every figure of ours is the median (and min) of its timed calls after ``--warmup`` untimed ones.

Results are recorded by hand in bench/RESULTS.md with the machine and the date; no test is
timed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from blocs.bargaining.eum import ExpectedUtility

REPO = Path(__file__).resolve().parents[1]
SHARED = next((Path(p) for p in (os.environ.get("BLOCS_SHARED"), REPO.parent / "shared",
                                 REPO / "shared", "/work/shared")
               if p and (Path(p) / "peers").is_dir()), REPO.parent / "shared")
EXAMPLE = SHARED / "peers" / "bdm-scholz-expected-utility-model" / "ExampleActors.csv"

# Run in the subprocess: `warmup` untimed and `repeat` timed runs of 10 rounds, each on a model
# freshly built from the CSV (building is not timed); report the times and the last outcome.
PEER_SCRIPT = """
import csv, json, sys, time
sys.path.insert(0, sys.argv[1])
import bdm_scholz_model as peer
rounds, warmup, repeat = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
times = []
for i in range(warmup + repeat):
    with open(sys.argv[2], newline="") as f:
        model = peer.BDMScholzModel(csv.DictReader(f), verbose=False)
    t0 = time.perf_counter()
    model.run_model(num_rounds=rounds)
    if i >= warmup:
        times.append(time.perf_counter() - t0)
print(json.dumps({"seconds": times, "mean": model.mean_position(),
                  "positions": [a.x for a in model.actors]}))
"""


def find_peer(folder: Path) -> Path | None:
    """The folder holding a Python-3 ``bdm_scholz_model.py`` in or one level below ``folder``."""
    for path in [folder / "bdm_scholz_model.py", *sorted(folder.glob("*/bdm_scholz_model.py"))]:
        if path.is_file():
            try:
                compile(path.read_text(), str(path), "exec")
            except SyntaxError:  # the original is Python 2
                continue
            return path.parent
    return None


def read_csv(path: Path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return tuple(np.array([[float(r[k]) for r in rows]])
                 for k in ("Position", "Salience", "Capability"))


def timed(fn, repeat: int, warmup: int = 1):
    """(median, min) wall seconds of ``fn`` over ``repeat`` calls, after ``warmup`` untimed
    calls (first-call costs: compilation, imports inside NumPy, allocator), and the result of
    the last call."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), result


def side_by_side(peer_folder: Path, repeat: int, peer_repeat: int, warmup: int) -> None:
    print("(a) ExampleActors.csv, 10 rounds, the peer's Python vs ours (variant='scholz'); "
          "model rounds only, in-process on both sides")
    peer = find_peer(peer_folder)
    if peer is None:
        print(f"    SKIPPED: no Python-3 bdm_scholz_model.py in {peer_folder} or one level "
              f"below; fetch the peer there first (see this script's docstring)")
        return
    csv_path = peer / "ExampleActors.csv"
    if not csv_path.exists():
        csv_path = EXAMPLE
    out = subprocess.run([sys.executable, "-c", PEER_SCRIPT, str(peer), str(csv_path), "10",
                          str(warmup), str(peer_repeat)],
                         check=True, capture_output=True, text=True)
    run = json.loads(out.stdout.strip().splitlines()[-1])
    peer_med, peer_min = statistics.median(run["seconds"]), min(run["seconds"])
    x, s, c = read_csv(csv_path)
    model = ExpectedUtility("scholz", rounds=10)
    ours, ours_min, t = timed(lambda: model.run(x, s, c), repeat, warmup)
    same = np.allclose(t.positions[-1, 0], run["positions"], rtol=0, atol=1e-9) and \
        abs(t.outcome[-1, 0] - run["mean"]) < 1e-12
    print(f"    peer: {peer} ({csv_path.name}); warm-up {warmup} untimed run(s) on each side")
    print(f"    peer, 10 rounds: median {peer_med:.3f} s (min {peer_min:.3f}, max "
          f"{max(run['seconds']):.3f} s, n={peer_repeat})")
    print(f"    ours, 10 rounds: median {ours * 1e3:.2f} ms (min {ours_min * 1e3:.2f} ms, "
          f"n={repeat})")
    print(f"    ratio peer / ours: {peer_med / ours:,.0f}x on the medians, "
          f"{peer_min / ours_min:,.0f}x on the minima")
    print(f"    same final positions (1e-9) and mean (1e-12): {same}")


def issue_variants(n_variants: int, n: int, seed: int = 30):
    """One random n-actor issue and n_variants perturbations of it (the usual ensemble)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 100, n)
    s = rng.uniform(0.2, 1.0, n)
    c = rng.uniform(0.5, 5.0, n)
    xs = np.clip(x + rng.normal(0, 5, (n_variants, n)), 0, 100)
    ss = np.clip(s * rng.uniform(0.8, 1.2, (n_variants, n)), 0, 1)
    cs = c * rng.uniform(0.8, 1.2, (n_variants, n))
    return xs, ss, cs


def batch(n_variants: int, repeat: int, warmup: int) -> None:
    n, rounds = 30, 10
    print(f"(b) {n_variants:,} variants x {n} actors x {rounds} rounds, one call")
    xs, ss, cs = issue_variants(n_variants, n)
    for variant, workers in (("scholz", 1), ("default", 1), ("scholz", 2), ("default", 2)):
        model = ExpectedUtility(variant, rounds=rounds, workers=workers)
        med, low, t = timed(lambda m=model: m.run(xs, ss, cs), repeat, warmup)
        moves = sum(len(t.events.arrays(r)["actor"]) for r in range(1, rounds + 1))
        print(f"    {variant:8s} workers={workers}: median {med:.2f} s (min {low:.2f} s, "
              f"n={repeat}); {med / (n_variants * rounds) * 1e6:.1f} us per variant-round; "
              f"{moves:,} moves")


def scaling(sizes: list[int], warmup: int) -> None:
    print("(c) one variant, cost per round by number of actors (variant='scholz')")
    per_round = []
    for n in sizes:
        xs, ss, cs = issue_variants(1, n, seed=n)
        rounds = 3 if n >= 300 else 5
        model = ExpectedUtility("scholz", rounds=rounds)
        repeat = 3 if n >= 300 else 15
        med, _, _ = timed(lambda m=model, a=xs, b=ss, d=cs: m.run(a, b, d), repeat, warmup)
        per_round.append(med / rounds)
        print(f"    n = {n:5d}: {med / rounds * 1e3:10.3f} ms per round")
    logn, logt = np.log(sizes), np.log(per_round)
    slope_all = np.polyfit(logn, logt, 1)[0]
    big = np.asarray(sizes) >= 100
    slope_big = np.polyfit(logn[big], logt[big], 1)[0] if big.sum() >= 2 else float("nan")
    print(f"    fitted exponent (time ~ n^k): k = {slope_all:.2f} over all sizes, "
          f"k = {slope_big:.2f} for n >= 100 (the reference code is O(n^6))")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer", type=Path, default=Path("/tmp/peer-bdm"),
                    help="folder with the peer's bdm_scholz_model.py (or one level below)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--peer-repeat", type=int, default=5,
                    help="timed peer runs (median reported), in one subprocess")
    ap.add_argument("--warmup", type=int, default=1,
                    help="untimed runs before the timed ones, on each side")
    ap.add_argument("--variants", type=int, default=10_000)
    ap.add_argument("--sizes", default="10,30,100,300,1000")
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {platform.processor() or '?'}, Python "
          f"{platform.python_version()}, NumPy {np.__version__}, {platform.system()} "
          f"{platform.release()}")
    side_by_side(args.peer, max(args.repeat, 200), args.peer_repeat, args.warmup)
    batch(args.variants, args.repeat, args.warmup)
    scaling([int(v) for v in args.sizes.split(",")], args.warmup)


if __name__ == "__main__":
    main()

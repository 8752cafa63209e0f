"""Benchmark: Stokman's exchange model (docs/exchange.md), side by side with Decide.

Run:  python bench/bench_exchange.py [--peer /tmp/peer-decide] [--peer-python PY]
                                     [--rounds 10] [--repeat 3] [--peer-repeat 3] [--warmup 1]
                                     [--variants 20]

(a) Decide (foarsitter/decide-exchange-model, EqualGainModel with ALLOW_RANDOM = False) in a
    subprocess on cop21.csv (and the two smaller files) for 10 rounds, timing its model loop
    only, against ours on the same files in each arithmetic (hybrid: the default, which
    reproduces Decide exchange by exchange; float; decimal; and REX, Decide's --p 1.0, timed
    only): wall and CPU seconds, the ratio, and whether the round outcomes agree.  Like with
    like: each side builds its model from the file outside the timing, runs ``--warmup``
    untimed realisations and then its timed ones (``--peer-repeat`` for Decide, all in one
    subprocess, a fresh model from Decide's ModelFactory each time, as its own CLI does for
    repetitions; ``--repeat`` for ours, 1 for the slow decimal arithmetic), and both report
    the median (min / max) of their timed runs, the counts printed; the ratios are median over
    median.  bench/bench_cli.py compares the two whole processes.  Decide is never part of
    this repository: fetch it into a scratch folder and give it a scratch interpreter with its
    dependencies, e.g.
        git clone https://github.com/foarsitter/decide-exchange-model /tmp/peer-decide
        python3.11 -m venv /tmp/decide-venv
        /tmp/decide-venv/bin/pip install typesystem==0.2.5 peewee structlog blinker numpy \
            pandas typer
    (``--peer-python``, default /tmp/decide-venv/bin/python).  Without it, (a) prints our
    times and, for cop21.csv, a ratio against Decide's 21 s quoted in the issue, labelled
    "vs a figure quoted from the issue, not measured here".
(b) ``--variants`` perturbed variants of copenhagen.csv in one `run_variants` call: seconds
    per variant.

Results are recorded by hand in bench/RESULTS.md with the machine and the date; no test is
timed.  The machine may be shared: CPU seconds (process time) are the steadier figure.
Decimal runs once (no warm-up: it is pure Python and slow).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from blocs.bargaining.exchange import merged_actors, run_exchange, run_variants
from blocs.bargaining.formats import read_problems

SHARED = Path("/work/shared")
if not SHARED.exists():  # pragma: no cover - the checkout's own copy
    SHARED = Path(__file__).resolve().parents[1] / "shared"
PEER_DATA = SHARED / "peers" / "decide-exchange-model"
FILES = ("cop21.csv", "copenhagen.csv", "sample_data.txt")
# Decide, 10 rounds of cop21.csv: a figure quoted from the issue (another machine, NOT measured
# here); used only without Decide, and labelled so.
DECIDE_COP21_QUOTED_S = 21.0
QUOTED = "vs a figure quoted from the issue, not measured here"

# Run in the subprocess: `warmup` untimed and `repeat` timed realisations of `rounds` rounds,
# each on a fresh model from Decide's ModelFactory (built outside the timing); report the wall
# and CPU seconds of each timed loop and the voting NBS of every round of each.
PEER_SCRIPT = """
import json, logging, random, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
logging.disable(logging.CRITICAL)
from decide.data.reader import InputDataFile
from decide.data.modelfactory import ModelFactory
from decide.model import equalgain
from decide.model.utils import ModelLoop

class Quiet:
    def __getattr__(self, name):
        return lambda *a, **k: None

random.seed(0)
equalgain.EqualGainModel.ALLOW_RANDOM = False
factory = ModelFactory(InputDataFile.open(Path(sys.argv[2])))
rounds, warmup, repeat = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
walls, cpus, runs = [], [], []
for i in range(warmup + repeat):
    model = factory(equalgain.EqualGainModel, randomized_value=None)
    loop = ModelLoop(model, Quiet(), 0)
    outcomes = []
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        loop.loop()
        model.exchanges = []
        outcomes.append([float(v) for v in model.nbs.values()])
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    if i >= warmup:
        walls.append(wall)
        cpus.append(cpu)
        runs.append(outcomes)
print(json.dumps({"seconds": walls, "cpu": cpus, "outcomes": runs[-1],
                  "repeatable": all(r == runs[0] for r in runs)}))
"""


def time_ours(probs, rounds: int, arithmetic: str, repeat: int, warmup: int, **options):
    """(wall seconds, CPU seconds, outcomes) of ``repeat`` timed runs after ``warmup`` untimed
    ones."""
    for _ in range(warmup):
        run_exchange(probs, rounds, arithmetic=arithmetic, **options)
    walls, cpus = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        res = run_exchange(probs, rounds, arithmetic=arithmetic, **options)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return walls, cpus, res.outcome[1:]


def fmt(walls: list[float], cpus: list[float]) -> str:
    return (f"wall {statistics.median(walls):8.3f} s (min {min(walls):.3f}, max "
            f"{max(walls):.3f}, n={len(walls)})   cpu {statistics.median(cpus):8.3f} s")


def run_peer(peer: Path, python: str, path: Path, rounds: int, warmup: int,
             repeat: int) -> dict | None:
    try:
        out = subprocess.run([python, "-c", PEER_SCRIPT, str(peer), str(path), str(rounds),
                              str(warmup), str(repeat)],
                             capture_output=True, text=True, timeout=3600, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"  Decide failed: {exc}")
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peer", type=Path, default=Path("/tmp/peer-decide"))
    ap.add_argument("--peer-python", default="/tmp/decide-venv/bin/python")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3, help="timed runs of ours (decimal: 1)")
    ap.add_argument("--peer-repeat", type=int, default=3, help="timed runs of Decide")
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs first, on each side")
    ap.add_argument("--variants", type=int, default=20)
    ap.add_argument("--files", nargs="*", default=list(FILES))
    args = ap.parse_args()
    have_peer = (args.peer / "decide" / "model" / "equalgain.py").is_file() and Path(
        args.peer_python).exists()
    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"{platform.machine()}, {platform.processor() or platform.platform()}")
    print(f"(a) {args.rounds} rounds; each side: {args.warmup} untimed run(s), then timed runs "
          f"(Decide {args.peer_repeat}, ours {args.repeat}, decimal 1), medians; Decide: "
          + (f"{args.peer} with {args.peer_python}" if have_peer
             else f"not found (cop21.csv: {DECIDE_COP21_QUOTED_S} s, {QUOTED})"))
    for name in args.files:
        path = PEER_DATA / name
        probs = read_problems(path)
        print(f"  {name}: {len(merged_actors(probs))} actors x {len(probs)} issues")
        peer = (run_peer(args.peer, args.peer_python, path, args.rounds, args.warmup,
                         args.peer_repeat) if have_peer else None)
        if peer:
            ref_s = statistics.median(peer["seconds"])
            print(f"    Decide           {fmt(peer['seconds'], peer['cpu'])}"
                  + ("" if peer["repeatable"] else "   (runs DIFFER from each other)"))
        else:
            ref_s = DECIDE_COP21_QUOTED_S if name == "cop21.csv" else None
        for arithmetic in ("hybrid", "float", "decimal"):
            walls, cpus, outcomes = time_ours(probs, args.rounds, arithmetic,
                                              args.repeat if arithmetic != "decimal" else 1,
                                              args.warmup if arithmetic != "decimal" else 0)
            wall, cpu = statistics.median(walls), statistics.median(cpus)
            line = f"    ours {arithmetic:<8}    {fmt(walls, cpus)}"
            if ref_s:
                line += f"   {ref_s / wall:6.1f}x faster (wall medians)"
                if not peer:
                    line += f" ({QUOTED})"
            if peer:
                line += f"   {statistics.median(peer['cpu']) / cpu:6.1f}x (cpu medians)"
                diff = np.max(np.abs(np.asarray(peer["outcomes"]) - outcomes))
                line += f"   max |outcome - Decide's| {diff:.1e}"
            print(line)
        # REX (Decide's --p 1.0; random draws, so no comparison of outcomes)
        walls, cpus, _ = time_ours(probs, args.rounds, "float", args.repeat, args.warmup, p=1.0,
                                   tie_break="random", seed=0)
        print(f"    ours rex p=1.0   {fmt(walls, cpus)}")

    probs = read_problems(PEER_DATA / "copenhagen.csv")
    actors = merged_actors(probs)
    base = np.full((len(actors), len(probs)), np.nan)
    for p, prob in enumerate(probs):
        base[[actors.index(a) for a in prob.actors], p] = prob.positions
    rng = np.random.default_rng(0)
    V = args.variants
    pos = np.clip(base[None] + rng.normal(0, 5, (V, *base.shape)), 0, 100)
    for arithmetic in ("hybrid", "float"):
        for _ in range(args.warmup):
            run_variants(probs, positions=pos, rounds=args.rounds, arithmetic=arithmetic)
        t0, c0 = time.perf_counter(), time.process_time()
        run_variants(probs, positions=pos, rounds=args.rounds, arithmetic=arithmetic)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"(b) {V} variants of copenhagen.csv, {arithmetic} (one timed call after "
              f"{args.warmup} untimed): {wall / V * 1e3:.1f} ms wall, {cpu / V * 1e3:.1f} ms cpu "
              "per variant")
    sys.stdout.flush()


if __name__ == "__main__":
    main()

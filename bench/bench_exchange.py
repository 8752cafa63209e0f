"""Benchmark: Stokman's exchange model (docs/exchange.md), side by side with Decide.

Run:  python bench/bench_exchange.py [--peer /tmp/peer-decide] [--peer-python PY]
                                     [--rounds 10] [--repeat 3] [--variants 20]

(a) Decide (foarsitter/decide-exchange-model, EqualGainModel with ALLOW_RANDOM = False) in a
    subprocess on cop21.csv (and the two smaller files) for 10 rounds, timing its model loop
    only, against ours on the same files in each arithmetic (hybrid: the default, which
    reproduces Decide exchange by exchange; float; decimal; and REX, Decide's --p 1.0, timed
    only): wall and CPU seconds, the ratio, and whether the round outcomes agree.  Decide is
    never part of this repository: fetch it into a scratch folder and give it a scratch
    interpreter with its dependencies, e.g.
        git clone https://github.com/foarsitter/decide-exchange-model /tmp/peer-decide
        python3.11 -m venv /tmp/decide-venv
        /tmp/decide-venv/bin/pip install typesystem==0.2.5 peewee structlog blinker numpy \
            pandas typer
    (``--peer-python``, default /tmp/decide-venv/bin/python).  Without it, (a) prints our
    times and Decide's 21 s on cop21 as measured on the development machine.
(b) ``--variants`` perturbed variants of copenhagen.csv in one `run_variants` call: seconds
    per variant.

Results are recorded by hand in bench/RESULTS.md with the machine and the date; no test is
timed.  The machine may be shared: CPU seconds (process time) are the steadier figure.
"""

from __future__ import annotations

import argparse
import json
import platform
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
DECIDE_COP21_S = 21.0  # Decide, 10 rounds of cop21.csv, on the development machine

# Run in the subprocess: build Decide's model from the file, time its loop, report the
# voting NBS of every round.
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
model = ModelFactory(InputDataFile.open(Path(sys.argv[2])))(equalgain.EqualGainModel,
                                                            randomized_value=None)
loop = ModelLoop(model, Quiet(), 0)
outcomes = []
t0, c0 = time.perf_counter(), time.process_time()
for _ in range(int(sys.argv[3])):
    loop.loop()
    model.exchanges = []
    outcomes.append([float(v) for v in model.nbs.values()])
print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                  "outcomes": outcomes}))
"""


def time_ours(probs, rounds: int, arithmetic: str, repeat: int, **options):
    """(best wall, best CPU seconds, outcomes) over ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        res = run_exchange(probs, rounds, arithmetic=arithmetic, **options)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus), res.outcome[1:]


def run_peer(peer: Path, python: str, path: Path, rounds: int) -> dict | None:
    try:
        out = subprocess.run([python, "-c", PEER_SCRIPT, str(peer), str(path), str(rounds)],
                             capture_output=True, text=True, timeout=1800, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"  Decide failed: {exc}")
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peer", type=Path, default=Path("/tmp/peer-decide"))
    ap.add_argument("--peer-python", default="/tmp/decide-venv/bin/python")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--variants", type=int, default=20)
    ap.add_argument("--files", nargs="*", default=list(FILES))
    args = ap.parse_args()
    have_peer = (args.peer / "decide" / "model" / "equalgain.py").is_file() and Path(
        args.peer_python).exists()
    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"{platform.machine()}, {platform.processor() or platform.platform()}")
    print(f"(a) {args.rounds} rounds; best of {args.repeat}; Decide: "
          + (f"{args.peer} with {args.peer_python}" if have_peer
             else f"not found (reference: {DECIDE_COP21_S} s on cop21.csv)"))
    for name in args.files:
        path = PEER_DATA / name
        probs = read_problems(path)
        print(f"  {name}: {len(merged_actors(probs))} actors x {len(probs)} issues")
        peer = run_peer(args.peer, args.peer_python, path, args.rounds) if have_peer else None
        ref_s = peer["seconds"] if peer else (DECIDE_COP21_S if name == "cop21.csv" else None)
        if peer:
            print(f"    Decide           wall {peer['seconds']:8.3f} s   cpu {peer['cpu']:8.3f} s")
        for arithmetic in ("hybrid", "float", "decimal"):
            wall, cpu, outcomes = time_ours(probs, args.rounds, arithmetic,
                                            args.repeat if arithmetic != "decimal" else 1)
            line = f"    ours {arithmetic:<8}    wall {wall:8.3f} s   cpu {cpu:8.3f} s"
            if ref_s:
                line += f"   {ref_s / wall:6.1f}x faster (wall)"
            if peer:
                line += f"   {peer['cpu'] / cpu:6.1f}x (cpu)"
                diff = np.max(np.abs(np.asarray(peer["outcomes"]) - outcomes))
                line += f"   max |outcome - Decide's| {diff:.1e}"
            print(line)
        # REX (Decide's --p 1.0; random draws, so no comparison of outcomes)
        wall, cpu, _ = time_ours(probs, args.rounds, "float", args.repeat, p=1.0,
                                 tie_break="random", seed=0)
        print(f"    ours rex p=1.0   wall {wall:8.3f} s   cpu {cpu:8.3f} s")

    probs = read_problems(PEER_DATA / "copenhagen.csv")
    actors = merged_actors(probs)
    base = np.full((len(actors), len(probs)), np.nan)
    for p, prob in enumerate(probs):
        base[[actors.index(a) for a in prob.actors], p] = prob.positions
    rng = np.random.default_rng(0)
    V = args.variants
    pos = np.clip(base[None] + rng.normal(0, 5, (V, *base.shape)), 0, 100)
    for arithmetic in ("hybrid", "float"):
        t0, c0 = time.perf_counter(), time.process_time()
        run_variants(probs, positions=pos, rounds=args.rounds, arithmetic=arithmetic)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"(b) {V} variants of copenhagen.csv, {arithmetic}: {wall / V * 1e3:.1f} ms wall, "
              f"{cpu / V * 1e3:.1f} ms cpu per variant")
    sys.stdout.flush()


if __name__ == "__main__":
    main()

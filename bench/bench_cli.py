"""Benchmark: whole `blocs` commands as processes, side by side with the peers' whole processes.

Run (from the repository root, with the project's interpreter):

    .venv/bin/python bench/bench_cli.py [--repeat 5] [--warmup 1] [--cold-repeat 3]
        [--peer-bdm /tmp/peer-bdm] [--smpc /tmp/ktab/examples/smp/smpc]
        [--peer-decide /tmp/peer-decide] [--decide-python /tmp/decide-venv/bin/python]
        [--sections warm,cold,refusal] > results.md

Progress goes to stderr; stdout is a Markdown report ready to paste into bench/RESULTS.md.

What is measured (issue 8):

warm     Every command is a fresh process, timed from spawn to exit (wall clock, perf_counter).
         Each row: ``--warmup`` untimed runs of each side first, then ``--repeat`` timed runs,
         ours and the peer's alternated so that drift of a shared machine falls on both alike;
         both sides get the same statistic: median, min and max of their ``--repeat`` runs.
         Rows: ``blocs --version``, ``--help``, ``run serbia-2024`` (tables and ``--json``),
         ``forecast ExampleActors.csv --model eum --variant scholz --rounds 10`` against the BDM
         peer (``bdm_scholz_model.py``, dmasad's Python 3 fork of jmckib's Scholz model: a
         small driver run with the same interpreter as this script, which imports it, runs 10
         rounds on the same file and prints the mean), ``forecast SOE-Policy.csv --model smp``
         against KTAB's ``smpc`` (``--logmin --csv FILE --connstr Driver=QSQLITE;...``, its
         default settings, its logger configuration copied into a fresh scratch folder per
         run: it writes its log file and SQLite database there, as it always does), and
         ``forecast cop21.csv --model exchange --rounds 10`` against Decide (a driver that
         builds its EqualGainModel, ALLOW_RANDOM = False, and runs 10 rounds of ModelLoop
         with no observers, in Decide's own interpreter).  A peer that is not found is
         skipped with a message.  Standard output of both sides goes to a scratch file.
cold     The first call after installation: the three ``forecast`` commands with
         NUMBA_CACHE_DIR set to a fresh empty folder per run, so numba must compile the kernels
         the command uses (``--cold-repeat`` runs each; median, min, max), beside the warm
         median of the same command; the number of cache files the run wrote shows whether
         anything was compiled.
refusal  Refusing a 3 GB file: a sparse 3 GiB file (os.truncate, no disk used) named
         ``big.yaml`` / ``big.csv`` in a scratch folder, given to ``blocs run``, ``blocs check``
         and ``blocs forecast``: exit code, peak RSS (largest of 3 runs), wall time, first line
         of stderr.

Peak RSS is ru_maxrss of the measured process as reported by GNU time (``/usr/bin/time -f
%M``, ``apt-get install time``), which forks the command from its own tiny process.  Without
it, os.wait4's rusage of the child is used instead; that figure includes the memory of this
script at the moment of the fork (Linux keeps the high-water mark across exec), so this script
imports nothing beyond the standard library and prints its own RSS as the floor.  The
/usr/bin/time wrapper adds about a millisecond to every run, ours and the peers' alike.

The peers are never part of this repository: fetch and build them by hand under /tmp (see
bench/RESULTS.md).  Results are recorded by hand in bench/RESULTS.md; no test is timed.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = next((Path(p) for p in (os.environ.get("BLOCS_SHARED"), REPO.parent / "shared",
                                 REPO / "shared", "/work/shared")
               if p and (Path(p) / "peers").is_dir()), REPO.parent / "shared")
PEERS = SHARED / "peers"
EUM_FILE = PEERS / "bdm-scholz-expected-utility-model" / "ExampleActors.csv"
SMP_FILE = PEERS / "KTAB" / "SOE-Policy.csv"
EXCHANGE_FILE = PEERS / "decide-exchange-model" / "cop21.csv"
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
BIG = 3 * 1024**3
PEER_TIMEOUT_S = 1800.0

# The BDM peer's whole process: import it, run 10 rounds of the file, print the mean position.
BDM_DRIVER = """
import csv, sys
sys.path.insert(0, sys.argv[1])
import bdm_scholz_model as peer
with open(sys.argv[2], newline="") as f:
    model = peer.BDMScholzModel(csv.DictReader(f), verbose=False)
model.run_model(num_rounds=int(sys.argv[3]))
print(model.mean_position())
"""

# Decide's whole process: build the equal-gain model from the file, run the rounds (no random
# tie-breaking, no observers writing files), print the voting NBS of every issue.
DECIDE_DRIVER = """
import logging, random, sys
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
for _ in range(int(sys.argv[3])):
    loop.loop()
    model.exchanges = []
print({k: float(v) for k, v in model.nbs.items()})
"""


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


@dataclass
class Run:
    wall: float
    rss_kb: int
    rc: int
    stdout: str
    stderr: str


@dataclass
class Cmd:
    """A command to spawn.  With ``scratch_files`` it runs in a fresh scratch folder holding
    copies of them, and ``{scratch}`` in ``argv`` names that folder."""
    argv: list[str]
    scratch_files: list[Path] = field(default_factory=list)
    env: dict[str, str] | None = None
    timeout: float = PEER_TIMEOUT_S


def spawn(cmd: Cmd) -> Run:
    """Run ``cmd`` once as a process; wall seconds from spawn to exit, peak RSS, exit code."""
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        tmpdir = Path(tmp)
        cwd = None
        argv = [a.replace("{scratch}", str(tmpdir / "work")) for a in cmd.argv]
        if cmd.scratch_files:
            cwd = tmpdir / "work"
            cwd.mkdir()
            for f in cmd.scratch_files:
                shutil.copy(f, cwd)
        rss_file = tmpdir / "rss"
        if GNU_TIME:
            argv = [GNU_TIME, "-f", "%M", "-o", str(rss_file), *argv]
        env = None if cmd.env is None else {**os.environ, **cmd.env}
        with open(tmpdir / "out", "wb") as out, open(tmpdir / "err", "wb") as err:
            t0 = time.perf_counter()
            p = subprocess.Popen(argv, stdout=out, stderr=err, cwd=cwd, env=env,
                                 start_new_session=True)
            timer = threading.Timer(cmd.timeout, os.killpg, (p.pid, signal.SIGKILL))
            timer.start()
            _, status, usage = os.wait4(p.pid, 0)  # blocking: no polling delay in the wall
            wall = time.perf_counter() - t0
            timer.cancel()
        p.returncode = rc = os.waitstatus_to_exitcode(status)
        if GNU_TIME:
            lines = rss_file.read_text().split() if rss_file.exists() else []
            rss = int(lines[-1]) if lines and lines[-1].isdigit() else -1
        else:
            rss = usage.ru_maxrss
        stdout = (tmpdir / "out").read_text(errors="replace")
        stderr = (tmpdir / "err").read_text(errors="replace")
    if GNU_TIME and rc != 0:  # GNU time appends "Command exited with non-zero status N"
        stderr = "\n".join(ln for ln in stderr.splitlines()
                           if not ln.startswith("Command exited with non-zero status"))
    return Run(wall, rss, rc, stdout, stderr)


@dataclass
class Stats:
    runs: list[Run]

    @property
    def walls(self) -> list[float]:
        return [r.wall for r in self.runs]

    @property
    def median(self) -> float:
        return statistics.median(self.walls)

    @property
    def rss_mb(self) -> float:
        return statistics.median(r.rss_kb for r in self.runs) / 1024

    @property
    def failed(self) -> list[Run]:
        return [r for r in self.runs if r.rc != 0]


def side_by_side(ours: Cmd, peer: Cmd | None, repeat: int, warmup: int
                 ) -> tuple[Stats, Stats | None]:
    """``warmup`` untimed runs of each, then ``repeat`` timed runs alternating ours / peer."""
    for _ in range(warmup):
        spawn(ours)
        if peer is not None:
            spawn(peer)
    a: list[Run] = []
    b: list[Run] = []
    for _ in range(repeat):
        a.append(spawn(ours))
        if peer is not None:
            b.append(spawn(peer))
    return Stats(a), (Stats(b) if peer is not None else None)


def secs(x: float) -> str:
    return f"{x * 1e3:.0f} ms" if x < 1 else f"{x:.2f} s"


def spread(s: Stats) -> str:
    return f"{secs(min(s.walls))} / {secs(max(s.walls))}"


def find_bdm(folder: Path) -> Path | None:
    """The folder holding a Python-3 ``bdm_scholz_model.py`` in or one level below ``folder``."""
    for path in [folder / "bdm_scholz_model.py", *sorted(folder.glob("*/bdm_scholz_model.py"))]:
        if path.is_file():
            try:
                compile(path.read_text(), str(path), "exec")
            except SyntaxError:  # jmckib's original is Python 2
                continue
            return path.parent
    return None


def git_head(path: Path) -> str:
    try:
        out = subprocess.run(["git", "-C", str(path), "rev-parse", "--short=10", "HEAD"],
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "?"
    return out.stdout.strip() if out.returncode == 0 else "not a git checkout"


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def machine() -> list[str]:
    cpu = "?"
    mem = "?"
    try:
        cpu = next(ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo")
                   if ln.startswith("model name"))
        kb = next(int(ln.split()[1]) for ln in open("/proc/meminfo")
                  if ln.startswith("MemTotal"))
        mem = f"{kb / 1024**2:.0f} GiB"
    except (OSError, StopIteration):
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return [f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='minutes')}",
            f"- machine: {platform.platform()}; CPU: {cpu}; {usable} usable CPUs "
            f"(nproc; {os.cpu_count()} online); memory {mem}; load average at start {load:.2f}",
            f"- Python {platform.python_version()} ({sys.executable}); blocs {version('blocs')}, "
            f"NumPy {version('numpy')}, numba {version('numba')}"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per side and row")
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs per side first")
    ap.add_argument("--cold-repeat", type=int, default=3,
                    help="cold runs per command (fresh NUMBA_CACHE_DIR each)")
    ap.add_argument("--blocs", default=shutil.which("blocs", path=str(Path(sys.executable).parent))
                    or shutil.which("blocs") or "blocs", help="the blocs executable")
    ap.add_argument("--python", default=sys.executable,
                    help="interpreter for the BDM peer's driver (default: this one)")
    ap.add_argument("--peer-bdm", type=Path, default=Path("/tmp/peer-bdm"),
                    help="folder with bdm_scholz_model.py (or one level below)")
    ap.add_argument("--smpc", type=Path, default=Path(os.environ.get(
        "KTAB_SMPC", "/tmp/ktab/examples/smp/smpc")), help="KTAB's smpc executable")
    ap.add_argument("--peer-decide", type=Path, default=Path("/tmp/peer-decide"),
                    help="checkout of foarsitter/decide-exchange-model")
    ap.add_argument("--decide-python", default="/tmp/decide-venv/bin/python",
                    help="interpreter with Decide's dependencies")
    ap.add_argument("--sections", default="warm,cold,refusal",
                    help="comma-separated subset of warm,cold,refusal")
    ap.add_argument("--case", default="serbia-2024")
    args = ap.parse_args(argv)
    sections = set(args.sections.split(","))
    blocs = args.blocs
    started = time.perf_counter()

    first = spawn(Cmd([blocs, "--version"], timeout=120))
    if first.rc != 0:
        log(f"`{blocs} --version` failed (exit {first.rc}): {first.stderr.strip()[:500]}")
        return 1

    # the peers
    notes: list[str] = []
    bdm = find_bdm(args.peer_bdm) if args.peer_bdm.is_dir() else None
    bdm_cmd = smpc_cmd = decide_cmd = None
    if bdm is None:
        log(f"BDM peer: SKIPPED, no Python-3 bdm_scholz_model.py in {args.peer_bdm}")
        notes.append(f"- BDM peer: not found in {args.peer_bdm}; skipped")
    else:
        bdm_cmd = Cmd([args.python, "-c", BDM_DRIVER, str(bdm), str(EUM_FILE), "10"])
        notes.append(f"- BDM peer: {bdm}/bdm_scholz_model.py (commit {git_head(bdm)}), driver "
                     f"run with {args.python}: import, 10 rounds, print the mean")
    if not (args.smpc.is_file() and os.access(args.smpc, os.X_OK)):
        log(f"KTAB smpc: SKIPPED, no executable at {args.smpc}")
        notes.append(f"- KTAB smpc: not found at {args.smpc}; skipped")
    else:
        smpc_cmd = Cmd([str(args.smpc), "--logmin", "--csv", str(SMP_FILE), "--connstr",
                        "Driver=QSQLITE;Database={scratch}/smp"],
                       scratch_files=sorted(args.smpc.parent.glob("*-logger.conf")))
        notes.append(f"- KTAB smpc: {args.smpc} (KTAB commit {git_head(args.smpc.parent)}), "
                     "`--logmin --csv FILE --connstr Driver=QSQLITE;Database=...` (default "
                     "model settings), its log file and SQLite database written to a fresh "
                     "scratch folder per run")
    decide_ok = (args.peer_decide / "decide" / "model" / "equalgain.py").is_file()
    if not decide_ok or not Path(args.decide_python).exists():
        log(f"Decide: SKIPPED, need {args.peer_decide}/decide and {args.decide_python}")
        notes.append(f"- Decide: not found ({args.peer_decide}, {args.decide_python}); skipped")
    else:
        decide_cmd = Cmd([args.decide_python, "-c", DECIDE_DRIVER, str(args.peer_decide),
                          str(EXCHANGE_FILE), "10"])
        dv = subprocess.run([args.decide_python, "-V"], capture_output=True, text=True)
        notes.append(f"- Decide: {args.peer_decide} (commit {git_head(args.peer_decide)}), "
                     f"{dv.stdout.strip()}: driver builds EqualGainModel (ALLOW_RANDOM = False), "
                     "runs 10 rounds of ModelLoop without observers, prints the NBS")

    forecasts = {
        "eum": [blocs, "forecast", str(EUM_FILE), "--model", "eum", "--variant", "scholz",
                "--rounds", "10"],
        "smp": [blocs, "forecast", str(SMP_FILE), "--model", "smp"],
        "exchange": [blocs, "forecast", str(EXCHANGE_FILE), "--model", "exchange",
                     "--rounds", "10"],
    }
    # (label, key of forecasts or argv, peer command, peer name, target seconds of issue 8)
    rows = [
        ("`blocs --version`", [blocs, "--version"], None, None, 0.3),
        ("`blocs --help`", [blocs, "--help"], None, None, 0.3),
        (f"`blocs run {args.case}`", [blocs, "run", args.case], None, None, 1.0),
        (f"`blocs run {args.case} --json`", [blocs, "run", args.case, "--json"], None, None,
         1.0),
        ("`blocs forecast ExampleActors.csv --model eum --variant scholz --rounds 10`",
         "eum", bdm_cmd, "BDM peer (Python)", 1.0),
        ("`blocs forecast SOE-Policy.csv --model smp`", "smp", smpc_cmd,
         "KTAB smpc (C++)", 1.0),
        ("`blocs forecast cop21.csv --model exchange --rounds 10`", "exchange",
         decide_cmd, "Decide (Python)", 1.0),
    ]

    own_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rss_how = ("GNU time `-f %M` (ru_maxrss of the command)" if GNU_TIME else
               f"os.wait4 rusage of the child (floor: this script's own {own_mb:.0f} MB)")
    out = ["# Whole-process benchmark (bench/bench_cli.py)", "", *machine(),
           f"- blocs: {blocs} ({first.stdout.strip()}), repository commit {git_head(REPO)}",
           *notes,
           f"- peak RSS: {rss_how}",
           f"- command line: `{' '.join([Path(sys.executable).name, *sys.argv])}`", ""]
    warm_median: dict[str, float] = {}
    targets: list[str] = []

    if "warm" in sections:
        log(f"warm: {args.warmup} warm-up + {args.repeat} timed runs per side and row")
        out += ["## Warm", "",
                f"Each side: {args.warmup} untimed warm-up run(s), then {args.repeat} timed "
                "runs (ours and the peer's alternated); median, min / max of those runs, the "
                "same statistic on both sides.  Peak RSS: median over the timed runs.", "",
                "| command | blocs median | min / max | RSS | peer | peer median | min / max "
                "| peer RSS | peer / blocs (medians) |",
                "|---|---:|---:|---:|---|---:|---:|---:|---:|"]
        for label, what, peer, peer_name, target in rows:
            log(f"  {label}" + (f" vs {peer_name}" if peer else ""))
            ours_argv = forecasts[what] if isinstance(what, str) else what
            a, b = side_by_side(Cmd(ours_argv, timeout=600), peer, args.repeat, args.warmup)
            for s, who in ((a, "blocs"), (b, peer_name)):
                if s is not None and s.failed:
                    r = s.failed[0]
                    log(f"    {who}: {len(s.failed)} run(s) FAILED, exit {r.rc}: "
                        f"{r.stderr.strip()[-400:]}")
            if isinstance(what, str):
                warm_median[what] = a.median
            line = f"| {label} | {secs(a.median)} | {spread(a)} | {a.rss_mb:.0f} MB |"
            if b is None:
                line += " - | | | | |" if peer_name is None else f" {peer_name}: skipped | | | | |"
            else:
                line += (f" {peer_name} | {secs(b.median)} | {spread(b)} | {b.rss_mb:.0f} MB | "
                         f"{b.median / a.median:.1f}x |")
            if a.failed or (b is not None and b.failed):
                line += " **some runs failed**"
            out.append(line)
            targets.append(f"- {label}: median {a.median:.3f} s, target under {target} s "
                           f"(issue 8): {'met' if a.median < target else '**not met**'}")
        out.append("")

    if "cold" in sections:
        log(f"cold: {args.cold_repeat} run(s) per command, fresh NUMBA_CACHE_DIR each")
        out += ["## Cold first call (compiled kernels)", "",
                f"Each run with NUMBA_CACHE_DIR set to a fresh empty folder, {args.cold_repeat} "
                "runs per command, no warm-up; the warm median is from the table above.", "",
                "| command | cold median | min / max | RSS | cache files written | warm median |",
                "|---|---:|---:|---:|---:|---:|"]
        for key, argv_ in forecasts.items():
            log(f"  {key}")
            runs, written = [], []
            for _ in range(args.cold_repeat):
                with tempfile.TemporaryDirectory(prefix="bench-cli-numba-") as cache:
                    runs.append(spawn(Cmd(argv_, env={"NUMBA_CACHE_DIR": cache}, timeout=900)))
                    written.append(sum(len(f) for _, _, f in os.walk(cache)))
            s = Stats(runs)
            if s.failed:
                log(f"    FAILED: exit {s.failed[0].rc}: {s.failed[0].stderr.strip()[-400:]}")
            warm = secs(warm_median[key]) if key in warm_median else "-"
            out.append(f"| `blocs forecast ... --model {key}` | {secs(s.median)} | {spread(s)} "
                       f"| {s.rss_mb:.0f} MB | {statistics.median(written):.0f} | {warm} |")
        out.append("")

    if "refusal" in sections:
        log("refusal: 3 GiB sparse files")
        out += ["## Refusing a 3 GB file", "",
                f"A sparse file of {BIG:,} bytes (os.truncate; no data on disk), 3 runs each, "
                "largest peak RSS of the three.", "",
                "| command | exit code | peak RSS | median wall | first line of stderr |",
                "|---|---:|---:|---:|---|"]
        with tempfile.TemporaryDirectory(prefix="bench-cli-big-") as tmp:
            for name in ("big.yaml", "big.csv"):
                with open(Path(tmp) / name, "wb") as f:
                    os.truncate(f.fileno(), BIG)
            for sub, name in (("run", "big.yaml"), ("check", "big.yaml"),
                              ("forecast", "big.csv"), ("forecast", "big.yaml")):
                log(f"  blocs {sub} {name}")
                s = Stats([spawn(Cmd([blocs, sub, str(Path(tmp) / name)], timeout=300))
                           for _ in range(3)])
                rss = max(r.rss_kb for r in s.runs) / 1024
                first_err = next((ln.strip() for ln in s.runs[0].stderr.splitlines()
                                  if ln.strip()), "")
                first_err = re.sub(re.escape(tmp), "TMP", first_err).replace("|", "\\|")[:120]
                codes = sorted({r.rc for r in s.runs})
                out.append(f"| `blocs {sub} {name}` | {', '.join(map(str, codes))} | "
                           f"{rss:.0f} MB | {secs(s.median)} | {first_err} |")
                targets.append(f"- `blocs {sub} {name}` (3 GiB): peak RSS {rss:.0f} MB, target "
                               f"under 100 MB (issue 8): {'met' if rss < 100 else '**not met**'}"
                               f"; exit {', '.join(map(str, codes))}")
        out.append("")

    if targets:
        out += ["## Targets of issue 8", "", *targets, ""]
    out.append(f"Whole benchmark: {time.perf_counter() - started:.0f} s.")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""``blocs run CASE --runs N``: an ensemble of the case's futures (docs/ensembles.md).

Called by ``blocs run`` (commands/run.py) when ``--runs`` is given: opens the results store
(``--store``, ``--resume``), connects to a Dask scheduler (``--scheduler``), runs the
ensemble, and prints or writes its summary.  Bad options exit 2 with one line; Ctrl-C leaves
every finished chunk in the store and says how to resume.
"""

from __future__ import annotations

import math
import shlex
from pathlib import Path
from typing import Any

from blocs.commands.output import console, fail, progress_bar, table

#: The most runs one command takes (100,000 runs of Serbia's 12 years stay under 1 GiB).
MAX_RUNS = 1_000_000
#: Runs per chunk allowed.
CHUNK_RANGE = (1, 100_000)


def check_options(runs: int | None, method: str | None, store: Path | None, resume: bool,
                  scheduler: str | None, chunk: int | None, year: int | None) -> None:
    """One line and exit 2 for ensemble options that do not fit together."""
    from blocs.ensemble.sample import METHODS

    if runs is None:
        for flag, value in (("--method", method), ("--store", store), ("--scheduler", scheduler),
                            ("--chunk", chunk), ("--resume", resume or None)):
            if value is not None:
                raise fail(f"{flag}: only with --runs N (allowed: add --runs, e.g. --runs "
                           "1000)")
        return
    if not 1 <= runs <= MAX_RUNS:
        raise fail(f"--runs: {runs} is out of range (allowed: 1 to {MAX_RUNS:,})")
    if year is not None:
        raise fail("--runs: an ensemble runs the case's period (allowed: without --year)")
    if method is not None and method not in METHODS:
        raise fail(f"--method: unknown method '{method}' (allowed: {', '.join(METHODS)})")
    if resume and store is None:
        raise fail("--resume: needs the store to resume (allowed: --store FILE --resume)")
    if chunk is not None and not CHUNK_RANGE[0] <= chunk <= CHUNK_RANGE[1]:
        raise fail(f"--chunk: {chunk} is out of range (allowed: {CHUNK_RANGE[0]} to "
                   f"{CHUNK_RANGE[1]:,})")
    if store is not None and store.exists() and not store.is_file():
        raise fail(f"{store}: --store: is not a file (allowed: a DuckDB file, new or made by "
                   "this ensemble)")


def case_checksum(case: str) -> str:
    """SHA-256 of the case's text: the built-in file, or the file read (as ``blocs forecast``
    records its input, `blocs.bargaining.run.input_identity`)."""
    from blocs.bargaining.run import input_identity

    return input_identity(case, format="blocs")["sha256"]


def run_ensemble_command(case: str, scenario: Any, runs: int, seed: int | None,
                         method: str | None, store_path: Path | None, resume: bool,
                         scheduler: str | None, chunk: int | None, until: int | None,
                         export: Path | None = None) -> Any:
    """Run the ensemble (see the module); returns `blocs.ensemble.runner.Ensemble`.  With
    ``export`` and a store, the store's tables are exported there as Parquet."""
    from blocs import __version__
    from blocs.dynamics.draws import new_seed
    from blocs.dynamics.plan import compile_plan
    from blocs.ensemble.runner import DEFAULT_CHUNK, outcome_names, run_ensemble
    from blocs.ensemble.uncertain import uncertainties

    start, end = scenario.period
    if end <= start:
        raise fail(f"--runs: {case} has no period to run (allowed: a case with 'period: "
                   "{start: YEAR, end: YEAR}')")
    seed = new_seed() if seed is None else seed
    method = method or "lhs"
    chunk = chunk or DEFAULT_CHUNK
    store = None
    if store_path is not None:
        from blocs.ensemble.store import Store, StoreError, StoreMeta

        plan = compile_plan(scenario, until)
        meta = StoreMeta(case=scenario.case_id, case_sha256=case_checksum(case),
                         seed=seed, method=method, runs=runs, chunk=chunk,
                         inputs=tuple(u.name for u in uncertainties(scenario)),
                         years=tuple(int(y) for y in plan.years),
                         outcomes=tuple(outcome_names(plan)), blocs_version=__version__)
        try:
            store = Store.open(store_path, meta, resume)
        except StoreError as exc:
            raise fail(exc.line) from None
    try:
        with progress_bar(), _cluster(scheduler) as client:
            ens = run_ensemble(scenario, runs, seed, method, chunk=chunk, store=store,
                               scheduler=client, until=until)
        if store is not None and export is not None:
            export.mkdir(parents=True, exist_ok=True)
            store.export_parquet(export)
        return ens
    except KeyboardInterrupt:
        done = len(store.done_chunks()) if store is not None else 0
        where = (f"{done} of {math.ceil(runs / chunk)} chunks are in {store_path}; repeat the "
                 "command with --resume to finish" if store is not None
                 else "nothing was kept (allowed: --store FILE to keep the runs as they end)")
        raise fail(f"interrupted: {where}", code=130) from None
    except ValueError as exc:
        raise fail(f"{scenario.label}: {exc}") from None
    except Exception as exc:
        from blocs.ensemble.store import StoreError

        if isinstance(exc, StoreError):  # the store could not be written: output, exit 1
            raise fail(exc.line, code=1) from None
        raise
    finally:
        if store is not None:
            store.close()


class _cluster:
    """The Dask client of ``--scheduler`` (None: run here); one line, exit 2, when the
    scheduler cannot be reached."""

    def __init__(self, address: str | None):
        self.address = address
        self.context: Any = None

    def __enter__(self) -> Any:
        if self.address is None:
            return None
        from blocs.ensemble.cluster import connect

        self.context = connect(self.address)
        try:
            return self.context.__enter__()
        except (OSError, TimeoutError, ValueError) as exc:
            raise fail(f"--scheduler: cannot reach '{self.address}': {exc} (allowed: local, "
                       "or the address of a running Dask scheduler, tcp://HOST:8786)") from None

    def __exit__(self, *exc: Any) -> None:
        if self.context is not None:
            self.context.__exit__(*exc)


def ensemble_dict(scenario: Any, ens: Any) -> dict[str, Any]:
    """The keys ``--runs`` adds to the JSON (docs/json-output.md)."""
    from blocs.ensemble.summary import event_probabilities, quantiles

    q = quantiles(ens.outcomes, ens.years, ens.names)
    ev = event_probabilities(scenario, ens.outcomes, ens.years, ens.names)
    return {"runs": ens.runs, "seed": ens.seed, "method": ens.method,
            "resumed": ens.resumed, "inputs": list(ens.input_names),
            "outcomes": q.to_dict(orient="records"), "events": ev.to_dict(orient="records")}


def print_ensemble(scenario: Any, ens: Any, case: str) -> None:
    """Fans of the issue outcomes and the pillars (median, 80% band), then the events."""
    from blocs.ensemble.summary import event_probabilities, quantiles

    out = console()
    q = quantiles(ens.outcomes, ens.years, ens.names).set_index(["name", "year"])
    shown = [n for n in ens.names if n.startswith("outcome/")] + ["pillars"]
    resumed = f"; {ens.resumed} read back from the store" if ens.resumed else ""
    t = table(f"Ensemble of {ens.runs:,} runs ({ens.method}, seed {ens.seed}{resumed}): median "
              "and 80% band (q10-q90) by year", ("year", "right"),
              *[(n.removeprefix("outcome/"), "right") for n in shown])
    for y in ens.years:
        t.add_row(str(int(y)), *[_band(q.loc[(n, int(y))], n) for n in shown])
    out.print(t)
    ev = event_probabilities(scenario, ens.outcomes, ens.years, ens.names)
    if len(ev):
        t = table("Events", "event", ("probability", "right"))
        for row in ev.itertuples(index=False):
            t.add_row(row.event, "-" if math.isnan(row.probability)
                      else f"{row.probability:.1%}")
        out.print(t)
    show = case if case == scenario.case_id else shlex.quote(case)
    out.print(f"Inputs sampled: {', '.join(ens.input_names) or 'none (chance shocks only)'}; "
              f"'blocs run {show} --runs {ens.runs} --seed {ens.seed}' repeats it.")


def _band(row: Any, name: str) -> str:
    digits = 2 if name.startswith("pillars") else 1
    if math.isnan(row["median"]):
        return "-"
    return (f"{row['median']:.{digits}f} ({row['q10']:.{digits}f}-{row['q90']:.{digits}f})")


def write_ensemble(out_dir: Path, scenario: Any, ens: Any, store_path: Path | None) -> None:
    """``--out`` with ``--runs``: the summary as CSV and Parquet, and (without a store, whose
    own export `run_ensemble_command` wrote) every run as Parquet."""
    import os
    import tempfile

    import numpy as np
    import pandas as pd

    from blocs.ensemble.summary import event_probabilities, quantiles

    out_dir.mkdir(parents=True, exist_ok=True)
    q = quantiles(ens.outcomes, ens.years, ens.names)
    ev = event_probabilities(scenario, ens.outcomes, ens.years, ens.names)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".blocs-") as tmp:
        staged = []
        for name, frame in (("ensemble_outcomes", q), ("ensemble_events", ev)):
            for ext in ("csv", "parquet"):
                path = Path(tmp) / f"{name}.{ext}"
                (frame.to_csv(path, index=False) if ext == "csv"
                 else frame.to_parquet(path, index=False))
                staged.append(path)
        if store_path is None:  # the runs themselves, as the store would hold them
            runs = pd.DataFrame(ens.inputs, columns=ens.input_names)
            runs.insert(0, "run", np.arange(ens.runs))
            path = Path(tmp) / "experiments.parquet"
            runs.to_parquet(path, index=False)
            staged.append(path)
            n, y, o = ens.outcomes.shape
            long = pd.DataFrame({
                "run": np.repeat(np.arange(n), y * o),
                "year": np.tile(np.repeat(np.asarray(ens.years, dtype=np.int16), o), n),
                "name": pd.Categorical.from_codes(np.tile(np.arange(o), n * y),
                                                  categories=ens.names),
                "value": ens.outcomes.reshape(-1)})
            path = Path(tmp) / "outcomes.parquet"
            long.to_parquet(path, index=False)
            staged.append(path)
        for path in staged:
            os.replace(path, out_dir / path.name)

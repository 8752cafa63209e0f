"""``blocs run CASE --runs N``: the JSON keys, the store and --resume after a real kill, the
Dask scheduler option, and the one-line errors of the ensemble's options (docs/ensembles.md,
docs/store.md)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from tests.cli_helpers import invoke, json_of, one_error
from tests.conftest import _cli_env


def ensemble_json(*args) -> dict:
    return json_of("run", *args)








def test_runs_json_adds_runs_seed_outcomes_events():
    doc = ensemble_json("serbia-2024", "--runs", "300", "--seed", "4", "--until", "2030")
    assert doc["runs"] == 300 and doc["seed"] == 4 and doc["method"] == "lhs"
    assert "forecasts" in doc and "leverage" in doc  # the balance sheet is still there
    row = doc["outcomes"][0]
    assert list(row) == ["name", "year", "median", "q025", "q10", "q25", "q75", "q90", "q975"]
    assert {r["year"] for r in doc["outcomes"]} == set(range(2024, 2031))
    for r in doc["outcomes"]:  # quantiles in order wherever defined
        qs = [r[k] for k in ("q025", "q10", "q25", "median", "q75", "q90", "q975")]
        if None not in qs:
            assert qs == sorted(qs), r
    events = {e["name"]: e for e in doc["events"]}
    assert set(events) == {"east_2030", "two_pillars_2035", "sanctions_joined"}
    assert all(0 <= e["probability"] <= 1 for e in events.values()
               if e["probability"] is not None)
    assert doc["inputs"][0] == "gas_share"
    # The same seed: the same numbers; another seed: another ensemble.
    again = ensemble_json("serbia-2024", "--runs", "300", "--seed", "4", "--until", "2030")
    assert again["outcomes"] == doc["outcomes"]
    other = ensemble_json("serbia-2024", "--runs", "300", "--seed", "5", "--until", "2030")
    assert other["outcomes"] != doc["outcomes"]


def test_runs_table_and_out(tmp_path):
    out = tmp_path / "res"
    result = invoke("run", "serbia-2024", "--runs", "200", "--seed", "1", "--until", "2027",
                    "--out", out)
    assert result.exit_code == 0, result.output
    assert "Ensemble of 200 runs (lhs, seed 1)" in result.stdout
    assert "alignment above 60 in 2030" in result.stdout
    import pandas as pd

    exp = pd.read_parquet(out / "experiments.parquet")
    assert len(exp) == 200 and exp.columns[0] == "run"
    outs = pd.read_parquet(out / "outcomes.parquet")
    assert len(outs) == 200 * 4 * outs["name"].nunique()
    q = pd.read_csv(out / "ensemble_outcomes.csv")
    assert set(q.columns) >= {"name", "year", "median", "q10", "q90"}


@pytest.mark.parametrize(("args", "fragments"), [
    (("--runs", "0"), ("--runs: 0 is out of range", "(allowed: 1 to 1,000,000)")),
    (("--store", "x.duckdb"), ("--store: only with --runs N",)),
    (("--runs", "10", "--method", "grid"), ("--method: unknown method 'grid'",
                                            "(allowed: lhs, sobol)")),
    (("--runs", "10", "--resume"), ("--resume: needs the store",)),
    (("--runs", "10", "--chunk", "0"), ("--chunk: 0 is out of range",)),
    (("--runs", "10", "--year", "2024"), ("--runs: an ensemble runs the case's period",)),
    (("--runs", "10", "--until", "2050"), ("--until: 2050 is outside the case's period",)),
])
def test_option_errors(args, fragments):
    one_error(invoke("run", "serbia-2024", *args), *fragments)


def test_unreachable_scheduler_one_line():
    one_error(invoke("run", "serbia-2024", "--runs", "10", "--scheduler", "tcp://127.0.0.1:9"),
              "--scheduler: cannot reach 'tcp://127.0.0.1:9'")


def test_store_refuses_another_seed(tmp_path):
    store = tmp_path / "runs.duckdb"
    assert invoke("run", "serbia-2024", "--runs", "50", "--seed", "1", "--until", "2026",
                  "--store", store).exit_code == 0
    one_error(invoke("run", "serbia-2024", "--runs", "50", "--seed", "2", "--until", "2026",
                     "--store", store, "--resume"), "seed 1; this run is seed 2")
    one_error(invoke("run", "serbia-2024", "--runs", "50", "--seed", "1", "--until", "2026",
                     "--store", store), "(allowed: --resume to finish it, or a new file)")
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM experiments").fetchall()[0][0] == 50


def test_resume_after_a_kill_equals_an_uninterrupted_run(tmp_path):
    """A real `blocs run --store` process killed (SIGKILL) mid-way; --resume runs only the
    missing chunks, and the answers equal an uninterrupted run's with the same seed."""
    args = ["run", "serbia-2024", "--runs", "40000", "--seed", "5", "--chunk", "500",
            "--until", "2029", "--json"]
    store = tmp_path / "killed.duckdb"
    proc = subprocess.Popen([sys.executable, "-m", "blocs.cli", *args, "--store", str(store)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=_cli_env())
    try:
        # Wait until some chunks are committed (the file and its log grow), then kill.
        deadline = time.monotonic() + 60
        wal = store.with_name(store.name + ".wal")
        while time.monotonic() < deadline and proc.poll() is None:
            size = sum(p.stat().st_size for p in (store, wal) if p.exists())
            if size > 3_000_000:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the run ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    resumed = ensemble_json(*args[1:-1], "--store", store, "--resume")
    assert 0 < resumed["resumed"] < 40000, resumed["resumed"]
    assert resumed["resumed"] % 500 == 0  # whole chunks only
    whole = ensemble_json(*args[1:-1])
    assert resumed["outcomes"] == whole["outcomes"]
    assert resumed["events"] == whole["events"]
    with duckdb.connect(str(store), read_only=True) as con:
        n, distinct = con.execute(
            "SELECT count(*), count(DISTINCT run) FROM experiments").fetchall()[0]
    assert n == distinct == 40000  # none lost, none twice

"""The results store (src/blocs/ensemble/store.py, docs/store.md): chunks stored whole or not
at all, resume, refusals in one line, and a file that plain DuckDB and pandas read."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from blocs.ensemble import store as store_module
from blocs.ensemble.store import Store, StoreError, StoreMeta

DOCS = Path(__file__).resolve().parents[1] / "docs"
YEARS = (2024, 2025, 2026, 2027)
NAMES = ("outcome/alignment", "pillars", "bloc/West")
META = StoreMeta(
    case="serbia-2024", case_sha256="3f1c0e9a2b7d" + "0" * 52, seed=7, method="lhs",
    runs=10, chunk=4, inputs=("gas_tie", "kosovo.chance-2"), years=YEARS, outcomes=NAMES,
    blocs_version="0.1.0")
# Chunks of 4 runs: 0-3, 4-7, and the last one 8-9.
CHUNKS = {0: range(0, 4), 1: range(4, 8), 2: range(8, 10)}


def data(runs: range, n_inputs: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and outcomes that name their own run, year and outcome, with some NaN: what
    comes back can be checked cell by cell against numbers built here."""
    r = np.asarray(runs, dtype=float)
    inputs = np.stack([r * 10 + j + 0.25 for j in range(n_inputs)], axis=1)
    outcomes = (r[:, None, None] * 1000 + np.arange(len(YEARS))[None, :, None] * 10
                + np.arange(len(NAMES))[None, None, :] + 0.5)
    outcomes[r % 3 == 0, 1, 2] = np.nan  # runs 0, 3, 6, 9 have no bloc/West in 2025
    return inputs, outcomes


def write(store: Store, chunks=CHUNKS) -> None:
    for chunk in chunks:
        store.write_chunk(chunk, CHUNKS[chunk].start, *data(CHUNKS[chunk]))


def one_line(error: StoreError, path: Path) -> str:
    line = error.line
    assert "\n" not in line and line == str(error)
    assert line.startswith(f"{path}: ") and "(allowed: " in line and line.endswith(")")
    return line


def rows(path: Path, query: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def test_three_chunks_resumed_and_read_back(tmp_path):
    path = tmp_path / "ensemble.duckdb"
    with Store.open(path, META, resume=False) as store:
        assert store.done_chunks() == set()
        write(store)
    with Store.open(path, META, resume=True) as store:
        assert store.done_chunks() == {0, 1, 2}
        got = store.read_outcomes()
        inputs = store.read_inputs()
    want = np.concatenate([data(r)[1] for r in CHUNKS.values()])
    assert got.shape == (10, 4, 3) and got.dtype == np.float64
    np.testing.assert_array_equal(got, want)  # exact, NaN where NaN was written
    assert np.isnan(got[[0, 3, 6, 9], 1, 2]).all() and np.isnan(got).sum() == 4
    assert list(inputs.columns) == ["run", "gas_tie", "kosovo.chance-2"]
    assert inputs["run"].tolist() == list(range(10))
    np.testing.assert_array_equal(inputs[["gas_tie", "kosovo.chance-2"]].to_numpy(),
                                  np.concatenate([data(r)[0] for r in CHUNKS.values()]))


def test_chunks_with_a_gap_read_back_in_run_order(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store.open(path, META, resume=False) as store:
        write(store, chunks=[2, 0])  # written out of order, chunk 1 missing
        got = store.read_outcomes()
        assert store.read_inputs()["run"].tolist() == [0, 1, 2, 3, 8, 9]
        assert store.done_chunks() == {0, 2}
    np.testing.assert_array_equal(got, np.concatenate([data(CHUNKS[0])[1],
                                                       data(CHUNKS[2])[1]]))


def test_a_new_store_without_runs_reads_back_empty(tmp_path):
    with Store.open(tmp_path / "s.duckdb", META, resume=False) as store:
        assert store.read_outcomes().shape == (0, 4, 3)
        assert list(store.read_inputs().columns) == ["run", "gas_tie", "kosovo.chance-2"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.duckdb"]  # no temporary left


def test_a_store_made_with_another_seed_is_refused(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store.open(path, META, resume=False) as store:
        write(store, chunks=[0])
    with pytest.raises(StoreError) as caught:
        Store.open(path, dataclasses.replace(META, seed=8), resume=True)
    line = one_line(caught.value, path)
    assert "made by case serbia-2024 (sha256 3f1c0e9a2b7d…), seed 7; this run is seed 8" in line
    assert "--resume, or a new file" in line
    assert rows(path, "SELECT count(*) FROM experiments") == [(4,)]  # left as it was


def test_a_store_of_another_case_text_is_refused(tmp_path):
    path = tmp_path / "s.duckdb"
    Store.open(path, META, resume=False).close()
    other = dataclasses.replace(META, case_sha256="9" * 64, years=(2024, 2030))
    with pytest.raises(StoreError) as caught:
        Store.open(path, other, resume=True)
    line = one_line(caught.value, path)
    assert "sha256 3f1c0e9a2b7d…), seed 7, years 2024-2027; this run is" in line
    assert "case serbia-2024 (sha256 999999999999…), years 2024, 2030" in line
    assert "seed 8" not in line


@pytest.mark.parametrize("field, value, words", [
    ("method", "sobol", "this run is method sobol"),
    ("runs", 20, "this run is 20 runs"),
    ("chunk", 5, "this run is chunks of 5 runs"),
    ("inputs", ("gas_tie",), "this run is inputs gas_tie"),
    ("outcomes", ("pillars",), "this run is outcomes pillars"),
])
def test_every_other_difference_is_named(tmp_path, field, value, words):
    path = tmp_path / "s.duckdb"
    Store.open(path, META, resume=False).close()
    with pytest.raises(StoreError) as caught:
        Store.open(path, dataclasses.replace(META, **{field: value}), resume=True)
    assert words in one_line(caught.value, path)


def test_another_blocs_version_may_resume(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store.open(path, META, resume=False) as store:
        write(store, chunks=[0])
    with Store.open(path, dataclasses.replace(META, blocs_version="0.2.0"), True) as store:
        assert store.done_chunks() == {0}


def test_an_existing_store_with_chunks_needs_resume(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store.open(path, META, resume=False) as store:
        write(store, chunks=[0])
    with pytest.raises(StoreError) as caught:
        Store.open(path, META, resume=False)
    assert one_line(caught.value, path) == (
        f"{path}: already holds 1 of 3 chunks of this ensemble "
        "(allowed: --resume to finish it, or a new file)")
    assert rows(path, "SELECT chunk FROM chunks") == [(0,)]


def test_an_existing_store_without_chunks_opens_without_resume(tmp_path):
    path = tmp_path / "s.duckdb"
    Store.open(path, META, resume=False).close()
    with Store.open(path, META, resume=False) as store:
        write(store, chunks=[1])
        assert store.done_chunks() == {1}


def test_an_error_mid_transaction_leaves_no_row_of_the_chunk(tmp_path, monkeypatch):
    path = tmp_path / "s.duckdb"
    store = Store.open(path, META, resume=False)
    write(store, chunks=[0])

    def fail(self, chunk, runs):  # after the experiments and outcomes rows went in
        raise RuntimeError("injected")

    monkeypatch.setattr(Store, "_insert_chunk_row", fail)
    with pytest.raises(RuntimeError, match="injected"):
        write(store, chunks=[1])
    monkeypatch.undo()
    assert store.done_chunks() == {0}
    assert store.read_inputs()["run"].tolist() == [0, 1, 2, 3]
    np.testing.assert_array_equal(store.read_outcomes(), data(CHUNKS[0])[1])
    write(store, chunks=[1])  # the chunk can be written again, once
    store.close()
    assert rows(path, "SELECT count(*), count(DISTINCT run) FROM outcomes") == [(96, 8)]


def test_a_process_killed_mid_chunk_leaves_no_row_of_it(tmp_path):
    path = tmp_path / "s.duckdb"
    # The child writes chunk 0, then dies (no rollback, no close) after inserting the
    # experiments and outcomes rows of chunk 1 but before its chunks row and COMMIT.
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_store import META, CHUNKS, data
        from blocs.ensemble.store import Store
        store = Store.open({str(path)!r}, META, resume=False)
        store.write_chunk(0, 0, *data(CHUNKS[0]))
        Store._insert_chunk_row = lambda self, chunk, runs: os._exit(9)
        store.write_chunk(1, 4, *data(CHUNKS[1]))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 9, done.stderr
    with Store.open(path, META, resume=True) as store:
        assert store.done_chunks() == {0}
        assert store.read_inputs()["run"].tolist() == [0, 1, 2, 3]
        np.testing.assert_array_equal(store.read_outcomes(), data(CHUNKS[0])[1])
        write(store, chunks=[1, 2])
        np.testing.assert_array_equal(
            store.read_outcomes(), np.concatenate([data(r)[1] for r in CHUNKS.values()]))


def test_outcomes_of_the_wrong_shape_write_nothing(tmp_path):
    with Store.open(tmp_path / "s.duckdb", META, resume=False) as store:
        inputs, outcomes = data(CHUNKS[0])
        with pytest.raises(ValueError, match=r"outcomes of chunk 0 have shape \(4, 4, 2\)"):
            store.write_chunk(0, 0, inputs, outcomes[:, :, :2])
        with pytest.raises(ValueError, match="starts at run 4, not 0"):
            store.write_chunk(1, 0, inputs, outcomes)
        write(store, chunks=[0])
        with pytest.raises(ValueError, match="chunk 0 is already stored"):
            write(store, chunks=[0])
        assert store.read_inputs()["run"].tolist() == [0, 1, 2, 3]


def test_a_file_that_is_not_duckdb_is_refused_and_kept(tmp_path):
    path = tmp_path / "results.duckdb"
    path.write_text("run,value\n1,2\n")
    with pytest.raises(StoreError) as caught:
        Store.open(path, META, resume=True)
    assert "is not a DuckDB database" in one_line(caught.value, path)
    assert path.read_text() == "run,value\n1,2\n"


def test_a_duckdb_file_without_the_tables_is_refused(tmp_path):
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE runs_meta (key VARCHAR, value VARCHAR)")
    con.execute("CREATE TABLE prices (day DATE, price DOUBLE)")
    con.close()
    with pytest.raises(StoreError) as caught:
        Store.open(path, META, resume=True)
    assert "a DuckDB file without the table outcomes" in one_line(caught.value, path)
    assert rows(path, "SELECT count(*) FROM prices") == [(0,)]


def test_tables_that_disagree_are_refused(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store.open(path, META, resume=False) as store:
        write(store, chunks=[0])
    con = duckdb.connect(str(path))
    con.execute("DELETE FROM outcomes WHERE run = 3")
    con.close()
    with pytest.raises(StoreError) as caught:
        Store.open(path, META, resume=True)
    assert "its chunks list 4 runs, experiments holds 4 and outcomes 36 rows (12 per run)" in (
        one_line(caught.value, path))


def test_a_store_in_use_by_another_process_is_refused(tmp_path):
    path = tmp_path / "s.duckdb"
    Store.open(path, META, resume=False).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
         "print('open', flush=True); sys.stdin.read()", str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreError) as caught:
            Store.open(path, META, resume=True)
        assert "is in use by another process" in one_line(caught.value, path)
    finally:
        holder.communicate("", timeout=60)


@pytest.mark.parametrize("inputs, words", [
    (("gas", "Run"), "an input is named run"),
    (("gas", "GAS"), "not distinct ignoring case"),
])
def test_input_ids_the_table_cannot_hold_are_refused(tmp_path, inputs, words):
    path = tmp_path / "s.duckdb"
    with pytest.raises(StoreError) as caught:
        Store.open(path, dataclasses.replace(META, inputs=inputs), resume=False)
    assert words in one_line(caught.value, path)
    assert not path.exists()


def test_parquet_export_reads_back_in_pandas(tmp_path):
    path = tmp_path / "s.duckdb"
    out = tmp_path / "results"
    with Store.open(path, META, resume=False) as store:
        write(store)
        written = store.export_parquet(out)
    assert written == [out / "experiments.parquet", out / "outcomes.parquet",
                       out / "runs.parquet"]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)

    experiments = pd.read_parquet(out / "experiments.parquet")
    assert list(experiments.columns) == ["run", "gas_tie", "kosovo.chance-2"]
    np.testing.assert_array_equal(experiments.iloc[:, 1:].to_numpy(),
                                  np.concatenate([data(r)[0] for r in CHUNKS.values()]))

    outcomes = pd.read_parquet(out / "outcomes.parquet")
    assert list(outcomes.columns) == ["run", "year", "name", "value"]
    want = np.concatenate([data(r)[1] for r in CHUNKS.values()])
    # Long rows, by run, year and outcome in runs_meta order: the array flattened.
    assert outcomes["run"].tolist() == list(np.repeat(np.arange(10), 12))
    assert outcomes["year"].tolist() == list(np.tile(np.repeat(YEARS, 3), 10))
    assert outcomes["name"].tolist() == list(NAMES) * 40
    np.testing.assert_array_equal(outcomes["value"].to_numpy(dtype=float), want.reshape(-1))
    assert outcomes["value"].isna().sum() == 4

    meta = pd.read_parquet(out / "runs.parquet").set_index("key")["value"]
    assert meta["seed"] == "7" and meta["case"] == "serbia-2024"
    assert meta["inputs"] == '["gas_tie", "kosovo.chance-2"]'
    assert meta["years"] == "[2024, 2025, 2026, 2027]"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", meta["created"])


def test_a_failed_export_keeps_the_earlier_file_whole(tmp_path, monkeypatch):
    path = tmp_path / "s.duckdb"
    out = tmp_path / "results"
    with Store.open(path, META, resume=False) as store:
        write(store, chunks=[0])
        store.export_parquet(out)
        before = (out / "outcomes.parquet").read_bytes()
        write(store, chunks=[1])
        real = os.replace

        def fail_outcomes(src, dst):
            if Path(dst).name == "outcomes.parquet":
                raise OSError(28, "No space left on device")
            real(src, dst)

        monkeypatch.setattr(store_module.os, "replace", fail_outcomes)
        with pytest.raises(StoreError) as caught:
            store.export_parquet(out)
    line = one_line(caught.value, out / "outcomes.parquet")
    assert "No space left on device" in line
    assert (out / "outcomes.parquet").read_bytes() == before
    assert len(pd.read_parquet(out / "experiments.parquet")) == 8  # the one before: new
    assert sorted(p.name for p in out.iterdir()) == [
        "experiments.parquet", "outcomes.parquet", "runs.parquet"]  # no temporary left


def test_plain_duckdb_sql_reads_the_store(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store.open(path, META, resume=False) as store:
        write(store)
    assert rows(path, "SELECT count(*) FROM outcomes") == [(10 * 4 * 3,)]
    assert rows(path, "SELECT count(*) - count(value) FROM outcomes") == [(4,)]
    # Run 5, year 2026, pillars: 5 * 1000 + 2 * 10 + 1 + 0.5 by the construction of data().
    assert rows(path, "SELECT value FROM outcomes WHERE run = 5 AND year = 2026"
                      " AND name = 'pillars'") == [(5021.5,)]
    assert rows(path, 'SELECT "kosovo.chance-2" FROM experiments WHERE run = 9') == [(91.25,)]
    assert rows(path, "SELECT chunk, first_run, runs FROM chunks ORDER BY chunk") == [
        (0, 0, 4), (1, 4, 4), (2, 8, 2)]
    assert rows(path, "SELECT typeof(year), typeof(run) FROM outcomes LIMIT 1") == [
        ("SMALLINT", "BIGINT")]


def test_a_chunk_of_two_million_outcome_rows_inserts_quickly(tmp_path):
    meta = dataclasses.replace(META, runs=10_000, chunk=10_000, years=tuple(range(2024, 2036)),
                               outcomes=tuple(f"outcome/o{k}" for k in range(20)))
    rng = np.random.default_rng(1)
    outcomes = rng.random((10_000, 12, 20))
    with Store.open(tmp_path / "s.duckdb", meta, resume=False) as store:
        start = time.perf_counter()
        store.write_chunk(0, 0, rng.random((10_000, 2)), outcomes)
        elapsed = time.perf_counter() - start
        np.testing.assert_array_equal(store.read_outcomes(), outcomes)
    assert elapsed < 3.0, elapsed  # about 0.2 s on a laptop: the Arrow path, not row by row


def test_the_documented_queries_run(tmp_path, monkeypatch):
    """Every SQL and Python block of docs/store.md runs on a store of the shape it shows."""
    monkeypatch.chdir(tmp_path)
    meta = dataclasses.replace(META, runs=40, chunk=40, inputs=("gas_tie",))
    rng = np.random.default_rng(3)
    gas = rng.random((40, 1))
    outcomes = rng.random((40, 4, 3)) * 100
    with Store.open("ensemble.duckdb", meta, resume=False) as store:
        store.write_chunk(0, 0, gas, outcomes)
        store.export_parquet("results")
    text = (DOCS / "store.md").read_text()
    queries = re.findall(r"```sql\n(.*?)```", text, re.S)
    assert len(queries) == 3
    con = duckdb.connect("ensemble.duckdb", read_only=True)
    results = [con.execute(q).fetchall() for q in queries]
    con.close()
    # The quantiles by year, against NumPy's linear interpolation (quantile_cont's too).
    assert [r[0] for r in results[0]] == list(YEARS)
    np.testing.assert_allclose([r[1:] for r in results[0]],
                               np.quantile(outcomes[:, :, 0], [0.1, 0.5, 0.9], axis=0).T)
    assert results[1] == [(r, gas[r, 0], outcomes[r, 3, 0]) for r in range(40)]
    high = gas[:, 0] > np.median(gas[:, 0])
    above = outcomes[:, 3, 0] > 50
    assert results[2] == [(False, pytest.approx(above[~high].mean()), int((~high).sum())),
                          (True, pytest.approx(above[high].mean()), int(high.sum()))]
    for block in re.findall(r"```python\n(.*?)```", text, re.S):
        scope: dict = {}
        exec(block, scope)
        np.testing.assert_allclose(scope["by_year"]["median"],
                                   np.median(outcomes[:, :, 0], axis=0))
        assert scope["wide"].shape == (160, 3)
        assert scope["inputs"].shape == (40, 1)

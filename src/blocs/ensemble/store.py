"""The results store of an ensemble: one DuckDB database file (docs/store.md).

An ensemble of many runs takes long and may be stopped; its results go, chunk by chunk, into
a file that any DuckDB or pandas session can open.  Each chunk (its inputs, its outcomes and
its row in ``chunks``) is written in one transaction, so a process killed mid-chunk leaves
none of it, and ``--resume`` redoes exactly the chunks that ``chunks`` does not list.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa


class StoreError(Exception):
    """A store that cannot be opened, resumed or written; ``line`` is the one-line message
    ``FILE: what is wrong (allowed: ...)``."""

    def __init__(self, line: str):
        super().__init__(line)
        self.line = line


@dataclass(frozen=True)
class StoreMeta:
    """What an ensemble is: the file's ``runs_meta`` table holds every field."""

    case: str
    case_sha256: str
    seed: int
    method: str
    runs: int
    chunk: int
    inputs: tuple[str, ...]
    years: tuple[int, ...]
    outcomes: tuple[str, ...]
    blocs_version: str

    def chunk_count(self) -> int:
        return math.ceil(self.runs / self.chunk)

    def chunk_runs(self, chunk: int) -> range:
        """The run numbers of ``chunk``: run r is always in chunk r // self.chunk."""
        first = chunk * self.chunk
        return range(first, min(first + self.chunk, self.runs))


#: The fields a resumed ensemble must share with the file; blocs_version may differ (a fix
#: of blocs between two sittings), the case id is checked through its text's checksum.
SAME = ("case_sha256", "seed", "method", "runs", "chunk", "inputs", "years", "outcomes")
_LISTS = ("inputs", "years", "outcomes")
_INTS = ("seed", "runs", "chunk")
TABLES = {
    "runs_meta": ["key", "value"],
    "outcomes": ["run", "year", "name", "value"],
    "chunks": ["chunk", "first_run", "runs", "finished"],
    "experiments": ["run"],  # then one column per input, checked against the meta
}
_SCHEMA = (
    "CREATE TABLE runs_meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    "CREATE TABLE outcomes (run BIGINT, year SMALLINT, name VARCHAR, value DOUBLE)",
    "CREATE TABLE chunks (chunk INTEGER PRIMARY KEY, first_run BIGINT, runs INTEGER,"
    " finished TIMESTAMP)",
)
_ALLOWED_NEW = "allowed: the same case and seed with --resume, or a new file"
_ALLOWED_STORE = "allowed: a store written by blocs run --store, or a new file"
_BATCH = 1 << 20  # rows per Arrow batch when reading outcomes back: bounds the memory used


def ident(name: str) -> str:
    """``name`` as a quoted SQL identifier (any text; a double quote doubled).

    >>> ident('tie/RUS/SRB/gas"x')
    '"tie/RUS/SRB/gas""x"'
    """
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """``text`` as an SQL string literal, for the places (COPY) that take no parameters.

    >>> literal("it's")
    "'it''s'"
    """
    return "'" + text.replace("'", "''") + "'"


class Store:
    """An open results store; `Store.open` makes one."""

    def __init__(self, path: Path, meta: StoreMeta, con: duckdb.DuckDBPyConnection):
        self.path = path
        self.meta = meta
        self._con: duckdb.DuckDBPyConnection | None = con

    # -- opening --------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike, meta: StoreMeta, resume: bool) -> Store:
        """The store at ``path`` for the ensemble ``meta``: a new file is created with its
        tables; an existing one must hold the same ensemble, and chunks only with
        ``resume``.  Nothing in an existing file is changed by opening it."""
        path = Path(path)
        _check_meta(path, meta)
        if path.is_dir():
            raise StoreError(f"{path}: is a folder ({_ALLOWED_STORE})")
        if not path.exists():
            _create(path, meta)
        con = _connect(path)
        try:
            store = cls(path, meta, con)
            store._check_existing(resume)
        except BaseException:
            con.close()
            raise
        return store

    def _check_existing(self, resume: bool) -> None:
        have = dict(self._sql(
            "SELECT table_name, list(column_name ORDER BY column_index) FROM duckdb_columns()"
            " WHERE database_name = current_database() AND schema_name = 'main'"
            " GROUP BY table_name").fetchall())
        for table, columns in TABLES.items():
            if table not in have or have[table][:len(columns)] != columns:
                raise StoreError(f"{self.path}: a DuckDB file without the table {table}"
                                 f" ({', '.join(columns)}, ...) ({_ALLOWED_STORE})")
        stored = _read_meta(self.path, dict(self._sql(
            "SELECT key, value FROM runs_meta").fetchall()))
        differ = [f for f in SAME if getattr(stored, f) != getattr(self.meta, f)]
        if differ:
            raise StoreError(f"{self.path}: made by {_describe(stored, differ)}; this run is "
                             f"{_describe(self.meta, differ, always=False)} ({_ALLOWED_NEW})")
        if have["experiments"] != ["run", *self.meta.inputs]:
            raise StoreError(f"{self.path}: its experiments columns do not match its runs_meta "
                             f"inputs ({_ALLOWED_STORE})")
        done = len(self.done_chunks())
        if done and not resume:
            raise StoreError(f"{self.path}: already holds {done} of {self.meta.chunk_count()} "
                             "chunks of this ensemble (allowed: --resume to finish it, "
                             "or a new file)")
        self._check_counts()

    def _check_counts(self) -> None:
        # Cheap counts that a store written only by write_chunk always satisfies: a file
        # edited by hand or by another tool is refused rather than resumed into nonsense.
        chunk_runs, = self._one("SELECT coalesce(sum(runs), 0) FROM chunks")
        runs, = self._one("SELECT count(*) FROM experiments")
        cells, = self._one("SELECT count(*) FROM outcomes")
        per_run = len(self.meta.years) * len(self.meta.outcomes)
        if not (chunk_runs == runs and cells == runs * per_run):
            raise StoreError(f"{self.path}: its chunks list {chunk_runs} runs, experiments "
                             f"holds {runs} and outcomes {cells} rows ({per_run} per run) "
                             f"({_ALLOWED_STORE})")

    # -- writing --------------------------------------------------------------------------

    def done_chunks(self) -> set[int]:
        """The chunks stored in full."""
        return {int(c) for c in self._sql("SELECT chunk FROM chunks").fetchnumpy()["chunk"]}

    def write_chunk(self, chunk: int, first_run: int, inputs: np.ndarray,
                    outcomes: np.ndarray) -> None:
        """Stores chunk ``chunk``: runs ``first_run`` on, their sampled ``inputs`` (n, inputs)
        and ``outcomes`` (n, years, outcomes; NaN stored as NULL), all or nothing."""
        meta = self.meta
        inputs = np.asarray(inputs, dtype=np.float64)
        outcomes = np.asarray(outcomes, dtype=np.float64)
        if not 0 <= chunk < meta.chunk_count():
            raise ValueError(f"chunk {chunk} is not one of the {meta.chunk_count()} chunks")
        runs = meta.chunk_runs(chunk)
        n = len(runs)
        if first_run != runs.start:
            raise ValueError(f"chunk {chunk} starts at run {runs.start}, not {first_run}")
        if inputs.shape != (n, len(meta.inputs)):
            raise ValueError(f"inputs of chunk {chunk} have shape {inputs.shape}, "
                             f"not {(n, len(meta.inputs))}")
        shape = (n, len(meta.years), len(meta.outcomes))
        if outcomes.shape != shape:
            raise ValueError(f"outcomes of chunk {chunk} have shape {outcomes.shape}, "
                             f"not {shape}")
        if chunk in self.done_chunks():
            raise ValueError(f"chunk {chunk} is already stored")
        con = self._connection()
        try:
            con.execute("BEGIN TRANSACTION")
            try:
                self._insert_experiments(runs, inputs)
                self._insert_outcomes(runs, outcomes)
                self._insert_chunk_row(chunk, runs)
                con.execute("COMMIT")
            except BaseException:
                # Even an interrupt (Ctrl-C) takes the whole chunk back out; an error in the
                # rollback itself must not hide the one that caused it.
                with contextlib.suppress(duckdb.Error):
                    con.execute("ROLLBACK")
                raise
        except duckdb.Error as error:
            raise StoreError(f"{self.path}: could not write chunk {chunk}: "
                             f"{_first_line(error)} (allowed: a writable file with free space; "
                             "--resume redoes this chunk)") from error

    def _insert_experiments(self, runs: range, inputs: np.ndarray) -> None:
        columns = {"run": np.arange(runs.start, runs.stop, dtype=np.int64)}
        for j in range(inputs.shape[1]):
            columns[f"x{j}"] = _nullable(inputs[:, j])
        # Generic Arrow names and positional SELECT: the input ids never reach the SQL text.
        self._insert("experiments", pa.table(columns))

    def _insert_outcomes(self, runs: range, outcomes: np.ndarray) -> None:
        n, n_years, n_names = outcomes.shape
        per_run = n_years * n_names
        names = pa.DictionaryArray.from_arrays(
            pa.array(np.tile(np.arange(n_names, dtype=np.int32), n * n_years)),
            pa.array(self.meta.outcomes, type=pa.string()))
        table = pa.table({
            "run": np.repeat(np.arange(runs.start, runs.stop, dtype=np.int64), per_run),
            "year": np.tile(np.repeat(np.asarray(self.meta.years, dtype=np.int16), n_names), n),
            "name": names,  # a dictionary column: n_names strings, not one per row
            "value": _nullable(outcomes.reshape(-1)),
        })
        self._insert("outcomes", table, "run, year, CAST(name AS VARCHAR), value")

    def _insert_chunk_row(self, chunk: int, runs: range) -> None:
        finished = datetime.now(UTC).replace(tzinfo=None)
        self._connection().execute("INSERT INTO chunks VALUES (?, ?, ?, ?)",
                                    [chunk, runs.start, len(runs), finished])

    def _insert(self, table: str, data: pa.Table, select: str = "*") -> None:
        con = self._connection()
        view = f"_blocs_chunk_{table}"
        con.register(view, data)
        try:
            con.execute(f"INSERT INTO {table} SELECT {select} FROM {view}")
        finally:
            con.unregister(view)

    # -- reading --------------------------------------------------------------------------

    def run_numbers(self) -> np.ndarray:
        """The runs stored, ascending (int64)."""
        return self._sql("SELECT run FROM experiments ORDER BY run").fetchnumpy()["run"]

    def read_outcomes(self) -> np.ndarray:
        """(runs stored, years, outcomes) float64, runs ascending, NaN where NULL."""
        meta = self.meta
        runs = np.asarray(self.run_numbers(), dtype=np.int64)
        out = np.full((len(runs), len(meta.years), len(meta.outcomes)), np.nan)
        # Each row is scattered into place by its indices: no sort of the whole table and
        # no Python object per row, in batches of _BATCH rows.
        reader = self._sql(
            "SELECT run, coalesce(list_position($years, year), 0) - 1 AS y,"
            " coalesce(list_position($names, name), 0) - 1 AS k,"
            " coalesce(value, 'NaN'::DOUBLE) AS v FROM outcomes",
            params={"years": list(meta.years), "names": list(meta.outcomes)},
        ).to_arrow_reader(_BATCH)
        seen = 0
        for batch in reader:
            if batch.num_rows == 0:
                continue
            run, y, k, v = (batch.column(i).to_numpy() for i in range(4))
            r = np.searchsorted(runs, run)
            if (y.min() < 0 or k.min() < 0 or r.max() >= len(runs)
                    or not np.array_equal(runs[r], run)):
                raise StoreError(f"{self.path}: outcomes holds a run, year or name that its "
                                 f"experiments and runs_meta do not ({_ALLOWED_STORE})")
            out[r, y, k] = v
            seen += len(v)
        if seen != out.size:
            raise StoreError(f"{self.path}: outcomes holds {seen} rows, not {out.size} "
                             f"({_ALLOWED_STORE})")
        return out

    def read_inputs(self) -> pd.DataFrame:
        """``run`` and one column per input, runs ascending."""
        return self._sql("SELECT * FROM experiments ORDER BY run").df()

    def export_parquet(self, folder: str | os.PathLike) -> list[Path]:
        """experiments.parquet, outcomes.parquet and runs.parquet (``runs_meta``) in
        ``folder``; each file appears whole or not at all."""
        folder = Path(folder)
        order = "[" + ", ".join(literal(name) for name in self.meta.outcomes) + "]"
        queries = {
            "experiments.parquet": "SELECT * FROM experiments ORDER BY run",
            "outcomes.parquet": "SELECT * FROM outcomes ORDER BY run, year,"
                                f" list_position({order}, name)",
            "runs.parquet": "SELECT * FROM runs_meta ORDER BY key",
        }
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"{folder}: cannot create the folder: {error.strerror} "
                             "(allowed: a writable folder)") from error
        written = []
        for name, query in queries.items():
            final = folder / name
            temp = folder / f".{name}.{os.getpid()}.tmp"
            try:
                self._connection().execute(
                    f"COPY ({query}) TO {literal(str(temp))} (FORMAT parquet)")
                os.replace(temp, final)
            except (duckdb.Error, OSError) as error:
                with contextlib.suppress(OSError):
                    temp.unlink()
                raise StoreError(f"{final}: could not be written: {_first_line(error)} "
                                 "(allowed: a writable folder with free space)") from error
            except BaseException:
                with contextlib.suppress(OSError):
                    temp.unlink()
                raise
            written.append(final)
        return written

    # -- plumbing -------------------------------------------------------------------------

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            raise ValueError(f"the store {self.path} is closed")
        return self._con

    def _one(self, query: str) -> tuple:
        return self._connection().execute(query).fetchall()[0]

    def _sql(self, query: str, params: dict | None = None) -> duckdb.DuckDBPyRelation:
        return self._connection().sql(query, params=params)


# -- files and meta ------------------------------------------------------------------------


def _check_meta(path: Path, meta: StoreMeta) -> None:
    """Refuses an ensemble whose ids or years the tables cannot hold as they are."""
    def bad(what: str, allowed: str) -> StoreError:
        return StoreError(f"{path}: {what} (allowed: {allowed})")

    folded = [name.casefold() for name in meta.inputs]
    # DuckDB column names ignore case, and the first column is the run number.
    if "run" in folded:
        raise bad("an input is named run, the experiments table's run column",
                  "any other input id")
    if any(not name or "\x00" in name for name in meta.inputs) or len(set(folded)) < len(folded):
        raise bad("the input ids are empty or not distinct ignoring case",
                  "distinct non-empty ids")
    if len(set(meta.outcomes)) < len(meta.outcomes):
        raise bad("the outcome names are not distinct", "distinct names")
    if len(set(meta.years)) < len(meta.years) or any(
            not -(2 ** 15) <= y < 2 ** 15 for y in meta.years):
        raise bad("the years are not distinct years", "distinct years, as SMALLINT")
    if meta.runs < 1 or meta.chunk < 1:
        raise bad(f"{meta.runs} runs in chunks of {meta.chunk}", "at least one of each")


def _create(path: Path, meta: StoreMeta) -> None:
    """A new store at ``path``, made under a temporary name and linked into place whole: a
    killed process leaves no half-made store, and a file that appeared meanwhile is kept."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"{path}: cannot create its folder: {error.strerror} "
                         "(allowed: a writable folder)") from error
    temp = path.with_name(f".{path.name}.{os.getpid()}.creating")
    _remove(temp)  # left by a killed process that had this process's id
    try:
        con = duckdb.connect(str(temp))
        try:
            con.execute("BEGIN TRANSACTION")
            for statement in _SCHEMA:
                con.execute(statement)
            columns = "".join(f", {ident(name)} DOUBLE" for name in meta.inputs)
            con.execute(f"CREATE TABLE experiments (run BIGINT PRIMARY KEY{columns})")
            con.executemany("INSERT INTO runs_meta VALUES (?, ?)", _meta_rows(meta))
            con.execute("COMMIT")
        finally:
            con.close()
        try:
            os.link(temp, path)  # fails if path exists: never replaces a file
        except FileExistsError as error:
            raise StoreError(f"{path}: was created by another process meanwhile "
                             f"({_ALLOWED_NEW})") from error
        except OSError:
            if path.exists():
                raise
            os.rename(temp, path)  # a file system without hard links
    except (duckdb.Error, OSError) as error:
        raise StoreError(f"{path}: cannot be created: {_first_line(error)} "
                         "(allowed: a writable folder with free space)") from error
    finally:
        _remove(temp)


def _remove(temp: Path) -> None:
    """Deletes a temporary database and its write-ahead log, if there."""
    for leftover in (temp, temp.with_name(temp.name + ".wal")):
        with contextlib.suppress(OSError):
            leftover.unlink()


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path))
    except duckdb.Error as error:
        message = str(error)
        if "not a valid DuckDB database" in message:
            raise StoreError(f"{path}: is not a DuckDB database ({_ALLOWED_STORE})") from None
        if "lock" in message.lower():
            raise StoreError(f"{path}: is in use by another process (allowed: wait for it to "
                             "finish, or a new file)") from None
        raise StoreError(f"{path}: cannot be opened: {_first_line(error)} "
                         f"({_ALLOWED_STORE})") from None


def _meta_rows(meta: StoreMeta) -> list[tuple[str, str]]:
    rows = []
    for f in fields(StoreMeta):
        value = getattr(meta, f.name)
        rows.append((f.name, json.dumps(list(value)) if f.name in _LISTS else str(value)))
    rows.append(("created", datetime.now(UTC).isoformat(timespec="seconds")))
    return rows


def _read_meta(path: Path, rows: dict[str, str]) -> StoreMeta:
    values = {}
    for f in fields(StoreMeta):
        if f.name not in rows:
            raise StoreError(f"{path}: runs_meta has no {f.name} ({_ALLOWED_STORE})")
        text = rows[f.name]
        try:
            if f.name in _LISTS:
                values[f.name] = tuple(json.loads(text))
            elif f.name in _INTS:
                values[f.name] = int(text)
            else:
                values[f.name] = text
        except (ValueError, TypeError):
            raise StoreError(f"{path}: runs_meta {f.name} is {text!r}, not a "
                             f"{'JSON list' if f.name in _LISTS else 'number'} "
                             f"({_ALLOWED_STORE})") from None
    return StoreMeta(**values)


def _describe(meta: StoreMeta, differ: list[str], always: bool = True) -> str:
    """The ensemble in words: case and seed (``always``), then the fields in ``differ``."""
    parts = []
    if always or "case_sha256" in differ:
        parts.append(f"case {meta.case} (sha256 {meta.case_sha256[:12]}…)")
    if always or "seed" in differ:
        parts.append(f"seed {meta.seed}")
    phrases = {
        "method": lambda: f"method {meta.method}",
        "runs": lambda: f"{meta.runs} runs",
        "chunk": lambda: f"chunks of {meta.chunk} runs",
        "inputs": lambda: "inputs " + _few(meta.inputs),
        "years": lambda: "years " + _years(meta.years),
        "outcomes": lambda: "outcomes " + _few(meta.outcomes),
    }
    parts += [phrase() for name, phrase in phrases.items() if name in differ]
    return ", ".join(parts)


def _few(items: tuple, shown: int = 3) -> str:
    """
    >>> _few(("a", "b", "c", "d", "e"))
    'a, b, c, … (5 in all)'
    >>> _few(())
    '(none)'
    """
    if not items:
        return "(none)"
    head = ", ".join(str(i) for i in items[:shown])
    return head if len(items) <= shown else f"{head}, … ({len(items)} in all)"


def _years(years: tuple[int, ...]) -> str:
    """
    >>> _years((2024, 2025, 2026)), _years((2024, 2030))
    ('2024-2026', '2024, 2030')
    """
    if len(years) > 2 and list(years) == list(range(years[0], years[0] + len(years))):
        return f"{years[0]}-{years[-1]}"
    return _few(years, shown=len(years))


def _nullable(values: np.ndarray) -> pa.Array:
    """A float64 Arrow array with NULL where ``values`` is NaN."""
    missing = np.isnan(values)
    return pa.array(values, mask=missing if missing.any() else None)


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]

"""Reading the files users give (issue 8): bounded size, regular files only, built-in names
versus local files, CSV records over several lines, and one salience rule per format.

Every refusal is one ``FILE:LINE: field: what is wrong (what is allowed)`` line, exit code 2
on the command line, quickly and without reading more than the size limit.
"""

from __future__ import annotations

import io
import os
import threading
import time
import tracemalloc
from pathlib import Path

import pytest

from blocs.bargaining.formats import (
    MAX_BYTES as FORMAT_MAX_BYTES,
)
from blocs.bargaining.formats import (
    FormatError,
    csv_records,
    detect_format,
    read_problems,
)
from blocs.bargaining.formats.bdm import read_bdm
from blocs.scenario import CaseError, load_case
from blocs.scenario.load import MAX_BYTES as CASE_MAX_BYTES
from blocs.scenario.load import is_builtin_name
from blocs.textfile import NotReadable, read_at_most, read_limited
from tests.conftest import LINE_RE, VALID_CASE, find_problem, problem_lines_ok, run_blocs

DEV_ZERO = pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")

BDM = "Actor,Capability,Position,Salience\n"
BIG = 3 * 1024**3  # a sparse file of 3 GB: nothing on disk, but its size says 3 GB


def _case_error(case) -> CaseError:
    with pytest.raises(CaseError) as info:
        load_case(case)
    problem_lines_ok(info.value)
    assert len(info.value.problems) == 1, str(info.value)
    return info.value


def _format_error(path, fmt=None) -> FormatError:
    with pytest.raises(FormatError) as info:
        read_problems(path, fmt)
    problem_lines_ok(info.value)
    assert len(info.value.problems) == 1, str(info.value)
    return info.value


def _sparse(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.touch()
    try:
        os.truncate(path, BIG)
    except OSError as exc:  # a file system without sparse files or 3 GB files
        pytest.skip(f"cannot make a sparse 3 GB file here: {exc}")
    return path


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("needs named pipes (POSIX)")
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


def _within(seconds: float, func, *args):
    """``func(*args)`` in a thread; fails (instead of hanging the suite) if it blocks."""
    result: dict[str, object] = {}

    def target() -> None:
        try:
            result["value"] = func(*args)
        except BaseException as exc:  # handed to the test below
            result["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"{func.__name__}{args} blocked for {seconds} s"
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    return result.get("value")


# ---------------------------------------------------------------------------------------------
# blocs.textfile: the one shared reader


def test_read_limited_reads_a_small_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 10)
    assert read_limited(path, 10) == b"x" * 10
    with pytest.raises(NotReadable) as info:
        read_limited(path, 9)
    assert info.value.kind == "too-large" and info.value.size == 10
    assert info.value.reason == "10 bytes is too large"


def test_read_limited_missing_and_folder(tmp_path: Path) -> None:
    for path, kind, reason in (
        (tmp_path / "nope", "missing", "no such file"),
        (tmp_path / "nope" / "deeper", "missing", "no such file"),
        (tmp_path, "folder", "is a folder"),
    ):
        with pytest.raises(NotReadable) as info:
            read_limited(path, 100)
        assert (info.value.kind, info.value.reason) == (kind, reason)


def test_read_limited_refuses_a_fifo_at_once(fifo: Path) -> None:
    start = time.perf_counter()
    with pytest.raises(NotReadable) as info:
        _within(5, read_limited, fifo, 100)
    assert info.value.kind == "special"
    assert info.value.reason == "is not a regular file (a named pipe)"
    assert time.perf_counter() - start < 5


def test_read_limited_refuses_a_fifo_swapped_in_after_the_stat(
        fifo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The path looked like a regular file when stat-ed and is a pipe when opened: the open
    must not wait for a writer (O_NONBLOCK) and the pipe must still be refused (fstat)."""
    if not hasattr(os, "O_NONBLOCK"):
        pytest.skip("needs O_NONBLOCK")
    regular = tmp_path / "regular.yaml"
    regular.write_text("x")
    real_stat = os.stat

    def stat(path, *args, **kwargs):
        if os.fspath(path) == os.fspath(fifo):
            return real_stat(regular)
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    try:
        with pytest.raises(NotReadable) as info:
            _within(5, read_limited, fifo, 100)
    finally:
        monkeypatch.undo()
    assert info.value.reason == "is not a regular file (a named pipe)"


@DEV_ZERO
def test_read_limited_refuses_dev_zero() -> None:
    with pytest.raises(NotReadable) as info:
        _within(5, read_limited, "/dev/zero", 100)
    assert info.value.reason == "is not a regular file (a character device)"


def test_read_limited_refuses_a_huge_sparse_file_without_reading_it(tmp_path: Path) -> None:
    path = _sparse(tmp_path, "big.bin")
    tracemalloc.start()
    try:
        with pytest.raises(NotReadable) as info:
            read_limited(path, 1000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.kind == "too-large" and info.value.size == BIG
    assert peak < 1_000_000


class _Endless(io.RawIOBase):
    """An endless stream of bytes that counts how many were asked for."""

    def __init__(self) -> None:
        self.given = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        assert n is not None and n >= 0, "an unbounded read"
        self.given += n
        return b"\0" * n


def test_read_at_most_reads_limit_plus_one_bytes() -> None:
    stream = _Endless()
    data = read_at_most(stream, 5_000_000)
    assert len(data) == 5_000_001 and stream.given == 5_000_001


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_read_limited_stops_at_the_limit_when_the_size_lies() -> None:
    """/proc files say size 0 but hold text: the read itself must stop at limit + 1."""
    assert os.stat("/proc/self/status").st_size == 0
    with pytest.raises(NotReadable) as info:
        read_limited("/proc/self/status", 10)
    assert info.value.kind == "too-large"
    assert info.value.reason == "more than 10 bytes is too large"
    assert len(read_limited("/proc/self/status", 1_000_000)) > 10


# ---------------------------------------------------------------------------------------------
# the case loader and the formats' reader use it


def test_load_case_refuses_a_fifo(fifo: Path) -> None:
    with pytest.raises(CaseError) as err:
        _within(5, load_case, fifo)
    problem_lines_ok(err.value)
    find_problem(err.value, line=1, path="(file)", fragments=(
        "is not a regular file (a named pipe)", "(allowed: a regular file"))


@DEV_ZERO
def test_load_case_refuses_dev_zero() -> None:
    err = _case_error("/dev/zero")
    find_problem(err, line=1, path="(file)", fragments=(
        "is not a regular file (a character device)", "(allowed: a regular file"))


def test_load_case_refuses_a_huge_file_without_reading_it(tmp_path: Path) -> None:
    path = _sparse(tmp_path, "big.yaml")
    tracemalloc.start()
    try:
        err = _case_error(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    find_problem(err, line=1, path="(file)", fragments=(
        f"{BIG} bytes is too large for a case file", f"(allowed: up to {CASE_MAX_BYTES})"))
    assert peak < 100_000_000


def test_load_case_just_over_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "over.yaml"
    path.write_bytes(b"#" * (CASE_MAX_BYTES + 1))
    err = _case_error(path)
    find_problem(err, line=1, path="(file)", fragments=(
        f"{CASE_MAX_BYTES + 1} bytes is too large", "(allowed: up to"))


def test_read_problems_refuses_a_fifo(fifo: Path) -> None:
    for fmt in (None, "bdm", "decide", "ktab", "deu", "blocs"):
        with pytest.raises(FormatError) as err:
            _within(5, read_problems, fifo, fmt)
        problem_lines_ok(err.value)
        find_problem(err.value, line=1, path="(file)", fragments=(
            "is not a regular file (a named pipe)", "(allowed: a regular file"))


@DEV_ZERO
def test_read_problems_refuses_dev_zero() -> None:
    for fmt in (None, "bdm", "ktab"):
        err = _format_error("/dev/zero", fmt)
        find_problem(err, line=1, path="(file)", fragments=(
            "is not a regular file (a character device)",))


def test_read_problems_refuses_a_huge_file_without_reading_it(tmp_path: Path) -> None:
    path = _sparse(tmp_path, "big.csv")
    tracemalloc.start()
    try:
        for fmt in (None, "bdm", "decide", "ktab", "deu"):
            err = _format_error(path, fmt)
            find_problem(err, line=1, path="(file)", fragments=(
                f"{BIG} bytes is too large", f"(allowed: up to {FORMAT_MAX_BYTES} bytes)"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100_000_000


# ---------------------------------------------------------------------------------------------
# the command line: exit 2, one line on stderr, no traceback, no hang


def _one_problem_line(done) -> str:
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert LINE_RE.match(lines[0]), lines[0]
    return lines[0]


@DEV_ZERO
def test_cli_run_dev_zero() -> None:
    line = _one_problem_line(run_blocs("run", "/dev/zero", timeout=60))
    assert line.startswith("/dev/zero:1: (file): is not a regular file (a character device)")


@DEV_ZERO
def test_cli_forecast_dev_zero() -> None:
    line = _one_problem_line(run_blocs("forecast", "/dev/zero", timeout=60))
    assert "is not a regular file (a character device)" in line


def test_cli_forecast_and_check_a_fifo(fifo: Path) -> None:
    for command in ("forecast", "check", "run"):
        line = _one_problem_line(run_blocs(command, str(fifo), timeout=60))
        assert line.startswith(f"{fifo}:1: (file): is not a regular file (a named pipe)"), line


def test_cli_forecast_a_huge_file(tmp_path: Path) -> None:
    path = _sparse(tmp_path, "big.csv")
    line = _one_problem_line(run_blocs("forecast", str(path), timeout=60))
    assert f"{BIG} bytes is too large" in line


# ---------------------------------------------------------------------------------------------
# a built-in name always means the built-in case; a local file is read when written as a path


@pytest.fixture
def local_serbia(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A local case file called ``serbia-2024`` (the Mini case) in the current folder."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "serbia-2024"
    path.write_text(VALID_CASE, encoding="utf-8")
    return path


def test_is_builtin_name() -> None:
    assert is_builtin_name("serbia-2024")
    for name in ("./serbia-2024", "cases/serbia-2024", "serbia-2024.yaml", "serbia-2024.YML",
                 "no-such-case", Path("serbia-2024")):
        assert not is_builtin_name(name), name


def test_builtin_name_is_not_shadowed_by_a_local_file(local_serbia: Path) -> None:
    assert load_case("serbia-2024").name != "Mini"
    assert load_case("serbia-2024").label.startswith("<builtin>")
    assert load_case("./serbia-2024").name == "Mini"
    assert load_case(Path("serbia-2024")).name == "Mini"
    assert load_case(str(local_serbia)).name == "Mini"


def test_builtin_name_in_the_formats(local_serbia: Path) -> None:
    builtin = [p.id for p in read_problems("serbia-2024")]
    assert builtin == ["alignment", "sanctions", "kosovo"]
    assert detect_format("serbia-2024") == "blocs"
    assert [p.id for p in read_problems("./serbia-2024")] == ["align"]
    assert [p.id for p in read_problems("./serbia-2024", "blocs")] == ["align"]
    # A local BDM file named like a built-in case: read as a path only.
    local_serbia.write_text("Actor,Capability,Position,Salience\nA,1,0,0.5\nB,1,10,0.5\n")
    assert [p.id for p in read_problems("serbia-2024")] == builtin
    assert detect_format("./serbia-2024") == "bdm"
    assert read_problems("./serbia-2024")[0].actors == ("A", "B")


def test_cli_builtin_name_is_not_shadowed(local_serbia: Path) -> None:
    done = run_blocs("forecast", "serbia-2024", "--model", "compromise", "--json",
                     cwd=local_serbia.parent, timeout=120)
    assert done.returncode == 0, done.stderr
    assert '"alignment"' in done.stdout
    done = run_blocs("forecast", "./serbia-2024", "--model", "compromise", "--json",
                     cwd=local_serbia.parent, timeout=120)
    assert done.returncode == 0, done.stderr
    assert '"align"' in done.stdout and '"alignment"' not in done.stdout


# ---------------------------------------------------------------------------------------------
# CSV: one reader over the whole file, so quoted cells may hold line breaks


def _write(tmp_path: Path, text: str, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_bdm_quoted_newline(tmp_path: Path, eol: str) -> None:
    text = eol.join([
        "Actor,Capability,Position,Salience",
        '"Actor', 'Name",0.1,4,0.5',
        "B,0.2,7,0.4",
        "C,0.2,x,0.4",
    ]) + eol
    path = _write(tmp_path, text)
    with pytest.raises(FormatError) as info:
        read_bdm(path)
    # line numbers still count physical lines: C's row is line 5
    find_problem(info.value, line=5, path="Position", fragments=("'x' is not a number",))
    path = _write(tmp_path, text.replace("C,0.2,x,0.4", "C,0.2,9,0.4"))
    [p] = read_bdm(path)
    assert p.actors == ("Actor\nName", "B", "C")
    assert p.meta["lines"] == (2, 4, 5)
    assert p.salience.tolist() == [0.5, 0.4, 0.4]


def test_bdm_unclosed_quote(tmp_path: Path) -> None:
    path = _write(tmp_path, BDM + 'A,1,4,0.5\n"B,1,5,0.5\nC,1,6,0.5\n')
    with pytest.raises(FormatError) as info:
        read_bdm(path)
    problem_lines_ok(info.value)
    find_problem(info.value, line=3, path="(row)", fragments=("never closed", "(allowed:"))


def test_ktab_quoted_newline(tmp_path: Path) -> None:
    text = ("Scen, A scenario, 2, 1,\n"
            "Actor, Description, Influence, Policy Position, Policy Salience,\n"
            'XJ, "Xi\nJinping", 100.0, 30, 24.0,\n'
            "LK, Li Keqiang, 60.2, 45, 44.7,\n")
    [p] = read_problems(_write(tmp_path, text), "ktab")
    assert p.actors == ("XJ", "LK")
    assert p.meta["actor_descriptions"] == ("Xi\nJinping", "Li Keqiang")
    assert p.meta["lines"] == (3, 5)
    bad = text.replace("60.2, 45, 44.7", "60.2, 45, 101")
    err = _format_error(_write(tmp_path, bad), "ktab")
    find_problem(err, line=5, path="Policy Salience", fragments=("101 is out of range",))


def test_decide_quoted_newline(tmp_path: Path) -> None:
    text = ('#A\tUSA\t"United\nStates"\n'
            "#A\tEU\tEuropean Union\n"
            "#P\ttreaty\tNew treaty\n"
            "#D\tUSA\ttreaty\t10\t0.9\t0.26\n"
            "#D\tEU\ttreaty\t50\t1.5\t0.156\n")
    err = _format_error(_write(tmp_path, text), "decide")
    find_problem(err, line=6, path="#D salience", fragments=("1.5 is out of range",))
    problems = read_problems(_write(tmp_path, text.replace("1.5", "0.4")), "decide")
    assert problems[0].meta["actor_names"] == ("United\nStates", "European Union")
    assert problems[0].meta["lines"] == (5, 6)


def test_csv_records_lines() -> None:
    records = csv_records('a,b\r\n\r\n"x\r\ny",2\r\n  \r\nz,3', "f")
    assert [(r.line, r.last, r.cells) for r in records] == [
        (1, 1, ["a", "b"]), (3, 4, ["x\ny", "2"]), (6, 6, ["z", "3"])]


# ---------------------------------------------------------------------------------------------
# one salience rule per format: a value just inside is read, just outside is refused


@pytest.mark.parametrize("saliences, scale, read_as", [
    (["0.8", "0.4", "1"], "0-1", [0.8, 0.4, 1.0]),
    (["0", "0.4", "1"], "0-1", [0.0, 0.4, 1.0]),
    (["80", "40", "100"], "0-100", [0.8, 0.4, 1.0]),
    (["80", "0", "1"], "0-100", [0.8, 0.0, 0.01]),
    (["80", "40", "1.5"], "0-100", [0.8, 0.4, 0.015]),
])
def test_bdm_salience_inside(tmp_path: Path, saliences, scale, read_as) -> None:
    rows = "".join(f"A{i},1,{i},{s}\n" for i, s in enumerate(saliences))
    [p] = read_bdm(_write(tmp_path, BDM + rows))
    assert p.meta["salience_scale"] == scale
    assert p.salience.tolist() == pytest.approx(read_as, abs=1e-15)


@pytest.mark.parametrize("saliences, bad_lines, fragment", [
    (["50", "100.5"], [3], "100.5 is out of range"),
    (["50", "-0.01"], [3], "-0.01 is out of range"),
    (["0.8", "0.4", "1.5"], [4], "1.5 is above 1 while 2 other saliences"),
    (["0.8", "40", "60"], [2], "0.8 is between 0 and 1 while 2 other saliences"),
    (["0.5", "50"], [2, 3], "between"),
])
def test_bdm_salience_outside(tmp_path: Path, saliences, bad_lines, fragment) -> None:
    rows = "".join(f"A{i},1,{i},{s}\n" for i, s in enumerate(saliences))
    with pytest.raises(FormatError) as info:
        read_bdm(_write(tmp_path, BDM + rows))
    err = info.value
    problem_lines_ok(err)
    assert [p.line for p in err.problems] == bad_lines, str(err)
    assert all(p.path == "Salience" for p in err.problems)
    assert any(fragment in p.message for p in err.problems), str(err)
    assert all("(allowed: a number from 0 to 1, or from 0 to 100" in p.message
               for p in err.problems), str(err)


def test_bdm_salience_scale_given(tmp_path: Path) -> None:
    path = _write(tmp_path, BDM + "A,1,0,0.5\nB,1,1,1\n")
    assert read_bdm(path, salience_scale="0-100")[0].salience.tolist() == [0.005, 0.01]
    path = _write(tmp_path, BDM + "A,1,0,0.5\nB,1,1,1.01\n")
    with pytest.raises(FormatError) as info:
        read_bdm(path, salience_scale="0-1")
    find_problem(info.value, line=3, path="Salience", fragments=("1.01 is out of range",
                                                                 "0 to 1"))


@pytest.mark.parametrize("salience, ok", [("0", True), ("1", True), ("0.999", True),
                                          ("1.001", False), ("-0.001", False)])
def test_decide_salience_rule(tmp_path: Path, salience: str, ok: bool) -> None:
    text = ("#A\tUSA\tUnited States\n#A\tEU\tEuropean Union\n#P\tt\tTreaty\n"
            "#D\tEU\tt\t50\t0.5\t0.1\n"
            f"#D\tUSA\tt\t10\t{salience}\t0.26\n")
    path = _write(tmp_path, text)
    if ok:
        assert read_problems(path, "decide")[0].salience.tolist() == [float(salience), 0.5]
        return
    err = _format_error(path, "decide")
    find_problem(err, line=5, path="#D salience", fragments=(
        f"{salience} is out of range", "(allowed: a number from 0 to 1)"))


KTAB = ("Scen, A scenario, 2, 2,\n"
        "Actor, Description, Influence, Policy Position, Policy Salience, Comp Position, "
        "Comp Salience,\n"
        "LK, Li, 60, 45, 50, 65, 50,\n")


@pytest.mark.parametrize("s1, s2, ok, field, fragment", [
    ("100", "0", True, None, None),
    ("60", "40", True, None, None),
    ("0", "0", True, None, None),
    ("100.5", "0", False, "Policy Salience", "100.5 is out of range"),
    ("-0.5", "0", False, "Policy Salience", "-0.5 is out of range"),
    ("60", "40.5", False, "(saliences)", "sum to 100.5"),
])
def test_ktab_salience_rule(tmp_path: Path, s1, s2, ok, field, fragment) -> None:
    path = _write(tmp_path, KTAB + f"XJ, Xi, 100, 30, {s1}, 20, {s2},\n")
    if ok:
        [p] = read_problems(path, "ktab")
        assert p.salience.tolist() == [[0.5, 0.5], [float(s1) / 100, float(s2) / 100]]
        return
    err = _format_error(path, "ktab")
    find_problem(err, line=4, path=field, fragments=(
        fragment, "(allowed:", "100"))

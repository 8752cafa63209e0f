"""The command line end to end: the real console script in a subprocess.

Bad input exits 2 with one ``FILE:LINE: path: what (allowed)`` line per problem on stderr and
never a traceback; good input exits 0.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from blocs.results import TABLES
from tests.conftest import LINE_RE, VALID_CASE, mutate, run_blocs

CASE = "serbia-2024"


def _no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    for stream in (done.stdout, done.stderr):
        assert "Traceback" not in stream, stream


def _problem_lines(done: subprocess.CompletedProcess[str], *, case: bool = True) -> list[str]:
    """stderr of a command that failed on bad input: exit 2, no traceback, and (for problems
    in case files) every line in the FILE:LINE format."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    _no_traceback(done)
    lines = done.stderr.splitlines()
    assert lines, "no problem printed on stderr"
    for line in lines:
        assert line.strip(), "blank line on stderr"
        if case:
            assert LINE_RE.match(line), f"not FILE:LINE: path: message: {line!r}"
        else:
            assert line.endswith(")"), f"does not say what is allowed: {line!r}"
    return lines


def _strict_json(text: str) -> Any:
    def no_constants(name: str) -> None:
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=no_constants)


# ---------------------------------------------------------------------------------------------
# help and the entry point


def test_help_shows_an_example() -> None:
    done = run_blocs("--help")
    assert done.returncode == 0, done.stderr
    _no_traceback(done)
    assert "Example" in done.stdout
    assert "blocs run serbia-2024" in done.stdout
    for command in ("run", "check", "init", "cases", "show"):
        assert command in done.stdout


@pytest.mark.parametrize(
    ("command", "example"),
    [
        ("run", "blocs run serbia-2024"),
        ("check", "blocs check my-case.yaml"),
        ("init", "blocs init --from serbia-2024 my-case.yaml"),
        ("cases", "blocs cases"),
        ("show", "blocs show serbia-2024"),
    ],
)
def test_command_help_shows_an_example(command: str, example: str) -> None:
    done = run_blocs(command, "--help")
    assert done.returncode == 0, done.stderr
    _no_traceback(done)
    assert "Example" in done.stdout
    assert example in done.stdout


def test_installed_entry_point() -> None:
    script = Path(sys.executable).parent / ("blocs.exe" if os.name == "nt" else "blocs")
    assert script.exists(), f"no console script at {script}"
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("blocs ")
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "blocs run serbia-2024" in done.stdout


# ---------------------------------------------------------------------------------------------
# cases, run, show


def test_cases_lists_serbia() -> None:
    done = run_blocs("cases")
    assert done.returncode == 0, done.stderr
    _no_traceback(done)
    assert CASE in done.stdout
    assert "SRB" in done.stdout


def test_run_prints_the_tables() -> None:
    done = run_blocs("run", CASE)
    assert done.returncode == 0, done.stderr
    _no_traceback(done)
    for title in (
        "Leverage over SRB by domain",
        "Blocs",
        "Effective number of pillars",
        "Reach: land routes to SRB",
        "Encirclement: share of SRB's land border",
        "Forecasts",
    ):
        assert title in done.stdout, title
    assert done.stderr == ""


@pytest.fixture(scope="module")
def run_json(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """``blocs run serbia-2024 --json --out DIR``: the parsed JSON and the folder."""
    out = tmp_path_factory.mktemp("out") / "results"
    done = run_blocs("run", CASE, "--json", "--out", str(out))
    assert done.returncode == 0, done.stderr
    _no_traceback(done)
    data = _strict_json(done.stdout)
    return data, out


def test_run_json_is_one_object_with_the_contract(run_json: tuple[dict, Path]) -> None:
    data, _ = run_json
    assert isinstance(data, dict)
    for key in ("case", "year", "leverage", "blocs", "effective_pillars", "reach",
                "encirclement", "forecasts"):
        assert key in data, key
    assert data["case"] == CASE
    assert data["year"] == 2024
    assert data["leverage"], "no leverage rows"
    for row in data["leverage"]:
        assert {"from", "to", "domain", "kind", "value"} <= set(row)
        assert row["to"] == "SRB"
        assert row["kind"] in ("soft", "hard")
        assert isinstance(row["value"], int | float) and 0 <= row["value"] <= 1
    assert {b["bloc"] for b in data["blocs"]} == {"West", "East"}
    for row in data["blocs"]:
        assert isinstance(row["value"], int | float) and row["value"] >= 0
    assert isinstance(data["effective_pillars"], int | float)
    assert data["effective_pillars"] >= 1
    assert data["reach"]
    for row in data["reach"]:
        assert {"from", "to", "land_route", "blocked_by", "presence"} <= set(row)
        assert row["land_route"] is None or (
            isinstance(row["land_route"], list) and row["land_route"][-1] == "SRB")
        assert isinstance(row["blocked_by"], list)
        assert isinstance(row["presence"], list)
    for row in data["encirclement"]:
        assert {"bloc", "share"} <= set(row)
        assert 0 <= row["share"] <= 1
    assert data["forecasts"]
    for row in data["forecasts"]:
        assert {"issue", "model", "outcome"} <= set(row)
        assert 0 <= row["outcome"] <= 100


def _same(expected: Any, got: Any) -> bool:
    if expected is None:
        return got is None or got == "" or (isinstance(got, float) and math.isnan(got))
    if isinstance(expected, bool):
        return got == expected or str(got) == str(expected)
    if isinstance(expected, int | float):
        try:
            return math.isclose(float(expected), float(got), rel_tol=1e-9, abs_tol=1e-12)
        except (TypeError, ValueError):
            return False
    if isinstance(expected, list):
        if isinstance(got, str):
            if any(isinstance(x, dict) for x in expected) or (not expected and got == "[]"):
                return json.loads(got) == expected
            return got == ";".join(map(str, expected))
        got = list(got)
        return len(got) == len(expected) and all(
            _same(e, g) for e, g in zip(expected, got, strict=True))
    return str(got) == str(expected)


def _plain_cell(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


@pytest.mark.parametrize("table", TABLES)
def test_out_writes_csv_and_parquet_matching_the_json(
        run_json: tuple[dict, Path], table: str) -> None:
    data, out = run_json
    rows = data[table]
    csv = pd.read_csv(out / f"{table}.csv", dtype=str, keep_default_na=False)
    parquet = pd.read_parquet(out / f"{table}.parquet")
    for frame, kind in ((csv, "csv"), (parquet, "parquet")):
        assert len(frame) == len(rows), (kind, len(frame), len(rows))
        if rows:
            assert list(frame.columns) == list(rows[0]), kind
        for i, row in enumerate(rows):
            for col, expected in row.items():
                got = _plain_cell(frame[col].iloc[i])
                assert _same(expected, got), (
                    f"{table}.{kind} row {i} {col}: {got!r} != {expected!r}")


def test_out_writes_balance_json(run_json: tuple[dict, Path]) -> None:
    data, out = run_json
    assert _strict_json((out / "balance.json").read_text(encoding="utf-8")) == data


def test_out_into_an_existing_folder_keeps_other_files(tmp_path: Path) -> None:
    out = tmp_path / "results"
    (out / "keep").mkdir(parents=True)
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    (out / "keep" / "old.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (out / "leverage.csv").write_text("stale\n", encoding="utf-8")
    done = run_blocs("run", CASE, "--out", str(out))
    assert done.returncode == 0, done.stderr
    _no_traceback(done)
    assert "Tables written to" in done.stdout
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert (out / "keep" / "old.csv").read_text(encoding="utf-8") == "a,b\n1,2\n"
    assert (out / "leverage.csv").read_text(encoding="utf-8") != "stale\n"
    names = {p.name for p in out.iterdir()}
    for table in TABLES:
        assert {f"{table}.csv", f"{table}.parquet"} <= names
    # No scratch folders left behind.
    assert not [n for n in names if n.startswith(".blocs-")], names


def test_out_onto_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "results"
    target.write_text("a file\n", encoding="utf-8")
    done = run_blocs("run", CASE, "--out", str(target))
    assert len(_problem_lines(done, case=False)) == 1
    assert target.read_text(encoding="utf-8") == "a file\n"


def test_run_with_an_unknown_case_name() -> None:
    done = run_blocs("run", "no-such-case")
    lines = _problem_lines(done)
    assert len(lines) == 1
    assert lines[0].startswith("no-such-case:1: (file): no such file")
    assert CASE in lines[0]
    assert done.stdout == ""


def test_run_with_a_year_out_of_range() -> None:
    done = run_blocs("run", CASE, "--year", "1700")
    assert len(_problem_lines(done, case=False)) == 1


def test_run_a_case_file(tmp_path: Path) -> None:
    path = tmp_path / "mini.yaml"
    path.write_text(VALID_CASE, encoding="utf-8")
    done = run_blocs("run", str(path), "--json")
    assert done.returncode == 0, done.stderr
    data = _strict_json(done.stdout)
    assert data["case"] == "mini"
    # NATO through its KFOR presence next door (docs/leverage.md, presences as troops).
    assert {row["from"] for row in data["leverage"]} == {"RUS", "EU", "NATO"}


def test_show_prints_source_ids() -> None:
    from blocs import load_case

    done = run_blocs("show", CASE)
    assert done.returncode == 0, done.stderr
    _no_traceback(done)
    sources = list(load_case(CASE).sources)
    assert sources
    missing = [sid for sid in sources if sid not in done.stdout]
    assert not missing, f"source ids not shown: {missing}"
    assert "Sources" in done.stdout


# ---------------------------------------------------------------------------------------------
# check


def test_check_a_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "mini.yaml"
    path.write_text(VALID_CASE, encoding="utf-8")
    done = run_blocs("check", str(path))
    assert done.returncode == 0, done.stderr
    _no_traceback(done)
    assert done.stderr == ""
    assert f"{path}: ok" in done.stdout


def test_check_prints_one_line_per_file_even_for_long_paths(tmp_path: Path) -> None:
    folder = tmp_path / ("a" * 70) / ("b" * 70)
    folder.mkdir(parents=True)
    path = folder / "mini.yaml"
    path.write_text(VALID_CASE, encoding="utf-8")
    done = run_blocs("check", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"{path}: ok (4 actors, 3 ties, 1 issues, 1 sources)"
    ]


def test_check_an_invalid_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    text = mutate("value: 0.8", "value: 1.5")
    text = mutate("position: 50", "position: 150", text)
    path.write_text(text, encoding="utf-8")
    done = run_blocs("check", str(path))
    lines = _problem_lines(done)
    assert lines == [
        f"{path}:29: issues.align.stakeholders.SRB.position: 150 is out of range "
        "(allowed: a number from 0 to 100)",
    ]


def test_check_several_files(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(VALID_CASE, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(mutate("focus: SRB", "focus: XYZ"), encoding="utf-8")
    done = run_blocs("check", str(good), str(bad), str(tmp_path / "missing.yaml"))
    lines = _problem_lines(done)
    assert len(lines) == 2
    assert lines[0].startswith(f"{bad}:3: focus: 'XYZ' is not an actor")
    assert lines[1].startswith(f"{tmp_path / 'missing.yaml'}:1: (file): no such file")
    assert f"{good}: ok" in done.stdout


def test_check_the_builtin_case() -> None:
    done = run_blocs("check", CASE)
    assert done.returncode == 0, done.stderr
    assert f"{CASE}: ok" in done.stdout


UNREADABLE = [
    ("missing.yaml", None, ":1: (file): no such file"),
    ("empty.yaml", b"", ":1: (file): empty file"),
    ("comments.yaml", b"# nothing here\n\n", ":1: (file): empty file"),
    ("binary.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", ":3: (file): a binary file"),
    ("latin1.yaml", "name: Zürich\n".encode("latin-1"), ":1: (file): byte 0xfc is not UTF-8"),
    ("folder", "dir", ":1: (file): is a folder"),
]


def test_check_unreadable_files(tmp_path: Path) -> None:
    """Missing, empty, binary, non-UTF-8 files and a folder: one line each, exit 2."""
    paths = []
    for name, content, _ in UNREADABLE:
        path = tmp_path / name
        if content == "dir":
            path.mkdir()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        paths.append(path)
    # One file alone: exactly one line.
    binary = tmp_path / "binary.yaml"
    lines = _problem_lines(run_blocs("check", str(binary)))
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{binary}:3: (file): a binary file"), lines[0]
    # All at once: one line each, file by file in the order given.
    done = run_blocs("check", *map(str, paths))
    lines = _problem_lines(done)
    assert len(lines) == len(paths), lines
    for line, path, (_, _, fragment) in zip(lines, paths, UNREADABLE, strict=True):
        assert line.startswith(f"{path}{fragment}"), line
    assert done.stdout == ""


def test_check_broken_yaml(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(mutate("  West: {members: [EU, NATO]}", "  West: {members: [EU, NATO}"),
                    encoding="utf-8")
    done = run_blocs("check", str(path))
    lines = _problem_lines(done)
    assert len(lines) == 1
    assert lines[0].startswith(f"{path}:16: (yaml): YAML syntax error")


def test_check_prints_problems_verbatim(tmp_path: Path) -> None:
    """Problem lines go to stderr exactly as the loader wrote them: no markup, no emoji codes
    turned into pictures, no wrapping."""
    path = tmp_path / "odd.yaml"
    path.write_text(mutate("name: Mini", 'name: Mini\n":thumbs_up: [bold]x[/bold]": 1'),
                    encoding="utf-8")
    from blocs.scenario import CaseError, load_case

    with pytest.raises(CaseError) as info:
        load_case(path)
    done = run_blocs("check", str(path))
    assert _problem_lines(done) == [str(p) for p in info.value.problems]


# ---------------------------------------------------------------------------------------------
# init


def _builtin_bytes() -> bytes:
    return (resources.files("blocs.scenario") / "cases" / f"{CASE}.yaml").read_bytes()


def test_init_writes_a_copy_that_checks(tmp_path: Path) -> None:
    target = tmp_path / "new" / "my-case.yaml"
    done = run_blocs("init", "--from", CASE, str(target))
    assert done.returncode == 0, done.stderr
    _no_traceback(done)
    assert target.read_bytes() == _builtin_bytes()
    done = run_blocs("check", str(target))
    assert done.returncode == 0, done.stderr
    assert "ok" in done.stdout
    # No scratch files left beside it.
    assert [p.name for p in target.parent.iterdir()] == ["my-case.yaml"]


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "mine.yaml"
    target.write_text("my work\n", encoding="utf-8")
    done = run_blocs("init", "--from", CASE, str(target))
    lines = _problem_lines(done, case=False)
    assert len(lines) == 1
    assert "already exists" in lines[0] and "--force" in lines[0]
    assert target.read_text(encoding="utf-8") == "my work\n"
    done = run_blocs("init", "--from", CASE, "--force", str(target))
    assert done.returncode == 0, done.stderr
    assert target.read_bytes() == _builtin_bytes()


def test_init_from_an_unknown_case(tmp_path: Path) -> None:
    target = tmp_path / "x.yaml"
    done = run_blocs("init", "--from", "atlantis-1900", str(target))
    lines = _problem_lines(done, case=False)
    assert len(lines) == 1
    assert "atlantis-1900" in lines[0] and CASE in lines[0]
    assert not target.exists()

"""Shared fixtures: a small valid case to mutate, and checks of the one-line problem format."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from blocs.scenario import CaseError, ErrorLine

# A small valid case (30 lines).  Tests mutate it by text edits, so the line numbers below
# matter: keep them in step with ``LINES`` when editing.
VALID_CASE = """\
format: 1
name: Mini
focus: SRB
year: 2024
sources:
  s1: {title: A source, url: "https://example.org"}
actors:
  SRB: {name: Serbia, kind: state}
  RUS: {name: Russia, kind: state}
  EU: {name: European Union, kind: union}
  NATO: {name: NATO, kind: alliance}
organizations:
  EU: {name: European Union, members: {HUN: 2004, HRV: 2013, ROU: 2007, BGR: 2007}, source: s1}
  NATO: {name: NATO, members: {HUN: 1999, HRV: 2009, ROU: 2004, BGR: 2004, MNE: 2017, MKD: 2020, POL: 1999, SVK: 2004, ALB: 2009, TUR: 1952, GRC: 1952, NOR: 1949, FIN: 2023, EST: 2004, LVA: 2004, LTU: 2004, USA: 1949}, source: s1}
blocs:
  West: {members: [EU, NATO]}
  East: {members: [RUS]}
geography:
  presence:
    - {actor: NATO, country: XKX, what: KFOR, size: 4500, year: 2023, source: s1}
ties:
  - {from: RUS, to: SRB, measure: gas, value: 0.8, year: 2024, source: s1}
  - {from: EU, to: SRB, measure: trade, value: 0.5, year: 2024, source: s1}
  - {from: RUS, to: SRB, measure: trade, value: 2.9, unit: USD, total: 70, year: 2023, source: s1}
issues:
  align:
    question: where?
    stakeholders:
      SRB: {position: 50, salience: 90, capability: 1, source: s1}
      RUS: {position: 100, salience: 50, capability: 1, source: s1}
"""  # noqa: E501

# Line numbers (1-based) of the lines of VALID_CASE that tests point at.
LINES = {
    "format": 1,
    "name": 2,
    "focus": 3,
    "year": 4,
    "sources": 5,
    "s1": 6,
    "actors": 7,
    "SRB": 8,
    "RUS": 9,
    "EU": 10,
    "NATO": 11,
    "organizations": 12,
    "org_EU": 13,
    "org_NATO": 14,
    "blocs": 15,
    "West": 16,
    "East": 17,
    "geography": 18,
    "presence": 19,
    "presence_0": 20,
    "ties": 21,
    "tie_0": 22,
    "tie_1": 23,
    "tie_2": 24,
    "issues": 25,
    "align": 26,
    "question": 27,
    "stakeholders": 28,
    "st_SRB": 29,
    "st_RUS": 30,
}

# Every line of a CaseError: ``FILE:LINE: path.to.field: what is wrong (what is allowed)``.
LINE_RE = re.compile(r"^[^:]+:\d+: \S.*: .+$")

# Paths of problems that concern the whole file rather than a field.
WHOLE_FILE_PATHS = ("(file)",)


def problem_lines_ok(error: CaseError, *, allow_unparenthesised: bool = False) -> None:
    """Assert the format contract on every problem of ``error``.

    Each line of ``str(error)`` matches LINE_RE; there is one line per problem; each
    message (whole-file problems aside) ends with ')', i.e. says what is allowed.
    """
    assert isinstance(error, CaseError)
    assert error.problems, "a CaseError must carry at least one problem"
    text = str(error)
    lines = text.split("\n")
    assert len(lines) == len(error.problems), (
        f"{len(error.problems)} problems printed as {len(lines)} lines:\n{text}"
    )
    for line in lines:
        assert LINE_RE.match(line), f"not FILE:LINE: path: message: {line!r}"
    for p in error.problems:
        assert isinstance(p, ErrorLine)
        assert isinstance(p.line, int) and p.line >= 1, p
        assert "\n" not in str(p) and "\r" not in str(p), repr(str(p))
        if not allow_unparenthesised and p.path not in WHOLE_FILE_PATHS:
            assert p.message.endswith(")"), f"message does not say what is allowed: {str(p)!r}"


def find_problem(
    error: CaseError, *, line: int, path: str, fragments: Iterable[str] = ()
) -> ErrorLine:
    """The problem of ``error`` at ``line`` and ``path`` whose message holds every fragment."""
    for p in error.problems:
        if p.line == line and p.path == path and all(f in p.message for f in fragments):
            return p
    raise AssertionError(
        f"no problem at line {line}, path {path!r} with {list(fragments)}; got:\n{error}"
    )


def mutate(old: str, new: str, text: str = VALID_CASE) -> str:
    """``text`` with the single occurrence of ``old`` replaced by ``new``."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


@pytest.fixture(scope="session")
def valid_case() -> str:
    """The text of a small valid case file (see VALID_CASE)."""
    return VALID_CASE


@pytest.fixture
def case_file(tmp_path: Path) -> Callable[..., Path]:
    """Write text (str) or bytes to a file in tmp_path and return its path."""

    def write(content: str | bytes = VALID_CASE, name: str = "case.yaml") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


def run_blocs(*args: str, cwd: Path | None = None, timeout: float = 120) -> (
        subprocess.CompletedProcess[str]):
    """Run ``python -m blocs.cli ARGS`` in a subprocess, capturing text output."""
    return subprocess.run(
        [sys.executable, "-m", "blocs.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        env=_cli_env(),
    )


def _cli_env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env.pop("FORCE_COLOR", None)
    env["NO_COLOR"] = "1"
    env["COLUMNS"] = "200"
    env["PYTHONIOENCODING"] = "utf-8"
    return env


@pytest.fixture(scope="session")
def blocs_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """``run_blocs`` as a fixture: ``blocs_cli("check", path)``."""
    return run_blocs

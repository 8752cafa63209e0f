"""Driving the real command line in tests: `invoke`, the JSON of a command, and the contract
of a refusal (exit 2, nothing on stdout, one line on stderr, no traceback)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from blocs.cli import build_app

RUNNER = CliRunner()
ENV = {"NO_COLOR": "1", "COLUMNS": "200"}


def invoke(*args):
    """``blocs ARGS`` in this process (the app as `blocs.cli` builds it)."""
    return RUNNER.invoke(build_app(), [*map(str, args)], env=ENV)


def json_of(*args) -> dict:
    """The JSON a command prints with ``--json`` (exit 0)."""
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def one_error(result, *fragments: str, code: int = 2) -> str:
    """Exit ``code``, nothing on stdout, one line on stderr holding every fragment."""
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in result.stderr
    for f in fragments:
        assert f in lines[0], (f, lines[0])
    return lines[0]

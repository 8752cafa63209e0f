"""The command line as a hostile user meets it: text from files is only text, failed writes
are one line, options that do not apply are refused, every forecast says how it was made,
and the command line follows the conventions of the tools people like.

Each test here failed on the command line before it was hardened (issue 8).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import blocs
from blocs.cli import build_app
from tests.conftest import VALID_CASE, _cli_env, run_blocs
from tests.paths import SHARED, require

APP = build_app()
runner = CliRunner()
ENV = {"NO_COLOR": "1", "COLUMNS": "200"}
PEERS = SHARED / "peers"
EXAMPLE = PEERS / "bdm-scholz-expected-utility-model" / "ExampleActors.csv"

# Text that Rich would read as markup, emoji codes, terminal escapes, a bidi override.
HOSTILE = ["[/bold]", "[/]", "[red]x[/red]", ":smile:", "\x1b[2J", "\x9b31m", "a\u202eb"]


def invoke(*args: str | Path):
    return runner.invoke(APP, [str(a) for a in args], env=ENV)


def no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception), result.output)
    assert "Traceback" not in result.output


def plain(text: str) -> None:
    """No escape sequence reaches the output (NO_COLOR: not even colours)."""
    assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text, repr(text)


def bdm_file(tmp_path: Path, name: str) -> Path:
    path = tmp_path / "m.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("Actor,Capability,Position,Salience\n")
        fh.write(f"{json.dumps(name)},0.1,4,0.5\nB,0.2,7,0.5\nC,0.3,5,0.5\n")
    return path


def case_file(tmp_path: Path, name: str) -> Path:
    text = (VALID_CASE.replace("name: Mini", f"name: {json.dumps(name)}")
            .replace("question: where?", f"question: {json.dumps(name)}"))
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# 1. text from files is text


@pytest.mark.parametrize("name", HOSTILE)
def test_bdm_actor_names_are_text(tmp_path, name):
    result = invoke("forecast", bdm_file(tmp_path, name), "--model", "compromise")
    assert result.exit_code == 0, result.output
    no_traceback(result)
    plain(result.stdout)
    if name.isprintable():  # printed as written, markup and all
        assert name in result.stdout


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize("command", ["run", "show", "forecast"])
def test_case_names_and_questions_are_text(tmp_path, name, command):
    result = invoke(command, case_file(tmp_path, name))
    assert result.exit_code == 0, result.output
    no_traceback(result)
    plain(result.stdout)
    if name.isprintable():
        assert name in result.stdout
    else:  # control characters are shown escaped, not sent
        assert name.encode("unicode_escape").decode("ascii").split("\\")[1][:3] in result.stdout


def test_escapes_in_error_lines_are_shown_not_sent(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(VALID_CASE.replace("focus: SRB", 'focus: "\\e[2J"'), encoding="utf-8")
    result = invoke("check", path)
    assert result.exit_code == 2
    plain(result.stderr)
    assert "\\x1b[2J" in result.stderr


TEXT = st.lists(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=3)
                | st.sampled_from(["[", "]", "[/]", "[bold]", "\x1b", "\x00", "\r", "\n",
                                   "\t", "\\", '"', ",", ";", "#", ":smile:"]),
                min_size=1, max_size=6).map("".join)


def _decide(name: str, issue: str) -> str:
    return (f"#A;{name};{name}\n#A;B;B\n#A;C;C\n#P;i1;{issue};\n#M;i1;0;low\n#M;i1;100;high\n"
            f"#D;{name};i1;10;0.5;0.5\n#D;B;i1;90;0.5;0.5\n#D;C;i1;50;0.5;0.5\n")


def _ktab(name: str, issue: str) -> str:
    return (f"{issue},desc,3,1,\nActor,Description,Power,{issue},Sal\n"
            f"{name},{name},10,20,50\nB,b,20,60,50\nC,c,30,80,50\n")


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=TEXT, other=TEXT, fmt=st.sampled_from(["bdm", "decide", "ktab", "blocs"]))
def test_random_text_in_every_format_never_gives_a_traceback(tmp_path, name, other, fmt):
    if fmt == "blocs":
        path = case_file(tmp_path, name)
        args = ["run", path]
    else:
        path = tmp_path / f"f.{fmt}"
        text = {"bdm": lambda: bdm_file(tmp_path, name).read_text("utf-8"),
                "decide": lambda: _decide(name, other),
                "ktab": lambda: _ktab(name, other)}[fmt]()
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        args = ["forecast", path, "--format", fmt, "--model", "compromise"]
    result = invoke(*args)
    no_traceback(result)
    assert result.exit_code in (0, 2), result.output
    plain(result.stdout)
    plain(result.stderr)
    if result.exit_code == 2:
        assert result.stderr.strip() and all(line for line in result.stderr.splitlines())


# ---------------------------------------------------------------------------------------------
# 5. failed writes


@pytest.mark.parametrize("args", [["run", "serbia-2024", "--json"], ["show", "serbia-2024"],
                                  ["--version"], ["--help"]])
def test_disk_full_is_one_line(args):
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "blocs.cli", *args],
                              stdout=full, stderr=subprocess.PIPE, text=True, env=_cli_env(),
                              timeout=120)
    assert done.returncode == 1
    assert done.stderr.splitlines() == ["blocs: cannot write the output: No space left on device"]


def test_closed_pipe_is_one_line():
    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written, as with `| head -0`
    try:
        done = subprocess.run([sys.executable, "-m", "blocs.cli", "show", "serbia-2024"],
                              stdout=write, stderr=subprocess.PIPE, text=True, env=_cli_env(),
                              timeout=120)
    finally:
        os.close(write)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "blocs: cannot write the output: closed before all was written"]


# ---------------------------------------------------------------------------------------------
# 6. options that do not apply are refused


@pytest.mark.parametrize(("args", "message"), [
    (["--model", "compromise", "--seed", "1"], "--seed: model 'compromise' takes no option"),
    (["--model", "median", "--variant", "x"], "--variant: model 'median' takes no option"),
    (["--model", "nash", "--rounds", "3"], "--rounds: model 'nash' takes no option 'rounds'"),
    (["--model", "eum", "--seed", "1"], "--seed: model 'eum' takes no option 'seed'"),
    (["--model", "smp", "--seed", "1"],
     "--seed: model 'smp' (variant 'deterministic') draws nothing at random"),
    (["--model", "exchange", "--seed", "1"],
     "--seed: model 'exchange' (variant 'deterministic') draws nothing at random"),
    (["--model", "eum", "--variant", "bogus"],
     "--variant: model 'eum' has no variant 'bogus' (allowed: default, scholz)"),
    (["--model", "all", "--rounds", "3"], "--rounds: not with --model all"),
    (["--rounds", "1001", "--model", "eum"], "--rounds: 1001 is out of range (allowed: 0 to 1000)"),
])
def test_options_that_do_not_apply_are_refused(args, message):
    result = invoke("forecast", "serbia-2024", *args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(message), line


def test_get_model_refuses_unknown_options():
    with pytest.raises(ValueError, match="takes no option 'seed'"):
        blocs.get_model("median", seed=3)
    with pytest.raises(ValueError, match="out of range"):
        blocs.get_model("exchange", rounds=100_000)
    assert blocs.get_model("smp", variant="stochastic", seed=3).seed == 3


# ---------------------------------------------------------------------------------------------
# 7. a forecast says how it was made


def test_forecast_json_says_how_it_was_made():
    path = require(PEERS / "KTAB" / "dummyData_3Dim.csv")
    result = invoke("forecast", path, "--model", "smp", "--variant", "stochastic", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["schema"] == 2 and doc["blocs_version"] == blocs.__version__
    assert (doc["model"], doc["variant"], doc["rounds"]) == ("smp", "stochastic", 100)
    assert isinstance(doc["seed"], int)  # drawn, since none was given, and reported
    assert doc["input"] == {"file": str(path), "format": "ktab",
                            "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    again = invoke("forecast", path, "--model", "smp", "--variant", "stochastic", "--json",
                   "--seed", str(doc["seed"]))
    assert json.loads(again.stdout) == doc  # the reported seed repeats the run exactly


def test_builtin_case_checksum_is_of_the_shipped_text():
    from blocs.scenario.load import builtin_case_text

    doc = json.loads(invoke("forecast", "serbia-2024", "--json").stdout)
    assert doc["seed"] is None and doc["variant"] is None and doc["rounds"] is None
    text = builtin_case_text("serbia-2024").encode("utf-8")
    assert doc["input"]["sha256"] == hashlib.sha256(text).hexdigest()


# ---------------------------------------------------------------------------------------------
# conventions: -h, placeholders, model list, --model all, widths, show --json


def test_short_help_and_placeholders():
    top = invoke("-h")
    assert top.exit_code == 0 and "forecast" in top.stdout and "--install-completion" in top.stdout
    for command, placeholders in (("run", ["CASE", "DIR", "YEAR"]), ("show", ["CASE"]),
                                  ("forecast", ["FILE", "MODEL", "VARIANT", "K"]),
                                  ("backtest", ["FILE", "MODEL"]), ("check", ["FILE..."]),
                                  ("init", ["FILE", "CASE"])):
        text = invoke(command, "-h").stdout
        for word in placeholders:
            assert word in text, (command, word)
        for python_type in ("TEXT", "INTEGER", "PATH", "<str>", "<int>", "<path>", "<list"):
            assert python_type not in text, (command, python_type)


def test_forecast_help_lists_models_and_variants():
    text = invoke("forecast", "--help").stdout
    for word in ("compromise", "median", "nash", "eum", "smp", "exchange", "scholz",
                 "stochastic", "rex", "all", "0 to 1000"):
        assert word in text, word


def test_model_all_compares_every_model():
    result = invoke("forecast", "serbia-2024", "--model", "all", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [m["model"] for m in doc["models"]] == list(blocs.MODELS)
    table = invoke("forecast", "serbia-2024", "--model", "all").stdout
    assert "exchange" in table and "alignment" in table


@pytest.mark.parametrize("args", [["run", "serbia-2024"], ["show", "serbia-2024"],
                                  ["forecast", "serbia-2024"], ["cases"]])
def test_eighty_columns_stay_readable(args):
    result = runner.invoke(APP, args, env={"NO_COLOR": "1", "COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in result.stdout  # nothing cut short, headers included


def test_piped_output_honours_columns():
    wide = run_blocs("run", "serbia-2024")  # COLUMNS=200 in the test environment
    env = {**_cli_env(), "COLUMNS": "100"}
    narrow = subprocess.run([sys.executable, "-m", "blocs.cli", "run", "serbia-2024"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert max(map(len, narrow.stdout.splitlines())) <= 100
    assert max(map(len, wide.stdout.splitlines())) > 100


def test_show_json_and_numbers_for_people():
    doc = json.loads(invoke("show", "serbia-2024", "--json").stdout)
    assert doc["case"] == "serbia-2024" and doc["focus"] == "SRB"
    assert len(doc["sources"]) == len(blocs.load_case("serbia-2024").sources)
    text = invoke("show", "serbia-2024").stdout
    assert "e+0" not in text  # no scientific notation for people
    assert "billion USD" in text and "troops" in text


def test_run_footer_counts_assumptions_apart(tmp_path):
    text = VALID_CASE.replace(
        "  - {from: EU, to: SRB, measure: trade, value: 0.5, year: 2024, source: s1}",
        '  - {from: EU, to: SRB, measure: trade, value: 0.5, year: 2024, assumption: "a guess"}')
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    out = invoke("run", path).stdout
    assert "2 sourced ties and 1 assumed, from 1 sources" in out
    assert f"'blocs show {path}'" in out  # a command that works for a file


# ---------------------------------------------------------------------------------------------
# start-up: the help and version paths load no numerical library


def test_help_loads_no_numerical_library():
    code = ("import sys; from blocs.cli import build_app; build_app(); "
            "print(sorted(m for m in ('numpy', 'pandas', 'numba', 'pydantic', 'networkx') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


# ---------------------------------------------------------------------------------------------
# progress: reported to a listener, never drawn when nobody listens


def test_progress_reaches_a_listener_only():
    from blocs import progress

    seen = []

    def listener(description, total):
        seen.append([description, total, 0])
        return (lambda n: seen[-1].__setitem__(2, seen[-1][2] + n)), (lambda: None)

    with progress.task("nobody listens", 3) as advance:
        advance()
    with progress.listening(listener), progress.task("rounds", 2) as advance:
        advance()
        advance()
    assert seen == [["rounds", 2, 2]]


def test_no_progress_bar_when_stderr_is_not_a_terminal():
    done = run_blocs("backtest", str(require(SHARED / "validation" / "deu" / "deu-dev.tsv")),
                     "--model", "compromise")
    assert done.returncode == 0 and done.stderr == ""

"""Fuzzing the case loader: malformed files give `CaseError` lines, never anything else.

Property: for any input, ``load_text`` / ``load_bytes`` either return a `Scenario` or raise
`CaseError` whose problems each print as one ``FILE:LINE: path: message`` line, with a line
number inside the file.  No other exception may escape (no KeyError, RecursionError,
ValidationError, UnicodeError, ...).

The malformed files are built from the valid mini case (tests/conftest.py VALID_CASE): as data
(delete keys, insert unknown keys, replace values with odd scalars, lists, mappings, drop or
duplicate list items) dumped back to YAML or JSON, then optionally edited as text or bytes
(truncate, insert characters or bytes, change indentation, duplicate or drop lines).
Runs are derandomized so CI is reproducible.
"""

from __future__ import annotations

import copy
import io
import json
import math
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from blocs.scenario import CaseError, Scenario, load_text
from blocs.scenario.load import load_bytes
from tests.conftest import LINE_RE, VALID_CASE, problem_lines_ok

LABEL = "fuzz.yaml"

FUZZ = settings(
    max_examples=1000,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
RANDOM = settings(FUZZ, max_examples=300)


def _base() -> dict[str, Any]:
    return YAML(typ="safe", pure=True).load(VALID_CASE)


BASE = _base()

# ---------------------------------------------------------------------------------------------
# values

# Words the schema knows, so that mutations often land on meaningful keys and values.
WORDS = [
    "format", "id", "name", "description", "focus", "year", "period", "sources", "actors",
    "organizations", "blocs", "geography", "measures", "ties", "issues", "title", "url",
    "kind", "country", "of", "organization", "members", "joined", "left", "status",
    "borders", "border_lengths", "km", "presence", "actor", "what", "size", "unit",
    "from", "to", "measure", "value", "total", "reverse", "domain", "source", "assumption",
    "note", "question", "low", "high", "stakeholders", "position", "salience", "capability",
    "start", "end", "weight", "a", "b", "length_km", "label",
    "SRB", "RUS", "EU", "NATO", "CHN", "HUN", "XKX", "s1", "s2", "gas", "trade", "troops",
    "un_protection", "share", "percent", "flag", "USD", "state", "union", "alliance",
    "faction", "economic", "energy", "security", "soft", "hard", "builtin", "member",
]  # fmt: skip

ODD_SCALARS = [
    None, True, False, 0, 1, -1, 2, 100, 101, -0.5, 0.5, 1.5, 1799, 1800, 2200, 2201, 2024,
    10**30, -(10**30), 10**400, 1e308, -1e308, 5e-324, math.nan, math.inf, -math.inf,
    "", " ", "~", "null", "yes", "no", "on", "0x10", "1e3", ".nan", "-.inf", "2024-2020",
    "2020-2024", "99999-1", "2024-01-01", "0.8", "[", "{", "*a", "&a", "!!str", "%", "@", "`",
    "a: b", "- x", "#", "x" * 300, "é", "\u00a0", "\u2028", "\ufeff", "\t", "\n", "\r",
    "a\nb", "ftp://a\nb", "S\rRB", "line\u2028break",
]  # fmt: skip

# Keys that YAML allows but that hold line breaks or are not text.
ODD_KEYS = ["a\nb", "fr\rom", "x\u2028y", "", " ", "~", "null", 0, -1, 1.5, True]

scalars = st.one_of(
    st.sampled_from(ODD_SCALARS),
    st.sampled_from(WORDS),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)
keys = st.one_of(
    st.sampled_from(WORDS), st.sampled_from(ODD_KEYS), st.text(min_size=1, max_size=10),
    st.integers(-3, 3),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(keys, inner, max_size=3),
    ),
    max_leaves=6,
)

# ---------------------------------------------------------------------------------------------
# mutating the data


def _containers(node: Any, path: tuple = ()) -> list[tuple]:
    """Paths of every mapping and list in ``node``."""
    out = []
    if isinstance(node, dict):
        out.append(path)
        for k, v in node.items():
            out += _containers(v, (*path, k))
    elif isinstance(node, list):
        out.append(path)
        for i, v in enumerate(node):
            out += _containers(v, (*path, i))
    return out


def _get(node: Any, path: tuple) -> Any:
    for part in path:
        node = node[part]
    return node


def _mutate_data(draw: Callable, doc: dict) -> Any:
    """One structural mutation of ``doc`` (in place where possible); returns the document."""
    paths = _containers(doc)
    where = draw(st.sampled_from(paths))
    node = _get(doc, where)
    op = draw(st.sampled_from(["delete", "insert", "replace", "replace", "duplicate", "swap",
                               "whole"]))
    if op == "whole":
        return draw(values)
    if isinstance(node, dict):
        names = list(node)
        if op == "insert" or not names:
            node[draw(keys)] = draw(values)
        elif op == "delete":
            del node[draw(st.sampled_from(names))]
        elif op == "swap" and len(names) >= 2:
            a, b = draw(st.sampled_from(names)), draw(st.sampled_from(names))
            node[a], node[b] = node[b], node[a]
        elif op == "duplicate":
            # The same value under another (often known) key.
            node[draw(keys)] = copy.deepcopy(node[draw(st.sampled_from(names))])
        else:
            node[draw(st.sampled_from(names))] = draw(values)
    else:
        if op == "insert" or not node:
            node.insert(draw(st.integers(0, len(node))), draw(values))
        elif op == "delete":
            del node[draw(st.integers(0, len(node) - 1))]
        elif op == "duplicate":
            item = copy.deepcopy(node[draw(st.integers(0, len(node) - 1))])
            node.insert(draw(st.integers(0, len(node))), item)
        elif op == "swap" and len(node) >= 2:
            i, j = draw(st.integers(0, len(node) - 1)), draw(st.integers(0, len(node) - 1))
            node[i], node[j] = node[j], node[i]
        else:
            node[draw(st.integers(0, len(node) - 1))] = draw(values)
    return doc


def _dump(draw: Callable, doc: Any) -> str:
    how = draw(st.sampled_from(["block", "flow", "json", "json-indent"]))
    if how.startswith("json"):
        try:
            return json.dumps(doc, indent=2 if how == "json-indent" else None,
                              ensure_ascii=draw(st.booleans()))
        except (TypeError, ValueError):
            how = "block"
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = how == "flow"
    yaml.allow_unicode = True
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# mutating the text

YAML_CHARS = [*":[]{}-#&*!|>'\"%@`?,\t\n\r ~\\", "\x00", "\x07", "\ufeff", "\u2028"]


def _mutate_text(draw: Callable, text: str) -> str:
    op = draw(st.sampled_from(["insert", "delete", "indent", "dedent", "tab", "dup-line",
                               "drop-line", "swap-lines", "truncate"]))
    lines = text.split("\n")
    n = draw(st.integers(0, max(len(lines) - 1, 0)))
    if op == "insert":
        at = draw(st.integers(0, len(text)))
        what = draw(st.one_of(st.sampled_from(YAML_CHARS), st.text(min_size=1, max_size=4)))
        return text[:at] + what + text[at:]
    if op == "delete":
        at = draw(st.integers(0, len(text)))
        return text[:at] + text[at + draw(st.integers(1, 8)):]
    if op == "indent":
        lines[n] = " " * draw(st.integers(1, 4)) + lines[n]
    elif op == "dedent":
        # Remove one to four leading spaces (or fewer, if the line has fewer).
        k = draw(st.integers(1, 4))
        lines[n] = lines[n][min(k, len(lines[n]) - len(lines[n].lstrip(" "))):]
    elif op == "tab":
        lines[n] = "\t" + lines[n].lstrip(" ")
    elif op == "dup-line":
        lines.insert(draw(st.integers(0, len(lines))), lines[n])
    elif op == "drop-line":
        del lines[n]
    elif op == "swap-lines":
        m = draw(st.integers(0, max(len(lines) - 1, 0)))
        lines[n], lines[m] = lines[m], lines[n]
    else:
        return text[: draw(st.integers(0, len(text)))]
    return "\n".join(lines)


def _mutate_bytes(draw: Callable, data: bytes) -> bytes:
    op = draw(st.sampled_from(["truncate", "insert", "flip"]))
    at = draw(st.integers(0, len(data)))
    if op == "truncate":
        return data[:at]
    if op == "insert":
        return data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    if not data:
        return data
    at = min(at, len(data) - 1)
    return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:]


@st.composite
def malformed_cases(draw: Callable) -> tuple[str, bytes]:
    """A case file derived from the valid one: (how it was made, its bytes)."""
    doc: Any = copy.deepcopy(BASE)
    steps = []
    for _ in range(draw(st.integers(0, 3))):
        doc = _mutate_data(draw, doc) if isinstance(doc, dict) else draw(values)
        steps.append("data")
    text = _dump(draw, doc) if steps or draw(st.booleans()) else VALID_CASE
    for _ in range(draw(st.integers(0 if steps else 1, 2))):
        text = _mutate_text(draw, text)
        steps.append("text")
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 4)) == 0:
        data = _mutate_bytes(draw, data)
        steps.append("bytes")
    return "+".join(steps), data


# ---------------------------------------------------------------------------------------------
# the property


def _check(load: Callable[[], Scenario], n_lines: int) -> Scenario | CaseError:
    try:
        result = load()
    except CaseError as exc:
        problem_lines_ok(exc, allow_unparenthesised=True)
        for p in exc.problems:
            assert p.file == LABEL, p
            assert LINE_RE.match(str(p)), str(p)
            assert 1 <= p.line <= n_lines, f"line {p.line} of a {n_lines}-line file: {p}"
        return exc
    assert isinstance(result, Scenario)
    return result


def _n_lines(data: bytes | str) -> int:
    """An upper bound of the file's line count: YAML also breaks lines at CR, NEL, LS, PS."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return 1 + sum(text.count(c) for c in ("\n", "\r", "\x85", "\u2028", "\u2029"))


@FUZZ
@given(case=malformed_cases())
def test_malformed_cases_give_clean_errors(case: tuple[str, bytes]) -> None:
    _how, data = case
    n = _n_lines(data)
    from_bytes = _check(lambda: load_bytes(data, LABEL), n)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    from_text = _check(lambda: load_text(text, LABEL), n)
    if "\x00" not in text and not text.startswith("\ufeff"):
        # The text route and the bytes route agree.
        assert type(from_text) is type(from_bytes)
        if isinstance(from_text, CaseError) and isinstance(from_bytes, CaseError):
            assert [str(p) for p in from_text.problems] == [str(p) for p in from_bytes.problems]


@RANDOM
@given(text=st.text())
def test_random_text_gives_clean_errors(text: str) -> None:
    _check(lambda: load_text(text, LABEL), _n_lines(text))


@RANDOM
@given(data=st.binary())
def test_random_bytes_give_clean_errors(data: bytes) -> None:
    _check(lambda: load_bytes(data, LABEL), _n_lines(data))


# Text made of YAML's own tokens reaches the parser's odd corners more often than st.text().
YAML_TOKENS = [
    "format: 1", "name: x", "focus: SRB", "year: 2024", "sources:", "actors:", "ties:",
    "  s1: {title: t}", "  SRB: {name: S, kind: state}", "  - {from: SRB, to: SRB}", "- ",
    "? ", ": ", "&a ", "*a", "!!str ", "!!python/name:os.system", "!t ", "<<: *a", "[", "]",
    "{", "}", ",", "'", '"', "|", ">-", "#", "---", "...", "%YAML 1.2", "%TAG ! tag:x,2000:",
    "\t", "  ", "    ", "\n", "\r\n", "~", "null", ".nan", "-.inf", "0x1F", "1e999", "2024-2020",
    "\\", "\\u", "\ufeff", "\u2028", "\x85", "\x7f", "\x1b",
]  # fmt: skip


@RANDOM
@given(parts=st.lists(st.sampled_from(YAML_TOKENS), max_size=40))
def test_random_yaml_tokens_give_clean_errors(parts: list[str]) -> None:
    text = "".join(parts)
    _check(lambda: load_text(text, LABEL), _n_lines(text))

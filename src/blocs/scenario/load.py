"""Read a case file: YAML with line numbers, validated into an immutable `Scenario`.

Every problem becomes one line ``FILE:LINE: path.to.field: what is wrong (what is allowed)``
(an `ErrorLine`), collected in a `CaseError`; nothing else escapes (no traceback for broken
YAML, an empty, binary or missing file).  ruamel.yaml is used rather than PyYAML because its
round-trip loader keeps the line of every key and item, which the messages need.  The lines
and the wording of pydantic's errors are `blocs.scenario.messages`; the checks across the
file, `blocs.scenario.validate`.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from blocs.scenario.messages import (
    CaseError,
    ErrorLine,
    dotted,
    finding_lines,
    kind_of,
    show_value,
    translate,
)
from blocs.scenario.scenario import Scenario
from blocs.scenario.schema import Case
from blocs.scenario.validate import check_case, check_warnings
from blocs.textfile import NotReadable, read_limited

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "CaseError",
    "ErrorLine",
    "builtin_case_text",
    "builtin_cases",
    "is_builtin_name",
    "load_bytes",
    "load_case",
    "load_text",
]

MAX_NODES = 200_000  # a case has a few thousand; more means alias bombs or a wrong file
MAX_BYTES = 2_000_000  # 40x the Serbia case; the pure-Python parser takes ~1 s per 100 KB
MAX_DEPTH = 64  # nesting of [ and {: a case needs 4; the parser recurses on each level


# ---------------------------------------------------------------------------------------------
# built-in cases


def builtin_cases() -> list[str]:
    """Names of the cases shipped with blocs (``blocs cases``)."""
    folder = resources.files("blocs.scenario") / "cases"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def builtin_case_text(name: str) -> str:
    """The YAML text of a built-in case."""
    return (resources.files("blocs.scenario") / "cases" / f"{name}.yaml").read_text("utf-8")


# ---------------------------------------------------------------------------------------------
# loading


def is_builtin_name(case: str | Path) -> bool:
    """Whether ``case`` means a built-in case rather than a file.

    A bare built-in name (the ``str`` ``"serbia-2024"``) always means the built-in case, even
    when a file of that name exists in the current folder; that file is read when written as a
    path: ``./serbia-2024``, any name containing a path separator or ending in ``.yaml`` or
    ``.yml``, or a `pathlib.Path`.

    >>> is_builtin_name("serbia-2024"), is_builtin_name("./serbia-2024")
    (True, False)
    """
    if not isinstance(case, str) or case.lower().endswith((".yaml", ".yml")):
        return False
    if "/" in case or os.sep in case or (os.altsep is not None and os.altsep in case):
        return False
    return case in builtin_cases()


def load_case(case: str | Path) -> Scenario:
    """Load and validate a case: a built-in name (``serbia-2024``) or a path to a YAML file.

    A bare built-in name always means the built-in case; write a local file of the same name
    as a path (``./serbia-2024``) to read it instead (`is_builtin_name`).  The file is read
    only if it is a regular file of at most `MAX_BYTES` bytes (`blocs.textfile.read_limited`:
    a named pipe or a device such as ``/dev/zero`` is refused at once, a larger file without
    reading it).  Raises `CaseError` with one line per problem.

    >>> scenario = load_case("serbia-2024")
    >>> scenario.focus
    'SRB'
    """
    if is_builtin_name(case):
        name = str(case)
        return load_text(builtin_case_text(name), f"<builtin>/{name}.yaml", default_id=name)
    path = Path(case)
    label = str(path)
    try:
        data = read_limited(path, MAX_BYTES)
    except NotReadable as exc:
        allowed = {
            "missing": "a path to a case file, or a built-in case: " + ", ".join(builtin_cases()),
            "folder": "a YAML case file",
            "special": "a regular file: a YAML case file, not a pipe, device or socket",
            "too-large": f"up to {MAX_BYTES}",
            "unreadable": "a readable file",
        }[exc.kind]
        reason = exc.reason
        if exc.kind == "too-large":
            reason = reason.replace(" is too large", " is too large for a case file")
        raise CaseError(
            [ErrorLine(label, 1, "(file)", f"{reason} (allowed: {allowed})")]
        ) from None
    return load_bytes(data, label, default_id=path.stem)


def load_bytes(data: bytes, label: str, default_id: str | None = None) -> Scenario:
    """Validate the bytes of a case file; ``label`` names it in messages."""
    if len(data) > MAX_BYTES:
        raise CaseError([ErrorLine(label, 1, "(file)", (
            f"{len(data)} bytes is too large for a case file (allowed: up to {MAX_BYTES})"
        ))])
    if b"\x00" in data:
        offset = data.index(b"\x00")
        raise CaseError([ErrorLine(label, data.count(b"\n", 0, offset) + 1, "(file)", (
            "a binary file: NUL byte (allowed: a UTF-8 YAML text file)"
        ))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CaseError([ErrorLine(label, data.count(b"\n", 0, exc.start) + 1, "(file)", (
            f"byte 0x{data[exc.start]:02x} is not UTF-8 (allowed: a UTF-8 YAML text file)"
        ))]) from None
    return load_text(text, label, default_id=default_id)


def load_text(text: str, label: str, default_id: str | None = None) -> Scenario:
    """Validate the text of a case file; ``label`` names it in messages."""
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise CaseError([ErrorLine(label, 1, "(file)", (
            "empty file (allowed: a YAML mapping with format: 1, name, focus, year, "
            "sources and actors; see docs/case-format.md)"
        ))])
    _check_depth(text, label)
    raw = _parse_yaml(text, label)
    if _ANCHOR.search(text) and _ALIAS.search(text):
        _check_recursive_aliases(text, label)
    lines: dict[tuple, int] = {}
    problems: list[ErrorLine] = []
    data = _plain(raw, (), lines, problems, label)
    if problems:
        raise CaseError(problems)
    if not isinstance(data, dict):
        raise CaseError([ErrorLine(label, 1, "(file)", (
            f"the document is {kind_of(data)} (allowed: a mapping of keys such as "
            "format, name, focus, year, sources, actors)"
        ))])
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        raise CaseError(translate(exc, data, lines, label)) from None
    cross = check_case(case)
    if cross:
        raise CaseError(finding_lines(cross, lines, label))
    warnings = tuple(finding_lines(check_warnings(case), lines, label))
    return Scenario(case=case, case_id=case.id or default_id or "case", label=label,
                    warnings=warnings)


def _codepoint(ch: Any) -> str:
    code = ch if isinstance(ch, int) else ord(ch) if isinstance(ch, str) and ch else 0
    return f"U+{code:04X}"


def _check_depth(text: str, label: str) -> None:
    """Refuse absurd flow nesting before the parser recurses into it (quotes are ignored:
    a text with 64 open brackets in a row is not a case file either)."""
    depth = 0
    for pos, ch in enumerate(text):
        if ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise CaseError([ErrorLine(label, text.count("\n", 0, pos) + 1, "(yaml)", (
                    f"brackets nested more than {MAX_DEPTH} deep (allowed: ordinary YAML "
                    "nesting)"
                ))])
        elif ch in "]}" and depth > 0:
            depth -= 1


def _parse_yaml(text: str, label: str) -> Any:
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = (exc.problem or exc.context or "invalid YAML").strip()
        if "duplicate key" in str(exc).lower() or "found duplicate key" in what:
            what = "duplicate key" + _duplicate_key_name(str(exc))
        raise CaseError([ErrorLine(label, line, "(yaml)", (
            f"YAML syntax error: {what} (allowed: valid YAML)"
        ))]) from None
    except ReaderError as exc:
        line = text.count("\n", 0, max(int(exc.position), 0)) + 1
        raise CaseError([ErrorLine(label, line, "(yaml)", (
            f"character {_codepoint(exc.character)} is not allowed in YAML "
            "(allowed: printable text)"
        ))]) from None
    except (YAMLError, RecursionError, ValueError, TypeError, AttributeError) as exc:
        # ruamel raises a handful of unmarked errors on pathological input (deep nesting,
        # odd tags); they are all one thing to the user: the YAML cannot be read.
        what = type(exc).__name__ if isinstance(exc, RecursionError) else str(exc).split("\n")[0]
        raise CaseError([ErrorLine(label, 1, "(yaml)", (
            f"YAML cannot be read: {what[:120]} (allowed: valid YAML)"
        ))]) from None


# An anchor (&name) and an alias (*name) as the YAML scanner sees them: after a space, a
# line start or a flow indicator, followed by a name.  "R&D", "A & B" or "2*3" in a text are
# neither, so ordinary case files skip the second parse below (half the loading time).
_ANCHOR = re.compile(r"(?:^|[\s\[{,])&[^\s\[\]{},]", re.MULTILINE)
_ALIAS = re.compile(r"(?:^|[\s\[{,])\*[^\s\[\]{},]", re.MULTILINE)


def _check_recursive_aliases(text: str, label: str) -> None:
    """ruamel turns an alias to a node that contains it into null: find it in the node graph."""
    try:
        root = YAML(typ="rt", pure=True).compose(text)
    except (YAMLError, RecursionError):  # already parsed once: cannot happen, but stay quiet
        return
    stack: list[tuple[Any, bool]] = [(root, False)]
    open_: set[int] = set()
    done: set[int] = set()  # shared (aliased) nodes are walked once: alias bombs stay cheap
    while stack:
        node, leaving = stack.pop()
        if node is None:
            continue
        if leaving:
            open_.discard(id(node))
            done.add(id(node))
            continue
        if id(node) in done:
            continue
        if id(node) in open_:
            raise CaseError([ErrorLine(label, node.start_mark.line + 1, "(yaml)", (
                "a YAML alias refers to a value that contains it (allowed: aliases to other "
                "values)"
            ))])
        children = node.value if isinstance(node.value, list) else []
        if not children:
            continue
        open_.add(id(node))
        stack.append((node, True))
        for child in children:
            if isinstance(child, tuple):
                stack.extend((part, False) for part in child)
            else:
                stack.append((child, False))


def _duplicate_key_name(message: str) -> str:
    for line in message.splitlines():
        if "found duplicate key" in line:
            return " " + line.split("found duplicate key", 1)[1].split(" with value")[0].strip()
    return ""


def _plain(node: Any, path: tuple, lines: dict, problems: list, label: str) -> Any:
    """Convert ruamel's round-trip objects to plain dicts/lists, recording each path's line."""
    count = [0]
    active: set[int] = set()

    def walk(node: Any, path: tuple) -> Any:
        count[0] += 1
        if count[0] > MAX_NODES:
            raise CaseError([ErrorLine(label, 1, "(yaml)", (
                f"more than {MAX_NODES} values, usually YAML aliases expanding "
                "(allowed: a case file of ordinary size)"
            ))])
        if isinstance(node, CommentedMap | CommentedSeq):
            if id(node) in active:
                raise CaseError([ErrorLine(label, lines.get(path, 1), dotted(path), (
                    "a YAML alias refers to itself (allowed: aliases to earlier values)"
                ))])
            active.add(id(node))
            tag = getattr(getattr(node, "tag", None), "value", None)
            if tag is not None:
                problems.append(ErrorLine(label, lines.get(path, 1), dotted(path), (
                    f"a YAML tag ({tag}) is not allowed here (allowed: plain values)"
                )))
                active.discard(id(node))
                return None
            try:
                if isinstance(node, CommentedMap):
                    out: dict = {}
                    for key in node:
                        value = node[key]
                        try:
                            line = node.lc.key(key)[0] + 1
                        except (KeyError, TypeError, AttributeError, IndexError):
                            line = lines.get(path, 1)
                        if not isinstance(key, str):
                            problems.append(ErrorLine(label, line, dotted(path), (
                                f"a key must be text, not {show_value(key)} (allowed: "
                                "text keys; quote keys that look like numbers)"
                            )))
                            continue
                        sub = (*path, key)
                        lines[sub] = line
                        out[key] = walk(value, sub)
                    return out
                items = []
                for i, value in enumerate(node):
                    try:
                        line = node.lc.item(i)[0] + 1
                    except (KeyError, TypeError, AttributeError, IndexError):
                        line = lines.get(path, 1)
                    sub = (*path, i)
                    lines[sub] = line
                    items.append(walk(value, sub))
                return items
            finally:
                active.discard(id(node))
        if isinstance(node, TaggedScalar) or type(node).__module__.startswith("ruamel"):
            if isinstance(node, str | int | float | bool):
                # ruamel's scalar subclasses (quoted strings, formatted numbers): keep the value.
                return _base_value(node)
            problems.append(ErrorLine(label, lines.get(path, 1), dotted(path), (
                "a YAML tag or object is not allowed here (allowed: plain values)"
            )))
            return None
        if isinstance(node, _dt.datetime | _dt.date):
            return node.isoformat()
        return node

    return walk(node, path)


def _base_value(node: Any) -> Any:
    for base in (bool, int, float, str):
        if isinstance(node, base):
            return base(node)
    return node



"""Read a case file: YAML with line numbers, validated into an immutable `Scenario`.

Every problem becomes one line ``FILE:LINE: path.to.field: what is wrong (what is allowed)``,
collected in a `CaseError`; nothing else escapes (no traceback for broken YAML, an empty, binary
or missing file).  ruamel.yaml is used rather than PyYAML because its round-trip loader keeps
the line of every key and item, which the messages need.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from blocs.scenario.scenario import Scenario
from blocs.scenario.schema import Case
from blocs.scenario.validate import check_case
from blocs.text import printable
from blocs.textfile import NotReadable, read_limited

MAX_NODES = 200_000  # a case has a few thousand; more means alias bombs or a wrong file
MAX_BYTES = 2_000_000  # 40x the Serbia case; the pure-Python parser takes ~1 s per 100 KB
MAX_DEPTH = 64  # nesting of [ and {: a case needs 4; the parser recurses on each level


@dataclass(frozen=True)
class Problem:
    """One problem in a case file."""

    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        return one_line(f"{self.file}:{self.line}: {self.path}: {self.message}")


def one_line(text: str) -> str:
    """``text`` with line breaks and other unprintable characters escaped (``\\n``), so a
    problem never spreads over several lines whatever the file contains."""
    return printable(text)


class CaseError(Exception):
    """A case file that cannot be used; ``problems`` lists every reason, one line each."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line))
        super().__init__("\n".join(str(p) for p in self.problems))


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
        raise CaseError([Problem(label, 1, "(file)", f"{reason} (allowed: {allowed})")]) from None
    return load_bytes(data, label, default_id=path.stem)


def load_bytes(data: bytes, label: str, default_id: str | None = None) -> Scenario:
    """Validate the bytes of a case file; ``label`` names it in messages."""
    if len(data) > MAX_BYTES:
        raise CaseError([Problem(label, 1, "(file)", (
            f"{len(data)} bytes is too large for a case file (allowed: up to {MAX_BYTES})"
        ))])
    if b"\x00" in data:
        offset = data.index(b"\x00")
        raise CaseError([Problem(label, data.count(b"\n", 0, offset) + 1, "(file)", (
            "a binary file: NUL byte (allowed: a UTF-8 YAML text file)"
        ))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CaseError([Problem(label, data.count(b"\n", 0, exc.start) + 1, "(file)", (
            f"byte 0x{data[exc.start]:02x} is not UTF-8 (allowed: a UTF-8 YAML text file)"
        ))]) from None
    return load_text(text, label, default_id=default_id)


def load_text(text: str, label: str, default_id: str | None = None) -> Scenario:
    """Validate the text of a case file; ``label`` names it in messages."""
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise CaseError([Problem(label, 1, "(file)", (
            "empty file (allowed: a YAML mapping with format: 1, name, focus, year, "
            "sources and actors; see docs/case-format.md)"
        ))])
    _check_depth(text, label)
    raw = _parse_yaml(text, label)
    if _ANCHOR.search(text) and _ALIAS.search(text):
        _check_recursive_aliases(text, label)
    lines: dict[tuple, int] = {}
    problems: list[Problem] = []
    data = _plain(raw, (), lines, problems, label)
    if problems:
        raise CaseError(problems)
    if not isinstance(data, dict):
        raise CaseError([Problem(label, 1, "(file)", (
            f"the document is {_kind_of(data)} (allowed: a mapping of keys such as "
            "format, name, focus, year, sources, actors)"
        ))])
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        raise CaseError(_translate(exc, data, lines, label)) from None
    cross = check_case(case)
    if cross:
        raise CaseError(
            Problem(label, _line_of(path, lines), _dotted(path), msg) for path, msg in cross
        )
    return Scenario(case=case, case_id=case.id or default_id or "case", label=label)


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
                raise CaseError([Problem(label, text.count("\n", 0, pos) + 1, "(yaml)", (
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
        raise CaseError([Problem(label, line, "(yaml)", (
            f"YAML syntax error: {what} (allowed: valid YAML)"
        ))]) from None
    except ReaderError as exc:
        line = text.count("\n", 0, max(int(exc.position), 0)) + 1
        raise CaseError([Problem(label, line, "(yaml)", (
            f"character {_codepoint(exc.character)} is not allowed in YAML "
            "(allowed: printable text)"
        ))]) from None
    except (YAMLError, RecursionError, ValueError, TypeError, AttributeError) as exc:
        # ruamel raises a handful of unmarked errors on pathological input (deep nesting,
        # odd tags); they are all one thing to the user: the YAML cannot be read.
        what = type(exc).__name__ if isinstance(exc, RecursionError) else str(exc).split("\n")[0]
        raise CaseError([Problem(label, 1, "(yaml)", (
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
            raise CaseError([Problem(label, node.start_mark.line + 1, "(yaml)", (
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
            raise CaseError([Problem(label, 1, "(yaml)", (
                f"more than {MAX_NODES} values, usually YAML aliases expanding "
                "(allowed: a case file of ordinary size)"
            ))])
        if isinstance(node, CommentedMap | CommentedSeq):
            if id(node) in active:
                raise CaseError([Problem(label, lines.get(path, 1), _dotted(path), (
                    "a YAML alias refers to itself (allowed: aliases to earlier values)"
                ))])
            active.add(id(node))
            tag = getattr(getattr(node, "tag", None), "value", None)
            if tag is not None:
                problems.append(Problem(label, lines.get(path, 1), _dotted(path), (
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
                            problems.append(Problem(label, line, _dotted(path), (
                                f"a key must be text, not {_show(key)} (allowed: text keys; "
                                "quote keys that look like numbers)"
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
            problems.append(Problem(label, lines.get(path, 1), _dotted(path), (
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


def _kind_of(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "a structured value"


def _dotted(path: tuple) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and _PLAIN_KEY.match(part):
            out += ("." if out else "") + part
        else:
            out += f"[{part!r}]"
    return out or "(top)"


_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


def _line_of(path: tuple, lines: dict) -> int:
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return 1


# ---------------------------------------------------------------------------------------------
# pydantic errors into user messages


def _translate(exc: ValidationError, data: Any, lines: dict, label: str) -> list[Problem]:
    grouped: dict[tuple, list[dict]] = {}
    branch_only: dict[tuple, bool] = {}
    for err in exc.errors():
        path, skipped = _data_path(err["loc"], data)
        # A union's branches report under tags that name no data ("list[Border]", "int"); a
        # branch that failed at the top is noise when another one got deeper into the data.
        is_branch = any(
            part != "[key]" and not (err["type"] == "missing" and part == err["loc"][-1])
            for part in skipped
        )
        grouped.setdefault(path, []).append(err)
        branch_only[path] = branch_only.get(path, True) and is_branch
    problems = []
    for path, errs in grouped.items():
        if branch_only[path] and any(
            len(other) > len(path) and other[: len(path)] == path for other in grouped
        ):
            continue
        problems.append(
            Problem(label, _line_of(path, lines), _dotted(path), _message(path, errs, data))
        )
    return problems


def _data_path(loc: tuple, data: Any) -> tuple[tuple, list]:
    """Split a pydantic ``loc`` into the path of what it names in the data, and the parts
    that name nothing there (union tags, a missing key, '[key]')."""
    path: list = []
    skipped: list = []
    node = data
    for part in loc:
        if isinstance(node, dict) and not isinstance(part, int | float) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, int) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        else:
            skipped.append(part)
    return tuple(path), skipped


def _message(path: tuple, errs: list[dict], data: Any) -> str:
    value = _value_at(data, path)
    types_ = {e["type"] for e in errs}
    # A bad key first: the whole entry hangs on it.
    if any("[key]" in e["loc"] for e in errs):
        return f"key {_show(path[-1])} is not valid (allowed: {_describe_key(path[:-1], data)})"
    # A missing key names the key after the data path.
    missing = sorted({str(e["loc"][-1]) for e in errs if e["type"] == "missing"})
    if missing:
        need = "; ".join(f"{m}: {_describe_missing(path, m, data)}" for m in missing)
        return f"missing required field{'s' if len(missing) > 1 else ''} " \
               f"{', '.join(missing)} (add {need})"
    if "extra_forbidden" in types_:
        allowed = _allowed_keys(path[:-1], data)
        return f"unknown key {_show(path[-1])} (allowed: {', '.join(allowed) or 'none'})"
    if types_ <= {"dict_type", "model_type", "model_attributes_type"}:
        return (f"expected a mapping (key: value), found {_kind_of(value)} "
                f"(allowed: {_describe(path, data) or 'a mapping'})")
    if types_ == {"list_type"}:
        return f"expected a list, found {_kind_of(value)} (allowed: a list, [a, b] or - a)"
    if "too_short" in types_ and isinstance(value, list | dict):
        return f"is empty (allowed: {_describe(path, data) or 'at least one entry'})"
    if "literal_error" in types_ and len(types_) == 1:
        expected = errs[0].get("ctx", {}).get("expected", "")
        return f"{_show(value)} is not allowed (allowed: {expected})"
    if "finite_number" in types_:
        return f"{_show(value)} is not a finite number (allowed: {_describe(path, data)})"
    allowed = _describe(path, data)
    if types_ & {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        return f"{_show(value)} is out of range (allowed: {allowed})"
    if types_ & {"float_type", "int_type", "int_from_float", "float_parsing", "int_parsing"}:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return f"{_show(value)} is not allowed here (allowed: {allowed})"
        return f"{_show(value)} is not a number (allowed: {allowed})"
    if types_ & {"string_type", "string_pattern_mismatch", "string_too_short",
                 "string_too_long"}:
        return f"{_show(value)} is not valid (allowed: {allowed or 'a text'})"
    if allowed:
        return f"{_show(value)} is not valid (allowed: {allowed})"
    return f"{_show(value)}: {errs[0]['msg']} (allowed: see docs/case-format.md)"


def _describe_missing(path: tuple, key: str, data: Any) -> str:
    """What a missing required key must hold, in words."""
    tp, _ = _field_type(path, data)
    tp, _ = _unwrap(tp, _value_at(data, path) if path else data)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        field = _model_field(tp, key)
        if field is not None:
            words = [field.description] if field.description else _descriptions(
                field.annotation)
            if words:
                return " or ".join(words)
    return "a value"


def _describe_key(path: tuple, data: Any) -> str:
    tp, _ = _field_type(path, data)
    tp, _ = _unwrap(tp, _value_at(data, path) if path else data)
    if typing.get_origin(tp) is dict:
        return " or ".join(_descriptions(typing.get_args(tp)[0])) or "a text key"
    return "a text key"


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "an empty value"
    text = repr(value) if isinstance(value, str) else str(value).lower() if isinstance(
        value, bool) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _value_at(data: Any, path: tuple) -> Any:
    node = data
    for part in path:
        node = node[part]
    return node


def _field_type(path: tuple, data: Any) -> tuple[Any, list[FieldInfo]]:
    """The declared type at ``path`` (annotations unwrapped) and the FieldInfos met on the way."""
    tp: Any = Case
    infos: list[FieldInfo] = []
    node = data
    for part in path:
        tp, infos = _unwrap(tp, node)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = _model_field(tp, part)
            if field is None:
                return None, []
            tp, infos = field.annotation, [field]
        elif typing.get_origin(tp) is dict:
            tp, infos = typing.get_args(tp)[1], []
        elif typing.get_origin(tp) is list:
            tp, infos = typing.get_args(tp)[0], []
        else:
            return None, []
        node = node[part] if isinstance(node, dict | list) else None
    return tp, infos


def _model_field(model: type[BaseModel], key: Any) -> FieldInfo | None:
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return field
    return None


def _unwrap(tp: Any, value: Any) -> tuple[Any, list[FieldInfo]]:
    """Strip Annotated/Optional/Union to the branch that fits ``value``'s shape."""
    infos: list[FieldInfo] = []
    while True:
        if typing.get_origin(tp) is typing.Annotated:
            args = typing.get_args(tp)
            infos.extend(a for a in args[1:] if isinstance(a, FieldInfo))
            tp = args[0]
            continue
        if typing.get_origin(tp) in (typing.Union, types.UnionType):
            branches = [a for a in typing.get_args(tp) if a is not type(None)]
            pick = None
            for branch in branches:
                base = branch
                while typing.get_origin(base) is typing.Annotated:
                    base = typing.get_args(base)[0]
                origin = typing.get_origin(base) or base
                if isinstance(value, dict) and (origin is dict or (
                        isinstance(origin, type) and issubclass(origin, BaseModel))):
                    pick = branch
                    break
                if isinstance(value, list) and origin is list:
                    pick = branch
                    break
            if pick is None:
                return tp, infos
            tp = pick
            continue
        return tp, infos


def _describe(path: tuple, data: Any) -> str:
    """What the schema allows at ``path``, in words."""
    tp, infos = _field_type(path, data)
    words = [i.description for i in infos if i.description]
    if not words:
        words = _descriptions(tp)
    unique: list[str] = []
    for w in words:
        if w not in unique:
            unique.append(w)
    return " or ".join(unique)


def _descriptions(tp: Any) -> list[str]:
    out: list[str] = []
    if typing.get_origin(tp) is typing.Annotated:
        args = typing.get_args(tp)
        own = [a.description for a in args[1:] if isinstance(a, FieldInfo) and a.description]
        out += own or _descriptions(args[0])
    elif typing.get_origin(tp) in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            if arg is not type(None):
                out += _descriptions(arg)
    elif typing.get_origin(tp) is typing.Literal:
        out.append(" or ".join(repr(a) for a in typing.get_args(tp)))
    elif tp is float:
        out.append("a number")
    elif tp is int:
        out.append("a whole number")
    elif tp is str:
        out.append("a text")
    elif typing.get_origin(tp) is dict:
        out.append("a mapping of id: entry")
    elif typing.get_origin(tp) is list:
        out.append("a list")
    elif isinstance(tp, type) and issubclass(tp, BaseModel):
        out.append("a mapping with keys " + ", ".join(
            f.alias or n for n, f in tp.model_fields.items()))
    return out


def _allowed_keys(path: tuple, data: Any) -> list[str]:
    tp, _ = _field_type(path, data)
    tp, _ = _unwrap(tp, _value_at(data, path) if path else data)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [f.alias or n for n, f in tp.model_fields.items()]
    return []

"""The messages of a case file: one `ErrorLine` per problem, pydantic's errors in words.

Every problem of a case file is one line ``FILE:LINE: path.to.field: what is wrong (what is
allowed)``, an `ErrorLine`; a file that cannot be used raises `CaseError` with all of them.
A warning (questionable but usable, such as a figure dated after the case year) has the same
form and is kept in `Scenario.warnings` (`finding_lines`).
`translate` turns a pydantic ``ValidationError`` into such lines: it finds the data each error
names (past union tags), groups the errors of one value, and says what the schema allows there
from the fields' descriptions and types.  Reading and parsing the file is `blocs.scenario.load`.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from blocs.scenario.schema import Case
from blocs.text import printable


@dataclass(frozen=True)
class ErrorLine:
    """One problem in a case file, printed as one line ``FILE:LINE: path: message``."""

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

    def __init__(self, problems: Iterable[ErrorLine]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line))
        super().__init__("\n".join(str(p) for p in self.problems))


# ---------------------------------------------------------------------------------------------
# paths and values in words


def dotted(path: tuple) -> str:
    """A data path as the messages write it: ``ties[3].to``, ``actors['a b']``; ``(top)``."""
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


def finding_lines(findings: Iterable[tuple[tuple, str]], lines: dict, label: str
                  ) -> list[ErrorLine]:
    """``(path, message)`` findings (`blocs.scenario.validate`: problems, or warnings for
    `Scenario.warnings`) as `ErrorLine`s of the file ``label`` (``lines``: the line of each
    data path)."""
    return [ErrorLine(label, line_of(path, lines), dotted(path), msg) for path, msg in findings]


def line_of(path: tuple, lines: dict) -> int:
    """The line of ``path`` in the file, or of the nearest enclosing value that has one."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return 1


def kind_of(value: Any) -> str:
    """What a value is, in words: ``a list``, ``a number``, ``empty``."""
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


def show_value(value: Any) -> str:
    """A value for a message: a text quoted, a number as written, at most 40 characters."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "an empty value"
    text = repr(value) if isinstance(value, str) else str(value).lower() if isinstance(
        value, bool) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


# ---------------------------------------------------------------------------------------------
# pydantic errors into user messages


def translate(exc: ValidationError, data: Any, lines: dict, label: str) -> list[ErrorLine]:
    """pydantic's errors for ``data`` as one `ErrorLine` each (``lines``: the line of each
    data path), one per value: the errors of a value are worded together."""
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
            ErrorLine(label, line_of(path, lines), dotted(path), _message(path, errs, data))
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
        return (f"key {show_value(path[-1])} is not valid "
                f"(allowed: {_describe_key(path[:-1], data)})")
    # A missing key names the key after the data path.
    missing = sorted({str(e["loc"][-1]) for e in errs if e["type"] == "missing"})
    if missing:
        need = "; ".join(f"{m}: {_describe_missing(path, m, data)}" for m in missing)
        return f"missing required field{'s' if len(missing) > 1 else ''} " \
               f"{', '.join(missing)} (add {need})"
    if "extra_forbidden" in types_:
        allowed = _allowed_keys(path[:-1], data)
        return f"unknown key {show_value(path[-1])} (allowed: {', '.join(allowed) or 'none'})"
    if types_ <= {"dict_type", "model_type", "model_attributes_type"}:
        return (f"expected a mapping (key: value), found {kind_of(value)} "
                f"(allowed: {_describe(path, data) or 'a mapping'})")
    if types_ == {"list_type"}:
        return f"expected a list, found {kind_of(value)} (allowed: a list, [a, b] or - a)"
    if "too_short" in types_ and isinstance(value, list | dict):
        return f"is empty (allowed: {_describe(path, data) or 'at least one entry'})"
    if "literal_error" in types_ and len(types_) == 1:
        expected = errs[0].get("ctx", {}).get("expected", "")
        return f"{show_value(value)} is not allowed (allowed: {expected})"
    if "finite_number" in types_:
        return f"{show_value(value)} is not a finite number (allowed: {_describe(path, data)})"
    allowed = _describe(path, data)
    if types_ & {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        return f"{show_value(value)} is out of range (allowed: {allowed})"
    if types_ & {"float_type", "int_type", "int_from_float", "float_parsing", "int_parsing"}:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return f"{show_value(value)} is not allowed here (allowed: {allowed})"
        return f"{show_value(value)} is not a number (allowed: {allowed})"
    if types_ & {"string_type", "string_pattern_mismatch", "string_too_short",
                 "string_too_long"}:
        return f"{show_value(value)} is not valid (allowed: {allowed or 'a text'})"
    if allowed:
        return f"{show_value(value)} is not valid (allowed: {allowed})"
    return f"{show_value(value)}: {errs[0]['msg']} (allowed: see docs/case-format.md)"


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

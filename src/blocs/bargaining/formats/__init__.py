"""Read other bargaining tools' input files (and blocs case files) as `Problem` lists.

``read_problems(path)`` tells the format from the file (or takes ``format=``) and returns one
`blocs.bargaining.problem.Problem` per issue: positions on the issue's own scale
(``Problem.scale``), saliences converted to [0, 1], capabilities as given, actors in file order.

Formats (`FORMATS`; docs/forecast.md has a small example of each):

* ``blocs``: a blocs case file (YAML) or a built-in case name; one problem per issue.
* ``bdm``: the Bueno de Mesquita / Scholz CSV ``Actor,Capability,Position,Salience``.
* ``decide``: Decide's ``#A/#P/#M/#D`` rows (Stokman's exchange model).
* ``ktab``: KTAB's Spatial Model of Politics CSV (one problem, one or more dimensions).
* ``deu``: the *Decision-making in the EU* TSV of ``shared/validation/deu``.

A file that cannot be read raises `FormatError` (a `blocs.scenario.CaseError`) with one line per
problem, ``FILE:LINE: field: what is wrong (what is allowed)``; nothing else escapes.

The small helpers below (reading a file's text, numbers, collecting problems) are shared by
the readers; the readers themselves are imported lazily, so importing this package is cheap.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from blocs.bargaining.formats.errors import FormatError, problem
from blocs.scenario import ErrorLine
from blocs.textfile import NotReadable, read_limited

if TYPE_CHECKING:  # pragma: no cover
    from blocs.bargaining.problem import Problem

__all__ = [
    "FORMATS",
    "FormatError",
    "detect_format",
    "read_bdm",
    "read_case",
    "read_decide",
    "read_deu",
    "read_ktab",
    "read_problems",
    "reader",
]

#: The formats ``read_problems`` knows, with a one-line description each (in detection order).
FORMATS: dict[str, str] = {
    "blocs": "a blocs case file (YAML) or a built-in case name; one problem per issue",
    "bdm": "BDM/Scholz CSV: Actor,Capability,Position,Salience (or Stakeholder,Resources,...)",
    "decide": "Decide's rows #A actor, #P issue, #M scale point, #D actor issue position "
              "salience power",
    "ktab": "KTAB SMP CSV: scenario line, header, then name, description, capability, "
            "position and salience per dimension",
    "deu": "DEU TSV (Decision-making in the EU): one line per issue, p<actor>/s<actor> columns",
}

_READERS = {
    "blocs": ("blocs.bargaining.formats.case", "read_case"),
    "bdm": ("blocs.bargaining.formats.bdm", "read_bdm"),
    "decide": ("blocs.bargaining.formats.decide", "read_decide"),
    "ktab": ("blocs.bargaining.formats.ktab", "read_ktab"),
    "deu": ("blocs.bargaining.formats.deu", "read_deu"),
}

MAX_BYTES = 50_000_000
MAX_PROBLEMS = 50  # more lines than this are summarised in one line


def _allowed_formats() -> str:
    return ", ".join(FORMATS)


def reader(name: str) -> Callable[..., list[Problem]]:
    """The reader function of format ``name`` (imported on first use)."""
    import importlib

    if name not in _READERS:
        raise ValueError(f"unknown format '{name}' (allowed: {_allowed_formats()})")
    module, func = _READERS[name]
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        raise FormatError([problem("(format)", 1, name, (
            f"the {name} reader is not installed in this copy of blocs "
            f"(allowed: {', '.join(k for k in FORMATS if k != name)})"
        ))]) from None
    return getattr(mod, func)


def __getattr__(attr: str):  # read_bdm, read_decide, ... on first use
    for name, (_, func) in _READERS.items():
        if attr == func:
            return reader(name)
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")


def read_problems(path: str | Path, format: str | None = None) -> list[Problem]:
    """The issues of ``path`` as problems; ``format`` one of `FORMATS`, or None to detect.

    >>> [p.id for p in read_problems("serbia-2024")]
    ['alignment', 'sanctions', 'kosovo']
    """
    if format is None:
        format = detect_format(path)
    read = reader(format)
    if format == "deu":
        # The same whole-file checks (missing, folder, empty, binary) as the readers here.
        read_text(path, "a DEU tab-separated file")
        # An issue no model can weigh is refused, as in every format (backtests keep it).
        return read(path, refuse=True)
    return read(path)


# ---------------------------------------------------------------------------------------------
# detection


_DECIDE_TAG = re.compile(r"""^\s*['"]?(#[APMDO0/]['"]?\s*([\t;,]|$)|#/)""")


def detect_format(path: str | Path) -> str:
    """The format of ``path`` (a name of `FORMATS`) from its name and first lines.

    A bare built-in case name (``"serbia-2024"``) is always the built-in case, format
    ``blocs``, even when a file of that name exists here; write such a file as a path
    (``./serbia-2024``) to have it read (`blocs.scenario.load.is_builtin_name`).

    Raises `FormatError` for a missing, empty or binary file, or one no reader recognises.
    """
    from blocs.scenario.load import is_builtin_name

    p = Path(path)
    if is_builtin_name(path):
        return "blocs"
    if p.suffix.lower() in (".yaml", ".yml"):
        return "blocs"
    label, text = read_text(path, "a file in one of the formats " + _allowed_formats())
    lines = [ln for ln in split_lines(text)[:50] if ln.strip()]
    first = lines[0]
    if _DECIDE_TAG.match(first):
        return "decide"
    if "\t" in first:
        cells = [c.strip().strip('"').strip("'").lower() for c in first.split("\t")]
        if "prnr" in cells and "isnr" in cells:
            return "deu"
    cells = [c.strip().lower() for c in first.split(",")]
    while cells and not cells[-1]:
        cells.pop()
    from blocs.bargaining.formats.bdm import header_kind

    if header_kind(cells) is not None:
        return "bdm"
    if len(cells) >= 4 and _is_int(cells[2]) and _is_int(cells[3]):
        return "ktab"
    if re.match(r"^\s*format\s*:", text, re.MULTILINE) or first.rstrip().endswith(":"):
        return "blocs"
    raise FormatError([problem(label, 1, "(format)", (
        "cannot tell the format from the first line "
        f"(allowed: --format {', '.join(FORMATS)}; see docs/forecast.md)"
    ))])


def _is_int(cell: str) -> bool:
    return re.fullmatch(r"\s*[+-]?\d+\s*", cell) is not None


# ---------------------------------------------------------------------------------------------
# helpers shared by the readers


def read_text(path: str | Path, allowed: str) -> tuple[str, str]:
    """``(label, text)`` of a file; `FormatError` for a missing, unreadable, binary or empty one.

    Only a regular file of at most `MAX_BYTES` bytes is read (`blocs.textfile.read_limited`: a
    named pipe or a device such as ``/dev/zero`` is refused at once, a larger file without
    being read).  Text is UTF-8 (a BOM is dropped), else Latin-1 (old spreadsheet exports);
    ``allowed`` says what the file should be, for the messages.
    """
    label = str(path)
    try:
        data = read_limited(path, MAX_BYTES)
    except NotReadable as exc:
        what = {
            "missing": allowed,
            "folder": allowed,
            "special": f"a regular file, not a pipe, device or socket: {allowed}",
            "too-large": f"up to {MAX_BYTES} bytes",
            "unreadable": "a readable file",
        }[exc.kind]
        raise FormatError([problem(label, 1, "(file)", (
            f"{exc.reason} (allowed: {what})"
        ))]) from None
    if b"\x00" in data:
        offset = data.index(b"\x00")
        line = len(_NEWLINE.split(data[:offset].decode("latin-1")))
        raise FormatError([problem(label, line, "(file)", (
            f"a binary file: NUL byte (allowed: a text file, {allowed})"
        ))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if not text.strip():
        raise FormatError([problem(label, 1, "(file)", f"empty file (allowed: {allowed})")])
    return label, text


_NEWLINE = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` for any line ending (Unix, Windows, old-Mac CR), none dropped but
    a last empty one; line ``i`` of the file is ``lines[i - 1]``."""
    lines = _NEWLINE.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


@dataclass(frozen=True)
class Record:
    """One CSV record: ``cells`` as parsed, the file ``line`` where it starts and the ``last``
    line where it ends (later than ``line`` when a quoted cell holds a line break)."""

    line: int
    last: int
    cells: list[str]


def csv_records(text: str, label: str, **fmtparams: Any) -> list[Record]:
    """The records of ``text`` parsed by one `csv.reader` over the whole text (``fmtparams``:
    its delimiter, quotechar, ...), so a quoted cell may hold line breaks (``"Actor<newline>
    Name",0.1,4,0.5``), as Python's csv reads a file.  Any line ending is read (Unix, Windows,
    old-Mac CR) and becomes ``\\n`` inside a quoted cell; blank lines are left out; line
    numbers are those of `split_lines`.

    A quote that is never closed would swallow the rest of the file into one cell: that record
    is refused with `FormatError` at the line where the quote opens.
    """
    lines = split_lines(text)
    reader = csv.reader((ln + "\n" for ln in lines), **fmtparams)
    out: list[Record] = []
    done = 0  # lines consumed by the records so far
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise FormatError([problem(label, done + 1, "(row)", (
                f"cannot be read as CSV: {exc} (allowed: CSV cells; a quoted cell ends with "
                "its quote)"
            ))]) from None
        start, done = done + 1, reader.line_num
        if start == done and not lines[start - 1].strip():
            continue
        if done == len(lines) and _unclosed(lines[start - 1:], fmtparams):
            raise FormatError([problem(label, start, "(row)", (
                "a quote is never closed: the cell runs to the end of the file (allowed: a "
                "quoted cell ends with its quote; a line break inside quotes continues it)"
            ))])
        out.append(Record(start, done, cells))
    return out


def _unclosed(lines: list[str], fmtparams: dict[str, Any]) -> bool:
    """Whether the last record of a file (its ``lines``) ends inside a quoted cell: Python's
    csv says so in strict mode ("unexpected end of data")."""
    try:
        for _ in csv.reader((ln + "\n" for ln in lines), **{**fmtparams, "strict": True}):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def number(cell: str) -> float | None:
    """The finite number in ``cell`` (surrounding blanks allowed), or None."""
    try:
        x = float(cell.strip())
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def show(cell: str, limit: int = 40) -> str:
    """A cell for a message: quoted, shortened, control characters escaped."""
    cell = cell.strip()
    if len(cell) > limit:
        cell = cell[: limit - 3] + "..."
    return repr(cell) if any(ord(ch) < 32 for ch in cell) else f"'{cell}'"


def fmt_number(x: float) -> str:
    """A number for a message: 160 rather than 160.0."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def raise_problems(problems: list[ErrorLine]) -> None:
    """Raise `FormatError` if there are problems (at most `MAX_PROBLEMS` lines and a count)."""
    if not problems:
        return
    problems = sorted(problems, key=lambda p: p.line)
    if len(problems) > MAX_PROBLEMS:
        rest = len(problems) - MAX_PROBLEMS
        last = problems[MAX_PROBLEMS]
        problems = [*problems[:MAX_PROBLEMS], problem(last.file, last.line, "(file)", (
            f"{rest} more problems not shown (allowed: fix the ones above first)"
        ))]
    raise FormatError(problems)

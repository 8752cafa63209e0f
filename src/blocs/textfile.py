"""Read a user's file with bounded time and memory, for every loader of blocs.

`read_limited(path, limit)` returns the bytes of a regular file of at most ``limit`` bytes, or
raises `NotReadable` saying why not: missing, a folder, not a regular file (a named pipe, a
device such as ``/dev/zero``, a socket), unreadable, or too large.  It never blocks and never
holds more than ``limit + 1`` bytes of the file:

* the path is ``os.stat``-ed first and anything but a regular file is refused before it is
  opened (opening a named pipe would wait for a writer; reading ``/dev/zero`` never ends);
* a regular file whose size is over ``limit`` is refused without reading it;
* the file is opened with ``O_NONBLOCK`` (where the system has it) and checked again with
  ``fstat``, so a pipe put in its place between the two steps is refused too, not waited on;
* at most ``limit + 1`` bytes are read, in chunks (a file that grows, or a ``/proc`` file that
  reports size 0, is cut off there and refused as too large).

The case loader (`blocs.scenario.load`) and the other tools' readers
(`blocs.bargaining.formats`) both use it and turn `NotReadable` into their one-line
``FILE:1: (file): what is wrong (what is allowed)`` problems.  This module imports nothing of
blocs, so either side can use it without importing the other.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO, Literal

Kind = Literal["missing", "folder", "special", "unreadable", "too-large"]

CHUNK = 1 << 20  # bytes read at a time: memory stays near the bytes actually in the file

_SPECIAL = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class NotReadable(Exception):
    """Why a file cannot be used: ``kind`` (one of `Kind`) and ``reason``, the "what is wrong"
    part of a message (``is not a regular file (a named pipe)``); the caller adds what is
    allowed.  ``size`` is the file's size in bytes when known (kind ``too-large``)."""

    def __init__(self, kind: Kind, reason: str, size: int | None = None):
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.size = size


def _special(mode: int) -> str | None:
    """None for a regular file, "a folder", or what other kind of file ``mode`` is."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    return next((what for test, what in _SPECIAL if test(mode)), "a special file")


def _refuse_mode(mode: int) -> None:
    what = _special(mode)
    if what == "a folder":
        raise NotReadable("folder", "is a folder")
    if what is not None:
        raise NotReadable("special", f"is not a regular file ({what})")


def _too_large(size: int | None, limit: int) -> NotReadable:
    if size is not None and size > limit:
        return NotReadable("too-large", f"{size} bytes is too large", size)
    return NotReadable("too-large", f"more than {limit} bytes is too large", None)


def read_at_most(stream: BinaryIO, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of ``stream``, read in chunks of `CHUNK` (so a short file
    costs its own size, not ``limit``); more than ``limit`` bytes back means "too large"."""
    parts: list[bytes] = []
    left = limit + 1
    while left > 0:
        chunk = stream.read(min(left, CHUNK))
        if not chunk:
            break
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def read_limited(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of the regular file ``path`` if it holds at most ``limit`` bytes.

    Raises `NotReadable` (never blocks, never reads more than ``limit + 1`` bytes) for a
    missing path, a folder, anything that is not a regular file, an unreadable file or one
    over ``limit`` bytes.

    >>> read_limited("/dev/zero", 100)
    Traceback (most recent call last):
    ...
    blocs.textfile.NotReadable: is not a regular file (a character device)
    """
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError, ValueError):  # ValueError: a NUL in the name
        raise NotReadable("missing", "no such file") from None
    except OSError as exc:
        raise NotReadable("unreadable", f"cannot be read: {exc.strerror or exc}") from None
    _refuse_mode(info.st_mode)
    if info.st_size > limit:
        raise _too_large(info.st_size, limit)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:  # removed since the stat
        raise NotReadable("missing", "no such file") from None
    except OSError as exc:
        raise NotReadable("unreadable", f"cannot be read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        _refuse_mode(info.st_mode)  # something else put in its place since the stat
        if info.st_size > limit:
            raise _too_large(info.st_size, limit)
        with os.fdopen(fd, "rb", buffering=0) as stream:
            fd = -1  # closed by the `with`
            data = read_at_most(stream, limit)  # type: ignore[arg-type]
    except OSError as exc:
        raise NotReadable("unreadable", f"cannot be read: {exc.strerror or exc}") from None
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > limit:
        raise _too_large(None, limit)
    return data


def write_whole(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all: into a temporary file beside it, then
    renamed over it (atomic on POSIX), with the permissions a new file gets (0666 less the
    umask; `tempfile.mkstemp` alone would leave 0600)."""
    import tempfile
    from pathlib import Path

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)  # nothing half-written stays behind
        raise

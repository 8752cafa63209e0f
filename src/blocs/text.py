"""Text that came from a user's file, made safe to show: every character that is not
printable (control characters, escape sequences, bidirectional overrides, line breaks) is
written as a visible escape, so nothing a file says can move the cursor, clear a terminal or
spread one message over several lines.

Kept free of imports so that the command line's error path stays cheap.

>>> printable("Serbia\\x1b[2J")
'Serbia\\\\x1b[2J'
>>> printable("two\\nlines")
'two\\\\nlines'
>>> printable("two\\nlines", keep_newlines=True)
'two\\nlines'
"""

from __future__ import annotations


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with each unprintable character escaped as Python writes it (``\\x1b``,
    ``\\u202e``); line breaks too unless ``keep_newlines``."""
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() or (keep_newlines and ch == "\n")
        else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )

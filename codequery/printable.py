"""Text from a repository's files as codequery shows it: every character of the text, none
of the terminal's.

A file's comments may hold escape sequences (which recolour or retitle a terminal) and the
\\x02 and \\x03 that mark a snippet's matches; neither may reach a snippet or a terminal.
Everything else is text, though `str.isprintable` says otherwise: the joiners of Persian
(`می‌خواهم`) and of emoji sequences, a no-break space, private-use glyphs.
"""

from __future__ import annotations

import re
import unicodedata

# Whole sequences, not only their ESC, or `[31m` would be left in the text: CSI (colours,
# cursor moves), the string sequences OSC, DCS, SOS, PM and APC (a window title) up to
# their terminator or the line's end, and any other escape (`ESC ( B`).
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]")
# The characters of category Cc, and every whitespace character but the plain space.
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x1f\x7f-\x9f]|[^\S ]")


def printable(text: str, one_line: bool = False) -> str:
    """`text` without escape sequences and control characters (category Cc), its other
    spaces and line or paragraph separators (Zs, Zl, Zp) plain spaces. Tabs and line
    breaks are kept, or are spaces too when the text is to be `one_line` (a snippet)."""

    def replace(found: re.Match[str]) -> str:
        ch = found.group()
        if ch in "\t\n":
            return " " if one_line else ch
        if unicodedata.category(ch) == "Cc":
            return " " if one_line and ch.isspace() else ""
        return " "

    return _CONTROL_OR_SPACE.sub(replace, _ESCAPE_SEQUENCE.sub("", text))


def _plain(ch: str) -> bool:
    return ch.isprintable() and ch not in '"\\'


def shown_path(path: str) -> str:
    """A path as it goes into a line of human output: as it is, or, when it holds a line
    break or another character that is not printable (or a quote or a backslash, which
    would make that ambiguous), quoted and escaped as git does: "new\\nline.py"."""
    if all(_plain(ch) for ch in path):
        return path
    escaped = "".join(ch if _plain(ch) else "\\" + ch if ch in '"\\'
                      else ch.encode("unicode_escape").decode("ascii") for ch in path)
    return f'"{escaped}"'


def typed_path(text: str) -> str | None:
    """The path that `shown_path` printed as `text`, quotes and all or without them (a
    shell takes them off: `show "new\\nline.py"` gets new\\nline.py), if `text` is one
    it quoted; None for any other text."""
    inner = text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text
    if "\\" not in inner and inner == text:
        return None  # nothing escaped and no quotes: not a path shown_path quoted
    try:
        path = inner.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except UnicodeDecodeError:  # a lone backslash at the end
        return None
    return path if shown_path(path) == f'"{inner}"' else None

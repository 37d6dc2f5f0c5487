"""Small text helpers shared by the commands."""

from __future__ import annotations


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h{minutes:02d}m"
    return f"{hours // 24}d{hours % 24}h"


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


def one_line(message: str) -> str:
    """A message as one line on a terminal: what is not printable in it (a line break or
    an escape code in a path someone typed) is written as its escape, as `\\n`."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
                   for ch in message)

"""A search result's snippet as every face gives it, and how a face reads it back.

A snippet is one line of a record with its matches between `**`, as Markdown bolds them.
The text's own `*` and `\\` (Python's **kwargs, C's ***argv, a Windows path) are escaped
as `\\*` and `\\\\`, so every bare `**` is a match's mark even where a match touches the
text's own stars. Reading a snippet is one pass of one tokenizer: `\\` takes the next
character as it is, and a bare `**` opens or closes a match.
"""

from __future__ import annotations

import re

from codequery.lazy_re import lazy

_TOKEN = lazy(r"\\(.)|\*\*", re.DOTALL)


def marked(line: str) -> str:
    """A line whose matches stand between \\x02 and \\x03 (as ranking.snippet gives it,
    the text's own control characters removed) -> the snippet the faces return."""
    escaped = line.replace("\\", "\\\\").replace("*", "\\*")
    return escaped.replace("\x02", "**").replace("\x03", "**")


def runs(snippet: str) -> list[tuple[str, bool]]:
    """A snippet -> its text in pieces, each with whether it is a match:
    `Pass \\*\\***kwargs**` -> [("Pass **", False), ("kwargs", True)]."""
    pieces: list[tuple[str, bool]] = []
    text: list[str] = []
    inside, at = False, 0
    for token in _TOKEN.finditer(snippet):
        text.append(snippet[at:token.start()])
        at = token.end()
        if token.group(1) is not None:
            text.append(token.group(1))
        else:
            pieces.append(("".join(text), inside))
            text, inside = [], not inside
    text.append(snippet[at:])
    pieces.append(("".join(text), inside))
    return [(piece, match) for piece, match in pieces if piece]


"""Wording shared by every face's messages (the CLI, the MCP server, the operations
beneath them and the git hook's fallback), on the standard library only: text a user
gave, repeated in a message, cut when long (a 20 KB paste is not worth echoing whole),
and counts of things."""

from __future__ import annotations


def clip_at_a_word(text: str, limit: int) -> str:
    """`text` (its lines kept) in `limit` characters at most: cut after a whole word, with
    "…" to say so (a word cut in two reads as another word; a text with no break in its
    second half is cut where the limit falls)."""
    text = text.strip()
    if len(text) <= limit:
        return text
    # the last break at which the text up to it and "…" fit in `limit`
    space = max(text.rfind(c, 0, limit) for c in " \n\t")
    kept = text[:space] if space > limit // 2 else text[: limit - 1]
    return kept.rstrip() + "…"


def clipped(text: str, most: int) -> str:
    """`text`, or its first `most` characters and how long it was."""
    return text[:most] + _rest(text, most)


def quoted_clip(text: str, most: int = 60) -> str:
    """`text` quoted, cut to its first `most` characters when longer."""
    return repr(text[:most]) + _rest(text, most)


def _rest(text: str, most: int) -> str:
    return f"... ({len(text)} characters)" if len(text) > most else ""


def plural(n: int, word: str) -> str:
    """`1 file`, `2 files`."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def some_of(items: list[str], most: int) -> str:
    """The first `most` of `items`, then how many more: `a, b, c and 4 more`."""
    more = f" and {len(items) - most} more" if len(items) > most else ""
    return ", ".join(items[:most]) + more

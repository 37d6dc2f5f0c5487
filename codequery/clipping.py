"""Text a user gave, repeated in a message, cut when long: a 20 KB paste is not worth
echoing whole. One rule for the CLI, the MCP server and the operations beneath them."""

from __future__ import annotations


def clipped(text: str, most: int) -> str:
    """`text`, or its first `most` characters and how long it was."""
    return text if len(text) <= most else f"{text[:most]}... ({len(text)} characters)"


def quoted_clip(text: str, most: int = 60) -> str:
    """`text` quoted, cut to its first `most` characters when longer."""
    if len(text) <= most:
        return repr(text)
    return f"{text[:most]!r}... ({len(text)} characters)"

"""The text of a repository's file as the work tree has it now, for ranking (see
proximity): only a regular file inside the repository, and only so far."""

from __future__ import annotations

import os
from pathlib import Path


def text_of(root: Path, path: str, limit: int) -> str | None:
    """The first `limit` characters' worth of `path` (relative to `root`) decoded as
    UTF-8 (bad bytes replaced); None for a file that is gone, unreadable, not a regular
    file, or a link that leads out of the repository."""
    inside = os.path.realpath(root)
    full = os.path.realpath(os.path.join(inside, path))
    if os.path.commonpath((inside, full)) != inside:
        return None
    if not os.path.isfile(full):  # a fifo would block the read
        return None
    try:
        with open(full, "rb") as handle:
            return handle.read(limit).decode("utf-8", errors="replace")
    except (OSError, ValueError):
        return None

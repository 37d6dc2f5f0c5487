"""Whether a record still describes the file on disk. Only results are hashed: cheap."""

from __future__ import annotations

from pathlib import Path

from codequery import git


def is_stale(root: Path, path: str, content_sha: str) -> bool:
    try:
        data = (root / path).read_bytes()
    except OSError:
        return True  # gone (or unreadable): the record describes nothing current
    return git.blob_sha(data) != content_sha

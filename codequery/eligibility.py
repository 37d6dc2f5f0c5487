"""Which tracked files may be documented, and which only get a metadata record.

Never documented: codequery's own state, submodules, excluded paths, symlinks that leave
the repository, missing, binary and oversized files. Secret-looking files (by name or by
content) are hashed for staleness but their content goes nowhere: they get a metadata
record only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from codequery import defaults, git, secrets
from codequery.config import FilesConfig

BINARY_SNIFF_BYTES = 8000  # git's own heuristic: a NUL in the first 8000 bytes


@dataclass(frozen=True)
class Skip:
    path: str
    reason: str


@dataclass(frozen=True)
class Content:
    path: str
    data: bytes
    sha: str
    secret: bool = False


def examine(root: Path, entry: git.TrackedFile, files: FilesConfig) -> Skip | Content:
    path = entry.path
    if path == defaults.STATE_DIR or path.startswith(defaults.STATE_DIR + "/"):
        return Skip(path, "codequery state")
    if entry.mode == git.SUBMODULE_MODE:
        return Skip(path, "submodule")
    if any(fnmatchcase(path, pattern) for pattern in files.exclude):
        return Skip(path, "excluded")
    full = root / path
    names = [path]
    if entry.mode == git.SYMLINK_MODE:
        target = full.resolve()
        if not target.is_relative_to(root.resolve()):
            return Skip(path, "symlink outside the repository")
        # The content read is the target's: a link to an ignored `.env` is a secret.
        names.append(target.relative_to(root.resolve()).as_posix())
    try:
        size = os.stat(full).st_size
    except OSError:
        return Skip(path, "missing")
    if size > files.max_file_bytes:
        return Skip(path, "too large")
    try:
        data = full.read_bytes()
    except OSError:
        return Skip(path, "unreadable")
    if b"\0" in data[:BINARY_SNIFF_BYTES]:
        return Skip(path, "binary")
    secret = (any(secrets.is_secret_name(name, files.secret_patterns) for name in names)
              or secrets.holds_credential(data))
    return Content(path, data, git.blob_sha(data), secret)

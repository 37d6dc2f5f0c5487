"""Which tracked files may be documented, and which only get a metadata record.

Never documented: codequery's own state, submodules, excluded paths, symlinks that leave
the repository, missing, binary and oversized files. Secret-looking files (by name or by
content) are hashed for staleness but their content goes nowhere: they get a metadata
record only.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from codequery import defaults, file_text, git, secrets
from codequery.file_text import link_target, unreachable
from codequery.paths import private

if TYPE_CHECKING:
    from codequery.config import FilesConfig

BINARY_SNIFF_BYTES = 8000  # git's own heuristic: a NUL in the first 8000 bytes
# Formats that are binary whatever their first 8000 bytes hold: a PDF (and an Adobe
# Illustrator `.ai`, a PDF inside) may open with kilobytes of XML metadata, and was
# indexed as 45,000 words of noise (SSH.NET's logos); images, archives, executables.
BINARY_SIGNATURES = (b"%PDF-", b"\x89PNG", b"GIF87a", b"GIF89a", b"\xff\xd8\xff",
                     b"PK\x03\x04", b"\x1f\x8b", b"\x7fELF")


@dataclass(frozen=True)
class Skip:
    path: str
    reason: str


@dataclass(frozen=True)
class Content:
    path: str
    data: bytes
    sha: str
    secret: bool = False  # by name or by content: only metadata is recorded
    secret_name: bool = False  # by name (a key only such names may use)


@lru_cache(maxsize=8)
def _excluder(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns) or "(?!)")


def skip_by_name(path: str, mode: str, files: FilesConfig) -> str | None:
    """Why a tracked path is never documented, judged by its name and mode alone (no file
    read): the reconciler's cheap filter. None if it may be."""
    if path == defaults.STATE_DIR or path.startswith(defaults.STATE_DIR + "/"):
        return "codequery state"
    if mode == git.SUBMODULE_MODE:
        return "submodule"
    if files.exclude and _excluder(tuple(files.exclude)).match(path):
        return "excluded"
    return None


def rules_stamp(files: FilesConfig) -> str:
    """The settings a content verdict (too large, binary) depends on: a remembered skip
    counts only while they are unchanged."""
    return f"max_file_bytes={files.max_file_bytes}"


def examine(root: Path, entry: git.TrackedFile, files: FilesConfig) -> Skip | Content:
    """The verdict on the file as it is on disk."""
    reason = skip_by_name(entry.path, entry.mode, files)
    if reason:
        return Skip(entry.path, reason)
    full = root / entry.path
    names = [entry.path]
    # Where the bytes really come from: a symlink, or a folder on the way replaced by a
    # link, must not bring in a file from outside the repository or from git's or
    # codequery's own folders (.git/config may hold credentials).
    target = link_target(root, entry.path)
    if target is None:
        return Skip(entry.path, unreachable(root, entry.path))
    if private(target):
        return Skip(entry.path, "symlink into .git or .code-query")
    if target != entry.path:
        names.append(target)  # a link to an ignored `.env` is a secret
    try:
        info = os.stat(full)
    except OSError:
        return Skip(entry.path, "missing")
    if not stat.S_ISREG(info.st_mode):  # pyenv links `patches/3.14.0t` to a folder
        if not stat.S_ISDIR(info.st_mode):
            return Skip(entry.path, "not a regular file")  # a fifo would never be read
        return Skip(entry.path, "a link to a folder" if entry.mode == git.SYMLINK_MODE
                    else "a folder now")
    size = info.st_size
    if size > files.max_file_bytes:
        return Skip(entry.path, "too large")
    try:
        data = full.read_bytes()
    except OSError:
        return Skip(entry.path, "unreadable")
    # checked out with CRLF line ends, it is git's blob all the same: documented as that
    data = git.as_stored(data, entry.sha if entry.mode != git.SYMLINK_MODE else None)
    return judge(entry.path, data, files, names)


def judge(path: str, data: bytes, files: FilesConfig, names: list[str] | None = None
          ) -> Skip | Content:
    """The verdict on given content of `path` (from disk or from git's object store)."""
    if len(data) > files.max_file_bytes:
        return Skip(path, "too large")
    body = file_text.as_utf8(data)
    if looks_binary(data, body):
        return Skip(path, "binary")
    by_name = secret_name(names or [path], files)
    secret = by_name or secrets.holds_credential(body)
    # documented as UTF-8, known by the content git and the work tree have
    return Content(path, body, git.blob_sha(data), secret, by_name)


def looks_binary(data: bytes, body: bytes | None = None) -> bool:
    """Whether content (its first BINARY_SNIFF_BYTES are enough) is binary: a NUL in it as
    UTF-8 (`body`, if converted already: UTF-16 has a NUL in every ASCII character, read
    as what its mark says it has none, and no binary signature starts with a mark), or a
    binary format's signature."""
    body = file_text.as_utf8(data) if body is None else body
    return b"\0" in body[:BINARY_SNIFF_BYTES] or data.startswith(BINARY_SIGNATURES)


def secret_name(names: list[str], files: FilesConfig) -> bool:
    """A path (or a symlink's target) named like a secret."""
    return any(_secret_name(name, tuple(files.secret_patterns)) for name in names)


@lru_cache(maxsize=65536)
def _secret_name(name: str, patterns: tuple[str, ...]) -> bool:
    # Cached: the reconciler asks for every tracked path on every run.
    return secrets.is_secret_name(name, patterns)

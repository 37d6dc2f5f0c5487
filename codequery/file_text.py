"""The text of a repository's file as the work tree has it now, for ranking (see
proximity): only a regular file inside the repository, and only so far."""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path


def link_target(root: Path, path: str) -> str | None:
    """A symlink's target, relative to the repository; None if it leads outside."""
    try:
        target = (root / path).resolve()
        top = root.resolve()
    except (OSError, RuntimeError):
        return None
    return target.relative_to(top).as_posix() if target.is_relative_to(top) else None


def text_of(root: Path, path: str, limit: int) -> str | None:
    """The first `limit` bytes of `path` (relative to `root`) decoded as UTF-8 (bad bytes
    replaced); None for a file that is gone, unreadable, not a regular file, or a link
    that leads out of the repository."""
    data = regular_bytes(root, path, limit)
    return None if data is None else as_utf8(data).decode("utf-8", errors="replace")


def regular_bytes(root: Path, path: str, limit: int = -1) -> bytes | None:
    """The bytes of `path` (relative to `root`; the first `limit`, or all), following
    links inside the repository; None for a file that is gone, unreadable, not a regular
    file (a folder, or a fifo, which would wait for a writer forever), or a link that
    leads out of the repository."""
    try:
        inside = Path(os.path.realpath(root))
        full = Path(os.path.realpath(inside / path))
        if not full.is_relative_to(inside):
            return None
        # no link followed (one made since realpath would lead anywhere), no wait for a
        # fifo's writer; then only a regular file is read
        handle = os.open(full, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except (OSError, ValueError):
        return None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return None
        with os.fdopen(os.dup(handle), "rb") as file:
            return file.read(limit)
    except OSError:
        return None
    finally:
        os.close(handle)


# Byte order marks of the encodings other than UTF-8 that text is written in (Visual
# Studio saves some C# files as UTF-16): UTF-32's first, as its little-endian mark starts
# with UTF-16's.
_MARKS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
          (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def as_utf8(data: bytes) -> bytes:
    """`data` as UTF-8 when a byte order mark says it is UTF-16 or UTF-32 text (bad or
    cut-off units replaced; only the mark: empty); otherwise `data` as it is."""
    for mark, codec in _MARKS:
        if data.startswith(mark):
            return data.decode(codec, errors="replace").encode("utf-8")
    return data

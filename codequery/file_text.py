"""The text of a repository's file as the work tree has it now, for ranking (see
proximity): only a regular file inside the repository, and only so far."""

from __future__ import annotations

import codecs
import errno
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
        inside = os.path.realpath(root)
        # no link followed at the end (no wait for a fifo's writer either); a link there
        # is resolved first, below. A folder on the way may be a link: where the file
        # opened really is says whether it is inside.
        handle = os.open(os.path.join(inside, path), _FLAGS)
    except OSError as error:
        return _through_link(inside, path, limit) if error.errno == errno.ELOOP else None
    except ValueError:  # a NUL in the path
        return None
    try:
        where = _opened(handle) or os.path.realpath(os.path.join(inside, path))
        return _read(handle, limit) if _within(where, inside) else None
    finally:
        os.close(handle)


def _through_link(inside: str, path: str, limit: int) -> bytes | None:
    """The bytes of a path whose last part is a link, once resolved inside `inside`."""
    try:
        full = os.path.realpath(os.path.join(inside, path))
        if not _within(full, inside):
            return None
        handle = os.open(full, _FLAGS)  # a link made since realpath would lead anywhere
    except (OSError, ValueError):
        return None
    try:
        return _read(handle, limit)
    finally:
        os.close(handle)


_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW


def _opened(handle: int) -> str | None:
    """Where an open file really is, links resolved, as the kernel says (Linux's /proc;
    None elsewhere, or if it cannot tell): one call instead of one for each folder."""
    try:
        where = os.readlink(f"/proc/self/fd/{handle}")
    except OSError:
        return None
    return where if where.startswith("/") else None  # "pipe:[...]" and the like


def _within(where: str, inside: str) -> bool:
    return where == inside or where.startswith(inside.rstrip("/") + "/")


def _read(handle: int, limit: int) -> bytes | None:
    """A regular file's bytes, the first `limit` or all; None for anything else."""
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            return None
        chunks, got = [], 0
        while limit < 0 or got < limit:
            chunk = os.read(handle, limit - got if limit >= 0
                            else max(info.st_size + 1 - got, 65536))  # + 1: it grew
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)
    except OSError:
        return None


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

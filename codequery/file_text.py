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


def unreachable(root: Path, path: str) -> str:
    """Why a symlink that link_target gives no target for leads nowhere in the
    repository: it (or a link on its way) leads back to itself, or it leads outside."""
    try:
        os.stat(root / path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop"
    return "symlink outside the repository"


def text_of(root: Path, path: str, limit: int) -> str | None:
    """The first `limit` bytes of `path` (relative to `root`) decoded as UTF-8 (bad bytes
    replaced); None for a file that is gone, unreadable, not a regular file, or a link
    that leads out of the repository."""
    data = regular_bytes(root, path, limit)
    return None if data is None else as_utf8(data, cut=len(data) >= limit).decode(
        "utf-8", errors="replace")


def regular_bytes(root: Path, path: str, limit: int = -1) -> bytes | None:
    """The bytes of `path` (relative to `root`; the first `limit`, or all), following
    links inside the repository; None for a file that is gone, unreadable, not a regular
    file (a folder, or a fifo, which would wait for a writer forever), or a link that
    leads out of the repository. Nothing outside is opened (a device there is never
    touched)."""
    try:
        inside = os.path.realpath(root)
        full = os.path.join(inside, path)
        return _looked_up(inside, full, limit) if _O_PATH else _resolved(inside, full, limit)
    except ValueError:  # a NUL in the path
        return None


def _looked_up(inside: str, full: str, limit: int) -> bytes | None:
    """Linux: the path is looked up without opening what it names (O_PATH) and the kernel
    says where that is (one call, where resolving the links would take one for each
    folder); only a regular file inside is then opened, through the lookup itself."""
    try:
        found = os.open(full, _O_PATH | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        info = os.fstat(found)
        where = _opened(found)
        if stat.S_ISLNK(info.st_mode) or where is None:  # a link at the end, or no /proc
            return _resolved(inside, full, limit)
        if not (_within(where, inside) and stat.S_ISREG(info.st_mode)):
            return None
        try:
            handle = os.open(f"/proc/self/fd/{found}", os.O_RDONLY | os.O_NONBLOCK)
        except OSError:  # the lookup cannot be opened again (a /proc that will not)
            return _resolved(inside, full, limit)
    except OSError:
        return None
    finally:
        os.close(found)
    try:
        return _read(handle, limit)
    finally:
        os.close(handle)


def _resolved(inside: str, full: str, limit: int) -> bytes | None:
    """The links of the path resolved first, then only a file inside opened, without
    following a link (one made since would lead anywhere) and, where the kernel can
    tell, checked again for where it is."""
    try:
        real = os.path.realpath(full)
        if not _within(real, inside):
            return None
        handle = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        return _read(handle, limit) if _within(_opened(handle) or real, inside) else None
    finally:
        os.close(handle)


_O_PATH = getattr(os, "O_PATH", 0)  # Linux only


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


def as_utf8(data: bytes, cut: bool = False) -> bytes:
    """`data` as UTF-8 when a byte order mark says it is UTF-16 or UTF-32 text (bad or
    cut-off units replaced; only the mark: empty), or when it is legacy 8-bit text: then
    it is read as Windows-1252, the superset of Latin-1 it is written in ("café" had read
    "caf\ufffd"). Otherwise `data` as it is (a stray byte is replaced when it is read).
    `cut`: the text was read up to a limit, so a character cut off at its end is no
    sign of anything."""
    for mark, codec in _MARKS:
        if data.startswith(mark):
            return data.decode(codec, errors="replace").encode("utf-8")
    if data.isascii():
        return data
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=not cut)
        return data
    except UnicodeDecodeError:
        pass
    # Which reading it is: UTF-8 with a stray byte decodes its other characters well; in
    # legacy text a letter may happen to precede a byte UTF-8 continues with ("é’": E9 92),
    # but few do.
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 127) - bad
    return data if good >= bad else data.decode("cp1252", errors="replace").encode("utf-8")

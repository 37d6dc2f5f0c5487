"""Why a repository's last worker stopped by itself, kept outside the repository.

A worker stops on its own when the index it writes is taken away (`.code-query/` removed by
`git stash --all` or `git clean -x`, the database deleted or replaced, see worker's
_index_lost). Its pid file may be gone with the folder, or come back with it (`git stash
pop`) looking like the file of a worker that was killed. So the reason is written to a
user-level file, `$XDG_STATE_HOME/codequery/stops.json` (one entry a work tree), read by
`worker status`, `status` and `doctor`, and forgotten when a worker starts there again.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from codequery.registry import user_dir

# Entries kept at most: the oldest go first (a machine with many short-lived work trees).
MOST = 200


def _key(root: Path) -> str:
    return os.path.realpath(root)


def notes_file() -> Path:
    return user_dir("XDG_STATE_HOME", ".local/state") / "stops.json"


def _read() -> dict[str, Any]:
    try:
        data = json.loads(notes_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(data: dict[str, Any]) -> None:
    target = notes_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        pass  # a note is a courtesy: a full disk must not stop the worker stopping


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    """One writer at a time (workers of many work trees may stop at once: each read,
    change and write of the file would otherwise drop the others' notes)."""
    import fcntl

    try:
        notes_file().parent.mkdir(parents=True, exist_ok=True)
        handle = open(notes_file().with_name("stops.lock"), "a")  # noqa: SIM115
    except OSError:
        yield  # unwritable: _write says nothing either
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def record(root: Path, pid: int, reason: str) -> None:
    """Worker `pid` of work tree `root` stops by itself, for `reason`."""
    with _locked():
        data, key = _read(), _key(root)
        data.pop(key, None)
        data[key] = {"pid": pid, "reason": reason, "at": time.time()}
        _write(dict(list(data.items())[-MOST:]))


def forget(root: Path) -> None:
    """A worker starts in `root`: the last one's reason is no longer the news."""
    with _locked():
        data = _read()
        if data.pop(_key(root), None) is not None:
            _write(data)


def last(root: Path) -> dict[str, Any] | None:
    """{"pid", "reason", "at"} of the last worker of `root` that stopped by itself."""
    found = _read().get(_key(root))
    if (isinstance(found, dict) and isinstance(found.get("pid"), int)
            and isinstance(found.get("reason"), str)
            and isinstance(found.get("at"), (int, float))):
        return found
    return None

"""worker.pid: written atomically by the consumer itself, trusted only when psutil agrees."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any


def write(path: Path, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    import psutil

    me = psutil.Process()
    info = {"pid": me.pid, "create_time": me.create_time(), "cmdline": me.cmdline(),
            "started_at": time.time(), "python": sys.executable, **(extra or {})}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(info), encoding="utf-8")
    os.replace(tmp, path)
    return info


def read(path: Path) -> dict[str, Any] | None:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and isinstance(info.get("pid"), int) else None


def remove_if_mine(path: Path) -> None:
    remove_if_names(path, os.getpid())


def remove_if_names(path: Path, pid: int) -> None:
    """Remove the pid file if it names `pid` (and not a worker started since)."""
    info = read(path)
    if info and info["pid"] == pid:
        path.unlink(missing_ok=True)


def live_process(path: Path):  # noqa: ANN201 - psutil.Process | None, psutil imported lazily
    """The process the pid file names, if it is still that very process (same pid, start
    time and command line): a recycled pid or a stale file gives None."""
    info = read(path)
    return None if info is None else process_of(info)


def process_of(info: dict[str, Any]):  # noqa: ANN201 - see live_process
    """The process a pid file's contents (see read) name, if it is still that process."""
    import psutil

    try:
        proc = psutil.Process(info["pid"])
        if abs(proc.create_time() - float(info.get("create_time", 0))) > 0.01:
            return None
        if proc.cmdline() != info.get("cmdline"):
            return None
        return proc
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None

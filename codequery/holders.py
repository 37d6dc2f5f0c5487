"""Who holds a job's lease: a process named by its host, its pid AND its start time.

A pid alone lies: a killed worker that nobody reaps (PID 1 in a container without an
init) stays a zombie that `kill(pid, 0)` calls alive, and a recycled pid names another
process. A zombie, a gone process and a process started at another time all hold nothing.
A pid of another host says nothing about this one: such a lease is left to its expiry
(and to the heartbeat of a remote consumer), never released because a local pid is free.
"""

from __future__ import annotations

import functools
import os
import socket
import threading

# A job out on the remote queue: "remote:TOKEN" holds its lease (see remote_work).
REMOTE_PREFIX = "remote:"


@functools.lru_cache(maxsize=4)
def _process(pid: int) -> str:
    import psutil

    return f"{socket.gethostname()}:{pid}@{psutil.Process(pid).create_time():.3f}"


def me() -> str:
    """This thread of this process, as written into a lease (a forked child is another)."""
    return f"{_process(os.getpid())}/{threading.current_thread().name}"


def process_of(holder: str | None) -> str:
    """The process part of a lease owner ("host:pid@start"), without the thread."""
    return (holder or "").split("/", 1)[0]


def alive(holder: str | None) -> bool:
    """Whether the process that wrote `holder` still runs (not a zombie, not a recycled
    pid). Leases written before start times were recorded ("pid/thread") get the benefit of
    the doubt only while that pid runs and is not a zombie; leases of another host (or of
    a remote consumer, "remote:TOKEN") count as alive until they expire."""
    if (holder or "").startswith(REMOTE_PREFIX):
        return True  # the home worker's lease check watches its consumer's heartbeat
    import psutil

    host, pid_text, started = _parts(holder)
    if host is not None and host != socket.gethostname():
        return True
    try:
        proc = psutil.Process(int(pid_text))
        if proc.status() in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD):
            return False
        return not started or abs(proc.create_time() - float(started)) < 0.01
    except (ValueError, psutil.NoSuchProcess, psutil.ZombieProcess):
        return False
    except psutil.AccessDenied:
        return True


def _parts(holder: str | None) -> tuple[str | None, str, str]:
    """(host or None, pid, start time or "") of a lease owner "host:pid@start/thread"."""
    host, colon, local = process_of(holder).rpartition(":")
    pid_text, _, started = local.partition("@")
    return (host if colon else None), pid_text, started


def of_process(holder: str | None, pid: int) -> bool:
    """Whether `holder` is the live process `pid` of this host (a lease of the worker whose
    pid file names it; not another host's process of the same pid, nor one gone)."""
    host, pid_text, _ = _parts(holder)
    return (pid_text == str(pid) and host in (None, socket.gethostname())
            and not (holder or "").startswith(REMOTE_PREFIX) and alive(holder))

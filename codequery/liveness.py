"""Is a worker alive, and how to wake it. Standard library only (used by the git hook).

The consumer holds an exclusive flock on worker.lock for its whole life and the kernel
drops it however the process dies, so "can the lock be taken?" answers "is there no
worker?" exactly: no pid file to trust, no recycled pid to be fooled by.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time

from codequery.paths import RepoPaths

WAKE_FIFO = "worker.wake"


def worker_alive(paths: RepoPaths) -> bool:
    try:
        fd = os.open(paths.lock_file, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def wake_if_alive(paths: RepoPaths) -> bool:
    """Wake the worker if one runs; False if none does."""
    if not worker_alive(paths):
        return False
    wake(paths)
    return True


def acquire(paths: RepoPaths, patience: float = 1.0) -> int | None:
    """Take the worker lock for this process's lifetime; None if another worker has it.

    A prober (`worker_alive`) holds the lock for microseconds, so a starting worker
    retries for a moment before it concludes that another worker is running.
    """
    paths.state_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(paths.lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + patience
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.set_inheritable(fd, False)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                return None
            time.sleep(0.02)


def fifo_path(paths: RepoPaths) -> str:
    return str(paths.state_dir / WAKE_FIFO)


def wake(paths: RepoPaths) -> bool:
    """Nudge the worker's dispatcher; never blocks. False if no worker is listening."""
    try:
        fd = os.open(fifo_path(paths), os.O_WRONLY | os.O_NONBLOCK)
    except OSError:  # ENXIO: nobody reads it; ENOENT: no worker ever ran
        return False
    try:
        os.write(fd, b"\n")
    except OSError as exc:
        if exc.errno != errno.EAGAIN:  # a full pipe already holds a wake-up
            return False
    finally:
        os.close(fd)
    return True

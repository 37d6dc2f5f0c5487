"""Memory a worker gives back to the system after documenting big files.

A worker runs for days. Documenting a file of a few megabytes builds its parse tree
and texts in the C heap; freed, that memory stays with the process (glibc keeps it for
later), so a worker that once met a big file stayed large: a new user's trial saw 49 MiB
grow to 253 MiB and stay there. Measured in process (three 2.9 MB Go files documented by
the builtin documenter): 34 MiB before, 120 MiB after, 106 MiB after a collection, 53
MiB after glibc's malloc_trim. Where there is no glibc (macOS, musl), only the
collection runs.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

# How much a process may grow since it last gave memory back before it gives back again
# (a check costs one read of /proc; a give-back, a collection and a trim, some ms).
GROWTH_BYTES = 64 * 1024 * 1024
# ... and when the last job running ends.
IDLE_GROWTH_BYTES = 16 * 1024 * 1024


def give_back() -> None:
    """Collect garbage cycles, and hand the C heap's free pages back to the system."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None where the C library has none."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None)
        return libc.malloc_trim
    except (OSError, AttributeError):
        return None


class Watch:
    """Gives memory back once the process has grown by GROWTH_BYTES since it last did
    (or since the watch began), or by IDLE_GROWTH_BYTES when its last job running ends:
    what the jobs built is garbage then, not only the part one job freed. One for the
    process (see shared): the workers of many repositories in one process share its
    memory, and its jobs."""

    def __init__(self, growth: int = GROWTH_BYTES, idle_growth: int = IDLE_GROWTH_BYTES
                 ) -> None:
        import psutil

        self._process = psutil.Process()
        self._growth, self._idle_growth = growth, idle_growth
        self._lock = threading.Lock()
        self._running = 0
        self.baseline = self._rss()
        self.given_back = 0  # how many times

    def _rss(self) -> int:
        return self._process.memory_info().rss

    def began(self) -> None:
        """A job began."""
        with self._lock:
            self._running += 1

    def ended(self) -> None:
        """A job ended (however it did): give back if the process grew enough."""
        with self._lock:
            self._running -= 1
            idle = not self._running
        self.check(self._idle_growth if idle else self._growth)

    def check(self, growth: int) -> None:
        """Give back if the process grew by `growth` bytes since the baseline; a thread
        that finds another one at it leaves it to that one."""
        if not self._lock.acquire(blocking=False):
            return
        try:
            grown = self._rss()
            if grown - self.baseline < growth:
                return
            give_back()
            self.given_back += 1
            self.baseline = self._rss()
        finally:
            self._lock.release()
        log.info("gave memory back: %d MiB -> %d MiB", grown >> 20, self.baseline >> 20)


_shared: list[Watch] = []
_making = threading.Lock()


def shared() -> Watch:
    """The process's one Watch."""
    with _making:
        if not _shared:
            _shared.append(Watch())
        return _shared[0]

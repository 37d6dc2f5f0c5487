"""Redis being away, as every thread of a process sees it.

A worker polls Redis from many threads (Huey's workers and scheduler, the remote
consumer, the results collector, the dispatcher); each used to log every failed poll,
with a traceback, a few times a second. Here the process tells the story once: one line
when Redis goes away, one a minute while it stays away, one when it is back; and the
pollers wait longer between tries the longer it has been away.
"""

from __future__ import annotations

import functools
import logging
import threading
import time

log = logging.getLogger(__name__)
STILL_AWAY_SECONDS = 60.0  # how often a lasting outage is logged again
MIN_PAUSE_SECONDS = 0.5
MAX_PAUSE_SECONDS = 5.0  # a poller tries at least this often: Redis back, work goes on


class Outage:
    def __init__(self, where: str) -> None:
        self.where = where  # the redacted URL
        self._lock = threading.Lock()
        self._since: float | None = None
        self._told = 0.0

    def failed(self, exc: BaseException) -> float:
        """Note a call that found Redis away; how long the caller should pause."""
        now = time.monotonic()
        with self._lock:
            if self._since is None:
                self._since = self._told = now
                line = (f"Redis at {self.where} is unreachable ({type(exc).__name__}: {exc}); "
                        f"waiting for it (the work stays in the ledger)")
            elif now - self._told >= STILL_AWAY_SECONDS:
                self._told = now
                line = (f"Redis at {self.where} still unreachable after {now - self._since:.0f}s "
                        f"({type(exc).__name__}: {exc})")
            else:
                line = None
            away_for = now - self._since
        if line:
            log.warning(line)
        return min(max(away_for / 4, MIN_PAUSE_SECONDS), MAX_PAUSE_SECONDS)

    def worked(self) -> None:
        """Note a call that reached Redis (cheap when it was not away)."""
        if self._since is None:
            return
        with self._lock:
            since, self._since = self._since, None
        if since is not None:
            log.info("Redis at %s is back after %.0fs", self.where, time.monotonic() - since)


@functools.lru_cache(maxsize=32)
def of(url: str) -> Outage:
    """The one outage record of `url` in this process."""
    from codequery.redis_link import redact

    return Outage(redact(url))

"""Whether a remote consumer can call its documenter now (the Claude CLI logged in).

A consumer that cannot would take tasks only to hand them back (and held them 300 s
once): it checks before it takes any (`claude auth status`, no model call), takes none
while it cannot, and checks again every RECHECK_SECONDS. A call that finds it blocked all
the same (a login that expired, or a check that could not tell) closes the gate too.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from codequery.blocking import RECHECK_SECONDS

log = logging.getLogger(__name__)


class Gate:
    def __init__(self, check: Callable[[], str | None], who: str) -> None:
        self._check = check  # why no call can work now; None when it can
        self._who = who
        self._lock = threading.Lock()
        self._reason: str | None = None
        self._next_check = 0.0  # 0: never checked

    @property
    def reason(self) -> str | None:
        return self._reason

    @property
    def checked(self) -> bool:
        """Whether it has looked once (until then `reason` is None but says nothing)."""
        return bool(self._next_check)

    def open(self) -> bool:
        """Whether tasks may be taken now (checked first when a check is due)."""
        with self._lock:
            if self._reason is None and self._next_check:
                return True
            if time.monotonic() < self._next_check:
                return False
            return self._recheck()

    def close(self, reason: str) -> None:
        """A call found the documenter blocked: no task is taken until a check says it can
        work again."""
        with self._lock:
            if self._reason is None:
                self._say_closed(reason)
            self._reason = reason
            self._next_check = time.monotonic() + RECHECK_SECONDS

    def _recheck(self) -> bool:
        reason = self._check()
        before, self._reason = self._reason, reason
        self._next_check = time.monotonic() + RECHECK_SECONDS
        if reason is not None and before is None:
            self._say_closed(reason)
        elif reason is None and before is not None:
            log.info("consumer %s can document again; taking tasks", self._who)
        return reason is None

    def _say_closed(self, reason: str) -> None:
        log.warning("consumer %s cannot document: %s; taking no tasks until it can "
                    "(checking every %.0fs)", self._who, reason, RECHECK_SECONDS)

"""Which contents this process's LLM calls are documenting now.

Records are keyed by content: copies of a file (and a file renamed) share one record, and
the second copy is documented by pointing at the first's. That holds one job after
another; with several threads (a worker's, or `document`'s) two copies can reach their
calls at once and both be paid for. A call takes its contents here first; a copy whose
content another thread is describing waits for that call and then takes the record it
left. Copies in other processes (another worker, a remote consumer) are not seen.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterable

_lock = threading.Lock()
_calls: dict[Hashable, threading.Event] = {}


def take(key: Hashable, taken: list[Hashable]) -> threading.Event | None:
    """Take `key` for a call of this thread's: None if it is taken (and added to `taken`,
    under the same lock, so that an interrupt cannot leave it held by no one), else the
    event of the call that holds it, set when that call ends."""
    with _lock:
        event = _calls.get(key)
        if event is None:
            _calls[key] = threading.Event()
            taken.append(key)
        return event


def release(keys: Iterable[Hashable]) -> None:
    """The call that took `keys` has ended, however it ended: who waits goes on."""
    with _lock:
        for key in keys:
            event = _calls.pop(key, None)
            if event is not None:
                event.set()

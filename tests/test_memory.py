"""Memory a worker gives back after big files, in process (real allocations, real RSS)."""

from __future__ import annotations

import os

import psutil
import pytest

from codequery import memory


def _rss() -> int:
    return psutil.Process().memory_info().rss


# real allocations and the process's resident size: glibc's allocator, as the worker runs
# on Linux (another one preloaded, or PYTHONMALLOC=malloc, changes what stays resident)
_OTHER_ALLOCATOR = bool(os.environ.get("LD_PRELOAD") or os.environ.get("PYTHONMALLOC"))


@pytest.mark.skipif(memory._malloc_trim() is None or _OTHER_ALLOCATOR,
                    reason="no glibc malloc_trim here, or another allocator in use")
def test_give_back_returns_freed_heap_to_the_system():
    # many small C allocations (as a parse tree's nodes), freed, and the heap stays large
    # until it is trimmed
    memory.give_back()  # what earlier tests freed is not there to be reused
    before = _rss()
    held = [bytearray(1000) for _ in range(150_000)]  # about 150 MB past pymalloc
    pin = bytearray(1000)  # above them in the heap, still used: its top cannot shrink
    held.clear()
    grown = _rss()
    assert grown > before + 64 * 1024 * 1024  # freed, and still the process's
    memory.give_back()
    assert _rss() < grown - 32 * 1024 * 1024
    del pin


def test_a_watch_gives_back_only_once_the_process_has_grown_enough():
    memory.give_back()  # what earlier tests freed is not there to be reused
    watch = memory.Watch(growth=64 * 1024 * 1024)
    watch.check(64 * 1024 * 1024)
    assert watch.given_back == 0  # no growth yet
    ballast = b"\x01" * (160 * 1024 * 1024)  # written, so resident: past the growth
    assert _rss() - watch.baseline > 64 * 1024 * 1024
    watch.check(64 * 1024 * 1024)
    assert watch.given_back == 1
    del ballast
    watch.check(64 * 1024 * 1024)
    assert watch.given_back == 1  # the baseline moved: not again at once


def test_the_last_job_running_to_end_gives_back_what_grew_past_the_idle_growth():
    memory.give_back()
    watch = memory.Watch(growth=1 << 40, idle_growth=32 * 1024 * 1024)
    watch.began()
    watch.began()
    ballast = b"\x01" * (64 * 1024 * 1024)
    watch.ended()
    assert watch.given_back == 0  # another job still runs: its memory is in use
    watch.ended()
    assert watch.given_back == 1  # the last one: what is left over goes back
    watch.check(16 * 1024 * 1024)
    assert watch.given_back == 1  # the baseline moved: the same memory is not counted again
    del ballast


def test_every_worker_of_a_process_shares_one_watch():
    assert memory.shared() is memory.shared()

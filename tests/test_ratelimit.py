import subprocess
import sys
import threading
import time

import pytest

from codequery import store
from codequery.ratelimit import RateLimiter


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "code_data.db"
    store.connect(path).close()  # migrated once, before any concurrent opener
    return path


def _max_in_window(stamps: list[float], span: float) -> int:
    stamps = sorted(stamps)
    return max(sum(1 for t in stamps[i:] if t < start + span)
               for i, start in enumerate(stamps))


def _hammer(limiter_for, threads: int, seconds: float) -> list[float]:
    stamps: list[float] = []
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def work():
        limiter = limiter_for()
        while limiter.acquire(deadline=end):
            with lock:
                stamps.append(time.monotonic())

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return stamps


def test_four_threads_keep_to_the_rate_with_the_default_burst(db):
    limiter = RateLimiter(db, "documenter:claude", 120)  # 2/s, burst 20
    assert limiter.capacity == 20
    stamps = _hammer(lambda: limiter, threads=4, seconds=2.0)
    # 20 at once, then one every 0.5 s: 24 in 2 s (one more if the last is just in time)
    assert 23 <= len(stamps) <= 25
    for span in (0.5, 1.0, 2.0):
        assert _max_in_window(stamps, span) <= 20 + 2 * span + 1  # +1: stamps taken late


def test_steady_rate_between_threads_with_their_own_limiters(db):
    # A limiter object per thread: the bucket lives in the database, not in the object.
    stamps = _hammer(lambda: RateLimiter(db, "documenter:x", 600, burst=1), threads=4,
                     seconds=1.5)
    assert 13 <= len(stamps) <= 17  # 1 at once, then one every 0.1 s
    assert _max_in_window(stamps, 0.5) <= 1 + 5 + 1
    assert _max_in_window(stamps, 1.0) <= 1 + 10 + 1


_CHILD = """
import sys, time
from pathlib import Path
from codequery.ratelimit import RateLimiter
limiter = RateLimiter(Path(sys.argv[1]), "documenter:shared", 600, burst=1)
start, end = float(sys.argv[2]), float(sys.argv[3])
time.sleep(max(0.0, start - time.time()))
deadline = time.monotonic() + (end - time.time())
while limiter.acquire(deadline=deadline):
    print(time.time(), flush=True)
"""


def test_two_processes_share_one_limit(db):
    start = time.time() + 0.6  # both children imported and waiting by then
    end = start + 1.2
    children = [subprocess.Popen([sys.executable, "-c", _CHILD, str(db), str(start), str(end)],
                                 stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [child.communicate(timeout=30)[0] for child in children]
    assert all(child.returncode == 0 for child in children)
    counts = [len(out.split()) for out in outputs]
    stamps = [float(x) for out in outputs for x in out.split()]
    # One shared 10/s bucket: ~13 in 1.2 s for both together (each alone would get ~13).
    assert 10 <= sum(counts) <= 15, counts
    assert all(n >= 4 for n in counts), counts  # both served, first come first served
    assert _max_in_window(stamps, 1.0) <= 1 + 10 + 1


def test_unlimited_returns_at_once_and_never_opens_the_database(tmp_path):
    path = tmp_path / "never.db"
    limiter = RateLimiter(path, "documenter:command", 0)
    started = time.monotonic()
    assert all(limiter.acquire() for _ in range(10_000))
    assert time.monotonic() - started < 0.5
    assert not path.exists()


def test_deadline_gives_up_at_once_when_the_next_token_comes_too_late(db):
    limiter = RateLimiter(db, "documenter:slow", 6, burst=1)  # one call every 10 s
    assert limiter.acquire()
    started = time.monotonic()
    assert limiter.acquire(deadline=started + 0.3) is False
    assert time.monotonic() - started < 0.2  # known to be hopeless: no waiting


def test_a_wait_is_one_computed_sleep_not_polling(db, monkeypatch):
    limiter = RateLimiter(db, "documenter:fast", 600, burst=1)  # one every 0.1 s
    assert limiter.acquire()
    sleeps: list[float] = []
    real_sleep = time.sleep
    monkeypatch.setattr(time, "sleep", lambda s: (sleeps.append(s), real_sleep(s)))
    started = time.monotonic()
    assert limiter.acquire(deadline=started + 1.0)
    assert 0.08 <= time.monotonic() - started < 0.3
    assert len(sleeps) == 1 and 0.08 <= sleeps[0] <= 0.1


def test_names_have_separate_buckets(db):
    a = RateLimiter(db, "documenter:a", 6, burst=1)
    b = RateLimiter(db, "documenter:b", 6, burst=1)
    assert a.acquire() and b.acquire()
    assert not a.acquire(deadline=time.monotonic())


def test_bucket_refills_from_stored_time(db):
    first = RateLimiter(db, "documenter:r", 600, burst=2)
    assert first.acquire() and first.acquire()
    assert not first.acquire(deadline=time.monotonic())
    time.sleep(0.25)  # 2.5 tokens' worth, but the bucket holds 2
    again = RateLimiter(db, "documenter:r", 600, burst=2)
    now = time.monotonic()
    assert again.acquire(deadline=now) and again.acquire(deadline=now)
    assert not again.acquire(deadline=now)


def test_bad_settings_are_refused(db):
    with pytest.raises(ValueError):
        RateLimiter(db, "x", -1)
    with pytest.raises(ValueError):
        RateLimiter(db, "x", 60, burst=0)
    assert RateLimiter(db, "x", 3).capacity == 1  # a burst of at least one call

"""A rate limit per documenter, shared by every thread and process of one repository.

A token bucket kept in code_data.db (table `rate_buckets`, one row per name): `tokens` and
the wall-clock time they were counted at. Taking a token is one BEGIN IMMEDIATE transaction
that first adds what refilled since `updated_at`. When none is left, the caller books the
next one: it takes it on credit (the count goes below zero, a queue of waiters in one
number), computes the exact time at which that token will have refilled, and sleeps that
long, once. There is no polling, and waiters are served in the order they came: when every
waiter slept until "the next token" and then re-checked, whoever won the race for the write
lock tended to win the next one too (one process got 11 of 12 calls against another).
A caller that would have to wait past its deadline books nothing and gets False at once.

In any span of T seconds at most `burst + per_minute * T / 60` calls get through, so a
minute never sees more than per_minute + burst of them.

Why not pyrate-limiter (4.5): its SQLiteBucket counts with one statement and inserts with
another, so processes race between the two unless it is given a file lock, which needs the
`filelock` package as well (six processes sharing a 5/s bucket got 12 calls in one second);
its count ignores the item's name, so every documenter would need a table of its own,
created outside our migrations; it is a sliding log (a row per call, pruned by a background
thread) where the `rate_buckets` table already holds a two-number bucket; and importing it
costs about 60 ms, asyncio included. Its blocking (compute the delay, sleep, try again) is
sound, but is the re-check scheme described above.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from codequery import ledger, store


class RateLimiter:
    """`per_minute` calls a minute (0: unlimited) for `name`, in bursts of up to `burst`."""

    def __init__(self, db_path: Path, name: str, per_minute: float,
                 burst: int | None = None) -> None:
        if per_minute < 0:
            raise ValueError(f"per_minute must be 0 (unlimited) or more, not {per_minute}")
        if burst is not None and burst < 1:
            raise ValueError(f"burst must be at least 1, not {burst}")
        self.db_path = Path(db_path)
        self.name = name
        self.per_minute = per_minute
        self.rate = per_minute / 60.0  # tokens a second
        # Ten seconds' worth by default: enough to start a few threads at once, too little
        # to spend a minute's allowance in the first second.
        self.capacity = float(burst) if burst is not None else max(1.0, per_minute / 6.0)
        # One connection per limiter, opened late (an unlimited one never opens it) and used
        # by one thread at a time; the ledger's transaction() adds the writer lock on top.
        self._db = store.SharedConnection(db_path)

    @property
    def unlimited(self) -> bool:
        return self.per_minute == 0

    def acquire(self, deadline: float | None = None,
                stop: threading.Event | None = None) -> bool:
        """Take one call's token, waiting for it if need be. With a `deadline` (in
        time.monotonic() terms) return False at once, having booked nothing, when the
        token would come after it. A set `stop` event ends the wait early (the process
        is stopping: the caller checks it and makes no call)."""
        if self.unlimited:
            return True
        wait = self._book(deadline)
        if wait is None:
            return False
        if wait > 0.0:
            if stop is None:
                time.sleep(wait)
            elif stop.wait(wait):
                self._give_back()  # no call will be made: the next caller need not wait
        return True

    def _give_back(self) -> None:
        """Return a token booked and not used."""
        with self._db.lock, ledger.transaction(self._db.get()) as conn:
            conn.execute("UPDATE rate_buckets SET tokens = tokens + 1.0 WHERE name = ?",
                         (self.name,))

    def _book(self, deadline: float | None) -> float | None:
        """Take the next token: 0.0 if it is there now, else the seconds until it will be
        (it is ours then: the stored count already says so); None if that is past the
        deadline."""
        with self._db.lock:
            conn = self._db.get()
            with ledger.transaction(conn):
                now = time.time()
                row = conn.execute("SELECT tokens, updated_at FROM rate_buckets WHERE name = ?",
                                   (self.name,)).fetchone()
                if row is None:
                    tokens = self.capacity  # a new bucket starts full
                else:
                    # max(0, ...): a wall clock set back must not drain the bucket.
                    elapsed = max(0.0, now - row[1])
                    tokens = min(self.capacity, row[0] + elapsed * self.rate)
                # Below 1 the token is booked on credit; it has refilled when the count,
                # growing at `rate` from here, would have reached 1 again.
                wait = max(0.0, (1.0 - tokens) / self.rate)
                if deadline is not None and wait > 0.0 and time.monotonic() + wait > deadline:
                    return None
                conn.execute(
                    "INSERT INTO rate_buckets (name, tokens, updated_at) VALUES (?, ?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET tokens = excluded.tokens, "
                    "updated_at = excluded.updated_at", (self.name, tokens - 1.0, now))
                return wait


    def close(self) -> None:
        self._db.close()

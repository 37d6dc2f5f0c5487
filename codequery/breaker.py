"""A circuit breaker per documenter, shared by every thread and process of one repository.

Its state is a row of `breakers` in code_data.db, so a documenter that keeps failing is
left alone by the worker's threads and by a `codequery document` run alike:

- closed (no row, or `opened_until` NULL): calls go through; failures are counted while
  they follow each other within `window` seconds of the first of them;
- open (`opened_until` in the future): after `failures` such failures, for `cooldown` s;
- half-open (cooldown over): the first caller gets through as the probe (`probing` = 1);
  everyone else is refused until it reports. Success closes the breaker, failure opens it
  for another cooldown.

While a probe is out, `opened_until` holds the end of its lease: a prober that dies
without reporting (a killed worker) would otherwise keep the documenter shut for good,
since the row outlives the process. Times are time.time(), comparable across processes.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from codequery import ledger, store

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half-open"
CALL, PROBE = "call", "probe"  # what admit() lets through


class CircuitBreaker:
    def __init__(self, db_path: Path, name: str, failures: int = 5, window: float = 60.0,
                 cooldown: float = 60.0, probe_lease: float = 600.0) -> None:
        if failures < 1:
            raise ValueError(f"failures must be at least 1, not {failures}")
        self.db_path = Path(db_path)
        self.name = name
        self.threshold = failures
        self.window = window
        self.cooldown = cooldown
        # Longer than any one call may take (a batch to an LLM CLI can run for minutes):
        # a second probe must not start while the first is merely slow.
        self.probe_lease = probe_lease
        self._db = store.SharedConnection(db_path)  # threads take turns on one connection
        self._held = threading.local()  # the lease of the probe this thread was handed

    def allow(self) -> bool:
        """May a call be made now? In half-open state True for a single caller, who must
        then report with record_success() or record_failure()."""
        return self.admit() is not None

    def admit(self) -> str | None:
        """As allow(), saying which: CALL, PROBE (the half-open state's single call, whose
        failure is the documenter's most likely), or None (refused)."""
        with self._db.lock:
            row = self._row()
            if _verdict(row, time.time()) != "probe":
                return CALL if row is None or row["opened_until"] is None else None
            # Reading alone is enough to say yes or no; handing out the probe needs the
            # write lock, and a second look under it, so that exactly one caller gets it.
            conn = self._db.get()
            with ledger.transaction(conn):
                now = time.time()
                if _verdict(self._row(), now) != "probe":
                    return None
                self._held.until = now + self.probe_lease  # this thread's probe, by its lease
                conn.execute("UPDATE breakers SET probing = 1, opened_until = ? WHERE name = ?",
                             (self._held.until, self.name))
                return PROBE

    def record_success(self) -> bool:
        """The documenter works: close the breaker and forget the failures. Whether that
        closed it (it was open, or a probe was out)."""
        with self._db.lock:
            row = self._row()
            if row is None or (row["failures"] == 0 and row["opened_until"] is None):
                return False  # already closed and clean: no write lock for every good call
            with ledger.transaction(self._db.get()) as conn:
                conn.execute("UPDATE breakers SET failures = 0, first_failure_at = NULL, "
                             "opened_until = NULL, probing = 0 WHERE name = ?", (self.name,))
            return row["opened_until"] is not None

    def release_probe(self) -> None:
        """A probe came back with neither success nor failure of the documenter (it is
        blocked, or the API asked to wait): the next caller may probe again, and an open
        breaker stays open."""
        with self._db.lock:
            row = self._row()
            if row is None or not row["probing"]:
                return
            with ledger.transaction(self._db.get()) as conn:
                conn.execute("UPDATE breakers SET probing = 0, opened_until = ? "
                             "WHERE name = ? AND probing = 1", (time.time(), self.name))

    def give_back(self) -> None:
        """As release_probe, for the probe this thread was handed by admit(), if it is still
        the one out: a probe whose breaker reopened meanwhile (a late call failed) and
        went half-open again has a successor, whose pass is not this thread's to free."""
        until = getattr(self._held, "until", None)
        self._held.until = None
        if until is None:
            return
        with self._db.lock, ledger.transaction(self._db.get()) as conn:
            conn.execute("UPDATE breakers SET probing = 0, opened_until = ? "
                         "WHERE name = ? AND probing = 1 AND opened_until = ?",
                         (time.time(), self.name, until))

    def record_failure(self) -> None:
        with self._db.lock, ledger.transaction(self._db.get()) as conn:
            now = time.time()
            row = self._row()
            if row is None:
                failures, first, opened_until, probing = 0, None, None, 0
            else:
                failures, first = row["failures"], row["first_failure_at"]
                opened_until, probing = row["opened_until"], row["probing"]
            if probing:
                # The probe failed (or a call from before it did): shut for another cooldown.
                failures, opened_until, probing = failures + 1, now + self.cooldown, 0
            elif opened_until is not None:
                # Open, or half-open with no probe out yet: a call that started before the
                # breaker opened reports late. Count it; the cooldown and the probe decide.
                failures += 1
            else:
                if first is None or now - first > self.window:
                    failures, first = 0, now  # too long since the first: a new count
                failures += 1
                if failures >= self.threshold:
                    opened_until = now + self.cooldown
            conn.execute(
                "INSERT INTO breakers (name, failures, first_failure_at, opened_until, probing)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                "failures = excluded.failures, first_failure_at = excluded.first_failure_at, "
                "opened_until = excluded.opened_until, probing = excluded.probing",
                (self.name, failures, first, opened_until, probing))

    def state(self) -> dict[str, Any]:
        """For `codequery status` (see described)."""
        with self._db.lock:
            row = self._row()
        return described(row, time.time())

    def _row(self) -> sqlite3.Row | None:
        return self._db.get().execute(
            "SELECT failures, first_failure_at, opened_until, probing FROM breakers "
            "WHERE name = ?", (self.name,)).fetchone()


    def close(self) -> None:
        self._db.close()


def described(row: Any, now: float) -> dict[str, Any]:
    """A breaker's row (None: never failed) as status tells it. `retry_in_s` is the time
    left in an open breaker, 0.0 when a probe may go, and None when closed or while a
    probe is out (its outcome decides); `probing` says whether a probe is out."""
    if row is None or row["opened_until"] is None:
        failures = 0 if row is None else row["failures"]
        return {"state": CLOSED, "failures": failures, "opened_until": None,
                "retry_in_s": None, "probing": False}
    verdict = _verdict(row, now)
    if verdict == "refuse" and not row["probing"]:
        return {"state": OPEN, "failures": row["failures"],
                "opened_until": row["opened_until"],
                "retry_in_s": row["opened_until"] - now, "probing": False}
    probing = verdict == "refuse"
    return {"state": HALF_OPEN, "failures": row["failures"], "opened_until": None,
            "retry_in_s": None if probing else 0.0, "probing": probing}


def state_in(conn: sqlite3.Connection, name: str) -> dict[str, Any]:
    """The state of breaker `name` read through `conn` (doctor's read-only connection),
    as CircuitBreaker.state gives it."""
    row = conn.execute("SELECT failures, opened_until, probing FROM breakers WHERE name = ?",
                       (name,)).fetchone()
    keys = ("failures", "opened_until", "probing")
    return described(None if row is None else dict(zip(keys, row, strict=True)), time.time())


def _verdict(row: sqlite3.Row | None, now: float) -> str:
    """"pass" (closed), "refuse" (open, or a probe is out) or "probe" (the next caller may
    try: the cooldown, or a vanished prober's lease, is over)."""
    if row is None or row["opened_until"] is None:
        return "pass"
    return "refuse" if now < row["opened_until"] else "probe"

"""The job ledger in code_data.db: the source of truth for documentation work.

Huey is only the transport. Every job is a row here; every change of its status is an
event row written in the same transaction. Standard library only: the git hook enqueues
through this module on its fast path.

States: pending -> processing -> completed; processing -> pending (retry, or rescheduled);
processing -> dead (retries used up); dead -> pending (`queue retry`); pending -> cancelled.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import time
from collections import namedtuple
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from codequery.fts_lookup import like_escaped

PENDING, PROCESSING, COMPLETED, DEAD, CANCELLED = (
    "pending", "processing", "completed", "dead", "cancelled")
STATUSES = (PENDING, PROCESSING, COMPLETED, DEAD, CANCELLED)
PRIORITIES = {"high": 0, "normal": 1, "low": 2}
PRIORITY_NAMES = {v: k for k, v in PRIORITIES.items()}
DOCUMENT, DELETE = "document", "delete"
# Upper bounds (s) of the job-duration histogram kept for metrics; migration 6 uses them.
DURATION_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
REDO = "redo"  # document again even if the content is documented already (--force)


_JOB_FIELDS = ("id dataset path operation status priority attempts content_sha created_at "
               "updated_at last_error next_retry_at lease_owner lease_expires_at duration_s")
# A namedtuple, not a dataclass: the git hook imports this module and dataclasses costs 5 ms.
Job = namedtuple("Job", _JOB_FIELDS)


_JOB_COLUMNS = ", ".join(Job._fields)


def _job(row: Sequence) -> Job:
    return Job(*row)


def new_id() -> str:
    return "Q-" + os.urandom(4).hex().upper()


def _unused_id(conn: sqlite3.Connection) -> str:
    """A new job id no job of the ledger has: 32 random bits meet one already taken about
    once in a hundred ledgers of 10,000 jobs (kept until `queue clear`), and a repeated id
    must not stop `init` or a commit's hook."""
    while True:
        job_id = new_id()
        if conn.execute("SELECT 1 FROM jobs WHERE id = ?", (job_id,)).fetchone() is None:
            return job_id


def is_job_id(text: str) -> bool:
    """Shaped like an id `new_id` makes (in any case): "Q-1A2B3C4D"."""
    return re.fullmatch(r"Q-[0-9A-F]{8}", text.strip().upper()) is not None


# Threads of one process queue here for the write lock: a Python lock hands over at once,
# where SQLite's busy handler sleeps 1, 2, 5, 10... ms between tries.
_WRITERS = threading.Lock()


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE: take the write lock up front, so a transaction never fails midway
    because another writer got there first (the busy timeout waits instead)."""
    with _WRITERS:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:  # SQLite rolls back itself on some errors (a full disk)
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def _count_duration(conn: sqlite3.Connection, dataset: str, seconds: float) -> None:
    """Running totals of completed jobs' durations: a histogram that pruning old jobs
    never lowers (what Prometheus counters must be)."""
    conn.execute("INSERT INTO job_duration_totals (dataset, count, sum) VALUES (?, 1, ?) "
                 "ON CONFLICT (dataset) DO UPDATE SET count = count + 1, sum = sum + ?",
                 (dataset, seconds, seconds))
    conn.executemany(
        "INSERT INTO job_duration_buckets (dataset, le, count) VALUES (?, ?, 1) "
        "ON CONFLICT (dataset, le) DO UPDATE SET count = count + 1",
        [(dataset, le) for le in DURATION_BUCKETS if seconds <= le])


def duration_totals(conn: sqlite3.Connection, dataset: str
                    ) -> tuple[list[tuple[float, int]], int, float]:
    """(cumulative (le, count) per bucket, count, sum) of completed jobs' durations."""
    found = dict(conn.execute("SELECT le, count FROM job_duration_buckets WHERE dataset = ?",
                              (dataset,)).fetchall())
    row = conn.execute("SELECT count, sum FROM job_duration_totals WHERE dataset = ?",
                       (dataset,)).fetchone()
    return ([(le, found.get(le, 0)) for le in DURATION_BUCKETS],
            row[0] if row else 0, row[1] if row else 0.0)


def _event(conn: sqlite3.Connection, job_id: str, before: str | None, after: str,
           worker: str | None, detail: str | None, now: float) -> None:
    conn.execute(
        "INSERT INTO job_events (job_id, at, from_status, to_status, worker, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)", (job_id, now, before, after, worker, detail))


Queued = namedtuple("Queued", "id path coalesced")


def enqueue(conn: sqlite3.Connection, dataset: str, items: Sequence[tuple[str, str, str | None]],
            *, priority: str = "normal", worker: str | None = None) -> list[Queued]:
    """Queue (path, operation, content_sha) items in one transaction.

    A path with a pending job is updated in place (coalescing); a path whose job is being
    processed gets a new pending job, done after it. Whether a file needs documenting is
    the caller's question (`reconcile`), not the queue's.
    """
    rank = PRIORITIES[priority]
    now = time.time()
    queued: list[Queued] = []
    with transaction(conn):
        for index, (path, operation, sha) in enumerate(items):
            created = now + index * 1e-6  # keeps the caller's order among equal priorities
            row = conn.execute(
                "SELECT id, priority FROM jobs WHERE dataset = ? AND path = ? AND status = ?",
                (dataset, path, PENDING)).fetchone()
            if row is not None:
                conn.execute(
                    "UPDATE jobs SET operation = CASE operation WHEN 'redo' THEN 'redo' ELSE ? END,"
                    " content_sha = ?, priority = min(priority, ?),"
                    " updated_at = ?, next_retry_at = NULL WHERE id = ?",
                    (operation, sha, rank, now, row[0]))
                queued.append(Queued(row[0], path, True))
                continue
            job_id = _unused_id(conn)
            conn.execute(
                "INSERT INTO jobs (id, dataset, path, operation, status, priority, content_sha, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (job_id, dataset, path, operation, PENDING, rank, sha, created, created))
            _event(conn, job_id, None, PENDING, worker, operation, now)
            queued.append(Queued(job_id, path, False))
    return queued


def _busy(conn: sqlite3.Connection, dataset: str, path: str) -> bool:
    """A job for this path is being processed under a live lease."""
    return conn.execute(
        "SELECT 1 FROM jobs WHERE dataset = ? AND path = ? AND status = ? "
        "AND lease_expires_at >= ?", (dataset, path, PROCESSING, time.time())
    ).fetchone() is not None


def get(conn: sqlite3.Connection, job_id: str) -> Job | None:
    row = conn.execute(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
    return _job(row) if row else None


def _claimable(conn: sqlite3.Connection, job_id: str, now: float) -> Job | None:
    job = get(conn, job_id)
    if job is None or job.status != PENDING:
        return None
    if job.next_retry_at is not None and job.next_retry_at > now:
        return None
    if _busy(conn, job.dataset, job.path):
        # An older job for this file is running; this one follows it (the dispatcher
        # offers it again once that one is done).
        conn.execute("UPDATE jobs SET dispatched_at = NULL WHERE id = ?", (job_id,))
        return None
    return job


def claim(conn: sqlite3.Connection, job_id: str, owner: str, lease_seconds: float) -> Job | None:
    """pending -> processing under a lease, if the job is due and its path is not busy."""
    now = time.time()
    with transaction(conn):
        job = _claimable(conn, job_id, now)
        if job is None:
            return None
        lease_until = now + lease_seconds
        conn.execute(
            "UPDATE jobs SET status = ?, attempts = attempts + 1, lease_owner = ?, "
            "lease_expires_at = ?, updated_at = ? WHERE id = ?",
            (PROCESSING, owner, lease_until, now, job_id))
        _event(conn, job_id, PENDING, PROCESSING, owner, f"attempt {job.attempts + 1}", now)
    return job._replace(status=PROCESSING, attempts=job.attempts + 1, lease_owner=owner,
                   lease_expires_at=lease_until, updated_at=now)


def run_at_once(conn: sqlite3.Connection, job_id: str, owner: str,
                work: Callable[[Job], tuple[Callable[[], None], str | None]]
                ) -> tuple[Job, str | None] | None:
    """pending -> processing -> completed in ONE transaction, for work so quick (a local
    documenter) that holding the write lock through it is cheaper than a lease. Returns the
    job and the detail `work` gave. If `work` raises, nothing at all is written and the
    exception propagates."""
    now = time.time()
    with transaction(conn):
        job = _claimable(conn, job_id, now)
        if job is None:
            return None
        write, detail = work(job)
        write()
        done = time.time()
        conn.execute(
            "UPDATE jobs SET status = ?, attempts = attempts + 1, updated_at = ?, "
            "last_error = NULL, duration_s = ? WHERE id = ?",
            (COMPLETED, done, done - now, job_id))
        _count_duration(conn, job.dataset, done - now)
        _event(conn, job_id, PENDING, PROCESSING, owner, f"attempt {job.attempts + 1}", now)
        _event(conn, job_id, PROCESSING, COMPLETED, owner, detail, done)
    return job._replace(status=COMPLETED, attempts=job.attempts + 1), detail


def complete(conn: sqlite3.Connection, job: Job, owner: str, write: Callable[[], None],
             detail: str | None = None) -> bool:
    """Do `write` and mark the job completed in ONE transaction; False if the lease was lost
    (another worker took the job over), in which case nothing is written."""
    now = time.time()
    with transaction(conn):
        marked = conn.execute(
            "UPDATE jobs SET status = ?, updated_at = ?, lease_owner = NULL, "
            "lease_expires_at = NULL, last_error = NULL, duration_s = ? - updated_at "
            "WHERE id = ? AND status = ? AND lease_owner = ?",
            (COMPLETED, now, now, job.id, PROCESSING, owner)).rowcount
        if not marked:
            return False
        write()
        seconds = conn.execute("SELECT duration_s FROM jobs WHERE id = ?",
                               (job.id,)).fetchone()[0]
        _count_duration(conn, job.dataset, seconds or 0.0)
        _event(conn, job.id, PROCESSING, COMPLETED, owner, detail, now)
    return True


def renew(conn: sqlite3.Connection, jobs: Sequence[Job], owner: str,
          lease_seconds: float) -> bool:
    """Extend the leases of jobs this owner still holds; False if any was lost meanwhile."""
    until = time.time() + lease_seconds
    held = 0
    with transaction(conn):
        for job in jobs:
            held += conn.execute(
                "UPDATE jobs SET lease_expires_at = ? WHERE id = ? AND status = ? "
                "AND lease_owner = ?", (until, job.id, PROCESSING, owner)).rowcount
    return held == len(jobs)


def hand_over(conn: sqlite3.Connection, job: Job, owner: str, new_owner: str,
              lease_seconds: float, detail: str | None = None) -> bool:
    """Pass a held lease to another holder (a remote consumer's token, or back); False if
    `owner` no longer holds it."""
    now = time.time()
    with transaction(conn):
        moved = conn.execute(
            "UPDATE jobs SET lease_owner = ?, lease_expires_at = ? WHERE id = ? AND status = ? "
            "AND lease_owner = ?", (new_owner, now + lease_seconds, job.id, PROCESSING, owner)
        ).rowcount
        if moved:
            _event(conn, job.id, PROCESSING, PROCESSING, owner,
                   detail or f"handed to the remote queue as {new_owner}", now)
    return bool(moved)


def held_by_prefix(conn: sqlite3.Connection, dataset: str, prefix: str
                   ) -> list[tuple[str, str]]:
    """(job id, lease owner) of the processing jobs whose owner starts with `prefix`."""
    return [(row[0], row[1]) for row in conn.execute(
        "SELECT id, lease_owner FROM jobs WHERE dataset = ? AND status = ? "
        "AND substr(lease_owner, 1, ?) = ?", (dataset, PROCESSING, len(prefix), prefix))]


def backoff(attempt: int, base: float, cap: float) -> float:
    """Exponential (base, 2 base, 4 base, ...) up to cap, plus up to 25% jitter."""
    delay = min(cap, base * 2 ** max(attempt - 1, 0))
    import random  # here, not at the top: the git hook never backs off

    return delay + random.uniform(0, delay * 0.25)


def fail(conn: sqlite3.Connection, job: Job, owner: str, error: str, *, max_retries: int,
         base: float, cap: float) -> str | None:
    """A failed attempt: back to pending after a back-off, or dead once retries are used up.
    Returns the new status, or None if the lease was lost."""
    now = time.time()
    with transaction(conn):
        current = get(conn, job.id)
        if current is None or current.status != PROCESSING or current.lease_owner != owner:
            return None
        if current.attempts > max_retries:
            status, retry_at, detail = DEAD, None, error
        else:
            retry_at = now + backoff(current.attempts, base, cap)
            status, detail = PENDING, f"{error} (retry in {retry_at - now:.1f}s)"
        status = _leave_processing(conn, current, status, retry_at, error, now)
        _event(conn, job.id, PROCESSING, status, owner, detail, now)
    return status


def reschedule(conn: sqlite3.Connection, job: Job, owner: str, delay: float,
               reason: str) -> bool:
    """Back to pending without spending an attempt (e.g. the documenter is cooling down)."""
    now = time.time()
    with transaction(conn):
        current = get(conn, job.id)
        if current is None or current.status != PROCESSING or current.lease_owner != owner:
            return False
        conn.execute("UPDATE jobs SET attempts = attempts - 1 WHERE id = ?", (job.id,))
        status = _leave_processing(conn, current, PENDING, now + delay, current.last_error, now)
        _event(conn, job.id, PROCESSING, status, owner, reason, now)
    return True


def count_events(conn: sqlite3.Connection, job_id: str, says: str) -> int:
    """How many of a job's events begin with `says`."""
    return conn.execute("SELECT count(*) FROM job_events WHERE job_id = ? AND detail LIKE ? "
                        "ESCAPE '\\'", (job_id, like_escaped(says) + "%")).fetchone()[0]


def wake(conn: sqlite3.Connection, dataset: str, mark: str) -> int:
    """Pending jobs put back to wait (see reschedule) with a reason ending in `mark` (the
    circuit breaker's): due now, as what they waited for is over. How many."""
    now = time.time()
    with transaction(conn):
        return conn.execute(
            "UPDATE jobs SET next_retry_at = ?, updated_at = ? WHERE dataset = ? AND "
            "status = ? AND next_retry_at > ? AND (SELECT detail FROM job_events AS e WHERE "
            "e.job_id = jobs.id ORDER BY e.id DESC LIMIT 1) LIKE ? ESCAPE '\\'",
            (now, now, dataset, PENDING, now, "%" + like_escaped(mark))).rowcount


def _leave_processing(conn: sqlite3.Connection, job: Job, status: str,
                      retry_at: float | None, error: str | None, now: float) -> str:
    """Leave processing for `status`, which is returned, unless a newer pending job for the
    same path absorbs this one (then: cancelled), since at most one pending job per path may
    exist and the newer one wants the newer content."""
    if status == PENDING and conn.execute(
            "SELECT 1 FROM jobs WHERE dataset = ? AND path = ? AND status = ? AND id != ?",
            (job.dataset, job.path, PENDING, job.id)).fetchone():
        status = CANCELLED
        error = (error or "") + " (superseded by a newer job for this file)"
    conn.execute(
        "UPDATE jobs SET status = ?, next_retry_at = ?, last_error = ?, updated_at = ?, "
        "lease_owner = NULL, lease_expires_at = NULL, dispatched_at = NULL WHERE id = ?",
        (status, retry_at, error, now, job.id))
    return status


def release(conn: sqlite3.Connection, job_id: str, worker: str | None, reason: str, *,
            holder: str) -> bool:
    """processing -> pending for a job whose run broke off outside the documenter (a full
    disk, a locked database), if `holder` (a process) holds it: the attempt is given
    back."""
    now = time.time()
    with transaction(conn):
        job = get(conn, job_id)
        if (job is None or job.status != PROCESSING
                or (job.lease_owner or "").split("/", 1)[0] != holder):
            return False
        conn.execute("UPDATE jobs SET attempts = max(attempts - 1, 0) WHERE id = ?", (job_id,))
        status = _leave_processing(conn, job, PENDING, None, job.last_error, now)
        _event(conn, job_id, PROCESSING, status, worker, reason, now)
    return True


def _holder_alive(owner: str | None) -> bool:
    from codequery import holders  # psutil: never on the git hook's path

    return holders.alive(owner)


def release_processing(conn: sqlite3.Connection, dataset: str, *, only_expired: bool,
                       worker: str | None, refund: bool = False) -> int:
    """processing -> pending for jobs whose holder is gone: past their lease, or (unless
    only_expired) held by a process that no longer runs (a zombie or a recycled pid counts
    as gone), as a new worker finds them. `refund` gives the cut-short attempt back."""
    now = time.time()
    released = 0
    with transaction(conn):
        rows = conn.execute(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE dataset = ? AND status = ?",
                            (dataset, PROCESSING)).fetchall()
        for job in [_job(r) for r in rows]:
            expired = job.lease_expires_at is None or job.lease_expires_at < now
            if not expired and (only_expired or _holder_alive(job.lease_owner)):
                continue
            if refund:
                conn.execute("UPDATE jobs SET attempts = max(attempts - 1, 0) WHERE id = ?",
                             (job.id,))
            status = _leave_processing(conn, job, PENDING, None, job.last_error, now)
            why = "lease expired" if expired else f"worker {job.lease_owner} gone"
            _event(conn, job.id, PROCESSING, status, worker, f"{why}; lease released", now)
            released += 1
    return released


def due_for_dispatch(conn: sqlite3.Connection, dataset: str, *, redispatch_after: float,
                     limit: int = 500) -> tuple[list[Job], float | None]:
    """Pending jobs that are due and that no Huey task carries (never handed over, or handed
    over so long ago that the task must have been lost). Also returns when the next retry
    falls due."""
    now = time.time()
    rows = conn.execute(
        f"SELECT {_JOB_COLUMNS} FROM jobs WHERE dataset = ? AND status = ? "
        "AND (next_retry_at IS NULL OR next_retry_at <= ?) "
        "AND (dispatched_at IS NULL OR dispatched_at < ?) "
        "ORDER BY priority, created_at LIMIT ?",
        (dataset, PENDING, now, now - redispatch_after, limit)).fetchall()
    upcoming = conn.execute(
        "SELECT min(next_retry_at) FROM jobs WHERE dataset = ? AND status = ? "
        "AND next_retry_at > ?", (dataset, PENDING, now)).fetchone()[0]
    return [_job(r) for r in rows], upcoming


def undispatch_pending(conn: sqlite3.Connection, dataset: str) -> int:
    """Every pending job counts as never handed to the transport (whose tasks are gone or
    stale): the dispatcher hands them all over again. How many."""
    with transaction(conn):
        return conn.execute("UPDATE jobs SET dispatched_at = NULL WHERE dataset = ? "
                            "AND status = ?", (dataset, PENDING)).rowcount


def batch_candidates(conn: sqlite3.Connection, job: Job, limit: int) -> list[Job]:
    """Due pending first-try jobs of the same kind (document, or redo) that could share an
    LLM call with `job`."""
    rows = conn.execute(
        f"SELECT {_JOB_COLUMNS} FROM jobs WHERE dataset = ? AND status = ? AND operation = ? "
        "AND attempts = 0 AND id != ? AND (next_retry_at IS NULL OR next_retry_at <= ?) "
        "ORDER BY priority, created_at LIMIT ?",
        (job.dataset, PENDING, job.operation, job.id, time.time(), limit)).fetchall()
    return [_job(r) for r in rows]


def mark_dispatched(conn: sqlite3.Connection, job_ids: Sequence[str]) -> None:
    now = time.time()
    with transaction(conn):
        conn.executemany("UPDATE jobs SET dispatched_at = ? WHERE id = ?",
                         [(now, job_id) for job_id in job_ids])


def retry(conn: sqlite3.Connection, dataset: str, job_ids: Sequence[str] = (), *,
          all_dead: bool = False, worker: str | None = None) -> list[str]:
    """dead (or cancelled) -> pending with a fresh set of attempts: the jobs named, and
    with `all_dead` every dead job besides; each once."""
    now = time.time()
    done: list[str] = []
    with transaction(conn):
        if all_dead:
            job_ids = [*job_ids, *(r[0] for r in conn.execute(
                "SELECT id FROM jobs WHERE dataset = ? AND status = ?", (dataset, DEAD)))]
        for job_id in dict.fromkeys(job_ids):
            job = get(conn, job_id)
            if job is None or job.status not in (DEAD, CANCELLED):
                continue
            if conn.execute("SELECT 1 FROM jobs WHERE dataset = ? AND path = ? AND status = ?",
                            (job.dataset, job.path, PENDING)).fetchone():
                continue  # a newer pending job already covers this file
            conn.execute(
                "UPDATE jobs SET status = ?, attempts = 0, next_retry_at = NULL, "
                "dispatched_at = NULL, updated_at = ? WHERE id = ?", (PENDING, now, job_id))
            _event(conn, job_id, job.status, PENDING, worker, "retry requested", now)
            done.append(job_id)
    return done


def make_due(conn: sqlite3.Connection, job_ids: Sequence[str]) -> None:
    """Pending jobs waiting out a retry back-off may run now (someone runs them by hand)."""
    with transaction(conn):
        conn.executemany("UPDATE jobs SET next_retry_at = NULL WHERE id = ? AND status = ?",
                         [(job_id, PENDING) for job_id in job_ids])


def open_work(conn: sqlite3.Connection, dataset: str
              ) -> dict[tuple[str, str | None], tuple[str, str]]:
    """(path, content sha) -> (job id, status) of every job pending, processing or dead:
    work that is asked for already (a dead job waits for `queue retry`, not for another
    copy of itself)."""
    rows = conn.execute("SELECT path, content_sha, id, status FROM jobs WHERE dataset = ? "
                        "AND status IN (?, ?, ?) ORDER BY created_at",
                        (dataset, PENDING, PROCESSING, DEAD))
    return {(row[0], row[1]): (row[2], row[3]) for row in rows}


def cancel_in(conn: sqlite3.Connection, job_ids: Sequence[str], *, worker: str | None,
              reason: str) -> list[str]:
    """pending -> cancelled, inside the caller's transaction; the ids that were pending."""
    now = time.time()
    done: list[str] = []
    for job_id in job_ids:
        if conn.execute("UPDATE jobs SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
                        (CANCELLED, now, job_id, PENDING)).rowcount:
            _event(conn, job_id, PENDING, CANCELLED, worker, reason, now)
            done.append(job_id)
    return done


def cancel(conn: sqlite3.Connection, job_ids: Sequence[str], worker: str | None = None
           ) -> list[str]:
    with transaction(conn):
        return cancel_in(conn, job_ids, worker=worker, reason="cancelled")


def purge(conn: sqlite3.Connection, job_ids: Sequence[str]) -> list[str]:
    """Forget jobs (not while processing) and their events."""
    done: list[str] = []
    with transaction(conn):
        for job_id in job_ids:
            cur = conn.execute("DELETE FROM jobs WHERE id = ? AND status != ?",
                               (job_id, PROCESSING))
            if cur.rowcount:
                conn.execute("DELETE FROM job_events WHERE job_id = ?", (job_id,))
                done.append(job_id)
    return done


def clear(conn: sqlite3.Connection, dataset: str, older_than_days: float,
          statuses: Sequence[str] = (COMPLETED, CANCELLED)) -> int:
    """Delete finished jobs older than the given age (dead jobs only when asked)."""
    cutoff = time.time() - older_than_days * 86400
    marks = ",".join("?" * len(statuses))
    with transaction(conn):
        ids = [r[0] for r in conn.execute(
            f"SELECT id FROM jobs WHERE dataset = ? AND status IN ({marks}) AND updated_at < ?",
            (dataset, *statuses, cutoff))]
        conn.executemany("DELETE FROM job_events WHERE job_id = ?", [(i,) for i in ids])
        conn.executemany("DELETE FROM jobs WHERE id = ?", [(i,) for i in ids])
    return len(ids)


def jobs(conn: sqlite3.Connection, dataset: str, status: str | None = None,
         limit: int | None = None) -> list[Job]:
    """The newest `limit` jobs (all without one), oldest first."""
    sql = f"SELECT {_JOB_COLUMNS} FROM jobs WHERE dataset = ?"
    args: list = [dataset]
    if status:
        sql += " AND status = ?"
        args.append(status)
    sql += " ORDER BY created_at DESC, id DESC"
    if limit:
        sql += " LIMIT ?"
        args.append(limit)
    return [_job(r) for r in reversed(conn.execute(sql, args).fetchall())]


_EVENT_KEYS = ("id", "job", "at", "from", "to", "worker", "detail", "path")
_EVENT_COLUMNS = "e.id, e.job_id, e.at, e.from_status, e.to_status, e.worker, e.detail, j.path"


def events(conn: sqlite3.Connection, job_id: str | None = None, dataset: str | None = None,
           limit: int = 1000) -> list[dict]:
    sql = f"SELECT {_EVENT_COLUMNS} FROM job_events e LEFT JOIN jobs j ON j.id = e.job_id"
    args: list = []
    if job_id:
        sql += " WHERE e.job_id = ?"
        args.append(job_id)
    elif dataset:
        sql += " WHERE j.dataset = ?"
        args.append(dataset)
    sql += " ORDER BY e.id DESC LIMIT ?"
    args.append(limit)
    # The newest by when they were written; shown in time order: a job done in one
    # transaction writes its `processing` event, stamped when it began, at its end.
    rows = sorted(conn.execute(sql, args).fetchall(), key=lambda row: (row[2], row[0]))
    return [dict(zip(_EVENT_KEYS, row, strict=True)) for row in rows]


def events_after(conn: sqlite3.Connection, dataset: str, after_id: int, limit: int = 500
                 ) -> list[dict]:
    """The dataset's events newer than event `after_id`, oldest first: what a live view
    has not seen yet (event ids only grow)."""
    rows = conn.execute(
        f"SELECT {_EVENT_COLUMNS} FROM job_events e JOIN jobs j ON j.id = e.job_id "
        "WHERE e.id > ? AND j.dataset = ? ORDER BY e.id LIMIT ?",
        (after_id, dataset, limit)).fetchall()
    return [dict(zip(_EVENT_KEYS, row, strict=True)) for row in rows]


def last_event_id(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT coalesce(max(id), 0) FROM job_events").fetchone()[0]


def completed_per_minute(conn: sqlite3.Connection, dataset: str, since: float
                         ) -> dict[int, int]:
    """Minute (seconds since the epoch // 60) -> jobs that completed in it, from `since`."""
    return dict(conn.execute(
        "SELECT CAST(e.at / 60 AS INTEGER), count(*) FROM job_events e "
        "JOIN jobs j ON j.id = e.job_id WHERE e.at >= ? AND e.to_status = ? "
        "AND j.dataset = ? GROUP BY 1", (since, COMPLETED, dataset)).fetchall())


def counts_by_priority(conn: sqlite3.Connection, dataset: str) -> dict[str, dict[str, int]]:
    """state -> priority name -> jobs, every combination present (zero when none)."""
    found = {(s, p): n for s, p, n in conn.execute(
        "SELECT status, priority, count(*) FROM jobs WHERE dataset = ? "
        "GROUP BY status, priority", (dataset,))}
    return {state: {name: found.get((state, rank), 0) for rank, name in PRIORITY_NAMES.items()}
            for state in STATUSES}


def counts(conn: sqlite3.Connection, dataset: str) -> dict[str, int]:
    found = dict(conn.execute("SELECT status, count(*) FROM jobs WHERE dataset = ? "
                              "GROUP BY status", (dataset,)).fetchall())
    return {status: found.get(status, 0) for status in STATUSES}


def stats(conn: sqlite3.Connection, dataset: str, since: float | None = None
          ) -> dict[str, float | None]:
    """Age of the oldest pending job, mean duration of recent jobs (of the last 100 that
    completed at `since` or later: the documenter's settings changed then, and jobs of
    another documenter tell nothing of this one's pace), expired leases, and leases not
    expired yet whose holder is gone."""
    now = time.time()
    oldest = conn.execute("SELECT min(created_at) FROM jobs WHERE dataset = ? AND status = ?",
                          (dataset, PENDING)).fetchone()[0]
    mean = conn.execute(
        "SELECT avg(duration_s) FROM (SELECT duration_s FROM jobs WHERE dataset = ? AND "
        "status = ? AND duration_s IS NOT NULL AND updated_at >= ? "
        "ORDER BY updated_at DESC LIMIT 100)",
        (dataset, COMPLETED, since or 0.0)).fetchone()[0]
    stuck = conn.execute("SELECT count(*) FROM jobs WHERE dataset = ? AND status = ? AND "
                         "lease_expires_at < ?", (dataset, PROCESSING, now)).fetchone()[0]
    # held by a process that is gone (a killed worker) before its lease expires: a worker
    # gives them back when it starts
    orphaned = sum(not _holder_alive(owner) for (owner,) in conn.execute(
        "SELECT lease_owner FROM jobs WHERE dataset = ? AND status = ? AND "
        "lease_expires_at >= ?", (dataset, PROCESSING, now)))
    return {"oldest_pending_age_s": None if oldest is None else now - oldest,
            "mean_duration_s": mean, "stuck": stuck, "orphaned": orphaned}

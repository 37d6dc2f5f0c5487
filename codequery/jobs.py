"""What a worker does with one job: claim it, document the file, complete it atomically."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from codequery import git, ledger
from codequery.config import Config
from codequery.documenters import Documenter, create
from codequery.documenters.errors import DocumenterTimeout
from codequery.documenting import is_current, make_record
from codequery.eligibility import Skip, examine
from codequery.store import Store, connect
from codequery.workspace import Workspace

log = logging.getLogger(__name__)
LEASE_MARGIN_SECONDS = 60.0
DEFERRED = "deferred"  # run() result: back in the queue, no attempt spent


@dataclass
class JobRunner:
    """Shared by the consumer's threads; each thread gets its own database connection."""

    workspace: Workspace

    def __post_init__(self) -> None:
        self._local = threading.local()

    @cached_property
    def config(self) -> Config:
        return self.workspace.config

    @cached_property
    def documenter(self) -> Documenter:
        return create(self.config.documenter)

    @property
    def store(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = Store(connect(self.workspace.paths.data_db), self.config.dataset)
            self._local.store = store
        return store

    def owner(self) -> str:
        return f"{os.getpid()}/{threading.current_thread().name}"

    def lease_seconds(self) -> float:
        return self.config.documenter.timeout_seconds + LEASE_MARGIN_SECONDS

    def run(self, job_id: str, deadline: float | None = None) -> str | None:
        """Returns the job's new status, or None if there was nothing to do.

        With a `deadline` (time.monotonic()), a slow documenter's call is cut short there
        and the job goes back to the queue without spending an attempt.
        """
        conn, owner = self.store.conn, self.owner()
        if getattr(self.documenter, "inline", False):
            started = time.monotonic()
            try:
                job = ledger.run_at_once(conn, job_id, owner, self._prepare)
            except Exception:  # nothing was written; the step-by-step path records why
                log.debug("job %s failed at once; retrying step by step", job_id,
                          exc_info=True)
            else:
                if job is not None:
                    self._log(job, ledger.COMPLETED, started, None)
                return job and job.status
        job = ledger.claim(conn, job_id, owner, self.lease_seconds())
        if job is None:
            return None
        started = time.monotonic()
        try:
            with self._time_limit(deadline):
                write, detail = self._prepare(job)
        except DocumenterTimeout as exc:
            if deadline is not None and time.monotonic() >= deadline - 0.05:
                ledger.reschedule(conn, job, owner, 0.0, f"time budget spent: {exc}")
                self._log(job, DEFERRED, started, "time budget spent")
                return DEFERRED
            return self._failed(job, owner, started, exc)
        except Exception as exc:
            return self._failed(job, owner, started, exc)
        status = ledger.COMPLETED if ledger.complete(conn, job, owner, write, detail) else None
        self._log(job, status or "lost", started, detail)
        return status

    def _failed(self, job: ledger.Job, owner: str, started: float, exc: Exception) -> str | None:
        """The documenter failed: retry later, or give up."""
        error = f"{type(exc).__name__}: {exc}"
        processing = self.config.processing
        status = ledger.fail(self.store.conn, job, owner, error,
                             max_retries=processing.max_retries,
                             base=processing.retry_base_seconds, cap=processing.retry_max_seconds)
        log.debug("job %s failed", job.id, exc_info=True)
        self._log(job, status or "lost", started, error)
        return status

    @contextmanager
    def _time_limit(self, deadline: float | None) -> Iterator[None]:
        """Cap an LLM documenter's per-call timeout at the deadline (hooks have a budget)."""
        full = getattr(self.documenter, "timeout", None)
        if deadline is None or full is None:
            yield
            return
        self.documenter.timeout = max(0.1, min(full, deadline - time.monotonic()))
        try:
            yield
        finally:
            self.documenter.timeout = full

    def _prepare(self, job: ledger.Job):  # noqa: ANN202 - (write callback, detail)
        """Do the slow part (documenting) outside the transaction; return the write."""
        store, path = self.store, job.path
        if job.operation == ledger.DELETE:
            return (lambda: store.delete([path])), "record removed"
        verdict = examine(self.workspace.root, _entry(self.workspace.root, path),
                          self.config.files)
        if isinstance(verdict, Skip):
            return (lambda: store.delete([path])), f"not documented: {verdict.reason}"
        if is_current(store, verdict, self.documenter):
            return (lambda: None), "unchanged"
        record = make_record(verdict, self.documenter).model_dump(mode="json")
        return (lambda: store.put(record)), f"documented by {record['documenter']}"

    def _log(self, job: ledger.Job, status: str, started: float, detail: str | None) -> None:
        line = (f"[QUEUE] {job.id} path={job.path} status={status} "
                f"duration={time.monotonic() - started:.2f}s attempt={job.attempts}")
        if status in (ledger.PENDING, ledger.DEAD) and detail:
            line += f" error={detail}"
        log.info(line)


def _entry(root: Path, path: str) -> git.TrackedFile:
    """What `git ls-files -s` would say, from the file system (no git call per job)."""
    full = root / path
    if full.is_symlink():
        mode = git.SYMLINK_MODE
    elif full.is_dir():
        mode = git.SUBMODULE_MODE
    else:
        mode = "100644"
    return git.TrackedFile(path, mode, "")

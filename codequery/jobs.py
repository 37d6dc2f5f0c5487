"""What a worker does with one job: claim it, document the file, complete it atomically."""

from __future__ import annotations

import logging
import threading
import time
from collections import namedtuple
from collections.abc import Hashable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from codequery import (
    blobs,
    blocking,
    content_key,
    git,
    holders,
    languages,
    ledger,
    trust,
    under_way,
)
from codequery import config as config_mod
from codequery.config import Config
from codequery.documenters import Documenter, create, identity, process
from codequery.documenters.errors import DocumenterError
from codequery.documenting import (
    blank,
    make_record,
    offline_record,
    outlined_record,
    over_the_llm_limit,
    secret_record,
    too_large_for_an_llm,
)
from codequery.eligibility import (
    BINARY_SNIFF_BYTES,
    Content,
    Skip,
    examine,
    judge,
    looks_binary,
    rules_stamp,
    skip_by_name,
)
from codequery.errors import CodeQueryError
from codequery.llm_caller import PROBE_FAILED, USAGE_KEYS, BreakerOpen, LLMCaller
from codequery.reconcile import lang_of
from codequery.records import FileRecord
from codequery.store import Store
from codequery.team_cache import TeamCache, open_cache
from codequery.workspace import Workspace

if TYPE_CHECKING:
    from codequery.remote_work import RemoteWork

log = logging.getLogger(__name__)
LEASE_MARGIN_SECONDS = 60.0
DEFERRED = "deferred"  # run() result: back in the queue, no attempt spent
# How a job put back after its call, the circuit breaker's probe, failed says so
PROBE_FAILED_SAYS = "the circuit breaker's probe failed"
# A job that took the record of the same content documented before (a copy, a rename).
REUSED = "same content documented before"
REMOTE = "remote"  # run() result: handed to the remote queue, its answer comes later
REMOTE_RETRY_SECONDS = 3.0
# A local documenter's job is claimed, documented and written in one transaction (quicker
# than a lease) for files up to this size; a larger one (a generated file of megabytes
# takes the builtin documenter seconds) is documented under a lease, outside the write
# lock, so that the other threads and processes writing the index are not kept waiting.
AT_ONCE_MAX_BYTES = 256 * 1024

# What running a job came to: its new status (completed, pending = retry later, dead,
# deferred = back in the queue with no attempt spent, lost = another worker took it over)
# and the detail the ledger's event got.
JobResult = namedtuple("JobResult", "id path status detail")


@dataclass
class JobRunner:
    """Shared by the consumer's threads; each thread gets its own database connection."""

    workspace: Workspace

    def __post_init__(self) -> None:
        self._local = threading.local()
        self.remote: RemoteWork | None = None  # the home worker on the Redis transport
        self._config: Config | None = None
        self._config_stamp: int | None = None

    @property
    def config(self) -> Config:
        """The repository's config, read again when config.json changes, so that a
        long-running worker follows `init` or an edit (an invalid edit is logged and the
        last good config kept)."""
        path = self.workspace.paths.settings
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            stamp = None
        if self._config is None or stamp != self._config_stamp:
            try:
                fresh = config_mod.load(path)
            except CodeQueryError as exc:
                if self._config is None:
                    raise
                log.error("keeping the previous settings: %s", exc)
            else:
                if self._config is not None and fresh != self._config:
                    log.info("settings changed in %s; using them from now on", path)
                    for derived in ("documenter", "caller", "team_cache"):
                        self.__dict__.pop(derived, None)
                self._config = fresh
            self._config_stamp = stamp
        return self._config

    @cached_property
    def documenter(self) -> Documenter:
        trust.require(self.workspace.paths, self.config.documenter)
        return create(self.config.documenter, self.workspace.root)

    @property
    def identity(self) -> content_key.Identity:
        """From the settings alone: the reconciler needs no runnable documenter."""
        return identity(self.config.documenter, self.workspace.root)

    @cached_property
    def caller(self) -> LLMCaller:
        return LLMCaller(self.workspace.paths.data_db, self.config, self.documenter)

    @cached_property
    def team_cache(self) -> TeamCache | None:
        return open_cache(self.config.cache)

    @property
    def store(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = Store(self.workspace.connect(), self.config.dataset)
            self._local.store = store
        store.dataset = self.config.dataset  # follows a changed config
        return store

    def forget_store(self) -> None:
        """Close this thread's connection: the next job opens another. One opened while
        the database could not be written stays read-only after it can be again."""
        store = getattr(self._local, "store", None)
        self._local.store = None
        if store is not None:
            store.conn.close()

    def owner(self) -> str:
        return holders.me()

    def lease_seconds(self) -> float:
        return self.config.documenter.timeout_seconds + LEASE_MARGIN_SECONDS

    def run(self, job_id: str) -> JobResult | None:
        """The job's new status and what happened, or None if there was nothing to do
        (not due, already taken, or gone)."""
        results = self.run_all(job_id)
        return results[0] if results else None

    def run_all(self, job_id: str, outline_bytes: int | None = None) -> list[JobResult]:
        """Run the job, and any small files batched into the same LLM call with it: a
        result for each, the job's own first (none if there was nothing to do).
        `outline_bytes`: the job's bytes_to_outline, if the caller knows it already."""
        conn, owner = self.store.conn, self.owner()
        if self.documenter.inline and (
                self.bytes_to_outline(job_id) if outline_bytes is None
                else outline_bytes) <= AT_ONCE_MAX_BYTES:
            started = time.monotonic()
            try:
                done = ledger.run_at_once(conn, job_id, owner, self._prepare)
            except Exception:  # nothing was written; the step-by-step path records why
                log.debug("job %s failed at once; retrying step by step", job_id,
                          exc_info=True)
            else:
                if done is None:
                    return []
                job, detail = done
                self._log(job, ledger.COMPLETED, started, detail)
                return [JobResult(job.id, job.path, ledger.COMPLETED, detail)]
        job = ledger.claim(conn, job_id, owner, self.lease_seconds())
        if job is None:
            return []
        started = time.monotonic()
        jobs = [job, *self._batch_mates(job, owner)]
        copies: list[tuple[ledger.Job, threading.Event | None]] = []
        results = self._round(jobs, owner, started, copies)
        if copies:  # held while they wait: the holder's call may take its whole lease
            ledger.renew(conn, [j for j, _ in copies], owner, self.lease_seconds())
            waited = _waited_for(copies, self.config.documenter.timeout_seconds)
            results |= self._round(waited, owner, started, None)  # reused, or called for
        return [results[j.id] for j in jobs]

    def _round(self, jobs: list[ledger.Job], owner: str, started: float,
               copies: list[tuple[ledger.Job, threading.Event | None]] | None
               ) -> dict[str, JobResult]:
        """The jobs run and finished, but the copies set aside (see _work)."""
        taken: list[Hashable] = []
        try:
            outcomes = self._work(jobs, owner, taken, copies)
            return {j.id: self._finish(j, outcomes[j.id], owner, started)
                    for j in jobs if j.id in outcomes}
        finally:  # the records are written: copies waiting for them go on
            under_way.release(taken)

    def bytes_to_outline(self, job_id: str) -> int:
        """How much of a job's file a local documenter would read through: its size, but 0
        for what is settled at once (a removal, a file gone, too large or binary: a skip)."""
        job = ledger.get(self.store.conn, job_id)
        if job is None or job.operation == ledger.DELETE:
            return 0
        return self.file_bytes(job.path)

    def file_bytes(self, rel: str) -> int:
        """How much of the file at `rel` a documenter would read: its size, or 0 when no
        documenter reads it (gone, empty, too large or binary: a skip; a file too large
        for an LLM is outlined offline)."""
        path = self.workspace.root / rel
        size = _size(path)
        if not size or size > self.config.files.max_file_bytes:
            return 0
        try:
            with path.open("rb") as handle:
                head = handle.read(BINARY_SNIFF_BYTES)
        except (OSError, ValueError):
            return 0
        return 0 if looks_binary(head) else size

    def costs_a_call(self, rel: str) -> bool:
        """Whether documenting the file at `rel` would call an LLM documenter, as _prepare
        decides (content documented before aside): not a skip, not blank, not too large
        for an LLM (outlined offline)."""
        size = self.file_bytes(rel)
        if not size or over_the_llm_limit(size):
            return False
        if size > BINARY_SNIFF_BYTES:
            return True  # blank files this large are not worth reading for
        try:
            return not blank(Content(rel, (self.workspace.root / rel).read_bytes(), ""))
        except OSError:
            return False

    def _finish(self, job: ledger.Job, outcome: object, owner: str, started: float
                ) -> JobResult:
        conn = self.store.conn
        if isinstance(outcome, _Handed):
            detail = f"handed to the remote queue ({outcome.token[:8]})"
            self._log(job, REMOTE, started, detail)
            return JobResult(job.id, job.path, REMOTE, detail)
        if isinstance(outcome, _Deferred):
            ledger.reschedule(conn, job, owner, outcome.delay, outcome.reason)
            self._log(job, DEFERRED, started, outcome.reason)
            return JobResult(job.id, job.path, DEFERRED, outcome.reason)
        if isinstance(outcome, Exception):
            return self._failed(job, owner, started, outcome)
        write, detail = outcome
        status = ledger.COMPLETED if ledger.complete(conn, job, owner, write, detail) else None
        self._log(job, status or "lost", started, detail)
        return JobResult(job.id, job.path, status or "lost", detail)

    def _work(self, jobs: list[ledger.Job], owner: str, taken: list[Hashable],
              copies: list[tuple[ledger.Job, threading.Event | None]] | None
              ) -> dict[str, object]:
        """job id -> (write, detail), an exception, or _Deferred. The contents this call
        describes are added to `taken` (see under_way), to be released once their records
        are written; unless `copies` is None, a job whose content another call of this
        process describes (or an earlier job here) goes to `copies` instead, with no
        outcome, to wait for that record (with the event to wait on, None for ours)."""
        outcomes: dict[str, object] = {}
        waiting: list[tuple[ledger.Job, Content]] = []
        for job in jobs:
            try:
                ready = self._prepare(job, call=False)
            except Exception as exc:
                outcomes[job.id] = exc
                continue
            if isinstance(ready, Content):
                waiting.append((job, ready))
            else:
                outcomes[job.id] = ready
        waiting = self._from_team_cache(waiting, outcomes)
        if not waiting:
            return outcomes
        if process.stopping():
            stop = _Deferred(0.0, "the worker is stopping")
            return outcomes | {job.id: stop for job, _ in waiting}
        if self.remote is not None and self.remote.takes(self.config.documenter):
            return outcomes | {job.id: self._hand_out(job, content, owner)
                               for job, content in waiting}

        waiting = self._one_call_a_content(waiting, taken, copies)
        if not waiting:
            return outcomes
        contents = [content for _, content in waiting]

        def renew_leases() -> None:  # the rate limit may have kept us waiting for long
            if not ledger.renew(self.store.conn, [job for job, _ in waiting], owner,
                                self.lease_seconds()):
                raise _LeaseLost()

        try:
            if len(contents) == 1:
                records = {contents[0].path: self.caller.document_one(
                    self.store, contents[0], renew_leases)}
            else:
                records = self.caller.document_batch(self.store, contents, renew_leases)
        except BreakerOpen as exc:
            return outcomes | {job.id: _Deferred(exc.retry_in, str(exc)) for job, _ in waiting}
        except _LeaseLost:  # jobs still held go back to the queue; the others are not ours
            lost = _Deferred(0.0, "a lease ran out while waiting for the rate limit")
            return outcomes | {job.id: lost for job, _ in waiting}
        except Exception as exc:
            if process.stopping():  # killed by our own shutdown: not the file's fault
                stop = _Deferred(0.0, "the worker stopped during the call")
                return outcomes | {job.id: stop for job, _ in waiting}
            return outcomes | {job.id: exc for job, _ in waiting}
        for job, content in waiting:
            record = records.get(content.path)
            if record is None:
                outcomes[job.id] = DocumenterError(
                    "missing from the batch answer; it will be retried alone")
            else:
                outcomes[job.id] = self._write(record, share=True)
        return outcomes

    def _one_call_a_content(self, waiting: list[tuple[ledger.Job, Content]],
                            taken: list[Hashable],
                            copies: list[tuple[ledger.Job, threading.Event | None]] | None
                            ) -> list[tuple[ledger.Job, Content]]:
        """The jobs to call for: those whose contents no call of this process describes
        now (taken for this one, see under_way). The others go to `copies`, with the event
        of the call that describes theirs (None: an earlier job here), to reuse its record
        once written; with `copies` None, or for a forced job (which reuses nothing), they
        are called for all the same."""
        calling = []
        for job, content in waiting:
            key = (self.workspace.paths.data_db,
                   self.identity.key(content.sha, lang_of(content.path)))
            if key in taken:
                holder: threading.Event | None = None
            elif (holder := under_way.take(key, taken)) is None:
                if (copies is not None and job.operation != ledger.REDO
                        and self.store.has_document(key[1])):
                    # the call that described it ended (and let go of it) between this
                    # job's look for a record and the take: its record is there to reuse
                    copies.append((job, None))
                else:
                    calling.append((job, content))
                continue
            if copies is None or job.operation == ledger.REDO:
                calling.append((job, content))
            else:
                copies.append((job, holder))
        return calling

    def _hand_out(self, job: ledger.Job, content: Content, owner: str) -> object:
        """To the remote queue, past the same rate limit and breaker as a call made here."""
        from codequery import redis_link

        try:
            self.caller.admit()
        except BreakerOpen as exc:
            return _Deferred(exc.retry_in, str(exc))
        except process.Stopped:  # woken from the rate limit's wait by a stop
            return _Deferred(0.0, "the worker is stopping")
        try:
            language = languages.of_content(content.path, content.data)  # as a local call
            return _Handed(self.remote.publish(job, content, owner, language))
        except (LookupError, *redis_link.down_errors()) as exc:
            # No call will report back: a half-open breaker's probe must be given back.
            # The lease is ours again (or lost, LookupError): rescheduling owns the retry.
            self.caller.give_back_probe()
            return _Deferred(REMOTE_RETRY_SECONDS, f"not handed out ({type(exc).__name__}: "
                                                   f"{exc})")
        except Exception as exc:  # a task that cannot be sent: retried, then given up
            self.caller.give_back_probe()
            return exc

    def hint(self, content: Content, language: str) -> dict:
        """The builtin analysis an LLM prompt carries, for a task done elsewhere."""
        from codequery.documenters.builtin import BuiltinDocumenter

        text = content.data.decode("utf-8", "replace")
        return BuiltinDocumenter().document(content.path, language, text).model_dump(mode="json")

    def finish_remote(self, job_id: str, owner: str, consumer: str, record: dict | None,
                      error: str | None, wait: float | None) -> JobResult | None:
        """A remote consumer's answer, written as a local one would be: the record and the
        completed row in one transaction, while `owner` (its token) still holds the lease;
        None when it does not (a late or repeated answer: nothing is written)."""
        conn = self.store.conn
        job = ledger.get(conn, job_id)
        if job is None or job.status != ledger.PROCESSING or job.lease_owner != owner:
            log.info("[QUEUE] %s ignoring an answer from %s: the lease moved on", job_id,
                     consumer)
            return None
        started = time.monotonic() - max(time.time() - job.updated_at, 0.0)
        outcome: object
        usage = {key: (record or {}).get(key) for key in USAGE_KEYS}
        if record is not None:
            try:
                made = FileRecord.model_validate({**record, "path": job.path})
                if job.content_sha is not None and made.content_sha != job.content_sha:
                    raise ValueError(f"a record of {made.content_sha}, not {job.content_sha}")
            except ValueError as exc:
                record, error = None, f"a malformed answer from {consumer}: {exc}"
            else:
                self.caller.report(self.store, usage, None)
                write, detail = self._write(made, share=True)
                outcome = (write, f"{detail} on {consumer}")
        if record is None:
            self.caller.report(self.store, usage, error or "no answer", wait)
            outcome = (_Deferred(wait, error or "asked to wait") if wait is not None
                       else DocumenterError(error or "no answer"))
        return self._finish(job, outcome, owner, started)

    def _from_team_cache(self, waiting: list[tuple[ledger.Job, Content]],
                         outcomes: dict[str, object]) -> list[tuple[ledger.Job, Content]]:
        """Files a teammate documented already (same content key) are taken from the team
        cache, with no LLM call; the rest are returned. No secret gets here: `_prepare`
        writes those at once, metadata only."""
        cache = self.team_cache
        if cache is None:
            return waiting
        rest = []
        for job, content in waiting:
            key = self.identity.key(content.sha, lang_of(content.path))
            record = cache.take(key, content.path)
            if record is None:
                rest.append((job, content))
            else:
                write, _ = self._write(record, key)
                outcomes[job.id] = (write, "taken from the team cache")
        return rest

    def _batch_mates(self, job: ledger.Job, owner: str) -> list[ledger.Job]:
        """More small pending files to document in the same LLM call as `job` (first tries
        only: a file that failed in a batch is retried alone)."""
        settings = self.config.documenter
        if (settings.batch_size <= 1 or self.documenter.inline
                or not self.caller.can_batch or job.attempts > 1
                or job.operation == ledger.DELETE):
            return []
        if blocking.current(self.store.conn, self.documenter.name) is not None:
            # not logged in: this job's call checks whether that changed; each mate taken
            # would only be put back, two events each (a batch of 60 every 15 seconds)
            return []
        budget = settings.batch_max_bytes - _size(self.workspace.root / job.path)
        mates: list[ledger.Job] = []
        for other in ledger.batch_candidates(self.store.conn, job, settings.batch_size * 4):
            size = _size(self.workspace.root / other.path)
            if size > budget:
                continue
            claimed = ledger.claim(self.store.conn, other.id, owner, self.lease_seconds())
            if claimed is not None:
                mates.append(claimed)
                budget -= size
            if len(mates) >= settings.batch_size - 1:
                break
        return mates

    def _failed(self, job: ledger.Job, owner: str, started: float, exc: Exception
                ) -> JobResult:
        """The documenter failed: retry later, or give up. The half-open circuit
        breaker's probe that failed spends no attempt, the first max_retries times for a
        job: the documenter failing as a whole (an outage, a broken command) is what the
        breaker is for, and the job probing at the head of the queue had used up its
        retries and stayed dead after the fix. It waits past the next probe instead."""
        error = f"{type(exc).__name__}: {exc}"
        processing = self.config.processing
        cooldown = getattr(exc, PROBE_FAILED, None)
        if cooldown is not None and ledger.count_events(
                self.store.conn, job.id, PROBE_FAILED_SAYS) < processing.max_retries:
            reason = f"{PROBE_FAILED_SAYS}: {error}; no attempt spent"
            if ledger.reschedule(self.store.conn, job, owner, cooldown * 1.5, reason):
                self._log(job, DEFERRED, started, reason)
                return JobResult(job.id, job.path, DEFERRED, reason)
        status = ledger.fail(self.store.conn, job, owner, error,
                             max_retries=processing.max_retries,
                             base=processing.retry_base_seconds, cap=processing.retry_max_seconds)
        log.debug("job %s failed", job.id, exc_info=True)
        self._log(job, status or "lost", started, error)
        return JobResult(job.id, job.path, status or "lost", error)

    def _prepare(self, job: ledger.Job, call: bool = True):  # noqa: ANN202
        """(write callback, detail) for everything that needs no LLM call; the slow part
        happens before the transaction that writes. With call=False, content that needs an
        LLM comes back as `Content`."""
        store, path = self.store, job.path
        if job.operation == ledger.DELETE:
            return (lambda: store.delete([path])), "record removed"
        verdict = self._read(job)
        if isinstance(verdict, Skip):
            return self._skip(job, verdict)
        choices = self.identity.choices(verdict.sha, lang_of(path),
                                        secret_name=verdict.secret_name)
        if job.operation != ledger.REDO:
            if store.key_of(path) in choices:
                return (lambda: None), "unchanged"
            kept = next((key for key in choices if store.has_document(key)), None)
            if kept is not None:
                return (lambda: store.point(path, kept)), REUSED
        if verdict.secret:
            key = content_key.secret(verdict.sha, lang_of(path), by_name=verdict.secret_name)
            return self._write(secret_record(verdict), key)
        if self.documenter.inline:
            return self._write(make_record(verdict, self.documenter))
        if too_large_for_an_llm(verdict):  # kept under the documenter's key all the same
            return self._write(outlined_record(verdict))
        if blank(verdict):  # nothing to describe: no call (and none in the estimate)
            return self._write(offline_record(verdict))
        if not call:
            return verdict
        return self._write(self.caller.document_one(store, verdict))

    def _read(self, job: ledger.Job) -> Skip | Content:
        """The content the job asks for: the work tree's when it has that blob (or the job
        names none), else git's copy of the blob (an uncommitted edit, a file deleted on
        disk, or a tree that moved on since the job was queued)."""
        root, files = self.workspace.root, self.config.files
        entry = _entry(root, job.path)
        verdict = examine(root, entry, files)
        wanted = job.content_sha
        if wanted is None or (isinstance(verdict, Content) and verdict.sha == wanted):
            return verdict
        if skip_by_name(job.path, entry.mode, files) or entry.mode == git.SYMLINK_MODE:
            return verdict  # by name, or a link: its blob is the link's text, not the content
        data = blobs.read(root, wanted, files.max_file_bytes)
        if isinstance(data, bytes):
            return judge(job.path, data, files)
        if data is blobs.TOO_LARGE:
            return Skip(job.path, "too large")
        return verdict  # git does not have it: the work tree is all there is

    def _skip(self, job: ledger.Job, verdict: Skip):  # noqa: ANN202
        store, path = self.store, job.path
        sha = job.content_sha
        if sha is None or skip_by_name(path, _entry(self.workspace.root, path).mode,
                                       self.config.files):
            return (lambda: store.delete([path])), f"not documented: {verdict.reason}"
        rules = rules_stamp(self.config.files)
        return ((lambda: store.skip(path, sha, rules, verdict.reason)),
                f"not documented: {verdict.reason}")

    def _write(self, record: FileRecord, key: str | None = None,  # noqa: ANN202
               share: bool = False):
        """(write callback, detail): the record kept under its content key, its path
        pointed at it; with `share`, offered to the team cache too (an LLM's record of a
        file that is no secret: the only kind the caller shares)."""
        data = record.model_dump(mode="json")
        key = key or self.identity.key(record.content_sha, lang_of(record.path))
        cache = self.team_cache if share else None
        if cache is not None:
            cache.share(key, data)
        row = self.store.row_of(data)  # derived before the write lock is taken
        return (lambda: self.store.put(data, key, row)), f"documented by {record.documenter}"

    def _log(self, job: ledger.Job, status: str, started: float, detail: str | None) -> None:
        line = (f"[QUEUE] {job.id} path={job.path} status={status} "
                f"duration={time.monotonic() - started:.2f}s attempt={job.attempts}")
        if status == DEFERRED:  # put back with its attempt given back (ledger.reschedule)
            line += " (not counted)"
        if status in (ledger.PENDING, ledger.DEAD, DEFERRED) and detail:
            line += f" error={detail}"
        log.info(line)


class _LeaseLost(Exception):
    """Another worker took the job over while this one waited; it must not call the LLM."""


class _Handed:
    """Out on the remote queue under `token`; its answer completes the job later."""

    def __init__(self, token: str) -> None:
        self.token = token


def _waited_for(copies: list[tuple[ledger.Job, threading.Event | None]], most: float
                ) -> list[ledger.Job]:
    """The copies' jobs, once the calls describing their contents have ended (their
    records written, or not: a call that failed leaves the copy to call for itself)."""
    deadline = time.monotonic() + most
    for _, event in copies:
        if event is not None:
            event.wait(max(0.0, deadline - time.monotonic()))
    return [job for job, _ in copies]


class _Deferred:
    """Back to the queue after `delay` seconds, without spending an attempt."""

    def __init__(self, delay: float, reason: str) -> None:
        self.delay, self.reason = delay, reason


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except (OSError, ValueError):  # ValueError: a name the file system cannot hold
        return 0


def _entry(root: Path, path: str) -> git.TrackedFile:
    """What `git ls-files -s` would say, from the file system (no git call per job). Only
    a symlink is told apart: a submodule never gets a job (the reconciler goes by git's
    mode), and a directory where git has a file is read from git's copy."""
    mode = git.SYMLINK_MODE if (root / path).is_symlink() else "100644"
    return git.TrackedFile(path, mode, "")

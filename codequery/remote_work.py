"""The home worker's side of remote work, on the Redis transport.

A job that needs an LLM call is claimed here as always, then handed to the shared remote
queue under a fresh lease token ("remote:TOKEN" owns the ledger row). Whoever consumes
the task (a consumer on another machine, or this worker's own serving threads) pushes
the answer onto this clone's results list; this side takes it and completes the ledger
row with the record in ONE transaction, only while that token still holds the lease, so
a late or repeated answer is dropped, never written twice. A task whose consumer stopped
beating, and every task after a Redis restart, goes back to pending.
"""

from __future__ import annotations

import base64
import json
import logging
import socket
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any

from codequery import holders, ledger, redis_keys, redis_link, redis_outage, remote_queue
from codequery.config import DocumenterConfig
from codequery.eligibility import Content
from codequery.remote_consumer import RemoteConsumer
from codequery.worker import HUEY_PRIORITY

if TYPE_CHECKING:
    from codequery.jobs import JobRunner

log = logging.getLogger(__name__)
# A task nobody took by then counts as lost: its lease expires and the job goes out again
# under a new token, while Huey skips the old task (it expires too) instead of paying for
# a call whose answer would be dropped.
QUEUE_PATIENCE_SECONDS = 1800.0
LEASE_CHECK_SECONDS = 1.0
ERROR_QUIET_SECONDS = 30.0


def owner_of(token: str) -> str:
    return holders.REMOTE_PREFIX + token


class RemoteWork:
    def __init__(self, runner: JobRunner, url: str, repo: str) -> None:
        self.runner = runner
        self.url = url
        self.repo = repo
        self.client = redis_link.client(url)
        self.huey, self._task = remote_queue.make(url, _never_here)
        self._results = redis_keys.results(repo)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._serving: RemoteConsumer | None = None
        self._last_error = 0.0

    @staticmethod
    def takes(settings: DocumenterConfig) -> bool:
        """Work a consumer elsewhere can do: the Claude CLI with the packaged prompt (a
        command documenter would run a program the task names, never allowed)."""
        return settings.name == "claude" and not settings.prompt_template

    def start(self, serving_threads: int) -> None:
        """Collect results, and serve the shared queue with threads of our own (this
        worker is a consumer like any other)."""
        self._thread = threading.Thread(target=self._collect_loop, name="remote-results",
                                        daemon=True)
        self._thread.start()
        settings = self.runner.config.documenter
        if serving_threads and self.takes(settings):
            self._serving = RemoteConsumer(self.url, serving_threads, settings.executable)
            self._serving.start()

    def stop(self) -> None:
        self._stop.set()
        if self._serving is not None:
            self._serving.stop(timeout=2.0)
        if self._thread is not None:
            self._thread.join(timeout=3.0)

    # --- handing work out ---------------------------------------------------------------

    def publish(self, job: ledger.Job, content: Content, owner: str, language: str) -> str:
        """Hand a claimed job to the remote queue; its token. Raises the client's error
        while Redis is away, with the lease given back to `owner` (who reschedules)."""
        token = uuid.uuid4().hex
        conn = self.runner.store.conn
        if not ledger.hand_over(conn, job, owner, owner_of(token), QUEUE_PATIENCE_SECONDS):
            raise LookupError(f"{job.id} is no longer held by {owner}")
        settings = self.runner.config.documenter
        identity = self.runner.identity
        hint = self.runner.hint(content, language)
        payload = {"v": remote_queue.PAYLOAD_VERSION, "repo": self.repo, "job": job.id,
                   "token": token, "path": content.path,
                   "content": base64.b64encode(content.data).decode("ascii"),
                   "sha": content.sha, "language": language, "hint": hint,
                   "home": socket.gethostname(),
                   "documenter": {"name": settings.name, "model": identity.model,
                                  "version": identity.version,
                                  "timeout": settings.timeout_seconds}}
        try:
            self.huey.enqueue(self._task.s(payload, priority=HUEY_PRIORITY.get(job.priority, 10),
                                           expires=QUEUE_PATIENCE_SECONDS))
        except Exception:
            # Back to the claimer, whose outcome (deferred) reschedules it with a delay.
            ledger.hand_over(conn, job, owner_of(token), owner, self.runner.lease_seconds(),
                             detail="the remote queue is unreachable; taken back")
            raise
        return token

    # --- taking results -----------------------------------------------------------------

    def _collect_loop(self) -> None:
        last_check = 0.0
        outage = redis_outage.of(self.url)
        while not self._stop.is_set():
            try:
                found = self.client.brpop(self._results, timeout=1)
                outage.worked()
                if found is not None:
                    self.take(json.loads(found[1]))
                if time.monotonic() - last_check >= LEASE_CHECK_SECONDS:
                    last_check = time.monotonic()
                    self.check_leases()
            except redis_link.down_errors() as exc:  # told once, for the whole process
                self._stop.wait(outage.failed(exc))
            except Exception as exc:  # a locked database: try again
                if time.monotonic() - self._last_error > ERROR_QUIET_SECONDS:
                    self._last_error = time.monotonic()
                    log.warning("taking remote results failed (%s: %s); retrying",
                                type(exc).__name__, exc)
                self._stop.wait(0.5)

    def take(self, result: dict[str, Any]) -> None:
        self.runner.finish_remote(result["job"], owner_of(result["token"]),
                                  str(result.get("consumer")), result.get("record"),
                                  result.get("error"), result.get("wait"))

    def check_leases(self) -> None:
        """A task marked started whose heartbeat is gone lost its consumer: back to
        pending (the attempt given back). A task still beating keeps its lease."""
        conn = self.runner.store.conn
        held = ledger.held_by_prefix(conn, self.runner.config.dataset, holders.REMOTE_PREFIX)
        if not held:
            return
        with self.client.pipeline(transaction=False) as pipe:
            for _, owner in held:
                token = owner[len(holders.REMOTE_PREFIX):]
                pipe.exists(redis_keys.started(token))
                pipe.exists(redis_keys.heartbeat(token))
            seen = pipe.execute()
        for index, (job_id, owner) in enumerate(held):
            started, beating = seen[2 * index], seen[2 * index + 1]
            if beating:
                job = ledger.get(conn, job_id)
                # a lease run out stays so (the worker's expiry check hands it out again):
                # a task Huey found expired beats for a moment before its consumer stops
                if job is not None and (job.lease_expires_at or 0) > time.time():
                    ledger.renew(conn, [job], owner, QUEUE_PATIENCE_SECONDS)
            elif started and ledger.release(
                    conn, job_id, "remote lease check",
                    "its consumer stopped (no heartbeat); queued again", holder=owner):
                log.info("[QUEUE] %s status=pending its remote consumer stopped; queued again",
                         job_id)

    def release_all(self, conn, why: str) -> int:  # noqa: ANN001 - sqlite3.Connection
        """Every job out on the remote queue goes back to pending (Redis lost them)."""
        held = ledger.held_by_prefix(conn, self.runner.config.dataset, holders.REMOTE_PREFIX)
        return sum(ledger.release(conn, job_id, "remote queue", f"{why}; queued again",
                                  holder=owner) for job_id, owner in held)


def _never_here(payload: dict[str, Any]) -> None:
    raise RuntimeError("the home worker's publisher never consumes the remote queue")

"""A consumer of the shared remote queue: documents content for repositories it does not
have checked out (`codequery worker start --remote URL`, and threads of every home worker
on the Redis transport).

Leases are the home worker's: this side only proves it is alive. When it takes a task it
marks the task's token started and keeps a heartbeat key with a short TTL fresh while it
works (rq's way); a consumer killed mid-job stops beating, the home worker sees a started
task without a heartbeat and hands the job out again. Only the Claude CLI of this machine
ever runs here: a task names a model, never a program.
"""

from __future__ import annotations

import base64
import logging
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from codequery import redis_keys, redis_link, remote_queue
from codequery.consumer_gate import Gate
from codequery.documenters.errors import DocumenterBlocked, DocumenterBusy
from codequery.errors import CodeQueryError
from codequery.records import FileDoc

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 1.0  # how often a working consumer says so
HEARTBEAT_TTL = 5  # s without a beat after which its task counts as abandoned
STARTED_TTL = 86400
PUSH_PATIENCE_SECONDS = 60.0  # a result waits this long for Redis to come back
REFUSED_WAIT_SECONDS = 10.0


class Refused(Exception):
    """A task this consumer cannot do as asked (another documenter, another prompt)."""


def consumer_id() -> str:
    from codequery import holders

    return holders.process_of(holders.me())


class RemoteConsumer:
    def __init__(self, url: str, threads: int, executable: str = "claude") -> None:
        self.url = url
        self.threads = threads
        self.executable = executable
        self.client = redis_link.client(url)
        self.huey, _ = remote_queue.make(url, self.serve)
        self.id = consumer_id()
        self._beating: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._documenters: dict[tuple, Any] = {}
        self._workers: list[threading.Thread] = []
        self.done = 0
        # Takes no task while the Claude CLI here cannot be called (not logged in).
        self.gate = Gate(self._login_problem, self.id)

    def start(self) -> None:
        for index in range(self.threads):
            thread = threading.Thread(target=self._work_loop, name=f"remote-{index}",
                                      daemon=True)
            thread.start()
            self._workers.append(thread)
        threading.Thread(target=self._heartbeat_loop, name="heartbeat", daemon=True).start()
        log.info("consumer %s serving %s on %s with %d threads", self.id,
                 redis_keys.REMOTE_QUEUE, redis_link.redact(self.url), self.threads)

    def stop(self, timeout: float = 5.0) -> None:
        """Tasks running now finish (within `timeout`; the caller kills what is still
        running after it); none is taken after this."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in self._workers:
            thread.join(max(deadline - time.monotonic(), 0))

    def _work_loop(self) -> None:
        while not self._stop.is_set():
            if not self.gate.open():
                self._stop.wait(1.0)
                continue
            task = self.huey.dequeue()  # paced and logged once while Redis is away
            if task is not None:
                self.huey.execute(task)

    def _heartbeat_loop(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            with self._lock:
                tokens = list(self._beating)
            try:
                with self.client.pipeline(transaction=False) as pipe:
                    for token in tokens:
                        pipe.set(redis_keys.heartbeat(token), self.id, ex=HEARTBEAT_TTL)
                    pipe.execute()
            except redis_link.down_errors():
                pass  # the home worker hands the work out again if it must

    def serve(self, payload: dict[str, Any]) -> None:
        """Run one task: mark it started, document, push the answer home."""
        token = payload["token"]

        def mark_started() -> None:
            with self.client.pipeline(transaction=True) as pipe:
                pipe.set(redis_keys.started(token), self.id, ex=STARTED_TTL)
                pipe.set(redis_keys.heartbeat(token), self.id, ex=HEARTBEAT_TTL)
                pipe.execute()

        if not self._persist(mark_started):
            return  # the home worker hands it out again (after a restart, or in time)
        with self._lock:
            self._beating.add(token)
        try:
            message = self._document(payload)
        finally:
            with self._lock:
                self._beating.discard(token)
        results = redis_keys.results(payload["repo"])

        def deliver() -> None:
            # With the answer, the task stops looking started: one left untaken a while
            # would otherwise look abandoned (no heartbeat) and be queued again, paid twice.
            with self.client.pipeline(transaction=True) as pipe:
                pipe.lpush(results, message)
                pipe.delete(redis_keys.started(token))
                pipe.execute()

        if self._persist(deliver):
            self.done += 1
        else:
            log.warning("could not deliver the result of %s; it will be redone",
                        payload["job"])

    def _document(self, payload: dict[str, Any]) -> str:
        from codequery.documenting import record_from
        from codequery.eligibility import Content
        from codequery.llm_caller import usage_dict

        try:
            if payload.get("v") != remote_queue.PAYLOAD_VERSION:
                raise Refused(f"a task of version {payload.get('v')}, not "
                              f"{remote_queue.PAYLOAD_VERSION}: run the same codequery version")
            documenter = self._documenter(payload["documenter"])
            if not self.gate.open():  # closed by another thread since this one took it
                raise DocumenterBlocked(self.gate.reason or "cannot call the documenter")
            path, language = payload["path"], payload["language"]
            data = base64.b64decode(payload["content"], validate=True)
            hint = FileDoc.model_validate(payload["hint"]) if payload.get("hint") else None
            doc, usage = documenter.document_with_usage(
                path, language, data.decode("utf-8", "replace"), hint)
            record = record_from(Content(path, data, payload["sha"]), language, doc,
                                 documenter.name, documenter.model, usage_dict(usage))
        except Refused as exc:  # another consumer may take it: no attempt is spent
            log.warning("refusing a task of %s: %s", payload.get("home"), exc)
            return remote_queue.result_message(payload, self.id, error=str(exc),
                                               wait=REFUSED_WAIT_SECONDS)
        except DocumenterBusy as exc:
            return remote_queue.result_message(payload, self.id, error=str(exc),
                                               wait=exc.retry_after)
        except DocumenterBlocked as exc:  # another consumer may be logged in: back at once
            self.gate.close(exc.reason)
            return remote_queue.result_message(
                payload, self.id, wait=0.0,
                error=f"consumer {self.id} cannot document, handed back: {exc.reason}")
        except Exception as exc:  # the file's failure: the home worker retries or gives up
            from codequery.documenters import process

            # Cut short by our own stop: not the file's fault, so no attempt is spent.
            wait = 0.0 if process.stopping() or self._stop.is_set() else None
            return remote_queue.result_message(
                payload, self.id, error=f"{type(exc).__name__}: {exc} (on {self.id})",
                wait=wait)
        return remote_queue.result_message(payload, self.id,
                                           record=record.model_dump(mode="json"))

    def _documenter(self, wanted: dict[str, Any]) -> Any:
        from codequery.documenters.claude import ClaudeDocumenter

        if wanted.get("name") != "claude":
            raise Refused(f"this consumer runs only the claude documenter, not "
                          f"{wanted.get('name')!r}")
        key = (wanted.get("model"), float(wanted["timeout"]))
        with self._lock:
            documenter = self._documenters.get(key)
            if documenter is None:
                documenter = ClaudeDocumenter(self.executable, key[0], key[1])
                self._documenters[key] = documenter
        if documenter.version != wanted.get("version"):
            raise Refused(f"prompt version {documenter.version} on {self.id}, "
                          f"{wanted.get('version')} at home: run the same codequery version")
        return documenter

    def _login_problem(self) -> str | None:
        from codequery.documenters.claude import ClaudeDocumenter

        return ClaudeDocumenter(self.executable, None, 20.0).blocked()

    def _persist(self, write: Callable[[], object]) -> bool:
        """Do `write` in Redis, waiting out a short outage or restart; False if Redis
        stayed away (the home worker's lease check hands the job out again)."""
        deadline = time.monotonic() + PUSH_PATIENCE_SECONDS
        while True:
            try:
                write()
                return True
            except redis_link.down_errors():
                if time.monotonic() > deadline or self._stop.is_set():
                    return False
                time.sleep(0.5)


def serve_forever(url: str, threads: int, executable: str) -> int:
    """`codequery worker start --remote URL` (foreground, like huey_consumer): SIGINT or
    SIGTERM lets the running tasks finish, a second signal stops at once."""
    from codequery.worker import LOG_FORMAT

    problem = redis_link.url_problem(url)
    if problem:  # a Redis that is away may come back; a URL that is no URL will not
        raise CodeQueryError(problem)
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    problem = redis_link.unreachable(url)
    if problem:
        log.warning("%s; waiting for it", problem)
    consumer = RemoteConsumer(url, threads, executable)
    stopping = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        if stopping.is_set():
            raise SystemExit(1)
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    consumer.gate.open()  # says at once whether this machine can document
    consumer.start()
    while not stopping.wait(1.0):
        pass
    log.info("stopping: running tasks finish first")
    consumer.stop()
    from codequery.documenters.process import kill_running

    if killed := kill_running(for_good=True):  # cut short: their tasks are handed out again
        log.info("stopped %d documenter command(s) still running", killed)
    log.info("consumer %s stopped after %d tasks", consumer.id, consumer.done)
    return 0


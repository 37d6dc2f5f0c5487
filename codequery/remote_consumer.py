"""A consumer of the shared remote queue: documents content for repositories it does not
have checked out (`codequery worker start --remote URL`, and threads of every home worker
on the Redis transport).

Leases are the home worker's: this side only proves it is alive. Taking a task marks its
token started, with a heartbeat key of a short TTL, in one step in Redis (TAKE_SCRIPT);
the consumer keeps the heartbeat fresh while it works (rq's way). A consumer killed at any
point after that, even before the task began, stops beating: the home worker sees a
started task without a heartbeat and hands the job out again within seconds. Only the
Claude CLI of this machine ever runs here: a task names a model, never a program.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from codequery import consumer_presence, redis_keys, redis_link, redis_outage, remote_queue
from codequery.consumer_gate import Gate
from codequery.documenters.errors import DocumenterBlocked, DocumenterBusy, DocumenterError
from codequery.errors import CodeQueryError
from codequery.records import FileDoc

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 1.0  # how often a working consumer says so
HEARTBEAT_TTL = 5  # s without a beat after which its task counts as abandoned
STARTED_TTL = 86400
SKIPPED_STARTED_TTL = 60  # a task not run keeps its started mark this long (see take_one)
ERROR_PAUSE_SECONDS = 5.0
NOT_CHECKED = "has not yet checked that it can call its documenter"
PUSH_PATIENCE_SECONDS = 60.0  # a result waits this long for Redis to come back
REFUSED_WAIT_SECONDS = 10.0
# An idle consumer thread looks again after this long, twice as long after each look that
# found nothing, up to the most: a task is taken within a second, idle consumers cost
# Redis one look a second each.
POLL_SECONDS = 0.05
MOST_POLL_SECONDS = 1.0
# Takes the first task of the queue (KEYS[1], Huey's sorted set) and marks its token (the
# task's first "token", a key of the payload: a quote inside any text is escaped) started
# by ARGV[3], with a heartbeat: one step, so no consumer can stop between the two. The
# marks' names are built here from their prefixes (ARGV[1], ARGV[2]): one Redis, not a
# cluster.
TAKE_SCRIPT = """
local taken = redis.call('ZPOPMIN', KEYS[1])
if #taken == 0 then return false end
local token = string.match(taken[1], '"token"%s*:%s*"(%x+)"')
if token then
  redis.call('SET', ARGV[1] .. token, ARGV[3], 'EX', ARGV[4])
  redis.call('SET', ARGV[2] .. token, ARGV[3], 'EX', ARGV[5])
end
return taken[1]
"""


class Refused(Exception):
    """A task this consumer cannot do as asked (another documenter, another prompt)."""


def consumer_id() -> str:
    from codequery import holders

    return holders.process_of(holders.me())


def marking_storage(consumer: str) -> type:
    """Huey's priority Redis storage whose dequeue takes a task and marks it started by
    `consumer` at once (TAKE_SCRIPT). It does not wait for one (a blocking pop cannot run
    in a script): its callers poll."""
    from huey.storage import PriorityRedisStorage

    class MarkingStorage(PriorityRedisStorage):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._take = self.conn.register_script(TAKE_SCRIPT)

        def dequeue(self) -> bytes | None:
            data = self._take(keys=[self.queue_key], args=[
                redis_keys.started(""), redis_keys.heartbeat(""), consumer, STARTED_TTL,
                HEARTBEAT_TTL])
            return None if data is None else data[8:]  # Huey's ordering prefix off

    return MarkingStorage


def token_of(task: Any) -> str | None:
    """The lease token of a task of the remote queue (None: not one of ours)."""
    payload = task.args[0] if getattr(task, "args", None) else None
    token = payload.get("token") if isinstance(payload, dict) else None
    return token if isinstance(token, str) else None


class RemoteConsumer:
    def __init__(self, url: str, threads: int, executable: str = "claude") -> None:
        self.url = url
        self.threads = threads
        self.executable = executable
        self.client = redis_link.client(url)
        self.id = consumer_id()
        self.huey, _ = remote_queue.make(url, self.serve, marking_storage(self.id))
        # per thread: the token of the task it last began, how long it waits idle
        self._served = threading.local()
        self._beating: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._documenters: dict[tuple, Any] = {}
        self._workers: list[threading.Thread] = []
        self._beating_thread: threading.Thread | None = None
        self.done = 0
        # Takes no task while the Claude CLI here cannot be called (not logged in).
        self.gate = Gate(self._login_problem, self.id)

    def start(self) -> None:
        for index in range(self.threads):
            thread = threading.Thread(target=self._work_loop, name=f"remote-{index}",
                                      daemon=True)
            thread.start()
            self._workers.append(thread)
        self._beat()  # said at once: a status asked now sees it running
        self._beating_thread = threading.Thread(target=self._heartbeat_loop, name="heartbeat",
                                                daemon=True)
        self._beating_thread.start()
        log.info("consumer %s serving %s on %s with %d threads", self.id,
                 redis_keys.REMOTE_QUEUE, redis_link.redact(self.url), self.threads)

    def stop(self, timeout: float = 5.0) -> None:
        """Tasks running now finish (within `timeout`; the caller kills what is still
        running after it); none is taken after this."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in [*self._workers, *filter(None, [self._beating_thread])]:
            thread.join(max(deadline - time.monotonic(), 0))
        # after the last beat: one under way would announce it again for PRESENCE_TTL
        with contextlib.suppress(*redis_link.down_errors()):  # it expires by itself anyway
            consumer_presence.withdraw(self.client, self.id)

    def _work_loop(self) -> None:
        outage = redis_outage.of(self.url)
        while not self._stop.is_set():
            if not self.gate.open():
                self._stop.wait(1.0)
                continue
            try:
                self.take_one()
            except redis_link.down_errors() as exc:  # Huey's own calls around a task
                self._stop.wait(outage.failed(exc))
            except Exception:  # a thread that died here would serve nothing, silently
                log.exception("taking a task from %s failed; trying again",
                              redis_keys.REMOTE_QUEUE)
                self._stop.wait(ERROR_PAUSE_SECONDS)

    def take_one(self) -> bool:
        """Take the next task, if any, and do it; whether there was one. A task Huey does
        not run (expired) stops beating at once and keeps its started mark a short while:
        should its token still hold the job, the home worker's lease check hands it out
        again now instead of when the lease runs out."""
        task = self.huey.dequeue()  # paced and logged once while Redis is away
        if task is None:
            # (not in the storage: a poller that slept there after a look would say Redis
            # is back when it went away meanwhile)
            idle = getattr(self._served, "idle", POLL_SECONDS)
            self._stop.wait(idle)
            self._served.idle = min(idle * 2, MOST_POLL_SECONDS)
            return False
        self._served.idle = POLL_SECONDS
        self._served.token = None
        self.huey.execute(task)
        token = token_of(task)
        if token is not None and self._served.token != token:
            with self.client.pipeline(transaction=True) as pipe:
                pipe.delete(redis_keys.heartbeat(token))
                pipe.expire(redis_keys.started(token), SKIPPED_STARTED_TTL)
                pipe.execute()
        return True

    def _heartbeat_loop(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            self._beat()

    def _beat(self) -> None:
        """The tasks at work here are alive, and so is this consumer (see
        consumer_presence): whether it can take tasks, and why not."""
        with self._lock:
            tokens = list(self._beating)
        try:
            with self.client.pipeline(transaction=False) as pipe:
                for token in tokens:
                    pipe.set(redis_keys.heartbeat(token), self.id, ex=HEARTBEAT_TTL)
                consumer_presence.announce(pipe, self.id, self.threads, self.gate.reason if
                                            self.gate.checked else NOT_CHECKED)
                pipe.execute()
        except redis_link.down_errors():
            pass  # the home worker hands the work out again if it must

    def serve(self, payload: dict[str, Any]) -> None:
        """Run one task (marked started as it was taken): document while beating, push
        the answer home."""
        token = payload["token"]
        self._served.token = token
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
            from codequery.llm_caller import STOPPED

            # Cut short by our own stop: not the file's fault, so no attempt is spent, and
            # the home's call log does not count it as failed (see llm_caller.STOPPED)
            stopped = process.stopping() or self._stop.is_set()
            # a documenter's own failure says what it is ("claude timed out after 20 s");
            # the home worker names its kind once, as for a call of its own
            said = str(exc) if isinstance(exc, DocumenterError) else f"{type(exc).__name__}: {exc}"
            return remote_queue.result_message(
                payload, self.id, error=f"{STOPPED if stopped else ''}{said} (on {self.id})",
                wait=0.0 if stopped else None)
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


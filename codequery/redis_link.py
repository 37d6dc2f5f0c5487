"""Connections to Redis: the transport, the remote queue and the team cache all come here.

`redis` is imported only when a Redis is configured: huey imports faster without it, and
the git hook never gets here (an import-linter contract keeps it out of the fast path).
"""

from __future__ import annotations

import datetime
import functools
import json
import logging
import time
from typing import Any

from codequery.errors import CodeQueryError

log = logging.getLogger(__name__)
CONNECT_TIMEOUT_S = 2.0
# Long enough for a blocking pop (BRPOP waits up to 1 s) plus a slow network.
READ_TIMEOUT_S = 10.0


SCHEMES = ("redis", "rediss", "unix")


def url_problem(url: str) -> str | None:
    """Why `url` is no Redis URL redis-py could connect to, or None (standard library
    only: the config checks it without importing redis)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0  # a port that is not a number raises
    except ValueError:
        port_ok = False
    if parts.scheme in SCHEMES and port_ok and (parts.hostname or parts.scheme == "unix"
                                                 and parts.path):
        return None
    return (f"{redact(url)!r} is not a valid Redis URL; expected redis://host:port/db "
            "(e.g. redis://localhost:6379/0; rediss:// for TLS, unix:///path for a socket)")


@functools.lru_cache(maxsize=32)
def client(url: str) -> Any:  # redis.Redis; typed loosely so that no caller imports redis
    """A client that fails fast when Redis is away (callers retry; the ledger keeps the
    work), and reconnects by itself once it is back. One per URL, shared by every thread
    (redis-py clients are thread-safe): one connection pool per Redis, not one per user."""
    import redis

    problem = url_problem(url)
    if problem:
        raise CodeQueryError(problem)
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_S,
                                    socket_timeout=READ_TIMEOUT_S, health_check_interval=30)
    except ValueError as exc:
        raise CodeQueryError(f"invalid Redis URL {url!r}: {exc}") from None


def unreachable(url: str) -> str | None:
    """Why Redis at `url` cannot be used now; None when it answers."""
    import redis

    try:
        client(url).ping()
    except CodeQueryError as exc:
        return str(exc)
    except redis.RedisError as exc:
        return f"Redis at {redact(url)} does not answer ({type(exc).__name__}: {exc})"
    return None


def down_errors() -> tuple[type[BaseException], ...]:
    """What a call raises while Redis is away or restarting: redis-py's own errors and a
    socket's (not any OSError: a full disk is no Redis outage)."""
    import redis

    return (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError,
            ConnectionError, TimeoutError)


def redact(url: str) -> str:
    """The URL without its password, for logs and messages."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    return f"{scheme}://***@{rest.split('@', 1)[1]}"


def huey(name: str, url: str, storage_class: type | None = None
         ) -> Any:  # huey.PriorityRedisHuey
    """A Huey queue on Redis whose tasks travel as JSON: whoever can write to the Redis
    can queue a task of ours with JSON arguments, never run code of their choosing (Huey's
    default serializer is pickle). A task that does not decode is dropped with a log line.
    While Redis is away, its pollers neither raise (Huey would log a traceback for each
    try) nor poll as often: `redis_outage` logs the outage once and paces them. A
    `storage_class` (a PriorityRedisStorage) takes tasks its own way."""
    from huey import PriorityRedisHuey

    from codequery import redis_outage

    outage = redis_outage.of(url)

    class JsonRedisHuey(PriorityRedisHuey):
        def dequeue(self) -> Any:
            try:
                task = super().dequeue()
            except down_errors() as exc:
                time.sleep(outage.failed(exc))
                return None
            outage.worked()
            return task

        def read_schedule(self, timestamp: Any = None) -> list:
            try:
                due = super().read_schedule(timestamp)
            except down_errors() as exc:
                outage.failed(exc)  # the scheduler tries again at its next tick
                return []
            outage.worked()
            return due

        def deserialize_task(self, data: bytes) -> Any:
            try:
                return super().deserialize_task(data)
            except Exception as exc:  # not ours, or not JSON: dropped, never run
                log.warning("dropped a task on %s that does not decode (%s: %s)", name,
                            type(exc).__name__, exc)
                return None

    return JsonRedisHuey(name, results=False, store_none=False, utc=True,
                         connection_pool=client(url).connection_pool, read_timeout=1,
                         serializer=json_serializer(), storage_class=storage_class)


def json_serializer() -> Any:  # huey.serializer.Serializer
    """Huey's task message (a namedtuple) as a JSON object: task arguments must be JSON
    already (paths, ids, text), and the times Huey sets travel as ISO strings."""
    from huey.registry import Message
    from huey.serializer import Serializer

    times = ("eta", "expires_resolved")

    class JsonSerializer(Serializer):
        def _serialize(self, message: Any) -> bytes:
            if message.on_complete or message.on_error or message.chord_config:
                raise ValueError("pipelines and chords do not go through Redis")
            fields = message._asdict()
            for name in times:
                if fields[name] is not None:
                    fields[name] = fields[name].isoformat()
            return json.dumps(fields, separators=(",", ":")).encode("utf-8")

        def _deserialize(self, data: bytes) -> Any:
            fields = json.loads(data)
            if not isinstance(fields, dict) or not set(fields) <= set(Message._fields):
                raise ValueError("not a task message")
            if not isinstance(fields.get("name"), str) or not isinstance(
                    fields.get("args", []), list) or not isinstance(fields.get("kwargs", {}),
                                                                    dict):
                raise ValueError("a task message without a name or with odd arguments")
            if fields.get("on_complete") or fields.get("on_error") or fields.get(
                    "chord_config"):
                raise ValueError("pipelines and chords do not go through Redis")
            for name in times:
                if fields.get(name) is not None:
                    fields[name] = datetime.datetime.fromisoformat(fields[name])
            fields["args"] = tuple(fields.get("args", ()))
            return Message(**fields)

    return JsonSerializer()


class RestartWatch:
    """Notices that Redis restarted (its run_id changed), and whether it lost what it held:
    then the ledger's view of what is in flight must be handed over again. A Redis that
    kept its data (persistence) still holds the tasks: handed out again, each would be
    done, and paid for, twice. So a look also writes a mark (`mark_key`, at most every
    MARK_SECONDS: an idle worker is not a steady stream of writes), and a restart is a
    loss when the mark last written is not found. Nothing is taken as seen until every
    read and write of a look went through: a look that fails (Redis away, or loading its
    data) is made again whole."""

    MARK_SECONDS = 10.0
    KEPT, LOST = "kept", "lost"

    def __init__(self, url: str, mark_key: str) -> None:
        self._client = client(url)
        self._mark_key = mark_key
        self._run_id: str | None = None
        self._mark: str | None = None
        self._marked_at = 0.0

    def look(self) -> str | None:
        """LOST or KEPT once after each restart seen (not at the first look), else None;
        raises the client's error while Redis is away or loading."""
        with self._client.pipeline(transaction=False) as pipe:
            pipe.info("server")
            pipe.get(self._mark_key)
            info, found = pipe.execute()
        run_id = str(info.get("run_id"))
        seen = None
        if self._run_id is not None and self._run_id != run_id:
            seen = (self.KEPT if self._mark is not None and found == self._mark.encode()
                    else self.LOST)
        now = time.monotonic()
        if seen or self._mark is None or now - self._marked_at >= self.MARK_SECONDS:
            mark = f"{run_id}:{time.time_ns()}"
            self._client.set(self._mark_key, mark)
            self._mark, self._marked_at = mark, now
        self._run_id = run_id
        return seen

"""Connections to Redis: the transport, the remote queue and the team cache all come here.

`redis` is imported only when a Redis is configured: huey imports faster without it, and
the git hook never gets here (an import-linter contract keeps it out of the fast path).
"""

from __future__ import annotations

import logging
import socket
from typing import Any

from codequery.errors import CodeQueryError

log = logging.getLogger(__name__)
CONNECT_TIMEOUT_S = 2.0
# Long enough for a blocking pop (BRPOP waits up to 1 s) plus a slow network.
READ_TIMEOUT_S = 10.0


def client(url: str) -> Any:  # redis.Redis; typed loosely so that no caller imports redis
    """A client that fails fast when Redis is away (callers retry; the ledger keeps the
    work), and reconnects by itself once it is back."""
    import redis

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
    """What a call raises while Redis is away or restarting."""
    import redis

    return (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError, OSError)


def redact(url: str) -> str:
    """The URL without its password, for logs and messages."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    return f"{scheme}://***@{rest.split('@', 1)[1]}"


def host_name() -> str:
    return socket.gethostname()


class RestartWatch:
    """Notices that Redis restarted (its run_id changed): whatever it held in memory may
    be gone, so the ledger's view of what is in flight must be handed over again."""

    def __init__(self, url: str) -> None:
        self._client = client(url)
        self._run_id: str | None = None

    def restarted(self) -> bool:
        """True once after each restart seen (not the first time it is asked); raises the
        client's error while Redis is away."""
        run_id = str(self._client.info("server").get("run_id"))
        before, self._run_id = self._run_id, run_id
        return before is not None and before != run_id

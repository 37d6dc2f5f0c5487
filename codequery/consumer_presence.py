"""Which consumers of the shared remote queue are running, and which of them can take a
task now. Each consumer says so under its own key (redis_keys.consumer) with a short TTL,
renewed as it beats: a consumer killed with `kill -9` drops out within PRESENCE_TTL. The
home side reads them for `status` and `doctor`: tasks handed out with no consumer able to
take them wait until one can (and expire unrun after remote_queue's expiry), which the
queue's numbers alone do not show."""

from __future__ import annotations

import json
from typing import Any

from codequery import redis_keys

# Seconds a consumer's word stands without a renewal (it renews every heartbeat, a second).
PRESENCE_TTL = 15


def announce(pipe: Any, consumer_id: str, threads: int, cannot: str | None) -> None:
    """Add to a Redis pipeline: `consumer_id` runs with `threads` threads, and can take
    tasks (`cannot` None) or not, and why (its Claude CLI is not logged in)."""
    pipe.sadd(redis_keys.consumers(), consumer_id)
    pipe.set(redis_keys.consumer(consumer_id),
             json.dumps({"threads": threads, "cannot": cannot}), ex=PRESENCE_TTL)


def withdraw(client: Any, consumer_id: str) -> None:
    with client.pipeline(transaction=True) as pipe:
        pipe.delete(redis_keys.consumer(consumer_id))
        pipe.srem(redis_keys.consumers(), consumer_id)
        pipe.execute()


def present(client: Any) -> list[dict[str, Any]]:
    """Every consumer running now: {"id", "threads", "cannot"}, by id. Those that stopped
    saying so (killed) are forgotten here."""
    ids = sorted(_text(i) for i in client.smembers(redis_keys.consumers()))
    values = client.mget([redis_keys.consumer(i) for i in ids]) if ids else []
    found, gone = [], []
    for consumer_id, value in zip(ids, values, strict=True):
        try:
            said = json.loads(value)
            threads, cannot = int(said["threads"]), said.get("cannot")
        except (ValueError, KeyError, TypeError):  # expired (None), or not one of ours
            gone.append(consumer_id)
            continue
        found.append({"id": consumer_id, "threads": threads,
                      "cannot": cannot if isinstance(cannot, str) else None})
    if gone:
        client.srem(redis_keys.consumers(), *gone)
    return found


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def summary(consumers: list[dict[str, Any]]) -> dict[str, Any]:
    """For `status`: how many consumers run and with how many threads, how many of them
    can take a task now, and why the others cannot (each reason once)."""
    ready = [c for c in consumers if c["cannot"] is None]
    return {"running": len(consumers), "ready": len(ready),
            "ready_threads": sum(c["threads"] for c in ready),
            "cannot": sorted({c["cannot"] for c in consumers if c["cannot"] is not None})}

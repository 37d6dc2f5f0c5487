"""The live event stream: the ledger's new job events as server-sent events.

The ledger is the only place every process (worker, hooks, CLI) writes its job changes
to, so the stream polls it by event id a few times a second instead of hoping for a
notification; an id that only grows means nothing is sent twice or skipped, and a
browser that reconnects says where it was (`Last-Event-ID`).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio

from codequery import operations
from codequery.workspace import Workspace

POLL_SECONDS = 0.25
KEEPALIVE_SECONDS = 15.0
RECONNECT_MS = 1000


def start_after(query_value: str | None, last_event_id: str | None) -> int | None:
    """Where a stream starts: the `after` parameter, else the browser's Last-Event-ID,
    else None (from now on)."""
    for given in (query_value, last_event_id):
        if given is not None and given.strip().isdigit():
            return int(given)
    return None


async def events(ws: Workspace, after: int | None, stopping: Callable[[], bool]
                 ) -> AsyncIterator[str]:
    """SSE frames (`event: job`, the id, the event as JSON) until the server stops;
    a client that goes away ends it too (Starlette cancels the response)."""

    async def in_thread(fn: Callable[..., Any], *args: Any) -> Any:
        return await anyio.to_thread.run_sync(fn, *args)

    if after is None:
        after = await in_thread(operations.last_event_id, ws)
    yield f"retry: {RECONNECT_MS}\n\n"
    quiet = 0.0
    while not stopping():
        batch = await in_thread(operations.events_since, ws, after)
        for event in batch:
            after = event["id"]
            yield f"id: {after}\nevent: job\ndata: {json.dumps(event)}\n\n"
        quiet = 0.0 if batch else quiet + POLL_SECONDS
        if quiet >= KEEPALIVE_SECONDS:  # lets the browser notice a dead connection
            quiet = 0.0
            yield ": keep-alive\n\n"
        await anyio.sleep(POLL_SECONDS)

"""The live event stream: the ledger's new job events as server-sent events.

The ledger is the only place every process (worker, hooks, CLI) writes its job changes
to, so the stream polls it by event id a few times a second instead of hoping for a
notification; an id that only grows means nothing is sent twice or skipped, and a
browser that reconnects says where it was (`Last-Event-ID`).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

import anyio

from codequery import operations
from codequery.server.threads import in_thread
from codequery.workspace import Workspace

POLL_SECONDS = 0.25
KEEPALIVE_SECONDS = 15.0
RECONNECT_MS = 1000


def start_after(query_value: str | None, last_event_id: str | None) -> int | None:
    """Where a stream starts: the browser's Last-Event-ID when it reconnects (it sends
    the page's first `after` again too, which would replay), else the `after`
    parameter, else None (from now on)."""
    for given in (last_event_id, query_value):
        number = event_id(given)
        if number is not None:
            return number
    return None


def event_id(text: str | None) -> int | None:
    """A non-negative id as a client wrote it, or None for anything else ("²", a
    20-digit number SQLite cannot hold, words)."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdecimal()) or len(text) > 18:
        return None
    return int(text)


async def events(ws: Workspace, after: int | None, stopping: Callable[[], bool]
                 ) -> AsyncIterator[str]:
    """SSE frames (`event: job`, the id, the event as JSON) until the server stops;
    a client that goes away ends it too (Starlette cancels the response)."""

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

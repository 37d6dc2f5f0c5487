"""MCP over stdio that answers every request it has read before it ends.

The SDK's stdio server ends when stdin does, and the requests still at work then get no
answer: a client that writes its requests and closes stdin (a script, `printf ... |
codequery serve`, as a new user's trial did) got the answer to `initialize` and
`tools/list`, and none to its `tools/call`. Here the messages pass through as they come;
at the end of stdin the server is kept running until every request read has been answered
(or DRAIN_SECONDS have passed), then ends as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage
from mcp.types import JSONRPCError, JSONRPCRequest, JSONRPCResponse

# How long the answers still due are waited for once stdin has ended (a tool's longest
# wait is 300 s: `document` and `job` with wait_seconds).
DRAIN_SECONDS = 330.0
# How often the answers still due are looked at meanwhile.
POLL_SECONDS = 0.02


async def serve(run: Callable[[Any, Any], Awaitable[None]]) -> None:
    """Serve over stdin and stdout: `run(read_stream, write_stream)` is the server's loop
    (the SDK's low-level Server.run with its options)."""
    due: set[object] = set()  # the ids of the requests read and not answered yet
    async with stdio_server() as (read, write):
        to_server, server_reads = anyio.create_memory_object_stream[
            SessionMessage | Exception](0)
        server_writes, to_client = anyio.create_memory_object_stream[SessionMessage](0)

        async def pass_in() -> None:
            async with to_server:
                async for message in read:
                    if isinstance(message, SessionMessage) and isinstance(
                            message.message, JSONRPCRequest):
                        due.add(message.message.id)
                    await to_server.send(message)
                with anyio.move_on_after(DRAIN_SECONDS):  # stdin ended: answer what was asked
                    while due:
                        await anyio.sleep(POLL_SECONDS)

        async def pass_out() -> None:
            async with to_client:
                async for message in to_client:
                    await write.send(message)
                    if isinstance(message.message, JSONRPCResponse | JSONRPCError):
                        due.discard(message.message.id)

        # `write` closed at the end: the SDK's writer to stdout then ends
        async with write, anyio.create_task_group() as answering:
            answering.start_soon(pass_out)  # to the last answer the server gives
            async with anyio.create_task_group() as reading:
                reading.start_soon(pass_in)
                async with server_writes:
                    await run(server_reads, server_writes)
                reading.cancel_scope.cancel()  # the server is done: stdin is not

"""The queue that consumers on any machine serve: Huey's priority Redis storage, one task.

A task is self-contained: the job's id and lease token, the repository it came from, the
path, the content (base64), its language, the builtin analysis as a hint, and the documenter's
model and prompt version. A consumer needs no checkout of the repository; it documents
with the Claude CLI of its own machine and pushes the answer onto the repository's
results list, where the home worker (the only writer of the index and the ledger) takes
it. Secret-looking files never get here: they are documented at home, metadata only.

Names in Redis are in `redis_keys`; what travels through it is in this module.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from huey import Huey

from codequery import redis_keys, redis_link

# Tasks and answers travel as JSON both ways (never pickled: writing to the Redis cannot
# run code here). A consumer refuses a task of another version instead of misreading it.
PAYLOAD_VERSION = 2


def make(url: str, serve: Callable[[dict[str, Any]], None], storage_class: type | None = None
         ) -> tuple[Huey, Any]:
    """The shared queue on `url` and its task, which runs `serve(payload)` where it is
    consumed (the publisher's `serve` is never called); a consumer takes tasks through its
    `storage_class`."""
    huey = redis_link.huey(redis_keys.REMOTE_QUEUE, url, storage_class)

    @huey.task(name="document_content")
    def document_content(payload: dict[str, Any]) -> None:
        serve(payload)

    return huey, document_content


def result_message(payload: dict[str, Any], consumer: str, *, record: dict | None = None,
                   error: str | None = None, wait: float | None = None) -> str:
    """What a consumer pushes back: the record (ok) or the error, and for a documenter
    that asked to wait (rate limit, not logged in) how long, which costs no attempt."""
    return json.dumps({"v": PAYLOAD_VERSION, "job": payload["job"], "token": payload["token"],
                       "consumer": consumer, "ok": record is not None, "record": record,
                       "error": error, "wait": wait})

"""Every name codequery uses in a Redis: one place, so that the home worker, the remote
consumers and the team cache cannot disagree about them."""

from __future__ import annotations

import hashlib
import socket
from pathlib import Path

PREFIX = "codequery"
# The Huey queue that remote consumers serve: tasks carrying everything a documenter needs.
REMOTE_QUEUE = "codequery_remote"


def repo_id(root: Path) -> str:
    """This clone on this machine: the name of its own transport queue and results list
    (two clones of one repository each keep their own ledger and index)."""
    where = f"{socket.gethostname()}:{Path(root).resolve()}"
    return hashlib.sha1(where.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]


def transport_queue(root: Path) -> str:
    """The Huey queue of one clone's home worker (Huey keeps only [A-Za-z0-9_] of it)."""
    return f"codequery_{repo_id(root)}"


def results(repo: str) -> str:
    """Where remote consumers push what they made of a repository's tasks."""
    return f"{PREFIX}:results:{repo}"


def started(token: str) -> str:
    """Set when a consumer takes a task: from then on its heartbeat must be seen."""
    return f"{PREFIX}:started:{token}"


def heartbeat(token: str) -> str:
    """Kept alive (with a short TTL) while a consumer works on a task."""
    return f"{PREFIX}:heartbeat:{token}"


def kept_mark(repo: str) -> str:
    """What a clone's home worker last wrote to its Redis transport: found as written after
    Redis restarts, Redis kept what it held (persistence), and nothing is handed out again."""
    return f"{PREFIX}:mark:{repo}"


def cached_record(content_key: str) -> str:
    return f"{PREFIX}:record:{content_key}"


def consumer(consumer_id: str) -> str:
    """Kept alive (with a short TTL) while a consumer of the remote queue runs, working or
    idle: who could take a task now (see consumer_presence)."""
    return f"{PREFIX}:consumer:{consumer_id}"


def consumers() -> str:
    """The ids of consumers that said they run (a set; those whose key has gone are
    taken out as it is read)."""
    return f"{PREFIX}:consumers"

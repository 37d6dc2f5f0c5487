"""The Huey instance and tasks of one repository (CODEQUERY_ROOT, or the current one).

Task arguments are ledger ids, never objects: the ledger row says what to do.
"""

from __future__ import annotations

import logging
import os
import signal
from pathlib import Path

from huey import Huey, PriorityRedisHuey, SqliteHuey, crontab
from huey.storage import SqliteStorage

from codequery import config as config_mod
from codequery import git, redis_keys
from codequery.errors import CodeQueryError
from codequery.worker import WorkerRuntime
from codequery.workspace import Workspace

log = logging.getLogger(__name__)


def _root() -> Path:
    start = Path(os.environ.get("CODEQUERY_ROOT") or os.getcwd())
    try:
        return git.toplevel(start)
    except CodeQueryError:
        return start


workspace = Workspace(_root())
if not workspace.paths.settings.exists():
    raise CodeQueryError(
        f"codequery is not set up in {workspace.root}; run `codequery init` there first "
        "(or set CODEQUERY_ROOT to the repository)")



class _TransportStorage(SqliteStorage):
    """WAL with synchronous=NORMAL: safe from a crashed process, and no fsync per task.

    Huey's default (FULL) pays an fsync for every enqueue and dequeue, which made the disk,
    not the work, the limit. A power cut may lose the newest transport rows; the worker
    hands every pending ledger row over again when it starts, so nothing is lost.
    """

    def _create_connection(self):  # noqa: ANN202 - sqlite3.Connection, as in Huey
        conn = super()._create_connection()
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn


class CodeQueryHuey(SqliteHuey):
    storage_class = _TransportStorage


def make_huey(ws: Workspace) -> Huey:
    """The transport the settings ask for. On Redis each clone has a queue of its own,
    which only its home worker serves (the ledger stays on this machine), so flushing it
    at start never touches another repository's or another consumer's tasks."""
    processing = config_mod.load(ws.paths.settings).processing
    if processing.transport == "redis":
        return PriorityRedisHuey(redis_keys.transport_queue(ws.root), results=False,
                                 store_none=False, utc=True,
                                 connection_pool=_pool(processing.redis_url),
                                 read_timeout=1)
    return CodeQueryHuey("codequery", filename=str(ws.paths.huey_db), results=False,
                         store_none=False, utc=True, timeout=10, journal_mode="wal")


def _pool(url: str):  # noqa: ANN202 - redis.ConnectionPool
    from codequery import redis_link

    return redis_link.client(url).connection_pool


huey = make_huey(workspace)


@huey.task(name="document_job")
def document_job(job_id: str) -> None:
    runtime.run_job(job_id)


@huey.periodic_task(crontab(minute="*/15"), name="prune_completed")
def prune_completed() -> None:
    runtime.prune()


def _enqueue(job_id: str, priority: int) -> None:
    huey.enqueue(document_job.s(job_id, priority=priority))


runtime = WorkerRuntime(workspace, _enqueue, huey.storage.flush_queue)


@huey.on_startup(name="codequery_worker")
def _start_worker() -> None:
    """Under a bare `huey_consumer tasks.huey` this is where the lock is taken."""
    if not runtime.start():
        log.error("another codequery worker already runs for %s; stopping", workspace.root)
        os.kill(os.getpid(), signal.SIGTERM)

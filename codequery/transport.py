"""The Huey instance and tasks of one repository: SQLite or Redis, as its settings say.

Task arguments are ledger ids, never objects: the ledger row says what to do. One process
may build several (`worker start --all`); `huey_app` builds the one of CODEQUERY_ROOT.
"""

from __future__ import annotations

import logging
import os
import signal
from collections import namedtuple

from huey import Huey, SqliteHuey, crontab
from huey.storage import SqliteStorage

from codequery import redis_keys
from codequery.worker import WorkerRuntime
from codequery.workspace import Workspace

log = logging.getLogger(__name__)

# The transport and what runs on it; `tasks` maps task names to Huey's task wrappers.
App = namedtuple("App", "huey runtime tasks")


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
    processing = ws.config.processing
    if processing.transport == "redis":
        from codequery import redis_link

        return redis_link.huey(redis_keys.transport_queue(ws.root), processing.redis_url)
    return CodeQueryHuey("codequery", filename=str(ws.paths.huey_db), results=False,
                         store_none=False, utc=True, timeout=10, journal_mode="wal")


def build(ws: Workspace) -> App:
    huey = make_huey(ws)

    @huey.task(name="document_job")
    def document_job(job_id: str) -> None:
        runtime.run_job(job_id)

    @huey.periodic_task(crontab(minute="*/15"), name="prune_completed")
    def prune_completed() -> None:
        runtime.prune()

    def enqueue(job_id: str, priority: int) -> None:
        huey.enqueue(document_job.s(job_id, priority=priority))

    runtime = WorkerRuntime(ws, enqueue, huey.storage.flush_queue)

    @huey.on_startup(name="codequery_worker")
    def start_worker() -> None:
        """Under a bare `huey_consumer tasks.huey` this is where the lock is taken."""
        if not runtime.start():
            log.error("another codequery worker already runs for %s; stopping", ws.root)
            os.kill(os.getpid(), signal.SIGTERM)

    return App(huey, runtime, {"document_job": document_job,
                               "prune_completed": prune_completed})

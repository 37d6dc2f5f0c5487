"""The Huey instance and tasks of one repository (CODEQUERY_ROOT, or the current one).

Task arguments are ledger ids, never objects: the ledger row says what to do.
"""

from __future__ import annotations

import logging
import os
import signal
from pathlib import Path

from huey import SqliteHuey, crontab
from huey.storage import SqliteStorage

from codequery import git
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


huey = CodeQueryHuey("codequery", filename=str(workspace.paths.huey_db), results=False,
                  store_none=False, utc=True, timeout=10, journal_mode="wal")


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

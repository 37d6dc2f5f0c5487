"""The worker's runtime in process: what its dispatcher hands to the transport (real
SQLite; the transport a list)."""

from __future__ import annotations

import time

from codequery import blocking, ledger
from codequery.store import connect
from codequery.worker import WorkerRuntime
from codequery.workspace import Workspace
from tests.helpers import configure


def test_a_blocked_documenter_is_handed_one_job_per_check(initialized_repo):
    # not logged in: each job taken only to be put back had written two events, 80 a
    # second with a few hundred pending; one job's call makes the next check
    configure(initialized_repo, documenter={"name": "claude"})
    ws = Workspace(initialized_repo)
    handed: list[str] = []
    runtime = WorkerRuntime(ws, lambda job_id, priority: handed.append(job_id), lambda: None)
    conn = connect(ws.paths.data_db)
    ledger.enqueue(conn, ws.config.dataset,
                   [(f"src/f{i}.py", ledger.DOCUMENT, None) for i in range(5)])
    blocking.block(conn, "claude", "not logged in")
    next_check = runtime.dispatch(conn)
    assert handed == [] and next_check > time.time()
    conn.execute("UPDATE documenter_blocks SET checked_at = checked_at - ?",
                 (blocking.RECHECK_SECONDS + 1,))
    runtime.dispatch(conn)
    assert len(handed) == 1  # the check
    blocking.lift(conn, "claude")
    runtime.dispatch(conn)
    assert sorted(handed[1:]) == sorted(set(handed[1:])) and len(handed) == 5

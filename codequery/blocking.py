"""A documenter that cannot work until the user acts (the Claude CLI is not logged in).

Not a failure of any file: no call is made and no job spends an attempt while the block
stands. It is a row in code_data.db, shared by the worker and the CLI, and it is lifted
by a check that costs no model call (`claude auth status`), made at most every
RECHECK_SECONDS, or as soon as a call succeeds.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from codequery import ledger

RECHECK_SECONDS = 15.0
# How a block's reason ends while jobs wait on it (left out when none does).
JOBS_WAIT = "; the jobs wait and go on by themselves"
# How the reason of a block the worker found in its own surroundings starts (the Claude
# CLI not on the worker's PATH, though it is on the shell's): a check made by another
# process (`status`, `doctor`, `document`) says nothing of those, so it lifts such a block
# only once no worker has renewed it for WORKER_RENEWS_WITHIN (the worker is gone).
WORKER_CANNOT = "the worker cannot run it: "
WORKER_RENEWS_WITHIN = 3 * RECHECK_SECONDS


def current(conn: sqlite3.Connection, name: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT reason, since, checked_at FROM documenter_blocks WHERE name = ?",
                       (name,)).fetchone()
    if row is None:
        return None
    return {"reason": row[0], "since": row[1], "checked_at": row[2]}


def block(conn: sqlite3.Connection, name: str, reason: str) -> None:
    now = time.time()
    with ledger.transaction(conn):
        conn.execute("INSERT INTO documenter_blocks (name, reason, since, checked_at) "
                     "VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET reason = "
                     "excluded.reason, checked_at = excluded.checked_at",
                     (name, reason, now, now))


def checked(conn: sqlite3.Connection, name: str) -> None:
    with ledger.transaction(conn):
        conn.execute("UPDATE documenter_blocks SET checked_at = ? WHERE name = ?",
                     (time.time(), name))


def lift(conn: sqlite3.Connection, name: str) -> bool:
    if current(conn, name) is None:
        return False
    with ledger.transaction(conn):
        conn.execute("DELETE FROM documenter_blocks WHERE name = ?", (name,))
    return True


def worker_cannot(problem: str) -> str:
    """The reason of a block for what the worker's surroundings lack (`problem`)."""
    return (f"{WORKER_CANNOT}{problem}; then restart the worker (`codequery worker "
            "restart`)")


def the_worker_s(found: dict[str, Any]) -> bool:
    """Whether a block is one a running worker found in its own surroundings (see
    WORKER_CANNOT), renewed lately."""
    return (found["reason"].startswith(WORKER_CANNOT)
            and time.time() - found["checked_at"] < WORKER_RENEWS_WITHIN)


def due_for_check(found: dict[str, Any]) -> bool:
    return time.time() - found["checked_at"] >= RECHECK_SECONDS

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


def due_for_check(found: dict[str, Any]) -> bool:
    return time.time() - found["checked_at"] >= RECHECK_SECONDS

"""A new index in one work tree of a repository starts with the records its other work
trees' indexes keep (`git worktree add`: each work tree has its own `.code-query/`).
Records are kept by content (see Store.put), so every file of the new checkout whose
content another work tree documented is pointed at that record by the first reconcile:
no documenter call, no parse. A new work tree of 2,000 files had spent the hook's whole
budget documenting what the main one had already. Standard library only."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from codequery import defaults, git
from codequery.errors import CodeQueryError


def other_indexes(root: Path) -> list[Path]:
    """The data databases of the repository's other work trees, the main one first."""
    try:
        listed = git.split_z(git.run(["worktree", "list", "--porcelain", "-z"], root))
    except CodeQueryError:  # before git 2.36 (no -z): as if there were no other
        return []
    found = []
    for line in listed:
        if line.startswith("worktree "):
            tree = Path(line[len("worktree "):])
            index = tree / defaults.STATE_DIR / defaults.DATA_DB
            if tree.resolve() != root.resolve() and index.is_file():
                found.append(index)
    return found


def seed(conn: sqlite3.Connection, root: Path) -> int:
    """Copy into a new index (`conn`) the records another work tree's index keeps; how
    many. An index it cannot read (another schema, damaged, locked) is passed over."""
    for index in other_indexes(root):
        try:
            conn.execute("ATTACH DATABASE ? AS sibling", (str(index),))
        except sqlite3.Error:
            continue
        try:  # one statement: all or nothing
            return conn.execute(
                "INSERT OR IGNORE INTO main.documents (key, content_sha, record, created_at, "
                "used_at) SELECT key, content_sha, record, created_at, used_at "
                "FROM sibling.documents").rowcount
        except sqlite3.Error:
            continue
        finally:
            conn.execute("DETACH DATABASE sibling")
    return 0

"""Rows found through the full-text index, the index driving.

Joined the other way round, SQLite scans the records and tests a match record by record
(minutes at 50,000 records); a CROSS JOIN keeps the order. Standard library only.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator

TYPE_CHECKING = False  # typing is not imported: a search does not need it
if TYPE_CHECKING:
    from typing import Any


def lookup(conn: sqlite3.Connection, dataset: str, column: str, phrase: str,
           select: str, limit: int, where: str = "", params: tuple[Any, ...] = (),
           matches: int | None = None) -> Iterator[sqlite3.Row]:
    """This dataset's rows (`select`: columns of `r`, the records) whose `column` has
    `phrase` (quoted: any text is a phrase, never FTS5 syntax), filtered by `where`
    (SQL on `r`, with `params`), read lazily; of the first `matches` of this dataset's
    rows that have the phrase, if given (a filter that few rows pass would otherwise
    read every match of a common word: 50 ms for `src` at 50,000 records)."""
    match = f'{{{column}}} : "{phrase.replace(chr(34), chr(34) * 2)}"'
    if matches is not None and holds_only(conn, dataset):
        # a repository's index: its first matches are the index's, counted without
        # reading their records twice (a quarter of the time at 50,000 records)
        return conn.execute(
            f"SELECT {select} FROM (SELECT rowid AS id FROM records_fts "
            f"WHERE records_fts MATCH ? LIMIT ?) f CROSS JOIN records r ON r.id = f.id "
            # (`r.dataset`: rows of another dataset may be added between the two reads)
            f"WHERE r.dataset = ? {where} LIMIT ?",
            (match, int(matches), dataset, *params, limit))
    if matches is None:
        return conn.execute(
            f"SELECT {select} FROM records_fts f CROSS JOIN records r ON r.id = f.rowid "
            f"WHERE records_fts MATCH ? AND r.dataset = ? {where} LIMIT ?",
            (match, dataset, *params, limit))
    return conn.execute(
        f"SELECT {select} FROM (SELECT m.rowid AS id FROM records_fts m CROSS JOIN records d "
        f"ON d.id = m.rowid WHERE records_fts MATCH ? AND d.dataset = ? LIMIT ?) f "
        f"CROSS JOIN records r ON r.id = f.id WHERE 1 {where} LIMIT ?",
        (match, dataset, int(matches), *params, limit))


def holds_only(conn: sqlite3.Connection, dataset: str) -> bool:
    """Whether every record of the index is `dataset`'s, as a repository's index is: its
    full-text index then answers for the dataset alone. (One aggregate a query: each is
    then one step of the (dataset, path) index.)"""
    low = conn.execute("SELECT min(dataset) FROM records").fetchone()[0]
    return low == dataset and conn.execute(
        "SELECT max(dataset) FROM records").fetchone()[0] == dataset


def like_escaped(text: str) -> str:
    """`text` for a LIKE pattern with ESCAPE '\\': its `%`, `_` and `\\` as themselves."""
    return re.sub(r"([%_\\])", r"\\\1", text)

"""code_data.db: documentation records and their full-text index.

Standard library only. Records go in and come out as plain dicts shaped like
`records.FileRecord`; the pydantic validation happens before a record gets here.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from codequery import migrations
from codequery.errors import CodeQueryError

BUSY_TIMEOUT_MS = 10_000
_DOC_KEYS = ("functions", "classes", "imports", "exports", "dependencies", "notes")
_COLUMNS = ("path", "language", "overview", "size", "line_count", "content_sha",
            "documenter", "model", "documented_at", "duration_ms", "cost_usd", "input_tokens",
            "output_tokens")
# bm25 weights, in the FTS column order (path, symbols, overview, docstrings): a hit on a
# symbol name or a path says more about a file than a word in its prose.
_WEIGHTS = "8.0, 10.0, 3.0, 1.0"
_DERIVED = ("doc", "symbols", "docstrings")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) a data database in WAL mode with the newest schema."""
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        migrations.migrate(conn)
    except migrations.MissingFTS5:
        raise CodeQueryError(
            f"this Python's SQLite ({sqlite3.sqlite_version}) has no FTS5 full-text search; "
            "install a Python built with a current SQLite"
        ) from None
    except sqlite3.DatabaseError as exc:
        raise CodeQueryError(
            f"cannot use database {path}: {exc}; move it aside and run `codequery document` "
            "to rebuild it"
        ) from None
    return conn


def _words(name: str) -> list[str]:
    parts = [p for chunk in name.split("_") for p in _CAMEL.findall(chunk)]
    return [name, *parts] if len(parts) > 1 else [name]


def _symbols_and_docstrings(doc: dict[str, Any]) -> tuple[str, str]:
    names: list[str] = []
    prose: list[str] = []
    for fn in doc.get("functions", []):
        names += _words(fn["name"])
        prose.append(fn.get("summary", ""))
    for cls in doc.get("classes", []):
        names += _words(cls["name"])
        prose.append(cls.get("summary", ""))
        for method in cls.get("methods", []):
            names += _words(method["name"])
            prose.append(method.get("summary", ""))
    names += doc.get("exports", [])
    prose += doc.get("notes", [])
    return " ".join(names), "\n".join(p for p in prose if p)


def fts_query(text: str, *, any_term: bool = False) -> str | None:
    """Turn what a user typed into a safe MATCH expression, or None if nothing is searchable.

    Every term is quoted as a phrase, so `NOT`, `-x`, `a:b`, `"` or `(` are words, never
    FTS5 syntax; a trailing `*` keeps its meaning as a prefix search.
    """
    terms = []
    for raw in text.split():
        prefix = raw.endswith("*")
        word = raw.rstrip("*")
        if not any(ch.isalnum() for ch in word):
            continue
        quoted = '"' + word.replace('"', '""') + '"'
        terms.append(quoted + ("*" if prefix else ""))
    if not terms:
        return None
    return (" OR " if any_term else " ").join(terms)


class Store:
    """The records of one dataset."""

    def __init__(self, conn: sqlite3.Connection, dataset: str) -> None:
        self.conn = conn
        self.dataset = dataset

    def view(self) -> dict[str, str | None]:
        """The path view: every documented path and the content key of its record."""
        rows = self.conn.execute("SELECT path, doc_key FROM records WHERE dataset = ?",
                                 (self.dataset,))
        return dict(rows.fetchall())

    def key_of(self, path: str) -> str | None:
        row = self.conn.execute("SELECT doc_key FROM records WHERE dataset = ? AND path = ?",
                                (self.dataset, path)).fetchone()
        return row[0] if row else None

    def put(self, record: dict[str, Any], key: str) -> None:
        """Keep `record` under its content key and point its path at it (call inside a
        transaction to group writes)."""
        now = time.time()
        body = {k: v for k, v in record.items() if k not in ("path", "stale")}
        self.conn.execute(
            "INSERT INTO documents (key, content_sha, record, created_at, used_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET record = excluded.record, "
            "used_at = excluded.used_at", (key, record["content_sha"], json.dumps(body), now, now))
        self._write_view(record, key)

    def point(self, path: str, key: str) -> bool:
        """Point `path` at the record already kept under `key` (no documenter, no parse);
        False if there is none."""
        row = self.conn.execute("SELECT record FROM documents WHERE key = ?", (key,)).fetchone()
        if row is None:
            return False
        record = json.loads(row[0])
        record["path"] = path
        self.conn.execute("UPDATE documents SET used_at = ? WHERE key = ?", (time.time(), key))
        self._write_view(record, key)
        return True

    def has_document(self, key: str) -> bool:
        return self.conn.execute("SELECT 1 FROM documents WHERE key = ?",
                                 (key,)).fetchone() is not None

    def _write_view(self, record: dict[str, Any], key: str) -> None:
        doc = {k: record.get(k, []) for k in _DOC_KEYS}
        symbols, docstrings = _symbols_and_docstrings(doc)
        values = [record.get(col) for col in _COLUMNS]
        self._release([record["path"]])
        self.conn.execute(
            f"INSERT INTO records (dataset, {', '.join(_COLUMNS)}, doc, symbols, docstrings, "
            f"doc_key) VALUES ({', '.join('?' * (len(_COLUMNS) + 5))}) "
            "ON CONFLICT (dataset, path) DO UPDATE SET "
            + ", ".join(f"{col} = excluded.{col}"
                        for col in (*_COLUMNS[1:], *_DERIVED, "doc_key")),
            [self.dataset, *values, json.dumps(doc), symbols, docstrings, key],
        )
        self.conn.execute("DELETE FROM skipped WHERE dataset = ? AND path = ?",
                          (self.dataset, record["path"]))

    def _release(self, paths: Iterable[str]) -> None:
        """The records these paths leave stop being used now (retention counts from here)."""
        now = time.time()
        for path in paths:
            self.conn.execute(
                "UPDATE documents SET used_at = ? WHERE key = "
                "(SELECT doc_key FROM records WHERE dataset = ? AND path = ?)",
                (now, self.dataset, path))

    def delete(self, paths: Iterable[str]) -> int:
        """Paths that are gone lose their records (the content stays kept by its key until
        pruned) and any skip verdict."""
        removed = 0
        for path in paths:
            self._release([path])
            cur = self.conn.execute(
                "DELETE FROM records WHERE dataset = ? AND path = ?", (self.dataset, path)
            )
            removed += cur.rowcount
            self.conn.execute("DELETE FROM skipped WHERE dataset = ? AND path = ?",
                              (self.dataset, path))
        return removed

    def skip(self, path: str, sha: str, rules: str, reason: str) -> None:
        """`path` at content `sha` is not documented (binary, too large...) under these file
        rules: remembered, so the reconciler does not ask again until either changes."""
        self.delete([path])
        self.conn.execute(
            "INSERT OR REPLACE INTO skipped (dataset, path, content_sha, rules, reason) "
            "VALUES (?, ?, ?, ?, ?)", (self.dataset, path, sha, rules, reason))

    def skips(self) -> dict[str, tuple[str, str, str]]:
        """path -> (content sha, rules, reason) of the paths not documented on purpose."""
        rows = self.conn.execute(
            "SELECT path, content_sha, rules, reason FROM skipped WHERE dataset = ?",
            (self.dataset,))
        return {row[0]: (row[1], row[2], row[3]) for row in rows}

    def prune_documents(self, older_than_days: float) -> int:
        """Forget kept records that no path of any dataset has used for that long."""
        cutoff = time.time() - older_than_days * 86400
        return self.conn.execute(
            "DELETE FROM documents WHERE used_at < ? AND NOT EXISTS "
            "(SELECT 1 FROM records r WHERE r.doc_key = documents.key)", (cutoff,)).rowcount

    def paths(self) -> set[str]:
        rows = self.conn.execute("SELECT path FROM records WHERE dataset = ?", (self.dataset,))
        return {row[0] for row in rows}

    def count(self) -> int:
        row = self.conn.execute(
            "SELECT count(*) FROM records WHERE dataset = ?", (self.dataset,)
        ).fetchone()
        return int(row[0])

    def get(self, path: str) -> dict[str, Any] | None:
        row = self.conn.execute(
            f"SELECT {', '.join(_COLUMNS)}, doc FROM records WHERE dataset = ? AND path = ?",
            (self.dataset, path),
        ).fetchone()
        if row is None:
            return None
        record = {col: row[col] for col in _COLUMNS}
        record.update(json.loads(row["doc"]))
        return record

    def search(self, text: str, limit: int = 10) -> list[dict[str, Any]]:
        """Ranked matches; if every term together finds nothing, any term will do."""
        results: list[dict[str, Any]] = []
        for any_term in (False, True):
            query = fts_query(text, any_term=any_term)
            if query is None:
                return []
            results = self._match(query, limit)
            if results or " " not in query:
                break
        return results

    def _match(self, query: str, limit: int) -> list[dict[str, Any]]:
        # Rank first and fetch the rest for the winners only: bm25 over every match is
        # the unavoidable cost, snippets and the join to records are not.
        want = limit * 2 + 20
        while True:
            ranked = self.conn.execute(
                f"SELECT rowid, bm25(records_fts, {_WEIGHTS}) FROM records_fts "
                "WHERE records_fts MATCH ? ORDER BY 2 LIMIT ?", (query, want),
            ).fetchall()
            rows = self._details(query, [r[0] for r in ranked])
            if len(rows) >= limit or len(ranked) < want:
                break
            want *= 8  # other datasets' rows crowded the page out
        ranks = {rowid: rank for rowid, rank in ranked}
        rows.sort(key=lambda row: ranks[row["id"]])
        return [
            {"path": row["path"], "score": round(-ranks[row["id"]], 4),
             "overview": row["overview"], "snippet": row["snippet"],
             "content_sha": row["content_sha"]}
            for row in rows[:limit]
        ]

    def _details(self, query: str, rowids: list[int]) -> list[sqlite3.Row]:
        if not rowids:
            return []
        marks = ",".join("?" * len(rowids))
        return self.conn.execute(
            "SELECT r.id, r.path, r.overview, r.content_sha, "
            "snippet(records_fts, -1, char(2), char(3), '…', 12) AS snippet "
            "FROM records_fts JOIN records r ON r.id = records_fts.rowid "
            f"WHERE records_fts MATCH ? AND records_fts.rowid IN ({marks}) AND r.dataset = ?",
            (query, *rowids, self.dataset),
        ).fetchall()

    def shas(self) -> dict[str, str]:
        rows = self.conn.execute("SELECT path, content_sha FROM records WHERE dataset = ?",
                                 (self.dataset,))
        return {row[0]: row[1] for row in rows}


class SharedConnection:
    """One connection, opened on first use, for an object whose threads take turns on it
    (under `lock`): the rate limiter and the circuit breaker."""

    def __init__(self, path: Path) -> None:
        import threading

        self.path = path
        self.lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def get(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = connect(self.path)
        return self._conn

    def close(self) -> None:
        with self.lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

"""code_data.db: documentation records and their full-text index.

Standard library only. Records go in and come out as plain dicts shaped like
`records.FileRecord`; the pydantic validation happens before a record gets here.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from codequery import (
    defaults,
    fts_lookup,
    handed_on,
    left_out_words,
    migrations,
    ranking,
    rescoring,
    search_text,
    spoken_for,
)
from codequery.errors import CodeQueryError
from codequery.lazy_re import lazy

TYPE_CHECKING = False  # typing is not imported: a search does not need it
if TYPE_CHECKING:
    from typing import Any

BUSY_TIMEOUT_MS = 10_000
# Source files per language, read from the index records_by_kind alone (see migrations).
LANGUAGE_COUNTS = ("SELECT language, count(*) FROM records WHERE dataset = ? "
                   "AND kind = 'source' GROUP BY language")
# The settings files' languages and paths (see Store._tooling_is_code).
SETTINGS_FILES = "SELECT language, path FROM records WHERE dataset = ? AND kind = 'config'"
_DOC_KEYS = ("functions", "classes", "imports", "exports", "dependencies", "notes")
_COLUMNS = ("path", "language", "overview", "size", "line_count", "content_sha",
            "documenter", "model", "documented_at", "duration_ms", "cost_usd", "input_tokens",
            "output_tokens")
_TESTS_ONLY = "AND r.kind IN ('test', 'fixture', 'example')"
# How many matching rows a search ranks at most (about 1 µs each): see Store._affordable.
# At 50,000 real records (bench/bench_search.py --real), 1,200 against 5,000 takes the
# median question from 31 to 25 ms, the words left out scored after all; on
# bench/search_quality.py (most repositories under both) top-3 91.57% against 91.65%,
# MRR 0.831 against 0.832, and on bench/holdout 89.74% / 0.811 against 89.70% / 0.812.
RANK_BUDGET = 1_200
# An index of at most this many rows ranks by every word all the same: there, the whole
# ranking costs a few milliseconds, and the budget's words left out cost answers. On the
# 675 questions of the 43 repositories of 1,200 to 3,100 files among the C, C++, C#,
# Java, TypeScript, PHP and Go subsets of bench/search_quality and bench/holdout
# (in process, over kept indexes): top-3 85.19% -> 86.07%, MRR 0.778 -> 0.783; over all
# 5,473 questions of those subsets 90.66% -> 90.77% (30 questions up, 21 down). At
# 50,000 real records (bench/bench_search.py --real) the budget stays: a budget of 5,000
# there took the median question from 20 to 25 ms.
FULL_RANKING_ROWS = 5_000
# A query that is a path ending more files' paths than this (`index.ts`, `__init__.py`)
# names none of them: it is ranked as words are.
TYPED_PATHS_MAX = 3
# The paths with a typed file name's words read at most to find those that end with it.
TYPED_LOOKUP_ROWS = 500
# A query that is a folder's path (`lib/internal/`) puts at most this many of its files
# first (the most a search gives).
FOLDER_FILES_MAX = defaults.MAX_LIMIT
# When common words were left out to afford the ranking, this many times the usual number
# of best matches of the other words are scored by them too (see left_out_words).
# Measured on bench/search_quality.py with the budget at 300 rows, so that nearly every
# repository is over it (5,150 questions; ranked by every word: top-3 91.65%, MRR 0.832):
# 1 time, 90.60% / 0.823; 2 times, 91.15% / 0.827; 3 times, 91.20% / 0.828. Two take
# 2.5 ms less than three at 50,000 real records; one, 3 ms less again.
RESCORED_POOL = 2
# Of the words left out, the rarest this many are scored after all: the commoner ones
# weigh least. At 50,000 real records a question leaves out 8 on average, each costing
# about 0.6 ms. With the budget at 300 as above, scoring all of them, 6, 5 or 4: the
# bench's top-3 91.15%, 91.18%, 91.15%, 91.15% (MRR 0.827, 0.827, 0.827, 0.826);
# bench/holdout's 90.30%, 90.21%, 90.30%, 90.13% (MRR 0.809, 0.809, 0.809, 0.808).
LEFT_OUT_SCORED = 5
# What a store keeps of searches' counts at most before it starts again (see Store._kept).
MEMO_ENTRIES = 10_000
# Bump when what `_search_columns` derives changes: rows are derived again on next open.
SEARCH_VERSION = 130
# A question's runs of words whose initials are looked up (one index query each).
MAX_INITIALS = 40
# What ranking reads of a candidate.
_RANKED = ("id", "path", "kind", "language", "overview", "content_sha", "doc", "line_count",
           "doc_key")
# bm25 with the column weights, as every ranking query asks for it.
_BM25 = f"bm25(records_fts, {', '.join(map(str, ranking.WEIGHTS))})"
# SQLite's primary result codes for a damaged file (SQLITE_CORRUPT, SQLITE_NOTADB), and
# their messages where Python (before 3.11) does not give the code.
_DAMAGE_CODES = (11, 26)
_DAMAGE_MESSAGES = ("database disk image is malformed", "file is not a database")


def connect(path: Path, create: bool = True) -> sqlite3.Connection:
    """Open a data database in WAL mode with the newest schema; created if needed, but
    with `create` False (for a connection that is no way in: see Workspace.connect) a
    missing one is an error."""
    if not create and not Path(path).exists():
        raise CodeQueryError(f"no index at {path}")
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        migrations.migrate(conn)
        _refresh_search_columns(conn)
    except migrations.MissingFTS5:
        raise CodeQueryError(
            f"this Python's SQLite ({sqlite3.sqlite_version}) has no FTS5 full-text search; "
            "install a Python built with a current SQLite"
        ) from None
    except sqlite3.DatabaseError as exc:
        raise unusable(path, exc) from None
    return conn


def unusable(path: Path, exc: BaseException) -> CodeQueryError:
    """What to tell of a data database SQLite cannot use: a full disk as one (deriving
    search columns at open writes; so does a first open, which makes the shared-memory
    file), a damaged file with the way to rebuild it, anything else as SQLite says it.
    Moving a database aside is advised for damage alone: it loses the index."""
    if disk_full(exc, path):
        return CodeQueryError(f"cannot use database {path}: the disk is full ({exc}); free "
                              "some space on it and try again (nothing in it is lost)")
    if damaged(exc):
        return CodeQueryError(f"cannot use database {path}: {exc}; move it aside and run "
                              "`codequery document` to rebuild it")
    if read_only(exc) or not writable(Path(path)):
        return read_only_error(path)
    return CodeQueryError(f"cannot use database {path}: {exc}")


def read_only_error(path: Path) -> CodeQueryError:
    """What to tell of a data database that cannot be written."""
    return CodeQueryError(f"cannot write database {path}: {READ_ONLY_SAYS}")


# SQLite's SQLITE_READONLY (and its extended codes), and its message where Python (before
# 3.11) does not give the code.
_READ_ONLY_CODE, _READ_ONLY_MESSAGE = 8, "attempt to write a readonly database"
READ_ONLY_SAYS = ("it is read-only (its permissions, `chattr +i`, or a read-only mount); "
                  "make it and its folder writable and try again (nothing in it is lost)")


def read_only(exc: BaseException) -> bool:
    """Whether SQLite could not write because the file (or its folder) is read-only."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    return (code is not None and code & 0xFF == _READ_ONLY_CODE
            or _READ_ONLY_MESSAGE in str(exc))


def writable(path: Path) -> bool:
    """Whether a data database (if there is one) and its folder (where SQLite writes its
    journal) may be written: a connection opened while they may not stays read-only for
    good."""
    return ((not path.exists() or os.access(path, os.W_OK))
            and os.access(path.parent, os.W_OK))


# SQLite's SQLITE_FULL, and its message where Python (before 3.11) does not give the code.
_FULL_CODE, _FULL_MESSAGE = 13, "database or disk is full"
# SQLite's SQLITE_IOERR: what a write that found no room may also fail with (the
# shared-memory file of a database that nothing has open); full when so little is free.
_IO_ERROR_CODE, _NEARLY_FULL_BYTES = 10, 1 << 20


def disk_full(exc: BaseException, path: Path | None = None) -> bool:
    """Whether SQLite could not write for want of space: it says so, or (with `path`, the
    database) it could not write and the disk holding it is all but full."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code == _FULL_CODE or _FULL_MESSAGE in str(exc):
        return True
    if path is None or not (code is not None and code & 0xFF == _IO_ERROR_CODE
                            or "disk I/O error" in str(exc)):
        return False
    return no_room(path)


def no_room(path: Path) -> bool:
    """Whether the disk holding a data database has too little room left for SQLite to
    write to it (see disk_full)."""
    import shutil

    try:
        return shutil.disk_usage(path.parent).free < _NEARLY_FULL_BYTES
    except OSError:
        return False


def damaged(exc: BaseException) -> bool:
    """Whether SQLite found the file itself damaged (not locked, full or read-only). Damage
    past the pages read at open shows only when a query reaches it, long after `connect`."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None:
        return (code & 0xFF) in _DAMAGE_CODES
    return any(text in str(exc) for text in _DAMAGE_MESSAGES)


def _names(name: str) -> list[str]:
    return [name, *search_text.split_identifier(name)]


def _symbols_and_docstrings(doc: dict[str, Any], symbols: list[dict[str, Any]]
                            ) -> tuple[str, str]:
    names = [n for item in symbols for n in _names(item["name"])]
    names += [n for name in doc.get("exports", []) for n in _names(name)]
    prose = [item.get("summary", "") for item in symbols]
    prose += [note for note in doc.get("notes", []) if search_text.about_the_code(note)]
    return " ".join(names), search_text.spelled_out("\n".join(p for p in prose if p))


def _only_types(doc: dict[str, Any]) -> bool:
    """Whether a record declares types and nothing else: no function, no method, no
    export but those types (graphql-js's `instanceOf.ts` exports a function its outline
    does not show), and no syntax error that may have hidden some (see
    search_text.kind_of)."""
    classes = doc.get("classes", [])
    return (bool(classes) and not doc.get("functions")
            and not any(c.get("methods") for c in classes)
            and set(doc.get("exports", [])) <= {c.get("name") for c in classes}
            and search_text.SYNTAX_ERRORS_NOTE not in doc.get("notes", [])
            and search_text.WORKS_NOTE not in doc.get("notes", []))


# Overrides every .NET attribute may have: they do no work of the attribute's own.
_OBJECT_OVERRIDES = frozenset({"Equals", "GetHashCode", "ToString", "Match",
                               "IsDefaultAttribute", "TypeId"})


def _does_work(doc: dict[str, Any]) -> bool:
    """Whether a record's class does work of its own: three or more methods by different
    names besides its constructors and object overrides, or one method of its own and an
    interface it implements (Hangfire's LatencyTimeoutAttribute, an IElectStateFilter:
    its OnStateElection deletes the job); see search_text.kind_of."""
    for c in doc.get("classes", []):
        own = ({m.get("name") for m in c.get("methods", [])} - _OBJECT_OVERRIDES
               - _constructor_names(c.get("name", "")) - {None})
        if len(own) >= 3 or own and any(_INTERFACE_NAME.match(_bare_type(base))
                                        for base in c.get("bases") or ()):
            return True
    return False


# A class of nothing but overloads of one method (Polly's `AsyncBulkheadSyntax.cs`: twelve
# `BulkheadAsync`) is an API's front door: its doc comments repeat what the class behind
# it does, so in C#, Java and Kotlin it ranks with declarations (see search_text.kind_of).
# On bench/search_quality.py (2,525 questions): Polly's bulkhead engine 8 -> 5 and cache
# engine 5 -> 3, kotlinx-datetime's safe multiply 6 -> 5; none worse.
OVERLOADS_MIN = 3


def _only_overloads(doc: dict[str, Any]) -> bool:
    classes = doc.get("classes", [])
    names = [m.get("name") for c in classes for m in c.get("methods", [])
             if m.get("name") not in _constructor_names(c.get("name", ""))]
    return (not doc.get("functions") and len(names) >= OVERLOADS_MIN and len(set(names)) == 1
            and not _implemented_beside_its_base(classes))


def _implemented_beside_its_base(classes: list[dict[str, Any]]) -> bool:
    """Whether a class of a record derives from another of the same record: a type and
    its implementations of its one method are not overloads (AutoMapper's
    INamingConvention.cs: the interface and three conventions, four Split). Names are
    compared bare: `IConverter<int>`, `N.IConverter` and a nested `Outer.IConverter` are
    `IConverter`."""
    named = {_bare_type(c.get("name")) for c in classes}
    return any(_bare_type(base) in named for c in classes for base in c.get("bases") or ())


def _bare_type(name: str | None) -> str:
    """A type's name without its type arguments and qualifiers (`N.IConverter<int>`)."""
    return (name or "").split("<", 1)[0].rsplit(".", 1)[-1].strip()


# A class named as a .NET interface is (`INamingConvention`, `IDisposable`).
_INTERFACE_NAME = lazy(r"I[A-Z][a-z]")


def _holds_implementations(doc: dict[str, Any]) -> bool:
    """Whether a record holds a class not named as an interface that has methods besides
    its constructors: an `IName.cs` that implements itself too (see search_text.kind_of),
    not one with an exception or event arguments beside its interface."""
    return any(not _INTERFACE_NAME.match(_bare_type(c.get("name")))
               and {m.get("name") for m in c.get("methods", [])}
               - _constructor_names(c.get("name", ""))
               for c in doc.get("classes", []))


def _constructor_names(class_name: str) -> set[str]:
    """What a class's constructors are called in its record: its own name (C#, Java;
    `Outer.Inner` as `Inner`), or `constructor`/`init` (Kotlin)."""
    return {class_name, class_name.rpartition(".")[2], "constructor", "init", "<init>"}


def _search_columns(path: str, overview: str | None, doc: dict[str, Any], terms: str
                    ) -> dict[str, Any]:
    """What the full-text index sees of a record (the FTS columns and the path's kind)."""
    defined = ranking.symbols_of(doc)
    symbols, docstrings = _symbols_and_docstrings(doc, defined)
    notes = doc.get("notes", [])
    return {"symbols": search_text.with_long_forms(symbols), "docstrings": docstrings,
            "path_words": search_text.path_words(
                path, [item["name"] for item in defined], terms),
            "overview_words": search_text.spelled_out(overview or ""),
            "terms": search_text.with_long_forms(terms),
            "kind": search_text.kind_of(path, bool(doc.get("functions")),
                                        _only_types(doc) or _only_overloads(doc)
                                        or search_text.INTERFACES_NOTE in notes,
                                        _does_work(doc),
                                        not search_text.GENERATED_NOTES.isdisjoint(notes),
                                        not search_text.TEST_FRAMEWORKS.isdisjoint(
                                            doc.get("imports", [])),
                                        _holds_implementations(doc)),
            "search_version": SEARCH_VERSION}


def _refresh_search_columns(conn: sqlite3.Connection) -> None:
    """Rows indexed by an older codequery are derived again, once (PRAGMA user_version
    remembers it), from the records and the vocabulary kept with their documents."""
    if conn.execute("PRAGMA user_version").fetchone()[0] >= SEARCH_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        rows = conn.execute(
            "SELECT r.*, d.record FROM records r LEFT JOIN documents d ON d.key = r.doc_key "
            "WHERE r.search_version < ?", (SEARCH_VERSION,)).fetchall()
        for row in rows:
            kept = json.loads(row["record"]) if row["record"] else {}
            cols = _search_columns(row["path"], row["overview"], json.loads(row["doc"]),
                                   kept.get("terms", ""))
            # only what changed: the full-text index is written again only for the words
            # it indexes (see migration 11), not for a new kind or version alone
            changed = {c: v for c, v in cols.items() if row[c] != v}
            conn.execute(f"UPDATE records SET {', '.join(f'{c} = ?' for c in changed)} "
                         "WHERE id = ?", (*changed.values(), row["id"]))
        conn.execute(f"PRAGMA user_version = {SEARCH_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # SQLite rolls back itself on some errors (a full disk)
            conn.execute("ROLLBACK")
        raise


class Store:
    """The records of one dataset."""

    def __init__(self, conn: sqlite3.Connection, dataset: str) -> None:
        self.conn = conn
        self.dataset = dataset
        # what searches worked out from the database, kept until it changes (see _kept)
        self._memo: dict[Any, Any] = {}
        self._memo_version = (-1, -1)

    def view(self) -> dict[str, str | None]:
        """The path view: every documented path and the content key of its record."""
        rows = self.conn.execute("SELECT path, doc_key FROM records WHERE dataset = ?",
                                 (self.dataset,))
        return dict(rows.fetchall())

    def kind_at(self, path: str) -> str | None:
        row = self.conn.execute("SELECT kind FROM records WHERE dataset = ? AND path = ?",
                                (self.dataset, path)).fetchone()
        return row[0] if row else None

    def key_of(self, path: str) -> str | None:
        row = self.conn.execute("SELECT doc_key FROM records WHERE dataset = ? AND path = ?",
                                (self.dataset, path)).fetchone()
        return row[0] if row else None

    def put(self, record: dict[str, Any], key: str,
            row: dict[str, Any] | None = None) -> None:
        """Keep `record` under its content key and point its path at it (call inside a
        transaction to group writes); `row`: its columns, if worked out before (row_of)."""
        now = time.time()
        body = {k: v for k, v in record.items() if k not in ("path", "stale")}
        self.conn.execute(
            "INSERT INTO documents (key, content_sha, record, created_at, used_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET record = excluded.record, "
            "used_at = excluded.used_at", (key, record["content_sha"], json.dumps(body), now, now))
        self._write_view(record, key, row)

    @staticmethod
    def row_of(record: dict[str, Any]) -> dict[str, Any]:
        """The columns a record's row derives from it (its document, what the full-text
        index sees): work that need not hold the write lock (a file of 75,000 functions
        takes over a second)."""
        doc = {k: record.get(k, []) for k in _DOC_KEYS}
        return {"doc": json.dumps(doc), **_search_columns(
            record["path"], record.get("overview"), doc, record.get("terms", ""))}

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

    def _write_view(self, record: dict[str, Any], key: str,
                    row: dict[str, Any] | None = None) -> None:
        derived = row or self.row_of(record)
        values = [record.get(col) for col in _COLUMNS]
        self._release([record["path"]])
        self.conn.execute(
            f"INSERT INTO records (dataset, {', '.join(_COLUMNS)}, {', '.join(derived)}, "
            f"doc_key) VALUES ({', '.join('?' * (len(_COLUMNS) + len(derived) + 2))}) "
            "ON CONFLICT (dataset, path) DO UPDATE SET "
            + ", ".join(f"{col} = excluded.{col}"
                        for col in (*_COLUMNS[1:], *derived, "doc_key")),
            [self.dataset, *values, *derived.values(), key],
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

    def larger_than(self, size: int) -> set[str]:
        """The documented paths whose content is over `size` bytes."""
        rows = self.conn.execute("SELECT path FROM records WHERE dataset = ? AND size > ?",
                                 (self.dataset, size))
        return {row[0] for row in rows}

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

    def search(self, text: str, limit: int = 10, tests: bool = False,
               read: Callable[[str], str | None] | None = None) -> list[dict[str, Any]]:
        """Ranked matches for a question or some words (see search_text and ranking).
        Tests, fixtures and examples follow the source; with `tests`, only they come.
        `read` gives a file's text as it is now (None if it cannot): the best candidates
        are then scored again on what their text shows (see rescoring)."""
        terms = search_text.query_terms(text)
        terms += [search_text.Term(a) for a in self._named_acronyms(text)
                  if all(t.word != a for t in terms)]
        ranked = self._ranked(text, terms, limit, tests, read)
        if (typed := search_text.typed_path(text)) is not None:
            ranked = self._typed_first(ranked, self._paths_typed(typed, tests))
        return self._results(ranked[:limit], terms)

    def _ranked(self, text: str, terms: list[search_text.Term], limit: int, tests: bool,
                read: Callable[[str], str | None] | None) -> list[ranking.Candidate]:
        """The candidates for `text`, best first (see search)."""
        affordable, rows_to_rank, left_out, rows = self._affordable(terms)
        repeated = search_text.repeated_words(text)  # each weighs twice in bm25
        expression = search_text.match_expression(
            affordable + [t for t in affordable if t.word in repeated])
        if expression is None:
            return []
        tests_first = tests or search_text.wants_tests(text)
        want = ranking.candidates_for(limit)
        if rows_to_rank <= RANK_BUDGET:
            scores = self._described_and_used(expression, tests,
                                              want * (RESCORED_POOL if left_out else 1))
            if left_out:  # the common words left out, scored over the best matches
                for row_id, added in left_out_words.scores(self.conn, scores, left_out,
                                                            rows, self._kept()).items():
                    scores[row_id] += added
                scores = dict(sorted(scores.items(), key=lambda item: item[1])[:want])
        else:
            # Even the rarest word is everywhere: the files whose path or symbols name it
            # come first, then the best of as many other matches as the budget allows.
            scores = self._bm25(f"{{path_words symbols}} : ({expression})", tests,
                                f"ORDER BY 2, 1 LIMIT {want}")
            if len(scores) < want:
                sample = self._sample(expression, tests)
                best = sorted((r for r in sample if r not in scores), key=sample.__getitem__)
                if best:  # scaled to follow the named files, in their own order
                    scale = (max(scores.values()) / sample[best[0]] * 0.999 if scores
                             else 1.0)
                    scores.update((r, sample[r] * scale) for r in best[:want - len(scores)])
        if not scores:
            return []
        rows = [dict(row) for row in self.conn.execute(
            f"SELECT {', '.join(_RANKED)} FROM records "
            # `+dataset`: looked up by id; by the dataset's index, every row would be read
            f"WHERE id IN ({','.join('?' * len(scores))}) AND +dataset = ?",
            [*scores, self.dataset])]
        if not rows:  # each read is its own: the worker removed them since (a reset)
            return []
        asked: list[list[int]] = []  # a question of one name: the files it asks for
        if not tests_first and (name := ranking.named_file(terms)) is not None:
            # a query that is the one word and nothing else is a name looked for, as one
            # typed as code is: the files that define it are asked for too (`slugify`)
            alone = name._replace(code=True) if search_text.one_word(text) else name
            asked = spoken_for.asked_by_name(self.conn, self.dataset, alone)
        asked_ids = {rid for group in asked for rid in group}
        if not tests_first:
            # the default limit's at least, as candidates_for: a smaller limit shows the
            # same first results (logrus's LastEntry: its definer was 3rd at --limit 3
            # behind tests, 2nd at 10)
            rows += spoken_for.subjects(self.conn, self.dataset, _RANKED, rows, scores,
                                        max(limit, ranking.DEFAULT_LIMIT), asked_ids,
                                        self._kept())
        ranked = ranking.rank(rows, scores, terms, tests_first, self._language_shares(),
                              search_text.languages_named(text), self._tooling_is_code(rows),
                              asked, search_text.versions_named(text))
        if read is not None:
            ranked = rescoring.reordered(ranked, terms, read, tests_first)
            ranked = ranking.declarations_placed(ranked, terms, asked_ids)
            if not tests_first:
                ranked = handed_on.placed(ranked, read, self._files_named)
        return ranking.copies_folded(ranking.async_twins_placed(ranked, terms))

    def _files_named(self, name: str) -> list[ranking.Candidate]:
        """The C# source files named for the class `name` (`SizeLimiter.cs`; see
        handed_on), as a test's subject is found (spoken_for.files_named)."""
        ids = [rid for path, rid in spoken_for.files_named(
            self.conn, self.dataset, name, self._kept()).items()
            if path.endswith(".cs") and search_text.file_stem(path) == name]
        return [ranking.Candidate(dict(row), 0.0) for row in self.conn.execute(
            f"SELECT {', '.join(_RANKED)} FROM records WHERE id IN "
            f"({','.join('?' * len(ids))})", ids)] if ids else []

    def _paths_typed(self, typed: str, tests: bool) -> list[int]:
        """The ids of the files a query that is a path names (see search_text.typed_path):
        the file of that path; else of that path in another case; else the files whose
        path ends with it (`queue.ts`: `source/queue.ts`), if at most TYPED_PATHS_MAX;
        for a folder's path, the files in it (at most FOLDER_FILES_MAX).
        With `tests`, only tests, fixtures and examples. Looked up by the path (its
        index), then among the paths that have the file name's words (the full-text
        index): neither reads every record."""
        kinds = ranking.SAMPLE_KINDS if tests else None
        found = [rid for rid, kind in self.conn.execute(
            "SELECT id, kind FROM records WHERE dataset = ? AND path = ?",
            (self.dataset, typed)) if kinds is None or kind in kinds]
        if found:
            return found
        # a folder's path: its files (by the path's index, in their order: the ranking
        # then puts the best matches of the folder's words first); a new user's trial
        # had asked for `lib/internal/` and got a file from `support/` first
        only = f" AND kind IN ({','.join('?' * len(kinds))})" if kinds else ""
        found = [rid for (rid,) in self.conn.execute(
            f"SELECT id FROM records WHERE dataset = ? AND path > ? AND path < ?{only} "
            "ORDER BY path LIMIT ?", (self.dataset, typed + "/", typed + "0",
                                      *sorted(kinds or ()), FOLDER_FILES_MAX))]
        if found:
            return found
        # the name's longest word, one token however the path's words were spelled out
        words = max(re.findall(r"\w+", search_text.without_extension(typed.rsplit("/", 1)[-1])),
                    key=len, default="")
        if not words:
            return []
        wanted = typed.casefold()
        rows = [(rid, path.casefold()) for rid, path, kind in fts_lookup.lookup(
            self.conn, self.dataset, "path_words", words, "r.id, r.path, r.kind",
            TYPED_LOOKUP_ROWS) if kinds is None or kind in kinds]
        for alike in (lambda path: path == wanted,
                      lambda path: path.endswith("/" + wanted)):
            found = [rid for rid, path in rows if alike(path)]
            if found:
                return found if len(found) <= TYPED_PATHS_MAX else []
        return []

    def _typed_first(self, ranked: list[ranking.Candidate], ids: list[int]
                     ) -> list[ranking.Candidate]:
        """`ranked` with the files of `ids` first, in their order among the candidates
        (a file that is not among them after those that are): a path typed as a query is
        the file asked for, as a file finder would have it."""
        if not ids:
            return ranked
        by_id = {cand.row["id"]: cand for cand in ranked}
        missing = [rid for rid in ids if rid not in by_id]
        if missing:
            # a copy folded into another result is shown with it (see copies_folded)
            shown = {path for cand in ranked for path in cand.row.get("copies", ())}
            for row in self.conn.execute(
                    f"SELECT {', '.join(_RANKED)} FROM records "
                    f"WHERE id IN ({','.join('?' * len(missing))})", missing):
                if row["path"] not in shown:
                    by_id[row["id"]] = ranking.Candidate(dict(row), 0.0)
        first = sorted((by_id[rid] for rid in ids if rid in by_id),
                       key=lambda cand: (-cand.score, cand.row["path"]))
        best = max((cand.score for cand in ranked), default=0.0)
        for place, cand in enumerate(first):  # scores still read best first
            cand.score = max(cand.score, best) + len(first) - place
        taken = {cand.row["id"] for cand in first}
        return first + [cand for cand in ranked if cand.row["id"] not in taken]

    def _results(self, ranked: list[ranking.Candidate], terms: list[search_text.Term]
                 ) -> list[dict[str, Any]]:
        """What a search answers for each of `ranked`."""
        results = []
        for cand in ranked:
            row = cand.row
            symbols = ranking.symbols_shown(ranking.document(row), terms)
            row["symbol_lines"] = [
                f"{item['name']}: {item['summary']}" if item.get("summary") else item["name"]
                for item in symbols]
            at = ranking.definition_at(symbols, row.get("lines"))
            snippet, symbol = ranking.snippet_of(row, terms, at)
            results.append({
                "path": row["path"], "score": round(cand.score, 4),
                "overview": row["overview"], "snippet": snippet,
                "snippet_line": ranking.line_of(symbols[symbol]) if symbol is not None
                else None,
                "content_sha": row["content_sha"], "kind": row["kind"],
                "symbols": ranking.matching_symbols(symbols, terms),
                "lines": list(row["lines"]) if row.get("lines") else None,
                "copies": row.get("copies", [])})
        return results

    def _language_shares(self) -> dict[str, float]:
        """Each language's share of this dataset's source files (see ranking.rank), kept
        until the database changes."""
        counts = self._source_counts()
        total = sum(counts.values()) or 1
        return {lang: n / total for lang, n in counts.items()}

    def _source_counts(self) -> dict[str, int]:
        """Language -> this dataset's source files in it, kept until the database changes."""
        kept, key = self._kept(), ("sources", self.dataset)  # a store may change dataset
        if key not in kept:
            kept[key] = dict(self.conn.execute(LANGUAGE_COUNTS, (self.dataset,)).fetchall())
        return kept[key]

    def _tooling_is_code(self, rows: list[dict[str, Any]]) -> bool:
        """Whether the code in this dataset's development scripts' folders is its own (see
        ranking.tooling_is_code), kept until the database changes; only counted when
        `rows`, the candidates, hold such a file."""
        if not any(row["kind"] == "config" and search_text.in_tooling_folder(row["path"])
                   for row in rows):
            return False
        kept, key = self._kept(), ("tooling", self.dataset)
        if key not in kept:
            tooling: dict[str, int] = {}
            for language, path in self.conn.execute(SETTINGS_FILES, (self.dataset,)):
                if search_text.in_tooling_folder(path):
                    tooling[language] = tooling.get(language, 0) + 1
            kept[key] = ranking.tooling_is_code(tooling, self._source_counts())
        return kept[key]

    def _kept(self) -> dict[Any, Any]:
        """What searches worked out from the database (word counts, language shares), kept
        until it changes: another connection commits (`data_version`) or this one writes.
        A long-lived server asked about the same repository counts a common word once.
        Nothing is kept inside a transaction, which may yet be rolled back."""
        if self.conn.in_transaction:
            return {}
        version = (self.conn.execute("PRAGMA data_version").fetchone()[0],
                   self.conn.total_changes)
        if version != self._memo_version or len(self._memo) > MEMO_ENTRIES:
            self._memo, self._memo_version = {}, version
        return self._memo

    def _named_acronyms(self, text: str) -> list[str]:
        """The initials of the question's phrases (search_text.acronyms) that name a
        folder or file of this dataset: "static site generation" finds `helper/ssg/`.
        Initials that name nothing, only an extension (`.cts`) or a folder that holds
        code without naming it (`src`, `lib`) are dropped. Each initials' answer is kept
        until the database changes (at 50,000 real records, the 150 questions asked again:
        0.55 -> 0.13 ms a question)."""
        kept = self._kept()
        found = []
        for initials in search_text.acronyms(text)[:MAX_INITIALS]:
            if initials in ranking.GENERIC_NAMES:
                continue
            key = ("initials", self.dataset, initials)
            if key not in kept:
                kept[key] = self._names_a_path(initials)
            if kept[key]:
                found.append(initials)
        return found

    def _names_a_path(self, initials: str) -> bool:
        """Whether initials name a folder or file of this dataset (see _named_acronyms)."""
        # the rows are read until one is named by the initials (`.css` files come before
        # `css/`)
        rows = fts_lookup.lookup(self.conn, self.dataset, "path_words", initials, "r.path",
                                 RANK_BUDGET)
        return any(initials in search_text.without_extension(path).lower()  # cheap first
                   and initials in search_text.path_names(path) for (path,) in rows)

    def _needs_join(self, tests: bool) -> bool:
        """Whether matches must be joined to their records to be scoped: for tests only,
        or where the index holds other datasets too. A repository's index holds one, and
        then the full-text index answers alone: a join reads each match's record, which
        took over half of a ranking query's time at 50,000 records. (An empty index is
        joined: it has no match to join.)"""
        return tests or not fts_lookup.holds_only(self.conn, self.dataset)

    def _scoped(self, matches: str, params: tuple[Any, ...], tests: bool, tail: str = "",
                score: str = "m.score") -> dict[int, float]:
        """Row id -> `score` of `matches` (a query of the full-text index giving `rowid` and
        `score`, read as `m`), this dataset's only (with `tests`, only its tests, fixtures
        and examples), then `tail`. The full-text index drives: joined the other way round,
        SQLite would scan the records and test the match row by row (minutes at 50,000
        rows). Over one dataset's index (a repository's) without `tests` it answers alone."""
        if not self._needs_join(tests):
            return dict(self.conn.execute(f"SELECT m.rowid, {score} FROM ({matches}) m {tail}",
                                          params).fetchall())
        return dict(self.conn.execute(
            f"SELECT m.rowid, {score} FROM ({matches}) m JOIN records r ON r.id = m.rowid "
            f"WHERE r.dataset = ? {_TESTS_ONLY if tests else ''} {tail}",
            (*params, self.dataset)).fetchall())

    def _bm25(self, expression: str, tests: bool, tail: str) -> dict[int, float]:
        """Row id -> bm25 (negative: lower is better) of this dataset's matches."""
        return self._scoped(f"SELECT rowid, {_BM25} AS score FROM records_fts "
                            "WHERE records_fts MATCH ?", (expression,), tests, tail)

    def _described_and_used(self, expression: str, tests: bool, want: int
                            ) -> dict[int, float]:
        """Row id -> score (negative: lower is better) of the `want` best matches: bm25
        over what a file says of itself (path, symbols, overview, doc comments) plus
        bm25 over the words it uses, each with its own rarity of words. Ranked together,
        a word every file imports (`java.lang.reflect`) would count for as little in a
        class's name as in the imports; and a rare word used once in a small file would
        outweigh the question's words in a file's names and docs."""
        described = " ".join(ranking.COLUMNS[:-1])
        return self._scoped(
            f"SELECT rowid, {_BM25} AS score FROM records_fts WHERE records_fts MATCH ? "
            f"UNION ALL SELECT rowid, {ranking.USED_WEIGHT} * {_BM25} "
            f"FROM records_fts WHERE records_fts MATCH ?",
            (f"{{{described}}} : ({expression})", f"{{{ranking.COLUMNS[-1]}}} : ({expression})"),
            tests, f"GROUP BY m.rowid ORDER BY 2, 1 LIMIT {int(want)}", score="sum(m.score)")

    def _sample(self, expression: str, tests: bool) -> dict[int, float]:
        """bm25 of the first `RANK_BUDGET` matches in row order."""
        return self._scoped(f"SELECT rowid, {_BM25} AS score FROM records_fts "
                            f"WHERE records_fts MATCH ? LIMIT {RANK_BUDGET}", (expression,),
                            tests)

    def _affordable(self, terms: list[search_text.Term]
                    ) -> tuple[list[search_text.Term], int, list[tuple[search_text.Term, int]],
                               int]:
        """The terms worth ranking by. bm25 is computed for every row any term matches, so
        in a large index the most common words would cost the most while they weigh the
        least: words in no row or over half the rows weigh nothing in bm25 and go; then
        the commonest are left out until the rows to rank fit `RANK_BUDGET` (the rarest
        word that some row has always stays). An index of up to FULL_RANKING_ROWS rows keeps
        every term, and so its exact ranking. Returns the terms, how many rows they match
        (0: not counted, the index is small), the left-out terms still scored (the
        LEFT_OUT_SCORED rarest, each with how many rows it matches) and the index's rows
        (0 when not counted)."""
        if ((self.conn.execute("SELECT max(id) FROM records").fetchone()[0] or 0)
                <= FULL_RANKING_ROWS):
            return terms, 0, [], 0
        rows = self._rows()
        if rows <= FULL_RANKING_ROWS:  # ids left behind by deleted paths
            return terms, 0, [], rows
        # A word in over half the rows goes (unless all do: then the rarest stays).
        half = rows // 2
        kept = self._kept()  # (once: each look costs a query)
        counted = sorted(((self._matching(t, kept), i, t) for i, t in enumerate(terms)),
                         key=lambda c: (c[0], c[1]))
        # a word no row has ranks nothing: kept alone, it would leave the question with
        # no answer though its other words are everywhere
        counted = [c for c in counted if c[0]] or counted[:1]
        kept = [c for c in counted if c[0] <= half] or counted[:1]
        left_out = []
        while len(kept) > 1 and sum(c[0] for c in kept) > RANK_BUDGET:
            matching, _, term = kept.pop()
            left_out.append((term, matching))
        # the rarest of them: the commoner ones weigh least (see LEFT_OUT_SCORED)
        return ([t for _, _, t in sorted(kept, key=lambda c: c[1])], sum(c[0] for c in kept),
                left_out[-LEFT_OUT_SCORED:], rows)

    def _rows(self) -> int:
        """How many rows the index holds, kept until the database changes (counting them
        took half a millisecond a question at 50,000 records)."""
        kept = self._kept()
        if "all rows" not in kept:
            kept["all rows"] = self.conn.execute("SELECT count(*) FROM records").fetchone()[0]
        return int(kept["all rows"])

    def _matching(self, term: search_text.Term, kept: dict[Any, Any] | None = None) -> int:
        """How many rows match the term, kept until the database changes (in `kept`, if
        given: see _kept). (Counted whole: FTS5 counts its own matches 3 to 8 times faster
        than SQL counts the rows it is given, even when that stops at half of them.)"""
        expression = term.expression()
        kept, key = self._kept() if kept is None else kept, ("rows", expression)
        if key not in kept:
            kept[key] = self.conn.execute(
                "SELECT count(*) FROM records_fts WHERE records_fts MATCH ?",
                (expression,)).fetchone()[0]
        return kept[key]

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
        self._read_only = False

    def get(self) -> sqlite3.Connection:
        if self._conn is not None and self._read_only and writable(self.path):
            # opened while the file could not be written, SQLite's connection stays
            # read-only for good: open another now that it can be
            self._conn.close()
            self._conn = None
        if self._conn is None:
            self._read_only = not writable(self.path)
            self._conn = connect(self.path, create=False)
        return self._conn

    def close(self) -> None:
        with self.lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

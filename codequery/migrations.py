"""The schema of code_data.db, as numbered migrations recorded in the database.

A migration is appended, never edited: a database at any version upgrades to the newest
by running the ones it lacks, and ends with exactly the schema a fresh database gets.
Standard library only (the git hook may be the first to open a database).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

MIGRATIONS: list[tuple[int, str, str]] = [
    (1, "records", """
        CREATE TABLE records (
            id INTEGER PRIMARY KEY,
            dataset TEXT NOT NULL,
            path TEXT NOT NULL,
            language TEXT NOT NULL,
            overview TEXT NOT NULL DEFAULT '',
            doc TEXT NOT NULL,
            symbols TEXT NOT NULL DEFAULT '',
            docstrings TEXT NOT NULL DEFAULT '',
            size INTEGER NOT NULL,
            line_count INTEGER NOT NULL,
            content_sha TEXT NOT NULL,
            documenter TEXT NOT NULL,
            model TEXT,
            documented_at TEXT NOT NULL,
            UNIQUE (dataset, path)
        );
        CREATE INDEX records_by_content ON records (content_sha, documenter);
    """),
    (2, "full-text search", """
        CREATE VIRTUAL TABLE records_fts USING fts5(
            path, symbols, overview, docstrings, content='records', content_rowid='id',
            prefix='2 3 4'
        );
        CREATE TRIGGER records_fts_insert AFTER INSERT ON records BEGIN
            INSERT INTO records_fts (rowid, path, symbols, overview, docstrings)
            VALUES (new.id, new.path, new.symbols, new.overview, new.docstrings);
        END;
        CREATE TRIGGER records_fts_delete AFTER DELETE ON records BEGIN
            INSERT INTO records_fts (records_fts, rowid, path, symbols, overview, docstrings)
            VALUES ('delete', old.id, old.path, old.symbols, old.overview, old.docstrings);
        END;
        CREATE TRIGGER records_fts_update AFTER UPDATE ON records BEGIN
            INSERT INTO records_fts (records_fts, rowid, path, symbols, overview, docstrings)
            VALUES ('delete', old.id, old.path, old.symbols, old.overview, old.docstrings);
            INSERT INTO records_fts (rowid, path, symbols, overview, docstrings)
            VALUES (new.id, new.path, new.symbols, new.overview, new.docstrings);
        END;
        INSERT INTO records_fts (records_fts) VALUES ('rebuild');
    """),
    (3, "job ledger", """
        CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            dataset TEXT NOT NULL,
            path TEXT NOT NULL,
            operation TEXT NOT NULL,
            status TEXT NOT NULL,
            priority INTEGER NOT NULL DEFAULT 1,
            attempts INTEGER NOT NULL DEFAULT 0,
            content_sha TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            last_error TEXT,
            next_retry_at REAL,
            dispatched_at REAL,
            lease_owner TEXT,
            lease_expires_at REAL,
            duration_s REAL
        );
        CREATE UNIQUE INDEX jobs_one_pending ON jobs (dataset, path) WHERE status = 'pending';
        CREATE INDEX jobs_by_status ON jobs (dataset, status, priority, created_at);
        CREATE TABLE job_events (
            id INTEGER PRIMARY KEY,
            job_id TEXT NOT NULL,
            at REAL NOT NULL,
            from_status TEXT,
            to_status TEXT NOT NULL,
            worker TEXT,
            detail TEXT
        );
        CREATE INDEX job_events_by_job ON job_events (job_id, id);
    """),
    (4, "LLM calls, limits and breakers", """
        ALTER TABLE records ADD COLUMN duration_ms INTEGER;
        ALTER TABLE records ADD COLUMN cost_usd REAL;
        ALTER TABLE records ADD COLUMN input_tokens INTEGER;
        ALTER TABLE records ADD COLUMN output_tokens INTEGER;
        CREATE TABLE llm_calls (
            id INTEGER PRIMARY KEY,
            at REAL NOT NULL,
            dataset TEXT NOT NULL,
            documenter TEXT NOT NULL,
            model TEXT,
            files INTEGER NOT NULL,
            ok INTEGER NOT NULL,
            duration_ms INTEGER,
            cost_usd REAL,
            input_tokens INTEGER,
            output_tokens INTEGER,
            error TEXT
        );
        CREATE INDEX llm_calls_by_time ON llm_calls (dataset, documenter, at);
        CREATE TABLE rate_buckets (
            name TEXT PRIMARY KEY,
            tokens REAL NOT NULL,
            updated_at REAL NOT NULL
        );
        CREATE TABLE breakers (
            name TEXT PRIMARY KEY,
            failures INTEGER NOT NULL DEFAULT 0,
            first_failure_at REAL,
            opened_until REAL,
            probing INTEGER NOT NULL DEFAULT 0
        );
    """),
    (5, "content-addressed documents, path view, reconcile state", """
        CREATE TABLE documents (
            key TEXT PRIMARY KEY,
            content_sha TEXT NOT NULL,
            record TEXT NOT NULL,
            created_at REAL NOT NULL,
            used_at REAL NOT NULL
        );
        CREATE INDEX documents_by_use ON documents (used_at);
        ALTER TABLE records ADD COLUMN doc_key TEXT;
        UPDATE records SET doc_key = CASE
            WHEN doc LIKE '%Secret-looking file: its content is never read%'
                THEN content_sha || ':secret'
            ELSE content_sha || ':' || documenter || ':' || coalesce(model, '') || ':legacy:'
                || language
        END;
        -- Records made before keys stay reusable under their legacy key (a branch switch
        -- or a rename after the upgrade costs no documenter call).
        INSERT OR IGNORE INTO documents (key, content_sha, record, created_at, used_at)
        SELECT doc_key, content_sha, json_patch(doc, json_object(
                'language', language, 'overview', overview, 'size', size,
                'line_count', line_count, 'content_sha', content_sha, 'documenter', documenter,
                'model', model, 'documented_at', documented_at, 'duration_ms', duration_ms,
                'cost_usd', cost_usd, 'input_tokens', input_tokens,
                'output_tokens', output_tokens)),
            CAST(strftime('%s', 'now') AS REAL), CAST(strftime('%s', 'now') AS REAL)
        FROM records WHERE doc_key LIKE '%:legacy:%';
        CREATE INDEX records_by_key ON records (doc_key);
        -- the reconciler's path view, read from the index alone
        CREATE INDEX records_view ON records (dataset, path, doc_key);
        CREATE TABLE skipped (
            dataset TEXT NOT NULL,
            path TEXT NOT NULL,
            content_sha TEXT NOT NULL,
            rules TEXT NOT NULL,
            reason TEXT NOT NULL,
            PRIMARY KEY (dataset, path)
        );
        CREATE TABLE reconciles (
            dataset TEXT PRIMARY KEY,
            ran_at REAL NOT NULL,
            duration_ms REAL NOT NULL,
            tree TEXT,
            tracked INTEGER NOT NULL,
            queued INTEGER NOT NULL,
            pointed INTEGER NOT NULL,
            removed INTEGER NOT NULL,
            cancelled INTEGER NOT NULL,
            trigger TEXT,
            runs INTEGER NOT NULL DEFAULT 0,
            total_ms REAL NOT NULL DEFAULT 0
        );
    """),
    (6, "job duration totals for metrics", """
        CREATE TABLE job_duration_buckets (
            dataset TEXT NOT NULL,
            le REAL NOT NULL,
            count INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (dataset, le)
        );
        CREATE TABLE job_duration_totals (
            dataset TEXT PRIMARY KEY,
            count INTEGER NOT NULL DEFAULT 0,
            sum REAL NOT NULL DEFAULT 0
        );
        INSERT INTO job_duration_totals (dataset, count, sum)
        SELECT dataset, count(*), sum(duration_s) FROM jobs
        WHERE status = 'completed' AND duration_s IS NOT NULL GROUP BY dataset;
        WITH buckets(le) AS (VALUES (0.01), (0.05), (0.1), (0.5), (1.0), (5.0), (10.0),
                                    (30.0), (60.0), (120.0), (300.0))
        INSERT INTO job_duration_buckets (dataset, le, count)
        SELECT j.dataset, b.le, count(*) FROM jobs j JOIN buckets b ON j.duration_s <= b.le
        WHERE j.status = 'completed' AND j.duration_s IS NOT NULL GROUP BY j.dataset, b.le;
    """),
    (7, "documenters blocked until the user acts (not logged in)", """
        CREATE TABLE documenter_blocks (
            name TEXT PRIMARY KEY,
            reason TEXT NOT NULL,
            since REAL NOT NULL,
            checked_at REAL NOT NULL
        );
    """),
    (8, "search: stemmed words, identifiers spelled out, the words of each file", """
        ALTER TABLE records ADD COLUMN path_words TEXT NOT NULL DEFAULT '';
        ALTER TABLE records ADD COLUMN overview_words TEXT NOT NULL DEFAULT '';
        ALTER TABLE records ADD COLUMN terms TEXT NOT NULL DEFAULT '';
        ALTER TABLE records ADD COLUMN kind TEXT NOT NULL DEFAULT 'source';
        ALTER TABLE records ADD COLUMN search_version INTEGER NOT NULL DEFAULT 0;
        DROP TRIGGER records_fts_insert;
        DROP TRIGGER records_fts_delete;
        DROP TRIGGER records_fts_update;
        DROP TABLE records_fts;
        UPDATE records SET path_words = path, overview_words = overview;
        CREATE VIRTUAL TABLE records_fts USING fts5(
            path_words, symbols, overview_words, docstrings, terms,
            content='records', content_rowid='id',
            tokenize='porter unicode61 remove_diacritics 2', prefix='2 3'
        );
        CREATE TRIGGER records_fts_insert AFTER INSERT ON records BEGIN
            INSERT INTO records_fts (rowid, path_words, symbols, overview_words, docstrings,
                                     terms)
            VALUES (new.id, new.path_words, new.symbols, new.overview_words, new.docstrings,
                    new.terms);
        END;
        CREATE TRIGGER records_fts_delete AFTER DELETE ON records BEGIN
            INSERT INTO records_fts (records_fts, rowid, path_words, symbols, overview_words,
                                     docstrings, terms)
            VALUES ('delete', old.id, old.path_words, old.symbols, old.overview_words,
                    old.docstrings, old.terms);
        END;
        CREATE TRIGGER records_fts_update AFTER UPDATE ON records BEGIN
            INSERT INTO records_fts (records_fts, rowid, path_words, symbols, overview_words,
                                     docstrings, terms)
            VALUES ('delete', old.id, old.path_words, old.symbols, old.overview_words,
                    old.docstrings, old.terms);
            INSERT INTO records_fts (rowid, path_words, symbols, overview_words, docstrings,
                                     terms)
            VALUES (new.id, new.path_words, new.symbols, new.overview_words, new.docstrings,
                    new.terms);
        END;
        INSERT INTO records_fts (records_fts) VALUES ('rebuild');
    """),
    (9, "job event ids never reused (a live stream follows them)", """
        CREATE TABLE job_events_new (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            job_id TEXT NOT NULL,
            at REAL NOT NULL,
            from_status TEXT,
            to_status TEXT NOT NULL,
            worker TEXT,
            detail TEXT
        );
        INSERT INTO job_events_new SELECT id, job_id, at, from_status, to_status, worker, detail
            FROM job_events;
        DROP TABLE job_events;
        ALTER TABLE job_events_new RENAME TO job_events;
        CREATE INDEX job_events_by_job ON job_events (job_id, id);
    """),
    # Every search weighs its candidates by the languages of the source files: counted
    # from this index, not by reading every record with its document (6 -> 0.8 ms at
    # 1,000 files; a search is a process of its own).
    (10, "search: records by kind and language", """
        CREATE INDEX records_by_kind ON records (dataset, kind, language);
    """),
    # The full-text index is written again only when what it indexes changes: a row's
    # kind or search version set anew (a search's derived columns refreshed) had
    # deleted and re-added every row's words, leaving the index in as many segments
    # again (at 50,000 real records, 90,880 of its pages against 34,829 merged, and
    # searches 10-20% slower).
    (11, "search: the full-text index follows only the columns it indexes", """
        DROP TRIGGER records_fts_update;
        CREATE TRIGGER records_fts_update
        AFTER UPDATE OF path_words, symbols, overview_words, docstrings, terms ON records
        BEGIN
            INSERT INTO records_fts (records_fts, rowid, path_words, symbols, overview_words,
                                     docstrings, terms)
            VALUES ('delete', old.id, old.path_words, old.symbols, old.overview_words,
                    old.docstrings, old.terms);
            INSERT INTO records_fts (rowid, path_words, symbols, overview_words, docstrings,
                                     terms)
            VALUES (new.id, new.path_words, new.symbols, new.overview_words, new.docstrings,
                    new.terms);
        END;
    """),
    (12, "reconcile state: the last run that changed something", """
        ALTER TABLE reconciles ADD COLUMN changed_at REAL;
        ALTER TABLE reconciles ADD COLUMN changed_trigger TEXT;
        ALTER TABLE reconciles ADD COLUMN changed_queued INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE reconciles ADD COLUMN changed_pointed INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE reconciles ADD COLUMN changed_removed INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE reconciles ADD COLUMN changed_cancelled INTEGER NOT NULL DEFAULT 0;
    """),
]

LATEST = MIGRATIONS[-1][0]


class MissingFTS5(Exception):
    """The local SQLite library was built without FTS5."""


def current_version(conn: sqlite3.Connection) -> int:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    row = conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return row[0] or 0


def migrate(conn: sqlite3.Connection, target: int = LATEST) -> int:
    """Bring the schema up to `target`; returns the version reached."""
    version = current_version(conn)
    for number, name, sql in MIGRATIONS:
        if version < number <= target:
            _apply(conn, number, name, sql)
            version = number
    return version


def _apply(conn: sqlite3.Connection, number: int, name: str, sql: str) -> None:
    # executescript commits first; BEGIN IMMEDIATE inside the script makes the migration
    # and its bookkeeping row one transaction, and serialises two processes migrating.
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    script = (
        "BEGIN IMMEDIATE;\n"
        f"{sql}\n"
        f"INSERT INTO schema_migrations (version, name, applied_at) "
        f"VALUES ({number}, '{name}', '{stamp}');\n"
        "COMMIT;"
    )
    try:
        conn.executescript(script)
    except sqlite3.OperationalError as exc:
        if conn.in_transaction:
            conn.rollback()
        if "no such module: fts5" in str(exc):
            raise MissingFTS5(str(exc)) from None
        if (("already exists" in str(exc) or "duplicate column name" in str(exc))
                and current_version(conn) >= number):
            return  # another process applied it between our check and our BEGIN
        raise
